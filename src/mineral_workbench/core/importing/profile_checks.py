"""The rules a column-mapping profile must follow on its own (used by profile.py).

Each rule gives `(field, problem)` with the field named as in the JSON (`columns.code`,
`fixed.year`), so the mapping dialog can point at the control to fix and the CLI can say
which line of the profile file is wrong. Checks that need the file (is that header there?)
live in mapped.py.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import fields

from ..tradeframe import FLOWS, MEASURES, QUANTITY_MEASURES

#: roles that name one column
COLUMN_ROLES = ("code", "country", "year", "month", "value", "quantity", "unit", "flow")
#: roles that name several period columns ("auto": every column whose header is a period)
PERIOD_ROLES = ("year_columns", "month_columns")
ROLES = COLUMN_ROLES + PERIOD_ROLES
#: values a profile may fix when the sheet has no column for them
FIXED_KEYS = ("code", "country", "year", "month", "unit")
LAYOUTS = ("long", "wide_years", "wide_months")
COUNTRY_SYSTEMS = ("census", "dataweb", "usgs", "name", "iso3", "iso2")
DEFAULT_TOTAL_PATTERN = r"^\s*(Total|Grand total|All countries|World)\b"


def normalize_header(cell: object) -> str:
    """Header text for matching: case, spacing and a leading apostrophe ignored."""
    text = "" if cell is None else str(cell)
    return re.sub(r"\s+", " ", text.strip().lstrip("'")).strip().casefold()


_TYPES = {
    "name": (str,), "header_row": (int,), "sheet": (str, int, type(None)), "columns": (dict,),
    "country_system": (str,), "flow": (str, type(None)), "flow_values": (dict,),
    "measure": (str,), "quantity_measure": (str,), "scale": (int, float),
    "quantity_scale": (int, float), "fixed": (dict,), "total_pattern": (str,),
    "partner_overrides": (dict,), "fill_down": (list,), "hs_edition": (str,),
    "delimiter": (str, type(None)), "signature": (str,), "citation": (str,), "notes": (str,),
}


def type_problem(data: dict) -> tuple[str, str] | None:
    """(field, problem) for the first field of a profile's JSON whose type is wrong."""
    for key, value in data.items():
        allowed = _TYPES.get(key)
        if allowed and (isinstance(value, bool) or not isinstance(value, allowed)):
            wanted = " or ".join("null" if t is type(None) else
                                 {"str": "text", "int": "a whole number", "float": "a number",
                                  "dict": "an object", "list": "a list"}[t.__name__]
                                 for t in allowed)
            return key, f"must be {wanted}, not {json.dumps(value, default=str)[:60]}"
    return None


def problems(p) -> list[tuple[str, str]]:
    """(field, problem) pairs for everything wrong with profile `p` on its own."""
    wrong = type_problem({f.name: getattr(p, f.name) for f in fields(p)})
    if wrong:   # a Profile built in code can hold anything; the checks below need the types
        return [wrong]
    out: list[tuple[str, str]] = []
    if not p.name.strip():
        out.append(("name", "a profile needs a name"))
    if not 1 <= p.header_row <= 1_048_576:
        out.append(("header_row", f"must be a row number from 1 (got {p.header_row})"))
    if isinstance(p.sheet, int) and p.sheet < 1:
        out.append(("sheet", f"sheet numbers start at 1 (got {p.sheet})"))
    out += _column_problems(p)
    out += _role_problems(p)
    out += _setting_problems(p)
    return out


def _column_problems(p) -> list[tuple[str, str]]:
    out = []
    for role, ref in p.columns.items():
        where = f"columns.{role}"
        if role not in ROLES:
            out.append((where, f"unknown role (roles: {', '.join(ROLES)})"))
        elif role in PERIOD_ROLES:
            if ref == "auto":
                continue
            if not isinstance(ref, list) or not ref:
                out.append((where, "must be a non-empty list of columns or \"auto\""))
            else:
                out += [(where, problem) for item in ref if (problem := _ref_problem(item))]
        elif problem := _ref_problem(ref):
            out.append((where, problem))
    if "year_columns" in p.columns and "month_columns" in p.columns:
        out.append(("columns.month_columns", "a sheet has year columns or month columns, not "
                                             "both (for 'Jan 2023' headers use month_columns)"))
    singles = [(r, c) for r, c in p.columns.items() if r in COLUMN_ROLES and _ref_problem(c) is None]
    for i, (role, ref) in enumerate(singles):
        for other, ref2 in singles[i + 1:]:
            if _ref_key(ref) == _ref_key(ref2):
                out.append((f"columns.{other}", f"uses the same column as columns.{role} ({ref!r})"))
    return out


def _ref_problem(ref: object) -> str | None:
    if isinstance(ref, bool) or not isinstance(ref, (str, int)):
        return f"a column is a header text or a column number, not {json.dumps(ref)}"
    if isinstance(ref, int) and ref < 1:
        return f"column numbers start at 1 (column A), got {ref}"
    if isinstance(ref, str) and not ref.strip():
        return "empty column name"
    return None


