"""Sector and defense-use exposure rolled up from per-mineral consumption at risk (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

DEFAULT_WEIGHTS: dict[str, float] = {"high": 1.0, "medium": 0.5, "low": 0.25}


def importance_by_unit(table: pd.DataFrame, key: str, unit_of: Callable[[str], str],
                       weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> pd.DataFrame:
    """(analysis unit, key) -> highest importance weight; rare-earth elements roll up to the group.

    `table` has columns mineral, `key`, importance and optionally basis. The basis kept is
    'usgs_stated_use' when any row at the highest weight says so (analyst judgment otherwise).
    """
    t = table[["mineral", key, "importance"] + (["basis"] if "basis" in table else [])].copy()
    t["unit"] = t["mineral"].map(unit_of)
    t["weight"] = t["importance"].map(dict(weights)).astype(float)
    if "basis" not in t:
        t["basis"] = "analyst_judgment"
    t["stated"] = t["basis"].eq("usgs_stated_use")
    t = t.sort_values(["weight", "stated"], ascending=False)
    best = t.drop_duplicates(["unit", key])
    return best[["unit", key, "importance", "weight", "basis"]].reset_index(drop=True)


def rollup(importance: pd.DataFrame, key: str, car: pd.Series,
           order: list[str] | None = None) -> pd.DataFrame:
    """Weakest link and importance-weighted mean of CaR per `key` (sector or defense category).

    Minerals whose CaR is n/a are left out of both, and counted in `minerals_without_car`.
    """
    imp = importance.copy()
    imp["car"] = imp["unit"].map(car).astype(float)
    imp["exposure"] = imp["weight"] * imp["car"]
    rows = []
    keys = order if order is not None else sorted(imp[key].unique())
    for k in keys:
        g = imp[imp[key] == k]
        known = g[g["car"].notna()]
        if len(known):
            best = known.loc[known["exposure"].idxmax()]
            weakest, driving = float(best["exposure"]), str(best["unit"])
            driving_basis = str(best["basis"])
            mean = float((known["weight"] * known["car"]).sum() / known["weight"].sum())
        else:
            weakest, driving, driving_basis, mean = np.nan, "", "", np.nan
        rows.append({key: k, "weakest_link": weakest, "weighted_mean": mean,
                     "driving_mineral": driving, "driving_basis": driving_basis,
                     "minerals": int(len(g)), "high_importance_minerals": int((g["weight"] >= 1).sum()),
                     "minerals_without_car": int(len(g) - len(known))})
    return pd.DataFrame(rows)
