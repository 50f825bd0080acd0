"""Understanding an unknown sheet's top rows: where the header is, what each column means.

Used by the mapping dialog (live preview and first guesses) and by `mapped.read` (periods in
headers and cells). Pure functions over lists of strings, so they are cheap to test and to
call on every keystroke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .dataweb_layout import MONTHS
from .grid import list_sheets, read_grids
from .profile import Profile, header_signature, normalize_header

HEADER_SEARCH_ROWS = 30
MAX_SHEETS_TRIED = 12
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_YEAR = r"(19\d\d|20\d\d|21\d\d)"
_NUMBER = re.compile(r"^[-+(]?\$?\s*(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?\)?%?$")


@dataclass
class Preview:
    """What the mapping dialog shows: the first rows as text and first guesses."""
    sheets: list[str]                  # [""] for a CSV
    sheet: str                         # the sheet shown
    rows: list[list[str]]              # first rows, "" for empty cells, one width
    row_numbers: list[int]             # 1-based row (CSV: line) of each preview row
    suggested_header_row: int | None   # 1-based, None when no row looks like a header
    suggested_roles: dict = field(default_factory=dict)   # role -> column ref(s)
    kind: str = ""                     # xlsx | xls | ods | csv
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)


# --- periods -----------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def parse_period(text: str | None, month_numbers: bool = False) -> tuple[int | None, int | None] | None:
    """A cell or header as (year, month): `2023` -> (2023, None); `March` -> (None, 3);
    `2023-03`, `202303`, `Mar 2023`, `2023 - March`, `03/2023`, a date `2023-03-01 00:00:00`
    -> (2023, 3). Bare numbers 1-12 are months only with `month_numbers`. None otherwise."""
    if text is None:
        return None
    s = re.sub(r"\s+", " ", str(text).strip().lstrip("'")).lower().rstrip(".")
    if m := re.fullmatch(_YEAR + r"(\.0+)?", s):
        return int(m.group(1)), None
    if s in MONTHS:
        return None, MONTHS[s]
    if month_numbers and (m := re.fullmatch(r"(\d{1,2})(\.0+)?", s)) and 1 <= int(m.group(1)) <= 12:
        return None, int(m.group(1))
    patterns = (
        (_YEAR + r" ?[-/.m] ?(\d{1,2})([-/ t].*)?", 1, 2),
        (_YEAR + r"(\d\d)", 1, 2),
        (r"(\d{1,2}) ?[-/] ?" + _YEAR, 2, 1),
    )
    for pattern, year_group, month_group in patterns:
        if (m := re.fullmatch(pattern, s)) and 1 <= int(m.group(month_group)) <= 12:
            return int(m.group(year_group)), int(m.group(month_group))
    if m := re.fullmatch(rf"({_MONTH_WORDS})\.?[ ,\-/']*{_YEAR}", s):
        return int(m.group(2)), MONTHS[m.group(1)]
    if m := re.fullmatch(rf"{_YEAR}[ ,\-/]*({_MONTH_WORDS})", s):
        return int(m.group(1)), MONTHS[m.group(2)]
    return None


def is_year_header(text: str | None) -> bool:
    period = parse_period(text)
    return period is not None and period[0] is not None and period[1] is None


def is_month_header(text: str | None) -> bool:
    period = parse_period(text)
    return period is not None and period[1] is not None


def is_number(text: str | None) -> bool:
    """A number as spreadsheets and exports write it (`1234`, `1,234.5`, `(12)`, `$5`)."""
    s = (text or "").strip()
    return bool(s) and any(ch.isdigit() for ch in s) and bool(_NUMBER.match(s))


# --- header row --------------------------------------------------------------------------------

def detect_header_row(rows: list[list[str]], search: int = HEADER_SEARCH_ROWS) -> int | None:
    """The 1-based number of the header row among `rows` (row 1 first), or None.

    The header is the first row (within `search`) whose cells are mostly text (a year such
    as `2023` counts as a header word), with at least two of them and about as many as the
    rows below, and which is followed by a row holding numbers. Title rows (`General
    Imports|...`) have one cell and `Data Row Count, 50` is half a number, so both are passed.
    """
    rows = [[(c or "").strip() for c in row] for row in rows]
    for i, row in enumerate(rows[:search]):
        cells = [c for c in row if c]
        if len(cells) < 2:
            continue
        header_like = sum(1 for c in cells if not is_number(c) or is_year_header(c))
        if header_like * 2 <= len(cells):
            continue
        below = next((r for r in rows[i + 1:i + 6] if any(r)), None)
        if below is None:
            continue
        below_cells = [c for c in below if c]
        numbers = [c for c in below_cells if is_number(c)]
        if numbers and len(cells) * 2 >= len(below_cells) and len(below_cells) * 3 >= len(cells):
            return i + 1
    return None


# --- roles -------------------------------------------------------------------------------------

_ROLE_WORDS = (   # checked in order; the first role whose pattern matches the header wins
    ("unit", r"\bunits?\b|quantity description|\buom\b|qty ?unit|unit of quantity"),
    ("country", r"countr|partner|origin|\bcty\b|\bnation"),
    ("flow", r"\bflow\b|trade flow|flowdesc|flow ?code"),
    ("code", r"\bhts\b|\bhts\d*|\bhs\b|\bhs\d|commodity|\bcode\b|\bcmdcode\b|\bproduct\b|tariff"),
    ("quantity", r"quantit|\bqty\b|weight|netwgt|\bkg\b|tonnes?\b|\bvolume\b"),
    ("value", r"value|\busd\b|\$|dollar|amount|\bcif\b|\bfob\b|\bfas\b|customs"),
    ("month", r"^month$|^mon$|^mo$"),
    ("year", r"^year$|^yr$|^refyear$|^period$|^time$|^year of"),
)
_NOT_ROLES = r"desc|^data type$|^note|^rank|^share|percent|%"


def suggest_roles(header: list[str], sample_rows: list[list[str]] | None = None) -> dict:
    """First guesses of column roles from header names (and sample cells): a dict the mapping
    dialog can show and hand to `Profile(columns=...)`. Columns are referred to by header text.

    Keys: code, country, year, month, value, quantity, unit, flow, year_columns (headers that
    are years), month_columns (headers that are months); plus `country_system` (iso3/iso2
    when the sample country cells are codes) when it is not `census` — a profile setting,
    not a column: pop it before using the rest as `columns` (suggest_profile does).
    """
    sample_rows = sample_rows or []
    names = [str(h or "").strip() for h in header]
    duplicates = {normalize_header(n) for n in names if n and
                  sum(normalize_header(m) == normalize_header(n) for m in names) > 1}
    roles: dict = {}
    years, months = [], []
    for j, name in enumerate(names):
        key = normalize_header(name)
        if not key:
            continue
        ref = j + 1 if key in duplicates else name
        if is_year_header(name):
            years.append(ref)
            continue
        if is_month_header(name):
            months.append(ref)
            continue
        if re.search(_NOT_ROLES, key) and not re.search(r"quantity description", key):
            continue
        for role, pattern in _ROLE_WORDS:
            if role not in roles and re.search(pattern, key):
                if role == "code" and not _looks_like_codes(_column(sample_rows, j)):
                    continue
                if role == "value" and re.search(r"code$|\bid$", key):
                    continue
                roles[role] = ref
                break
    if years:
        roles["year_columns"] = years
        roles.pop("year", None)
        roles.pop("value", None)
    elif months:
        roles["month_columns"] = months
        roles.pop("value", None)
    if "country" in roles:
        system = _country_system(_column(sample_rows, _index(names, roles["country"])))
        if system != "census":
            roles["country_system"] = system
    return roles


def _column(rows: list[list[str]], j: int | None) -> list[str]:
    if j is None:
        return []
    return [(r[j] or "").strip() for r in rows if j < len(r) and (r[j] or "").strip()]


def _index(names: list[str], ref) -> int | None:
    if isinstance(ref, int):
        return ref - 1
    key = normalize_header(ref)
    return next((j for j, n in enumerate(names) if normalize_header(n) == key), None)


def _looks_like_codes(cells: list[str]) -> bool:
    """No sample = trust the header; else most cells start with 2-10 digits."""
    if not cells:
        return True
    hits = sum(1 for c in cells if re.match(r"^'?\d[\d.]{1,12}(\s|$)", c))
    return hits * 2 > len(cells)


def _country_system(cells: list[str]) -> str:
    if cells and all(re.fullmatch(r"[A-Z]{3}", c) for c in cells):
        return "iso3"
    if cells and all(re.fullmatch(r"[A-Z]{2}", c) for c in cells):
        return "iso2"
    return "census"


# --- preview and first profile -----------------------------------------------------------------

def preview(path: str | Path, sheet: str | int | None = None, max_rows: int = 50, *,
            delimiter: str | None = None) -> Preview:
    """The first `max_rows` rows of a sheet (or CSV) with a guessed header row and roles.

    With `sheet` None, the sheet that looks most like a data table is shown (a DataWeb
    workbook opens on its data sheet, not on `Query Parameters`). Raises InputError when the
    file cannot be read.
    """
    size = max(max_rows, HEADER_SEARCH_ROWS)
    candidates = [sheet] if sheet is not None else list_sheets(path)[:MAX_SHEETS_TRIED]
    best = None
    for grid in read_grids(path, [c or None for c in candidates], max_rows=size,
                           delimiter=delimiter):
        rows = grid.head(size)
        header_row = detect_header_row(rows)
        roles = suggest_roles(rows[header_row - 1], rows[header_row:header_row + 20]) \
            if header_row is not None else {}
        score = (header_row is not None) + len(roles) + 2 * ("code" in roles)
        if best is None or score > best[0]:
            best = (score, grid, rows, header_row, roles)
    _, grid, rows, header_row, roles = best
    return Preview(sheets=grid.sheets, sheet=grid.sheet, rows=rows[:max_rows],
                   row_numbers=[int(r) for r in grid.rows[:max_rows]],
                   suggested_header_row=header_row, suggested_roles=roles, kind=grid.kind,
                   encoding=grid.encoding, warnings=list(grid.warnings))


def suggest_profile(path: str | Path, sheet: str | int | None = None, *,
                    name: str | None = None) -> Profile:
    """A first profile for `path` from `preview` (the dialog's starting point): header row,
    guessed roles, year/month columns as "auto" (so next year's file fits too) and the
    header signature. It may still have `problems()` for the analyst to fix."""
    shown = preview(path, sheet)
    roles = dict(shown.suggested_roles)
    system = roles.pop("country_system", "census")
    for key in ("year_columns", "month_columns"):
        if key in roles:
            roles[key] = "auto"
    header_row = shown.suggested_header_row or 1
    header = shown.rows[header_row - 1] if len(shown.rows) >= header_row else []
    return Profile(name=name or Path(path).stem, header_row=header_row,
                   sheet=shown.sheet or None, columns=roles, country_system=system,
                   signature=header_signature(header))
