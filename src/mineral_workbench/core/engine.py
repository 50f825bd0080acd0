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
        rows = ref.defense_uses.explode("categories").rename(columns={"categories": "category"})
        table = importance_by_unit(rows, "category", ref.analysis_unit)
        return ImportanceMatrix.build(table, "category", self.minerals, list(ref.defense_categories))

    @cached_property
    def sector_ids(self) -> list[str]:
        return self.reference.sectors["sector_id"].tolist()

    def nir(self, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if year not in self._nir:
            table = self.reference.nir_for(year).reindex(self.minerals)
            self._nir[year] = (table["pct"].to_numpy(float),
                               table["qualifier"].fillna("NA").to_numpy(object),
                               table["edition"].fillna("").to_numpy(object))
        return self._nir[year]

    def world(self, group_codes: frozenset[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if group_codes not in self._world:
            w = self.reference.world_shares().reindex(self.minerals)
            group_share = np.array([sum(v for k, v in s.items() if k in group_codes) if isinstance(s, dict) and s
                                    else np.nan for s in w["shares"]], dtype=float)
            basis = [f"{st} production {int(y)}{f' ({f})' if f else ''}, {self.reference.nir_edition}"
                     if isinstance(st, str) and y == y else ""
                     for st, y, f in zip(w["stage"], w["year"], w["form"].fillna(""))]
            self._world[group_codes] = (w["hhi"].to_numpy(float), group_share,
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


@dataclass
class Evaluation:
    minerals: pd.DataFrame
    suppliers: Mapping[str, list[dict]]
    sectors: pd.DataFrame
    defense: pd.DataFrame
