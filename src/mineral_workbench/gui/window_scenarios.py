"""What-if editing in the window: the scenario controller, Undo/Redo, and the scenario docks.

`install_scenarios(window)` is called once by the main window; it owns the wiring between
the scenario store, the session and the panels, so the window itself stays a composition.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from .scenario_controller import ScenarioController

_AREA = Qt.DockWidgetArea


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
