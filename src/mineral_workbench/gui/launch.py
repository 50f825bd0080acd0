"""Start the window, or render it offscreen to a PNG and exit (`--screenshot OUT.png`)."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Sequence

from mineral_workbench import APP_NAME, __version__

WINDOW_SIZE = (1600, 1000)
ORGANIZATION = "MineralWorkbench"
STATIC_VIEWS = ("minerals", "sectors", "defense", "sources")  # charts add their ids at run time
SCREENSHOT_SELECTION = "gallium"  # a mineral with defense uses, so every view has something to show


def _no_display() -> bool:
    return (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("QT_QPA_PLATFORM"))


def _say(message: str) -> None:
    if sys.stderr is not None:  # a windowed (gui-script) build may have no stderr
        print(message, file=sys.stderr)


def create_window(files: Sequence[Path] = (), *, interactive: bool = True, theme: bool = True):
    """The application and a main window that has started loading `files` (default: sample).

    The window is not shown yet; `run_gui` and the start-up benchmark share this path.
    """
    if "PySide6" in sys.modules:  # not the process's start-up (a test, a second window)
        return _create_window(files, interactive=interactive, theme=theme)
    # Start-up makes long-lived objects (modules, classes, widgets): the collector's passes
    # over them found nothing yet cost 0.1-0.3 s of CPU. Frozen, they stay out of every
    # later full collection too (the few hundred import-time cycles left are kept).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _import_core_before_qt()
        return _create_window(files, interactive=interactive, theme=theme)
    finally:
        gc.freeze()
        if collecting:
            gc.enable()


def _import_core_before_qt() -> None:
    """Import pandas and the core the window loads and computes with before the first Qt import.

    PySide6 hooks every import made after it and reads each new module's source (it looks
    for "PySide6" to support `from __feature__ import ...`): about 0.1 s of CPU for pandas and
    the core, which never touch Qt. Modules imported first are not read. fastexcel reads the
    bundled sample workbook; `core_bridge` loads through `workspace` and computes scenarios
    through `whatif`.
    """
    import fastexcel  # noqa: F401
    import pandas  # noqa: F401

    from mineral_workbench.core import analysis, whatif, workspace  # noqa: F401
    from mineral_workbench.core.importing import supported_formats

    supported_formats()  # imports every importer module


def _create_window(files: Sequence[Path], *, interactive: bool, theme: bool):
    from PySide6.QtWidgets import QApplication

    from mineral_workbench.core.resources import sample_workbook

    from .icons import icon
    from .main_window import MainWindow
    from .theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("mineral-workbench")  # matches packaging/mineral-workbench.desktop
    app.setOrganizationName(ORGANIZATION)
    app.setWindowIcon(icon("app"))
    window = MainWindow(interactive=interactive, files=[Path(f) for f in files] or [sample_workbook()])
    if theme:
        apply_theme(window.theme)
        try:
            app.styleHints().colorSchemeChanged.connect(window.follow_system_scheme)
        except AttributeError:  # Qt < 6.5 has no colour-scheme signal
            pass
    if not window.geometry_restored or not interactive:
        window.resize(*WINDOW_SIZE)
    return app, window


def run_gui(files: Sequence[Path], *, screenshot: Path | None = None, view: str | None = None) -> int:
    """Open the workbench on `files` (the bundled sample when empty) and return an exit status.

    With `screenshot`, the window is built at 1600×1000 without being shown on screen, the
    files are analyzed, `view` (minerals, sectors, defense, sources or a chart id) is brought
    to the front, the window is saved as an image and the function returns without running
    the event loop: 0 on success, 2 when the input was refused or the view is unknown (the
    reason goes to stderr), 1 on any other failure.
    """
    if _no_display():
        if screenshot is None:
            _say("no display found (DISPLAY/WAYLAND_DISPLAY unset); use --screenshot for headless use")
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # must precede the QApplication

    app, window = create_window(files, interactive=screenshot is None, theme=screenshot is None)
    if view is not None and view not in window.view_names():
        _say(f"unknown view {view!r}; choose one of: {', '.join(window.view_names())}")
        window.shutdown()
        window.deleteLater()
        return 2
    if screenshot is None:
        _log_uncaught_exceptions()
        window.show()
        if view is not None:
            window.show_view(view)
        return app.exec()
    try:
        return _render(window, view, Path(screenshot))
    finally:
        window.shutdown()
        window.hide()
        window.deleteLater()


def _log_uncaught_exceptions() -> None:
    """An exception escaping a slot goes to the log (and stderr) instead of vanishing."""
    import logging

    previous = sys.excepthook

    def hook(kind, value, trace):
        logging.getLogger("mineral_workbench").error("uncaught exception", exc_info=(kind, value, trace))
        previous(kind, value, trace)

    sys.excepthook = hook


def _settle() -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()


def _render(window, view: str | None, target: Path) -> int:
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    from mineral_workbench.core.errors import WorkbenchError

    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(*WINDOW_SIZE)
    if window.session.is_loading():
        loop = QEventLoop()
        window.analysis_shown.connect(loop.quit)
        window.load_failed.connect(loop.quit)
        window.session.cancelled.connect(loop.quit)
        # and whatever happened to the outcome (a slot that raised): never wait for ever
        window.session.loader.busy_changed.connect(
            lambda busy: busy or QTimer.singleShot(0, loop.quit))
        loop.exec()  # the outcome arrives as a queued signal, never before this runs
    error = window.last_error
    if error is not None:
        _say(str(error) if isinstance(error, WorkbenchError) else f"{type(error).__name__}: {error}")
        return 2 if isinstance(error, WorkbenchError) else 1
    # Shown only now, with its content: laid out once, never from a half-loaded state (how
    # splitters share space depends on the sizes they passed through), so a screenshot is
    # the same image on every run.
    window.show()
    _settle()
    if view is not None:
        window.show_view(view)
    _settle()  # lay the panels out before a selection scrolls them
    if window.current is not None and SCREENSHOT_SELECTION in window.current.result.minerals.index:
        window.selection.select([SCREENSHOT_SELECTION], origin="screenshot")
    _settle()  # let docks settle at their default sizes and charts repaint
    if not window.grab().save(str(target)):
        _say(f"{target}: could not write the screenshot (check the folder exists and the suffix is .png)")
        return 1
    return 0

