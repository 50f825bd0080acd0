"""The rows below a mapped header -> TradeFrame columns, vectorized (used by mapped.py).

Row-level fields (code, year, month, country, flow, unit) are checked once per row; the
numbers come in "streams": the value and quantity columns of a long sheet, or one stream per
period column of a wide one. A row with a bad code or year is dropped whole, under its first
problem; an empty or non-numeric number cell drops just that value. Each distinct cell text
(code, year, country, flow) is interpreted once in Python and spread back with Arrow takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..countries import normalize_partners
from ..tradeframe import FLOWS, QUANTITY_MEASURES, UNMAPPED, build_tradeframe
from .dataweb_common import clean_codes, decimals_of, flow_id, parse_numbers, parse_total_number
from .mapped_headers import parse_period
from .profile import Profile, normalize_header
from .report import Checksum, ImportReport

BLANK, TOTAL = "blank row", "total row (checksum, not data)"
BAD_CODE = "code is not a 2-10 digit HS/HTS code"
BAD_YEAR, BAD_MONTH = "year is not a year", "month is not a month"
_FLOW_WORDS = {"consumption imports": "imports_consumption", "imports, consumption":
               "imports_consumption", "imports, general": "imports_general",
               "exports": "exports", "export": "exports", "x": "exports"}


@dataclass
class Stream:
    """One column of numbers: a value or quantity column (long) or a period column (wide)."""
    column: int
    measure: str
    label: str                     # "value" / "quantity" / the period header
    year: int = 0                  # from a period header; 0 = from the row
    month: int = 0


def select_rows(cols: list[pa.Array], numbers: np.ndarray, pattern: str,
                report: ImportReport) -> tuple[np.ndarray, np.ndarray]:
    """(data row indices, total row indices) below the header; blank and total rows are
    recorded in the report. Blank rows after the last used row are not rows at all."""
    n = len(numbers)
    blank = np.ones(n, bool)
    for col in cols:
        if col.null_count < n:
            blank &= np.asarray(pc.is_null(col))
    used = np.flatnonzero(~blank)
    n_used = int(used[-1]) + 1 if len(used) else 0
    total = _total_rows(cols, pattern, n) & ~blank
    report.rows_read = n_used
    record(report, BLANK, numbers[:n_used][blank[:n_used]])
    record(report, TOTAL, numbers[total])
    data = np.flatnonzero(~blank & ~total)
    return data[data < n_used], np.flatnonzero(total)


def _total_rows(cols: list[pa.Array], pattern: str, n: int) -> np.ndarray:
    """Rows whose first non-empty cell matches the total pattern (Python `re`, any case)."""
    if not pattern or not cols or not n:
        return np.zeros(n, bool)
    first = pc.coalesce(*cols) if len(cols) > 1 else cols[0]
    encoded = pc.dictionary_encode(first)
    regex = re.compile(pattern, re.IGNORECASE)
    hits = np.array([bool(regex.search(v)) for v in encoded.dictionary.to_pylist()] + [False])
    return hits[np.asarray(pc.fill_null(encoded.indices, len(hits) - 1))]


class MappedRows:
    """The data rows of one sheet, read through a profile whose columns are resolved."""

    def __init__(self, cols: list[pa.Array], data: np.ndarray, numbers: np.ndarray,
                 columns: dict[str, int], profile: Profile, report: ImportReport):
        self.cols, self.columns, self.profile, self.report = cols, columns, profile, report
        self.n, self.numbers = len(data), numbers[data]
        self._pick = pa.array(data, pa.int64())

    def cells(self, column: int) -> pa.Array:
        return self.cols[column].take(self._pick)

    def role(self, role: str) -> pa.Array | None:
        if role not in self.columns:
            return None
        cells = self.cells(self.columns[role])
        return pc.fill_null_forward(cells) if role in self.profile.fill_down else cells

    def to_frame(self, streams: list[Stream], sheet: str) -> pd.DataFrame:
        """Check, reshape and build the TradeFrame; fill the report's row accounting."""
        row_ok = self._row_fields()
        source, stream, value = self._numbers(streams, row_ok)
        return self._frame(streams, source, stream, value, sheet)

    def _row_fields(self) -> np.ndarray:
        fixed, n, problems = self.profile.fixed, self.n, []
        self.codes = None
        if (cells := self.role("code")) is not None:
            self.codes, ok = _codes(cells, self.report)
            problems.append((BAD_CODE, ~ok))
        self.years = np.full(n, int(fixed.get("year", 0)), np.int64)
        self.months = np.full(n, int(fixed.get("month", 0)), np.int64)
        if (cells := self.role("year")) is not None:
            self.years, months, ok = _periods(cells, month_numbers=False, need="year")
            problems.append((BAD_YEAR, ~ok))
            if "month" not in self.columns and months.any():
                self.months = months
        if (cells := self.role("month")) is not None:
            _, self.months, ok = _periods(cells, month_numbers=True, need="month")
            problems.append((BAD_MONTH, ~ok))
        row_ok = np.ones(n, bool)
        for reason, bad in problems:
            record(self.report, reason, self.numbers[bad & row_ok])
            row_ok &= ~bad
        return row_ok

    def _numbers(self, streams: list[Stream], row_ok: np.ndarray):
        n, p = self.n, len(streams)
        values, keep = np.zeros((n, p)), np.zeros((n, p), bool)
        dropped: dict[str, np.ndarray] = {}      # reason -> rows with at least one such cell
        for s, stream in enumerate(streams):
            cells = self.cells(stream.column)
            values[:, s], empty, bad = _numbers_of(cells)
            what = "quantity" if stream.label == "quantity" else "value"
            for reason, mask in ((f"empty {what} cell", empty), (f"non-numeric {what}", bad)):
                dropped[reason] = dropped.get(reason, np.zeros(n, bool)) | (mask & row_ok)
            _note_bad(self.report, bad & row_ok, cells, self.numbers, stream.label)
            keep[:, s] = ~empty & ~bad & row_ok
        for reason, mask in dropped.items():
            record(self.report, reason, self.numbers[mask])
        flat = keep.ravel()
        return (np.repeat(np.arange(n), p)[flat], np.tile(np.arange(p), n)[flat],
                values.ravel()[flat])

    def _frame(self, streams, source, stream, value, sheet: str) -> pd.DataFrame:
        profile, report, n = self.profile, self.report, len(source)
        src = pa.array(source, pa.int64())
        measures = [s.measure for s in streams]
        s_year = np.array([s.year for s in streams] + [0], np.int64)[stream]
        s_month = np.array([s.month for s in streams] + [0], np.int64)[stream]
        year = np.where(s_year > 0, s_year, self.years[source])
        month = np.where(s_month > 0, s_month, self.months[source])
        is_qty = np.array([m in QUANTITY_MEASURES for m in measures] + [False])[stream]
        scales = np.array([profile.quantity_scale if m in QUANTITY_MEASURES else profile.scale
                           for m in measures] + [1.0], float)
        value = value * scales[stream]
        partner = self._partners(src, n)
        frame = build_tradeframe({
            "source_id": _text(repeat(report.sha256, n)),
            "sheet": _text(repeat(sheet, n)),
            "row": pd.Series(self.numbers[source], dtype="int64"),
            "flow": _text(self._flows(src, n)),
            "measure": _text(pa.array(measures + [""], pa.large_string()).take(pa.array(stream))),
            "unit": _text(self._units(src, is_qty, n)),
            "hts": _text(self.codes.take(src) if self.codes is not None
                         else repeat(str(profile.fixed.get("code", "")), n)),
            "hs_edition": _text(repeat(profile.hs_edition, n)),
            "year": pd.Series(year, dtype="int64"),
            "month": pd.Series(pd.arrays.IntegerArray(month, month == 0)),
            "partner_raw": _text(partner),
            "partner_code": _partner_codes(partner, profile),
            "value": pd.Series(value, dtype="float64"),
        }, n_rows=n)
        report.measures = list(dict.fromkeys(measures))
        value_measures = [m for m in report.measures if m not in QUANTITY_MEASURES]
        report.primary_measure = (value_measures or report.measures or [profile.measure])[0]
        report.rows_kept = n
        report.years = sorted(int(y) for y in np.unique(year))
        primary = np.array([m == report.primary_measure for m in measures] + [False])[stream]
        report.total_usd = float(value[primary].sum()) \
            if report.primary_measure not in QUANTITY_MEASURES else 0.0
        return frame

    def _partners(self, src: pa.Array, n: int) -> pa.Array:
        cells = self.role("country")
        if cells is None:
            return repeat(str(self.profile.fixed.get("country", "")).strip(), n)
        picked = pc.cast(cells, pa.large_string()).take(src)
        if picked.null_count:
            self.report.warnings.append(f"{picked.null_count} value(s) have no country: kept "
                                        "as unmapped partners")
            picked = pc.fill_null(picked, "")
        return pc.utf8_trim_whitespace(picked)

    def _flows(self, src: pa.Array, n: int) -> pa.Array:
        profile, report = self.profile, self.report
        cells = self.role("flow")
        if cells is None:
            if profile.flow is None:
                report.warnings.append("no flow column and no fixed flow in the profile: flow "
                                       "set to 'unknown' (set 'flow', e.g. imports_consumption)")
            report.flow = profile.flow or "unknown"
            return repeat(report.flow, n)
        encoded = pc.dictionary_encode(pc.cast(cells, pa.large_string()).take(src))
        named = {normalize_header(k): v for k, v in profile.flow_values.items()}
        flows, unknown = [], []
        for raw in encoded.dictionary.to_pylist():
            key = normalize_header(raw)
            flow = named.get(key) or flow_id(key) or _FLOW_WORDS.get(key) or \
                (key.replace(" ", "_") if key.replace(" ", "_") in FLOWS else None)
            unknown += [] if flow else [raw]
            flows.append(flow or "unknown")
        if unknown:
            report.warnings.append(f"flow cell(s) {unknown[:5]} not recognised: flow 'unknown' "
                                   "(say which flow they are in the profile's flow_values)")
        out = pa.array(flows + ["unknown"], pa.large_string()).take(
            pc.fill_null(encoded.indices, len(flows)))
        kinds = sorted(set(pc.unique(out).to_pylist())) or [profile.flow or "unknown"]
        report.flow = kinds[0] if len(kinds) == 1 else "mixed"
        if len(kinds) > 1:
            report.warnings.append(f"the file mixes flows {kinds}: the report says 'mixed'")
        return out

    def _units(self, src: pa.Array, is_qty: np.ndarray, n: int) -> pa.Array:
        cells = self.role("unit")
        if cells is not None:
            units = pc.fill_null(pc.utf8_trim_whitespace(
                pc.cast(cells, pa.large_string()).take(src)), "")
        else:
            units = repeat(str(self.profile.fixed.get("unit", "")), n)
            if is_qty.any() and "unit" not in self.profile.fixed:
                self.report.warnings.append("quantities have no unit (map a unit column or "
                                            "fix 'unit' in the profile)")
        return pc.if_else(pa.array(is_qty, pa.bool_()), units, repeat("USD", n))


