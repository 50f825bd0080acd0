"""Any sheet or CSV -> a grid of text cells, read safely, with the row numbers the analyst sees.

Why one grid: the column-mapping importer and its dialog must treat an .xlsx, a legacy .xls,
an .ods and a CSV alike. Every cell becomes text (a code stored as a number stays its digits,
a year header `2022` stays `2022`) and empty or whitespace-only cells become null, in one Arrow
string column per sheet column, column A first. The kind of file is decided by its bytes, not
its name: a legacy .xls renamed .xlsx is read as what it is, with a warning.

Guards (DESIGN §6): .xlsx and .xls go through `xlsx_guard.check_xlsx_container` (zip bombs,
encryption, macros, legacy .xls read in an isolated process) before calamine parses them;
.ods gets the same zip checks here; text files go through `textfile.read_text` (size limit,
encodings, binary refused). Every failure is an InputError.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from .safety import READER_ERRORS, is_reader_error
from .legacy_ole import LegacyWorkbook, legacy_sheet_names
from .textfile import read_text
from .xlsx_guard import (OLE_MAGIC, ZIP_MAGIC, _check_inflation, check_xlsx_container,
                         open_workbook)

SPREADSHEET_KINDS = ("xlsx", "xls", "ods")
_SUFFIX_KIND = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".ods": "ods"}
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
#: what reading a damaged zip member can raise
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
              NotImplementedError, RuntimeError, zlib.error)


@dataclass
class Grid:
    """One sheet (or CSV) as text columns; `rows[i]` is the 1-based row of grid row i."""
    file: Path
    kind: str                        # xlsx | xls | ods | csv
    sheet: str                       # "" for CSV
    sheets: list[str]                # every sheet of the workbook ([""] for CSV)
    columns: list[pa.Array]          # pa.string(), null = empty cell; index 0 = column A
    rows: np.ndarray                 # int64, 1-based Excel row or CSV line of each grid row
    encoding: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.columns)

    def head(self, n: int) -> list[list[str]]:
        """The first `n` rows as lists of strings ("" for an empty cell), all of one width."""
        n = min(n, self.n_rows)
        cols = [c.slice(0, n).to_pylist() for c in self.columns]
        return [[(col[i] or "") for col in cols] for i in range(n)]

    def row(self, index: int) -> list[str]:
        """Grid row `index` (0-based) as strings; [] past the end."""
        if not 0 <= index < self.n_rows:
            return []
        return [(c[index].as_py() or "") for c in self.columns]


def file_kind(path: str | Path) -> str:
    """xlsx | xls | ods | csv, from the file's first bytes (the name only breaks ties)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise InputError(path, f"cannot open the file: {exc.strerror or exc}") from None
    if head.startswith(OLE_MAGIC):
        return "xls"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
        except ZIP_ERRORS as exc:
            raise InputError(path, f"corrupt spreadsheet (damaged zip: {exc})") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if mimetype.strip() == ODS_MIMETYPE or "content.xml" in names:
            return "ods"
        raise InputError(path, "a zip archive but neither an Excel workbook nor an "
                               "OpenDocument spreadsheet")
    return "csv"


def list_sheets(path: str | Path) -> list[str]:
    """Sheet names in workbook order ([""] for a CSV)."""
    path = Path(path)
    kind = file_kind(path)
    if kind == "csv":
        return [""]
    if kind == "xls":   # the legacy reader runs in a child process: name the sheets without it
        check_xlsx_container(path)
        names = legacy_sheet_names(path)
        if names:
            return names
    return list(_open_workbook(path, kind)[0].sheet_names)


def read_grid(path: str | Path, sheet: str | int | None = None, *, max_rows: int | None = None,
              delimiter: str | None = None) -> Grid:
    """Read one sheet (by name, or 1-based position; None = the first) or a CSV into a Grid.

    `max_rows` limits the rows returned (for previews). Raises InputError for anything wrong
    with the file, including a sheet that does not exist.
    """
    return read_grids(path, [sheet], max_rows=max_rows, delimiter=delimiter)[0]


