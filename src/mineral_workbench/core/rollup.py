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

from .frames import frame_of, str_array

DEFAULT_WEIGHTS: dict[str, float] = {"high": 1.0, "medium": 0.5, "low": 0.25}
LEVELS = ("", "low", "medium", "high")      # index = level code; 0 = no importance
LEVEL_CODE = {name: i for i, name in enumerate(LEVELS)}


def importance_by_unit(table: pd.DataFrame, key: str, unit_of: Callable[[str], str],
                       weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> pd.DataFrame:
    """(analysis unit, key) -> highest importance; rare-earth elements roll up to the group.

    `table` has columns mineral, `key`, importance and optionally basis. The basis kept is
    'usgs_stated_use' when any row at the highest level says so (analyst judgment otherwise).
    Rows come out by level (highest first), stated before judgment, then in table order.
    """
    weights = dict(weights)
    levels = table["importance"].tolist()
    unknown = sorted({str(level) for level in levels if level not in LEVEL_CODE or level not in weights})
    if unknown:
        raise ValueError(f"importance level(s) {unknown} have no weight")
    units = [unit_of(m) for m in table["mineral"].tolist()]
    stated = ([basis == "usgs_stated_use" for basis in table["basis"].tolist()] if "basis" in table
              else [False] * len(levels))
    keys = table[key].tolist()
    seen: set[tuple] = set()
    keep = []
    for i in sorted(range(len(levels)), key=lambda i: (-LEVEL_CODE[levels[i]], not stated[i])):
        if (units[i], keys[i]) not in seen:
            seen.add((units[i], keys[i]))
            keep.append(i)
    positions = np.array(keep, dtype=np.intp)
    basis = (table["basis"].array.take(positions) if "basis" in table
             else str_array(["analyst_judgment"] * len(keep)))
    return frame_of({"unit": str_array([units[i] for i in keep]),
                     key: table[key].array.take(positions),
                     "importance": table["importance"].array.take(positions),
                     "weight": np.array([float(weights[levels[i]]) for i in keep], dtype=float),
                     "basis": basis})


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
        minerals, keys = list(minerals), list(keys)
        level = np.zeros((len(minerals), len(keys)), dtype=np.int8)
        stated = np.zeros(level.shape, dtype=bool)
        levels = importance["importance"].tolist()
        if len(set(minerals)) < len(minerals) or len(set(keys)) < len(keys):
            raise ValueError("the importance matrix needs distinct minerals and keys")
        unknown = sorted({str(name) for name in levels if name not in LEVEL_CODE})
        if unknown:
            raise ValueError(f"unknown importance level(s) {unknown}")
        m_index = {name: i for i, name in enumerate(minerals)}    # get_indexer, in Python
        k_index = {name: i for i, name in enumerate(keys)}
        rows = np.array([m_index.get(unit, -1) for unit in importance["unit"].tolist()], dtype=np.intp)
        cols = np.array([k_index.get(k, -1) for k in importance[key].tolist()], dtype=np.intp)
        ok = (rows >= 0) & (cols >= 0)
        level[rows[ok], cols[ok]] = np.array([LEVEL_CODE[name] for name in levels], dtype=np.int64)[ok]
        stated[rows[ok], cols[ok]] = np.array([basis == "usgs_stated_use" for basis in
                                               importance["basis"].tolist()], dtype=bool)[ok]
        return cls(minerals, keys, level, stated)

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
