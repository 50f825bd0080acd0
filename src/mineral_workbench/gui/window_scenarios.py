"""What-if editing in the window: the scenario controller, Undo/Redo, and the scenario docks.

`install_scenarios(window)` is called once by the main window; it owns the wiring between
the scenario store, the session and the panels, so the window itself stays a composition.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QScrollArea

from .scenario_controller import ScenarioController

_AREA = Qt.DockWidgetArea


class _Lazy:
    """Built on first use: the edit dialog's lists need the reference tables, which the window
    need not parse on the GUI thread while it starts (the loader is reading them already)."""

    def __init__(self, make):
        self._make, self._value = make, None

    def __getattr__(self, name):
        if self._value is None:
            self._value = self._make()
        return getattr(self._value, name)


class WindowScenarios:
    """The window's scenario parts; `window.scenarios` after installation."""

    def __init__(self, window):
        self.window = window
        self.controller = ScenarioController(window.session, window)
        self.store = self.controller.store
        self.undo, self.redo = self.controller.make_undo_actions(window)
        edit_menu = window.window_actions.edit_menu
        first = edit_menu.actions()[0] if edit_menu.actions() else None
        edit_menu.insertAction(first, self.undo)
        edit_menu.insertAction(first, self.redo)
        edit_menu.insertSeparator(first)
        for action in (self.undo, self.redo):
            window.addAction(action)
        self.controller.problem.connect(
            lambda text: window.statusBar().showMessage(f"Edit refused: {text}", 8_000))
        self.docks: dict[str, QDockWidget] = {}
        self._panels: dict = {}      # dock name -> panel, for docks built on first show
        self._builders: dict = {}    # dock name -> builder, until built
        self._add_panel()
        self._add_compare()
        self._add_suppliers()
        self._bind_table_edits()
        self._add_assumption_actions(edit_menu, first)

    def _add_assumption_actions(self, menu, before) -> None:
        """The Excel round trip of assumptions (importance, NIR, the scenario's edits)."""
        from PySide6.QtGui import QAction  # noqa: PLC0415

        out = QAction("E&xport Assumptions to Excel…", self.window)
        out.setToolTip("Write the importance matrix, NIR table and the shown scenario's edits "
                       "to a workbook to edit in Excel")
        back = QAction("&Import Assumptions from Excel…", self.window)
        back.setToolTip("Read an edited assumptions workbook, check every cell, show what changes "
                        "and apply it as one undoable edit")
        out.triggered.connect(self.export_assumptions)
        back.triggered.connect(self.import_assumptions)
        for action in (out, back):
            menu.insertAction(before, action)
        menu.insertSeparator(before)
        self.assumption_actions = (out, back)

    def export_assumptions(self):
        from .assumptions_dialog import export_assumptions_interactive  # noqa: PLC0415

        current = self.window.session.current
        if current is None:
            return None
        return export_assumptions_interactive(self.window, current.loaded, current.options,
                                              self.store.active(), self.window._last_folder())

    def import_assumptions(self) -> bool:
        from mineral_workbench.core.scenario import Scenario, ScenarioError  # noqa: PLC0415

        from .assumptions_dialog import import_assumptions_interactive  # noqa: PLC0415

        current = self.window.session.current
        if current is None:
            return False
        chosen = import_assumptions_interactive(self.window, current.loaded, current.options,
                                                self.store.active(), self.window._last_folder())
        if chosen is None:
            return False
        edits, text = chosen
        try:
            if self.store.active_name is None:
                self.store.add(Scenario(name=self.store.unique_name("Assumptions from Excel"),
                                        edits=tuple(edits)), text=text)
            else:
                self.store.replace_edits(self.store.active_name, edits, text)
        except ScenarioError as exc:
            self.controller.problem.emit(str(exc))
            return False
        return True

    def _bind_table_edits(self) -> None:
        """Cells typed into become scenario edits (one undo command each)."""
        ctl, window = self.controller, self.window
        window.minerals.set_edit_handler(
            lambda mineral, column, text: column == "nir_pct" and ctl.set_nir(mineral, text))
        window.sectors.set_edit_handler(ctl.set_importance)

    def _add_suppliers(self) -> None:
        self._add_lazy_dock("suppliers", "Suppliers", self._build_suppliers,
                            _AREA.RightDockWidgetArea, tab_with=self.window.docks.charts)

    def _build_suppliers(self):
        from .suppliers_panel import SuppliersPanel  # noqa: PLC0415

        window = self.window
        panel = SuppliersPanel(window.selection, window)
        panel.table.copied.connect(window._on_copied)
        panel.set_edit_handler(self.controller.set_share)
        return panel

    def _add_panel(self) -> None:
        from .edit_fields import EditChoices  # noqa: PLC0415
        from .scenario_panel import ScenarioPanel, make_history_view  # noqa: PLC0415

        window = self.window
        choices = _Lazy(lambda: EditChoices.from_reference(window.session.backend.reference()))
        self.panel = ScenarioPanel(self.store, choices, window, history=False)
        self.panel.problem.connect(lambda text: window.statusBar().showMessage(text, 8_000))
        self.history = make_history_view(self.store, window)
        self.history.setEmptyLabel("<no edits yet>")
        scroll = QScrollArea(window)   # the panel scrolls rather than force a tall window
        scroll.setWidget(self.panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumHeight(120)
        self.add_dock("scenarios", "Scenarios", scroll, _AREA.LeftDockWidgetArea)
        self.add_dock("history", "History", self.history, _AREA.LeftDockWidgetArea,
                      tab_with=self.docks["scenarios"])
        self.docks["scenarios"].raise_()

    def _add_compare(self) -> None:
        self._add_lazy_dock("compare", "Compare", self._build_compare,
                            _AREA.BottomDockWidgetArea, tab_with=self.window.docks.sectors)

    def _build_compare(self):
        from .compare_panel import ComparePanel  # noqa: PLC0415

        window = self.window
        panel = ComparePanel(self.store, self._compute, window.selection, window)
        self.docks["compare"].visibilityChanged.connect(lambda shown: shown and panel.ensure_current())
        panel.copied.connect(window._on_copied)
        return panel

    # --- docks whose panel is built when first shown (or asked for) ----------------------
    @property
    def compare(self):
        return self.panel_of("compare")

    @property
    def suppliers(self):
        return self.panel_of("suppliers")

    def panel_of(self, name: str):
        """The panel in dock `name`, built now if it was not yet (with the current analysis).

        The Compare and Suppliers docks start tabbed behind others: building them when first
        shown keeps about 40 ms (their code and widgets) out of the window's start-up."""
        panel = self._panels.get(name)
        if panel is None and name in self._builders:
            panel = self._panels[name] = self._builders.pop(name)()
            placeholder = self.docks[name].widget()
            self.docks[name].setWidget(panel)
            placeholder.deleteLater()
            self.window.analysis_shown.connect(panel.show_analysis)
            self.window.session.cleared.connect(panel.clear)
            current = self.window.session.current
            if current is not None:
                panel.show_analysis(current)
        return panel

    def _add_lazy_dock(self, name, title, build, area, tab_with) -> None:
        from PySide6.QtWidgets import QWidget  # noqa: PLC0415

        self._builders[name] = build
        dock = self.add_dock(name, title, QWidget(self.window), area, tab_with=tab_with)
        tab_with.raise_()   # the dock starts behind the one it is tabbed with
        dock.visibilityChanged.connect(lambda shown: shown and self.panel_of(name))

    def _compute(self, scenario):
        """Baseline (None) or a scenario on the loaded data, for the scenario-vs-scenario view."""
        current, backend = self.window.session.current, self.window.session.backend
        if current is None:
            return None
        if scenario is None:
            return backend.compute(current.loaded, current.options)
        return backend.compute_scenario(current.loaded, current.options, scenario)

    def add_dock(self, name: str, title: str, widget, area=_AREA.RightDockWidgetArea,
                 tab_with: QDockWidget | None = None) -> QDockWidget:
        from .docks import make_dock  # noqa: PLC0415

        dock = make_dock(self.window, title, f"dock_{name}", widget)
        self.window.addDockWidget(area, dock)
        if tab_with is not None:
            self.window.tabifyDockWidget(tab_with, dock)
        self.window.window_actions.docks_menu.addAction(dock.toggleViewAction())
        self.docks[name] = dock
        return dock


def install_scenarios(window) -> WindowScenarios:
    return WindowScenarios(window)


def install_exports(window):
    """File exports (workbook, memo) from an Export menu; returns the `ExportMenu`, whose
    controller (and the export code) loads when the menu is first used."""
    from .export_menu import ExportMenu  # noqa: PLC0415

    def inputs():
        from .export_controller import ExportInputs  # noqa: PLC0415 - loaded with the controller

        current = window.session.current
        if current is None:
            return None
        return ExportInputs(current.loaded, current.options, window.scenarios.store.active(),
                            current.files)

    exporter = ExportMenu(window, inputs, settings=window.settings)
    help_menu = window.menuBar().actions()[-1]
    menu = window.menuBar().insertMenu(help_menu, _menu(window))
    exporter.build_menu(menu.menu())
    exporter.message.connect(lambda text: window.statusBar().showMessage(text, 8_000))
    return exporter


def _menu(window):
    from PySide6.QtWidgets import QMenu  # noqa: PLC0415

    menu = QMenu("E&xport", window)
    menu.setObjectName("export_menu")
    return menu
