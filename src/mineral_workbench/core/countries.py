"""Country normalization: the names trade files use -> ISO3 or an explicit aggregate code.

(Temporary minimal table; replaced by the bundled crosswalk in resources/countries/.)
"""

from __future__ import annotations

import pandas as pd

from .tradeframe import UNMAPPED

_MINIMAL = {"china": "CHN", "canada": "CAN", "mexico": "MEX", "chile": "CHL", "japan": "JPN",
            "korea, south": "KOR", "germany": "DEU", "world": "WLD"}
AGGREGATE_CODES = frozenset({"WLD"})


def normalize_partners(names: pd.Series, system: str = "census") -> pd.Series:
    """Map partner names to codes; unknown names become UNMAPPED (never dropped)."""
    keys = names.astype("string").str.strip().str.lower()
    return keys.map(_MINIMAL).fillna(UNMAPPED).astype(pd.StringDtype("pyarrow"))


def is_aggregate(code: str) -> bool:
    return code in AGGREGATE_CODES


def partner_report(frame: pd.DataFrame) -> tuple[list[dict], list[dict]]:
    """(unmapped partners, aggregate partners) with their summed value, largest first."""
    if frame.empty:
        return [], []
    grouped = frame.groupby(["partner_raw", "partner_code"], observed=True)["value"].sum()
    unmapped, aggregates = [], []
    for (raw, code), value in grouped.sort_values(ascending=False).items():
        if code == UNMAPPED:
            unmapped.append({"partner": raw, "value_usd": float(value)})
        elif is_aggregate(code):
            aggregates.append({"partner": raw, "code": code, "value_usd": float(value)})
    return unmapped, aggregates
