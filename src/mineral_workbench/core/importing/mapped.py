"""Any .xlsx/.xls/.ods/.csv read through a column-mapping profile -> TradeFrame + ImportReport.

The profile (profile.py) names the sheet, the header row and each column's role; this module
resolves those names against the file's header, skips blank rows, turns total rows into
checksums, reshapes the three period shapes (a Year column; years as columns; months as
columns) to long form and reports every row it did not keep, with the row number the analyst
sees. Codes stay text (re-padded when a number lost its leading zero, with a warning); values
are parsed from numbers or `"1,234"` text. All per-row work is vectorized over Arrow columns;
Python only sees each distinct code, country, year and flow once.

Errors: InputError for a file that cannot be read; ProfileError for a profile that is
malformed or does not fit the file (a column that is not there, a header row past the end).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from .dataweb_common import ImportCancelled
from .grid import Grid, read_grid
from .mapped_headers import (Preview, detect_header_row, is_month_header, is_year_header,
                             parse_period, preview, suggest_profile, suggest_roles)
from .mapped_rows import MappedRows, Stream, checksums, select_rows
from .profile import (COLUMN_ROLES, Profile, ProfileError, as_profile, header_signature,
                      normalize_header)
from .report import ImportReport, file_sha256

FORMAT = "mapped"
LABEL = "Any spreadsheet or CSV, through a column-mapping profile"
ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]

__all__ = ["FORMAT", "LABEL", "Preview", "read", "validate", "preview", "detect_header_row",
           "suggest_roles", "suggest_profile", "resolve"]


@dataclass
class Mapping:
    """A profile resolved against one sheet: 0-based column indices and period columns."""
    layout: str
    header_index: int                                    # 0-based grid row of the header
    header: list[str]
    columns: dict[str, int]                              # role -> column index
    periods: list[tuple[int, int, int]] = field(default_factory=list)  # (column, year|0, month|0)


def read(path: str | Path, profile: Profile | dict | str | Path, *,
         progress: ProgressFn | None = None,
         cancel: CancelFn | None = None) -> tuple[pd.DataFrame, ImportReport]:
    """Read `path` through `profile` (a Profile, its JSON dict or a profile file path)."""
    path = Path(path)
    profile = as_profile(profile)
    _step(progress, cancel, 0.0, "checking the profile")
    profile.check()
    _step(progress, cancel, 0.05, "reading the sheet")
    grid = read_grid(path, profile.sheet, delimiter=profile.delimiter)
    _step(progress, cancel, 0.6, "mapping columns")
    mapping, problems = resolve(grid, profile)
    if problems:
        raise ProfileError.from_problems(problems, profile=profile.name, file=path)
    report = ImportReport(file=str(path), sha256=file_sha256(path), format=FORMAT,
                          layout=mapping.layout, scale=float(profile.scale))
    frame = _map_rows(grid, profile, mapping, report)
    _step(progress, cancel, 1.0, "done")
    return frame, report


def validate(path: str | Path, profile: Profile | dict | str | Path, *,
             max_rows: int | None = None) -> list[str]:
    """Every problem with reading `path` through `profile`, as lines naming the field ([] =
    it reads). For the mapping dialog's live checks: never raises for a bad profile or file.
    `max_rows` limits how much of a big file the trial read looks at."""
    try:
        profile = as_profile(profile)
    except ProfileError as exc:
        return [f"{where}: {what}" if where else what for where, what in exc.problems]
    found = profile.problems()
    if not isinstance(profile.header_row, int) or not isinstance(profile.columns, dict):
        return found     # the file cannot be looked at through fields of the wrong type
    if max_rows is not None:
        max_rows = max(max_rows, profile.header_row + 20)
    try:
        grid = read_grid(path, profile.sheet, max_rows=max_rows, delimiter=profile.delimiter)
    except InputError as exc:
        return found + [str(exc)]
    try:
        mapping, problems = resolve(grid, profile)
    except (TypeError, ValueError, AttributeError):
        if found:        # a malformed column reference, already listed above
            return found
        raise
    found += [f"{where}: {what}" for where, what in problems]
    if not found:
        report = ImportReport(file=str(path), sha256="", format=FORMAT, layout=mapping.layout)
        if not len(_map_rows(grid, profile, mapping, report)):
            reasons = ", ".join(f"{reason} ({len(rows)})" for reason, rows in report.rows_dropped.items())
            found.append(f"header_row: no data rows below row {profile.header_row} could be read"
                         + (f" ({reasons})" if reasons else ""))
    return found


def _step(progress: ProgressFn | None, cancel: CancelFn | None, fraction: float, text: str) -> None:
    if cancel is not None and cancel():
        raise ImportCancelled("import cancelled")
    if progress is not None:
        progress(fraction, text)


# --- resolving the profile against the header ---------------------------------------------------

def resolve(grid: Grid, profile: Profile) -> tuple[Mapping | None, list[tuple[str, str]]]:
    """(mapping, problems): the profile's column references looked up in the header row."""
    place = f"sheet '{grid.sheet}'" if grid.sheet else "file"
    if profile.header_row > grid.n_rows:
        return None, [("header_row", f"row {profile.header_row} is past the end of the {place} "
                                     f"({grid.n_rows} rows)")]
    index = profile.header_row - 1
    header = grid.row(index)
    if not any(h.strip() for h in header):
        return None, [("header_row", f"row {profile.header_row} of the {place} is empty")]
    keys = [normalize_header(h) for h in header]
    mapping = Mapping(profile.layout, index, header, {})
    problems: list[tuple[str, str]] = []
    for role in COLUMN_ROLES:
        if role in profile.columns:
            j, problem = _find(profile.columns[role], keys, header, profile.header_row)
            if problem:
                problems.append((f"columns.{role}", problem))
            else:
                mapping.columns[role] = j
    if mapping.layout != "long":
        problems += _resolve_periods(profile, mapping, keys)
    return mapping, problems


