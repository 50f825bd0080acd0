"""The main window: composes the parts and wires them; it computes nothing itself.

Parts (one module each): the session (loads and recomputes on workers), the analysis
controls, the minerals table, the sources, sectors, defense and chart panels in docks, the
actions and menus, the shared mineral selection. Dialogs (import report, methods, about,
log) are created on first use and are non-modal.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QLabel, QMainWindow, QMessageBox,
                               QToolBar, QWidget)

from mineral_workbench import APP_NAME
from mineral_workbench.core.errors import WorkbenchError

from . import docks as dock_layout
from .actions import build_actions
from .applog import setup_logging
from .chart_area import ChartArea
from .columns import MINERAL_COLUMNS
from .controls import AnalysisControls
from .core_bridge import Analysis, only_sample
from .defense_view import DefensePanel
from .icons import icon
from .window_files import FileCommands
from .panels import TablePanel
from .progress import LoadProgress
from .selection import MineralSelection
from .selection_binding import bind_views
from .session import AnalysisSession
from .settings import Settings
from .sources_panel import SourcesPanel
from .sector_matrix import SectorsPanel
from .status import summary_text, summary_tooltip, window_title
from .theme import apply_theme
from .window_dialogs import WindowDialogs
from .window_scenarios import install_exports, install_scenarios
from .window_workspace import install_workspace

log = logging.getLogger(__name__)

EMPTY_HINT = "No data loaded: File → Open… or drop trade exports on the window"
TABLE_VIEWS = ("minerals", "sectors", "defense", "sources")


class MainWindow(FileCommands, QMainWindow):
    """`backend` defaults to the core (`core_bridge.CoreBackend`); `charts` to the registry."""

    analysis_shown = Signal(object)   # Analysis, after every view shows it
    load_failed = Signal(object)      # the exception, after the analyst was told

    def __init__(self, *, backend=None, options=None, charts=None, interactive: bool = True,
                 settings: Settings | None = None, files: Sequence[Path | str] = (),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings or Settings()
        self.log_path = setup_logging(self.settings.folder)
        self._interactive = interactive  # False: report errors in the status bar only (screenshots)
        self.ask_to_save = interactive   # the unsaved-changes prompt and the recovery offer
        self.open_report_after_load = interactive and bool(self.settings.get("reports/open_after_load"))
        self.last_error: BaseException | None = None
        self.dialogs = WindowDialogs(self)
        self._shown_loaded = None

        self.setWindowTitle(window_title([]))
        self.setWindowIcon(icon("app"))
        self.setAcceptDrops(True)
        self.selection = MineralSelection(self)
        self.session = AnalysisSession(backend, options, self)
        opens_workspace = len(files) == 1 and Path(files[0]).suffix.lower() == ".mwb"
        if not opens_workspace:
            self.session.load(files)  # start reading now: the worker overlaps building the window
        self.controls = AnalysisControls(self)
        self.minerals = TablePanel(MINERAL_COLUMNS, noun="minerals", filter_key="mineral",
                                   editable={"nir_pct"}, parent=self)
        self.sources = SourcesPanel(self)
        self.sectors = SectorsPanel(self)
        self.defense = DefensePanel(self)
        self.charts = ChartArea(self.selection, charts, self)
        self.setCentralWidget(self.minerals)
        self.docks = dock_layout.build_docks(self, sources=self.sources, charts=self.charts,
                                             sectors=self.sectors, defense=self.defense)
        self.window_actions = build_actions(self)
        self.analysis_bar = QToolBar("Analysis options", self)
        self.analysis_bar.setObjectName("analysis_toolbar")
        self.analysis_bar.addWidget(self.controls)
        self.addToolBar(self.analysis_bar)
        for dock in self.docks.by_name().values():
            self.window_actions.docks_menu.addAction(dock.toggleViewAction())
        for bar in (self.window_actions.toolbar, self.analysis_bar):
            self.window_actions.docks_menu.addAction(bar.toggleViewAction())
        self.summary_label = QLabel(EMPTY_HINT, self)
        self.selection_label = QLabel(self)
        self.selection_label.setAccessibleName("Selected minerals")
        self.progress = LoadProgress(self)
        self.statusBar().addWidget(self.summary_label, 1)
        self.statusBar().addPermanentWidget(self.selection_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.scenarios = install_scenarios(self)
        self.exporter = install_exports(self)
        self.workspace = install_workspace(self)
        if opens_workspace:
            self.workspace.controller.open_workspace(files[0])
        self._bind_selection()
        self._connect()
        if self.session.is_loading():
            self._begin_progress()
        self._initial_state = self.saveState()
        self._sized = self._restore_layout()
        self.theme = self.settings.theme()
        self.window_actions.themes[self.theme].setChecked(True)
        self.window_actions.recent_menu.set_files(self.settings.recent_files())

    # --- wiring -------------------------------------------------------------------------------

    def _bind_selection(self) -> None:
        self.bindings = bind_views(self.selection, self.minerals, self.sectors, self.defense)
        self.selection.changed.connect(self.defense.show_minerals)
        self.selection.changed.connect(self._show_selection)

    def _connect(self) -> None:
        a, s = self.window_actions, self.session
        a.open.triggered.connect(self.open_dialog)
        a.add_files.triggered.connect(self.add_dialog)
        a.import_mapping.triggered.connect(lambda: self.import_with_mapping())
        a.add_mapping.triggered.connect(self.add_with_mapping)
        a.close_all.triggered.connect(self.close_all)
        a.reload.triggered.connect(self.reload)
        a.show_report.triggered.connect(lambda: self.show_import_report(0))
        charts = self.charts
        a.export_png.triggered.connect(lambda: self._export(lambda: charts.ask_export_png(self._last_folder())))
        a.export_svg.triggered.connect(lambda: self._export(lambda: charts.ask_export_svg(self._last_folder())))
        a.copy_chart.triggered.connect(lambda: self._export(self.charts.copy_chart))
        a.quit.triggered.connect(self.close)
        a.copy.triggered.connect(self.copy_selection)
        a.find.triggered.connect(self.find_mineral)
        a.reset_layout.triggered.connect(self.reset_layout)
        a.report_after_load.setChecked(bool(self.settings.get("reports/open_after_load")))
        a.report_after_load.toggled.connect(self._set_report_after_load)
        a.methods.triggered.connect(self.show_methods)
        a.show_log.triggered.connect(self.show_log)
        a.about.triggered.connect(self.show_about)
        for name, action in a.themes.items():
            action.triggered.connect(lambda _=False, n=name: self.set_theme(n))
        a.recent_menu.open_file.connect(lambda path: self.load([path]))
        a.recent_menu.clear_requested.connect(self._clear_recent)
        for action in (a.quit, a.copy, a.find, a.methods):
            self.addAction(action)  # shortcuts work wherever the focus is, even with menus hidden
        for export in (a.export_png, a.export_svg, a.copy_chart):
            export.setEnabled(bool(self.charts.charts))
        self.controls.changed.connect(lambda: s.set_options(self.controls.apply_to(s.options)))
        self.progress.cancel_requested.connect(s.cancel)
        s.loader.progress.connect(self.progress.update_progress)
        s.loader.busy_changed.connect(lambda busy: None if busy else self.progress.end())
        s.analysis_ready.connect(self._show_analysis)
        s.failed.connect(self._on_failed)
        s.cancelled.connect(self._on_cancelled)
        s.cleared.connect(self._on_cleared)
        s.options_changed.connect(self.controls.show_options)
        self.sources.report_requested.connect(self.show_import_report)
        self.charts.exported.connect(lambda text: self.statusBar().showMessage(text, 5000))
        for table in (self.minerals.table, self.sectors.view, self.sectors.rollup.table,
                      self.defense.uses.table, self.defense.categories.table):
            table.copied.connect(self._on_copied)

    # --- commands -----------------------------------------------------------------------------

    @property
    def current(self) -> Analysis | None:
        return self.session.current

    def copy_selection(self) -> str | None:
        """Copy from the table that has the focus (the minerals table otherwise)."""
        widget = QApplication.focusWidget()
        while widget is not None and widget is not self and not hasattr(widget, "copy_selection"):
            widget = widget.parentWidget()
        if widget is None or widget is self or widget.window() is not self:
            widget = self.minerals.table
        return widget.copy_selection()

    def find_mineral(self) -> None:
        self.minerals.filter_edit.setFocus()
        self.minerals.filter_edit.selectAll()

    def show_import_report(self, index: int = 0):
        if self.current is None or not self.current.reports:
            return None
        return self.dialogs.import_report(self.current.reports, index)

    def show_methods(self):
        return self.dialogs.methods(dict(self.session.options.weights))

    def show_about(self):
        return self.dialogs.about()

    def show_log(self):
        return self.dialogs.log(self.log_path)

    def dialog(self, key: str):
        """An already opened dialog ('report', 'methods', 'about', 'log') or None."""
        return self.dialogs.get(key)

    def set_theme(self, name: str) -> str:
        self.theme = name if name in self.window_actions.themes else "system"
        self.window_actions.themes[self.theme].setChecked(True)
        self.settings.set("appearance/theme", self.theme)
        effective = apply_theme(self.theme)
        self.charts.refresh_theme()
        return effective

    def follow_system_scheme(self, *_args) -> None:
        if self.theme == "system":
            apply_theme("system")
            self.charts.refresh_theme()

    def reset_layout(self) -> None:
        self.restoreState(self._initial_state)
        dock_layout.apply_default_sizes(self, self.docks)

    def view_names(self) -> list[str]:
        return [*TABLE_VIEWS, *self.scenarios.docks, *self.charts.chart_ids()]

    def show_view(self, name: str) -> None:
        """Bring view `name` (see `view_names`) to the front."""
        docks = {**self.docks.by_name(), **self.scenarios.docks}
        if name == "minerals":
            self.minerals.table.setFocus()
        elif name in docks:
            self.scenarios.panel_of(name)  # a dock built on first show (the window may be unshown)
            dock_layout.reveal(docks[name])
            if name == "sources":  # its facts need room to be read
                self.resizeDocks([docks[name]], [max(docks[name].width(), self.width() * 3 // 10)],
                                 Qt.Orientation.Horizontal)
        elif name in self.charts.charts:
            dock_layout.reveal(self.docks.charts)
            self.charts.select_chart(name)
        else:
            raise ValueError(f"unknown view {name!r}; choose one of: {', '.join(self.view_names())}")

    def shutdown(self) -> None:
        """Cancel any work and wait for worker threads (also done on close)."""
        self.exporter.shutdown()
        self.workspace.controller.shutdown()
        self.session.shutdown()

    # --- window events ------------------------------------------------------------------------

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized:
            self._sized = True
            QTimer.singleShot(0, lambda: dock_layout.apply_default_sizes(self, self.docks))
        if not getattr(self, "_recovery_offered", False):
            self._recovery_offered = True
            self.workspace.offer_recovery_later()

    def closeEvent(self, event) -> None:
        if not self.workspace.confirm_replace():
            event.ignore()
            return
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.set("window/state", self.saveState())
        self.settings.sync()
        self.shutdown()
        self.dialogs.close_all()
        super().closeEvent(event)

    # --- outcomes (GUI thread) ----------------------------------------------------------------

    def _show_analysis(self, analysis: Analysis) -> None:
        new_data = analysis.loaded is not self._shown_loaded
        self._shown_loaded = analysis.loaded
        self.controls.show_analysis(analysis)
        self.minerals.set_frame(analysis.result.minerals, baseline=analysis.baseline.minerals)
        self.sectors.show_analysis(analysis)
        self.defense.show_analysis(analysis)
        self.charts.show_analysis(analysis)
        self.last_error = None
        self.workspace.retitle(analysis.files)
        summary = summary_text(analysis.result, analysis.files, analysis.options)
        if analysis.scenario_name:
            summary = f"Scenario: {analysis.scenario_name} · {summary}"
        self.summary_label.setText(summary)
        if analysis.scenario_error:
            self.statusBar().showMessage(analysis.scenario_error, 10_000)
        self.summary_label.setToolTip(summary_tooltip(analysis.result))
        for action in (self.window_actions.reload, self.window_actions.show_report):
            action.setEnabled(True)
        if new_data:
            self.sources.show_reports(analysis.reports, analysis.files)
            self._remember(analysis.files)
            opened = only_sample(analysis.files) or self.workspace.wants(analysis.files)
            if self.open_report_after_load and analysis.reports and not opened:  # not a workspace's
                self.show_import_report(0)
        self.analysis_shown.emit(analysis)

    def _on_failed(self, error: BaseException) -> None:
        self.last_error = error
        kept = " (the previous results are still shown)" if self.current is not None else ""
        if self.current is not None:
            self.controls.show_analysis(self.current)
        if isinstance(error, WorkbenchError):
            self.statusBar().showMessage(f"Could not load: {error}{kept}", 10_000)
            if self._interactive:
                QMessageBox.warning(self, f"{APP_NAME}: could not load", f"{error}{kept}")
        else:
            details = "".join(traceback.format_exception(error))
            log.error("unexpected error:\n%s", details)
            message = f"{type(error).__name__}: {error}"
            self.statusBar().showMessage(f"Unexpected error: {message}", 10_000)
            if self._interactive:
                QMessageBox.critical(self, f"{APP_NAME}: unexpected error",
                                     f"{message}\n\nThe details were written to the log "
                                     f"({self.log_path}).{kept}")
        self.load_failed.emit(error)

    def _on_cancelled(self) -> None:
        kept = "; the previous results are still shown" if self.current is not None else ""
        self.statusBar().showMessage(f"Loading cancelled{kept}", 5_000)

    def _on_cleared(self) -> None:
        self._shown_loaded = None
        self.selection.clear()
        self.minerals.set_frame(None)
        for part in (self.sources, self.sectors, self.defense, self.charts, self.controls):
            part.clear()
        self.workspace.retitle(())
        self.summary_label.setText(EMPTY_HINT)
        self.summary_label.setToolTip("")
        for action in (self.window_actions.reload, self.window_actions.show_report):
            action.setEnabled(False)

    def _on_copied(self, lines: int) -> None:
        if lines < 0:
            self.statusBar().showMessage("Selection too large to copy; narrow it or export instead", 5_000)
        else:
            self.statusBar().showMessage(f"Copied {lines:,} row{'s' if lines != 1 else ''}", 3_000)

    def _show_selection(self, minerals: list, _origin) -> None:
        shown = ", ".join(minerals[:5]) + (f" + {len(minerals) - 5} more" if len(minerals) > 5 else "")
        self.selection_label.setText(f"Selected: {shown}" if minerals else "")

    # --- helpers ------------------------------------------------------------------------------

    def _set_report_after_load(self, on: bool) -> None:
        self.open_report_after_load = on
        self.settings.set("reports/open_after_load", on)

    def _restore_layout(self) -> bool:
        geometry, state = self.settings.get("window/geometry"), self.settings.get("window/state")
        self.geometry_restored = not geometry.isEmpty() and self.restoreGeometry(geometry)
        return (not state.isEmpty()) and self.restoreState(state)

    def _export(self, job) -> None:
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - an export failure is reported, never fatal
            log.exception("chart export failed")
            QMessageBox.warning(self, f"{APP_NAME}: export failed", f"{type(exc).__name__}: {exc}")
