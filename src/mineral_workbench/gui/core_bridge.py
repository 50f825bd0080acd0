"""The one place the window reaches into the core's analysis, imported lazily.

Tests hand the window a fake `analyze` instead; the real one is imported only when a load
runs (on the worker thread), so a missing or broken core reaches the analyst as an error
dialog rather than a crash at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

DEFAULT_GROUP = "foreign_adversaries"
DEFAULT_NIR_YEAR = 2024

# analyze(paths, options, *, progress, cancel) -> (result, reports)
Analyze = Callable[..., tuple[Any, list]]


def default_options() -> Any:
    """The analysis options the window starts with: every year, foreign adversaries, latest NIR."""
    from mineral_workbench.core.analysis import AnalysisOptions

    return AnalysisOptions(years=None, group=DEFAULT_GROUP, nir_year=DEFAULT_NIR_YEAR)


def analyze(paths: Sequence[Path], options: Any = None, *, progress=None, cancel=None):
    """Run the core analysis on `paths` (options None = `default_options()`)."""
    from mineral_workbench.core.analysis import analyze_files

    if options is None:
        options = default_options()
    return analyze_files(list(paths), options, progress=progress, cancel=cancel)
