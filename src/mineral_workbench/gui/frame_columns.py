"""Column storage for the table model: columnar arrays, formatters bound once, no per-cell objects.

Numbers are one float64 numpy array (NaN = missing). Text stays an Arrow string array (the
buffers pandas already holds for `str` columns), read one cell at a time for display and
sorted or searched by Arrow's compute kernels, so a million rows cost no Python loop.
Free of Qt, so it can be tested and benchmarked headless.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .formatters import ColumnSpec, Kind, display_formatter, exact_formatter


def values_differ(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Elementwise 'not the same value' of two arrays alike, NaN equal to NaN."""
    if old.dtype.kind == "f":
        return (old != new) & ~(np.isnan(old) & np.isnan(new))
    return old != new


class FrameColumn:
    """One shown column. `display(row)` / `exact(row)` take a source row number."""

    __slots__ = ("spec", "values", "text", "display", "exact")

    def __init__(self, spec: ColumnSpec, *, values: np.ndarray | None = None,
                 text: pa.Array | None = None):
        self.spec = spec
        self.values = values      # float64, numeric columns
        self.text = text          # Arrow large_string (null = missing), text columns
        self.display: Callable[[int], str]
        self.exact: Callable[[int], str]
        if values is not None:
            self.display = _bind_numeric(values, display_formatter(spec))
            self.exact = _bind_numeric(values, exact_formatter(spec))
        else:
            self.display = _bind_text(text, spec.missing_text)
            self.exact = self.display

    def __len__(self) -> int:
        return len(self.values) if self.values is not None else len(self.text)

    def raw(self, row: int):
        """The unformatted value: a Python float (NaN when missing), or str / None."""
        if self.values is not None:
            return self.values.item(row)
        return self.text[row].as_py()

    def sort_permutation(self, descending: bool) -> np.ndarray:
        """Stable order of all rows by this column; missing values last in both directions."""
        if self.values is not None:  # numpy sorts NaN last; negation keeps it there
            keys = -self.values if descending else self.values
            return np.argsort(keys, kind="stable")
        order = pc.array_sort_indices(pc.utf8_lower(self.text),
                                      order="descending" if descending else "ascending",
                                      null_placement="at_end")
        return order.to_numpy()

    def changed_rows(self, other: FrameColumn) -> np.ndarray | None:
        """Per row, whether `other` (the same column of a recomputed frame) holds another
        value; None when no row changed. Missing equals missing; vectorized."""
        if self.values is not None:
            old, new = self.values, other.values
            if old is new or np.array_equal(old, new, equal_nan=True):
                return None
            return values_differ(old, new)
        if self.text.equals(other.text):
            return None
        differs = pc.fill_null(pc.not_equal(self.text, other.text), True)
        both_missing = pc.and_(pc.is_null(self.text), pc.is_null(other.text))
        return pc.and_not(differs, both_missing).to_numpy(zero_copy_only=False)

    def contains(self, text: str) -> np.ndarray:
        """Rows whose text contains `text`, ignoring case (numbers never match)."""
        if self.values is not None:
            return np.zeros(len(self), dtype=bool)
        hits = pc.match_substring(self.text, text, ignore_case=True).fill_null(False)
        return hits.to_numpy(zero_copy_only=False)


    def equals_any(self, values: list[str]) -> np.ndarray:
        """Rows whose text is exactly one of `values`."""
        if self.values is not None:
            return np.zeros(len(self), dtype=bool)
        hits = pc.is_in(self.text, value_set=pa.array(values, type=pa.large_string()))
        return hits.fill_null(False).to_numpy(zero_copy_only=False)


def _bind_numeric(values: np.ndarray, fmt) -> Callable[[int], str]:
    item = values.item
    return lambda row: fmt(item(row))


def _bind_text(text: pa.Array, missing: str) -> Callable[[int], str]:
    cell = text.__getitem__

    def display(row) -> str:
        value = cell(row).as_py()
        return missing if value is None else value
    return display


