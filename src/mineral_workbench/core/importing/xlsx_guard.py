"""Container checks on a workbook before any spreadsheet parser touches it.

Why: a workbook is a zip of XML parts (or, for legacy .xls and password-protected files, an
OLE compound file). Checking the container first turns the ways a file goes wrong (not a zip,
truncated, encrypted, a zip bomb, a DTD, a stray far cell, a legacy .xls) into one clear
`InputError` instead of a parser crash or an out-of-memory. The per-part checks live in
`safety`, the OLE ones in `legacy_ole`; `open_workbook` hands out the matching reader.
The same module offers a cheap peek at a sheet's first cells, used for format sniffing
without parsing a whole (possibly huge) sheet.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError, XMLPullParser

from defusedxml import ElementTree as SafeET

from ..errors import InputError
from .legacy_ole import LEGACY_NOTE, LegacyWorkbook, check_legacy_workbook
from .legacy_ole import ole_summary  # noqa: F401 - re-exported for the importers' sniffers
from .safety import ZIP_ERRORS, check_members, package_warnings, verify_parts

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb")

#: refuse before parsing when the parts would inflate beyond these
MAX_UNCOMPRESSED_BYTES = 2 * 1024**3
MAX_COMPRESSION_RATIO = 200
_RATIO_FLOOR_BYTES = 1024**2          # tiny parts compress wildly; judge ratio above 1 MB only

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class ContainerCheck:
    """What the container check learned: `kind` is "xlsx" or "xls" (legacy, read in an
    isolated process); `warnings` go into the import report."""
    kind: str
    warnings: list[str] = field(default_factory=list)


def check_xlsx_container(path: Path) -> ContainerCheck:
    """Raise InputError unless `path` is a sane, unencrypted workbook calamine may read.

    For an .xlsx every part is inflated under its declared size and each worksheet's cell
    extent is bounded (see `safety`); a legacy .xls only has its OLE directory checked, since
    it is parsed in a separate process (`LegacyWorkbook`).
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
        size = Path(path).stat().st_size
    except OSError as exc:
        raise InputError(path, f"cannot open the file: {exc.strerror or exc}") from None
    if head.startswith(OLE_MAGIC):
        check_legacy_workbook(path)
        return ContainerCheck("xls", [LEGACY_NOTE])
    if not head.startswith(ZIP_MAGIC):
        raise InputError(path, "not an .xlsx workbook (the file is not a zip archive); "
                               "export it from DataWeb again as Excel")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            check_members(path, infos, size)
            types = _read_small(archive, "[Content_Types].xml") if "[Content_Types].xml" in names else b""
    except ZIP_ERRORS as exc:
        raise InputError(path, f"corrupt .xlsx (damaged zip: {exc}); download it again") from None
    if "xl/workbook.xml" not in names:
        if "xl/workbook.bin" in names:
            raise InputError(path, "an Excel binary workbook (.xlsb); open it in Excel and save it as .xlsx")
        raise InputError(path, "a zip archive but not an Excel workbook (no xl/workbook.xml)")
    _check_inflation(path, infos)
    try:
        sheets = {part: name for name, part in sheet_parts(path).items()}
    except Exception:  # noqa: BLE001 - unreadable names: parts are still checked, by path
        sheets = {}
    verify_parts(path, infos, sheets)
    return ContainerCheck("xlsx", package_warnings(names, types))


