"""The window's file commands: open, add, reload, map columns, close, drop, recent files.

A mixin of `MainWindow` (it uses the window's session, settings, actions and progress) kept
in its own module so each concern of the window has one home.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from PySide6.QtWidgets import QFileDialog

from .core_bridge import only_sample

OPEN_FILTER = ("Trade exports and workspaces (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.json *.mwb);;"
               "Workspaces (*.mwb);;"
               "Spreadsheets (*.xlsx *.xlsm *.xls *.ods);;CSV and text (*.csv *.txt);;"
               "JSON (*.json);;All files (*)")


class FileCommands:
    def load(self, files: Sequence[Path | str], *, confirm: bool = True) -> None:
        """Read `files` in the background; they replace the loaded files once read. One `.mwb`
        opens as a workspace. Unsaved work is offered for saving first (`confirm`)."""
        workspace = self.workspace
        if confirm and not workspace.confirm_replace():
            return
        if workspace.wants(files):
            workspace.controller.open_workspace(files[0])
        elif self.session.load(files):
            self._begin_progress()

    def _begin_progress(self) -> None:
        n = len(self.session.loading_files)
        self.progress.begin(f"Reading {n} file{'s' if n != 1 else ''}…")

    def add_files(self, files: Sequence[Path | str]) -> None:
        """Load `files` together with the files loaded now (the bundled sample is replaced)."""
        self.load(list(dict.fromkeys([*self._kept_files(), *(Path(f) for f in files)])), confirm=False)

    def _kept_files(self) -> list[Path]:
        """The loaded files an added file joins (not the bundled sample)."""
        return [Path(f) for f in (self.current.files if self.current else ()) if not only_sample([f])]

    def reload(self) -> None:
        if self.current is not None:
            self.load(self.current.files, confirm=False)

    def open_dialog(self) -> None:
        names = self._ask_files("Open trade exports")
        if names:
            self.load(names)

    def add_dialog(self) -> None:
        names = self._ask_files("Add trade exports")
        if names:
            self.add_files(names)

    def import_with_mapping(self, add: bool = False) -> None:
        """Ask for one file, map its columns and load it through that profile: replacing the
        loaded files, or with `add` together with them (the bundled sample is replaced)."""
        from .mapping_dialog import ask_and_map  # noqa: PLC0415 - only when asked (start-up time)

        chosen = ask_and_map(self, self._last_folder(), OPEN_FILTER)
        if chosen is None:
            return
        path, profile = Path(chosen[0]), chosen[1]
        self.settings.set("files/last_folder", str(path.parent))
        if add:
            files = list(dict.fromkeys([*self._kept_files(), path]))
        elif self.workspace.confirm_replace():
            files = [path]
        else:
            return
        if self.session.load(files, profiles={path: profile}):
            self._begin_progress()

    def add_with_mapping(self) -> None:
        self.import_with_mapping(add=True)

    def close_all(self) -> None:
        if self.workspace.confirm_replace():
            self.session.clear()

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.load(files)

    def _ask_files(self, title: str) -> list[str]:
        names, _ = QFileDialog.getOpenFileNames(self, title, self._last_folder(), OPEN_FILTER)
        if names:
            self.settings.set("files/last_folder", str(Path(names[0]).parent))
        return names

    def _last_folder(self) -> str:
        return self.settings.get("files/last_folder")

    def _remember(self, files) -> None:
        real = [f for f in files if Path(f).exists() and not only_sample([f])]
        if real:
            self.window_actions.recent_menu.set_files(self.settings.add_recent(real))

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self.window_actions.recent_menu.set_files([])