def make_column(series: pd.Series, spec: ColumnSpec) -> FrameColumn:
    """Store one frame column the way the model reads it."""
    if spec.numeric:
        if series.dtype == np.float64:
            return FrameColumn(spec, values=series.to_numpy())  # zero-copy
        if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf":  # no missing values
            return FrameColumn(spec, values=series.to_numpy().astype(np.float64))
        numbers = pd.to_numeric(series, errors="coerce")
        return FrameColumn(spec, values=numbers.to_numpy(dtype=np.float64, na_value=np.nan))
    return FrameColumn(spec, text=_arrow_text(series))


def _arrow_text(series: pd.Series) -> pa.Array:
    """The column as one Arrow large_string array; zero-copy for pandas' Arrow strings."""
    try:
        array = pa.array(series, from_pandas=True)
        if pa.types.is_dictionary(array.type):  # categorical
            array = array.dictionary_decode()
        if not pa.types.is_large_string(array.type):
            array = array.cast(pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        # mixed Python objects: show their str()
        array = pa.array([None if pd.isna(v) else str(v) for v in series],
                         type=pa.large_string())
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


# --- editable columns: what an editor starts with, and what a scenario changed -----------------

_WORDS = pa.array(["E", "NA"], type=pa.large_string())  # USGS writes these, not numbers
_NO_PREFIX = pa.array(["", "="], type=pa.large_string())
_EMPTY = pa.scalar("", type=pa.large_string())


def _number_strings(values: np.ndarray) -> pa.Array:
    """Arrow's shortest round-trip text of each number ('90', '47.5'); null where missing."""
    values = np.round(np.asarray(values, dtype=np.float64), 6)
    return pc.cast(pa.array(values, from_pandas=True), pa.large_string())


def number_texts(values: np.ndarray) -> np.ndarray:
    """Numbers as an analyst types them ('90', '47.5'; '' for missing); vectorized."""
    return _to_objects(_number_strings(values).fill_null(""))


def nir_texts(pct: pd.Series, qualifier: pd.Series) -> np.ndarray:
    """USGS's way of writing net import reliance: '100', '>50', '<25', 'E', 'NA' (vectorized)."""
    values = pd.to_numeric(pct, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    marks = pc.utf8_trim_whitespace(_arrow_text(qualifier)).fill_null("")
    prefix = pc.if_else(pc.is_in(marks, value_set=_NO_PREFIX), "", marks)
    written = pc.binary_join_element_wise(prefix, _number_strings(values).fill_null(""), _EMPTY)
    written = pc.if_else(pa.array(np.isnan(values)), "NA", written)
    return _to_objects(pc.if_else(pc.is_in(marks, value_set=_WORDS), marks, written))


def _to_objects(text: pa.Array) -> np.ndarray:
    return np.asarray(text.to_numpy(zero_copy_only=False), dtype=object)


def edit_texts(frame: pd.DataFrame, key: str) -> np.ndarray:
    """Per row, the text an editor of column `key` starts with (object array; once per frame).

    NIR combines the number with its qualifier, as the USGS tables print it.
    """
    sources = edit_sources(frame, key)
    if len(sources) == 2:
        return nir_texts(*sources)
    series = sources[0]
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return number_texts(series.to_numpy(dtype=np.float64, na_value=np.nan))
    return _to_objects(_arrow_text(series).fill_null(""))


def edit_sources(frame: pd.DataFrame, key: str) -> list[pd.Series]:
    """The columns `edit_texts(frame, key)` reads (to tell when its answer cannot change)."""
    if key == "nir_pct" and "nir_qualifier" in frame.columns:
        return [frame["nir_pct"], frame["nir_qualifier"]]
    return [frame[key]]


def with_unit(text: str, spec: ColumnSpec) -> str:
    """'90' → '90%' for percent-point columns; words such as 'E' or 'NA' stay as they are."""
    if text and text[-1].isdigit() and spec.kind is Kind.PERCENT_POINTS:
        return text + "%"
    return text
