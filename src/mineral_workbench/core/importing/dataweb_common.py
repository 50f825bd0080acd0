"""DataWeb vocabulary shared by the .xlsx and .csv importers (FORMATS.md §1).

Names (flows, measure sheets), the `Query Parameters` provenance sheet, DataWeb's text
numbers (`'72,806,911,050'`) and HTS codes that lost their leading zero. Everything here
works on plain strings or Arrow string arrays, never on a file, so both importers share it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import OperationCancelled, WorkbenchError


class ImportCancelled(OperationCancelled):
    """The analyst cancelled an import in progress (raised when `cancel()` returns True)."""


class Steps:
    """Progress and cancellation checkpoints: cancel() wins before each step."""

    def __init__(self, progress: Callable[[float, str], None] | None, cancel: Callable[[], bool] | None):
        self.progress, self.cancel = progress, cancel

    def __call__(self, fraction: float, message: str) -> None:
        if self.cancel is not None and self.cancel():
            raise ImportCancelled("import cancelled")
        if self.progress is not None:
            self.progress(fraction, message)



#: DataWeb `Trade Flow` (lower case) -> TradeFrame flow id
FLOW_IDS = {
    "imports for consumption": "imports_consumption",
    "general imports": "imports_general",
    "total exports": "exports",
    "domestic exports": "exports",
    "foreign exports": "exports",
}

#: DataWeb measure sheet name (lower case) -> TradeFrame measure id
MEASURE_IDS = {
    "customs value": "customs_value",
    "general customs value": "customs_value",
    "first unit of quantity": "quantity_1",
    "second unit of quantity": "quantity_2",
    "landed duty-paid value": "landed_duty_paid",
    "dutiable value": "dutiable_value",
    "calculated duties": "calculated_duties",
    "import charges": "import_charges",
    "cif import value": "cif_value",
    "fas value": "fas_value",
}

QUANTITY_MEASURE_IDS = ("quantity_1", "quantity_2")

#: the primary value measure each flow's metrics use (DESIGN §3)
PRIMARY_MEASURE = {"imports_consumption": "customs_value", "imports_general": "customs_value",
                   "exports": "fas_value"}

_NUMBER_RE = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


def flow_id(name: str | None) -> str | None:
    """`Imports For Consumption` -> `imports_consumption`; None when not a DataWeb flow."""
    return FLOW_IDS.get((name or "").strip().lower())


def measure_id(sheet_name: str | None) -> str | None:
    """`Customs Value` -> `customs_value`; None for a sheet that is not a measure sheet."""
    return MEASURE_IDS.get((sheet_name or "").strip().lower())


def flow_from_title(title: str | None) -> str | None:
    """The flow named in a data sheet's title cell (`Total Exports|Annual Data`)."""
    return flow_id((title or "").split("|")[0]) if title and "|" in title else None


def parse_total_number(text: object) -> float | None:
    """One DataWeb text number (`'72,806,911,050'`, `'363,765.42'`, `'(1,234)'`) -> float."""
    if text is None:
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    raw = str(text).strip().replace(",", "").replace("$", "").replace(" ", "")
    negative = raw.startswith("(") and raw.endswith(")")
    raw = raw.strip("()")
    if not re.fullmatch(_NUMBER_RE, raw):
        return None
    value = float(raw)
    return -value if negative else value


def decimals_of(text: object) -> int:
    """Digits after the decimal point in a text number (`'363,765.42'` -> 2)."""
    match = re.search(r"\.(\d+)\s*\)?\s*$", str(text or ""))
    return len(match.group(1)) if match else 0


