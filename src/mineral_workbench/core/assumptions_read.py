"""The assumptions workbook's layout and its validating reader (issue 5: Excel round trip).

Why a reader that checks every cell: the workbook comes back from Excel after an analyst
edited it by hand, so any cell may hold a typo. Every sheet is read in full and every problem
is collected with its sheet and cell ("Importance!D7"), so the analyst fixes them all in one
pass; nothing is applied unless the whole file is valid. The layout constants live here
because both the writer (`assumptions`) and this reader must agree on them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from openpyxl.utils import get_column_letter

from .countries import country_table
from .engine import ExposureModel, ModelState
from .errors import InputError
from .importing.xlsx_guard import OLE_MAGIC, ZIP_MAGIC, check_xlsx_container
from .scenario import ALL, EXCEPT_PREFIX, GROUP_PREFIX, Edit, ScenarioError, apply_scenario

SHEETS = ("README", "Importance", "NIR", "Edits")
LEVEL_NAMES = ("high", "medium", "low", "none")
QUALIFIERS = ("=", ">", "<", "E", "NA")
MINERAL = "Mineral"
KEY_LABEL = "target key (keep)"
NIR_HEADERS = (MINERAL, "NIR %", "Qualifier", "Edition / source (not read back)")
META_SCENARIO, META_NIR_YEAR, META_FORMAT = "Scenario", "NIR year", "Format version"
FORMAT_VERSION = 1
MAX_ROWS = 5000                  # far more than any real sheet; bounds a hostile file
MAX_COLUMNS = 1000               # columns read at most; values right of the table are problems
MAX_EXTRA_COLUMNS = 30           # read past the table when a sheet does not state its extent
MAX_LISTED = 50                  # problems spelled out in the error message


def importance_keys(model: ExposureModel) -> list[str]:
    return ([f"sector:{k}" for k in model.sectors.keys] + [f"defense:{k}" for k in model.defense.keys])


def importance_label(key: str) -> str:
    family, _, name = key.partition(":")
    return name if family == "sector" else f"{name} (defense)"


@dataclass(frozen=True)
class CellProblem:
    sheet: str
    cell: str
    problem: str

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return f"{where}: {self.problem}" if where else self.problem


class AssumptionsError(InputError):
    """The assumptions workbook cannot be applied; `.problems` lists every bad cell."""

    def __init__(self, file: str | Path, problems: list[CellProblem]):
        self.problems = list(problems)
        shown = [f"  {p}" for p in self.problems[:MAX_LISTED]]
        if len(self.problems) > MAX_LISTED:
            shown.append(f"  ... and {len(self.problems) - MAX_LISTED} more")
        count = len(self.problems)
        super().__init__(file, f"{count} problem{'s' if count != 1 else ''}; nothing was changed:\n"
                         + "\n".join(shown))


@dataclass
class ParsedAssumptions:
    """Every cell of a valid workbook, ready to compare with the current assumptions."""
    meta: dict[str, str]
    edits: list[Edit]
    state: ModelState                                    # baseline + the Edits sheet's edits
    importance: dict[tuple[str, str], str] = field(default_factory=dict)   # (mineral, key) -> level
    nir: dict[str, tuple[float, str]] = field(default_factory=dict)       # mineral -> (pct, qualifier)


def cell_ref(row: int, col: int) -> str:
    """Zero-based grid indices -> an Excel reference ("D7")."""
    return f"{get_column_letter(col + 1)}{row + 1}"


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class _Reader:
    def __init__(self, path: Path, model: ExposureModel, base: ModelState, n_years: int):
        self.path, self.model, self.base, self.n_years = path, model, base, n_years
        self.problems: list[CellProblem] = []
        self.minerals = {m.lower(): m for m in model.minerals}
        self.iso3 = set(country_table()["iso3"].astype(str)) | set(model.partners)
        self.groups = set(model.reference.group_ids)

    def fail(self, sheet: str, cell: str, problem: str) -> None:
        self.problems.append(CellProblem(sheet, cell, problem))

    # --- workbook and grids ---------------------------------------------------------------------
    def open(self):
        try:
            with open(self.path, "rb") as handle:
                head = handle.read(8)
        except OSError as exc:
            problem = f"cannot open the file: {exc.strerror or exc}"
            raise AssumptionsError(self.path, [CellProblem("", "", problem)]) from None
        if head.startswith(OLE_MAGIC) or not head.startswith(ZIP_MAGIC):
            raise AssumptionsError(self.path, [CellProblem("", "", "not an .xlsx workbook; export the "
                                   "assumptions again, edit them in Excel and save as .xlsx")])
        try:
            check_xlsx_container(self.path)
            from openpyxl import load_workbook  # noqa: PLC0415 - only needed when importing
            return load_workbook(self.path, read_only=True, data_only=True)
        except InputError as exc:
            raise AssumptionsError(self.path, [CellProblem("", "", exc.problem)]) from None
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on damaged files
            raise AssumptionsError(self.path, [CellProblem("", "", f"unreadable workbook ({exc})")]) from None

    def grid(self, sheet, width: int) -> list[list]:
        """(value, number format) of every cell up to the sheet's extent, `width` columns wide;
        values right of or below the table are problems (the extent comes from the sheet's
        dimension, which Excel, LibreOffice and openpyxl write; a huge one is refused)."""
        rows_max, cols_max = sheet.max_row or MAX_ROWS, sheet.max_column or width + MAX_EXTRA_COLUMNS
        last_column = get_column_letter(min(cols_max, 16384))
        for extent, limit, what in ((rows_max, MAX_ROWS, f"row {rows_max}"),
                                    (cols_max, MAX_COLUMNS, f"column {last_column}")):
            if extent > limit:
                self.fail(sheet.title, "", f"the sheet reaches {what}; clear the stray cells outside "
                          "the table")
        rows = [[(c.value, getattr(c, "number_format", None) or "") for c in row]
                for row in sheet.iter_rows(min_row=1, max_row=min(rows_max, MAX_ROWS),
                                           max_col=max(width, min(cols_max, MAX_COLUMNS)))]
        while rows and all(cell_text(v) == "" for v, _ in rows[-1]):
            rows.pop()
        for r, row in enumerate(rows):
            stray = next((c for c in range(width, len(row)) if cell_text(row[c][0])), None)
            if stray is not None:
                self.fail(sheet.title, cell_ref(r, stray), "a value outside the exported columns; keep the "
                          "sheet's columns as exported")
        return [row[:width] + [(None, "")] * (width - len(row)) for row in rows]

    def headers(self, sheet: str, grid, header_rows: list[list[str]]) -> bool:
        for r, expected in enumerate(header_rows):
            found = [cell_text(v) for v, _ in grid[r]] if r < len(grid) else []
            for c, want in enumerate(expected):
                got = found[c] if c < len(found) else ""
                if got != want:
                    self.fail(sheet, cell_ref(r, c), f"header {got!r} should read {want!r}; the header "
                              "rows and column order must stay as exported (export again to start over)")
                    return False
        return True

    def mineral_of(self, sheet: str, r: int, value, seen: set[str]) -> str | None:
        name = cell_text(value)
        mineral = self.minerals.get(name.lower())
        if mineral is None:
            unit = self.model.reference.analysis_unit(name) if name else ""
            hint = f" ({name!r} is analysed as {unit!r})" if unit in self.model.minerals else ""
            self.fail(sheet, cell_ref(r, 0),
                      f"unknown mineral {name!r}{hint}" if name else "a row without a mineral")
            return None
        if mineral in seen:
            self.fail(sheet, cell_ref(r, 0), f"{mineral} appears twice")
            return None
        seen.add(mineral)
        return mineral

    def missing_rows(self, sheet: str, seen: set[str]) -> None:
        missing = [m for m in self.model.minerals if m not in seen]
        if missing:
            more = " ..." if len(missing) > 10 else ""
            self.fail(sheet, "", f"no row for {', '.join(missing[:10])}{more}; keep every mineral row")

    # --- cell parsers -----------------------------------------------------------------------------
    def number(self, sheet: str, cell: str, value, fmt: str, low: float, high: float, what: str):
        if isinstance(value, bool):
            value = str(value)
        if isinstance(value, (int, float)):
            number = float(value) * (100 if "%" in fmt else 1)
        else:
            text = cell_text(value).replace(",", "")
            try:
                number = float(text[:-1]) if text.endswith("%") else float(text)
            except ValueError:
                self.fail(sheet, cell, f"{what} {cell_text(value)!r} is not a number")
                return None
        if not math.isfinite(number) or not low <= number <= high:
            self.fail(sheet, cell, f"{what} {number:g} is outside {low:g}-{high:g}")
            return None
        return int(number) if number.is_integer() and isinstance(value, int) else number

    def level(self, sheet: str, cell: str, value) -> str | None:
        text = cell_text(value).lower() or "none"
        if text not in LEVEL_NAMES:
            self.fail(sheet, cell, f"{cell_text(value)!r} is not an importance level; use high, medium, low "
                      "or none (a blank cell means none)")
            return None
        return text

    def qualifier(self, sheet: str, cell: str, value, has_number: bool) -> str | None:
        text = cell_text(value).upper().replace("N/A", "NA")
        if not text:
            return "=" if has_number else "NA"
        if text not in QUALIFIERS:
            self.fail(sheet, cell, f"qualifier {cell_text(value)!r} is not one of = > < E NA")
            return None
        return text

    def country(self, sheet: str, cell: str, text: str, single: bool) -> bool:
        if text.startswith((GROUP_PREFIX, EXCEPT_PREFIX)) and not single:
            group = text.split(":", 1)[1]
            if group not in self.groups:
                self.fail(sheet, cell, f"unknown country group {group!r}; known: "
                          + ", ".join(sorted(self.groups)))
                return False
            return True
        if text.upper() not in self.iso3:
            allowed = "an ISO3 code (e.g. CHN)" + ("" if single else ", group:<id> or except:<id>")
            self.fail(sheet, cell, f"unknown country {text!r}; use {allowed}")
            return False
        return True

    def mineral_selector(self, sheet: str, cell: str, text: str) -> bool:
        if text == ALL:
            return True
        bad = [n.strip() for n in text.split(",")
               if self.model.reference.analysis_unit(n.strip()) not in self.model.minerals]
        if bad:
            self.fail(sheet, cell, f"unknown mineral {', '.join(map(repr, bad))} (use a mineral's name, "
                      "several separated by commas, or * for all)")
        return not bad

    # --- sheets -----------------------------------------------------------------------------------
    def meta(self, sheet) -> dict[str, str]:
        values = {}
        for row in self.grid(sheet, 2):
            label = cell_text(row[0][0])
            if label in (META_SCENARIO, META_NIR_YEAR, META_FORMAT) and label not in values:
                values[label] = cell_text(row[1][0])
        for label in (META_NIR_YEAR, META_FORMAT):
            if label not in values:
                self.fail("README", "", f"the '{label}' line is missing; export the assumptions again")
        return values

    def importance(self, sheet) -> dict[tuple[str, str], str]:
        keys = importance_keys(self.model)
        grid = self.grid(sheet, 1 + len(keys))
        header_rows = [[MINERAL, *map(importance_label, keys)], [KEY_LABEL, *keys]]
        if not self.headers("Importance", grid, header_rows):
            return {}
        cells, seen = {}, set()
        for r, row in enumerate(grid[2:], start=2):
            if not any(cell_text(v) for v, _ in row):
                continue
            mineral = self.mineral_of("Importance", r, row[0][0], seen)
            for c, key in enumerate(keys, start=1):
                level = self.level("Importance", cell_ref(r, c), row[c][0])
                if mineral and level:
                    cells[mineral, key] = level
        self.missing_rows("Importance", seen)
        return cells

    def nir(self, sheet) -> dict[str, tuple[float, str]]:
        grid = self.grid(sheet, len(NIR_HEADERS))
        if not self.headers("NIR", grid, [list(NIR_HEADERS)]):
            return {}
        cells, seen = {}, set()
        for r, row in enumerate(grid[1:], start=1):
            if not any(cell_text(v) for v, _ in row[:3]):
                continue
            mineral = self.mineral_of("NIR", r, row[0][0], seen)
            (value, fmt), blank = row[1], cell_text(row[1][0]) == ""
            pct = math.nan if blank else self.number("NIR", cell_ref(r, 1), value, fmt, 0, 100, "NIR")
            qualifier = self.qualifier("NIR", cell_ref(r, 2), row[2][0], not blank)
            if pct is None or qualifier is None or mineral is None:
                continue
            if qualifier in ("E", "NA") and not blank:
                self.fail("NIR", cell_ref(r, 1), f"leave NIR % blank when the qualifier is {qualifier}")
            elif qualifier not in ("E", "NA") and blank:
                self.fail("NIR", cell_ref(r, 1), f"NIR % is missing (qualifier {qualifier!r} needs a number)")
            else:
                cells[mineral] = (float(pct), qualifier)
        self.missing_rows("NIR", seen)
        return cells


def parse_assumptions(path: Path, model: ExposureModel, base: ModelState, n_years: int,
                      nir_year: int) -> ParsedAssumptions:
    """Read and check every cell; raise AssumptionsError listing all problems, or return them."""
    from .assumptions_edits import read_edits  # noqa: PLC0415 - that module builds on this one
    reader = _Reader(Path(path), model, base, n_years)
    book = reader.open()
    try:
        missing = [name for name in SHEETS if name not in book.sheetnames]
        for name in missing:
            reader.fail(name, "", "the sheet is missing; keep all four sheets (README, Importance, NIR, "
                        "Edits)")
        if missing:
            raise AssumptionsError(path, reader.problems)
        meta = reader.meta(book["README"])
        rows = read_edits(reader, book["Edits"])
        importance = reader.importance(book["Importance"])
        nir = reader.nir(book["NIR"])
    finally:
        book.close()
    if meta.get(META_FORMAT, str(FORMAT_VERSION)) != str(FORMAT_VERSION):
        reader.fail("README", "", f"format version {meta[META_FORMAT]!r}; this workbench reads version "
                    f"{FORMAT_VERSION}")
    if meta.get(META_NIR_YEAR, str(nir_year)) != str(nir_year):
        reader.fail("README", "", f"the NIR sheet holds {meta[META_NIR_YEAR]} values but the workbench now "
                    f"uses the {nir_year} NIR; choose NIR year {meta[META_NIR_YEAR]} before importing or "
                    "export the assumptions again")
    state = base
    for r, edit in rows:
        try:
            state, _ = apply_scenario(model, state, [edit], n_years)
        except (ScenarioError, ValueError, TypeError, KeyError) as exc:
            reader.fail("Edits", cell_ref(r, 1), f"cannot apply: {exc}")
    if reader.problems:
        raise AssumptionsError(path, reader.problems)
    return ParsedAssumptions(meta, [edit for _, edit in rows], state, importance, nir)


def level_name(code) -> str:
    return LEVEL_NAMES[3 - int(code)] if int(code) else "none"


def same_nir(a: tuple[float, str], b: tuple[float, str]) -> bool:
    if a[1] != b[1]:
        return False
    return a[1] in ("E", "NA") or bool(np.isclose(a[0], b[0], rtol=0, atol=1e-9))
