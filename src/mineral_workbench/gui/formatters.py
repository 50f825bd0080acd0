"""Per-column display formatters, chosen once per column so a table cell costs one call.

Kept free of Qt so exports and the CLI can format numbers exactly as the window shows them.
Every formatter takes one cell value (a float for numeric columns, a str or None for text)
and returns the string to display; `exact_formatter` gives the full-precision tooltip text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Callable

MISSING = "n/a"

Formatter = Callable[[object], str]


class Kind(str, Enum):
    """How a column's values are shown."""

    TEXT = "text"
    PERCENT = "percent"          # a fraction 0-1 shown as '63.2%'
    PERCENT_POINTS = "points"    # already a percent (USGS NIR 75 -> '75%')
    USD = "usd"                  # '$12,345' below a million, '$1.2 M', '$3.45 B'
    INTEGER = "integer"          # rounded with thousands separators (HHI '4,532')
    NUMBER = "number"            # anything else numeric


@dataclass(frozen=True)
class ColumnSpec:
    """One table column: which frame column it shows, its title and how to format it."""

    key: str
    title: str
    kind: Kind = Kind.TEXT
    description: str = ""
    missing_text: str = MISSING

    @property
    def numeric(self) -> bool:
        return self.kind is not Kind.TEXT


def default_spec(key: str, *, numeric: bool, integral: bool = False) -> ColumnSpec:
    """A spec for a frame column nobody described: title from its name, kind from its dtype."""
    title = key.replace("_", " ").strip().capitalize() or key
    if not numeric:
        return ColumnSpec(key, title, Kind.TEXT)
    return ColumnSpec(key, title, Kind.INTEGER if integral else Kind.NUMBER)


# --- display formatters (value -> short readable text) ------------------------------------

def _percent(missing: str) -> Formatter:
    def fmt(v) -> str:
        if v != v:
            return missing
        return f"{v * 100:.1f}%"
    return fmt


def _points(missing: str) -> Formatter:
    def fmt(v) -> str:
        if v != v:
            return missing
        return f"{round(float(v), 1):g}%"
    return fmt


def _usd(missing: str) -> Formatter:
    def fmt(v) -> str:
        if v != v:
            return missing
        size = abs(v)
        sign = "-" if v < 0 else ""
        if size >= 1e9:
            return f"{sign}${size / 1e9:,.2f} B"
        if size >= 1e6:
            return f"{sign}${size / 1e6:,.1f} M"
        return f"{sign}${size:,.0f}"
    return fmt


def _integer(missing: str) -> Formatter:
    def fmt(v) -> str:
        if v != v:
            return missing
        return f"{v:,.0f}"
    return fmt


def _number(missing: str) -> Formatter:
    def fmt(v) -> str:
        if v != v:
            return missing
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.4g}"
    return fmt


def _text(missing: str) -> Formatter:
    # The model hands text cells over as str or None (missing), never NaN.
    def fmt(v) -> str:
        if v is None:
            return missing
        return v if type(v) is str else str(v)
    return fmt


_DISPLAY = {
    Kind.PERCENT: _percent,
    Kind.PERCENT_POINTS: _points,
    Kind.USD: _usd,
    Kind.INTEGER: _integer,
    Kind.NUMBER: _number,
    Kind.TEXT: _text,
}


def display_formatter(spec: ColumnSpec) -> Formatter:
    """The cell formatter for `spec`, built once and reused for every row."""
    return _DISPLAY[spec.kind](spec.missing_text)


# --- exact formatters (tooltips: the full-precision value) --------------------------------

def _exact_number(v) -> str:
    return f"{float(v):.15g}"


def exact_formatter(spec: ColumnSpec) -> Formatter:
    """Full-precision text for tooltips, so the analyst can see what the rounding hides."""
    missing = spec.missing_text or MISSING
    if spec.kind is Kind.TEXT:
        return _text(missing)

    def fmt(v) -> str:
        if v != v:
            return "not available"
        if spec.kind is Kind.PERCENT:
            return f"{_exact_number(v)} ({float(v) * 100:.10g}%)"
        if spec.kind is Kind.PERCENT_POINTS:
            return f"{_exact_number(v)}%"
        if spec.kind is Kind.USD:
            return f"${float(v):,.2f}"
        if spec.kind is Kind.INTEGER:
            return f"{float(v):,.10g}"
        return _exact_number(v)
    return fmt