def parse_numbers(values: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorized: Arrow strings -> (float64 values, is_empty, is_non_numeric).

    Thousands separators are accepted (DataWeb writes some numbers as `'1,234'` text).
    Empty cells and non-numbers give NaN and are told apart so each can be reported.
    Clean columns (the usual case) take one Arrow cast; only a column that fails it pays
    for the cell-by-cell checks.
    """
    if values.type != pa.string():
        values = pc.cast(values, pa.string())
    n = len(values)
    if values.null_count == n:
        return np.full(n, np.nan), np.ones(n, bool), np.zeros(n, bool)
    try:
        out = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(out)
        is_empty = np.asarray(pc.is_null(values))
        if finite.sum() + is_empty.sum() == n:
            return out, is_empty, np.zeros(n, bool)
    except pa.ArrowInvalid:
        pass
    cleaned = pc.utf8_trim_whitespace(pc.replace_substring(values, ",", ""))
    empty = pc.fill_null(pc.equal(cleaned, ""), True)
    good = pc.fill_null(pc.match_substring_regex(cleaned, _NUMBER_RE), False)
    parsed = pc.cast(pc.if_else(good, cleaned, pa.scalar(None, pa.string())), pa.float64())
    out = parsed.to_numpy(zero_copy_only=False)
    is_empty = np.asarray(empty)
    return out, is_empty, ~np.asarray(good) & ~is_empty


def clean_codes(codes: pa.Array) -> tuple[pa.Array, np.ndarray, int]:
    """HTS codes as text -> (codes, is_valid, n_repadded).

    A code cell stored as a number loses its leading zero (`0106190000` -> `106190000`); a
    real HTS code has an even number of digits (2/4/6/8/10), so an odd length up to 9 is
    re-padded with one zero and counted for a warning. Dots and spaces (`8105.20.60.00`)
    are removed.
    """
    if codes.type != pa.string():
        codes = pc.cast(codes, pa.string())
    digits = np.asarray(pc.fill_null(pc.utf8_is_digit(codes), False))
    if not digits.all():
        codes = pc.replace_substring_regex(codes, r"[\s.]", "")
        digits = np.asarray(pc.fill_null(pc.utf8_is_digit(codes), False))
    length = _byte_lengths(codes)             # digits are one byte each, so bytes = characters
    odd = digits & (length % 2 == 1) & (length <= 9)
    repadded = int(odd.sum())
    if repadded:
        codes = pc.if_else(pa.array(odd), pc.binary_join_element_wise("0", codes, ""), codes)
        length = _byte_lengths(codes)
    valid = digits & (length % 2 == 0) & (length >= 2) & (length <= 10)
    return codes, valid, repadded


def _byte_lengths(strings: pa.Array) -> np.ndarray:
    """Byte length of each string straight from the Arrow offsets (no kernel, no copy)."""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32)
    offsets = offsets[strings.offset: strings.offset + len(strings) + 1]
    return np.diff(offsets)


@dataclass
class QueryParameters:
    """The `Query Parameters` sheet, read as the provenance record of a DataWeb export."""
    raw: dict[str, str] = field(default_factory=dict)
    flow: str | None = None
    flow_name: str = ""
    scale: float = 1.0
    download_date: str | None = None
    warnings: list[str] = field(default_factory=list)

    def get(self, label: str, default: str = "") -> str:
        return self.raw.get(label, default)


def parse_query_parameters(pairs: list[tuple[object, object]]) -> QueryParameters:
    """Label/value pairs -> QueryParameters. Repeated labels (`Select Type` appears under
    several steps) are keyed `Select Type (Step 3: Countries)` so none is lost."""
    labels = [str(label).strip() for label, _ in pairs if label is not None]
    repeated = {label for label in labels if labels.count(label) > 1}
    params = QueryParameters()
    step = ""
    for label, value in pairs:
        if label is None or not str(label).strip():
            continue
        label = str(label).strip()
        text = "" if value is None else _as_text(value)
        if re.match(r"(?i)^step \d+\s*:", label) and not text:
            step = label
            continue
        key = f"{label} ({step})" if label in repeated and step else label
        params.raw[key] = text
    params.download_date = _parse_download_date(params.raw.get("Download Date"), params.warnings)
    params.flow_name = params.raw.get("Trade Flow", "")
    params.flow = flow_id(params.flow_name)
    if params.flow_name and params.flow is None:
        params.warnings.append(f"unknown Trade Flow {params.flow_name!r}: flow set to 'unknown'")
    params.scale = _parse_scale(params.raw.get("Data Format"), params.warnings)
    return params


def _as_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def _parse_download_date(text: str | None, warnings: list[str]) -> str | None:
    """A real Excel datetime (read as `2026-03-27 12:52:18.977`), a serial number, or a
    date in text -> ISO date."""
    if not text:
        return None
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", text)
    if match:
        return match.group(1)
    if re.fullmatch(r"\d+(\.\d+)?", text):  # an Excel serial day number not formatted as date
        return (date(1899, 12, 30) + timedelta(days=int(float(text)))).isoformat()
    for fmt in ("%m/%d/%Y", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%d %B %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    warnings.append(f"Download Date {text!r} is not a date; citation has no access date")
    return None


def _parse_scale(text: str | None, warnings: list[str]) -> float:
    """`Data Format`: 1 = dollars, 1000000 = millions of dollars (the data sheets never say)."""
    if text is None or text == "":
        warnings.append("no 'Data Format' in Query Parameters: values taken as dollars (scale 1)")
        return 1.0
    number = parse_total_number(text)
    if number is not None and number > 0:
        return number
    lowered = text.lower()
    for word, scale in (("billion", 1e9), ("million", 1e6), ("thousand", 1e3)):
        if word in lowered:
            return scale
    if "dollar" in lowered:
        return 1.0
    warnings.append(f"'Data Format' {text!r} is not a number: values taken as dollars (scale 1)")
    return 1.0
