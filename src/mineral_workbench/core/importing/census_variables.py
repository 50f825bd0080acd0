"""Census trade vocabulary shared by the USA Trade Online CSV and Census API JSON importers.

Which CSV columns and API variables hold which measure and flow; the glued `Commodity` field
(one parse per distinct value); which rows are country groups; which rows are coarser
commodities also broken out in the same file; which year-to-date row stands for the year.
All vectorized over Arrow/numpy columns (no per-row Python).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .dataweb_layout import MONTHS
from .report import ImportReport
from .text_common import norm_header

#: (variable pattern, measure, unit variable); group 1 is GEN/CON where the flow is in the name
IMPORT_VARIABLES = (
    (r"^(GEN|CON)_VAL_(MO|YR)$", "customs_value", None),
    (r"^(GEN|CON)_CIF_(MO|YR)$", "cif_value", None),
    (r"^(GEN|CON)_CHA_(MO|YR)$", "import_charges", None),
    (r"^(GEN|CON)_QY1_(MO|YR)$", "quantity_1", "UNIT_QY1"),
    (r"^(GEN|CON)_QY2_(MO|YR)$", "quantity_2", "UNIT_QY2"),
    (r"^()DUT_VAL_(MO|YR)$", "dutiable_value", None),      # consumption only
    (r"^()CAL_DUT_(MO|YR)$", "calculated_duties", None),   # consumption only
)
EXPORT_VARIABLES = (
    (r"^()ALL_VAL_(MO|YR)$", "fas_value", None),
    (r"^()QTY_1_(MO|YR)$", "quantity_1", "UNIT_QY1"),
    (r"^()QTY_2_(MO|YR)$", "quantity_2", "UNIT_QY2"),
)
PRIMARY = {"imports_consumption": "customs_value", "imports_general": "customs_value",
           "exports": "fas_value"}
_COMMODITY_RE = r"^\s*(\d+)(?:\s+(.*?))?\s*$"
_MONTH_NAMES = {v: k.title() for k, v in MONTHS.items() if len(k) > 3}


@dataclass(frozen=True)
class MeasureVar:
    variable: str          # e.g. CON_VAL_MO
    measure: str           # TradeFrame measure id
    year_to_date: bool     # True: a *_YR variable read because no *_MO one was requested
    unit_var: str          # variable holding the unit (quantities), else "USD"


def _matches(header: list[str], table) -> list[tuple[str, str, str, str, str | None]]:
    """(variable, GEN/CON/'', MO/YR, measure, unit variable) for each recognised variable."""
    out = []
    for name in dict.fromkeys(h.upper() for h in header):
        for pattern, measure, unit in table:
            match = re.match(pattern, name)
            if match:
                out.append((name, match.group(1), match.group(2), measure, unit))
    return out


def choose_measures(header: list[str], report: ImportReport) -> list[MeasureVar]:
    """Pick the flow and, per measure, the monthly (else year-to-date) variable.

    Sets report.flow, measures and primary_measure; every variable not read is named in a
    warning with the reason.
    """
    upper = {h.upper() for h in header}
    exports = _matches(header, EXPORT_VARIABLES)
    imports = _matches(header, IMPORT_VARIABLES)
    if exports and ("E_COMMODITY" in upper or not imports):
        report.flow, found = "exports", exports
        ignored = [m[0] for m in imports]
    else:
        prefixes = {m[1] for m in imports}
        cons = "CON" in prefixes or ("" in prefixes and "GEN" not in prefixes)
        report.flow = "imports_consumption" if cons else "imports_general"
        wanted = "CON" if cons else "GEN"
        found = [m for m in imports if m[1] == wanted or (m[1] == "" and cons)]
        ignored = [m[0] for m in imports if m not in found] + [m[0] for m in exports]
    if ignored:
        report.warnings.append(f"variables {ignored} are not read: one flow per import "
                               f"({report.flow}) keeps sums honest")
    chosen: list[MeasureVar] = []
    for measure in dict.fromkeys(m[3] for m in found):
        monthly = [m for m in found if m[3] == measure and m[2] == "MO"]
        ytd = [m for m in found if m[3] == measure and m[2] == "YR"]
        pick = (monthly or ytd)[0]
        if monthly and ytd:
            report.warnings.append(f"{ytd[0][0]} (year to date) not read: the monthly "
                                   f"{monthly[0][0]} is used (year-to-date values already "
                                   "include earlier months and are never added to them)")
        elif ytd:
            report.warnings.append(f"only year-to-date {ytd[0][0]} for {measure}: each year's "
                                   "latest month (December when published) is used as the "
                                   "annual value; earlier months are not added")
        chosen.append(MeasureVar(pick[0], measure, pick[2] == "YR", pick[4] or "USD"))
    report.measures = [m.measure for m in chosen]
    wanted_primary = PRIMARY.get(report.flow)
    report.primary_measure = wanted_primary if wanted_primary in report.measures else (
        report.measures[0] if report.measures else "")
    if chosen and wanted_primary not in report.measures:
        report.warnings.append(f"no {wanted_primary} variable: primary measure is "
                               f"{report.primary_measure}")
    return chosen


def value_column(header: str) -> tuple[str, str] | None:
    """(measure, flow) of a value or quantity column header, None for any other column."""
    h = norm_header(header).lower()
    if "general" in h or "(gen)" in h:
        flow = "imports_general"
    elif "consumption" in h or "(cons)" in h:
        flow = "imports_consumption"
    elif "export" in h or "fas" in h:
        flow = "exports"
    else:
        flow = "unknown"
    rules = (("cif", "cif_value"), ("dutiable", "dutiable_value"),
             ("calculated dut", "calculated_duties"), ("charges", "import_charges"),
             ("first unit", "quantity_1"), ("quantity 1", "quantity_1"),
             ("second unit", "quantity_2"), ("quantity 2", "quantity_2"), ("fas", "fas_value"),
             ("customs value", "customs_value"))
    measure = next((m for word, m in rules if word in h), None)
    if measure is None and ("($us)" in h or h.endswith("value")):
        measure = "fas_value" if flow == "exports" else "customs_value"
    if measure is None:
        return None
    if flow == "unknown" and measure in ("dutiable_value", "calculated_duties"):
        flow = "imports_consumption"   # duties are only reported for imports for consumption
    return measure, flow


def split_commodity(cells: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array, np.ndarray]:
    """Glued `Commodity` cells -> (code, description, unit, is_valid), per distinct value.

    `8105206000 Unwrought Cobalt Exc Alloys, Incl Powders (kg)` -> `8105206000`,
    `Unwrought Cobalt Exc Alloys, Incl Powders`, `kg`. The unit is the last parenthesised
    group at the end. A code must be 2, 4, 6, 8 or 10 digits.
    """
    encoded = pc.dictionary_encode(pc.fill_null(cells, ""))
    codes, descriptions, units, valid = [], [], [], []
    for text in encoded.dictionary.to_pylist():
        match = re.match(_COMMODITY_RE, text)
        code = match.group(1) if match else ""
        rest = (match.group(2) or "") if match else text.strip()
        unit_match = re.search(r"\(([^()]*)\)\s*$", rest)
        codes.append(code)
        units.append(unit_match.group(1).strip() if unit_match else "")
        descriptions.append(rest[:unit_match.start()].strip() if unit_match else rest)
        valid.append(len(code) in (2, 4, 6, 8, 10) and (not rest or not rest[0].isdigit()))
    take = encoded.indices
    return (pa.array(codes, pa.string()).take(take), pa.array(descriptions, pa.string()).take(take),
            pa.array(units, pa.string()).take(take), np.array(valid + [False])[np.asarray(take)])


def group_rows(summary: pa.Array | None, cty_code: pa.Array | None, n: int) -> np.ndarray:
    """Country-group rows: SUMMARY_LVL `CGP`, or (without SUMMARY_LVL) a Schedule C group
    code (`0003` European Union, `4XXX` Europe)."""
    if summary is not None:
        level = pc.utf8_upper(pc.utf8_trim_whitespace(pc.fill_null(summary, "")))
        return np.asarray(pc.equal(level, "CGP"))
    if cty_code is not None:
        return np.asarray(pc.fill_null(pc.match_substring_regex(cty_code, r"^0\d{3}$|X"), False))
    return np.zeros(n, bool)


def nested_parents(code: pa.Array, partner: pa.Array, year: np.ndarray, month: np.ndarray,
                   keep: np.ndarray) -> np.ndarray:
    """Kept rows whose code is a strict prefix of another kept row's code for the same
    partner and period (an HS4 total beside its HS10 lines): adding both counts twice."""
    out = np.zeros(len(keep), bool)
    if not keep.any():
        return out
    length = np.asarray(pc.utf8_length(code))
    if len(np.unique(length[keep])) < 2:
        return out
    frame = pd.DataFrame({"code": code.to_numpy(zero_copy_only=False),
                          "partner": partner.to_numpy(zero_copy_only=False),
                          "year": year, "month": month})
    prefixes = []
    for size in (2, 4, 6, 8):
        longer = keep & (length > size)
        if longer.any():
            part = frame[longer].copy()
            part["code"] = part["code"].str.slice(0, size)
            prefixes.append(part)
    if not prefixes:
        return out
    children = pd.MultiIndex.from_frame(pd.concat(prefixes).drop_duplicates())
    out[keep] = pd.MultiIndex.from_frame(frame[keep]).isin(children)
    return out


def ytd_latest(keys: dict, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(latest, superseded): per commodity, partner and year, the row of the latest month."""
    latest = np.zeros(len(mask), bool)
    if mask.any():
        frame = pd.DataFrame({"code": keys["code"].to_numpy(zero_copy_only=False),
                              "name": keys["name"].to_numpy(zero_copy_only=False),
                              "year": keys["year"], "month": keys["month"],
                              "at": np.arange(len(mask))})[mask]
        last = frame.sort_values("month", kind="stable").drop_duplicates(
            ["code", "name", "year"], keep="last")["at"].to_numpy()
        latest[last] = True
    return latest, mask & ~latest


def partial_years(year: np.ndarray, month: np.ndarray) -> str:
    """`2024 through June` for years whose latest month is before December."""
    if not len(year):
        return ""
    latest = pd.Series(month).groupby(year).max()
    partial = latest[(latest > 0) & (latest < 12)]
    return ", ".join(f"{y} through {_MONTH_NAMES[int(m)]}" for y, m in partial.items())
