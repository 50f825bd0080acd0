"""Census USA Trade Online flat CSV -> TradeFrame + ImportReport (FORMATS.md §2).

Header `Commodity, Country, District, Time, Customs  Value (Cons) ($US)` (header names are
matched with whitespace collapsed: the real export writes two spaces after "Customs"), often
with a trailing empty column. `Commodity` glues code, description and unit
(`8105206000 Unwrought Cobalt Exc Alloys, Incl Powders (kg)`): the code is kept as text, the
unit goes to quantity rows. Values are text with separators (`"45,728,453"`). A corrupt cell
drops its row with the reason and line number, never a guess. The low-value-transactions line
(`9999950000`) is kept: it maps to no mineral and the unmapped report lists it.

Districts: rows of single districts add up to the `All Districts` row of the same commodity,
country and period; when both are present only `All Districts` is kept (else the value would
count twice), and the district rows are checked against it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..tradeframe import build_tradeframe
from .dataweb_common import parse_numbers
from .census_variables import nested_parents, split_commodity, value_column
from .report import Checksum, ImportReport, file_sha256
from .text_common import (Steps, guarded_read, first_rows, label_series, labels_series, month_series,
                          norm_header, parse_periods, partner_codes, read_grid, text_series)
from .textfile import decode_head, read_text

FORMAT = "census_usa_trade_csv"
LABEL = "Census USA Trade Online CSV"
CITATION = ("U.S. Census Bureau, USA Trade Online, accessed [access date unknown "
            "(CSV exports carry no download date)].")
HEADER_SEARCH_ROWS = 20
ALL_DISTRICTS = ("all districts", "all ports", "")
KEY_COLUMNS = {"commodity": "commodity", "country": "country", "district": "district",
               "time": "time", "port": "district"}
_FLOW_PREFERENCE = ("imports_consumption", "imports_general", "exports", "unknown")

# reasons a row (or one measure of it) is not kept
BAD_COMMODITY = "Commodity does not start with a 2-10 digit code"
BAD_TIME = "Time is not a year or a month"
NO_COUNTRY = "Country is empty"
TOTAL_ROW = "total row (not data)"
DISTRICT_DUPLICATE = "single-district row also covered by an 'All Districts' row (would double count)"
NESTED = "coarser commodity also broken out in the file (would double count)"
WORLD_DUPLICATE = "all-countries total row of a file that also has its countries (checksum, not data)"

__all__ = ["FORMAT", "LABEL", "sniff", "read"]


@dataclass
class ValueColumn:
    index: int
    header: str
    measure: str
    flow: str


def sniff(path: str | Path, head: bytes) -> bool:
    """A header row with `Commodity` and `Time` (or a `$US` value column) near the top."""
    if head[:2] == b"PK" or head[:4] == b"\xd0\xcf\x11\xe0":
        return False
    for line in decode_head(head).splitlines()[:HEADER_SEARCH_ROWS]:
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
        try:
            cells = {norm_header(c).lower() for c in next(csv.reader([line], delimiter=delimiter), [])}
        except csv.Error:
            continue
        if "commodity" in cells and ("time" in cells or any("($us)" in c for c in cells)):
            return True
    return False


def read(path: str | Path, *, progress=None, cancel=None) -> tuple[pd.DataFrame, ImportReport]:
    """Read a USA Trade Online CSV; row numbers are the file's 1-based line numbers."""
    return guarded_read(path, progress, cancel, _read, "USA Trade Online CSV")


def _read(path: Path, step: Steps) -> tuple[pd.DataFrame, ImportReport]:
    step(0.0, "reading text")
    textfile = read_text(path)
    report = ImportReport(file=str(path), sha256=file_sha256(path), format=FORMAT,
                          layout="long", encoding=textfile.encoding, citation=CITATION)
    if textfile.note:
        report.warnings.append(textfile.note)
    grid = read_grid(textfile)
    head = [[cell or "" for cell in row] for row in grid.head(HEADER_SEARCH_ROWS)]
    header_at = _find_header(head, path)
    header = [norm_header(c) for c in head[header_at]]
    if header_at:
        report.query_parameters["preamble"] = " | ".join(
            " ".join(c for c in row if c.strip()) for row in head[:header_at] if any(row))
    keys, values = _columns(header, path, grid.lines[header_at], report)
    step(0.2, "splitting columns")
    lines = grid.lines[header_at + 1:]
    cols = [c.slice(header_at + 1) for c in grid.columns]
    present = _present_rows(cols, lines, report)
    if not present.all():
        cols = [c.filter(pa.array(present)) for c in cols]
        lines = lines[present]
    report.rows_read = int(present.sum())
    _unused_columns(cols, header, keys, values, report)
    step(0.4, "reading codes, periods and countries")
    keep, parts = _key_fields(cols, keys, lines, report)
    step(0.6, "checking districts and totals")
    keep &= _district_duplicates(cols, keys, values, parts, lines, keep, report)
    keep &= _world_totals(parts, lines, keep, report)
    keep &= ~_nested(parts, lines, keep, report)
    step(0.7, "reading values")
    frame = _frame(report, cols, values, parts, lines, keep)
    step(1.0, "done")
    return frame, report


