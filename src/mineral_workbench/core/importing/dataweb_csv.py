"""USITC DataWeb .csv exports -> TradeFrame + ImportReport (FORMATS.md §1, CSV export).

A DataWeb CSV is one data sheet written as text: a quoted title row (`"General Imports|Monthly
data for 2015,2016,..."`), `Data Row Count,N`, the header, the rows and a `Total:` row of
quoted comma numbers. The grid is handed to `dataweb_layout` (the same layout detection,
reshaping and `Total:` checksum as the .xlsx importer), so long, years-as-columns and
months-as-columns files all work. A CSV carries no Query Parameters: the flow comes from the
title row, the measure from the `Data Type` values, and both are marked unknown (with a
warning) when the file does not say. Blank cells (months not yet published) are not zeros.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..tradeframe import COLUMNS
from .dataweb_assemble import assemble_frame
from .dataweb_common import flow_from_title, measure_id
from .dataweb_layout import EMPTY_VALUE, HEAD_ROWS, ParsedSheet, detect_layout, parse_sheet
from .report import DATAWEB_CITATION, ImportReport, file_sha256
from .text_common import Steps, TextGrid, guarded_read, read_grid
from .textfile import decode_head, read_text

FORMAT = "dataweb_csv"
LABEL = "USITC DataWeb CSV"
CITATION = DATAWEB_CITATION.format(
    date="[access date unknown (CSV exports carry no download date)]")
UNKNOWN_MEASURE = "unknown"
EMPTY_REASON = f"{EMPTY_VALUE} (not published yet or withheld: not read as zero)"
#: `Data Type` values that also name the flow (DataWeb writes them for general imports / exports)
_FLOW_OF_DATA_TYPE = {"general customs value": "imports_general", "fas value": "exports"}
_TITLE_RE = re.compile(r"(?i)\|\s*(annual|monthly|quarterly|year-to-date|ytd)\b")

__all__ = ["FORMAT", "LABEL", "sniff", "read"]


def sniff(path: str | Path, head: bytes) -> bool:
    """A title row `Flow|... data ...` or a header row starting `Data Type` near the top."""
    if head[:2] == b"PK" or head[:4] == b"\xd0\xcf\x11\xe0":
        return False
    lines = decode_head(head).splitlines()[:HEAD_ROWS]
    for i, line in enumerate(lines):
        delimiter = "\t" if line.count("\t") > line.count(",") else ","
        try:
            first = next(csv.reader([line], delimiter=delimiter), [""])
        except csv.Error:
            continue
        cell = " ".join((first[0] if first else "").split()).lower()
        if cell == "data type" and len(first) >= 3:
            return True
        if i == 0 and "|" in cell and (flow_from_title(cell) or _TITLE_RE.search(cell)):
            return True
    return False


def read(path: str | Path, *, progress=None, cancel=None) -> tuple[pd.DataFrame, ImportReport]:
    """Read a DataWeb CSV export; row numbers are the file's 1-based line numbers."""
    return guarded_read(path, progress, cancel, _read, "DataWeb CSV")


def _read(path: Path, step: Steps) -> tuple[pd.DataFrame, ImportReport]:
    step(0.0, "reading text")
    textfile = read_text(path)
    report = ImportReport(file=str(path), sha256=file_sha256(path), format=FORMAT,
                          encoding=textfile.encoding, citation=CITATION)
    if textfile.note:
        report.warnings.append(textfile.note)
    grid = read_grid(textfile)
    step(0.3, "finding the header")
    layout = detect_layout(grid.head(HEAD_ROWS), file=path, sheet="")
    batch = pa.RecordBatch.from_arrays(grid.columns, names=[f"c{i}" for i in range(len(grid.columns))])
    step(0.5, "reshaping")
    parsed = parse_sheet(batch, layout, file=path, sheet="")
    data_types = _data_types(batch, layout, parsed)
    _to_lines(parsed, grid)
    report.layout = layout.kind
    report.hs_editions = ["HTS"] if "hts" in layout.columns else []
    report.query_parameters = {k: v for k, v in (("Title", layout.title or ""),
                               ("Data Row Count", "" if layout.declared_rows is None
                                else str(layout.declared_rows))) if v}
    type_names = [] if data_types is None else pc.unique(data_types).to_pylist()
    _describe_flow(report, layout.title, type_names)
    pieces = _split_by_measure(report, parsed, data_types, type_names)
    step(0.8, "building trade table")
    frame = assemble_frame(report, pieces, None)
    _tidy_report(report, frame, layout, grid, batch)
    step(1.0, "done")
    return frame, report


def _data_types(batch: pa.RecordBatch, layout, parsed: ParsedSheet) -> pa.Array | None:
    """The `Data Type` cell of each kept value's source row (grid rows are 1-based)."""
    column = layout.columns.get("data_type")
    if column is None:
        return None
    cells = batch.column(column).take(pa.array(parsed.row - 1))
    return pc.fill_null(pc.utf8_trim_whitespace(cells), "")


def _to_lines(parsed: ParsedSheet, grid: TextGrid) -> None:
    """Grid rows -> file line numbers (they differ only when a quoted cell spans lines)."""
    lines = grid.lines
    parsed.row = lines[parsed.row - 1]
    parsed.dropped = {reason: lines[np.asarray(rows, np.int64) - 1].tolist()
                      for reason, rows in parsed.dropped.items()}


