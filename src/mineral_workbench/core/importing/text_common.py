"""Helpers shared by the text importers (DataWeb CSV, Census CSV, Census API JSON).

A decoded CSV becomes a `TextGrid`: its records, the 1-based line on which each record starts
(what the analyst sees in an editor, even when a quoted cell spans lines), and one Arrow
string column per field. Periods (`2024`, `2024-03`, `March 2024`, `2024 - March`) and
partner names are resolved once per distinct value and spread back with Arrow takes, so a
file of a million rows with a few hundred distinct values costs little Python.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from ..countries import normalize_partners
from ..errors import InputError, OperationCancelled
from ..tradeframe import TEXT, UNMAPPED
from .dataweb_common import ImportCancelled, Steps  # noqa: F401 - Steps re-exported
from .dataweb_layout import MONTHS
from .textfile import TextFile

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))


@dataclass
class TextGrid:
    """A CSV as columns: one Arrow string column per field (blank cells null), every record."""
    columns: list[pa.Array]
    lines: np.ndarray            # 1-based line where each record starts
    delimiter: str

    def head(self, n: int) -> list[list[str | None]]:
        """The first n records as lists (None for blank cells), for finding the header."""
        columns = [c.slice(0, n).to_pylist() for c in self.columns]
        return [list(row) for row in zip(*columns)]


def norm_header(cell: object) -> str:
    """`Customs  Value (Cons) ($US)` -> `Customs Value (Cons) ($US)` (whitespace collapsed)."""
    return " ".join(str(cell or "").split())


def detect_delimiter(text: str) -> str:
    """Tab for Excel's "Unicode text" exports, else comma (decided over the first lines, since
    a title row alone can hold more commas than the file has columns)."""
    head = "\n".join(text[:65536].splitlines()[:10])
    return "\t" if head.count("\t") > head.count(",") else ","


def read_grid(textfile: TextFile) -> TextGrid:
    """Parse a decoded CSV into columns plus the line number where each record starts.

    Arrow's C++ reader does the work when every record has as many fields as the first one
    (the usual export); ragged files go through Python's csv module, padded, so that no
    record is lost or shifted.
    """
    text = textfile.text
    delimiter = detect_delimiter(text)
    physical = text.count("\n") + text.count("\r") - text.count("\r\n")
    if text and text[-1] not in "\r\n":
        physical += 1
    columns = _arrow_columns(text, delimiter)
    if columns is None:
        rows = _python_rows(textfile, delimiter)
        columns, n = columns_of(rows), len(rows)
    else:
        n = len(columns[0]) if columns else 0
    if physical == n:                              # no quoted line breaks: record i = line i+1
        lines = np.arange(1, n + 1, dtype=np.int64)
    else:
        lines = _record_lines(text, delimiter)
    return TextGrid(columns=columns, lines=lines, delimiter=delimiter)


def _arrow_columns(text: str, delimiter: str) -> list[pa.Array] | None:
    first = next(csv.reader(io.StringIO(text[:1 << 20], newline=""), delimiter=delimiter), None)
    if not first:
        return None
    names = [f"c{i}" for i in range(len(first))]
    ragged: list[object] = []

    def on_invalid(row) -> str:
        ragged.append(row)
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.BufferReader(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                              ignore_empty_lines=False, invalid_row_handler=on_invalid),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=True,
                quoted_strings_can_be_null=True, null_values=[""]))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if ragged:
        return None
    return [_blank_to_null(table.column(i).combine_chunks()) for i in range(table.num_columns)]


def _python_rows(textfile: TextFile, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(textfile.text, newline=""), delimiter=delimiter)
    try:
        return list(reader)
    except csv.Error as exc:
        raise InputError(textfile.path, f"the CSV cannot be parsed: {exc}",
                         row=reader.line_num) from None


def _record_lines(text: str, delimiter: str) -> np.ndarray:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts, previous = [], 0
    try:
        for _ in reader:
            starts.append(previous + 1)
            previous = reader.line_num
    except csv.Error:
        pass
    return np.array(starts, dtype=np.int64)


def _blank_to_null(array: pa.Array) -> pa.Array:
    if array.type != pa.string():
        array = pc.cast(array, pa.string())
    blank = pc.equal(pc.utf8_trim_whitespace(array), "")
    if pc.any(blank).as_py():
        array = pc.if_else(blank, pa.scalar(None, pa.string()), array)
    return array


def columns_of(rows: list[list[str]], width: int | None = None) -> list[pa.Array]:
    """Records -> one Arrow string column per field; short records are padded with blanks
    (only those few are touched), longer ones cut to `width`; blank cells become null."""
    if not rows:
        return [pa.array([], pa.string()) for _ in range(width or 0)]
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    width = int(lengths.max()) if width is None else width
    if (lengths != width).any():
        rows = list(rows)
        for i in np.flatnonzero(lengths != width):
            row = rows[i]
            rows[i] = row[:width] if len(row) > width else row + [""] * (width - len(row))
    return [_blank_to_null(pa.array(cells, pa.string())) for cells in zip(*rows)]


def parse_periods(cells: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Period cells -> (year, month or 0 for annual, is_valid), one parse per distinct value.

    Accepts `2024`, `2024-03`, `2024-3`, `03/2024`, `March 2024`, `2024 - March`, `Mar 2024`.
    """
    encoded = pc.dictionary_encode(pc.fill_null(cells, ""))
    parsed = [_period(value) for value in encoded.dictionary.to_pylist()]
    years = np.array([p[0] for p in parsed] + [0], np.int64)
    months = np.array([p[1] for p in parsed] + [0], np.int64)
    index = np.asarray(encoded.indices)
    year, month = years[index], months[index]
    return year, month, year > 0


