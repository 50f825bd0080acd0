"""Census international trade API JSON -> TradeFrame + ImportReport (FORMATS.md §3).

The API answers with an array of arrays of strings; the first inner array names the
variables. Rows are numbered as the index of the inner array in the file (header = 1).

Decisions, each reported when it applies:
- Countries are normalized by `CTY_NAME` (Census names); the Schedule C `CTY_CODE` is kept as
  provenance in `report.query_parameters["CTY_CODE"]` (`5700=CHINA; ...`).
- `CTY_CODE` `-` / `TOTAL FOR ALL COUNTRIES` rows are checksums per commodity and period, never
  data. Country groups (`SUMMARY_LVL` `CGP`: European Union, Asia, ...) add up countries that
  are also in the file, so they are dropped with a reason (their value is in a warning): a
  group is not a supplier and must never be added to country rows.
- Monthly variables (`GEN_VAL_MO`) are read when present; year-to-date ones (`GEN_VAL_YR`) are
  then not read (never summed with monthly values). With only year-to-date values, the latest
  month of each year (December when published) gives an annual value, and the report says so.
- One flow per import: with both `GEN_` and `CON_` variables, imports for consumption are read.
- A variable both requested and used as a filter appears twice: the first is used, and a
  disagreement between the copies is reported.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..tradeframe import build_tradeframe
from .dataweb_common import parse_numbers
from .census_variables import (MeasureVar, choose_measures, group_rows, nested_parents,
                               partial_years, ytd_latest)
from .report import Checksum, ImportReport, file_sha256
from .text_common import (Steps, guarded_read, label_series, labels_series, month_series, parse_periods,
                          partner_codes, text_series)
from .textfile import decode_head, read_text

FORMAT = "census_api_json"
LABEL = "Census international trade API JSON"
CITATION = ("U.S. Census Bureau, International Trade API ({endpoint}), accessed [access date "
            "unknown (API responses carry no download date)]. This product uses the Census "
            "Bureau Data API but is not endorsed or certified by the Census Bureau.")
KNOWN_VARIABLES = ("I_COMMODITY", "E_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_MO",
                   "CON_VAL_MO", "ALL_VAL_MO", "GEN_VAL_YR", "CON_VAL_YR", "ALL_VAL_YR")
TOTAL_NAME = "TOTAL FOR ALL COUNTRIES"

MALFORMED = "row is not an array of one value per variable"
BAD_CODE = "commodity is not a 2-10 digit code"
BAD_TIME = "time is not a year or a month (YYYY-MM)"
TOTAL_ROW = "all-countries total row (checksum, not data)"
GROUP_ROW = "country group (SUMMARY_LVL CGP): an aggregate of countries, not a supplier"
NESTED = "coarser commodity also broken out in the file (would double count)"

__all__ = ["FORMAT", "LABEL", "sniff", "read"]


def sniff(path: str | Path, head: bytes) -> bool:
    """An array of arrays whose first row names Census trade variables."""
    text = decode_head(head).lstrip()
    if not re.match(r'\[\s*\[\s*"', text):
        return False
    first = text[:4096].split("]", 1)[0].upper()
    return any(f'"{name}"' in first for name in KNOWN_VARIABLES)


def read(path: str | Path, *, progress=None, cancel=None) -> tuple[pd.DataFrame, ImportReport]:
    return guarded_read(path, progress, cancel, _read, "Census API JSON")


def _read(path: Path, step: Steps) -> tuple[pd.DataFrame, ImportReport]:
    step(0.0, "reading text")
    textfile = read_text(path)
    report = ImportReport(file=str(path), sha256=file_sha256(path), format=FORMAT,
                          layout="long", encoding=textfile.encoding)
    if textfile.note:
        report.warnings.append(textfile.note)
    header, body = _parse(path, textfile.text)
    step(0.3, "reading variables")
    report.rows_read = len(body)
    cols, rows = _columns(header, body, report)
    del body
    measures = choose_measures(header, report)
    if not measures:
        raise InputError(path, "no value variable the workbench reads (e.g. GEN_VAL_MO, "
                               f"CON_VAL_MO, ALL_VAL_MO); variables: {header}", row=1)
    exports = report.flow == "exports"
    report.citation = CITATION.format(endpoint="api.census.gov/data/timeseries/intltrade/"
                                      + ("exports/hs" if exports else "imports/hs"))
    report.hs_editions = ["Schedule B" if exports else "HTS"]
    report.query_parameters["variables"] = ",".join(header)
    step(0.5, "classifying rows")
    keys = _keys(path, cols, rows, exports, report)
    step(0.7, "reading values")
    frame = _frame(report, cols, rows, keys, measures)
    step(1.0, "done")
    return frame, report


def _parse(path: Path, text: str) -> tuple[list[str], list]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON at line {exc.lineno}, column {exc.colno}: "
                               f"{exc.msg}") from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply: not a Census API response") from None
    if not isinstance(data, list) or not data or not isinstance(data[0], list):
        raise InputError(path, "not a Census API response: expected an array of arrays whose "
                               "first array names the variables")
    header = data[0]
    if not header or not all(isinstance(name, str) and name.strip() for name in header):
        raise InputError(path, "the first array must hold the variable names (strings)", row=1)
    return [name.strip() for name in header], data[1:]


def _columns(header: list[str], body: list, report: ImportReport) -> tuple[dict, np.ndarray]:
    """Well-formed rows -> {variable: Arrow strings}; duplicated variables checked."""
    width = len(header)
    cells, ok = _cells(body, width)
    rows = np.arange(2, len(body) + 2, dtype=np.int64)
    if not ok.all():
        rows_bad = rows[~ok]
        report.rows_dropped.setdefault(MALFORMED, []).extend(rows_bad.tolist())
        report.warnings.append(f"{len(rows_bad)} row(s) dropped: not an array of {width} values "
                               f"(row {', '.join(map(str, rows_bad[:5].tolist()))}"
                               f"{', ...' if len(rows_bad) > 5 else ''})")
        rows = rows[ok]
    cols: dict[str, pa.Array] = {}
    for name, array in zip(header, cells):
        key = name.upper() if name.lower() != "time" else "time"
        if key not in cols:
            cols[key] = array
            continue
        same = pc.fill_null(pc.equal(pc.fill_null(cols[key], ""), pc.fill_null(array, "")), False)
        differ = np.flatnonzero(~np.asarray(same))
        if len(differ):
            report.warnings.append(f"variable {name} appears twice and the copies disagree "
                                   f"(first at row {rows[differ[0]]}); the first copy is used")
    return cols, rows


def _cells(body: list, width: int) -> tuple[list[pa.Array], np.ndarray]:
    """(one Arrow column per variable over the well-formed rows, is-well-formed per row).

    Arrow converts the whole list of lists at once; a file with numbers, nulls or objects
    where strings belong (never the API's own output) takes a slower per-row path.
    """
    try:
        if not all(type(row) is list for row in body):   # Arrow would split a string row
            raise pa.ArrowTypeError("a row is not an array")
        nested = pa.array(body, pa.list_(pa.string()))
        ok = np.asarray(pc.fill_null(pc.equal(pc.list_value_length(nested), width), False))
        if not ok.all():
            nested = nested.filter(pa.array(ok))
        return [pc.list_element(nested, j) if len(nested) else pa.array([], pa.string())
                for j in range(width)], ok
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    ok = np.fromiter((type(row) is list and len(row) == width for row in body), bool, len(body))
    kept = [row for row, good in zip(body, ok) if good]
    columns = list(zip(*kept)) if kept else [()] * width
    return [_strings(values) for values in columns], ok


def _strings(values: tuple) -> pa.Array:
    try:
        return pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):   # numbers or nested values in a mutated file
        return pa.array([v if isinstance(v, str) or v is None else json.dumps(v)
                         for v in values], pa.string())


def _keys(path: Path, cols: dict, rows: np.ndarray, exports: bool, report: ImportReport) -> dict:
    """Code, period, country and row class (data / total / group / dropped) of every row."""
    n = len(rows)
    code_var = "E_COMMODITY" if exports else "I_COMMODITY"
    if code_var in cols:
        code = pc.utf8_trim_whitespace(pc.fill_null(cols[code_var], ""))
        code_ok = np.asarray(pc.fill_null(pc.match_substring_regex(
            code, r"^(\d\d){1,5}$"), False))
    else:
        code, code_ok = pa.array([""] * n, pa.string()), np.ones(n, bool)
        report.warnings.append(f"no {code_var} variable: rows carry no commodity code and no "
                               "value maps to a mineral; request the commodity variable")
    year, month = _periods(path, cols, n)
    time_ok = year > 0
    name = cols.get("CTY_NAME")
    cty = cols.get("CTY_CODE")
    if name is None and cty is None:
        name = pa.array(["World"] * n, pa.string())
        report.warnings.append("no CTY_NAME or CTY_CODE: values are for all countries "
                               "together (partner 'World', aggregate WLD)")
    elif name is None:
        name = cty
        report.warnings.append("no CTY_NAME: countries are Schedule C codes, which the "
                               "workbench does not map; request CTY_NAME")
    name = pc.utf8_trim_whitespace(pc.fill_null(name, ""))
    cty_text = pc.utf8_trim_whitespace(pc.fill_null(cty, "")) if cty is not None else None
    is_total = np.asarray(pc.equal(pc.utf8_upper(name), TOTAL_NAME))
    if cty_text is not None:
        is_total |= np.asarray(pc.equal(cty_text, "-"))
    is_group = group_rows(cols.get("SUMMARY_LVL"), cty_text, n) & ~is_total
    keys = {"code": code, "year": year, "month": month, "name": name, "cty": cty_text,
            "total": is_total, "group": is_group}
    keep = np.ones(n, bool)
    for reason, bad in ((BAD_CODE, ~code_ok), (BAD_TIME, ~time_ok), (TOTAL_ROW, is_total),
                        (GROUP_ROW, is_group)):
        hit = bad & keep
        if hit.any():
            report.rows_dropped.setdefault(reason, []).extend(rows[hit].tolist())
            keep &= ~hit
            if reason in (BAD_CODE, BAD_TIME):
                report.warnings.append(f"{int(hit.sum())} row(s) dropped, {reason} (row "
                                       f"{', '.join(map(str, rows[hit][:5].tolist()))})")
    keys["valid"] = code_ok & time_ok          # totals are read as checksums when valid
    parents = nested_parents(code, name, year, month, keep)
    if parents.any():
        report.rows_dropped.setdefault(NESTED, []).extend(rows[parents].tolist())
        report.warnings.append(f"{int(parents.sum())} row(s) of a commodity whose finer codes "
                               "are also in the file were dropped (they would double count)")
        keep &= ~parents
    keys["keep"] = keep
    _country_codes(report, name, cty_text, keep)
    return keys


def _periods(path: Path, cols: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
    if "time" in cols:
        year, month, _ = parse_periods(pc.utf8_trim_whitespace(pc.fill_null(cols["time"], "")))
        return year, month
    if "YEAR" in cols:
        year, _, _ = parse_periods(cols["YEAR"])
        month = np.zeros(n, np.int64)
        if "MONTH" in cols:
            values, _, _ = parse_numbers(cols["MONTH"])
            ok = np.isfinite(values) & (values >= 1) & (values <= 12)
            month = np.where(ok, np.nan_to_num(values), 0).astype(np.int64)
            given = np.asarray(pc.not_equal(pc.utf8_trim_whitespace(
                pc.fill_null(cols["MONTH"], "")), ""))
            year = np.where(ok | ~given, year, 0)          # a MONTH that is no month: invalid
        return year, month
    raise InputError(path, "no time variable ('time' or YEAR/MONTH): the period is unknown", row=1)


def _country_codes(report: ImportReport, name: pa.Array, cty: pa.Array | None,
                   keep: np.ndarray) -> None:
    """`5700=CHINA; 1220=CANADA` in order of first appearance: Schedule C as provenance."""
    if cty is None or not keep.any():
        return
    pairs = pd.DataFrame({"code": cty.to_numpy(zero_copy_only=False)[keep],
                          "name": name.to_numpy(zero_copy_only=False)[keep]}).drop_duplicates()
    text = "; ".join(f"{c}={nm}" for c, nm in zip(pairs["code"], pairs["name"]))
    report.query_parameters["CTY_CODE"] = text


def _frame(report: ImportReport, cols: dict, rows: np.ndarray, keys: dict,
           measures: list[MeasureVar]) -> pd.DataFrame:
    pieces = []
    for mv in measures:
        value, empty, bad = parse_numbers(cols[mv.variable])
        data = keys["keep"].copy()
        totals = keys["total"] & keys["valid"]
        month = keys["month"]
        groups = keys["group"] & keys["valid"]
        if mv.year_to_date:
            latest, superseded = ytd_latest(keys, data | totals | groups)
            reason = f"{mv.variable}: year-to-date value of an earlier month (superseded)"
            report.rows_dropped.setdefault(reason, []).extend(rows[superseded & data].tolist())
            data &= latest
            totals &= latest
            groups &= latest
            if mv.measure == report.primary_measure and (partial := partial_years(
                    keys["year"][data], keys["month"][data])):
                report.warnings.append(f"year-to-date values are partial years: {partial}")
            month = np.zeros(len(rows), np.int64)     # the latest YTD is the year's value
        for reason, mask in ((f"empty {mv.variable}", empty & data),
                             (f"non-numeric {mv.variable}", bad & data)):
            if mask.any():
                report.rows_dropped.setdefault(reason, []).extend(rows[mask].tolist())
                if "non-numeric" in reason:
                    report.warnings.append(f"{int(mask.sum())} row(s) dropped, {reason} (row "
                                           f"{', '.join(map(str, rows[mask][:5].tolist()))})")
        data &= ~empty & ~bad
        if mv.measure == report.primary_measure:
            _checksum(report, keys, value, data, totals & ~empty & ~bad, month)
            _group_note(report, keys, value, groups & ~empty & ~bad)
        take = np.flatnonzero(data)
        unit = "USD" if not mv.measure.startswith("quantity") else mv.unit_var
        pieces.append((mv, take, value[take], month[take], unit))
    take = np.concatenate([p[1] for p in pieces])
    picked = pa.array(take, pa.int64())
    n = len(take)
    units = [_units(cols, p[4], p[1]) for p in pieces]
    frame = build_tradeframe({
        "source_id": label_series(report.sha256, n), "sheet": label_series("", n),
        "flow": label_series(report.flow, n), "hs_edition": label_series(report.hs_editions[0], n),
        "row": pd.Series(rows[take], dtype="int64"),
        "measure": labels_series([p[0].measure for p in pieces], [len(p[1]) for p in pieces]),
        "unit": pd.concat(units, ignore_index=True).astype("category"),
        "hts": text_series(keys["code"].take(picked)),
        "year": pd.Series(keys["year"][take], dtype="int64"),
        "month": month_series(np.concatenate([p[3] for p in pieces])),
        "partner_raw": text_series(keys["name"].take(picked)),
        "partner_code": partner_codes(keys["name"].take(picked)),
        "value": pd.Series(np.concatenate([p[2] for p in pieces]), dtype="float64"),
    }, n_rows=n)
    report.rows_kept = len(frame)
    report.years = sorted(int(y) for y in np.unique(frame["year"].to_numpy()))
    primary = (frame["measure"] == report.primary_measure).to_numpy()
    if not report.primary_measure.startswith("quantity"):
        report.total_usd = float(frame["value"].to_numpy()[primary].sum())
    if not len(frame):
        report.warnings.append("no data rows were kept")
    return frame


def _units(cols: dict, unit: str, take: np.ndarray) -> pd.Series:
    if unit == "USD":
        return label_series("USD", len(take))
    if unit in cols:
        return text_series(pc.fill_null(cols[unit].take(pa.array(take, pa.int64())), ""))
    return label_series("", len(take))


def _checksum(report: ImportReport, keys: dict, value: np.ndarray, data: np.ndarray,
              totals: np.ndarray, month: np.ndarray) -> None:
    """Per commodity and period: kept country rows against the all-countries total row."""
    if not totals.any():
        return
    code = keys["code"].to_numpy(zero_copy_only=False)
    frame = pd.DataFrame({"code": code, "year": keys["year"], "month": month, "value": value})
    key = ["code", "year", "month"]
    expected = frame[totals].groupby(key)["value"].sum()
    found = frame[data].groupby(key)["value"].sum().reindex(expected.index).fillna(0.0)
    report.checksum = Checksum.compare(expected.sum(), found.sum())
    report.checksums[report.primary_measure] = report.checksum
    off = (expected - found).abs() > 0.5
    if off.any():
        shown = "; ".join(f"{c} {y}{f'-{m:02d}' if m else ''}: rows {f:,.0f}, total {e:,.0f}"
                          for (c, y, m), e, f in zip(expected[off].index, expected[off],
                                                     found[off]))
        report.warnings.append(f"{int(off.sum())} commodity/period(s) whose countries do not add "
                               f"up to TOTAL FOR ALL COUNTRIES ({shown[:400]}); if only some "
                               "countries were requested, this is expected")


def _group_note(report: ImportReport, keys: dict, value: np.ndarray, groups: np.ndarray) -> None:
    if not groups.any():
        return
    names = pd.Series(keys["name"].to_numpy(zero_copy_only=False)[groups])
    sums = pd.Series(value[groups]).groupby(names.to_numpy()).sum().sort_values(ascending=False)
    shown = ", ".join(f"{name} {v:,.0f}" for name, v in sums.head(6).items())
    report.warnings.append(f"{int(groups.sum())} country-group row(s) (SUMMARY_LVL CGP) dropped: "
                           f"groups add up countries and are not suppliers ({shown}"
                           f"{', ...' if len(sums) > 6 else ''})")
