"""Inert text for spreadsheets (DESIGN §6, formula injection).

Text from the analyst's input files (partner names, sheet names, query parameters, file
names) reaches Excel and CSV exports. A cell whose text starts with `=`, `+`, `-`, `@`, a tab
or a carriage return is evaluated by Excel, LibreOffice and Google Sheets as a formula when
it is typed, pasted or opened from CSV (OWASP "CSV injection"). Every exporter routes text
through this module:

* xlsx: the cell is written as a string (openpyxl `data_type = "s"`, so no `<f>` element is
  ever produced) and styled with `quotePrefix`, so Excel shows it as text and keeps it text
  even when the analyst edits the cell;
* CSV: the value is prefixed with an apostrophe, the convention spreadsheets honour.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXCEL_TEXT_LIMIT = 32_767          # characters a cell can hold
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # not allowed in XML 1.0


def is_risky(value: Any) -> bool:
    """True for text a spreadsheet could evaluate as a formula."""
    return isinstance(value, str) and value[:1] in RISKY_PREFIXES


def csv_safe(value: Any) -> Any:
    """The value for a CSV cell: risky text gets a leading apostrophe, anything else unchanged."""
    return "'" + value if is_risky(value) else value


def csv_safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` whose text columns and index are CSV-safe (numbers stay numbers)."""
    out = frame.copy()
    for column in out.columns:
        if _is_text(out[column].dtype):
            out[column] = out[column].astype(object).map(csv_safe)
    if _is_text(out.index.dtype):
        out.index = out.index.astype(object).map(csv_safe)
    return out


def _is_text(dtype) -> bool:
    return dtype == object or isinstance(dtype, (pd.StringDtype, pd.CategoricalDtype))


def clean_text(value: Any) -> str:
    """Text a workbook can hold: control characters XML forbids become U+FFFD, and the
    text is cut to Excel's 32,767-character cell limit (marked with an ellipsis)."""
    text = _ILLEGAL.sub("\ufffd", str(value))
    if len(text) > EXCEL_TEXT_LIMIT:
        text = text[:EXCEL_TEXT_LIMIT - 1] + "\u2026"
    return text


def needs_cell(value: str) -> bool:
    """True when a plain string cannot be handed to openpyxl as is: it would turn into a
    formula or an error value, or holds characters XML forbids."""
    return (value[:1] in RISKY_PREFIXES or value[:1] == "#" or bool(_ILLEGAL.search(value))
            or len(value) > EXCEL_TEXT_LIMIT)


def risky_mask(values: pd.Series | np.ndarray | list) -> np.ndarray:
    """Vectorized `needs_cell` over a column, so large sheets stream plain strings and build
    an inert cell only where one is needed."""
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    if isinstance(series.dtype, pd.CategoricalDtype):
        categories = pd.Series(series.cat.categories.astype(object))
        bad = categories.map(lambda v: isinstance(v, str) and needs_cell(v)).to_numpy(bool)
        codes = series.cat.codes.to_numpy()
        return np.where(codes >= 0, bad[np.maximum(codes, 0)], False) if len(bad) else np.zeros(len(series), bool)
    text = series.astype(object)
    return text.map(lambda v: isinstance(v, str) and needs_cell(v)).to_numpy(bool)


def inert_cell(worksheet, text: str, style: dict | None = None):
    """A write-only openpyxl cell holding `text` as a literal string, never a formula.

    `style` (font, fill, alignment, number_format, border) is applied to the cell as well.
    """
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415 - openpyxl is imported lazily

    cell = WriteOnlyCell(worksheet, value=clean_text(text))
    make_inert(cell)
    for name, value in (style or {}).items():
        setattr(cell, name, value)
    return cell


def make_inert(cell) -> None:
    """Force an openpyxl cell that holds text to stay text (string type + quote prefix)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if is_risky(cell.value):
            cell.quotePrefix = True
