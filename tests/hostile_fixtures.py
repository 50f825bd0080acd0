"""Build hostile and odd spreadsheets for the untrusted-input tests (DESIGN §6).

Everything is written from scratch into a test's tmp_path: zip surgery on a DataWeb workbook
from `dataweb_fixtures` (lying sizes, planted parts, DTDs, far cells, bad names), a minimal
OLE compound file writer (enough for calamine and for our own directory parser) and a
minimal BIFF8 writer for legacy `.xls` workbooks — no extra packages needed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from dataweb_fixtures import LONG_ROWS, many_long_rows, query_parameters, total_text, write_long_workbook

# --- zip surgery ------------------------------------------------------------------------------

SHEET = "xl/worksheets/sheet2.xml"          # the measure sheet of write_long_workbook's output


def rewrite_parts(src: Path, dst: Path, edits: dict[str, Callable[[bytes], bytes] | bytes | None],
                  *, extra: dict[str, bytes] | None = None) -> Path:
    """Copy a zip, transforming (callable), replacing (bytes) or dropping (None) named parts
    and appending `extra` parts, all deflated."""
    with zipfile.ZipFile(src) as source:
        items = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items:
            if name in edits:
                edit = edits[name]
                if edit is None:
                    continue
                data = edit(data) if callable(edit) else edit
            out.writestr(name, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return dst


def patch_declared_size(path: Path, part: str, size: int) -> Path:
    """Overwrite the uncompressed size that the local header and the central directory
    declare for `part` (the data and its CRC stay as they are)."""
    raw = bytearray(path.read_bytes())
    name = part.encode()
    for signature, name_len_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22),
                                                     (b"PK\x01\x02", 28, 46, 24)):
        at = raw.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", raw, at + name_len_at)[0]
            if raw[at + name_at:at + name_at + length] == name:
                struct.pack_into("<I", raw, at + size_at, size)
            at = raw.find(signature, at + 4)
    path.write_bytes(raw)
    return path


def lying_size_bomb(src: Path, dst: Path, *, inflated: int = 64 * 1024**2,
                    declared: int = 4096) -> Path:
    """A sheet that declares a few KB but inflates to `inflated` bytes of whitespace."""
    pad = lambda data: data.replace(b"<sheetData>", b"<sheetData>" + b" " * inflated, 1)  # noqa: E731
    rewrite_parts(src, dst, {SHEET: pad})
    return patch_declared_size(dst, SHEET, declared)


def declared_size_bomb(src: Path, dst: Path, declared: int = 3 * 1024**3) -> Path:
    """An honest small part whose central directory claims gigabytes."""
    rewrite_parts(src, dst, {}, extra={"xl/media/image1.png": b"\x89PNG" + b"\0" * 1000})
    return patch_declared_size(dst, "xl/media/image1.png", declared)


LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                     for i in range(1, 10))
          + b"]>\n")
XXE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def with_dtd(src: Path, dst: Path, part: str, dtd: bytes, entity: bytes) -> Path:
    """Put a DTD before the root of `part` and use `entity` in its first text node."""
    def edit(data: bytes) -> bytes:
        data = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", data)
        return dtd + re.sub(rb"<t>[^<]*</t>", b"<t>" + entity + b"</t>", data, count=1)
    return rewrite_parts(src, dst, {part: edit})


def with_shared_strings(src: Path, dst: Path, strings_xml: bytes) -> Path:
    """Add an `xl/sharedStrings.xml` part (openpyxl writes inline strings) and make the
    sheet's B2 (the first country) point at its first entry."""
    def types(data: bytes) -> bytes:
        return data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                            b'"application/vnd.openxmlformats-officedocument.spreadsheetml.'
                            b'sharedStrings+xml"/></Types>')

    def rels(data: bytes) -> bytes:
        return data.replace(b"</Relationships>", b'<Relationship Id="rIdSST" Type="http://schemas.'
                            b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                            b'Target="sharedStrings.xml"/></Relationships>')

    def sheet(data: bytes) -> bytes:
        return re.sub(rb'<c r="B2" t="inlineStr"><is><t>[^<]*</t></is></c>',
                      b'<c r="B2" t="s"><v>0</v></c>', data)
    return rewrite_parts(src, dst, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels,
                                    SHEET: sheet}, extra={"xl/sharedStrings.xml": strings_xml})


def shared_strings_xml(*strings: str) -> bytes:
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{items}</sst>').encode()


