"""Run a slow core function on a worker thread, with progress and cancel, and hand the
outcome back on the GUI thread.

The work itself is a plain function `fn(progress=, cancel=)` that knows nothing of Qt
(STYLE pattern 5): `progress(fraction, message)` reports, `cancel()` says whether to stop
(the core then raises `OperationCancelled`). `TaskRunner` owns one current task: starting
a new one cancels the old, and anything a superseded or cancelled task delivers later is
dropped, so the window only ever sees the outcome of the task it is waiting for.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from mineral_workbench.core.errors import OperationCancelled

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]
TaskFn = Callable[..., Any]  # fn(*, progress: ProgressFn, cancel: CancelFn) -> result

# Progress reports closer together than this are merged: a core that reports per row must
# not flood the GUI thread's event queue.
PROGRESS_INTERVAL_S = 0.05


class CancelToken:
    """Thread-safe cancel flag; calling it answers 'should I stop?'."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def is_cancelled(self) -> bool:
        return self._event.is_set()

    __call__ = is_cancelled


class _JobSignals(QObject):
    """Emitted from worker threads; Qt queues them to the runner on the GUI thread."""

    progress = Signal(int, float, str)
    done = Signal(int, object)
    failed = Signal(int, object)
    ended = Signal(int)


class _Job(QRunnable):
    def __init__(self, task_id: int, fn: TaskFn, token: CancelToken, signals: _JobSignals):
        super().__init__()
        self._task_id = task_id
        self._fn = fn
        self._token = token
        self._signals = signals
        self._last_report = 0.0
        self._last_message = None

    def _progress(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        if (message == self._last_message and fraction < 1.0
                and now - self._last_report < PROGRESS_INTERVAL_S):
            return
        self._last_report, self._last_message = now, message
        self._signals.progress.emit(self._task_id, float(fraction), str(message))

    def run(self) -> None:  # worker thread
        try:
            if self._token.is_cancelled():
                return
            result = self._fn(progress=self._progress, cancel=self._token.is_cancelled)
        except OperationCancelled:
            pass
        except Exception as exc:  # noqa: BLE001 - every failure must reach the window
            self._signals.failed.emit(self._task_id, exc)
        else:
            self._signals.done.emit(self._task_id, result)
        finally:
            self._signals.ended.emit(self._task_id)


class TaskRunner(QObject):
    """Runs one task at a time on its own thread pool; signals arrive on the GUI thread.

    `finished(result)`, `failed(exception)` and `cancelled()` each end a task; `busy_changed`
    tells progress widgets when to show.
    """

    started = Signal()
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 2):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._signals = _JobSignals()  # no parent: jobs keep it alive while they run
        self._signals.progress.connect(self._on_progress)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._signals.ended.connect(self._on_ended)
        self._next_id = 0
        self._current: tuple[int, CancelToken] | None = None
        self._live: set[int] = set()  # jobs whose `ended` has not arrived yet

    def start(self, fn: TaskFn) -> int:
        """Run `fn(progress=, cancel=)` in the background, superseding any current task."""
        if self._current is not None:
            self._current[1].cancel()  # superseded: its outcome will be dropped
        self._next_id += 1
        task_id, token = self._next_id, CancelToken()
        job = _Job(task_id, fn, token, self._signals)  # auto-deleted by the pool after run()
        self._live.add(task_id)
        was_busy = self._current is not None
        self._current = (task_id, token)
        self._pool.start(job)
        self.started.emit()
        if not was_busy:
            self.busy_changed.emit(True)
        return task_id

    def cancel(self) -> bool:
        """Ask the current task to stop and forget it; True if there was one."""
        if self._current is None:
            return False
        self._current[1].cancel()
        self._current = None
        self.cancelled.emit()
        self.busy_changed.emit(False)
        return True

    def is_busy(self) -> bool:
        return self._current is not None

    def running_jobs(self) -> int:
        """Jobs not yet ended, including cancelled ones still winding down."""
        return len(self._live)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel everything and wait for worker threads; True if they all ended in time."""
        self.cancel()  # superseded tasks were cancelled when they were superseded
        return self._pool.waitForDone(timeout_ms)

    # --- GUI-thread handlers ----------------------------------------------------------------

    def _is_current(self, task_id: int) -> bool:
        return self._current is not None and self._current[0] == task_id

    def _on_progress(self, task_id: int, fraction: float, message: str) -> None:
        if self._is_current(task_id):
            self.progress.emit(fraction, message)

    def _on_done(self, task_id: int, result: object) -> None:
        if self._is_current(task_id):
            self._current = None
            self.busy_changed.emit(False)
            self.finished.emit(result)

    def _on_failed(self, task_id: int, error: object) -> None:
        if self._is_current(task_id):
            self._current = None
            self.busy_changed.emit(False)
            self.failed.emit(error)

    def _on_ended(self, task_id: int) -> None:
        self._live.discard(task_id)
        if self._is_current(task_id):  # ended without delivering: it saw a cancel we did not ask for
            self._current = None
            self.busy_changed.emit(False)
            self.cancelled.emit()
