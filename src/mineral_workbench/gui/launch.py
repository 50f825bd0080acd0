"""Start the window, or render it offscreen to a PNG and exit (`--screenshot OUT.png`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Sequence

from mineral_workbench import APP_NAME

WINDOW_SIZE = (1600, 1000)


def _no_display() -> bool:
    return (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"))


def _say(message: str) -> None:
    if sys.stderr is not None:  # a windowed (gui-script) build may have no stderr
        print(message, file=sys.stderr)


def run_gui(files: Sequence[Path], *, screenshot: Path | None = None, view: str | None = None) -> int:
    """Open the workbench on `files` (the bundled sample when empty) and return an exit status.

    With `screenshot`, the window is built at 1600×1000 without being shown on screen, the
    files are analyzed, `view` ('minerals', 'sectors', 'defense') is selected, the window is
    saved as an image and the function returns without running the event loop: 0 on success,
    2 when the input was refused (the reason goes to stderr), 1 on any other failure.
    """
    from .panels import ResultsView

    if view is not None and view not in ResultsView.VIEWS:
        _say(f"unknown view {view!r}; choose one of: {', '.join(ResultsView.VIEWS)}")
        return 2
    if _no_display():
        if screenshot is None:
            _say("no display found (DISPLAY/WAYLAND_DISPLAY unset); use --screenshot for headless use")
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # must precede the QApplication

    from PySide6.QtWidgets import QApplication

    from mineral_workbench.core.resources import sample_workbook

    from .icons import icon
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setWindowIcon(icon("app"))
    paths = [Path(f) for f in files] or [sample_workbook()]
    window = MainWindow(interactive=screenshot is None)
    window.resize(*WINDOW_SIZE)
    if view is not None:
        window.results.select_view(view)
    if screenshot is None:
        window.show()
        window.load(paths)
        return app.exec()
    try:
        return _render(window, paths, Path(screenshot))
    finally:
        window.close()
        window.deleteLater()


def _render(window, paths: list[Path], target: Path) -> int:
    from PySide6.QtCore import QEventLoop, Qt
    from PySide6.QtWidgets import QApplication

    from mineral_workbench.core.errors import WorkbenchError

    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.show()
    loop = QEventLoop()
    window.analysis_shown.connect(loop.quit)
    window.load_failed.connect(loop.quit)
    window.runner.cancelled.connect(loop.quit)
    window.load(paths)
    if window.runner.is_busy():
        loop.exec()  # the outcome arrives as a queued signal, never before this runs
    QApplication.processEvents()
    error = window.last_error
    if error is not None:
        _say(str(error) if isinstance(error, WorkbenchError) else f"{type(error).__name__}: {error}")
        return 2 if isinstance(error, WorkbenchError) else 1
    if not window.grab().save(str(target)):
        _say(f"{target}: could not write the screenshot (check the folder exists and the suffix is .png)")
        return 1
    return 0