def _drop(report: ImportReport, reason: str, lines: np.ndarray) -> None:
    if len(lines):
        report.rows_dropped.setdefault(reason, []).extend(np.asarray(lines, np.int64).tolist())


def _find_header(rows: list[list[str]], path: Path) -> int:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [norm_header(c).lower() for c in row]
        if "commodity" in cells and any(value_column(c) for c in cells if c not in KEY_COLUMNS):
            return i
    raise InputError(path, f"no header row with 'Commodity' and a value column such as "
                           f"'Customs Value (Cons) ($US)' in the first {HEADER_SEARCH_ROWS} lines")


def _columns(header: list[str], path: Path, line: int,
             report: ImportReport) -> tuple[dict[str, int], list[ValueColumn]]:
    keys: dict[str, int] = {}
    found: list[ValueColumn] = []
    for j, name in enumerate(header):
        role = KEY_COLUMNS.get(name.lower())
        if role and role not in keys:
            keys[role] = j
        elif (vc := value_column(name)) is not None and not role:
            found.append(ValueColumn(j, name, *vc))
    for role in ("commodity", "country", "time"):
        if role not in keys:
            raise InputError(path, f"the header has no '{role.title()}' column", row=int(line))
    flows = sorted({v.flow for v in found}, key=_FLOW_PREFERENCE.index)
    report.flow = flows[0]            # a column that names no flow goes with the file's flow
    if len([f for f in flows if f != "unknown"]) > 1:
        ignored = [v.header for v in found if v.flow not in (report.flow, "unknown")]
        report.warnings.append(f"value columns of several flows; {report.flow} is read and "
                               f"{ignored} are not (one flow per import keeps sums honest)")
    found = [v for v in found if v.flow in (report.flow, "unknown")]
    chosen, seen = [], set()
    for v in found:
        if v.measure not in seen:
            seen.add(v.measure)
            chosen.append(v)
        else:
            report.warnings.append(f"column '{v.header}' repeats measure {v.measure}; not read")
    if report.flow == "unknown":
        report.warnings.append(f"the value column {chosen[0].header!r} does not say Cons, Gen "
                               "or exports: the trade flow is unknown")
    report.measures = [v.measure for v in chosen]
    report.primary_measure = next((m for m in ("customs_value", "fas_value", "cif_value")
                                   if m in report.measures), report.measures[0])
    report.hs_editions = ["Schedule B" if report.flow == "exports" else "HTS"]
    return keys, chosen


def _present_rows(cols: list[pa.Array], lines: np.ndarray, report: ImportReport) -> np.ndarray:
    """Rows with at least one cell; blank lines at the end are not rows at all."""
    if not cols:
        return np.zeros(len(lines), bool)
    filled = np.zeros(len(lines), bool)
    for col in cols:
        filled |= np.asarray(pc.is_valid(col))
    last = np.flatnonzero(filled)
    end = int(last[-1]) + 1 if len(last) else 0
    _drop(report, "blank line", lines[:end][~filled[:end]])
    return filled


def _unused_columns(cols, header, keys, values, report: ImportReport) -> None:
    used = set(keys.values()) | {v.index for v in values}
    for j, name in enumerate(header):
        if j in used or (cols[j].null_count == len(cols[j])):
            continue   # a trailing empty column (`Unnamed: 5`, or no header) is no loss
        report.warnings.append(f"column '{name or j + 1}' is not a column the workbench "
                               "reads; ignored")


