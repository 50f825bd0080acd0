"""HTS/HS code -> critical mineral, by longest prefix, with allocation shares.

A trade code maps through the crosswalk row(s) with the longest `match_prefix` that the code
starts with. Several rows may share that prefix (a basket line split between minerals by
`share`, or a derivative product listed under every mineral it contains). A trade code that
is *coarser* than the crosswalk (``2836`` when only ``283691`` is lithium) cannot be mapped
without guessing, so it is reported as unmapped with that reason, never spread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd

MAPPING_COLUMNS = ["hts", "match_prefix", "mineral", "share", "form", "is_derivative",
                   "is_placeholder"]

REASON_NOT_IN_CROSSWALK = "not in crosswalk"
REASON_TOO_COARSE = "coarser than the crosswalk (re-export at 6 or more digits)"
REASON_NO_CODE = "no HTS code: the export sums all commodities"


@dataclass
class Crosswalk:
    """A prepared crosswalk table; `table` needs match_prefix, mineral, share, form,
    is_derivative and is_placeholder columns."""

    table: pd.DataFrame
    _positions: dict[str, list[int]] = field(init=False, repr=False)
    _lengths: tuple[int, ...] = field(init=False, repr=False)
    _prefix_set: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        table = self.table.copy()
        table["match_prefix"] = table["match_prefix"].astype(str)
        self.table = table.reset_index(drop=True)
        self._positions = {}
        for i, prefix in enumerate(self.table["match_prefix"].tolist()):
            if isinstance(prefix, str):  # a missing prefix matches nothing (groupby drops it)
                self._positions.setdefault(prefix, []).append(i)
        self._prefix_set = frozenset(self._positions)
        self._lengths = tuple(sorted({len(p) for p in self._prefix_set}, reverse=True))

    @classmethod
    def default(cls) -> "Crosswalk":
        return _default_crosswalk()

    def match(self, code: str) -> str | None:
        """The longest crosswalk prefix that `code` starts with, or None."""
        if not code:
            return None
        for length in self._lengths:
            if length <= len(code) and code[:length] in self._prefix_set:
                return code[:length]
        return None

    def is_too_coarse(self, code: str) -> bool:
        return any(p.startswith(code) for p in self._prefix_set if len(p) > len(code))

    def map_codes(self, codes) -> pd.DataFrame:
        """One row per (trade code, mineral) for the codes that map; see MAPPING_COLUMNS."""
        hts, positions = [], []
        for code in pd.unique(np.asarray(codes, dtype=object)):
            prefix = self.match(str(code))
            if prefix is None:
                continue
            rows = self._positions[prefix]
            hts.extend([str(code)] * len(rows))
            positions.extend(rows)
        picked = self.table.iloc[positions]
        return pd.DataFrame({
            "hts": pd.Series(hts, dtype=object),
            "match_prefix": picked["match_prefix"].to_numpy(dtype=object),
            "mineral": picked["mineral"].to_numpy(dtype=object),
            "share": picked["share"].to_numpy(dtype=float),
            "form": picked["form"].to_numpy(dtype=object),
            "is_derivative": picked["is_derivative"].to_numpy(dtype=bool),
            "is_placeholder": picked["is_placeholder"].to_numpy(dtype=bool),
        })

    def expand(self, codes) -> tuple[np.ndarray, np.ndarray]:
        """(position in `codes`, crosswalk table row) pairs of every mapping, in the order
        `apply` joins them: by position, then by table row."""
        index, uniques = pd.factorize(np.asarray(codes, dtype=object))
        matched = [self._positions.get(self.match(str(code)), []) for code in uniques]
        counts = np.array([len(rows) for rows in matched] + [0], dtype=np.intp)
        flat = np.array([row for rows in matched for row in rows], dtype=np.intp)
        starts = np.concatenate([[0], np.cumsum(counts[:-1])])
        per_position = counts[index]                     # index -1 (missing) takes the 0
        positions = np.repeat(np.arange(len(index)), per_position)
        first_entry = np.repeat(np.cumsum(per_position) - per_position, per_position)
        within = np.arange(len(positions)) - first_entry
        return positions, flat[starts[index[positions]] + within]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Trade rows joined to their minerals, with `mapped_value` = value x share.

        A basket row appears once per mineral, each carrying its share of the value, so the
        sum of `mapped_value` over non-derivative rows never exceeds the row's value.
        """
        mapping = self.map_codes(frame["hts"].unique())
        codes = frame["hts"].astype(object)
        merged = frame.assign(hts=codes).merge(mapping, on="hts", how="inner")
        merged["mapped_value"] = merged["value"].to_numpy() * merged["share"].to_numpy()
        return merged

    def unmapped_codes(self, frame: pd.DataFrame) -> list[dict]:
        """Codes with no mineral, with their summed value and the reason, largest first."""
        if frame.empty:
            return []
        if isinstance(frame["hts"].dtype, pd.StringDtype):  # group only the codes that miss
            missing = [code for code in frame["hts"].dropna().unique().tolist() if self.match(code) is None]
            if not missing:
                return []
            frame = frame.loc[frame["hts"].isin(missing).to_numpy(), ["hts", "value"]]
        totals = frame.groupby("hts", sort=False, observed=True)["value"].agg(["sum", "size"])
        out = []
        for code, value, rows in zip(totals.index, totals["sum"].to_numpy(), totals["size"].to_numpy()):
            if self.match(code) is not None:
                continue
            if not code:
                reason = REASON_NO_CODE
            elif self.is_too_coarse(code):
                reason = REASON_TOO_COARSE
            else:
                reason = REASON_NOT_IN_CROSSWALK
            out.append({"code": code, "value_usd": float(value), "rows": int(rows), "reason": reason})
        return sorted(out, key=lambda d: -d["value_usd"])


@lru_cache(maxsize=1)
def _default_crosswalk() -> Crosswalk:
    from .reference import load_reference  # noqa: PLC0415
    return Crosswalk(load_reference().crosswalk)


def unmapped_codes(frame: pd.DataFrame, crosswalk: Crosswalk | None = None) -> list[dict]:
    """Unmapped codes of a TradeFrame (already restricted to one measure) with their value."""
    return (crosswalk or Crosswalk.default()).unmapped_codes(frame)