def read_grids(path: str | Path, sheets: list[str | int | None] | None = None, *,
               max_rows: int | None = None, delimiter: str | None = None) -> list[Grid]:
    """Several sheets of one workbook, opened once (None = every sheet; a CSV is one grid)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    kind = file_kind(path)
    if kind == "csv":
        return [_read_csv(path, max_rows, delimiter)]
    reader, warnings = _open_workbook(path, kind)
    names = list(reader.sheet_names)
    if not names:
        raise InputError(path, "the workbook has no sheets")
    wanted = [_pick_sheet(path, names, s) for s in sheets] if sheets is not None else names
    return [_read_sheet(path, kind, reader, names, name, max_rows, list(warnings))
            for name in wanted]


# --- spreadsheets ------------------------------------------------------------------------------

def _read_sheet(path: Path, kind: str, reader, names: list[str], name: str,
                max_rows: int | None, warnings: list[str]) -> Grid:
    try:
        batch, first_col = _load(reader, name, max_rows)
    except InputError:
        raise
    except READER_ERRORS as exc:  # calamine errors vary (Rust panics too); the analyst gets one line
        if not is_reader_error(exc):
            raise
        raise InputError(path, f"cannot read the sheet: {_first_line(exc)}", sheet=name) from None
    columns = [pa.nulls(batch.num_rows, pa.string())] * first_col
    columns += [_as_text(batch.column(i)) for i in range(batch.num_columns)]
    rows = np.arange(1, batch.num_rows + 1, dtype=np.int64)
    return Grid(path, kind, name, names, columns, rows, warnings=warnings)


def _load(reader, name: str, max_rows: int | None) -> tuple[pa.RecordBatch, int]:
    """(cells of every row from row 1, index of the first column read). fastexcel skips
    leading empty columns and says where it started; the isolated legacy reader hands back
    a ready batch."""
    if isinstance(reader, LegacyWorkbook):
        batch = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        return (batch if max_rows is None else batch.slice(0, max_rows)), 0
    loaded = reader.load_sheet(name, header_row=None, skip_rows=0, n_rows=max_rows,
                               dtypes="string", whitespace_as_null=True)
    first_col = loaded.available_columns()[0].absolute_index if loaded.width else 0
    return loaded.to_arrow(), first_col


def _open_workbook(path: Path, kind: str):
    """A calamine reader after the container checks, plus their warnings. .xlsx and .xls go
    through xlsx_guard (legacy .xls is read in an isolated process); a file whose name does
    not match its content is read from its bytes, with a warning."""
    if kind == "ods":
        _check_ods(path)
        warnings = []
    else:
        try:
            warnings = list(check_xlsx_container(path).warnings)
        except ZIP_ERRORS as exc:   # a member that fails to inflate, met while checking
            raise InputError(path, f"corrupt workbook (damaged zip: {exc})") from None
    named = _SUFFIX_KIND.get(path.suffix.lower())
    if named != kind and path.suffix.lower() not in (".csv", ".txt", ""):
        warnings.append(f"the file is named {path.suffix} but is an {_KIND_NAMES[kind]}; "
                        "read as what it is")
    try:
        if kind == "xls" or named == kind:
            return open_workbook(path), warnings
        import fastexcel  # noqa: PLC0415 - heavy native module, only needed when reading
        return fastexcel.read_excel(path.read_bytes()), warnings
    except InputError:
        raise
    except READER_ERRORS as exc:  # calamine errors vary (Rust panics too); the analyst gets one line
        if not is_reader_error(exc):
            raise
        raise InputError(path, f"cannot open the {_KIND_NAMES[kind]}: {_first_line(exc)}") from None


_KIND_NAMES = {"xlsx": "Excel workbook (.xlsx)", "xls": "Excel 97-2003 workbook (.xls)",
               "ods": "OpenDocument spreadsheet (.ods)"}


def _check_ods(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            manifest = (archive.read("META-INF/manifest.xml")[:1 << 20]
                        if "META-INF/manifest.xml" in archive.namelist() else b"")
    except ZIP_ERRORS as exc:
        raise InputError(path, f"corrupt .ods (damaged zip: {exc}); save it again") from None
    if b"encryption-data" in manifest or any(info.flag_bits & 0x1 for info in infos):
        raise InputError(path, "the spreadsheet is password-protected (encrypted); "
                               "save it without a password")
    _check_inflation(path, infos)


def _pick_sheet(path: Path, names: list[str], sheet: str | int | None) -> str:
    if sheet is None or sheet == "":
        return names[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 1 <= sheet <= len(names):
            return names[sheet - 1]
        raise InputError(path, f"there is no sheet number {sheet} (the workbook has "
                               f"{len(names)}: {', '.join(names)})")
    wanted = str(sheet).strip().casefold()
    for name in names:
        if name.strip().casefold() == wanted:
            return name
    raise InputError(path, f"there is no sheet named '{sheet}' (sheets: {', '.join(names)})")


def _as_text(column) -> pa.Array:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if column.type == pa.large_string():
        return column.cast(pa.string())
    return column if column.type == pa.string() else column.cast(pa.string())


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


# --- CSV ---------------------------------------------------------------------------------------

def _read_csv(path: Path, max_rows: int | None, delimiter: str | None) -> Grid:
    text = read_text(path)
    body = text.text
    delimiter = delimiter or sniff_delimiter(body)
    try:
        records, lines = _records(body, delimiter, max_rows)
    except csv.Error as exc:
        raise InputError(path, f"not readable as CSV: {exc}") from None
    width = max((len(r) for r in records), default=0)
    padded = [r if len(r) == width else r + [""] * (width - len(r)) for r in records]
    columns = [_blank_to_null(pa.array(cells, pa.string())) for cells in zip(*padded)] \
        if padded else []
    warnings = [text.note] if text.note else []
    return Grid(path, "csv", "", [""], columns, lines, encoding=text.encoding,
                warnings=warnings)


def _records(body: str, delimiter: str, max_rows: int | None) -> tuple[list[list[str]], np.ndarray]:
    """CSV records and the 1-based line each starts on. When no quoted cell spans lines (the
    usual case) record i is line i + 1 and the csv module runs at C speed; otherwise each
    record's first line is tracked."""
    source = io.StringIO(body, newline="")
    if max_rows is None:
        records = list(csv.reader(source, delimiter=delimiter))
        physical = (body.count("\n") or body.count("\r")) + (not body.endswith(("\n", "\r")))
        if len(records) == physical:
            return records, np.arange(1, len(records) + 1, dtype=np.int64)
        source = io.StringIO(body, newline="")
    records, lines = [], []
    reader = csv.reader(source, delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            records.append(record)
            lines.append(start)
            start = reader.line_num + 1
            if max_rows is not None and len(records) >= max_rows:
                break
    except csv.Error as exc:
        raise csv.Error(f"{exc} (line {start})") from None
    return records, np.array(lines, np.int64)


def _blank_to_null(column: pa.Array) -> pa.Array:
    """Empty and whitespace-only cells -> null, as calamine reports empty sheet cells."""
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(column), ""), False)
    return pc.if_else(blank, pa.scalar(None, pa.string()), column) if pc.any(blank).as_py() \
        else column


def sniff_delimiter(text: str) -> str:
    """`,` `;` or tab: the one most used over the first lines (Excel in Europe writes `;`)."""
    sample = [line for line in text[:65536].splitlines()[:40] if line.strip()]
    counts = {d: sum(_count_outside_quotes(line, d) for line in sample) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _count_outside_quotes(line: str, delimiter: str) -> int:
    return re.sub(r'"[^"]*"', "", line).count(delimiter)
