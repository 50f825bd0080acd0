"""A decoded CSV -> one Arrow string column per header position, with each record's line.

Used by the Comtrade importer, whose files have ~50 columns: Arrow's CSV reader parses them
without a Python object per cell. Every cell stays text (codes keep their leading zeros,
flags and numbers are checked against their columns before anything trusts them). Records
whose field count differs from the header's are set aside with their line, never read with
shifted columns. Line numbers are the ones an editor shows, blank lines and quoted line
breaks included.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ..errors import InputError
from .textfile import TextFile

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class CsvColumns:
    header: list[str]                  # header cells, stripped (BOM and quotes removed)
    columns: list[pa.Array]            # one string array per header position
    lines: np.ndarray                  # 1-based line on which each kept record starts
    ragged: list[tuple[int, int]] = field(default_factory=list)  # (line, fields) set aside
    delimiter: str = ","

    def __len__(self) -> int:
        return len(self.lines)


def detect_delimiter(first_line: str) -> str:
    """Tab for Excel's "Unicode text" and Comtrade bulk .txt files, else comma."""
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def read_csv_columns(textfile: TextFile) -> CsvColumns:
    """Parse the whole file; raise InputError when it has no header or cannot be parsed."""
    text = textfile.text
    physical = _LINE_BREAK.split(text)
    first = next((line for line in physical if line.strip()), "")
    if not first:
        raise InputError(textfile.path, "the file has no header line")
    delimiter = detect_delimiter(first)
    header = [cell.strip() for cell in next(csv.reader([first], delimiter=delimiter))]
    header_line = physical.index(first) + 1
    nonblank = np.flatnonzero(np.fromiter((bool(line) for line in physical), bool,
                                          count=len(physical))) + 1
    nonblank = nonblank[nonblank > header_line]
    ragged_numbers: list[tuple[int, int]] = []

    def set_aside(row) -> str:
        ragged_numbers.append((row.number, row.actual_columns))
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    body = "\n".join(physical[header_line:])
    try:
        table = pacsv.read_csv(
            io.BytesIO(body.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                              invalid_row_handler=set_aside),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        return _read_with_csv_module(textfile, header, delimiter, header_line, exc)
    columns = [table.column(i).combine_chunks() for i in range(len(names))]
    n_records = table.num_rows + len(ragged_numbers)
    if n_records != len(nonblank) or any(num is None for num, _ in ragged_numbers):
        # a quoted cell spans lines: let the csv module tell where each record starts
        return _read_with_csv_module(textfile, header, delimiter, header_line, None)
    ragged_index = np.array([num - 1 for num, _ in ragged_numbers], dtype=np.int64)
    kept = np.ones(n_records, bool)
    kept[ragged_index] = False
    ragged = [(int(nonblank[num - 1]), width) for num, width in ragged_numbers]
    return CsvColumns(header, columns, nonblank[kept].astype(np.int64), ragged, delimiter)


def _read_with_csv_module(textfile: TextFile, header: list[str], delimiter: str,
                          header_line: int, arrow_error: Exception | None) -> CsvColumns:
    """Slow path (quoted line breaks, or text Arrow refuses): the csv module, record by
    record, keeping the line where each record starts."""
    reader = csv.reader(io.StringIO(textfile.text, newline=""), delimiter=delimiter)
    width = len(header)
    cells: list[list[str]] = [[] for _ in range(width)]
    lines, ragged = [], []
    previous = 0
    try:
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if start <= header_line or not record:
                continue
            if len(record) != width:
                ragged.append((start, len(record)))
                continue
            lines.append(start)
            for column, value in zip(cells, record):
                column.append(value)
    except csv.Error as exc:
        detail = f"{exc}" + (f" ({arrow_error})" if arrow_error else "")
        raise InputError(textfile.path, f"the CSV cannot be parsed: {detail}",
                         row=reader.line_num) from None
    columns = [pa.array(column, pa.string()) for column in cells]
    return CsvColumns(header, columns, np.array(lines, dtype=np.int64), ragged, delimiter)
