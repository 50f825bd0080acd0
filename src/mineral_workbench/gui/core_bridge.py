"""The one place the window reaches into the core, imported lazily.

`CoreBackend` reads files (`load`, slow, on a worker) and computes (`analysis`, milliseconds
to a few hundred, also on a worker) — both plain functions of the core with no Qt. The
window holds the resulting `Analysis` and only renders it. Tests hand the window a backend
whose `load` is slow or failing; `compute` stays the real core.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

DEFAULT_GROUP = "foreign_adversaries"
DEFAULT_NIR_YEAR = 2024


@dataclass(frozen=True)
class GroupChoice:
    id: str
    title: str
    as_of: str = ""
    note: str = ""


@dataclass(frozen=True)
class Analysis:
    """Everything the window shows for one load and one set of options."""

    files: tuple[Path, ...]
    loaded: Any                   # core.analysis.LoadedData
    options: Any                  # core.analysis.AnalysisOptions
    result: Any                   # core.analysis.AnalysisResult: what the views show
    matrix: Any = None            # matrix_data.SectorMatrix
    defense_uses: Any = None      # pandas frame of every defense use (matrix_data.defense_uses_frame)
    groups: tuple[GroupChoice, ...] = ()
    nir_years: tuple[int, ...] = ()
    scenario: Any = None          # core.whatif.ScenarioResult when a scenario is shown, else None
    baseline_result: Any = None   # the baseline AnalysisResult (== result without a scenario)
    scenario_error: str = ""      # why the chosen scenario is not shown (the baseline is)

    @property
    def baseline(self) -> Any:
        return self.result if self.baseline_result is None else self.baseline_result

    @property
    def scenario_name(self) -> str | None:
        return None if self.scenario is None else self.scenario.scenario.name

    @property
    def reports(self) -> list:
        return list(getattr(self.loaded, "reports", []) or [])

    @property
    def years(self) -> list[int]:
        return list(getattr(self.loaded, "years", []) or [])


def default_options() -> Any:
    """Every year, foreign adversaries, the latest NIR data year."""
    from mineral_workbench.core.analysis import AnalysisOptions

    return AnalysisOptions(years=None, group=DEFAULT_GROUP, nir_year=DEFAULT_NIR_YEAR)


def only_sample(files) -> bool:
    """Whether `files` is just the bundled sample (never 'recent'; no report pops up for it)."""
    from mineral_workbench.core.resources import sample_workbook

    sample = sample_workbook().resolve()
    return bool(files) and all(Path(f).resolve() == sample for f in files)


def options_with(options: Any, **changes) -> Any:
    return replace(options, **changes)


class CoreBackend:
    """The real core. Every method may run on a worker thread; none touches Qt."""

    def __init__(self) -> None:
        self._static: tuple | None = None  # reference-only tables, shaped once

    def reference(self):
        from mineral_workbench.core.reference import load_reference

        return load_reference()

    def load(self, paths: Sequence[Path], *, progress=None, cancel=None, profile=None, profiles=None):
        """Read and map the files, through a column-mapping `profile` (every file) or
        `profiles` (path -> profile) when given (raises InputError / ProfileError /
        OperationCancelled)."""
        from mineral_workbench.core.workspace import load_inputs

        return load_inputs(list(paths), progress=progress, cancel=cancel, profile=profile,
                           profiles=profiles)[0]

    def reference_of(self, loaded):
        """The tables the data was mapped with: a workspace's own edition, else the bundled."""
        return getattr(loaded, "reference", None) or self.reference()

    def compute(self, loaded, options):
        from mineral_workbench.core.analysis import compute

        return compute(loaded, options, self.reference_of(loaded))

    def compute_scenario(self, loaded, options, scenario):
        from mineral_workbench.core.whatif import compute_scenario

        return compute_scenario(loaded, options, scenario, self.reference_of(loaded))

    def validate(self, loaded, options, scenario) -> None:
        """Raise ScenarioError when `scenario` cannot apply to `loaded` (before it is pushed)."""
        from mineral_workbench.core.whatif import check_scenario

        check_scenario(loaded, options, scenario, self.reference_of(loaded))

    def analysis(self, files: Sequence[Path], loaded, options, scenario=None) -> Analysis:
        """Compute the result (and the scenario's, with deltas) and shape the matrix and uses
        tables the views need."""
        from .matrix_data import defense_uses_frame, sector_matrix

        reference = self.reference_of(loaded)
        from mineral_workbench.core.scenario import ScenarioError

        outcome, problem = None, ""
        if scenario is not None:
            try:
                outcome = self.compute_scenario(loaded, options, scenario)
            except ScenarioError as exc:  # e.g. a workspace's scenario on data it does not fit
                problem = f"Scenario '{scenario.name}' cannot apply: {exc}"
        if outcome is None:
            result = baseline = self.compute(loaded, options)
        else:
            result, baseline = outcome.result, outcome.baseline
        if self._static is None:  # two workers may both get here first: harmless, same content
            self._static = (defense_uses_frame(reference),
                            tuple(_group_choice(reference, g) for g in reference.group_ids),
                            tuple(sorted(reference.nir_years, reverse=True)))
        uses, groups, nir_years = self._static
        edits = () if scenario is None else scenario.edits
        return Analysis(files=tuple(Path(f) for f in files), loaded=loaded, options=options,
                        result=result, matrix=sector_matrix(reference, result, options.weights, edits),
                        defense_uses=uses, groups=groups, nir_years=nir_years,
                        scenario=outcome, baseline_result=baseline, scenario_error=problem)

    def load_and_analyze(self, files: Sequence[Path], options, *, progress=None, cancel=None,
                         profiles=None, scenario=None) -> Analysis:
        mapping = {"profiles": profiles} if profiles else {}  # test backends may lack it
        loaded = self.load(files, progress=progress, cancel=cancel, **mapping)
        if progress is not None:
            progress(1.0, "computing exposure")
        return self.analysis(files, loaded, options, scenario)


def _group_choice(reference, group_id: str) -> GroupChoice:
    info = reference.group_info(group_id)
    return GroupChoice(group_id, info.get("title", group_id), info.get("as_of", ""), info.get("note", ""))
