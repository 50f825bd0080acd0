"""Workspaces in the window: Save, Save As, Open Workspace, the title's unsaved mark, the
unsaved-changes prompt and the crash-recovery offer. The work itself is in
`WorkspaceController`; this module only puts it on the window's menus and events.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction, QKeySequence

from .icons import icon
from .status import window_title
from .workspace_controller import WorkspaceController

_KEY = QKeySequence.StandardKey


class WindowWorkspace:
    def __init__(self, window):
        self.window = window
        self.controller = WorkspaceController(window, window.session, window.scenarios.store,
                                              window.settings, get_extra=self._extra,
                                              set_extra=self._restore_extra)
        c = self.controller
        self.open_action = self._action("Open &Workspace…", c.open_dialog, "Ctrl+Shift+Alt+O",
                                        "Open a saved workspace (.mwb): data, scenarios, memo drafts")
        self.save_action = self._action("&Save Workspace", c.save, _KEY.Save,
                                        "Save the data, scenarios and memo drafts in one .mwb file")
        self.save_as_action = self._action("Save Workspace &As…", c.save_as, _KEY.SaveAs,
                                           "Save the workspace under a new name")
        actions = window.window_actions
        file_menu = actions.file_menu
        anchor = actions.import_mapping
        file_menu.insertAction(anchor, self.open_action)
        after = file_menu.actions()[file_menu.actions().index(actions.add_mapping) + 1]
        file_menu.insertSeparator(after)
        file_menu.insertAction(after, self.save_action)
        file_menu.insertAction(after, self.save_as_action)
        for action in (self.save_action, self.save_as_action, self.open_action):
            window.addAction(action)
        actions.toolbar.insertAction(actions.toolbar.actions()[2], self.save_action)
        self.save_action.setIcon(icon("save"))
        c.state_changed.connect(self.retitle)
        c.opening.connect(lambda text: window.progress.begin(text))
        c.recent_changed.connect(actions.recent_menu.set_files)
        c.message.connect(lambda text: window.statusBar().showMessage(text, 5_000))
        exporter = getattr(window, "exporter", None)
        if exporter is not None and hasattr(exporter, "finished"):
            exporter.finished.connect(lambda _paths: self._memo_may_have_changed())

    def _action(self, text, slot, shortcut, tip) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: slot())
        return action

    # --- what the workspace keeps beyond the analysis ------------------------------------
    def _extra(self):
        window = self.window
        view = {"selected_minerals": list(window.selection.minerals),
                "chart": window.charts.current_id() or ""}
        return window.exporter.memo_drafts, view

    def _restore_extra(self, memo_drafts, view_state) -> None:
        window = self.window
        window.exporter.set_memo_drafts(memo_drafts or {})
        view_state = view_state or {}
        minerals = [m for m in view_state.get("selected_minerals", []) if isinstance(m, str)]
        QTimer.singleShot(0, lambda: window.selection.select(minerals, origin=None))
        chart = view_state.get("chart")
        if chart in window.charts.charts:
            window.charts.select_chart(chart)

    def _memo_may_have_changed(self) -> None:
        if self.window.exporter.memo_drafts:
            self.controller.mark_modified()

    # --- title, routing, closing -----------------------------------------------------------
    def retitle(self, files=None) -> None:
        window = self.window
        path = self.controller.path
        if files is None:
            current = window.session.current
            files = current.files if current is not None else ()
        window.setWindowTitle(window_title([path] if path is not None else list(files)) + "[*]")
        window.setWindowModified(self.controller.is_modified())

    def wants(self, files) -> bool:
        """Whether `files` is a workspace to open (one .mwb file)."""
        return len(files) == 1 and Path(files[0]).suffix.lower() == ".mwb"

    def confirm_replace(self) -> bool:
        """Before the loaded work is replaced or closed: the unsaved-changes prompt."""
        return not self.window.ask_to_save or self.controller.maybe_save()

    def offer_recovery_later(self) -> None:
        if self.window.ask_to_save:
            QTimer.singleShot(0, self.controller.offer_recovery)


def install_workspace(window) -> WindowWorkspace:
    return WindowWorkspace(window)
