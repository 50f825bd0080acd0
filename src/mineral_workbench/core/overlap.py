"""Two sources covering the same imports must never be added together (DESIGN §4).

Analysts often load a DataWeb workbook and a Census or Comtrade file for the same trade.
Rows overlap when two sources report import value for the same year, HS6 heading (codes of
different lengths meet at six digits: Comtrade's 810520 and DataWeb's 8105206000) and
partner. General and consumption imports count as one family here: they measure the same
goods crossing the border, so summing them double-counts as surely as two copies of a file.
For every overlapping key the source first in the analyst's priority order is active; the
others' rows for that key are set aside and reported, never silently summed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from .cube import partner_keys


@dataclass(frozen=True)
class Overlap:
    active_file: str
    active_source_id: str
    inactive_file: str
    inactive_source_id: str
    keys: int                    # (year, HS6, partner) combinations both sources cover
    years: list[int]
    inactive_value_usd: float    # value of the inactive source's rows set aside
    active_value_usd: float      # value of the active source's rows for the same keys
    flows: str                   # e.g. "imports_consumption vs imports_general"

    def to_json(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        years = f"{min(self.years)}–{max(self.years)}" if self.years else "?"
        return (f"{self.inactive_file} overlaps {self.active_file} on {self.keys:,} year × HS6 × "
                f"partner keys ({years}, {self.flows}); {self.active_file} is active there, "
                f"${self.inactive_value_usd:,.0f} from {self.inactive_file} set aside")


def resolve_overlaps(imports: pd.DataFrame, priority: Sequence[str]) -> tuple[pd.DataFrame, list[Overlap]]:
    """Keep, for each overlapping key, only the rows of the highest-priority source.

    `priority` lists source ids, most preferred first; sources not listed come after, in
    order of first appearance.
    """
    if imports.empty or imports["source_id"].nunique() < 2:
        return imports, []
    sources = imports["source_id"].astype(object)
    order = list(dict.fromkeys([*priority, *pd.unique(sources)]))
    rank = sources.map({s: i for i, s in enumerate(order)}).to_numpy()
    key = pd.DataFrame({"year": imports["year"].to_numpy(),
                        "hs6": imports["hts"].astype(object).str[:6].to_numpy(),
                        "partner": partner_keys(imports).to_numpy()})
    key_id = key.groupby(["year", "hs6", "partner"], sort=False, dropna=False).ngroup().to_numpy()
    best = pd.Series(rank).groupby(key_id).transform("min").to_numpy()
    inactive = rank > best
    if not inactive.any():
        return imports, []
    winner_rank = best[inactive]
    detail = pd.DataFrame({
        "loser": rank[inactive], "winner": winner_rank, "key": key_id[inactive],
        "year": key["year"].to_numpy()[inactive], "value": imports["value"].to_numpy()[inactive],
        "flow": imports["flow"].astype(object).to_numpy()[inactive]})
    active_rows = pd.DataFrame({"rank": rank[~inactive], "key": key_id[~inactive],
                                "value": imports["value"].to_numpy()[~inactive],
                                "flow": imports["flow"].astype(object).to_numpy()[~inactive]})
    files = dict(zip(imports["source_id"].astype(object), imports["source_file"].astype(object)))
    overlaps = []
    for (loser, winner), group in detail.groupby(["loser", "winner"]):
        keys = np.unique(group["key"].to_numpy())
        won = active_rows[(active_rows["rank"] == winner) & active_rows["key"].isin(keys)]
        flows = sorted(set(won["flow"]) | set(group["flow"]))
        overlaps.append(Overlap(
            active_file=str(files[order[winner]]), active_source_id=order[winner],
            inactive_file=str(files[order[loser]]), inactive_source_id=order[loser],
            keys=int(len(keys)), years=sorted(int(y) for y in group["year"].unique()),
            inactive_value_usd=float(group["value"].sum()),
            active_value_usd=float(won["value"].sum()),
            flows=" vs ".join(flows) if len(flows) > 1 else f"both {flows[0]}"))
    return imports.loc[~inactive], overlaps