def _check_inflation(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputError(path, f"refused: the workbook would inflate to {total / 1024**3:.1f} GB "
                               f"(limit {MAX_UNCOMPRESSED_BYTES / 1024**3:.0f} GB)")
    for info in infos:
        if info.file_size < _RATIO_FLOOR_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > MAX_COMPRESSION_RATIO:
            raise InputError(path, f"refused: part {info.filename} inflates {ratio:.0f}x "
                                   f"(limit {MAX_COMPRESSION_RATIO}x), the mark of a zip bomb")


def open_workbook(path: Path):
    """A calamine reader for a checked workbook: fastexcel in-process for .xlsx, an isolated
    reader for legacy .xls (same `sheet_names` / `load_sheet` interface)."""
    with open(path, "rb") as handle:
        if handle.read(8).startswith(OLE_MAGIC):
            return LegacyWorkbook(path)
    import fastexcel  # noqa: PLC0415 - heavy native module, only needed when reading
    if Path(path).suffix.lower() in (".xlsx", ".xlsm", ".ods"):
        return fastexcel.read_excel(path)
    return fastexcel.read_excel(Path(path).read_bytes())  # calamine would trust a .xls name


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> zip part path, in workbook order (small XML files, parsed safely)."""
    with zipfile.ZipFile(path) as archive:
        workbook = SafeET.fromstring(_read_small(archive, "xl/workbook.xml"))
        rels = SafeET.fromstring(_read_small(archive, "xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_NS_PKG_REL}Relationship")}
    parts = {}
    for sheet in workbook.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        parts[sheet.get("name", "")] = target
    return parts


def _read_small(archive: zipfile.ZipFile, name: str, limit: int = 4 * 1024**2) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise InputError(archive.filename, f"{name} is implausibly large ({info.file_size} bytes)")
    return archive.read(name)


def peek_rows(path: Path, part: str, max_rows: int = 6,
              max_bytes: int = 65536) -> list[list[str | None]]:
    """The text of the first rows of a sheet, read from at most `max_bytes` of its XML.

    For sniffing only: a lenient reader that never loads the whole sheet. Shared strings are
    resolved from the start of sharedStrings.xml (writers number them by first use, so the
    first cells point at the first entries).
    """
    with zipfile.ZipFile(path) as archive:
        with archive.open(part) as stream:
            data = stream.read(max_bytes)
        shared = _first_shared_strings(archive, max_bytes)
    return _rows_from_partial_xml(data, shared, max_rows)


def _first_shared_strings(archive: zipfile.ZipFile, max_bytes: int) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    with archive.open("xl/sharedStrings.xml") as stream:
        data = stream.read(max_bytes)
    strings: list[str] = []
    for elem in _iter_partial(data, "si"):
        strings.append("".join(t.text or "" for t in elem.iter(f"{_NS_MAIN}t")))
    return strings


def _rows_from_partial_xml(data: bytes, shared: list[str], max_rows: int) -> list[list[str | None]]:
    """Rows placed by their `r` references (row 1 -> index 0, column A -> index 0), so the
    result lines up with a calamine grid read from row 1; missing cells are None."""
    rows: list[list[str | None]] = []
    for row in _iter_partial(data, "row"):
        number = int(row.get("r") or len(rows) + 1)
        if number > max_rows:
            break
        while len(rows) < number:
            rows.append([])
        cells = rows[number - 1]
        for position, cell in enumerate(row.iter(f"{_NS_MAIN}c")):
            column = _column_index(cell.get("r")) if cell.get("r") else position
            while len(cells) <= column:
                cells.append(None)
            cells[column] = _cell_text(cell, shared)
    return rows


def _cell_text(cell, shared: list[str]) -> str | None:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_NS_MAIN}t"))
    value = cell.find(f"{_NS_MAIN}v")
    text = value.text if value is not None and value.text else None
    if text is None:
        return None
    if kind == "s":
        index = int(text) if text.isdigit() else -1
        return shared[index] if 0 <= index < len(shared) else None
    if kind == "n" and re.fullmatch(r"-?\d+\.0+", text):
        return text.split(".")[0]  # 2023.0 -> 2023, as calamine prints whole numbers
    return text


def _column_index(ref: str) -> int:
    letters = re.match(r"[A-Z]+", ref.upper())
    index = 0
    for char in letters.group(0) if letters else "A":
        index = index * 26 + ord(char) - 64
    return index - 1


def _iter_partial(data: bytes, tag: str, piece: int = 8192):
    """Yield complete <tag> elements from the start of an XML document cut anywhere.

    The data is fed to the parser a piece at a time, so a caller that stops after the first
    rows does not pay for parsing the rest (expat gives the same events either way).
    """
    if re.search(rb"<!(DOCTYPE|ENTITY)", data[:4096]):
        return  # no DTDs in OOXML parts: refuse entity tricks rather than expand them
    parser = XMLPullParser(events=("end",))
    wanted = f"{_NS_MAIN}{tag}"
    for start in range(0, len(data), piece):
        try:
            parser.feed(data[start:start + piece])
        except ParseError:
            pass
        try:
            for _event, elem in parser.read_events():
                if elem.tag == wanted:
                    yield elem
        except ParseError:
            return
