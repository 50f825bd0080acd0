"""Recovery files: the unsaved workspace written aside every minute, offered back after a crash.

Each running window owns `<settings>/recovery/<session-id>.mwb` (a normal workspace written
by `save_workspace`, so it is atomic) and `<session-id>.json` (the file the analyst was
working on, the pid, the time). It also holds an OS lock on `<session-id>.lock` for as long
as it runs: the OS drops the lock when the process ends, however it ends, so "is the
session that wrote this still running?" is answered by trying the lock — right after a
crash, after a reboot, and when the pid has been reused. Only where a folder cannot be
locked (some network shares) does it fall back to asking whether the pid is alive.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from .loader import TaskRunner

log = logging.getLogger(__name__)

FOLDER_NAME = "recovery"
RESTORE, DISCARD, LATER = "restore", "discard", "later"


@dataclass(frozen=True)
class RecoveryEntry:
    """Unsaved work a session left behind when it ended without closing cleanly."""

    session_id: str
    workspace: Path            # the recovery .mwb
    original: Path | None      # the workspace the analyst was editing (None: untitled)
    display_name: str
    saved_at: str              # ISO time of the last autosave
    modified: float            # the recovery file's mtime, for sorting


class RecoveryFiles:
    """This session's recovery file, and the ones ended sessions left in the same folder."""

    def __init__(self, folder: Path, session_id: str | None = None):
        self.folder = Path(folder)
        self.session_id = session_id or f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock_fd: int | None = None
        self._claiming = threading.Lock()   # the autosave worker and the GUI thread both claim

    @property
    def workspace_path(self) -> Path:
        return self.folder / f"{self.session_id}.mwb"

    def _sidecar(self, session_id: str) -> Path:
        return self.folder / f"{session_id}.json"

    def _lock(self, session_id: str) -> Path:
        return self.folder / f"{session_id}.lock"

    # --- this session -----------------------------------------------------------------------
    def claim(self) -> None:
        """Take this session's lock (once), before anything is written."""
        with self._claiming:
            if self._lock_fd is not None:
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = self._lock(self.session_id)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            if _try_lock(fd) is not True:   # cannot lock here: others fall back to the pid
                os.close(fd)
                lock.unlink(missing_ok=True)
                fd = -1
            self._lock_fd = fd

    def write(self, workspace, original: Path | None, display_name: str) -> Path:
        """Worker: the workspace, then the sidecar that names it (each written atomically)."""
        from mineral_workbench.core.workspace import save_workspace  # noqa: PLC0415

        self.claim()
        path = save_workspace(workspace, self.workspace_path)
        sidecar = {"session": self.session_id, "pid": os.getpid(),
                   "original": None if original is None else str(original),
                   "display_name": display_name,
                   "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        target = self._sidecar(self.session_id)
        temp = target.with_name(f".{target.name}.tmp")
        temp.write_text(json.dumps(sidecar, indent=1), encoding="utf-8")
        os.replace(temp, target)
        return path

    def exists(self) -> bool:
        return self.workspace_path.is_file()

    def discard(self) -> None:
        """Delete this session's recovery file (saved, or discarded by the analyst)."""
        for path in (self.workspace_path, self._sidecar(self.session_id)):
            _unlink(path)

    def release(self) -> None:
        """Clean close: delete the recovery file and give up the lock."""
        self.discard()
        if self._lock_fd is not None and self._lock_fd >= 0:
            os.close(self._lock_fd)
            _unlink(self._lock(self.session_id))
        self._lock_fd = None

    def adopt(self, entry: RecoveryEntry) -> None:
        """Make a restored session's recovery file this session's (nothing is lost meanwhile)."""
        self.claim()
        os.replace(entry.workspace, self.workspace_path)
        sidecar = self._sidecar(entry.session_id)
        if sidecar.is_file():
            os.replace(sidecar, self._sidecar(self.session_id))
        self.remove(entry)

    # --- sessions that ended ----------------------------------------------------------------
    def pending(self) -> list[RecoveryEntry]:
        """Recovery files of sessions no longer running, newest first (leftovers are tidied)."""
        if not self.folder.is_dir():
            return []
        entries = []
        for path in self.folder.glob("*.mwb"):
            session_id = path.stem
            info = self._read_sidecar(session_id)
            if self.is_running(session_id, info.get("pid")):
                continue
            original = info.get("original")
            stat_time = path.stat().st_mtime
            entries.append(RecoveryEntry(
                session_id, path, Path(original) if isinstance(original, str) and original else None,
                str(info.get("display_name") or (Path(original).name if original else "Untitled")),
                str(info.get("saved_at") or datetime.fromtimestamp(stat_time, timezone.utc)
                    .isoformat(timespec="seconds")), stat_time))
        self._tidy({e.session_id for e in entries})
        return sorted(entries, key=lambda e: e.modified, reverse=True)

    def remove(self, entry: RecoveryEntry) -> None:
        """Delete an ended session's recovery files (the analyst discarded them)."""
        for path in (entry.workspace, self._sidecar(entry.session_id), self._lock(entry.session_id)):
            _unlink(path)

    def is_running(self, session_id: str, pid=None) -> bool:
        if session_id == self.session_id:
            return True
        held = _lock_held(self._lock(session_id))
        if held is not None:
            return held
        return isinstance(pid, int) and _pid_alive(pid)

    def _read_sidecar(self, session_id: str) -> dict:
        try:
            data = json.loads(self._sidecar(session_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _tidy(self, keep: set[str]) -> None:
        """Locks, sidecars and half-written temp files of ended sessions with nothing to offer."""
        for path in self.folder.iterdir():
            name = path.name
            if name.endswith(".tmp") and name.startswith("."):
                session_id = name[1:].split(".", 1)[0]
            elif path.suffix in (".lock", ".json"):
                session_id = path.stem
            else:
                continue
            if session_id in keep or session_id == self.session_id:
                continue
            info = self._read_sidecar(session_id) if path.suffix != ".lock" else {}
            if not self.is_running(session_id, info.get("pid")):
                _unlink(path)


class Autosaver(QObject):
    """Every `interval_ms`, writes this session's recovery file on a worker when the workspace
    changed since the last one. `snapshot()` (GUI thread) returns None when there is nothing
    unsaved, else (workspace, original path, display name, revision)."""

    written = Signal(object)   # the recovery file
    failed = Signal(str)

    def __init__(self, files: RecoveryFiles, snapshot, interval_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.files, self._snapshot = files, snapshot
        self.written_revision = self.saved_revision = 0
        self.runner = TaskRunner(self, max_threads=1)
        self.runner.finished.connect(self._on_written)
        self.runner.failed.connect(lambda error: self.failed.emit(f"Autosave failed: {error}"))
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()

    def autosave(self) -> bool:
        if self.runner.is_busy():
            return False
        snapshot = self._snapshot()
        if snapshot is None or snapshot[3] == self.written_revision:
            return False
        workspace, original, name, revision = snapshot
        files = self.files
        self.runner.start(lambda *, progress, cancel: (files.write(workspace, original, name), revision))
        return True

    def mark_saved(self, revision: int, discard: bool = True) -> None:
        """The workspace was saved (or opened) at `revision`; with `discard`, nothing is unsaved."""
        self.saved_revision = revision
        if discard:
            self.written_revision = max(self.written_revision, revision)
            self.files.discard()

    def settle(self, timeout_ms: int = 30_000) -> None:
        """Wait for a write in flight (its outcome is dropped) before the file is replaced."""
        if self.runner.running_jobs():
            self.runner.shutdown(timeout_ms)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        self.timer.stop()
        self.runner.shutdown(timeout_ms)

    def _on_written(self, outcome) -> None:
        path, revision = outcome
        self.written_revision = max(self.written_revision, revision)
        if revision <= self.saved_revision and self._snapshot() is None:
            self.files.discard()   # a save landed while this was written: it is stale
        log.info("autosaved to %s", path)
        self.written.emit(path)


def ask_recovery(parent, entry: RecoveryEntry) -> str:
    """RESTORE, DISCARD or LATER, asked in a message box (tests replace this function)."""
    from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415

    from mineral_workbench import APP_NAME  # noqa: PLC0415

    box = QMessageBox(QMessageBox.Icon.Question, f"{APP_NAME}: recover unsaved work",
                      f"The workbench did not close normally. Unsaved work on "
                      f"“{entry.display_name}” was kept (last autosaved {_when(entry.saved_at)}).",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setInformativeText("Restore opens it with its changes still unsaved. Discard deletes "
                           "the recovered copy. Later keeps it and asks again next time.")
    restore = box.addButton("&Restore", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("&Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("&Later", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore)
    box.exec()
    clicked = box.clickedButton()
    return RESTORE if clicked is restore else DISCARD if clicked is discard else LATER


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return iso


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:  # e.g. held open by another program on Windows
        log.info("could not delete %s: %s", path, exc)


def _try_lock(fd: int) -> bool | None:
    """True: locked now; False: someone else holds it; None: this folder cannot be locked."""
    try:
        if os.name == "nt":
            import msvcrt  # noqa: PLC0415

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl  # noqa: PLC0415

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # per open file: a second open conflicts
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:
        import errno  # noqa: PLC0415

        if exc.errno in (errno.EACCES, errno.EAGAIN, errno.EDEADLK):
            return False
        return None
    return True


def _lock_held(lock: Path) -> bool | None:
    """Whether a running session holds `lock`; None when there is no lock file to ask."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return None
    try:
        state = _try_lock(fd)
        if state is True and os.name == "nt":
            import msvcrt  # noqa: PLC0415

            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    finally:
        os.close(fd)  # closing drops a lock we took
    return None if state is None else not state


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        import ctypes  # noqa: PLC0415

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)  # signal 0: existence check only (never on Windows: it would kill)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