def _key_fields(cols, keys, lines: np.ndarray, report: ImportReport):
    """Codes, units, periods and countries of every row; rows failing a check are dropped."""
    commodity = cols[keys["commodity"]]
    code, _description, unit, code_ok = split_commodity(commodity)
    is_total = np.asarray(pc.fill_null(pc.match_substring_regex(
        commodity, r"(?i)^\s*total\b"), False))
    year, month, time_ok = parse_periods(pc.utf8_trim_whitespace(cols[keys["time"]]))
    country = pc.utf8_trim_whitespace(pc.fill_null(cols[keys["country"]], ""))
    country_ok = np.asarray(pc.not_equal(country, ""))
    keep = np.ones(len(lines), bool)
    for reason, bad in ((TOTAL_ROW, is_total), (BAD_COMMODITY, ~code_ok), (BAD_TIME, ~time_ok),
                        (NO_COUNTRY, ~country_ok)):
        hit = bad & keep
        if hit.any():
            _drop(report, reason, lines[hit])
            keep &= ~hit
            if reason != TOTAL_ROW:
                examples = _examples(cols, keys, reason, hit, lines)
                report.warnings.append(f"{int(hit.sum())} row(s) dropped, {reason.lower()}: "
                                       f"{examples}")
    district = cols[keys["district"]] if "district" in keys else None
    parts = {"code": code, "unit": unit, "year": year, "month": month, "country": country,
             "district": district}
    return keep, parts


def _examples(cols, keys, reason: str, hit: np.ndarray, lines: np.ndarray) -> str:
    column = {BAD_COMMODITY: "commodity", BAD_TIME: "time", NO_COUNTRY: "country"}[reason]
    idx = np.flatnonzero(hit)[:3]
    shown = "; ".join(f"line {lines[i]}: {cols[keys[column]][int(i)].as_py()!r}" for i in idx)
    return shown + (f"; ... ({int(hit.sum())} in all)" if hit.sum() > 3 else "")


def _group_keys(parts) -> pd.DataFrame:
    """Commodity, country and period of every row, for matching rows across the file."""
    return pd.DataFrame({"code": parts["code"].to_numpy(zero_copy_only=False),
                         "country": parts["country"].to_numpy(zero_copy_only=False),
                         "year": parts["year"], "month": parts["month"]})


def _district_duplicates(cols, keys, values, parts, lines, keep, report: ImportReport) -> np.ndarray:
    """Drop single-district rows whose commodity/country/period also has an All Districts row."""
    ok = np.ones(len(lines), bool)
    district = parts["district"]
    if district is None:
        return ok
    name = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(district, "")))
    is_all = np.asarray(pc.is_in(name, value_set=pa.array(ALL_DISTRICTS)))
    single = ~is_all & keep
    if not single.any():
        return ok
    keyframe = _group_keys(parts)
    all_keys = pd.MultiIndex.from_frame(keyframe[is_all & keep])
    covered = pd.MultiIndex.from_frame(keyframe).isin(all_keys) & single
    if covered.any():
        _drop(report, DISTRICT_DUPLICATE, lines[covered])
        primary = next(v for v in values if v.measure == report.primary_measure)
        _check_districts(cols[primary.index], keyframe, covered, is_all & keep, lines, report)
        ok &= ~covered
    alone = single & ~covered
    if alone.any():
        report.warnings.append(f"{int(alone.sum())} rows are single districts (e.g. "
                               f"{district[int(np.flatnonzero(alone)[0])].as_py()!r}, "
                               f"{first_rows(lines[alone], 3)}): they are kept and add up per "
                               "country; do not also load an All Districts file of the same query")
    return ok


def _check_districts(cells, keyframe, covered, is_all, lines, report: ImportReport) -> None:
    value, _, _ = parse_numbers(cells)
    key = list(keyframe.columns)
    parts = keyframe.assign(value=value)
    singles = parts[covered].groupby(key)["value"].sum()
    totals = parts[is_all].groupby(key)["value"].sum().reindex(singles.index)
    off = (singles - totals).abs() > 0.5
    report.warnings.append(f"{int(covered.sum())} single-district rows dropped because the file "
                           "also has 'All Districts' rows for the same commodity, country and "
                           f"period ({first_rows(lines[covered], 3)})"
                           + (f"; for {int(off.sum())} of them the districts do not add up to "
                              "All Districts" if off.any() else "; the districts add up to them"))


def _world_totals(parts, lines, keep, report: ImportReport) -> np.ndarray:
    """A `World Total` row with the countries of the same commodity/period is a checksum."""
    codes = partner_codes(parts["country"]).to_numpy()
    parts["partner_code"] = codes
    world = (codes == "WLD") & keep
    countries = (codes != "WLD") & keep
    ok = np.ones(len(lines), bool)
    if not world.any() or not countries.any():
        return ok
    keyframe = _group_keys(parts).drop(columns="country")
    covered = pd.MultiIndex.from_frame(keyframe[world]).isin(
        pd.MultiIndex.from_frame(keyframe[countries]))
    hits = np.flatnonzero(world)[covered]
    _drop(report, WORLD_DUPLICATE, lines[hits])
    ok[hits] = False
    parts["world_rows"] = hits
    return ok


