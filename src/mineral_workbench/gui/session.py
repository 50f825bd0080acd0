"""The analysis session: which files are loaded, which options apply, what is shown.

A controller with no widgets (STYLE: compose controllers, no god window). Loads run on one
TaskRunner and recomputes on another, so changing the year range while a big file loads
neither cancels the load nor blocks the window; the load's outcome is recomputed with the
options chosen meanwhile. A failed or cancelled load leaves `current` exactly as it was.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QObject, Signal

from .core_bridge import Analysis, CoreBackend, default_options, options_with
from .loader import TaskRunner

log = logging.getLogger(__name__)


class AnalysisSession(QObject):
    """Holds the current `Analysis`; `analysis_ready` fires for every new one (load or recompute)."""

    analysis_ready = Signal(object)   # Analysis
    failed = Signal(object)           # exception from a load or a recompute
    cancelled = Signal()              # a load was cancelled (the previous analysis stays)
    cleared = Signal()                # Close all
    options_changed = Signal(object)  # options the session will show next (e.g. years reset)

    def __init__(self, backend=None, options=None, parent: QObject | None = None):
        super().__init__(parent)
        self.backend = backend or CoreBackend()
        self.options = options if options is not None else default_options()
        self.loader = TaskRunner(self)
        self.computer = TaskRunner(self, max_threads=1)
        self.current: Analysis | None = None
        self.scenario = None                       # core Scenario shown, or None (baseline)
        self.loading_files: tuple[Path, ...] = ()
        self.profiles: dict[Path, object] = {}     # column-mapping profile of files read through one
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(self._on_failed)
        self.loader.cancelled.connect(self.cancelled)
        self.computer.finished.connect(self._on_computed)
        self.computer.failed.connect(self._on_compute_failed)

    # --- commands ---------------------------------------------------------------------------

    def load(self, files: Sequence[Path | str], profiles=None) -> bool:
        """Read `files` in the background (replacing what is loaded once they are read). A file
        given a column-mapping profile in `profiles` (path -> profile) is read through it, now
        and whenever it is loaded again (reload, add files)."""
        paths = tuple(Path(f) for f in files)
        if not paths:
            return False
        self.profiles.update({Path(f).resolve(): profile for f, profile in (profiles or {}).items()})
        chosen = {p: self.profiles[p.resolve()] for p in paths if p.resolve() in self.profiles}
        if self.options.years is not None:  # year ranges belong to the data they were set on
            self.options = options_with(self.options, years=None)
            self.options_changed.emit(self.options)
        self.computer.cancel()
        self.loading_files = paths
        backend, options = self.backend, self.options
        log.info("loading %d file(s): %s", len(paths), ", ".join(str(p) for p in paths))
        mapping = {"profiles": chosen} if chosen else {}
        if self.scenario is not None:
            mapping["scenario"] = self.scenario
        self.loader.start(lambda *, progress, cancel: backend.load_and_analyze(
            paths, options, progress=progress, cancel=cancel, **mapping))
        return True

    def load_with(self, task, files: Sequence[Path | str] = ()) -> None:
        """Run `task(progress=, cancel=) -> Analysis` on the loader (e.g. opening a workspace); its
        outcome replaces the current analysis exactly as a load does. Call `adopt` first when
        the task brings its own options and scenario."""
        self.computer.cancel()
        self.loading_files = tuple(Path(f) for f in files)
        self.loader.start(task)

    def adopt(self, options, scenario) -> None:
        """Take the options and scenario a workspace was saved with (before its load lands)."""
        self.options, self.scenario = options, scenario
        self.options_changed.emit(options)

    def set_scenario(self, scenario) -> None:
        """Show `scenario` (a core Scenario; None for the baseline), recomputing in the background."""
        if scenario == self.scenario:
            return
        self.scenario = scenario
        if self.current is None or self.loader.is_busy():
            return
        self._recompute()

    def set_options(self, options) -> None:
        """Recompute the current analysis with `options`, without re-reading any file."""
        if options == self.options:
            return
        self.options = options
        if self.current is None or self.loader.is_busy():
            return  # a running load is recomputed with these options when it lands
        self._recompute()

    def cancel(self) -> bool:
        return self.loader.cancel()

    def clear(self) -> None:
        """Forget every loaded file (Close all)."""
        self.loader.cancel()
        self.computer.cancel()
        self.current = None
        self.profiles.clear()   # a file opened again after Close All is detected afresh
        log.info("closed all files")
        self.cleared.emit()

    def is_loading(self) -> bool:
        return self.loader.is_busy()

    def is_busy(self) -> bool:
        return self.loader.is_busy() or self.computer.is_busy()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        ok = self.loader.shutdown(timeout_ms)
        return self.computer.shutdown(timeout_ms) and ok

    # --- outcomes (GUI thread) --------------------------------------------------------------

    def _recompute(self) -> None:
        current, backend, options, scenario = self.current, self.backend, self.options, self.scenario
        extra = {} if scenario is None else {"scenario": scenario}  # test backends may lack it
        self.computer.start(lambda *, progress, cancel: backend.analysis(
            current.files, current.loaded, options, **extra))

    def _on_loaded(self, analysis: Analysis) -> None:
        self.current = analysis
        log.info("loaded %s: %d minerals", ", ".join(p.name for p in analysis.files),
                 len(analysis.result.minerals))
        self.analysis_ready.emit(analysis)
        shown = None if analysis.scenario is None else analysis.scenario.scenario
        if analysis.options != self.options or (shown != self.scenario and not analysis.scenario_error):
            self._recompute()

    def _on_computed(self, analysis: Analysis) -> None:
        if self.current is None or analysis.loaded is not self.current.loaded:
            return  # computed for data that has since been replaced or closed
        self.current = analysis
        self.analysis_ready.emit(analysis)

    def _on_compute_failed(self, error: BaseException) -> None:
        if self.current is not None:  # go back to the options that are shown
            self.options = self.current.options
        self._on_failed(error)

    def _on_failed(self, error: BaseException) -> None:
        log.warning("failed: %s: %s", type(error).__name__, error)
        self.failed.emit(error)
