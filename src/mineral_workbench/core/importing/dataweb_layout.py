"""A DataWeb data sheet as a grid of strings -> long rows, whatever its layout.

Why a grid: the .xlsx importer (calamine) and the .csv importer (Arrow CSV) can both hand
over every cell as text, so layout detection, reshaping, the `Total:` checksum and the
reasons rows are dropped live once, here. All work is vectorized over Arrow/numpy columns;
only the few rows above the header and the `Total:` row are looked at in Python.

Layouts (FORMATS.md §1, detected from the header, never assumed):
- ``long``: header `Data Type, Country, Year, HTS Number, ..., <measure>`;
- ``wide``: header `Data Type, Country and/or HTS Number, ..., 2023, 2024` (text years);
- ``wide_months``: header `Data Type, ..., Year, January, ..., December`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from .dataweb_common import MEASURE_IDS, clean_codes, decimals_of, parse_numbers, parse_total_number

HEAD_ROWS = 12
MONTHS = {name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
MONTHS.update({name[:3]: num for name, num in list(MONTHS.items())})
ROLES = {"data type": "data_type", "country": "country", "year": "year", "month": "month",
         "hts number": "hts", "description": "description", "suppressed": "suppressed",
         "quantity description": "quantity_description"}

# reasons a row is not kept (the importer prefixes the sheet name)
BLANK, TOTAL_ROW = "blank row", "'Total:' row (checksum, not data)"
BAD_CODE, BAD_YEAR = "HTS Number is not a 2-10 digit code", "Year is not a year"
EMPTY_VALUE, NON_NUMERIC = "empty value cell", "non-numeric value"


@dataclass
class SheetLayout:
    kind: str                                   # long | wide | wide_months
    header_index: int                           # 0-based grid row of the header
    header: list[str]
    columns: dict[str, int]                     # role -> column index (value: long layout)
    periods: list[tuple[int, int | None, int | None]] = field(default_factory=list)
    title: str | None = None                    # `Total Exports|Annual Data`
    declared_rows: int | None = None            # `Data Row Count`
    ignored: list[str] = field(default_factory=list)


@dataclass
class ParsedSheet:
    """Kept values of one sheet, in the file's own units, plus what was not kept and why."""
    layout: SheetLayout
    row: np.ndarray                             # 1-based sheet row of each kept value
    year: np.ndarray
    month: np.ndarray | None                    # 1-12, or None for annual layouts
    hts: pa.Array | None
    country: pa.Array | None
    unit_text: pa.Array | None                  # `Quantity Description` per kept value
    value: np.ndarray
    rows_read: int = 0
    dropped: dict[str, list[int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    total: float | None = None                  # sum of the `Total:` row's numbers
    total_decimals: int = 0
    period_checks: list[tuple[str, float, float]] = field(default_factory=list)  # label, total, found
    repadded_codes: int = 0


def _norm(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


def detect_layout(head: list[list[str | None]], *, file, sheet: str) -> SheetLayout:
    """Find title, `Data Row Count` and the header among the first rows; name the layout."""
    header_index = next((i for i, row in enumerate(head)
                         if row and _norm(row[0]).lower() == "data type"), None)
    if header_index is None:
        raise InputError(file, f"no header row starting with 'Data Type' in the first "
                               f"{HEAD_ROWS} rows: not a DataWeb data sheet", sheet=sheet)
    header = [_norm(cell) for cell in head[header_index]]
    layout = SheetLayout(kind="", header_index=header_index, header=header, columns={})
    for row in head[:header_index]:
        first = _norm(row[0]) if row else ""
        if first.lower() == "data row count" and len(row) > 1:
            count = parse_total_number(row[1])
            layout.declared_rows = int(count) if count is not None else None
        elif "|" in first and layout.title is None:
            layout.title = first
    others = []
    for j, name in enumerate(header):
        low = name.lower()
        role = ROLES.get(low) or ("hts" if re.fullmatch(r"hts\d*( number| code)?", low) else None)
        if role and role not in layout.columns:
            layout.columns[role] = j
        elif re.fullmatch(r"\d{4}", name):
            layout.periods.append((j, int(name), None))
        elif low in MONTHS:
            layout.periods.append((j, None, MONTHS[low]))
        elif name:
            others.append((j, name))
    years_as_columns = any(year for _, year, _ in layout.periods)
    if years_as_columns:
        layout.kind = "wide"
        layout.periods = [p for p in layout.periods if p[1] is not None]
    elif layout.periods and "year" in layout.columns:
        layout.kind = "wide_months"
    elif "year" in layout.columns:
        layout.kind = "long"
        layout.columns["value"] = _value_column(others, sheet, file, header_index)
        others = [(j, name) for j, name in others if j != layout.columns["value"]]
    else:
        raise InputError(file, "the header has neither a 'Year' column nor year columns "
                               "('2023', ...)", sheet=sheet, row=header_index + 1)
    layout.ignored = [name for _, name in others]
    return layout


def _value_column(others: list[tuple[int, str]], sheet: str, file, header_index: int) -> int:
    for j, name in others:
        if name.lower() == sheet.strip().lower() or name.lower() in MEASURE_IDS:
            return j
    if not others:
        raise InputError(file, "the header has no value column after the key columns",
                         sheet=sheet, row=header_index + 1)
    return others[-1][0]


def parse_sheet(grid: pa.RecordBatch | pa.Table, layout: SheetLayout, *, file,
                sheet: str) -> ParsedSheet:
    """Reshape the rows below the header to long form, vectorized, keeping Excel row numbers."""
    start = layout.header_index + 1
    cols = [_array(grid.column(i)).slice(start) for i in range(grid.num_columns)]
    n = len(cols[0]) if cols else 0
    excel_row = np.arange(start + 1, start + n + 1, dtype=np.int64)
    blank = _blank_rows(cols, n)
    last = np.flatnonzero(~blank)
    n_used = int(last[-1]) + 1 if len(last) else 0   # blank rows after the end are not rows
    is_total = _total_rows(cols[0], n) & ~blank
    data = ~blank & ~is_total
    data[n_used:] = False
    out = _empty_parsed(layout)
    out.rows_read = n_used
    _record(out, BLANK, excel_row[:n_used][blank[:n_used]])
    _record(out, TOTAL_ROW, excel_row[is_total])
    idx = np.flatnonzero(data)
    if layout.declared_rows is not None and layout.declared_rows != len(idx):
        out.warnings.append(f"'Data Row Count' says {layout.declared_rows} rows, "
                            f"{len(idx)} data rows were read")
    take = _taker(idx, n)
    if layout.kind == "long":
        _parse_long(out, cols, take, excel_row[idx], layout)
    else:
        _parse_wide(out, cols, take, excel_row[idx], layout)
    _read_totals(out, cols, np.flatnonzero(is_total), excel_row, layout)
    return out


def _blank_rows(cols: list[pa.Array], n: int) -> np.ndarray:
    """Rows with no cell at all. Only rows without a first cell can be blank, so the other
    columns are looked at for those few rows only."""
    if not cols or cols[0].null_count == 0:
        return np.zeros(n, bool)
    candidates = np.flatnonzero(np.asarray(pc.is_null(cols[0])))
    blank = np.ones(len(candidates), bool)
    picked = pa.array(candidates)
    for col in cols[1:]:
        if col.null_count:
            blank &= np.asarray(pc.is_null(col.take(picked)))
        else:
            blank[:] = False
    out = np.zeros(n, bool)
    out[candidates[blank]] = True
    return out


def _total_rows(first: pa.Array, n: int) -> np.ndarray:
    """`Total:` rows: DataWeb writes `Total: ` (a cheap prefix test over all rows); the last
    rows are also checked leniently (` total`, `TOTAL:`), since that is where totals sit."""
    out = np.asarray(pc.fill_null(pc.starts_with(first, "Total"), False)).copy()
    for i in range(max(0, n - 20), n):
        out[i] = out[i] or bool(re.match(r"(?i)^\s*total\b", first[i].as_py() or ""))
    return out


def _parse_long(out: ParsedSheet, cols, take, rows: np.ndarray, layout: SheetLayout) -> None:
    roles = layout.columns
    codes, code_ok = _codes(out, cols, take, roles, len(rows))
    years, year_ok = _years(take(cols[roles["year"]]))
    value, empty, bad = parse_numbers(take(cols[roles["value"]]))
    problems = [(BAD_CODE, ~code_ok), (BAD_YEAR, ~year_ok), (EMPTY_VALUE, empty), (NON_NUMERIC, bad)]
    keep = _drop_first_reason(out, problems, rows)
    _note_examples(out, bad & code_ok & year_ok, take(cols[roles["value"]]), rows)
    sel = None if keep.all() else np.flatnonzero(keep)
    pick = (lambda a: a) if sel is None else (lambda a: a if a is None else a.take(sel))
    out.row, out.year, out.value = rows[keep], years[keep].astype(np.int64), value[keep]
    out.hts = pick(codes)
    out.country = pick(take(cols[roles["country"]])) if "country" in roles else None
    out.unit_text = pick(take(cols[roles["quantity_description"]])) \
        if "quantity_description" in roles else None
    if "month" in roles:
        months, month_ok = _months(take(cols[roles["month"]]))
        out.month = months[keep]
        if not month_ok[keep].all():
            out.warnings.append("some Month cells are not months; those rows have no month")


def _parse_wide(out: ParsedSheet, cols, take, rows: np.ndarray, layout: SheetLayout) -> None:
    roles, periods = layout.columns, layout.periods
    n, p = len(rows), len(periods)
    codes, row_ok = _codes(out, cols, take, roles, n)
    problems = [(BAD_CODE, ~row_ok)]
    years_row = None
    if layout.kind == "wide_months":
        years_row, year_ok = _years(take(cols[roles["year"]]))
        problems.append((BAD_YEAR, ~year_ok))
    row_ok = _drop_first_reason(out, problems, rows)
    values = np.empty((n, p))
    empty = np.empty((n, p), bool)
    bad = np.empty((n, p), bool)
    for j, (col, _year, _month) in enumerate(periods):
        cells = take(cols[col])
        values[:, j], empty[:, j], bad[:, j] = parse_numbers(cells)
        if bad[:, j].any():
            _note_examples(out, bad[:, j] & row_ok, cells, rows, layout.header[col])
    _record(out, EMPTY_VALUE, rows[(empty & row_ok[:, None]).any(axis=1)])
    _record(out, NON_NUMERIC, rows[(bad & row_ok[:, None]).any(axis=1)])
    keep = (~empty & ~bad & row_ok[:, None]).ravel()
    source = np.repeat(np.arange(n), p)[keep]
    out.row = rows[source]
    out.value = values.ravel()[keep]
    if layout.kind == "wide":
        out.year = np.tile(np.array([y for _, y, _ in periods], np.int64), n)[keep]
    else:
        out.year = years_row.astype(np.int64)[source]
        out.month = np.tile(np.array([m for _, _, m in periods], np.int64), n)[keep]
    src = pa.array(source)
    out.hts = codes.take(src) if codes is not None else None
    out.country = take(cols[roles["country"]]).take(src) if "country" in roles else None
    out.unit_text = take(cols[roles["quantity_description"]]).take(src) \
        if "quantity_description" in roles else None
    sums = np.where(~empty & ~bad & row_ok[:, None], values, 0.0).sum(axis=0)
    out.period_checks = [(layout.header[col], np.nan, float(s)) for (col, _, _), s in zip(periods, sums)]


def _codes(out: ParsedSheet, cols, take, roles, n: int):
    if "hts" not in roles:
        return None, np.ones(n, bool)
    codes, ok, repadded = clean_codes(take(cols[roles["hts"]]))
    out.repadded_codes = repadded
    return codes, ok


def _years(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Year cells (read as numbers or as text) -> (years, is_valid)."""
    if pa.types.is_floating(cells.type) or pa.types.is_integer(cells.type):
        years = pc.cast(cells, pa.float64()).to_numpy(zero_copy_only=False)
    else:
        years, _, _ = parse_numbers(cells)
    with np.errstate(invalid="ignore"):
        ok = (years == np.floor(years)) & (years >= 1900) & (years <= 2200)
    return np.where(ok, years, 0), ok


def _months(cells: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    unique = pc.unique(cells).to_pylist()
    lookup = {u: (MONTHS.get(_norm(u).lower()) or (int(float(u)) if re.fullmatch(r"\d{1,2}(\.0)?",
              _norm(u)) and 1 <= int(float(u)) <= 12 else 0)) for u in unique if u is not None}
    encoded = pc.index_in(cells, value_set=pa.array(list(lookup), pa.string()))
    table = np.array(list(lookup.values()) + [0], np.int64)
    months = table[np.asarray(pc.fill_null(encoded, len(lookup)))]
    return months, months > 0


def _drop_first_reason(out: ParsedSheet, problems, rows: np.ndarray) -> np.ndarray:
    """Record each failing row under the first problem it has; return the rows kept."""
    keep = np.ones(len(rows), bool)
    for reason, mask in problems:
        hit = mask & keep
        if hit.any():
            _record(out, reason, rows[hit])
            keep &= ~hit
    return keep


def _note_examples(out: ParsedSheet, mask: np.ndarray, cells: pa.Array, rows: np.ndarray,
                   column: str | None = None) -> None:
    where = np.flatnonzero(mask)[:5]
    if len(where):
        shown = ", ".join(f"row {rows[i]}: {cells[int(i)].as_py()!r}" for i in where)
        label = f" in column '{column}'" if column else ""
        out.warnings.append(f"{int(mask.sum())} non-numeric value(s){label} dropped ({shown})")


def _read_totals(out: ParsedSheet, cols, total_idx: np.ndarray, excel_row: np.ndarray,
                 layout: SheetLayout) -> None:
    if not len(total_idx):
        out.warnings.append("no 'Total:' row: nothing to check the rows against")
        return
    if len(total_idx) > 1:
        out.warnings.append(f"{len(total_idx)} 'Total:' rows; the last one "
                            f"(row {excel_row[total_idx[-1]]}) is the checksum")
    i = int(total_idx[-1])
    value_cols = [layout.columns["value"]] if layout.kind == "long" else [c for c, _, _ in layout.periods]
    texts = [cols[c][i].as_py() for c in value_cols]
    numbers = [parse_total_number(t) for t in texts]
    unreadable = [t for t, v in zip(texts, numbers) if v is None and t not in (None, "")]
    if unreadable:
        out.warnings.append(f"'Total:' row {excel_row[i]} has unreadable numbers {unreadable[:3]}")
    out.total = float(sum(v for v in numbers if v is not None))
    out.total_decimals = max((decimals_of(t) for t in texts if t), default=0)
    if out.period_checks:
        out.period_checks = [(label, v if v is not None else np.nan, found)
                             for (label, _, found), v in zip(out.period_checks, numbers)]


def _empty_parsed(layout: SheetLayout) -> ParsedSheet:
    empty_i = np.array([], np.int64)
    return ParsedSheet(layout=layout, row=empty_i, year=empty_i, month=None, hts=None,
                       country=None, unit_text=None, value=np.array([], float))


def _record(out: ParsedSheet, reason: str, rows: np.ndarray) -> None:
    if len(rows):
        out.dropped.setdefault(reason, []).extend(int(r) for r in rows)


def _array(column) -> pa.Array:
    """One Arrow array per column: text stays text, a column read as numbers stays numeric
    (the importer may read `Year` as numbers for speed), anything else becomes text."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if column.type == pa.string() or pa.types.is_floating(column.type):
        return column
    return pc.cast(column, pa.string())


def _taker(idx: np.ndarray, n: int):
    """Select data rows: a zero-copy slice when they are contiguous (the usual case)."""
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        start, length = int(idx[0]), len(idx)
        return lambda col: col.slice(start, length)
    sel = pa.array(idx)
    return lambda col: col.take(sel)
