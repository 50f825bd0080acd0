"""Key findings drafted from the numbers by rules an analyst can read (MEMO.md).

Each rule turns core results into one sentence and records the numbers it used, so a test
(or a sceptical reader) can check every figure in the text against the core. Exposure
findings always read the *baseline*; a scenario adds its own findings about what it
changed. The analyst then edits the texts; `Finding.edited` tells edited from drafted.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from .bundle import ExportBundle, nir_text, pct_text

CAR_THRESHOLD = 0.25      # consumption at risk above which a mineral gets a finding
MAX_MINERALS = 5          # at most this many mineral findings (largest CaR first)
MAX_SCENARIO_MINERALS = 5
STAGE_WORDS = {"mine": "mine", "refinery": "refinery", "smelter": "smelter"}

RULES = (
    "Overview: count the minerals with import data whose consumption at risk (CaR = NIR x the "
    "country group's share of US import value) exceeds {threshold}; name the three highest.",
    "Minerals: one finding for each mineral whose CaR exceeds {threshold}, largest first (at most "
    "{n}): its net import reliance with the USGS edition; the group's share of import value over "
    "the years; the leading world producer's share of world production; the number of the 16 "
    "infrastructure sectors where it has high importance. The flags of its inputs become footnotes.",
    "Sectors and defense uses: how many have a weakest-link exposure above {threshold}, and the "
    "highest with its driving mineral.",
    "Scenario: what the scenario changes, then one finding per changed mineral (largest consumption "
    "lost first, at most {n_scenario}): consumption lost before substitution, import value, top "
    "supplier, concentration and CaR against the baseline.",
)


@dataclass
class Finding:
    text: str
    kind: str                               # overview / mineral / sectors / defense / scenario
    mineral: str | None = None
    numbers: dict = field(default_factory=dict)   # the raw numbers the text was drafted from
    flags: list[str] = field(default_factory=list)  # flags of the inputs: footnotes in the memo
    drafted: str = ""                       # the text as drafted (kept when the analyst edits)

    @property
    def edited(self) -> bool:
        return self.text != self.drafted

    def to_json(self) -> dict:
        out = asdict(self)
        out["numbers"] = {k: _json_number(v) for k, v in self.numbers.items()}
        return out

    @classmethod
    def from_json(cls, data: dict) -> "Finding":
        return cls(text=str(data.get("text", "")), kind=str(data.get("kind", "note")),
                   mineral=data.get("mineral"), numbers=dict(data.get("numbers") or {}),
                   flags=[str(f) for f in data.get("flags") or []],
                   drafted=str(data.get("drafted", data.get("text", ""))))


def rules_text(threshold: float = CAR_THRESHOLD) -> list[str]:
    """The drafting rules in words (for the editor and the Methods section)."""
    return [r.format(threshold=pct_text(threshold), n=MAX_MINERALS, n_scenario=MAX_SCENARIO_MINERALS)
            for r in RULES]


def draft_findings(bundle: ExportBundle, threshold: float = CAR_THRESHOLD) -> list[Finding]:
    """Every finding the rules give for this bundle, in memo order."""
    base = bundle.minerals("baseline")
    known = base[base["car"].notna() & (base["import_value_usd"] > 0)]
    ranked = bundle.top_minerals(len(known), which="baseline")
    above = ranked[ranked["car"] > threshold]
    out = [_overview(bundle, known, ranked, above, threshold)]
    out += [_mineral(bundle, m, row) for m, row in above.head(MAX_MINERALS).iterrows()]
    for kind, frame, key, noun in (("sectors", bundle.baseline.sectors, "sector", "infrastructure sectors"),
                                   ("defense", bundle.baseline.defense, "category", "defense-use categories")):
        finding = _rollup(frame, key, noun, kind, threshold)
        if finding:
            out.append(finding)
    if bundle.scenario is not None:
        out += scenario_findings(bundle)
    for f in out:
        f.drafted = f.text
    return out


def _overview(bundle, known, ranked, above, threshold) -> Finding:
    years, group = bundle.years_text, bundle.group_phrase
    if not len(known):
        return Finding(f"No mineral has both US import data for {years} and a known net import "
                       "reliance, so no consumption at risk could be computed.", "overview",
                       numbers={"minerals_known": 0})
    lead = ranked.head(3)
    leaders = and_list([f"{m} ({pct_text(r['car'])})" for m, r in lead.iterrows()])
    text = (f"{len(above)} of {len(known)} minerals with US import data for {years} have more than "
            f"{pct_text(threshold)} of US apparent consumption at risk from imports from {group}; "
            f"highest: {leaders}.")
    numbers = {"minerals_above": len(above), "minerals_known": len(known), "threshold": threshold}
    numbers.update({f"car:{m}": float(r["car"]) for m, r in lead.iterrows()})
    return Finding(text, "overview", numbers=numbers)


def _mineral(bundle: ExportBundle, mineral: str, row: pd.Series) -> Finding:
    numbers = {"nir_pct": _num(row["nir_pct"]), "nir_qualifier": str(row["nir_qualifier"]),
               "nir_edition": str(row["nir_edition"]), "group_share": float(row["group_share"]),
               "import_value_usd": float(row["import_value_usd"]), "car": float(row["car"])}
    first = f"{_name(mineral)}: {nir_text(row['nir_pct'], row['nir_qualifier'])}"
    if row["nir_edition"]:
        first += f" ({row['nir_edition']})"
    supply = (f"{pct_text(row['group_share'])} of {bundle.years_text} US import value "
              f"({usd_text(row['import_value_usd'])}) from {bundle.group_phrase}")
    world = _world_producer(bundle, mineral)
    if world:
        numbers.update({"world_top_country": world["country"], "world_top_share": world["share"]})
        supply += (f", while {world['country']} holds {pct_text(world['share'])} of world "
                   f"{world['what']} ({world['when']})")
    parts = [first, supply]
    if row["top_supplier"] and not _in_group_top(bundle, mineral, row):
        parts.append(f"top supplier {row['top_supplier']} ({pct_text(row['top_supplier_share'])})")
        numbers["top_supplier_share"] = float(row["top_supplier_share"])
    high = high_importance_sectors(bundle, mineral)
    numbers["high_sectors"] = len(high)
    numbers["sectors_total"] = len(bundle.reference.sectors)
    if high:
        named = f" ({and_list(high)})" if len(high) <= 3 else ""
        parts.append(f"high importance in {len(high)} of {numbers['sectors_total']} sectors{named}")
    parts.append(f"consumption at risk {pct_text(row['car'])}")
    flags = [f for f in str(row["flags"]).split("; ") if f]
    return Finding("; ".join(parts) + ".", "mineral", mineral, numbers, flags)


def _rollup(frame, key, noun, kind, threshold) -> Finding | None:
    ranked = frame[frame["weakest_link"].notna()].sort_values(["weakest_link", key],
                                                              ascending=[False, True])
    if not len(ranked):
        return None
    first = ranked.iloc[0]
    high = int((ranked["weakest_link"] > threshold).sum())
    text = (f"{high} of {len(frame)} {noun} have a weakest-link exposure above {pct_text(threshold)}; "
            f"highest: {first[key]} ({pct_text(first['weakest_link'])}, driven by "
            f"{first['driving_mineral']}; importance-weighted mean {pct_text(first['weighted_mean'])}).")
    return Finding(text, kind, numbers={"above": high, "total": len(frame), "top": str(first[key]),
                                        "weakest_link": float(first["weakest_link"]),
                                        "weighted_mean": _num(first["weighted_mean"]),
                                        "driving_mineral": str(first["driving_mineral"])})


def scenario_findings(bundle: ExportBundle) -> list[Finding]:
    """What the scenario changed: a summary, then the changed minerals (most consumption lost first)."""
    outcome = bundle.scenario
    deltas = outcome.deltas["minerals"]
    base, what = bundle.minerals("baseline"), bundle.minerals()
    changed = deltas[deltas["changed"]]
    sector_changes = outcome.deltas["sectors"]
    n_sectors = int(sector_changes["changed"].sum())
    name = outcome.scenario.name
    lost = what["consumption_lost"].reindex(changed.index).fillna(0.0)
    cost = float(what["added_tariff_cost_usd"].sum())
    numbers = {"minerals_changed": len(changed), "sectors_changed": n_sectors,
               "sectors_total": len(sector_changes), "added_tariff_cost_usd": cost}
    if not len(changed):
        return [Finding(f"Scenario “{name}”: no metric changes from the baseline.", "scenario",
                        numbers=numbers)]
    text = (f"Scenario “{name}”: metrics change for {len(changed)} "
            f"{'mineral' if len(changed) == 1 else 'minerals'} and for {n_sectors} of "
            f"{len(sector_changes)} infrastructure sectors")
    if lost.max() > 0:
        top = lost.idxmax()
        numbers[f"consumption_lost:{top}"] = float(lost[top])
        text += f"; largest consumption lost before substitution: {top} ({pct_text(lost[top])})"
    if cost > 0:
        text += f"; added tariff cost {usd_text(cost)} a year"
    out = [Finding(text + ".", "scenario", numbers=numbers)]
    order = changed.assign(_lost=lost, _car=changed["car"].abs().fillna(0.0),
                           _value=changed["import_value_usd"].abs(), _m=changed.index)
    order = order.sort_values(["_lost", "_car", "_value", "_m"], ascending=[False, False, False, True])
    for mineral in order.index[:MAX_SCENARIO_MINERALS]:
        out.append(_scenario_mineral(bundle, mineral, base.loc[mineral], what.loc[mineral]))
    return out


def _scenario_mineral(bundle, mineral: str, old: pd.Series, new: pd.Series) -> Finding:
    numbers = {key: _num(new[key]) for key in ("consumption_lost", "import_value_usd", "car", "hhi",
                                               "group_share", "added_tariff_cost_usd")}
    numbers.update({f"baseline_{key}": _num(old[key]) for key in ("import_value_usd", "car", "hhi")})
    parts = []
    if new["consumption_lost"] > 0:
        parts.append(f"{pct_text(new['consumption_lost'])} of US apparent consumption lost before "
                     "substitution")
    if _differs(old["import_value_usd"], new["import_value_usd"]):
        parts.append(f"{bundle.years_text} import value {usd_text(new['import_value_usd'])} "
                     f"(baseline {usd_text(old['import_value_usd'])})")
    if new["top_supplier"] != old["top_supplier"] and new["top_supplier"]:
        parts.append(f"top supplier {new['top_supplier']} ({pct_text(new['top_supplier_share'])}), "
                     f"was {old['top_supplier']}")
        numbers["top_supplier_share"] = float(new["top_supplier_share"])
    if _differs(old["hhi"], new["hhi"]):
        parts.append(f"supplier concentration (HHI) {_hhi(new['hhi'])} (baseline {_hhi(old['hhi'])})")
    if _differs(old["car"], new["car"]):
        parts.append(f"consumption at risk {pct_text(new['car'])} (baseline {pct_text(old['car'])})")
    if new["added_tariff_cost_usd"] > 0:
        parts.append(f"added tariff cost {usd_text(new['added_tariff_cost_usd'])} a year")
    if not parts:
        parts.append("net import reliance or importance changed (see Table 2)")
    flags = [f for f in str(new["flags"]).split("; ") if f]
    return Finding(f"{_name(mineral)} under the scenario: " + "; ".join(parts) + ".", "scenario",
                   mineral, numbers, flags)


# --- numbers as a reader says them ---------------------------------------------------------------
def usd_text(value: float) -> str:
    """'$1.2 billion', '$31.5 million', '$367 million' (three digits need no decimal)."""
    value = float(value)
    if value != value:
        return "n/a"
    sign = "-" if value < 0 else ""
    size = abs(value)
    for unit, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if size >= unit:
            x = size / unit
            return f"{sign}${x:,.0f} {word}" if round(x, 1) >= 100 else f"{sign}${x:,.1f} {word}"
    return f"{sign}${size:,.0f}"


def count_text(n: int) -> str:
    """Whole numbers under ten in words, as memos write them ('six', '10')."""
    words = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    return words[n] if 0 <= n < 10 else f"{n:,}"


# --- look-ups ---------------------------------------------------------------------------------
def high_importance_sectors(bundle: ExportBundle, mineral: str) -> list[str]:
    """Sectors (NSM-22 names, reference order) where the mineral has high importance."""
    matrix = bundle.supply("baseline").sectors
    if mineral not in matrix.minerals:
        return []
    levels = matrix.level[matrix.minerals.index(mineral)]
    return [key for key, level in zip(matrix.keys, levels) if level == 3]


def _world_producer(bundle: ExportBundle, mineral: str) -> dict | None:
    """The leading world producer, its share of world production, the stage and year."""
    shares = bundle.reference.world_shares()
    if mineral not in shares.index:
        return None
    row = shares.loc[mineral]
    if not row["top_country"] or row["top_share"] != row["top_share"]:
        return None
    stage = STAGE_WORDS.get(row["stage"], "")
    form = str(row["form"] or "").strip()
    what = f"{stage} production" if stage else f"{form or 'primary'} production"
    edition = bundle.reference.tables["world_production"].edition.split(" (")[0]
    return {"country": str(row["top_country"]), "share": float(row["top_share"]), "what": what,
            "when": f"{int(row['year'])}, {edition.replace('Mineral Commodity Summaries', 'MCS')}"}


def _in_group_top(bundle, mineral: str, row: pd.Series) -> bool:
    """True when the top supplier's share is the whole group share (saying it twice adds nothing)."""
    return abs(float(row["top_supplier_share"]) - float(row["group_share"])) < 5e-4


def _name(mineral: str) -> str:
    return mineral[:1].upper() + mineral[1:]


def and_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _hhi(value) -> str:
    return "n/a" if value != value else f"{value:,.0f}"


def _differs(a, b) -> bool:
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) != math.isnan(b)
    return abs(a - b) > 1e-9 * max(1.0, abs(a))


def _num(value):
    if isinstance(value, str):
        return value
    value = float(value)
    return None if math.isnan(value) else value


def _json_number(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
