"""File → Open/Save/Save As/Recent for workspaces (`.mwb`), the unsaved-changes prompt, and
autosave with crash recovery (issue 5).

A save captures the workspace on the GUI thread as immutable values, then writes it with
`save_workspace` on a worker (a million rows take seconds), waiting in a local event loop
behind a modal progress dialog so `save()` can answer the close prompt. "Unsaved" means the
store's undo stack is not clean, or the data or options shown are not the ones last saved
or opened (the start-up sample counts as nothing). Opening runs on the session's loader;
the workspace's options and scenario are adopted inside the `analysis_ready` emission that
delivers it, before the session compares them, so a failed open changes nothing.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from mineral_workbench import APP_NAME
from mineral_workbench.core.errors import OperationCancelled
from mineral_workbench.core.resources import data_dir, sample_workbook
from mineral_workbench.core.workspace import SUFFIX, Workspace, load_workspace, save_workspace

from . import recovery
from .core_bridge import only_sample
from .loader import TaskRunner
from .workspace_save import Capture, capture_workspace, run_and_wait, save_error_text, without_rows

log = logging.getLogger(__name__)

AUTOSAVE_MS = 60_000
FILE_FILTER = "Workbench workspaces (*.mwb)"
SAMPLE_WORKSPACE = "sample_workspace.mwb"


def bundled_sample_workspace() -> Path:
    """The sample workspace shipped in `sample_data/` (opened as a template: Save asks where)."""
    return data_dir("sample_data") / SAMPLE_WORKSPACE


@dataclass
class _Opening:
    path: Path                       # the file read
    target: Path | None              # where Save writes afterwards
    files: tuple = ()                # what the analysis names as its files (window title, recent)
    restored: recovery.RecoveryEntry | None = None
    workspace: Workspace | None = None   # filled in by the worker
    loaded: object = None


class WorkspaceController(QObject):
    state_changed = Signal()          # display_name() or is_modified() changed: retitle
    opening = Signal(str)             # an open started (progress text for the load bar)
    opened = Signal(object)           # Path read, once its analysis is shown
    saved = Signal(object)            # Path written
    save_failed = Signal(str)         # the message the analyst was shown
    autosaved = Signal(object)        # the recovery file written
    autosave_failed = Signal(str)
    recent_changed = Signal(list)     # the settings' new recent-files list
    message = Signal(str)             # for the status bar

    def __init__(self, window, session, store, settings, get_extra=None, set_extra=None, *,
                 autosave_ms: int = AUTOSAVE_MS, recovery_files: recovery.RecoveryFiles | None = None):
        super().__init__(window)
        self._window, self.session, self.store, self.settings = window, session, store, settings
        self._get_extra, self._set_extra = get_extra, set_extra
        self.recovery_files = recovery_files or recovery.RecoveryFiles(
            Path(settings.folder) / recovery.FOLDER_NAME)
        self.path: Path | None = None
        self._clean_loaded = None            # LoadedData last saved/opened (None: nothing)
        self._clean_options = session.options
        if session.current is not None and only_sample(session.current.files):
            self._clean_loaded, self._clean_options = session.current.loaded, session.current.options
        self._dirty_at: int | None = None    # revision since which unsaved beyond store/data/options
        self._kept: Workspace | None = None  # last opened/saved: what it carries beyond the analysis
        self._revision = 0                   # counts every change, for the autosave
        self._saving = False
        self._opening: _Opening | None = None
        self._state: tuple | None = None
        self._saver = TaskRunner(self, max_threads=1)
        self.autosaver = recovery.Autosaver(self.recovery_files, self._autosave_snapshot, autosave_ms, self)
        self.autosaver.written.connect(self.autosaved)
        self.autosaver.failed.connect(self._on_autosave_failed)
        self._connections = [
            (store.changed, self._touch), (store.active_changed, self._touch),
            (store.undo_stack.cleanChanged, self._update_state),
            (session.analysis_ready, self._on_analysis_ready), (session.options_changed, self._touch),
            (session.cleared, self._on_cleared), (session.failed, self._on_load_ended),
            (session.cancelled, self._on_load_ended)]
        for signal, slot in self._connections:
            signal.connect(slot)

    # --- state ----------------------------------------------------------------------------
    def display_name(self) -> str:
        return self.path.name if self.path is not None else "Untitled"

    def is_modified(self) -> bool:
        current = self.session.current
        if current is None:
            return False   # nothing that a workspace could hold
        return (self._dirty_at is not None or self.store.is_modified() or current.loaded is not self._clean_loaded
                or self.session.options != self._clean_options)

    def mark_modified(self) -> None:
        """Something saved in the workspace changed outside the store (e.g. a memo draft)."""
        self._touch()
        if self.session.current is not None and self._dirty_at is None:
            self._dirty_at = self._revision
            self._update_state()

    # --- open -----------------------------------------------------------------------------
    def open_dialog(self) -> bool:
        """Ask for a workspace (after the unsaved-changes prompt) and open it."""
        if not self.maybe_save():
            return False
        name, _ = QFileDialog.getOpenFileName(self._window, "Open workspace", self._folder(), FILE_FILTER)
        if not name:
            return False
        self.open_workspace(name)
        return True

    def open_workspace(self, path) -> None:
        """Read `path` on the session's loader; it replaces the data, options, scenarios and
        memo drafts once it lands (a failure is reported by the session and changes nothing)."""
        path = Path(path)
        if _same_file(path, bundled_sample_workspace()):   # a template: never recent, Save asks where
            self._open(_Opening(path, None, (sample_workbook(),)))
        else:
            self._open(_Opening(path, path.resolve(), (path,)))

    def pending_recoveries(self) -> list[recovery.RecoveryEntry]:
        return self.recovery_files.pending()

    def offer_recovery(self) -> recovery.RecoveryEntry | None:
        """Ask about each workspace a crashed session left (newest first); restore at most one."""
        for entry in self.pending_recoveries():
            choice = recovery.ask_recovery(self._window, entry)
            if choice == recovery.RESTORE:
                self.restore(entry)
                return entry
            if choice == recovery.DISCARD:
                self.recovery_files.remove(entry)
        return None

    def restore(self, entry: recovery.RecoveryEntry) -> None:
        """Open recovered work; Save writes to the workspace it came from, and it stays unsaved."""
        files = () if entry.original is None else (entry.original,)  # never the recovery file
        self._open(_Opening(entry.workspace, entry.original, files, restored=entry))

    def _open(self, opening: _Opening) -> None:
        backend, files = self.session.backend, opening.files

        def task(*, progress, cancel):
            progress(0.0, f"Reading {opening.path.name}")
            workspace = load_workspace(opening.path)
            if cancel():
                raise OperationCancelled("opening cancelled")
            progress(0.4, "Building the supply cube")
            loaded = workspace.to_loaded()
            if cancel():
                raise OperationCancelled("opening cancelled")
            progress(0.9, "Computing exposure")
            active = _find(workspace.scenarios, workspace.active_scenario)
            extra = {} if active is None else {"scenario": active}  # test backends may lack it
            analysis = backend.analysis(files, loaded, workspace.options, **extra)
            opening.workspace, opening.loaded = workspace, loaded
            return analysis

        self._opening = opening
        log.info("opening workspace %s", opening.path)
        self.opening.emit(f"Opening {(opening.target or opening.path).name}…")
        self.session.load_with(task, (opening.path,))

    def _finish_open(self, opening: _Opening, analysis) -> None:
        workspace = opening.workspace
        # adopt now, inside the emission: the session compares its options right after it
        self.session.adopt(workspace.options, _find(workspace.scenarios, workspace.active_scenario))
        self.store.reset(workspace.scenarios, workspace.active_scenario)
        if self._set_extra is not None:
            self._set_extra(copy.deepcopy(workspace.memo_drafts), copy.deepcopy(workspace.view_state))
        self._kept, self._clean_loaded = without_rows(workspace), analysis.loaded
        self._clean_options = workspace.options
        self.path = opening.target
        self._dirty_at = self._revision if opening.restored is not None else None
        self.autosaver.settle()   # an autosave of what was shown before must not land after this
        if opening.restored is not None:
            self.recovery_files.adopt(opening.restored)   # its file becomes this session's
            self.autosaver.written_revision = self._revision
            self.message.emit(f"Restored unsaved work on {self.display_name()}")
        else:
            self.autosaver.mark_saved(self._revision)
            if self.path is not None:
                self._remember(self.path)
        self._update_state()
        self.opened.emit(opening.path)

    # --- save -----------------------------------------------------------------------------
    def save(self) -> bool:
        """Write the workspace where it came from (Save As when it has no file yet)."""
        return self.save_as() if self.path is None else self._save_to(self.path)

    def save_as(self) -> bool:
        start = str(self.path) if self.path else str(Path(self._folder()) / self._suggested_name())
        name, _ = QFileDialog.getSaveFileName(self._window, "Save workspace as", start, FILE_FILTER)
        if not name:
            return False
        path = Path(name)
        if path.suffix.lower() != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        self.settings.set("files/last_folder", str(path.parent))
        return self._save_to(path)

    def maybe_save(self) -> bool:
        """The unsaved-changes prompt: False when the analyst cancels (or the save fails)."""
        if not self.is_modified():
            return True
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(
            self._window, f"{APP_NAME}: unsaved changes",
            f"Save the changes to {self.display_name()}?\n\nThe data, options and scenarios "
            "changed since the last save are lost if you do not save them.",
            buttons, QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _save_to(self, path: Path) -> bool:
        if self._saving:
            return False
        captured = self._capture()
        if captured is None:
            QMessageBox.information(self._window, f"{APP_NAME}: nothing to save",
                                    "Open trade exports or a workspace first.")
            return False
        workspace, marker = captured
        self._saving = True
        try:
            ok, outcome = run_and_wait(self._saver, lambda *, progress, cancel: save_workspace(
                workspace, path), f"Saving {path.name}…", self._window)
        finally:
            self._saving = False
        if not ok:
            text = save_error_text(path, outcome)
            log.warning("save failed: %s", text)
            QMessageBox.warning(self._window, f"{APP_NAME}: could not save", text)
            self.save_failed.emit(text)
            return False
        self.path = Path(outcome).resolve()
        self._kept, self._clean_loaded = without_rows(workspace), marker.loaded
        self._clean_options = marker.options
        if (tuple(self.store.scenarios()), self.store.active_name) == (marker.scenarios, marker.active):
            self.store.undo_stack.setClean()
        if self._dirty_at is not None and self._dirty_at <= marker.revision:
            self._dirty_at = None
        self.autosaver.mark_saved(marker.revision, discard=not self.is_modified())
        self._remember(self.path)
        log.info("saved workspace %s", self.path)
        self.message.emit(f"Saved {self.path.name}")
        self._update_state()
        self.saved.emit(self.path)
        return True

    def _capture(self) -> tuple[Workspace, Capture] | None:
        extra = self._get_extra() if self._get_extra is not None else None
        return capture_workspace(self.session, self.store, self._kept, self._clean_loaded, extra,
                                 self._revision)

    # --- autosave -------------------------------------------------------------------------
    def autosave(self) -> bool:
        """Write the recovery file now if anything changed since the last one (the timer's slot)."""
        return self.autosaver.autosave()

    def _autosave_snapshot(self):
        if self._saving or not self.is_modified():
            return None
        workspace, marker = self._capture()
        return workspace, self.path, self.display_name(), marker.revision

    def _on_autosave_failed(self, text: str) -> None:
        log.warning(text)
        self.message.emit(text)
        self.autosave_failed.emit(text)

    # --- closing --------------------------------------------------------------------------
    def new_workspace(self) -> None:
        """Forget the file and the scenarios (File → New / after Close all)."""
        self.path, self._dirty_at, self._kept = None, None, None
        self._clean_loaded, self._clean_options = None, self.session.options
        self.store.reset()
        self.recovery_files.discard()
        self._update_state()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Clean close (after `maybe_save`): stop autosaving and delete the recovery file."""
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self.autosaver.shutdown(timeout_ms)
        self._saver.shutdown(timeout_ms)
        self.recovery_files.release()

    # --- session outcomes -----------------------------------------------------------------
    def _on_analysis_ready(self, analysis) -> None:
        opening = self._opening
        if opening is not None and analysis.loaded is opening.loaded:
            self._opening = None
            self._finish_open(opening, analysis)
            return
        if (self._clean_loaded is None and self.path is None and self._dirty_at is None
                and only_sample(analysis.files)):   # the start-up sample: nothing to save yet
            self._clean_loaded, self._clean_options = analysis.loaded, analysis.options
        self._touch()

    def _on_load_ended(self, *_args) -> None:
        if not self.session.is_loading():
            self._opening = None
        self._update_state()

    def _on_cleared(self) -> None:
        self.path, self._dirty_at, self._kept, self._clean_loaded, self._opening = None, None, None, None, None
        self.recovery_files.discard()
        self._touch()

    def _touch(self, *_args) -> None:
        self._revision += 1
        self._update_state()

    def _update_state(self, *_args) -> None:
        try:
            state = (self.path, self.is_modified())
        except RuntimeError:   # the store's undo stack emits while the window destroys it
            return
        if state != self._state:
            self._state = state
            self.state_changed.emit()

    # --- helpers --------------------------------------------------------------------------
    def _remember(self, path: Path) -> None:
        self.settings.set("files/last_folder", str(path.parent))
        self.recent_changed.emit(self.settings.add_recent([path]))

    def _folder(self) -> str:
        return self.settings.get("files/last_folder") or str(Path.home())

    def _suggested_name(self) -> str:
        current = self.session.current
        files = [f for f in (current.files if current else ()) if not only_sample([f])]
        return (Path(files[0]).stem if len(files) == 1 else "workspace") + SUFFIX


def _find(scenarios, name):
    return next((s for s in scenarios if s.name == name), None)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False