def _ref_key(ref: str | int) -> object:
    return normalize_header(ref) if isinstance(ref, str) else ref


def _role_problems(p) -> list[tuple[str, str]]:
    out = []
    for role in ("code", "country"):
        if not p.has(role):
            out.append((f"columns.{role}", f"missing: choose the {role} column "
                                           f"(or a fixed {role} in 'fixed')"))
    if p.layout == "long":
        if not (p.has("year")):
            out.append(("columns.year", "missing: choose the year column, year columns "
                                        "(wide layout) or a fixed year"))
        if "value" not in p.columns and "quantity" not in p.columns:
            out.append(("columns.value", "missing: choose the value (or quantity) column"))
    else:
        for role in ("value", "quantity"):
            if role in p.columns:
                out.append((f"columns.{role}", f"not used with {p.layout.replace('_', ' ')}: "
                                               "the period columns hold the values"))
        if p.layout == "wide_years" and p.has("year"):
            where = "columns.year" if "year" in p.columns else "fixed.year"
            out.append((where, "not used with year columns (their headers are the years)"))
    if "month" in p.columns and p.layout != "long":
        out.append(("columns.month", "a month column belongs to the long layout"))
    for key, value in p.fixed.items():
        if key not in FIXED_KEYS:
            out.append((f"fixed.{key}", f"cannot be fixed (fixable: {', '.join(FIXED_KEYS)})"))
        elif key in p.columns:
            out.append((f"fixed.{key}", f"both fixed and read from columns.{key}: choose one"))
    out += _fixed_value_problems(p.fixed)
    for role in p.fill_down:
        if role not in COLUMN_ROLES or role not in p.columns:
            out.append(("fill_down", f"{role!r} is not a role read from a column"))
    return out


def _fixed_value_problems(fixed: dict) -> list[tuple[str, str]]:
    out = []
    if "year" in fixed and not (isinstance(fixed["year"], int) and 1900 <= fixed["year"] <= 2200):
        out.append(("fixed.year", f"must be a year such as 2023, not {fixed['year']!r}"))
    if "month" in fixed and not (isinstance(fixed["month"], int) and 1 <= fixed["month"] <= 12):
        out.append(("fixed.month", f"must be 1-12, not {fixed['month']!r}"))
    if "code" in fixed and not re.fullmatch(r"(\d\d){1,5}", str(fixed["code"])):
        out.append(("fixed.code", f"must be a 2-10 digit HS/HTS code as text, not {fixed['code']!r}"))
    for key in ("country", "unit"):
        if key in fixed and not (isinstance(fixed[key], str) and fixed[key].strip()):
            out.append((f"fixed.{key}", "must be non-empty text"))
    return out


def _setting_problems(p) -> list[tuple[str, str]]:
    out = []
    if p.country_system not in _country_systems():
        out.append(("country_system", f"unknown {p.country_system!r} "
                                      f"(one of {', '.join(_country_systems())})"))
    if p.flow is not None and p.flow not in FLOWS:
        out.append(("flow", f"unknown {p.flow!r} (one of {', '.join(FLOWS)})"))
    for raw, flow in p.flow_values.items():
        if flow not in FLOWS:
            out.append((f"flow_values.{raw}", f"unknown flow {flow!r} (one of {', '.join(FLOWS)})"))
    if p.measure not in MEASURES:
        out.append(("measure", f"unknown {p.measure!r} (one of {', '.join(MEASURES)})"))
    if p.quantity_measure not in QUANTITY_MEASURES:
        out.append(("quantity_measure", f"unknown {p.quantity_measure!r} "
                                        f"(one of {', '.join(QUANTITY_MEASURES)})"))
    for key in ("scale", "quantity_scale"):
        value = getattr(p, key)
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            out.append((key, f"must be a positive number such as 1, 1000 or 1000000, not {value!r}"))
    try:
        re.compile(p.total_pattern)
    except re.error as exc:
        out.append(("total_pattern", f"not a valid regular expression ({exc})"))
    if p.delimiter is not None and len(p.delimiter) != 1:
        out.append(("delimiter", f"must be one character such as ',' or ';', not {p.delimiter!r}"))
    for raw, code in p.partner_overrides.items():
        if not (isinstance(code, str) and re.fullmatch(r"[A-Z0-9]{3}|UNMAPPED", code)):
            out.append((f"partner_overrides.{raw}", f"must be an ISO3 or aggregate code, not {code!r}"))
    return out


def _country_systems() -> tuple[str, ...]:
    try:
        from ..countries import SYSTEMS  # noqa: PLC0415 - tables load lazily
        return tuple(SYSTEMS)
    except Exception:  # noqa: BLE001 - a damaged table is reported by the importer itself
        return COUNTRY_SYSTEMS
