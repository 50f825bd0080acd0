"""What the sector matrix and the defense-uses view show, shaped from the core's tables.

No Qt and no new metrics here: the importance per (mineral, sector) comes from
`core.rollup.importance_by_unit` (rare-earth elements roll up to the group, highest level
wins) and the exposure mode is the core's own term of the weakest link, weight × CaR.
Runs on the worker thread beside `compute`, so the GUI thread only paints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mineral_workbench.core.rollup import importance_by_unit

LEVELS = ("", "low", "medium", "high")          # index = level code in the matrix
LEVEL_CODE = {name: code for code, name in enumerate(LEVELS) if name}
BASIS_TEXT = {"usgs_stated_use": "stated by USGS", "analyst_judgment": "analyst judgment",
              "scenario_override": "scenario override"}


@dataclass(frozen=True)
class SectorMatrix:
    """Minerals (rows, the result's order) × the 16 sectors (columns, sector-id order)."""

    minerals: tuple[str, ...]
    sector_ids: tuple[str, ...]
    sector_names: tuple[str, ...]
    level: np.ndarray        # int8 [M, S], 0 = no stated importance, 1..3 = low..high
    weight: np.ndarray       # float [M, S], NaN where no importance
    car: np.ndarray          # float [M], the mineral's consumption at risk (NaN = n/a)
    exposure: np.ndarray     # float [M, S] = weight × CaR (NaN where either is missing)
    basis: np.ndarray        # object [M, S]: '', 'usgs_stated_use' or 'analyst_judgment'
    rationale: np.ndarray    # object [M, S]: why the level was chosen ('' when none)

    def row_of(self, mineral: str) -> int:
        try:
            return self.minerals.index(mineral)
        except ValueError:
            return -1


def sector_matrix(reference, result, weights, edits=()) -> SectorMatrix:
    """Pivot the importance table onto the result's minerals and the reference's sectors, with
    a scenario's sector importance overrides (`edits`, in order) on top."""
    minerals = tuple(str(m) for m in result.minerals.index)
    sectors = reference.sectors
    sector_ids = tuple(sectors["sector_id"])
    names = tuple(sectors["name"])
    row = {m: i for i, m in enumerate(minerals)}
    col = {n: j for j, n in enumerate(names)}
    level, weight, basis, rationale = (a.copy() for a in _pivot(reference, minerals, names, weights))
    _override(level, weight, basis, rationale, reference, row, col, edits, dict(weights))
    car = result.minerals["car"].to_numpy(dtype=float, na_value=np.nan) if len(minerals) \
        else np.empty(0)
    exposure = weight * car[:, None] if len(minerals) else np.empty(level.shape)
    return SectorMatrix(minerals, sector_ids, names, level, weight, car, exposure, basis, rationale)


_PIVOTS: list[tuple] = []   # (reference, minerals, weights, arrays): the last few, reused per edit


def _pivot(reference, minerals, names, weights) -> tuple[np.ndarray, ...]:
    """The reference's importance pivoted onto the minerals × sectors grid, built once per
    (reference, minerals, weights): every what-if edit reuses it and only applies overrides."""
    key = (minerals, tuple(sorted(dict(weights).items())))
    for ref, k, arrays in _PIVOTS:
        if ref is reference and k == key:
            return arrays
    best = importance_by_unit(reference.sector_importance, "sector", reference.analysis_unit,
                              dict(weights))
    why = _rationale(reference.sector_importance)
    row = {m: i for i, m in enumerate(minerals)}
    col = {n: j for j, n in enumerate(names)}
    shape = (len(minerals), len(names))
    level = np.zeros(shape, dtype=np.int8)
    weight = np.full(shape, np.nan)
    basis = np.full(shape, "", dtype=object)
    rationale = np.full(shape, "", dtype=object)
    for unit, sector, importance, w, b in best[["unit", "sector", "importance", "weight",
                                                "basis"]].itertuples(index=False):
        i, j = row.get(unit), col.get(sector)
        if i is None or j is None:
            continue
        level[i, j] = LEVEL_CODE.get(importance, 0)
        weight[i, j] = float(w)
        basis[i, j] = b
        rationale[i, j] = why.get((unit, sector, importance, b), "")
    arrays = (level, weight, basis, rationale)
    _PIVOTS.insert(0, (reference, key, arrays))
    del _PIVOTS[4:]
    return arrays


def _override(level, weight, basis, rationale, reference, row, col, edits, weights) -> None:
    """Sector ImportanceOverride edits, as the core applies them (later edits win)."""
    for edit in edits:
        if getattr(edit, "kind", "") != "importance_override" or not edit.target.startswith("sector:"):
            continue
        i, j = row.get(reference.analysis_unit(edit.mineral)), col.get(edit.target.split(":", 1)[1])
        if i is None or j is None:
            continue
        was = LEVELS[level[i, j]] or "none"
        name = "" if edit.level == "none" else edit.level
        level[i, j] = LEVEL_CODE.get(name, 0)
        weight[i, j] = float(weights[name]) if name else np.nan
        basis[i, j] = "scenario_override"
        rationale[i, j] = f"Scenario override (baseline: {was})"


def _rationale(table: pd.DataFrame) -> dict[tuple, str]:
    """(unit, sector, importance, basis) -> the first matching row's rationale and element."""
    out: dict[tuple, str] = {}
    for mineral, unit, sector, importance, basis, text in table[
            ["mineral", "analysis_unit", "sector", "importance", "basis", "rationale"]
    ].itertuples(index=False):
        key = (unit, sector, importance, basis)
        if key not in out:
            out[key] = text if mineral == unit else f"{mineral}: {text}"
    return out


def defense_uses_frame(reference) -> pd.DataFrame:
    """The defense-uses table as shown: one row per use, categories joined, sources kept."""
    uses = reference.defense_uses
    element = uses["mineral"].where(uses["mineral"] != uses["analysis_unit"], "")
    return pd.DataFrame({
        "mineral": uses["analysis_unit"].astype(str),
        "element": element.astype(str),
        "defense_use": uses["defense_use"].astype(str),
        "system_examples": uses["system_examples"].astype(str),
        "categories": uses["categories"].map(lambda c: "; ".join(c)).astype(str),
        "importance": uses["importance"].astype(str),
        "confidence": uses["confidence"].astype(str),
        "source": uses["source"].astype(str),
        "notes": uses["notes"].astype(str),
    })


def sector_short_name(name: str, width: int = 12, max_lines: int = 3) -> str:
    """A sector name wrapped onto at most `max_lines` short lines for a narrow column header."""
    words = name.replace(",", "").split()
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1:])
        lines = lines[:max_lines - 1] + [rest if len(rest) <= width else rest[: width - 1] + "…"]
    return "\n".join(lines)
