"""Do the values fit the columns the header names? Checked before any name is trusted.

A header edited by hand (a column renamed, inserted or deleted) leaves every value under the
wrong name: a year under `refMonth`, `842` under `period`. Reading such a file would give
plausible, wrong numbers, so a column whose values mostly do not fit its name stops the
import with a message that names the first such column (in header order), the value, its
line and what the value looks like. A cell that does not fit in an otherwise good column is
a damaged row: the caller drops it and reports its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError

#: share of a column's non-empty cells that must misfit before the header is blamed
MISALIGNED_SHARE = 0.5


@dataclass(frozen=True)
class Rule:
    """What a column holds: a full-match regex over the stripped cell and its description."""
    pattern: str          # RE2 syntax (Arrow's regex engine): no look-arounds
    expected: str
    allow_empty: bool = True
    forbid: bool = False  # the cell fits when it does NOT match (e.g. "not a bare number")


NUMBER = Rule(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", "a number")
INTEGER = Rule(r"-?\d+", "a whole number")
FLAG = Rule(r"(?i:true|false|1|0)", "TRUE or FALSE")
YEAR = Rule(r"(?:19|20)\d\d", "a 4-digit year")
TEXT = Rule(r"[-+]?[\d.,]*\d[\d.,]*", "a name or description",
            forbid=True)


@dataclass
class Misfit:
    column: str          # header name as the file writes it
    position: int        # 0-based position in the header
    value: str
    line: int
    expected: str
    share: float         # share of the column's non-empty cells that do not fit
    mask: np.ndarray     # per record: the cell does not fit


def misfits(header: list[str], keys: list[str | None], columns: list[pa.Array],
            lines: np.ndarray, rules: dict[str, Rule]) -> list[Misfit]:
    """Every checked column with at least one misfitting cell, in header order.

    `keys[i]` is the rule key of header position i (None: a column nobody checks).
    """
    found = []
    for position, key in enumerate(keys):
        rule = rules.get(key) if key else None
        if rule is None or position >= len(columns) or len(columns[position]) == 0:
            continue
        mask, filled = _misfit_mask(columns[position], rule)
        if mask.any():
            first = int(np.flatnonzero(mask)[0])
            value = columns[position][first].as_py()
            found.append(Misfit(header[position], position, value, int(lines[first]),
                                rule.expected, float(mask.sum()) / max(int(filled.sum()), 1),
                                mask))
    return found


def check_alignment(path: str | Path, header: list[str], keys: list[str | None],
                    columns: list[pa.Array], lines: np.ndarray,
                    rules: dict[str, Rule]) -> tuple[np.ndarray, Misfit | None]:
    """Refuse a file whose header does not line up with its values.

    Returns (per-record mask of damaged rows, the first damaged cell or None) when every
    checked column mostly fits; raises InputError naming the first column (header order)
    that mostly does not.
    """
    found = misfits(header, keys, columns, lines, rules)
    for misfit in found:
        if misfit.share > MISALIGNED_SHARE:
            hint = shift_hint(keys, columns, rules)
            raise InputError(
                path, f"the header does not line up with the values: column '{misfit.column}' "
                      f"holds {misfit.value!r} on line {misfit.line} (looks like "
                      f"{describe_value(misfit.value)}, not {misfit.expected}){hint} "
                      "— was the header edited?",
                row=misfit.line, column=misfit.column)
    damaged = np.zeros(len(lines), bool)
    for misfit in found:
        damaged |= misfit.mask
    first = min(found, key=lambda m: (m.line, m.position)) if found else None
    return damaged, first


def shift_hint(keys: list[str | None], columns: list[pa.Array], rules: dict[str, Rule]) -> str:
    """'; the values sit one column left of their names' when a shift makes them fit."""
    checked = [i for i, key in enumerate(keys) if key in rules]
    best, best_fit = 0, _fit_share(keys, columns, rules, checked, 0)
    for shift in (-1, 1, -2, 2):
        fit = _fit_share(keys, columns, rules, checked, shift)
        if fit > best_fit + 0.25:
            best, best_fit = shift, fit
    if best == 0 or best_fit < 0.8:
        return ""
    side = "left" if best < 0 else "right"
    count = {1: "one column", 2: "two columns"}[abs(best)]
    return f"; the values sit {count} {side} of their names"


def _fit_share(keys, columns, rules, checked: list[int], shift: int) -> float:
    fits = total = 0
    for i in checked:
        j = i + shift
        if not 0 <= j < len(columns) or len(columns[j]) == 0:
            continue
        sample = columns[j].slice(0, 200)
        mask, filled = _misfit_mask(sample, rules[keys[i]])
        total += 1
        fits += int(mask.sum() <= MISALIGNED_SHARE * max(int(filled.sum()), 1))
    return fits / total if total else 0.0


def _misfit_mask(column: pa.Array, rule: Rule) -> tuple[np.ndarray, np.ndarray]:
    """(cell does not fit, cell is not empty), vectorized over the column."""
    stripped = pc.utf8_trim_whitespace(pc.fill_null(column, ""))
    empty = np.asarray(pc.equal(stripped, ""), dtype=bool)
    matches = np.asarray(pc.fill_null(pc.match_substring_regex(
        stripped, f"^(?:{rule.pattern})$"), False), dtype=bool)
    fits = ~matches if rule.forbid else matches
    if rule.allow_empty:
        fits |= empty
    return ~fits, ~empty


_SHAPES: tuple[tuple[str, str], ...] = (
    (r"", "an empty cell"),
    (r"(?i:true|false)", "a TRUE/FALSE flag"),
    (r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])", "a date written YYYYMMDD"),
    (r"(?:19|20)\d\d", "a year"),
    (r"(?:19|20)\d\d(?:0[1-9]|1[0-2])", "a period written YYYYMM"),
    (r"\d{6}", "a 6-digit HS code"),
    (r"\d{1,3}", "a numeric code or count"),
    (r"[-+]?\d[\d,]*\.\d*(?:[eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+|[-+]\d+", "a number"),
    (r"\d+", "a number"),
    (r"H[0-6]", "an HS edition code"),
    (r"A", "a frequency code (A = annual)"),
    (r"M|X|RM|RX", "a flow code"),
    (r"(?i:(?:re-?)?(?:import|export)s?)", "a flow name"),
    (r"C\d\d", "a customs procedure code"),
    (r"[A-Z]\d\d", "an area code such as W00 (World)"),
    (r"[A-Z]{3}", "an ISO3 country code"),
)


def describe_value(value: object) -> str:
    """What a misplaced value looks like: 'a year', 'an ISO3 country code', 'text'..."""
    text = "" if value is None else str(value).strip()
    for pattern, description in _SHAPES:
        if re.fullmatch(pattern, text):
            return description
    return "text"