def _nested(parts, lines, keep, report: ImportReport) -> np.ndarray:
    """Coarser codes whose finer codes are in the file for the same country, district and
    period (an HS4 row beside its HS10 rows) are dropped: adding both counts twice."""
    partner = parts["country"]
    if parts["district"] is not None:
        partner = pc.binary_join_element_wise(partner, pc.fill_null(parts["district"], ""), "|")
    parents = nested_parents(parts["code"], partner, parts["year"], parts["month"], keep)
    if parents.any():
        _drop(report, NESTED, lines[parents])
        report.warnings.append(f"{int(parents.sum())} row(s) of a commodity whose finer codes "
                               f"are also in the file were dropped ({first_rows(lines[parents], 3)}"
                               "): they would double count")
    return parents


def _frame(report: ImportReport, cols, values: list[ValueColumn], parts, lines, keep) -> pd.DataFrame:
    """One TradeFrame row per kept row and value column with a number."""
    pieces = []
    for vc in values:
        value, empty, bad = parse_numbers(cols[vc.index])
        for reason, mask in ((f"empty '{vc.header}' cell", empty & keep),
                             (f"non-numeric '{vc.header}' cell", bad & keep)):
            _drop(report, reason, lines[mask])
            if mask.any() and "non-numeric" in reason:
                idx = np.flatnonzero(mask)[:3]
                shown = "; ".join(f"line {lines[i]}: {cols[vc.index][int(i)].as_py()!r}"
                                  for i in idx)
                report.warnings.append(f"{int(mask.sum())} {reason}(s) dropped, never guessed: "
                                       + shown)
        take = np.flatnonzero(keep & ~empty & ~bad)
        if vc.measure == report.primary_measure:
            _checksum(report, value, parts, keep & ~empty & ~bad)
        unit = (label_series("USD", len(take)) if not vc.measure.startswith("quantity")
                else text_series(parts["unit"].take(pa.array(take))))
        pieces.append((vc.measure, take, value[take], unit))
    if all(len(t) == 0 for _, t, _, _ in pieces):
        report.warnings.append("no data rows were kept")
    take = np.concatenate([t for _, t, _, _ in pieces])
    picked = pa.array(take, pa.int64())
    n = len(take)
    counts = [len(t) for _, t, _, _ in pieces]
    frame = build_tradeframe({
        "source_id": label_series(report.sha256, n), "sheet": label_series("", n),
        "flow": label_series(report.flow, n), "hs_edition": label_series(report.hs_editions[0], n),
        "row": pd.Series(lines[take], dtype="int64"),
        "measure": labels_series([m for m, _, _, _ in pieces], counts),
        "unit": pd.concat([u for _, _, _, u in pieces], ignore_index=True).astype("category"),
        "hts": text_series(parts["code"].take(picked)),
        "year": pd.Series(parts["year"][take], dtype="int64"),
        "month": month_series(parts["month"][take]),
        "partner_raw": text_series(parts["country"].take(picked)),
        "partner_code": text_series(pa.array(parts["partner_code"][take], pa.large_string())),
        "value": pd.Series(np.concatenate([v for _, _, v, _ in pieces]), dtype="float64"),
    }, n_rows=n)
    report.rows_kept = n
    primary = (frame["measure"] == report.primary_measure).to_numpy()
    report.total_usd = float(frame["value"].to_numpy()[primary].sum()) \
        if not report.primary_measure.startswith("quantity") else 0.0
    report.years = sorted(int(y) for y in np.unique(frame["year"].to_numpy()))
    return frame


def _checksum(report: ImportReport, value: np.ndarray, parts, kept: np.ndarray) -> None:
    """World Total rows dropped as duplicates check the countries of their commodity/period."""
    hits = parts.get("world_rows")
    if hits is None or not len(hits):
        return
    keyframe = _group_keys(parts).drop(columns="country").assign(value=value)
    key = ["code", "year", "month"]
    expected = keyframe.iloc[hits].groupby(key)["value"].sum()
    countries = keyframe[kept & (parts["partner_code"] != "WLD")].groupby(key)["value"].sum()
    found = countries.reindex(expected.index).fillna(0.0)
    report.checksum = Checksum.compare(expected.sum(), found.sum())
    report.checksums[report.primary_measure] = report.checksum
    if not report.checksum.ok:
        report.warnings.append(f"the countries sum to {found.sum():,.2f} but the file's "
                               f"all-countries rows say {expected.sum():,.2f}")