def _find(ref, keys: list[str], header: list[str], header_row: int) -> tuple[int, str | None]:
    if isinstance(ref, int):
        if ref > len(header):
            return -1, f"column {ref} is past the last column ({len(header)})"
        return ref - 1, None
    hits = [j for j, key in enumerate(keys) if key == normalize_header(ref)]
    if not hits:
        shown = ", ".join(repr(h) for h in header if h.strip())
        return -1, f"no column headed {ref!r} in row {header_row} (headers: {shown[:300]})"
    if len(hits) > 1:
        return -1, (f"{len(hits)} columns are headed {ref!r} (columns "
                    f"{', '.join(str(j + 1) for j in hits)}): refer to it by its column number")
    return hits[0], None


def _resolve_periods(profile: Profile, mapping: Mapping, keys: list[str]) -> list[tuple[str, str]]:
    role = "year_columns" if mapping.layout == "wide_years" else "month_columns"
    where, refs = f"columns.{role}", profile.columns[role]
    taken = set(mapping.columns.values())
    if refs == "auto":
        test = is_year_header if role == "year_columns" else is_month_header
        indices = [j for j, h in enumerate(mapping.header) if j not in taken and test(h)]
        if not indices:
            kind = "a year (2023)" if role == "year_columns" else "a month (January, Jan 2023)"
            return [(where, f"no column in row {profile.header_row} is headed by {kind}")]
    else:
        indices, problems = [], []
        for ref in refs:
            j, problem = _find(ref, keys, mapping.header, profile.header_row)
            problems += [(where, problem)] if problem else []
            indices += [] if problem else [j]
        if problems:
            return problems
    has_year = "year" in mapping.columns or "year" in profile.fixed
    problems = []
    for j in indices:
        period = parse_period(mapping.header[j], month_numbers=role == "month_columns")
        year, month = period or (None, None)
        if role == "year_columns" and year is None:
            problems.append((where, f"column {j + 1} ({mapping.header[j]!r}) has no year in its header"))
        elif role == "month_columns" and month is None:
            problems.append((where, f"column {j + 1} ({mapping.header[j]!r}) is not headed by a month"))
        elif year is None and not has_year:
            problems.append((where, f"column {mapping.header[j]!r} names no year and the profile "
                                    "has no year column (columns.year) or fixed year"))
        elif j in taken:
            problems.append((where, f"column {j + 1} ({mapping.header[j]!r}) is used by another role"))
        else:
            mapping.periods.append((j, year or 0, month or 0))
    return problems


# --- rows --------------------------------------------------------------------------------------

def _map_rows(grid: Grid, profile: Profile, mapping: Mapping, report: ImportReport) -> pd.DataFrame:
    """Select, check and reshape the rows below the header; fill the report."""
    report.sheets, report.encoding = list(grid.sheets), grid.encoding
    report.warnings.extend(grid.warnings)
    report.query_parameters = {"profile": profile.name, "sheet": grid.sheet,
                               "header_row": str(profile.header_row), "layout": mapping.layout}
    report.hs_editions = [profile.hs_edition] if profile.hs_edition else []
    if profile.signature and header_signature(mapping.header) != profile.signature:
        report.warnings.append(f"the header in row {profile.header_row} differs from the one "
                               f"profile '{profile.name}' was made on: check the mapping")
    start = mapping.header_index + 1
    cols = [column.slice(start) for column in grid.columns]
    numbers = grid.rows[start:]
    data, totals = select_rows(cols, numbers, profile.total_pattern, report)
    streams = _streams(profile, mapping)
    rows = MappedRows(cols, data, numbers, mapping.columns, profile, report)
    frame = rows.to_frame(streams, grid.sheet)
    checksums(report, cols, totals, numbers, streams, profile, frame)
    report.citation = profile.citation or (f"{Path(report.file).name}, columns mapped with "
                                           f"profile '{profile.name}'")
    return frame


def _streams(profile: Profile, mapping: Mapping) -> list[Stream]:
    if mapping.layout == "long":
        out = []
        if "value" in mapping.columns:
            out.append(Stream(mapping.columns["value"], profile.measure, "value"))
        if "quantity" in mapping.columns:
            out.append(Stream(mapping.columns["quantity"], profile.quantity_measure, "quantity"))
        return out
    return [Stream(j, profile.measure, mapping.header[j], year, month)
            for j, year, month in mapping.periods]
