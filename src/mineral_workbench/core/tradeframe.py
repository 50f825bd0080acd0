"""The TradeFrame: one long table of trade rows, whatever file they came from (DESIGN §3).

A TradeFrame is a plain pandas DataFrame with exactly the columns of `COLUMNS`, in that order
and with those dtypes. Importers build it with `build_tradeframe`; everything downstream may
rely on `validate_tradeframe` having passed. Codes and countries are text, never numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from .errors import WorkbenchError

TEXT = pd.StringDtype("pyarrow")
#: per-source constants repeat on every row: categorical keeps 1M rows cheap
LABEL = "category"

#: column name -> dtype, in canonical order
COLUMNS: dict[str, object] = {
    "source_id": LABEL,    # the source file's SHA-256 (short ids are for display only)
    "source_file": LABEL,  # the file name as the analyst saw it (set by importing.load_file)
    "sheet": LABEL,        # empty for CSV/JSON
    "row": "int64",        # 1-based row as the analyst sees it (Excel row or CSV line)
    "flow": LABEL,
    "measure": LABEL,
    "unit": LABEL,
    "hts": TEXT,           # digits only; "" where the export sums all commodities
    "hs_edition": LABEL,   # e.g. "HTS", "H5", "H6"; empty when unknown
    "year": "int64",
    "month": "Int64",      # nullable: annual rows have no month
    "partner_raw": TEXT,   # the country as the file wrote it
    "partner_code": TEXT,  # ISO3, an aggregate code (WLD, S19, ...) or UNMAPPED
    "value": "float64",    # already scaled (USD for value measures)
}

FLOWS = ("imports_consumption", "imports_general", "exports", "unknown")
IMPORT_FLOWS = ("imports_consumption", "imports_general")

VALUE_MEASURES = (
    "customs_value", "cif_value", "fob_value", "dutiable_value", "calculated_duties",
    "landed_duty_paid", "import_charges", "fas_value", "primary_value",
)
QUANTITY_MEASURES = ("quantity_1", "quantity_2", "net_weight", "quantity")
MEASURES = VALUE_MEASURES + QUANTITY_MEASURES

UNMAPPED = "UNMAPPED"


class TradeFrameError(WorkbenchError):
    """A frame handed to the core does not have the TradeFrame shape (a programming error)."""


def empty_tradeframe() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in COLUMNS.items()})


def build_tradeframe(columns: Mapping[str, Sequence | np.ndarray | pd.Series | object],
                     n_rows: int | None = None) -> pd.DataFrame:
    """Assemble a TradeFrame from per-column arrays or scalars, coercing dtypes.

    Scalars are broadcast (e.g. ``flow="imports_consumption"``); missing text columns
    default to "" and a missing month to <NA>.
    """
    lengths = {len(v) for v in columns.values() if not _is_scalar(v)}
    if n_rows is None:
        if len(lengths) != 1:
            raise TradeFrameError(f"column lengths disagree or are all scalars: {sorted(lengths)}")
        n_rows = lengths.pop()
    elif lengths and lengths != {n_rows}:
        raise TradeFrameError(f"column lengths {sorted(lengths)} differ from n_rows={n_rows}")
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise TradeFrameError(f"unknown TradeFrame columns: {sorted(unknown)}")
    data = {}
    for name, dtype in COLUMNS.items():
        raw = columns.get(name, pd.NA if name == "month" else "")
        if _is_scalar(raw):
            data[name] = _broadcast(raw, n_rows, dtype)
            continue
        if isinstance(raw, pd.Series):
            series = raw.reset_index(drop=True)
            data[name] = series if str(series.dtype) == str(_dtype(dtype)) else series.astype(dtype)
        else:
            data[name] = pd.Series(raw, dtype=dtype)
    return pd.DataFrame(data)


def validate_tradeframe(frame: pd.DataFrame) -> pd.DataFrame:
    """Check shape, dtypes and domain rules; return the frame unchanged when valid."""
    if list(frame.columns) != list(COLUMNS):
        raise TradeFrameError(f"TradeFrame columns must be {list(COLUMNS)}, got {list(frame.columns)}")
    for name, dtype in COLUMNS.items():
        if str(frame[name].dtype) != str(_dtype(dtype)):
            raise TradeFrameError(f"column {name!r} has dtype {frame[name].dtype}, expected {dtype}")
    if len(frame) == 0:
        return frame
    codes = pd.Series(frame["hts"].unique(), dtype=TEXT)  # check each distinct code once
    bad_codes = codes[~codes.str.fullmatch(r"(\d{2,10})?").fillna(False).astype(bool)]
    if len(bad_codes):
        first = frame.loc[frame["hts"].isin(bad_codes)].iloc[0]
        raise TradeFrameError(f"hts must be 2-10 digits as text (or empty); row {first['row']} has {first['hts']!r}")
    bad_flow = ~frame["flow"].isin(FLOWS)
    if bad_flow.any():
        raise TradeFrameError(f"unknown flow values: {sorted(frame.loc[bad_flow, 'flow'].unique())}")
    if frame["partner_code"].isna().any() or (frame["partner_code"] == "").any():
        raise TradeFrameError("every row needs a partner_code (ISO3, aggregate code or UNMAPPED)")
    months = frame["month"].dropna()
    if len(months) and ((months < 1) | (months > 12)).any():
        raise TradeFrameError("month must be 1-12 or missing")
    return frame


def concat_tradeframes(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_tradeframe()
    if len(frames) == 1 and _is_shaped(frames[0]):  # what concat + astype would give, unread
        return frames[0].reset_index(drop=True)
    out = pd.concat(frames, ignore_index=True)
    return out.astype({k: v for k, v in COLUMNS.items()})


def _is_shaped(frame: pd.DataFrame) -> bool:
    """The TradeFrame's columns, in order, each already of its dtype."""
    return list(frame.columns) == list(COLUMNS) and all(
        str(frame[name].dtype) == str(_dtype(dtype)) for name, dtype in COLUMNS.items())


def _broadcast(value, n: int, dtype) -> pd.Series:
    """A constant column without building n Python objects (1M rows in microseconds)."""
    if dtype == LABEL:
        if value is None or value is pd.NA:
            value = ""
        categories = pd.Index([str(value)], dtype=TEXT)
        return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8),
                                                   dtype=pd.CategoricalDtype(categories)))
    if dtype == TEXT and isinstance(value, str):
        return pd.Series(pd.arrays.ArrowStringArray(pa.repeat(value, n)), dtype=TEXT) \
            if hasattr(pa, "repeat") else pd.Series(np.full(n, value, dtype=object), dtype=TEXT)
    if (value is pd.NA or value is None) and dtype == "Int64":
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool)))
    if value is pd.NA or value is None:
        return pd.Series(np.full(n, np.nan)).astype(dtype)
    return pd.Series(np.full(n, value), dtype=dtype)


@functools.lru_cache(maxsize=None)
def _dtype(dtype: object):
    return pd.Series([], dtype=dtype).dtype


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, bytes, int, float, np.generic)) or value is None or value is pd.NA
