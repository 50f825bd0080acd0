"""From trade files to every result the workbench shows: load -> map -> cube -> metrics.

The GUI, the CLI and (later) exports all call this module, so they always agree.
Loading (slow: file parsing) and computing (fast: milliseconds on the cube) are separate
steps, so year-range or group changes recompute without re-reading files.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .crosswalk import Crosswalk
from .cube import SupplyCube, build_cube, select_primary
from .errors import InputError, OperationCancelled
from .importing import load_file
from .importing.report import ImportReport
from .overlap import Overlap, resolve_overlaps
from .engine import ExposureModel
from .metrics import METHODS
from .reference import Reference, load_reference
from .rollup import DEFAULT_WEIGHTS
from .tradeframe import concat_tradeframes

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]


@dataclass(frozen=True)
class AnalysisOptions:
    years: tuple[int, int] | None = None      # inclusive; None = every year in the data
    group: str = "foreign_adversaries"
    nir_year: int = 2024
    top_n: int = 10
    weights: tuple[tuple[str, float], ...] = tuple(DEFAULT_WEIGHTS.items())


@dataclass
class LoadedData:
    frame: pd.DataFrame            # every row of every source, as imported
    reports: list[ImportReport]
    cube: SupplyCube
    imports: pd.DataFrame | None = None    # rows behind the cube: primary measure, overlaps resolved
    overlaps: list[Overlap] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)  # source ids, most preferred first
    model: ExposureModel | None = field(default=None, repr=False)
    reference: Reference | None = field(default=None, repr=False)  # a workspace's own tables

    @property
    def years(self) -> list[int]:
        return [int(y) for y in self.cube.years]


@dataclass
class AnalysisResult:
    minerals: pd.DataFrame
    suppliers: dict[str, list[dict]]
    sectors: pd.DataFrame
    defense: pd.DataFrame
    inputs: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        minerals = {}
        for mineral, row in self.minerals.iterrows():
            item = {k: _clean(row[k]) for k in MINERAL_JSON_KEYS if k in row}
            item["suppliers"] = self.suppliers.get(mineral, [])
            item["flags"] = [f for f in str(row["flags"]).split("; ") if f]
            minerals[mineral] = item
        return {"minerals": minerals,
                "sectors": _rollup_json(self.sectors, "sector"),
                "defense": _rollup_json(self.defense, "category"),
                "inputs": self.inputs}


MINERAL_JSON_KEYS = ("import_value_usd", "derivative_import_value_usd", "hhi", "top_supplier",
                     "top_supplier_code", "top_supplier_share", "group_share", "nir_pct",
                     "nir_qualifier", "nir_edition", "car", "world_hhi", "group_world_share",
                     "world_basis", "aggregate_share", "unmapped_share")


def load_sources(paths: Sequence[str | Path], *, progress: ProgressFn | None = None,
                 cancel: CancelFn | None = None, reference: Reference | None = None,
                 priority: Sequence[str] | None = None, profile=None,
                 profiles: Mapping[str | Path, object] | None = None) -> LoadedData:
    """Read every file (refusing the whole set on the first bad one) and build the cube.

    A column-mapping `profile` reads every file; `profiles` maps some files (by path) to
    their own profile, so files read through a mapping mix with recognised exports."""
    own = {Path(k).resolve(): v for k, v in (profiles or {}).items()}
    reference = reference or load_reference()
    frames, reports, seen = [], [], {}
    n = max(len(paths), 1)
    for i, path in enumerate(paths):
        if cancel and cancel():
            raise OperationCancelled("loading cancelled")
        sub = None if progress is None else (lambda f, msg, i=i: progress((i + f) / n, msg))
        frame, report = load_file(path, progress=sub, cancel=cancel,
                                  profile=own.get(Path(path).resolve(), profile))
        if report.sha256 in seen:
            seen[report.sha256].warnings.append(
                f"{Path(path).name} is the same file as {Path(seen[report.sha256].file).name}; read once")
            continue
        seen[report.sha256] = report
        frames.append(frame)
        reports.append(report)
    loaded = LoadedData(frame=concat_tradeframes(frames), reports=reports,
                        cube=None, priority=_priority_ids(priority, reports))  # type: ignore[arg-type]
    rebuild_cube(loaded, reference)
    if progress:
        progress(1.0, "loaded")
    return loaded


def rebuild_cube(loaded: LoadedData, reference: Reference | None = None) -> LoadedData:
    """(Re)build the cube after loading or after the analyst changes which source is active."""
    reference = reference or load_reference()
    primary = {r.sha256: r.primary_measure for r in loaded.reports}
    imports, loaded.overlaps = resolve_overlaps(select_primary(loaded.frame, primary), loaded.priority)
    loaded.imports = imports
    loaded.cube = build_cube(imports, Crosswalk(reference.crosswalk), analysis_minerals(reference))
    return loaded


def _priority_ids(priority: Sequence[str] | None, reports: list[ImportReport]) -> list[str]:
    """Source ids in the analyst's order: entries may be file names, paths or SHA-256 prefixes."""
    ids = []
    for wanted in priority or ():
        name = Path(str(wanted)).name
        match = [r.sha256 for r in reports if Path(r.file).name == name or r.sha256.startswith(str(wanted))]
        if not match:
            raise InputError(None, f"--prefer '{wanted}' names none of the loaded files")
        ids.extend(match)
    return list(dict.fromkeys(ids + [r.sha256 for r in reports]))


