"""The supply cube: import value by year x mineral x partner, built once per data load.

Metrics, year-range changes and (later) scenario edits work on this small dense array
(60 minerals x ~230 partners x ~10 years is ~140k cells), so a full recompute takes
milliseconds instead of re-grouping a million trade rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .crosswalk import Crosswalk
from .tradeframe import IMPORT_FLOWS, UNMAPPED


@dataclass
class SupplyCube:
    years: np.ndarray            # int, sorted
    minerals: list[str]
    partners: list[str]          # partner keys: ISO3, aggregate code, or "UNMAPPED:<name as written>"
    values: np.ndarray           # [year, mineral, partner] share-weighted processed-material imports, USD
    derivative: np.ndarray       # [year, mineral, partner] derivative products containing the mineral (not summable)
    placeholder: np.ndarray      # [year, mineral] value that came through placeholder (equal-split) shares
    partner_labels: dict[str, str]  # key -> name as first written in the data

    @property
    def mineral_index(self) -> dict[str, int]:
        return {m: i for i, m in enumerate(self.minerals)}

    def year_mask(self, years: tuple[int, int] | None) -> np.ndarray:
        if years is None:
            return np.ones(len(self.years), dtype=bool)
        lo, hi = years
        return (self.years >= lo) & (self.years <= hi)

    def matrix(self, years: tuple[int, int] | None = None) -> np.ndarray:
        """V[m, c] summed over the chosen years."""
        return self.values[self.year_mask(years)].sum(axis=0)


def select_primary(frame: pd.DataFrame, primary_by_source: Mapping[str, str]) -> pd.DataFrame:
    """Import rows of each source's primary value measure (DESIGN §3)."""
    if frame.empty:
        return frame
    primary = frame["source_id"].astype(object).map(dict(primary_by_source))
    keep = frame["flow"].isin(IMPORT_FLOWS).to_numpy() & (
        frame["measure"].astype(object).to_numpy() == primary.to_numpy())
    return frame.loc[keep]


def partner_keys(frame: pd.DataFrame) -> pd.Series:
    """Partner key per row: the code, except unmapped names stay distinct partners."""
    codes = frame["partner_code"].astype(object)
    unmapped = codes == UNMAPPED
    if unmapped.any():
        codes = codes.where(~unmapped, "UNMAPPED:" + frame["partner_raw"].astype(object))
    return codes


def build_cube(frame: pd.DataFrame, crosswalk: Crosswalk, minerals: Sequence[str]) -> SupplyCube:
    """Aggregate import rows (already one value measure) into the supply cube.

    `minerals` fixes the mineral axis (every analysis unit, even with no trade) so results
    list minerals the data lacks, instead of silently omitting them.
    """
    minerals = list(dict.fromkeys(minerals))
    mapped = crosswalk.apply(frame)
    mapped = mapped[mapped["mineral"].isin(minerals)]
    keys = partner_keys(mapped) if len(mapped) else pd.Series([], dtype=object)
    partners = sorted(pd.unique(keys.to_numpy())) if len(mapped) else []
    years = np.array(sorted(pd.unique(frame["year"].to_numpy()))) if len(frame) else np.array([], int)

    shape = (len(years), len(minerals), len(partners))
    values, derivative = np.zeros(shape), np.zeros(shape)
    placeholder = np.zeros(shape[:2])
    if len(mapped):
        y = np.searchsorted(years, mapped["year"].to_numpy())
        m = pd.Index(minerals).get_indexer(mapped["mineral"])
        c = pd.Index(partners).get_indexer(keys)
        is_derivative = mapped["is_derivative"].to_numpy(bool)
        amount = mapped["mapped_value"].to_numpy(float)
        np.add.at(values, (y[~is_derivative], m[~is_derivative], c[~is_derivative]), amount[~is_derivative])
        np.add.at(derivative, (y[is_derivative], m[is_derivative], c[is_derivative]), amount[is_derivative])
        ph = mapped["is_placeholder"].to_numpy(bool) & ~is_derivative
        np.add.at(placeholder, (y[ph], m[ph]), amount[ph])
    labels = {}
    if len(mapped):
        first = pd.DataFrame({"key": keys.to_numpy(), "raw": mapped["partner_raw"].astype(object).to_numpy()})
        labels = first.drop_duplicates("key").set_index("key")["raw"].to_dict()
    return SupplyCube(years=years, minerals=minerals, partners=list(partners), values=values,
                      derivative=derivative, placeholder=placeholder, partner_labels=labels)