# --- cells -------------------------------------------------------------------------------------

def _per_distinct(cells: pa.Array, interpret) -> tuple[list, np.ndarray]:
    """(interpretation of each distinct text, index of each row's text or -1 when empty)."""
    encoded = pc.dictionary_encode(cells)
    results = [interpret(text) for text in encoded.dictionary.to_pylist()]
    return results, np.asarray(pc.fill_null(encoded.indices, -1)).astype(np.int64)


def _code_text(text: str) -> tuple[str, bool]:
    """A code cell as plain digits where it can be: `8105.20.60.00`, `2504.1` (a dotted code
    stored as a number lost its trailing zero), `8105206000 Unwrought cobalt` (code glued to
    its description) -> (digits, had text after the code)."""
    s = text.strip().lstrip("'")
    glued = False
    if m := re.match(r"^(\d[\d.]*)\s+\S", s):
        s, glued = m.group(1).rstrip("."), True
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".")[0]
    elif re.fullmatch(r"\d{3,4}(\.\d+)+", s):
        head, *rest = s.split(".")
        tail = "".join(rest)
        s = head.zfill(4) + (tail + "0" if len(tail) % 2 else tail)
    return s, glued


def _codes(cells: pa.Array, report: ImportReport) -> tuple[pa.Array, np.ndarray]:
    """Code cells -> (codes as text, is_valid), re-padding through dataweb_common.clean_codes."""
    texts, idx = _per_distinct(cells, _code_text)
    cleaned = pa.array([t for t, _ in texts], pa.string())
    codes, valid, _ = clean_codes(cleaned)
    repadded = valid & (np.asarray(pc.utf8_length(codes)) != np.asarray(pc.utf8_length(cleaned)))
    glued = np.array([g for _, g in texts] + [False], bool)
    has = idx >= 0
    safe = np.where(has, idx, 0)
    ok = has & (valid[safe] if len(valid) else np.zeros(len(idx), bool))
    n_repadded = int((ok & repadded[safe]).sum()) if len(valid) else 0
    if n_repadded:
        report.warnings.append(f"{n_repadded} code(s) had lost their leading zero (stored as "
                               "numbers); re-padded to an even number of digits")
    if (n_glued := int((ok & glued[np.where(has, idx, -1)]).sum())):
        report.warnings.append(f"{n_glued} code cell(s) carry a description after the code; "
                               "the code was kept")
    out = codes.cast(pa.large_string()).take(pa.array(safe)) if len(valid) else \
        pa.array([""] * len(idx), pa.large_string())
    return out, ok


