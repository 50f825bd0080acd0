"""Messy spreadsheets of the kind analysts map by hand, written into a test's tmp_path.

Each writer reproduces a real quirk (FORMATS.md §7): title rows above the header, `Data Row
Count`, text year headers, HTS codes stored as numbers that lost their leading zero, a blank
row, a junk row, a `Total` row, `"1,234"` text numbers, cp1252 text. `write_ods` builds an
OpenDocument spreadsheet by hand (odfpy is not a dependency), `write_xls` needs xlwt.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

#: the messy wide sheet: rows as Excel shows them (row 1 first); None = empty cell
MESSY_WIDE_ROWS = [
    ["General Imports|Annual Data"],                                              # 1 title
    ["Data Row Count", 4],                                                        # 2 title
    ["HTS Number", "Country", "Description", "2022", "2023"],                    # 3 header
    [8105206000, "China", "COBALT UNWROUGHT", 1200.5, "1,300"],                   # 4
    [106190000, "Korea, South", "LIVE MAMMALS", 10, 20],                          # 5 lost zero
    [None, None, None, None, None],                                               # 6 blank
    [2504101000, "Canada", "GRAPHITE FLAKE", "", 75.25],                          # 7 empty 2022
    ["Source: hand-made from several queries", None, None, None, None],           # 8 junk
    [2602000040, "Gabon", "MANGANESE ORE", "n/a", 400],                           # 9 bad 2022
    ["Total", None, None, "1,210.50", "1,795.25"],                                # 10 total
]

#: what the messy wide sheet must give: (row, hts, partner_raw, partner_code, year, value)
MESSY_WIDE_EXPECTED = [
    (4, "8105206000", "China", "CHN", 2022, 1200.5),
    (4, "8105206000", "China", "CHN", 2023, 1300.0),
    (5, "0106190000", "Korea, South", "KOR", 2022, 10.0),
    (5, "0106190000", "Korea, South", "KOR", 2023, 20.0),
    (7, "2504101000", "Canada", "CAN", 2023, 75.25),
    (9, "2602000040", "Gabon", "GAB", 2023, 400.0),
]

MESSY_WIDE_PROFILE = {
    "version": 1,
    "name": "Hand-made wide sheet",
    "sheet": "Imports",
    "header_row": 3,
    "columns": {"code": "HTS Number", "country": "Country", "year_columns": ["2022", "2023"]},
    "flow": "imports_general",
    "measure": "customs_value",
}

#: a long CSV saved by an old Windows tool (cp1252: `Côte d'Ivoire`, `Türkiye`)
LONG_CSV_LINES = [
    "Imports of critical minerals;;;;;",
    "Commodity;Partner;Year;Value (USD);Quantity;Unit",
    "8105.20.60.00;C\u00f4te d'Ivoire;2023;\"1,250\";10;kg",
    "2504101000;T\u00fcrkiye;2023;500;;kg",
    "2504101000;Germany;2024;abc;5;kg",
    "2846901000;China;2024;2000.5;100;kg",
    "Grand total;;;\"3,750.5\";;",
]


def write_xlsx(path: Path, rows: list[list], sheet: str = "Sheet1",
               extra_sheets: dict[str, list[list]] | None = None) -> Path:
    """Cells are written as given: numbers stay numbers (codes that lose their zeros)."""
    workbook = Workbook()
    sheets = {sheet: rows, **(extra_sheets or {})}
    first = True
    for name, body in sheets.items():
        ws = workbook.active if first else workbook.create_sheet(name)
        ws.title, first = name, False
        for r, row in enumerate(body, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    workbook.save(path)
    return path


def write_messy_wide(path: Path) -> Path:
    return write_xlsx(path, MESSY_WIDE_ROWS, sheet="Imports",
                      extra_sheets={"Notes": [["Made by hand"]]})


def write_long_csv(path: Path, encoding: str = "cp1252") -> Path:
    path.write_bytes("\r\n".join(LONG_CSV_LINES).encode(encoding) + b"\r\n")
    return path


def write_ods(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A minimal but valid OpenDocument spreadsheet: mimetype first and stored, a manifest,
    and content.xml with typed cells (numbers as floats, everything else as strings)."""
    tables = []
    for name, rows in sheets.items():
        body = []
        for row in rows:
            cells = []
            for value in row:
                if value is None or value == "":
                    cells.append("<table:table-cell/>")
                elif isinstance(value, (int, float)):
                    cells.append(f'<table:table-cell office:value-type="float" '
                                 f'office:value="{value}"><text:p>{value}</text:p></table:table-cell>')
                else:
                    cells.append(f'<table:table-cell office:value-type="string"><text:p>'
                                 f'{escape(str(value))}</text:p></table:table-cell>')
            body.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        tables.append(f'<table:table table:name="{escape(name)}">' + "".join(body) + "</table:table>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>" + "".join(tables)
        + "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def write_xls(path: Path, rows: list[list], sheet: str = "Sheet1") -> Path:
    """A legacy Excel 97-2003 workbook (needs xlwt; tests importorskip it)."""
    import xlwt  # noqa: PLC0415

    workbook = xlwt.Workbook()
    ws = workbook.add_sheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.write(r, c, value)
    workbook.save(str(path))
    return path