MACRO_WORKBOOK_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def with_macros(src: Path, dst: Path) -> Path:
    """A macro-enabled workbook as Excel saves it: `xl/vbaProject.bin` plus the macro-enabled
    content type (the VBA project is an OLE file we never open)."""
    def types(data: bytes) -> bytes:
        data = re.sub(rb"application/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet\.main\+xml",
                      MACRO_WORKBOOK_TYPE, data)
        return data.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                            b'vnd.ms-office.vbaProject"/></Types>')
    vba = cfb_bytes({"PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\n' * 100})
    return rewrite_parts(src, dst, {"[Content_Types].xml": types}, extra={"xl/vbaProject.bin": vba})


def big_long_workbook(path: Path, rows: int) -> Path:
    """A DataWeb long workbook with `rows` data rows, its sheet XML written directly (openpyxl
    would take ~15 s for 100,000 rows); cells are laid out exactly as openpyxl lays them."""
    template = write_long_workbook(path.with_name(path.stem + "_template.xlsx"))

    def text(ref: str, value: str) -> str:
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    def sheet(data: bytes) -> bytes:
        head, rest = data.split(b"<sheetData>")
        tail = rest.split(b"</sheetData>")[1]
        names = ["Data Type", "Country", "Year", "HTS Number", "Description",
                 "Quantity Description", "Customs Value"]
        out = ['<row r="1">' + "".join(text(f"{c}1", n) for c, n in zip("ABCDEFG", names)) + "</row>"]
        total = 0.0
        for i, (country, year, hts, desc, qty, value) in enumerate(many_long_rows(rows), start=2):
            total += value
            out.append(f'<row r="{i}">{text(f"A{i}", "Customs Value")}{text(f"B{i}", country)}'
                       f'<c r="C{i}" t="n"><v>{year}</v></c>{text(f"D{i}", hts)}'
                       f'{text(f"E{i}", desc)}{text(f"F{i}", qty)}<c r="G{i}" t="n"><v>{value}</v></c></row>')
        end = rows + 2
        out.append(f'<row r="{end}">{text(f"A{end}", "Total: ")}{text(f"G{end}", f"{total:,.0f}")}</row>')
        return head + b"<sheetData>" + "".join(out).encode() + b"</sheetData>" + tail
    rewrite_parts(template, path, {SHEET: sheet})
    template.unlink()
    return path


def set_dimension(src: Path, dst: Path, ref: str) -> Path:
    """Declare `<dimension ref=...>` on every worksheet, whatever the cells are."""
    def edit(data: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data)
    with zipfile.ZipFile(src) as source:
        sheets = [n for n in source.namelist() if n.startswith("xl/worksheets/sheet")]
    return rewrite_parts(src, dst, {name: edit for name in sheets})


def add_cells(src: Path, dst: Path, xml: str, part: str = SHEET) -> Path:
    """Append raw `<row>` XML at the end of a sheet's data (stray far cells and the like)."""
    def edit(data: bytes) -> bytes:
        return data.replace(b"</sheetData>", xml.encode() + b"</sheetData>")
    return rewrite_parts(src, dst, {part: edit})


def add_member(src: Path, dst: Path, name: str, data: bytes = b"x") -> Path:
    """Append a member with an arbitrary (hostile) name such as `../evil`."""
    dst.write_bytes(src.read_bytes())
    with zipfile.ZipFile(dst, "a") as archive:
        archive.writestr(zipfile.ZipInfo(name), data)
    return dst


def corrupt_central_directory(src: Path, dst: Path) -> Path:
    """Damage every central directory signature, as a bad download or disk might."""
    raw = src.read_bytes()
    start = raw.rfind(b"PK\x05\x06")
    offset = struct.unpack_from("<I", raw, start + 16)[0]
    body = raw[offset:start].replace(b"PK\x01\x02", b"PK\x01\xff")
    dst.write_bytes(raw[:offset] + body + raw[start:])
    return dst


# --- OLE compound files (CFB v3, 512-byte sectors) ---------------------------------------------

FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_MINI_CUTOFF = 4096


def cfb_bytes(streams: dict[str, bytes]) -> bytes:
    """A minimal but valid OLE compound file holding `streams` under the root storage.

    Streams shorter than the 4 KiB mini-stream cutoff are padded with zeros up to it, so
    everything lives in regular sectors (readers use the declared size, padded bytes included).
    """
    names = list(streams)
    datas = [data.ljust(_MINI_CUTOFF, b"\0") for data in streams.values()]
    entries = 1 + len(names)
    dir_sectors = -(-entries // 4)
    data_sectors = [-(-len(d) // 512) for d in datas]
    body = dir_sectors + sum(data_sectors)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + body:
        fat_sectors += 1
    fat = [FATSECT] * fat_sectors
    first_dir = len(fat)
    fat += [first_dir + i + 1 for i in range(dir_sectors - 1)] + [END]
    starts = []
    for count in data_sectors:
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [END]
    fat += [FREE] * (fat_sectors * 128 - len(fat))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIII", header, 40, 0, fat_sectors, first_dir, 0, _MINI_CUTOFF, END, 0, END)
    for i in range(109):
        struct.pack_into("<I", header, 76 + 4 * i, i if i < fat_sectors else FREE)
    directory = _dir_entry("Root Entry", 5, child=1 if names else FREE, start=END, size=0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else FREE
        directory += _dir_entry(name, 2, right=right, start=starts[i], size=len(datas[i]))
    directory = directory.ljust(dir_sectors * 512, b"\0")
    out = bytes(header) + struct.pack(f"<{len(fat)}I", *fat) + directory
    for data, count in zip(datas, data_sectors):
        out += data.ljust(count * 512, b"\0")
    return out


def _dir_entry(name: str, kind: int, *, left: int = FREE, right: int = FREE, child: int = FREE,
               start: int, size: int) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0"
    entry = bytearray(128)
    entry[0:len(encoded)] = encoded
    struct.pack_into("<HBBIII", entry, 64, len(encoded), kind, 1, left, right, child)
    struct.pack_into("<IQ", entry, 116, start, size)
    return bytes(entry)


def write_encrypted_workbook(path: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE file with EncryptionInfo and
    EncryptedPackage streams (contents are opaque to us)."""
    path.write_bytes(cfb_bytes({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + b"\x11" * 200,
                                "EncryptedPackage": b"\x00\x10\x00\x00\x00\x00\x00\x00" + b"\x5a" * 5000}))
    return path


# --- BIFF8 (.xls) ------------------------------------------------------------------------------

def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))


def _cell(row: int, col: int, value) -> bytes:
    if value is None:
        return b""
    if isinstance(value, (int, float)):
        return _record(0x0203, struct.pack("<HHHd", row, col, 15, float(value)))
    text = str(value)
    try:
        chars, flag = text.encode("latin-1"), 0
    except UnicodeEncodeError:
        chars, flag = text.encode("utf-16-le"), 1
    return _record(0x0204, struct.pack("<HHHHB", row, col, 15, len(text), flag) + chars)


def biff8_workbook(sheets: dict[str, Sequence[Sequence]]) -> bytes:
    """The `Workbook` stream of a legacy .xls with these sheets (numbers and text cells)."""
    def boundsheet(offset: int, name: str) -> bytes:
        raw = name.encode("latin-1")
        return _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(raw), 0) + raw)

    xfs = b"".join(_record(0x00E0, struct.pack("<HHH", 0, 0, 0xFFF5 if i < 15 else 0x0001) + b"\0" * 14)
                   for i in range(16))
    head = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200)) + xfs
    substreams = []
    for rows in sheets.values():
        width = max((len(r) for r in rows), default=0)
        cells = b"".join(_cell(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row))
        dims = _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))
        substreams.append(_bof(0x0010) + dims + cells + _record(0x000A, b""))
    globals_size = len(head) + sum(len(boundsheet(0, n)) for n in sheets) + 4
    offset, sheet_records = globals_size, b""
    for name, stream in zip(sheets, substreams):
        sheet_records += boundsheet(offset, name)
        offset += len(stream)
    return head + sheet_records + _record(0x000A, b"") + b"".join(substreams)


def write_xls(path: Path, sheets: dict[str, Sequence[Sequence]]) -> Path:
    path.write_bytes(cfb_bytes({"Workbook": biff8_workbook(sheets)}))
    return path


def dataweb_xls_sheets() -> dict[str, list[list]]:
    """A small DataWeb long-layout export (Query Parameters + Customs Value) as cell rows."""
    params = [[label] if value is None else [label, str(value)]
              for label, value in query_parameters(download_date="2025-04-05 01:54:23")]
    header = ["Data Type", "Country", "Year", "HTS Number", "Description", "Quantity Description",
              "Customs Value"]
    data = [["Customs Value", c, y, h, d, q, v] for c, y, h, d, q, v in LONG_ROWS]
    total = ["Total: ", None, None, None, None, None, total_text(sum(r[5] for r in LONG_ROWS))]
    return {"Query Parameters": params, "Customs Value": [header, *data, total]}


# --- DataWeb-shaped CSV text -------------------------------------------------------------------

def dataweb_csv_rows(country: str = "Côte d'Ivoire") -> list[list[str]]:
    """A small DataWeb CSV export (months as columns, title row, `Total:` row of comma
    numbers), with a non-ASCII country name so the encoding matters."""
    months = ["January", "February", "March"]
    rows = [("Australia", 2024, [814426.0, 501619.0, 780941.0]),
            (country, 2024, [1000.0, 2000.0, None])]
    out = [["General Imports|Monthly data for 2024", "", "", "", "", ""],
           ["Data Row Count", str(len(rows)), "", "", "", ""],
           ["Data Type", "Country", "Year", *months]]
    for name, year, values in rows:
        out.append(["General Customs Value", name, str(year),
                    *["" if v is None else f"{v:.2f}" for v in values]])
    sums = [sum(r[2][i] or 0.0 for r in rows) for i in range(len(months))]
    out.append(["Total: ", "", "", *[f"{s:,.2f}" for s in sums]])
    return out


DATAWEB_CSV_TOTAL = 814426.0 + 501619.0 + 780941.0 + 1000.0 + 2000.0


def encode_csv(rows: list[list[str]], encoding: str) -> bytes:
    """CSV bytes as real tools write them: "utf-16" is Excel's "Unicode text" (BOM, UTF-16 LE,
    tab-separated); "utf-8-sig" carries a BOM; CRLF line ends throughout."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t" if encoding == "utf-16" else ",",
               lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return text.encode(encoding, errors="replace")