def analysis_minerals(reference: Reference) -> list[str]:
    """Every analysis unit: the critical minerals (lanthanides as 'rare earths') and crosswalk minerals."""
    units = list(dict.fromkeys(reference.minerals["analysis_unit"].tolist()))
    for mineral in reference.crosswalk["mineral"].unique():
        if mineral not in units:
            units.append(mineral)
    return sorted(units)


def compute(loaded: LoadedData, options: AnalysisOptions = AnalysisOptions(),
            reference: Reference | None = None) -> AnalysisResult:
    """All metrics for one set of options; milliseconds, safe to call on every edit."""
    reference = reference or load_reference()
    if options.group not in reference.group_ids:
        raise InputError(None, f"unknown country group '{options.group}'; choose one of "
                               + ", ".join(reference.group_ids))
    model = exposure_model(loaded, reference)
    state = model.baseline_state(options.years, options.group, options.nir_year)
    ev = model.evaluate(state, options.years, dict(options.weights), options.top_n)
    return AnalysisResult(minerals=ev.minerals, suppliers=ev.suppliers, sectors=ev.sectors,
                          defense=ev.defense, inputs=_inputs(loaded, options, reference))


def exposure_model(loaded: LoadedData, reference: Reference | None = None) -> ExposureModel:
    """The loaded data's model, built on first use and kept until the cube is rebuilt."""
    reference = reference or load_reference()
    model = loaded.model
    if model is None or model.cube is not loaded.cube or model.reference is not reference:
        model = loaded.model = ExposureModel(loaded.cube, reference)
    return model


def analyze_files(paths: Sequence[str | Path], options: AnalysisOptions = AnalysisOptions(), *,
                  progress: ProgressFn | None = None, cancel: CancelFn | None = None,
                  priority: Sequence[str] | None = None, profile=None
                  ) -> tuple[AnalysisResult, list[ImportReport]]:
    loaded = load_sources(paths, progress=progress, cancel=cancel, priority=priority, profile=profile)
    return compute(loaded, options), loaded.reports


def _inputs(loaded: LoadedData, options: AnalysisOptions, reference: Reference) -> dict:
    data_years = loaded.years
    if options.years:
        years = [y for y in data_years if options.years[0] <= y <= options.years[1]]
    else:
        years = data_years
    info = reference.group_info(options.group)
    return {
        "files": [{"file": Path(r.file).name, "sha256": r.sha256, "format": r.format,
                   "primary_measure": r.primary_measure, "flow": r.flow} for r in loaded.reports],
        "years": [min(years), max(years)] if years else [],
        "years_in_data": data_years,
        "overlaps": [o.to_json() for o in loaded.overlaps],
        "warnings": [o.describe() for o in loaded.overlaps]
        + ([] if loaded.cube.values.any() else ["no import value maps to any mineral"]),
        "group": {"id": options.group, **info},
        "nir_year": options.nir_year,
        "weights": dict(options.weights),
        "reference": {name: {"edition": t.edition, "as_of": t.as_of}
                      for name, t in reference.tables.items()},
        "methods": METHODS,
    }


def _rollup_json(frame: pd.DataFrame, key: str) -> dict:
    return {str(row[key]): {k: _clean(v) for k, v in row.items() if k != key}
            for _, row in frame.iterrows()}


def _clean(value):
    """JSON-safe scalars: NaN -> None, numpy -> Python."""
    if value is None or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value
