"""USITC DataWeb .xlsx exports (long and wide layouts) -> TradeFrame + ImportReport.

Cells are read with calamine through fastexcel straight into Arrow: calamine walks the
sheet XML itself, so a wrongly declared `<dimension>` (some real DataWeb files say `A1`)
cannot truncate the data as it does for openpyxl's read-only mode. Every column but `Year`
is read as text: that keeps HTS codes' leading zeros and DataWeb's `Total:` text numbers,
and lets a non-numeric cell be reported; values are parsed back vectorized (fastexcel
prints floats to 9 decimals, far below a cent at any DataWeb scale).
Layout and reshaping: dataweb_layout; names: dataweb_common; frame and report: dataweb_assemble.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..errors import InputError
from .safety import READER_ERRORS, is_reader_error
from .dataweb_assemble import assemble_frame, describe_source
from .dataweb_common import (ImportCancelled, Steps, QueryParameters, flow_from_title, measure_id,
                             parse_query_parameters)
from .dataweb_layout import HEAD_ROWS, ParsedSheet, SheetLayout, detect_layout, parse_sheet
from .report import ImportReport, file_sha256
from .xlsx_guard import (OLE_MAGIC, XLSX_SUFFIXES, ZIP_MAGIC, check_xlsx_container,
                         ole_summary, open_workbook, peek_rows, sheet_parts)

FORMAT = "dataweb_xlsx"
LABEL = "USITC DataWeb workbook (.xlsx)"
QUERY_SHEET = "Query Parameters"

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

__all__ = ["FORMAT", "ImportCancelled", "sniff", "read", "load_grid"]


def sniff(path: str | Path, head: bytes) -> bool:
    """A zip whose workbook has a `Query Parameters` sheet or a DataWeb-shaped first sheet.

    OLE files and broken zips named .xlsx are claimed too, so that `read` can say what is
    wrong with them instead of "format not recognised".
    """
    path = Path(path)
    named_xlsx = path.suffix.lower() in XLSX_SUFFIXES
    if head.startswith(OLE_MAGIC):  # encrypted or legacy: read() names it; .xls by its sheets
        kind, names = ole_summary(path)
        return named_xlsx or kind == "encrypted" or any(n == QUERY_SHEET or measure_id(n) for n in names)
    if not head.startswith(ZIP_MAGIC):
        return False
    try:
        parts = sheet_parts(path)
    except Exception:  # noqa: BLE001 - any damage: let read() explain it if it is ours
        return named_xlsx
    if any(name.strip().lower() == QUERY_SHEET.lower() for name in parts):
        return True
    for part in list(parts.values())[:3]:
        try:
            rows = peek_rows(path, part)
        except Exception:  # noqa: BLE001 - a part we cannot peek at is not evidence
            continue
        if _looks_like_dataweb(rows):
            return True
    return False


def _looks_like_dataweb(rows: list[list[str]]) -> bool:
    first = rows[0][0].strip() if rows and rows[0] else ""
    if "|" in first and (flow_from_title(first) or "data" in first.lower()):
        return True
    return any(row and row[0].strip().lower() == "data type" for row in rows)


def read(path: str | Path, *, progress: ProgressFn | None = None,
         cancel: CancelFn | None = None) -> tuple[pd.DataFrame, ImportReport]:
    """Read every measure sheet of a DataWeb workbook into one TradeFrame.

    `report.rows_read` counts sheet rows below each header (data, blank and `Total:` rows);
    `report.rows_kept` counts TradeFrame rows (a wide row gives one per year).
    """
    path = Path(path)
    step = Steps(progress, cancel)
    step(0.0, "checking workbook")
    container = check_xlsx_container(path)
    with ThreadPoolExecutor(max_workers=1) as pool:  # calamine frees the GIL: hash meanwhile
        digest = pool.submit(file_sha256, path)
        frame, report = _read_workbook(path, step, digest)
    report.warnings[:0] = container.warnings
    return frame, report


def _read_workbook(path: Path, step: Steps, digest: Future) -> tuple[pd.DataFrame, ImportReport]:
    report = ImportReport(file=str(path), sha256="", format=FORMAT)
    reader = _open(path)
    report.sheets = list(reader.sheet_names)
    sheets = _measure_sheets(report, path)
    params = _read_query_parameters(reader, path, report) if QUERY_SHEET in report.sheets else None
    parts = _sheet_parts(path)
    parsed: list[tuple[str, str, ParsedSheet]] = []
    for i, (name, measure) in enumerate(sheets):
        step(0.05 + 0.8 * i / len(sheets), f"reading sheet '{name}'")
        grid, layout = _load_sheet(reader, path, name, parts.get(name), params, report)
        step(0.05 + 0.8 * (i + 0.7) / len(sheets), f"reshaping sheet '{name}'")
        parsed.append((name, measure, parse_sheet(grid, layout, file=path, sheet=name)))
        del grid
    step(0.9, "building trade table")
    try:
        report.sha256 = digest.result()
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc}") from None
    describe_source(report, params, [p.layout for _, _, p in parsed])
    frame = assemble_frame(report, parsed, params)
    step(1.0, "done")
    return frame, report


def _open(path: Path):
    try:
        return open_workbook(path)
    except InputError:
        raise
    except READER_ERRORS as exc:  # calamine errors vary (Rust panics too); the analyst gets one line
        if not is_reader_error(exc):
            raise
        raise InputError(path, f"cannot open the workbook: {_first_line(exc)}") from None


def _sheet_parts(path: Path) -> dict[str, str]:
    try:
        return sheet_parts(path)
    except Exception:  # noqa: BLE001 - only a speed-up is lost; calamine still reads the sheets
        return {}


def _load_sheet(reader, path: Path, name: str, part: str | None,
                params: QueryParameters | None, report: ImportReport) -> tuple[pa.RecordBatch, SheetLayout]:
    """Load a sheet once, with its layout known beforehand when possible.

    The header is found by peeking at the first kilobytes of the sheet's XML; then only the
    `Year` column is read as numbers (printing a million numbers as text and parsing them
    back costs ~10% of the read) and every other column as text. If the peek disagrees with
    what calamine reads, the sheet is read again, all as text.
    """
    layout = _peek_layout(path, name, part)
    if layout is not None:
        _require_codes(layout, params, path, name, report)
        dtypes = {j: "string" for j in range(len(layout.header))}
        if "year" in layout.columns:
            dtypes[layout.columns["year"]] = "float"
        try:
            grid = load_grid(reader, path, name, dtypes)
        except InputError:
            grid = None
        if grid is not None and _head_matches(grid, layout):
            return grid, layout
    grid = load_grid(reader, path, name)
    layout = detect_layout(_head(grid), file=path, sheet=name)
    _require_codes(layout, params, path, name, report)
    return grid, layout


def _peek_layout(path: Path, name: str, part: str | None) -> SheetLayout | None:
    if not part:
        return None
    try:
        return detect_layout(peek_rows(path, part, HEAD_ROWS), file=path, sheet=name)
    except Exception:  # noqa: BLE001 - the full read below decides and reports
        return None


def _head_matches(grid: pa.RecordBatch, layout: SheetLayout) -> bool:
    if grid.num_rows <= layout.header_index or grid.num_columns < len(layout.header):
        return False
    row = _head(grid)[layout.header_index]
    skip = layout.columns.get("year")
    return all(j == skip or " ".join(str(row[j] or "").split()) == text
               for j, text in enumerate(layout.header))


def load_grid(reader, path: Path, sheet: str, dtypes: str | dict = "string") -> pa.RecordBatch:
    """Every cell of a sheet from row 1 (empty and whitespace-only cells as null), as text
    unless `dtypes` says otherwise per column."""
    try:
        grid = reader.load_sheet(sheet, header_row=None, skip_rows=0, dtypes=dtypes,
                                 eager=True, whitespace_as_null=True)
    except READER_ERRORS as exc:  # calamine errors vary (Rust panics too); the analyst gets one line
        if not is_reader_error(exc):
            raise
        raise InputError(path, f"cannot read the sheet: {_first_line(exc)}", sheet=sheet) from None
    if grid.num_rows == 0 or grid.num_columns == 0:
        raise InputError(path, "the sheet is empty", sheet=sheet)
    return grid


def _head(grid: pa.RecordBatch) -> list[list[str | None]]:
    columns = grid.slice(0, HEAD_ROWS).to_pydict().values()
    return [list(row) for row in zip(*columns)]


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _read_query_parameters(reader, path: Path, report: ImportReport) -> QueryParameters | None:
    try:
        grid = load_grid(reader, path, QUERY_SHEET)
    except InputError as exc:
        report.warnings.append(f"'{QUERY_SHEET}' sheet unreadable ({exc.problem}); ignored")
        return None
    columns = [grid.column(i).to_pylist() for i in range(min(2, grid.num_columns))]
    if len(columns) == 1:
        columns.append([None] * len(columns[0]))
    return parse_query_parameters(list(zip(*columns)))


def _measure_sheets(report: ImportReport, path: Path) -> list[tuple[str, str]]:
    sheets, seen = [], {}
    for name in report.sheets:
        measure = measure_id(name)
        if name == QUERY_SHEET:
            continue
        if measure is None:
            report.warnings.append(f"sheet '{name}' is not a DataWeb measure sheet; ignored")
        elif measure in seen:
            report.warnings.append(f"sheet '{name}' repeats measure {measure} of sheet "
                                   f"'{seen[measure]}'; ignored")
        else:
            seen[measure] = name
            sheets.append((name, measure))
    if not sheets:
        raise InputError(path, "no measure sheet (expected e.g. 'Customs Value', 'FAS Value', "
                               f"'First Unit of Quantity'); sheets found: {report.sheets}")
    return sheets


def _require_codes(layout: SheetLayout, params: QueryParameters | None, path: Path,
                   sheet: str, report: ImportReport) -> None:
    """An export without an HTS column is read (its totals still check) but maps to no mineral."""
    if "hts" in layout.columns:
        return
    why = "this export has no 'HTS Number' column"
    if params is not None and "aggregate" in params.get("Commodity Aggregation").lower():
        why = (f"this export sums all commodities (Commodity Aggregation "
               f"'{params.get('Commodity Aggregation')}')")
    warning = (f"sheet '{sheet}': {why}, so its rows carry no HTS code and no value maps to a "
               "mineral; re-export from DataWeb with Step 4: Break Out Commodities to analyse minerals")
    if warning not in report.warnings:
        report.warnings.append(warning)