def _periods(cells: pa.Array, *, month_numbers: bool, need: str):
    """Year or month cells -> (years, months, is_valid); 0 where a part is absent."""
    periods, idx = _per_distinct(cells, lambda t: parse_period(t, month_numbers) or (None, None))
    years = np.array([y or 0 for y, _ in periods] + [0], np.int64)[idx]
    months = np.array([m or 0 for _, m in periods] + [0], np.int64)[idx]
    return years, months, (years > 0) if need == "year" else (months > 0)


def _partner_codes(partner: pa.Array, profile: Profile) -> pd.Series:
    encoded = pc.dictionary_encode(partner)
    distinct = pd.Series(encoded.dictionary.to_pylist(), dtype=object)
    codes = normalize_partners(distinct, profile.country_system,
                               overrides=profile.partner_overrides or None)
    codes = [UNMAPPED if not raw or pd.isna(code) else str(code)
             for raw, code in zip(distinct, codes)]
    return _text(pa.array(codes + [UNMAPPED], pa.large_string()).take(encoded.indices))


def _numbers_of(cells: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """parse_numbers, then a second look at the few cells it refused: `$1,234`, `(56)` and
    `1 234` are numbers as accountants type them."""
    values, empty, bad = parse_numbers(cells)
    if bad.any():
        where = np.flatnonzero(bad)
        retried = [parse_total_number(t) for t in cells.take(pa.array(where)).to_pylist()]
        fixed = np.array([v is not None for v in retried])
        values[where[fixed]] = [v for v in retried if v is not None]
        bad[where[fixed]] = False
    return values, empty, bad


def _note_bad(report: ImportReport, mask: np.ndarray, cells: pa.Array, numbers: np.ndarray,
              label: str) -> None:
    where = np.flatnonzero(mask)[:5]
    if len(where):
        shown = ", ".join(f"row {numbers[i]}: {cells[int(i)].as_py()!r}" for i in where)
        report.warnings.append(f"{int(mask.sum())} non-numeric cell(s) in the {label!r} column "
                               f"dropped ({shown})")


# --- totals ------------------------------------------------------------------------------------

def checksums(report: ImportReport, cols: list[pa.Array], totals: np.ndarray, numbers: np.ndarray,
              streams: list[Stream], profile: Profile, frame: pd.DataFrame) -> None:
    """Compare the kept rows with the file's own total rows, per measure. With several total
    rows (subtotals, or a grand total under them) the reading that fits — all summed, or the
    last alone — is used, and the report says so."""
    if not len(totals):
        report.warnings.append("no total row found: nothing to check the rows against")
        return
    for measure in dict.fromkeys(s.measure for s in streams):
        columns = [s.column for s in streams if s.measure == measure]
        texts = [[cols[c][int(i)].as_py() for c in columns] for i in totals]
        sums = [sum(v for t in row if (v := parse_total_number(t)) is not None) for row in texts]
        if not any(t for row in texts for t in row):
            continue
        scale = profile.quantity_scale if measure in QUANTITY_MEASURES else profile.scale
        found = float(frame.loc[frame["measure"] == measure, "value"].sum())
        options = [sum(sums) * scale, sums[-1] * scale]
        expected = min(options, key=lambda e: abs(e - found))
        decimals = max((decimals_of(t) for row in texts for t in row if t), default=0)
        check = Checksum.compare(expected, found, max(0.5, 0.5 * 10.0 ** -decimals * scale))
        report.checksums[measure] = check
        if measure == report.primary_measure:
            report.checksum = check
        if len(totals) > 1:
            which = "the last" if expected == options[1] and options[0] != options[1] else "all"
            report.warnings.append(f"{len(totals)} total rows (rows {', '.join(str(numbers[i]) for i in totals[:5])}"
                                   f"{'...' if len(totals) > 5 else ''}): {measure} checked "
                                   f"against {which} of them")
        if not check.ok:
            report.warnings.append(f"{measure}: rows kept sum to {found:,.2f}, the total row "
                                   f"says {expected:,.2f} (difference {found - expected:,.2f})")


# --- small helpers -----------------------------------------------------------------------------

def record(report: ImportReport, reason: str, rows: np.ndarray) -> None:
    if len(rows):
        report.rows_dropped.setdefault(reason, []).extend(int(r) for r in rows)


def repeat(value: str, n: int) -> pa.Array:
    data = value.encode()
    offsets = np.arange(n + 1, dtype=np.int64) * len(data)
    return pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data * n))


def _text(array: pa.Array) -> pd.Series:
    if array.type != pa.large_string():
        array = pc.cast(array, pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(array))
