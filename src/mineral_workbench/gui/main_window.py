"""The main window: composes the result tabs, the load indicator, the actions and a TaskRunner.

The window itself holds no logic beyond wiring: the analysis runs in the core (through
`core_bridge.analyze`, or a fake in tests) on a worker; tables render what comes back.
A failed or cancelled load leaves the results on screen exactly as they were.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from mineral_workbench import APP_NAME
from mineral_workbench.core.errors import WorkbenchError

from . import core_bridge
from .actions import build_actions
from .icons import icon
from .loader import TaskRunner
from .panels import ResultsView
from .progress import LoadProgress
from .status import summary_text, summary_tooltip, window_title

log = logging.getLogger(__name__)

OPEN_FILTER = ("Trade exports (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.json);;"
               "Spreadsheets (*.xlsx *.xlsm *.xls *.ods);;CSV and text (*.csv *.txt);;"
               "JSON (*.json);;All files (*)")
EMPTY_HINT = "No data loaded: File → Open… or drop trade exports on the window"


@dataclass(frozen=True)
class LoadedAnalysis:
    """What the window shows: the files, the core's result and the import reports."""

    files: tuple[Path, ...]
    result: Any
    reports: list


class MainWindow(QMainWindow):
    """`analyze(paths, options, *, progress, cancel) -> (result, reports)` defaults to the core."""

    analysis_shown = Signal(object)   # LoadedAnalysis, after the tables show it
    load_failed = Signal(object)      # the exception, after the analyst was told

    def __init__(self, *, analyze=None, options: Any = None, interactive: bool = True,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._analyze = analyze or core_bridge.analyze
        self._options = options
        self._interactive = interactive  # False: report errors in the status bar only (screenshots)
        self._loading: tuple[Path, ...] = ()
        self._last_dir = ""
        self.current: LoadedAnalysis | None = None
        self.last_error: BaseException | None = None

        self.setWindowTitle(window_title([]))
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.results = ResultsView(self)
        self.setCentralWidget(self.results)
        self.summary_label = QLabel(EMPTY_HINT, self)
        self.progress = LoadProgress(self)
        self.statusBar().addWidget(self.summary_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.window_actions = build_actions(self)
        self.runner = TaskRunner(self)
        self._connect()

    def _connect(self) -> None:
        self.window_actions.open.triggered.connect(self.open_dialog)
        self.window_actions.reload.triggered.connect(self.reload)
        self.window_actions.quit.triggered.connect(self.close)
        self.window_actions.copy.triggered.connect(self.copy_selection)
        self.addAction(self.window_actions.quit)  # Ctrl+Q works wherever the focus is
        self.progress.cancel_requested.connect(self.runner.cancel)
        self.runner.progress.connect(self.progress.update_progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self.runner.busy_changed.connect(self._on_busy)
        for panel in self.results.panels.values():
            panel.table.copied.connect(self._on_copied)

    # --- commands ---------------------------------------------------------------------------

    def load(self, files: Sequence[Path | str]) -> None:
        """Analyze `files` in the background; a load already running is cancelled."""
        paths = tuple(Path(f) for f in files)
        if not paths:
            return
        self._loading = paths
        analyze, options = self._analyze, self._options
        self.runner.start(lambda *, progress, cancel: analyze(list(paths), options,
                                                              progress=progress, cancel=cancel))
        noun = "file" if len(paths) == 1 else "files"
        self.progress.begin(f"Reading {len(paths)} {noun}…")

    def reload(self) -> None:
        if self.current is not None:
            self.load(self.current.files)

    def open_dialog(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Open trade exports", self._last_dir, OPEN_FILTER)
        if names:
            self._last_dir = str(Path(names[0]).parent)
            self.load(names)

    def copy_selection(self) -> None:
        self.results.current_panel().table.copy_selection()

    def shutdown(self) -> None:
        """Cancel any load and wait for worker threads (also done on close)."""
        self.runner.shutdown()

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    # --- drag and drop ----------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.load(files)

    # --- runner outcomes (GUI thread) -------------------------------------------------------

    def _on_busy(self, busy: bool) -> None:
        if not busy:
            self.progress.end()

    def _on_finished(self, payload: Any) -> None:
        try:
            result, reports = payload
            self.results.show_result(result)
        except Exception as exc:  # noqa: BLE001 - a malformed result must not kill the window
            self._on_failed(exc)
            if self.current is not None:
                self.results.show_result(self.current.result)
            return
        self.current = LoadedAnalysis(self._loading, result, list(reports or []))
        self.last_error = None
        self.setWindowTitle(window_title(self.current.files))
        self.summary_label.setText(summary_text(result, self.current.files, self._options))
        self.summary_label.setToolTip(summary_tooltip(result))
        self.window_actions.reload.setEnabled(True)
        self.analysis_shown.emit(self.current)

    def _on_failed(self, error: BaseException) -> None:
        self.last_error = error
        kept = " (the previous results are still shown)" if self.current is not None else ""
        if isinstance(error, WorkbenchError):
            self.statusBar().showMessage(f"Could not load: {error}{kept}", 10_000)
            if self._interactive:
                QMessageBox.warning(self, f"{APP_NAME}: could not load", f"{error}{kept}")
        else:
            details = "".join(traceback.format_exception(error))
            log.error("unexpected error while loading %s:\n%s", self._loading, details)
            message = f"{type(error).__name__}: {error}"
            self.statusBar().showMessage(f"Unexpected error: {message}", 10_000)
            if self._interactive:
                QMessageBox.critical(self, f"{APP_NAME}: unexpected error",
                                     f"{message}\n\nThe details were written to the log.{kept}")
        self.load_failed.emit(error)

    def _on_cancelled(self) -> None:
        kept = "; the previous results are still shown" if self.current is not None else ""
        self.statusBar().showMessage(f"Loading cancelled{kept}", 5_000)

    def _on_copied(self, lines: int) -> None:
        if lines < 0:
            self.statusBar().showMessage("Selection too large to copy; narrow it or export instead", 5_000)
        else:
            self.statusBar().showMessage(f"Copied {lines:,} row{'s' if lines != 1 else ''}", 3_000)