def _split_by_measure(report: ImportReport, parsed: ParsedSheet, data_types: pa.Array | None,
                      names: list[str]) -> list[tuple[str, str, ParsedSheet]]:
    """One (name, measure, values) piece per distinct `Data Type`; usually there is one."""
    names = [name for name in names if name]
    if not names:
        report.warnings.append("no 'Data Type' values: the measure is unknown (taken as a "
                               "value in dollars); check what was queried")
        return [("", UNKNOWN_MEASURE, parsed)]
    measures = {}
    for name in names:
        measures[name] = measure_id(name) or UNKNOWN_MEASURE
        if measures[name] == UNKNOWN_MEASURE:
            report.warnings.append(f"Data Type {name!r} is not a DataWeb measure the workbench "
                                   "knows: its rows have measure 'unknown'")
    if len(names) == 1:
        return [("", measures[names[0]], parsed)]
    report.warnings.append(f"{len(names)} Data Types in one CSV ({', '.join(names)}): read as "
                           "separate measures; the 'Total:' row mixes them, so it is not checked")
    pieces = []
    for i, name in enumerate(names):
        mask = np.asarray(pc.equal(data_types, name))
        part = ParsedSheet(
            layout=parsed.layout, row=parsed.row[mask], year=parsed.year[mask],
            month=None if parsed.month is None else parsed.month[mask],
            hts=_masked(parsed.hts, mask), country=_masked(parsed.country, mask),
            unit_text=_masked(parsed.unit_text, mask), value=parsed.value[mask],
            rows_read=parsed.rows_read if i == 0 else 0,
            dropped=parsed.dropped if i == 0 else {},
            warnings=parsed.warnings if i == 0 else [],
            repadded_codes=parsed.repadded_codes if i == 0 else 0)
        pieces.append(("", measures[name], part))   # "": a CSV has no sheets
    return pieces


def _masked(array: pa.Array | None, mask: np.ndarray) -> pa.Array | None:
    return None if array is None else array.filter(pa.array(mask))


def _describe_flow(report: ImportReport, title: str | None, data_types: list[str]) -> None:
    """Flow from the title row; else from a flow-specific Data Type; else unknown."""
    title_flow = flow_from_title(title)
    type_flows = {_FLOW_OF_DATA_TYPE[key] for key in
                  (" ".join(name.split()).lower() for name in data_types) if key in _FLOW_OF_DATA_TYPE}
    type_flow = type_flows.pop() if len(type_flows) == 1 else None
    report.flow = title_flow or type_flow or "unknown"
    if title_flow and type_flow and title_flow != type_flow:
        report.warnings.append(f"the title row says {title_flow} but the Data Type implies "
                               f"{type_flow}; the title row is used")
    if title_flow:
        return
    if title is None:
        why = "no title row (`Flow|Period data`)"
    else:
        why = f"title row {title!r} names no DataWeb trade flow"
    if type_flow:
        report.warnings.append(f"{why}: flow {type_flow} inferred from the Data Type values")
    else:
        report.warnings.append(f"{why}: the trade flow is unknown, so metrics that need import "
                               "flows will not use this file; say which flow was queried")


def _tidy_report(report: ImportReport, frame: pd.DataFrame, layout, grid: TextGrid,
                 batch: pa.RecordBatch) -> None:
    """Report wording for a CSV (no sheets), empty cells, the missing commodity column and
    the scale the CSV cannot state."""
    report.rows_dropped = {_csv_reason(reason): rows for reason, rows in report.rows_dropped.items()}
    report.warnings = [w.replace("sheet '': ", "").replace("sheet '' ", "the CSV ")
                       for w in report.warnings]
    unknown = (frame["measure"] == UNKNOWN_MEASURE).to_numpy()
    if unknown.any():                      # no unit can be claimed for an unknown measure
        frame["unit"] = frame["unit"].astype(object).where(~unknown, "").astype(COLUMNS["unit"])
    empty = report.rows_dropped.get(EMPTY_REASON)
    if empty:
        report.warnings.append(_empty_cells_note(empty, layout, grid, batch))
    if "hts" not in layout.columns:
        report.warnings.append(
            "this export has no HTS Number column (commodity not in the export): every row "
            "has an empty code and no value maps to a mineral; the analyst must know what "
            "was queried, or re-export from DataWeb with commodities broken out")
    if report.primary_measure not in ("quantity_1", "quantity_2"):
        report.warnings.append("a DataWeb CSV does not record the query's Data Format: values "
                               "taken as dollars (scale 1); if millions were queried, re-export "
                               "in dollars")


def _csv_reason(reason: str) -> str:
    reason = reason[2:] if reason.startswith(": ") else reason
    return EMPTY_REASON if reason == EMPTY_VALUE else reason


def _empty_cells_note(rows: list[int], layout, grid: TextGrid, batch: pa.RecordBatch) -> str:
    """`5 empty value cell(s) (December 2024, line 14; ...) ... not read as zero`."""
    index = np.searchsorted(grid.lines, np.asarray(rows, np.int64))
    periods = layout.periods if layout.kind != "long" else [(layout.columns["value"], None, None)]
    year_col = layout.columns.get("year")
    picked = pa.array(index)
    empty = np.column_stack([np.asarray(pc.is_null(batch.column(col).take(picked)))
                             for col, _, _ in periods])
    examples = []
    for r, j in zip(*np.nonzero(empty[:20])):
        if len(examples) == 5:
            break
        label = layout.header[periods[j][0]]
        if periods[j][1] is None and year_col is not None:
            label = f"{label} {batch.column(year_col)[int(index[r])].as_py() or ''}".strip()
        examples.append(f"{label}, line {rows[r]}")
    count = int(empty.sum())
    return (f"{count} empty value cell(s) ({'; '.join(examples)}"
            f"{'; ...' if count > len(examples) else ''}) are not data (not yet published or "
            "withheld) and were not read as zero")
