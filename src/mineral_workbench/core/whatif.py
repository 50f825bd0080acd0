"""Baseline vs scenario: presets, resolving `--scenario X`, and the deltas (DESIGN §4-5)."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import AnalysisOptions, AnalysisResult, LoadedData, _inputs, exposure_model
from .reference import Reference, load_reference
from .resources import resource_path
from .scenario import Scenario, ScenarioError, apply_scenario

MINERAL_DELTA_COLUMNS = ("import_value_usd", "hhi", "top_supplier_share", "group_share", "nir_pct",
                         "car", "consumption_lost", "added_tariff_cost_usd")
ROLLUP_DELTA_COLUMNS = ("weakest_link", "weighted_mean")


@dataclass
class ScenarioResult:
    scenario: Scenario
    baseline: AnalysisResult
    result: AnalysisResult
    deltas: dict[str, pd.DataFrame]
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        baseline, scenario = self.baseline.to_json(), self.result.to_json()
        inputs = baseline.pop("inputs")
        scenario.pop("inputs")
        deltas = {
            "minerals": _json_rows(self.deltas["minerals"]),
            "sectors": _json_rows(self.deltas["sectors"]),
            "defense": _json_rows(self.deltas["defense"]),
        }
        return {"baseline": baseline, "scenario": scenario, "deltas": deltas,
                "scenario_definition": {**self.scenario.to_json(),
                                        "edit_texts": [e.describe() for e in self.scenario.edits]},
                "notes": self.notes, "inputs": inputs}


@lru_cache(maxsize=1)
def _preset_file() -> dict:
    return json.loads(resource_path("scenarios", "presets.json").read_text(encoding="utf-8"))


def load_presets() -> list[Scenario]:
    """The bundled presets (fresh objects: analysts edit them after loading)."""
    return [Scenario.from_json(p) for p in _preset_file()["presets"]]


def presets_json() -> list[dict]:
    return [{"id": s.preset_id, "title": s.name, "date": s.date, "citation": s.citation,
             "description": s.description, "edits": [e.to_json() for e in s.edits],
             "edit_texts": [e.describe() for e in s.edits]} for s in load_presets()]


def resolve_scenario(spec: str, workspace_scenarios: list[Scenario] | None = None) -> Scenario:
    """`--scenario X`: an existing .json file path, then a preset id, then a workspace scenario name."""
    path = Path(spec)
    if path.suffix.lower() == ".json" and path.is_file():
        try:
            return Scenario.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"{path.name}: not a scenario JSON file ({exc})") from None
    for preset in load_presets():
        if preset.preset_id == spec:
            return preset
    for scenario in workspace_scenarios or ():
        if scenario.name == spec:
            return scenario
    known = [p.preset_id for p in load_presets()] + [s.name for s in workspace_scenarios or ()]
    raise ScenarioError(f"--scenario '{spec}' is neither a .json file, a preset id nor a scenario "
                        f"in the workspace; known: {', '.join(known)}")


def check_scenario(loaded: LoadedData, options: AnalysisOptions, scenario: Scenario,
                   reference: Reference | None = None) -> None:
    """Raise ScenarioError when an edit cannot apply; replays the edits without evaluating
    (a fraction of a millisecond), so every edit can be checked before it is accepted."""
    reference = reference or load_reference()
    model = exposure_model(loaded, reference)
    base_state = model.baseline_state(options.years, options.group, options.nir_year)
    apply_scenario(model, base_state, scenario, int(model.cube.year_mask(options.years).sum()))


def compute_scenario(loaded: LoadedData, options: AnalysisOptions, scenario: Scenario,
                     reference: Reference | None = None) -> ScenarioResult:
    """Baseline and scenario for the same options, with deltas; milliseconds."""
    reference = reference or load_reference()
    model = exposure_model(loaded, reference)
    base_state = model.baseline_state(options.years, options.group, options.nir_year)
    n_years = int(model.cube.year_mask(options.years).sum())
    state, effects = apply_scenario(model, base_state, scenario, n_years)
    weights = dict(options.weights)
    inputs = _inputs(loaded, options, reference)
    base = _baseline_evaluation(model, base_state, options, weights)
    what = model.evaluate(state, options.years, weights, options.top_n)
    what.minerals.insert(what.minerals.columns.get_loc("car") + 1, "consumption_lost",
                         effects.consumption_lost)
    what.minerals.insert(what.minerals.columns.get_loc("car") + 2, "added_tariff_cost_usd",
                         effects.added_tariff_cost_usd)
    baseline = AnalysisResult(base.minerals, base.suppliers, base.sectors, base.defense, inputs)
    result = AnalysisResult(what.minerals, what.suppliers, what.sectors, what.defense,
                            {**inputs, "scenario": scenario.name})
    deltas = {
        "minerals": _delta(base.minerals, what.minerals, MINERAL_DELTA_COLUMNS),
        "sectors": _delta(base.sectors, what.sectors, ROLLUP_DELTA_COLUMNS, key="sector"),
        "defense": _delta(base.defense, what.defense, ROLLUP_DELTA_COLUMNS, key="category"),
    }
    return ScenarioResult(scenario, baseline, result, deltas, effects.notes)


def _baseline_evaluation(model, base_state, options: AnalysisOptions, weights: dict):
    """The baseline of these options, evaluated once per model: every edit of a what-if
    compares against the same baseline, so only the scenario side is recomputed. Copies are
    handed out, so no caller can change the cached frames."""
    cache = model.__dict__.setdefault("_baseline_evaluations", {})
    key = (tuple(options.years) if options.years else None, options.group, options.nir_year,
           tuple(sorted(weights.items())), options.top_n)
    if key not in cache:
        base = model.evaluate(base_state, options.years, weights, options.top_n)
        zeros = np.zeros(len(model.minerals))
        base.minerals.insert(base.minerals.columns.get_loc("car") + 1, "consumption_lost", zeros)
        base.minerals.insert(base.minerals.columns.get_loc("car") + 2, "added_tariff_cost_usd", zeros)
        if len(cache) > 8:
            cache.clear()
        cache[key] = base
    base = cache[key]
    return type(base)(minerals=base.minerals.copy(), suppliers=copy.deepcopy(base.suppliers),
                      sectors=base.sectors.copy(), defense=base.defense.copy())


def _delta(base: pd.DataFrame, what: pd.DataFrame, columns, key: str | None = None) -> pd.DataFrame:
    """Scenario minus baseline per row (rows keyed by `key`, else the index), built from numpy
    in one go: it runs on every edit."""
    data, changed = {}, np.zeros(len(base), dtype=bool)
    for c in columns:
        before = base[c].to_numpy(dtype=float, na_value=np.nan)
        after = what[c].to_numpy(dtype=float, na_value=np.nan)
        data[c] = diff = after - before
        # n/a -> a number (or back) is a change too
        changed |= (np.abs(np.nan_to_num(diff)) > 1e-12) | (np.isnan(before) != np.isnan(after))
    if key is not None:
        data["driving_mineral_baseline"] = base["driving_mineral"].array
        data["driving_mineral_scenario"] = what["driving_mineral"].array
    data["changed"] = changed
    index = base.index if key is None else pd.Index(base[key].array, name=key)
    return pd.DataFrame(data, index=index)


def _json_rows(frame: pd.DataFrame) -> dict:
    from .analysis import _clean  # noqa: PLC0415
    return {str(k): {c: _clean(v) for c, v in row.items()} for k, row in frame.iterrows()}
