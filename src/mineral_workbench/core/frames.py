"""pandas objects from typed columns, skipping pandas' value-by-value type inference.

Why: `pd.DataFrame({name: python_list})` looks at every value to infer each column's type
and converts text through several layers into Arrow; for the many small tables shaped at
start-up that overhead is most of their cost. Here the caller knows each column's type, so
text goes straight into Arrow and numbers into numpy, giving exactly the dtypes inference
would give (`str`, int64, float64, bool).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

#: pandas' default dtype for inferred text (Arrow-backed, NaN as the missing value)
STR = pd.StringDtype("pyarrow", na_value=np.nan)


def str_array(values) -> pd.api.extensions.ExtensionArray:
    """Python strings (no missing values) as a `str` array."""
    return pd.arrays.ArrowStringArray(pa.array(values, pa.large_string()), dtype=STR)


def frame_of(columns: Mapping[str, object]) -> pd.DataFrame:
    """A frame with a RangeIndex from equally long arrays (lists still go through inference)."""
    return pd.DataFrame(dict(columns), copy=False)


def frame_from_rows(rows: Sequence[Sequence], columns: Sequence[str],
                    numeric: Mapping[str, type] | None = None) -> pd.DataFrame:
    """Rows (values in `columns` order) as a frame: the `numeric` columns as numpy arrays of
    the given dtype, every other column text."""
    numeric = numeric or {}
    values = list(zip(*rows)) if rows else [()] * len(columns)
    return frame_of({name: np.array(column, dtype=numeric[name]) if name in numeric
                     else str_array(column) for name, column in zip(columns, values)})


def typed_column(values: list, kind: str, optional: bool):
    """A checked reference column as pandas would infer it from `values`: text kinds as `str`,
    floats as float64, required y/n as bool, whole numbers as int64 when they fit; anything
    else (optional y/n, huge numbers) is left to pandas' inference."""
    if kind in ("text", "digits", "iso3", "enum"):
        return str_array(values)
    if kind == "float":
        return np.array(values, dtype=float)
    if kind == "yn" and not optional:
        return np.array(values, dtype=bool)
    if kind == "int" and values and all(type(v) is int for v in values):
        array = np.array(values)
        return array if array.dtype == np.int64 else values
    return values
