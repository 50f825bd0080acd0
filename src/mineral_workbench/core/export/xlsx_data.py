"""The Data sheets: every imported row with its provenance, streamed.

One row per TradeFrame row: source file and SHA-256, sheet and row as the analyst sees them in
the source, flow, measure, unit, HTS code (text), year, month, partner as written and its code,
value, and whether the row is behind the analysis (primary value measure of an import flow,
not set aside as an overlap). Past Excel's row limit the rows continue on 'Data (2)', ...

Speed: cells are plain Python values except where a style or inert text is needed; those use
one reusable styled cell per column (openpyxl writes each appended row at once, so a cell
object can carry the next row's value), and risky text is found per column, vectorized.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
from openpyxl.cell import Cell, WriteOnlyCell

from ..errors import OperationCancelled
from .bundle import ExportBundle
from .safe_text import inert_cell, risky_mask
from .xlsx_write import TEXT, Column, SheetWriter

EXCEL_MAX_ROWS = 1_048_576
HEADER_ROWS = 2                      # classification banner + column headers
ROWS_PER_SHEET = EXCEL_MAX_ROWS - HEADER_ROWS
CHUNK = 20_000

DATA_COLUMNS = [
    ("source_file", Column("Source file", 30)),
    ("source_id", Column("SHA-256 of the source file", 68)),
    ("sheet", Column("Sheet", 18)),
    ("row", Column("Row in source", 9, "0")),
    ("flow", Column("Flow", 20)),
    ("measure", Column("Measure", 16)),
    ("unit", Column("Unit", 8)),
    ("hts", Column("HTS code", 12, TEXT)),
    ("year", Column("Year", 7, "0")),
    ("month", Column("Month", 7, "0")),
    ("partner_raw", Column("Partner (as written)", 30)),
    ("partner_code", Column("Partner code", 10, TEXT)),
    ("value", Column("Value", 17, "#,##0")),
    ("used", Column("In analysis", 10)),
]
STYLED = {"hts": TEXT, "partner_code": TEXT, "value": "#,##0"}

ProgressFn = Callable[[float, str], None]


def data_sheet_names(n_rows: int, rows_per_sheet: int = ROWS_PER_SHEET) -> list[str]:
    sheets = max(1, math.ceil(n_rows / rows_per_sheet))
    return ["Data"] + [f"Data ({i})" for i in range(2, sheets + 1)]


def used_mask(bundle: ExportBundle) -> np.ndarray:
    """Rows behind the cube: primary measure of an import flow, overlaps resolved."""
    frame, imports = bundle.loaded.frame, bundle.loaded.imports
    if imports is None:
        return np.ones(len(frame), dtype=bool)
    return frame.index.isin(imports.index)


def write_data(workbook, bundle: ExportBundle, *, rows_per_sheet: int = ROWS_PER_SHEET,
               progress: ProgressFn | None = None, cancel: Callable[[], bool] | None = None) -> list[str]:
    """Write the Data sheet(s); return their titles."""
    frame = bundle.loaded.frame
    n = len(frame)
    used = used_mask(bundle)
    names = data_sheet_names(n, rows_per_sheet)
    columns = [c for _, c in DATA_COLUMNS]
    for s, name in enumerate(names):
        start, stop = s * rows_per_sheet, min(n, (s + 1) * rows_per_sheet)
        sheet = SheetWriter(workbook, name, bundle.marking, columns, freeze=(HEADER_ROWS + 1, 1))
        header = sheet.header()
        templates = {key: _styled(sheet.ws, fmt) for key, fmt in STYLED.items()}
        for lo in range(start, stop, CHUNK):
            if cancel and cancel():
                raise OperationCancelled("export cancelled")
            hi = min(stop, lo + CHUNK)
            _write_chunk(sheet, frame.iloc[lo:hi], used[lo:hi], templates)
            if progress:
                progress(hi / max(n, 1), f"writing data rows {hi:,} of {n:,}")
        last = header + (stop - start)
        sheet.table("tblData" if s == 0 else f"tblData{s + 1}", header, last)
    return names


def _styled(ws, fmt: str) -> Cell:
    cell = WriteOnlyCell(ws)
    cell.number_format = fmt
    return cell


def _write_chunk(sheet: SheetWriter, chunk: pd.DataFrame, used: np.ndarray, templates: dict) -> None:
    ws = sheet.ws
    keys = [k for k, _ in DATA_COLUMNS]
    arrays, risky = [], []
    for key in keys:
        if key == "used":
            values = np.where(used, "yes", "no").astype(object)
        elif key == "month":
            values = chunk["month"].astype(object).where(chunk["month"].notna(), None).to_numpy(object)
        elif key in ("row", "year"):
            values = chunk[key].to_numpy().tolist()
        elif key == "value":
            values = chunk["value"].to_numpy(float).tolist()
        else:
            column = chunk[key]
            risky.append((len(arrays), risky_mask(column)))
            values = column.astype(object).where(column.notna(), None).to_numpy(object)
        arrays.append(values if isinstance(values, list) else values.tolist())
    for index, mask in risky:                     # inert cells only where a cell needs one
        if mask.any():
            column = arrays[index]
            for i in np.flatnonzero(mask):
                column[i] = inert_cell(ws, column[i])
    styled = [(keys.index(k), cell) for k, cell in templates.items()]
    for row in zip(*arrays):
        row = list(row)
        for index, cell in styled:
            value = row[index]
            if value is None or isinstance(value, Cell):
                continue
            if isinstance(value, float) and value != value:
                row[index] = None
                continue
            cell.value = value
            row[index] = cell
        sheet.row_index += 1
        ws.append(row)
