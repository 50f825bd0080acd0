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
    keep = frame["flow"].isin(IMPORT_FLOWS).to_numpy() & _is_primary(frame, dict(primary_by_source))
    return frame.loc[keep]


def _is_primary(frame: pd.DataFrame, primary: dict[str, str]) -> np.ndarray:
    """Rows whose measure is their source's primary measure; for the TradeFrame's label
    columns the test runs on category codes instead of one string per row."""
    source, measure = frame["source_id"], frame["measure"]
    if not (isinstance(source.dtype, pd.CategoricalDtype) and isinstance(measure.dtype, pd.CategoricalDtype)):
        wanted = source.astype(object).map(primary)
        return measure.astype(object).to_numpy() == wanted.to_numpy()
    measures = {name: code for code, name in enumerate(measure.cat.categories.tolist())}
    # code of each source's primary measure; -2 (never a code) when unknown or missing
    wanted = np.array([measures.get(primary.get(s), -2) for s in source.cat.categories.tolist()]
                      + [-2], dtype=np.int64)
    return wanted[source.cat.codes.to_numpy()] == measure.cat.codes.to_numpy()


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
    list minerals the data lacks, instead of silently omitting them. Works on the rows of
    `crosswalk.apply`'s join, in its order, without building the joined frame; cells are
    summed in that order (bincount, like np.add.at, adds sequentially).
    """
    minerals = list(dict.fromkeys(minerals))
    rows, links = crosswalk.expand(frame["hts"].to_numpy(dtype=object)) if len(frame) else (
        np.array([], np.intp), np.array([], np.intp))
    table = crosswalk.table
    m = pd.Index(minerals).get_indexer(table["mineral"])[links]
    keep = m >= 0
    rows, links, m = rows[keep], links[keep], m[keep]
    mapped = _partner_keys_at(frame, rows)
    partners = sorted(pd.unique(mapped)) if len(rows) else []
    years = np.array(sorted(pd.unique(frame["year"].to_numpy()))) if len(frame) else np.array([], int)

    shape = (len(years), len(minerals), len(partners))
    values, derivative = np.zeros(shape), np.zeros(shape)
    placeholder = np.zeros(shape[:2])
    size = values.size
    labels = {}
    if len(rows):
        y = np.searchsorted(years, frame["year"].to_numpy()[rows])
        c = pd.Index(partners).get_indexer(mapped)
        is_derivative = table["is_derivative"].to_numpy(bool)[links]
        amount = frame["value"].to_numpy(float)[rows] * table["share"].to_numpy(float)[links]
        cell = (y * shape[1] + m) * shape[2] + c
        values = _sum_at(cell[~is_derivative], amount[~is_derivative], size).reshape(shape)
        derivative = _sum_at(cell[is_derivative], amount[is_derivative], size).reshape(shape)
        ph = table["is_placeholder"].to_numpy(bool)[links] & ~is_derivative
        placeholder = _sum_at(y[ph] * shape[1] + m[ph], amount[ph], placeholder.size).reshape(shape[:2])
        labels = _first_labels(frame, rows, mapped)
    return SupplyCube(years=years, minerals=minerals, partners=list(partners), values=values,
                      derivative=derivative, placeholder=placeholder, partner_labels=labels)


def _first_labels(frame: pd.DataFrame, rows: np.ndarray, keys: np.ndarray) -> dict:
    """Partner key -> the name as first written, in order of first appearance."""
    first = np.unique(pd.factorize(keys, use_na_sentinel=False)[0], return_index=True)[1]
    raw = frame["partner_raw"].array.take(rows[first])
    if not raw.isna().any():
        return dict(zip(keys[first].tolist(), raw.tolist()))
    every = pd.DataFrame({"key": keys, "raw": frame["partner_raw"].array.take(rows).astype(object)})
    return every.drop_duplicates("key").set_index("key")["raw"].to_dict()  # as ever for blanks


def _sum_at(index: np.ndarray, amount: np.ndarray, size: int) -> np.ndarray:
    """Sums of `amount` per flat cell, added in order (np.add.at's result, much faster)."""
    return np.bincount(index, weights=amount, minlength=size) if len(index) else np.zeros(size)


def _partner_keys_at(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """`partner_keys` of the rows at `rows` (positions, repeats allowed), as an object array."""
    codes = frame["partner_code"].array.take(rows).to_numpy(dtype=object)
    unmapped = codes == UNMAPPED
    if unmapped.any():
        raw = frame["partner_raw"].array.take(rows[unmapped]).to_numpy(dtype=object)
        codes[unmapped] = "UNMAPPED:" + pd.Series(raw, dtype=object)
    return codes
