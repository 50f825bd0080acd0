"""Sector and defense-use exposure rolled up from per-mineral consumption at risk (DESIGN §4).

Per sector (or defense category) k: weakest link = max over minerals of w[m,k] x CaR[m];
weighted mean = sum(w x CaR) / sum(w) over minerals with any importance for k and a CaR.
Importance levels are kept as small integer matrices so weights (editable) and scenario
overrides apply in microseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

DEFAULT_WEIGHTS: dict[str, float] = {"high": 1.0, "medium": 0.5, "low": 0.25}
LEVELS = ("", "low", "medium", "high")      # index = level code; 0 = no importance
LEVEL_CODE = {name: i for i, name in enumerate(LEVELS)}


def importance_by_unit(table: pd.DataFrame, key: str, unit_of: Callable[[str], str],
                       weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> pd.DataFrame:
    """(analysis unit, key) -> highest importance; rare-earth elements roll up to the group.

    `table` has columns mineral, `key`, importance and optionally basis. The basis kept is
    'usgs_stated_use' when any row at the highest level says so (analyst judgment otherwise).
    """
    t = table[["mineral", key, "importance"] + (["basis"] if "basis" in table else [])].copy()
    t["unit"] = t["mineral"].map(unit_of)
    t["weight"] = t["importance"].map(dict(weights)).astype(float)
    if "basis" not in t:
        t["basis"] = "analyst_judgment"
    t["stated"] = t["basis"].eq("usgs_stated_use")
    t["level"] = t["importance"].map(LEVEL_CODE)
    t = t.sort_values(["level", "stated"], ascending=False)
    best = t.drop_duplicates(["unit", key])
    return best[["unit", key, "importance", "weight", "basis"]].reset_index(drop=True)


@dataclass
class ImportanceMatrix:
    """Importance level codes [mineral, key] (0 none, 1 low, 2 medium, 3 high) and their basis."""
    minerals: list[str]
    keys: list[str]
    level: np.ndarray        # int8 [M, K]
    stated: np.ndarray       # bool [M, K]: stated by USGS (else analyst judgment)

    @classmethod
    def build(cls, importance: pd.DataFrame, key: str, minerals: Sequence[str],
              keys: Sequence[str]) -> "ImportanceMatrix":
        m_index, k_index = pd.Index(list(minerals)), pd.Index(list(keys))
        level = np.zeros((len(m_index), len(k_index)), dtype=np.int8)
        stated = np.zeros(level.shape, dtype=bool)
        rows = m_index.get_indexer(importance["unit"])
        cols = k_index.get_indexer(importance[key])
        ok = (rows >= 0) & (cols >= 0)
        level[rows[ok], cols[ok]] = importance["importance"].map(LEVEL_CODE).to_numpy()[ok]
        stated[rows[ok], cols[ok]] = importance["basis"].eq("usgs_stated_use").to_numpy()[ok]
        return cls(list(minerals), list(keys), level, stated)

    def weights(self, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> np.ndarray:
        lookup = np.array([0.0] + [float(weights[name]) for name in LEVELS[1:]])
        return lookup[self.level]

    def copy(self) -> "ImportanceMatrix":
        return ImportanceMatrix(self.minerals, self.keys, self.level.copy(), self.stated.copy())


def rollup_arrays(w: np.ndarray, car: np.ndarray, stated: np.ndarray, minerals: Sequence[str],
                  keys: Sequence[str], key: str) -> pd.DataFrame:
    """Weakest link, weighted mean and driving mineral per key; minerals whose CaR is n/a are
    left out of both and counted in `minerals_without_car`."""
    relevant = w > 0
    known = relevant & ~np.isnan(car)[:, None]
    exposure = np.where(known, w * np.nan_to_num(car)[:, None], -1.0)
    driver = exposure.argmax(axis=0) if len(minerals) else np.zeros(len(keys), int)
    any_known = known.any(axis=0)
    cols = np.arange(len(keys))
    weight_sum = np.where(known, w, 0.0).sum(axis=0)
    weighted = np.where(known, w * np.nan_to_num(car)[:, None], 0.0).sum(axis=0)
    names = np.asarray(minerals, dtype=object)
    return pd.DataFrame({
        key: list(keys),
        "weakest_link": np.where(any_known, exposure[driver, cols] if len(minerals) else np.nan, np.nan),
        "weighted_mean": np.where(any_known, weighted / np.where(weight_sum > 0, weight_sum, 1.0), np.nan),
        "driving_mineral": np.where(any_known, names[driver] if len(minerals) else "", ""),
        "driving_basis": np.where(any_known, np.where(stated[driver, cols], "usgs_stated_use",
                                                      "analyst_judgment") if len(minerals) else "", ""),
        "minerals": relevant.sum(axis=0).astype(int),
        "high_importance_minerals": (w >= 1).sum(axis=0).astype(int),
        "minerals_without_car": (relevant & ~known).sum(axis=0).astype(int),
    })


def rollup(importance: pd.DataFrame, key: str, car: pd.Series,
           order: list[str] | None = None) -> pd.DataFrame:
    """Roll-up from an `importance_by_unit` table and a CaR series indexed by mineral."""
    keys = order if order is not None else sorted(importance[key].unique())
    minerals = list(dict.fromkeys([*car.index, *importance["unit"]]))
    matrix = ImportanceMatrix.build(importance, key, minerals, keys)
    w = np.zeros(matrix.level.shape)
    rows = pd.Index(minerals).get_indexer(importance["unit"])
    cols = pd.Index(keys).get_indexer(importance[key])
    ok = cols >= 0
    w[rows[ok], cols[ok]] = importance["weight"].to_numpy(float)[ok]
    car_values = car.reindex(minerals).to_numpy(float)
    return rollup_arrays(w, car_values, matrix.stated, minerals, keys, key)
