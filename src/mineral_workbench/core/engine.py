"""The exposure model: baseline arrays built once per data load, evaluated in milliseconds.

`compute()` for the GUI's controls and (later) every scenario edit goes through
`ExposureModel.evaluate`, so year-range, group and NIR-year changes and what-if edits never
re-read files or re-group trade rows: they are numpy operations on the supply matrix
V[mineral, partner] and on small importance matrices.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .cube import SupplyCube
from .frames import frame_from_rows
from .metrics import mineral_frame, partner_kinds, partner_names, supply_arrays, top_suppliers_of
from .reference import Reference
from .rollup import ImportanceMatrix, importance_by_unit, rollup_arrays


@dataclass
class ModelState:
    """Everything a what-if may change, as arrays aligned to the model's axes."""
    v: np.ndarray                 # [M, C] import value over the chosen years
    nir_pct: np.ndarray           # [M]
    nir_qualifier: np.ndarray     # [M] object
    nir_edition: np.ndarray       # [M] object
    group_codes: frozenset[str]
    sectors: ImportanceMatrix
    defense: ImportanceMatrix
    partners: list[str] = field(default_factory=list)   # columns of v (a scenario may add some)
    group_id: str = ""


class ExposureModel:
    def __init__(self, cube: SupplyCube, reference: Reference):
        self.cube = cube
        self.reference = reference
        self.minerals = list(cube.minerals)
        self.partners = list(cube.partners)
        self.aggregate, self.unmapped = partner_kinds(self.partners)
        self.partner_names = partner_names(self.partners, cube.partner_labels)
        self._nir: dict[int, tuple] = {}
        self._world: dict[frozenset, tuple] = {}
        self._groups: dict[str, frozenset[str]] = {}
        self._v: dict[tuple | None, np.ndarray] = {}

    # --- baseline pieces, each computed once -------------------------------------------------
    @cached_property
    def sectors(self) -> ImportanceMatrix:
        ref = self.reference
        table = importance_by_unit(ref.sector_importance, "sector", ref.analysis_unit)
        return ImportanceMatrix.build(table, "sector", self.minerals, ref.sectors["name"].tolist())

    @cached_property
    def defense(self) -> ImportanceMatrix:
        ref = self.reference
        table = importance_by_unit(_use_per_category(ref.defense_uses), "category", ref.analysis_unit)
        return ImportanceMatrix.build(table, "category", self.minerals, list(ref.defense_categories))

    @cached_property
    def sector_ids(self) -> list[str]:
        return self.reference.sectors["sector_id"].tolist()

    def nir(self, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if year not in self._nir:
            self._nir[year] = _nir_arrays(self.reference, year, self.minerals)
        return self._nir[year]

    def world(self, group_codes: frozenset[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if group_codes not in self._world:
            series = self.reference.world_shares()  # read as lists: reindexing costs more
            position = {mineral: i for i, mineral in enumerate(series.index.tolist())}
            hhi, shares, stage, year, form = (series[c].tolist() for c in ("hhi", "shares", "stage",
                                                                             "year", "form"))
            world_hhi, group_share, basis = [], [], []
            for mineral in self.minerals:
                i = position.get(mineral)
                if i is None:  # no production series for this mineral
                    world_hhi.append(np.nan), group_share.append(np.nan), basis.append("")
                    continue
                world_hhi.append(hhi[i])
                group_share.append(sum(v for k, v in shares[i].items() if k in group_codes)
                                   if isinstance(shares[i], dict) and shares[i] else np.nan)
                basis.append(_world_basis(stage[i], year[i], form[i], self.reference.nir_edition))
            self._world[group_codes] = (np.array(world_hhi, dtype=float),
                                        np.array(group_share, dtype=float),
                                        np.array(basis, dtype=object))
        return self._world[group_codes]

    def group_codes(self, group: str) -> frozenset[str]:
        if group not in self._groups:
            members = self.reference.country_groups
            self._groups[group] = frozenset(members.loc[members["group"] == group, "iso3"])
        return self._groups[group]

    def baseline_v(self, years: tuple[int, int] | None) -> np.ndarray:
        """V[m, c] over the chosen years; shared and read-only (scenarios work on copies)."""
        key = tuple(years) if years else None
        if key not in self._v:
            v = self.cube.values[self.cube.year_mask(years)].sum(axis=0)
            v.flags.writeable = False
            self._v[key] = v
        return self._v[key]

    def baseline_state(self, years: tuple[int, int] | None, group: str, nir_year: int) -> ModelState:
        v = self.baseline_v(years)
        pct, qualifier, edition = self.nir(nir_year)
        return ModelState(v=v, nir_pct=pct.copy(), nir_qualifier=qualifier.copy(),
                          nir_edition=edition.copy(), group_codes=self.group_codes(group),
                          sectors=self.sectors, defense=self.defense,
                          partners=list(self.partners), group_id=group)

    def partner_axis(self, partners: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(aggregate, unmapped, display names) for a partner list that may extend the cube's."""
        if len(partners) == len(self.partners):
            return self.aggregate, self.unmapped, self.partner_names
        extra = partners[len(self.partners):]
        aggregate, unmapped = partner_kinds(extra)
        return (np.concatenate([self.aggregate, aggregate]), np.concatenate([self.unmapped, unmapped]),
                np.concatenate([self.partner_names, partner_names(extra, {})]))

    # --- evaluation ----------------------------------------------------------------------------
    def evaluate(self, state: ModelState, years: tuple[int, int] | None,
                 weights: Mapping[str, float], top_n: int = 10) -> "Evaluation":
        mask = self.cube.year_mask(years)
        partners = state.partners or self.partners
        aggregate, unmapped, names = self.partner_axis(partners)
        in_group = np.fromiter((p in state.group_codes for p in partners), bool, len(partners))
        supply = supply_arrays(state.v, in_group, aggregate, unmapped)
        minerals = mineral_frame(
            self.minerals, partners, names, supply,
            self.cube.derivative[mask].sum(axis=(0, 2)), self.cube.placeholder[mask].sum(axis=0),
            (state.nir_pct, state.nir_qualifier, state.nir_edition), self.world(state.group_codes))
        car = minerals["car"].to_numpy(float)
        sectors = rollup_arrays(state.sectors.weights(weights), car, state.sectors.stated,
                                self.minerals, state.sectors.keys, "sector")
        sectors.insert(0, "sector_id", self.sector_ids)
        defense = rollup_arrays(state.defense.weights(weights), car, state.defense.stated,
                                self.minerals, state.defense.keys, "category")
        suppliers = top_suppliers_of(state.v, self.minerals, partners, names, top_n)
        return Evaluation(minerals=minerals, suppliers=suppliers, sectors=sectors, defense=defense)


def _world_basis(stage, year, form, edition: str) -> str:
    form = "" if form is None or form != form else form  # missing form: none
    return (f"{stage} production {int(year)}{f' ({form})' if form else ''}, {edition}"
            if isinstance(stage, str) and year == year else "")


def _nir_arrays(reference: Reference, year: int, minerals: list[str]) -> tuple[np.ndarray, ...]:
    """(pct, qualifier, edition) per mineral, as `reference.nir_for(year).reindex(minerals)`
    gives them (qualifier 'NA' and edition '' where missing), read without building frames."""
    if year not in reference.nir_years:
        reference.nir_for(year)  # raises the ValueError that names the available years
    nir = reference.nir
    first: dict[str, tuple] = {}
    for unit, y, listed, pct, qualifier, edition in zip(*(nir[c].tolist() for c in (
            "analysis_unit", "year", "listed", "pct", "qualifier", "edition"))):
        if y == year and listed and unit not in first:
            first[unit] = (pct, qualifier, edition)
    rows = [first.get(mineral) for mineral in minerals]
    pct = np.array([r[0] if r else np.nan for r in rows], dtype=float)
    qualifier = [r[1] if r and isinstance(r[1], str) else "NA" for r in rows]
    edition = [r[2] if r and isinstance(r[2], str) else "" for r in rows]
    return pct, np.array(qualifier, dtype=object), np.array(edition, dtype=object)


def _use_per_category(uses: pd.DataFrame) -> pd.DataFrame:
    """mineral, category, importance: each defense use once per category it serves (what
    `explode` gives, at a fraction of its cost)."""
    categories = uses["categories"].tolist()
    if not all(isinstance(c, (tuple, list)) and c and all(type(x) is str for x in c)
               for c in categories):
        return uses.explode("categories").rename(columns={"categories": "category"})
    rows = [(mineral, category, level) for mineral, these, level
            in zip(uses["mineral"].tolist(), categories, uses["importance"].tolist())
            for category in these]
    return frame_from_rows(rows, ("mineral", "category", "importance"))


@dataclass
class Evaluation:
    minerals: pd.DataFrame
    suppliers: Mapping[str, list[dict]]
    sectors: pd.DataFrame
    defense: pd.DataFrame