def _period(text: str) -> tuple[int, int]:
    text = " ".join(str(text).split()).lower()
    match = re.fullmatch(r"(\d{4})(?:\s*[-/.]\s*(\d{1,2}))?", text)
    if match:
        year, month = int(match.group(1)), int(match.group(2) or 0)
    elif match := re.fullmatch(r"(\d{1,2})\s*/\s*(\d{4})", text):
        year, month = int(match.group(2)), int(match.group(1))
    elif match := re.fullmatch(rf"({_MONTH_WORDS})\.?,?\s*(\d{{4}})", text):
        year, month = int(match.group(2)), MONTHS[match.group(1)]
    elif match := re.fullmatch(rf"(\d{{4}})\s*[-,]?\s*({_MONTH_WORDS})\.?", text):
        year, month = int(match.group(1)), MONTHS[match.group(2)]
    else:
        return 0, 0
    if not (1900 <= year <= 2200 and 0 <= month <= 12):
        return 0, 0
    return year, month


def partner_codes(names: pa.Array, system: str = "census") -> pd.Series:
    """Normalize each distinct partner name once, then spread the codes over the rows."""
    encoded = pc.dictionary_encode(pc.fill_null(names, ""))
    distinct = pd.Series(encoded.dictionary.to_pylist(), dtype=TEXT)
    codes = normalize_partners(distinct, system=system).fillna(UNMAPPED).astype(str).tolist()
    return text_series(pa.array(codes, pa.large_string()).take(encoded.indices))


def text_series(values: pa.Array | list | str, n: int | None = None) -> pd.Series:
    """An Arrow-backed pandas string Series (the TradeFrame's text dtype)."""
    if isinstance(values, str):
        values = pa.array([values] * int(n or 0), pa.large_string())
    elif not isinstance(values, pa.Array):
        values = pa.array(values, pa.large_string())
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != pa.large_string():
        values = pc.cast(values, pa.large_string())
    if values.null_count:
        values = pc.fill_null(values, "")
    return pd.Series(pd.arrays.ArrowStringArray(values))


def label_series(value: str, n: int) -> pd.Series:
    """One label repeated n times as a categorical (the TradeFrame's per-source columns),
    built from codes: no list of n Python strings."""
    return pd.Series(pd.Categorical.from_codes(np.zeros(n, np.int8), categories=[value]))


def labels_series(values: list[str], counts: list[int]) -> pd.Series:
    """values[0] counts[0] times, then values[1] ... as one categorical column."""
    categories = list(dict.fromkeys(values))
    codes = np.repeat(np.array([categories.index(v) for v in values], np.int16), counts)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories))


def month_series(months: np.ndarray) -> pd.Series:
    """Months 1-12 with 0 meaning annual -> the TradeFrame's nullable month column."""
    months = np.asarray(months, np.int64)
    return pd.Series(pd.arrays.IntegerArray(months, months == 0))


def first_rows(rows: np.ndarray, limit: int = 5) -> str:
    """`line 4, line 9, ... (12 in all)` for a warning."""
    shown = ", ".join(f"line {int(r)}" for r in rows[:limit])
    return shown + (f", ... ({len(rows)} in all)" if len(rows) > limit else "")


def unexpected(path, exc: Exception, stage: str) -> InputError:
    """An error no check foresaw, as an InputError naming the file and the stage."""
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return InputError(path, f"cannot read the file ({stage}): {type(exc).__name__}: {detail}")


def guarded_read(path, progress, cancel, reader, what: str):
    """Run an importer's `_read(path, step)`: bad input and cancels pass through unchanged;
    anything unforeseen still becomes one InputError naming the file."""
    path = Path(path)
    try:
        return reader(path, Steps(progress, cancel))
    except (InputError, OperationCancelled):
        raise
    except Exception as exc:  # noqa: BLE001 - anything unforeseen still names the file
        raise unexpected(path, exc, what) from exc
