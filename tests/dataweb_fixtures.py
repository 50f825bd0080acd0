"""Write DataWeb-like workbooks into a test's tmp_path (FORMATS.md §1 quirks reproduced).

Every quirk the importer must survive is here on purpose: a `Query Parameters` sheet with a
real Excel datetime and `Data Format` written as text, one sheet per measure, HTS codes as text
with leading zeros, text year headers in the wide layout, a `Total:` row of text numbers with
thousands separators, and (optionally) a wrong declared sheet dimension.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

DOWNLOAD_DATE = datetime(2025, 4, 5, 1, 54, 23)

#: (country, year, hts, description, quantity description, value) — long-layout data rows
LONG_ROWS = [
    ("China", 2023, "8105206000", "COBALT UNWROUGHT EXC ALLOYS", "Value for: kilograms", 0.0),
    ("Canada", 2023, "2504101000", "NATURAL GRAPHITE CRYSTALLINE FLAKE", "Value for: kilograms", 1250.5),
    ("China", 2023, "0106190000", "LIVE MAMMALS NESOI", "Value for: number", 7000.0),
    ("Japan", 2024, "8105206000", "COBALT UNWROUGHT EXC ALLOYS", "Value for: kilograms", 123456789.0),
    ("China", 2024, "2805301000", "RARE EARTH METALS", "Value for: kilograms", 98765432.25),
]

#: (country, hts, description, [values per year]) — wide-layout data rows
WIDE_ROWS = [
    ("China", "01", "LIVE ANIMALS", [31289669.0, 0.0]),
    ("China", "81", "OTHER BASE METALS; CERMETS; ARTICLES THEREOF", [3335000504.0, 12.0]),
    ("Canada", "28", "INORGANIC CHEMICALS", [902139010.0, 346030869.0]),
]
WIDE_YEARS = ("2023", "2024")


def total_text(value: float, decimals: int = 0) -> str:
    """A `Total:` cell as DataWeb writes it: text with thousands separators."""
    return f"{value:,.{decimals}f}"


def query_parameters(*, flow: str = "Imports For Consumption", data_format: object = "1",
                     download_date: object = DOWNLOAD_DATE, data_to_report: str = "Customs Value",
                     years: str = "2023, 2024", column_order: str = "COUNTRY") -> list[tuple]:
    """The label/value pairs of a real Query Parameters sheet, in DataWeb's order."""
    return [
        ("Download Date", download_date),
        ("Step 1: Trade Flow and Classification System", None),
        ("Trade Flow", flow),
        ("Classification System", "HTS Items"),
        ("Step 2: Data and Years", None),
        ("Data To Report", data_to_report),
        ("Data Format", data_format),
        ("Select Type", "Full Years"),
        ("Years", years),
        ("Timeframe Aggregation", "Annual"),
        ("Step 3: Countries", None),
        ("Select Type", "Use All Countries"),
        ("Country List", ""),
        ("Country Aggregation", "Break Out Countries"),
        ("Step 4: Commodities", None),
        ("Select Type", "Select Individual Commodities"),
        ("Commodity List", "2504, 280530, 8105206000, 0106190000"),
        ("Commodity Aggregation Level", "10"),
        ("Step 8: Report Layout", None),
        ("Column Order", column_order),
        ("Column Sort Order", column_order),
    ]


def _add_query_sheet(book: Workbook, params: Sequence[tuple]) -> None:
    sheet = book.create_sheet("Query Parameters")
    for label, value in params:
        sheet.append([label] if value is None else [label, value])
    if isinstance(params[0][1], datetime):
        sheet["B1"].number_format = "yyyy-mm-dd hh:mm:ss"


def write_long_workbook(path: Path, *, sheets: dict[str, Sequence[tuple]] | None = None,
                        params: Sequence[tuple] | None = None, data_format: object = "1",
                        flow: str = "Imports For Consumption", totals: dict[str, str] | None = None,
                        total_decimals: int = 0, hts_as_number: bool = False,
                        extra_rows: dict[str, Iterable[Sequence]] | None = None,
                        query: bool = True) -> Path:
    """Long layout: header on row 1, one data row per country/year/code, `Total:` last.

    `sheets` maps sheet name to rows shaped like LONG_ROWS; quantity sheets get a
    `Suppressed` column. `extra_rows` are appended verbatim before the total (to plant blank
    or broken rows); `totals` overrides the computed total text per sheet.
    """
    sheets = sheets if sheets is not None else {"Customs Value": LONG_ROWS}
    book = Workbook()
    book.remove(book.active)
    if query:
        _add_query_sheet(book, params if params is not None
                         else query_parameters(flow=flow, data_format=data_format))
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        quantity = "Quantity" in name
        header = ["Data Type", "Country", "Year", "HTS Number", "Description",
                  "Quantity Description", name] + (["Suppressed"] if quantity else [])
        sheet.append(header)
        for country, year, hts, desc, qty_desc, value in rows:
            code = int(hts) if hts_as_number else hts
            sheet.append([name, country, year, code, desc, qty_desc, value]
                         + (["0"] if quantity else []))
        for row in (extra_rows or {}).get(name, []):
            sheet.append(list(row))
        total = (totals or {}).get(name) or total_text(sum(r[5] for r in rows), total_decimals)
        total_row = ["Total: "] + [None] * 5 + [total]
        sheet.append(total_row)
    book.save(path)
    return path


def write_wide_workbook(path: Path, *, sheets: dict[str, Sequence[tuple]] | None = None,
                        years: Sequence[str] = WIDE_YEARS, flow: str = "Imports For Consumption",
                        period: str = "Annual Data", data_format: object = "1",
                        params: Sequence[tuple] | None = None, with_country: bool = True,
                        with_hts: bool = True, row_count: int | None = None,
                        totals: dict[str, Sequence[str]] | None = None, total_decimals: int = 0,
                        hts_as_number: bool = False, quantity_description: str | None = None,
                        extra_rows: dict[str, Iterable[Sequence]] | None = None,
                        query: bool = True) -> Path:
    """Wide layout: `Flow|Period` in A1, `Data Row Count` on row 2, header on row 3, years as
    text headers, then `Total:` with one text number per year."""
    sheets = sheets if sheets is not None else {"Customs Value": WIDE_ROWS}
    book = Workbook()
    book.remove(book.active)
    if query:
        _add_query_sheet(book, params if params is not None
                         else query_parameters(flow=flow, data_format=data_format,
                                               years=", ".join(years)))
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        sheet.append([f"{flow}|{period}"])
        sheet.append(["Data Row Count", row_count if row_count is not None else len(rows)])
        keys = (["Country"] if with_country else []) + (["HTS Number", "Description"] if with_hts else [])
        qty = ["Quantity Description"] if quantity_description else []
        sheet.append(["Data Type"] + keys + qty + list(years))
        for country, hts, desc, values in rows:
            code = int(hts) if hts_as_number else hts
            cells = ([country] if with_country else []) + ([code, desc] if with_hts else [])
            sheet.append([name] + cells + ([quantity_description] if qty else []) + list(values))
        for row in (extra_rows or {}).get(name, []):
            sheet.append(list(row))
        sums = [sum(r[3][i] for r in rows) for i in range(len(years))]
        texts = (totals or {}).get(name) or [total_text(s, total_decimals) for s in sums]
        sheet.append(["Total: "] + [None] * (len(keys) + len(qty)) + list(texts))
    book.save(path)
    return path


def declare_wrong_dimension(path: Path) -> Path:
    """Rewrite every worksheet's `<dimension ref=...>` to `A1`, as some real DataWeb files do
    (openpyxl read-only then sees a single cell)."""
    temp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1"/>', data)
            out.writestr(item, data)
    shutil.move(temp, path)
    return path


def many_long_rows(n: int, year: int = 2023) -> list[tuple]:
    """n realistic long-layout rows (for size and speed checks)."""
    countries = ["China", "Canada", "Japan", "Mexico", "Chile", "Germany", "Korea, South", "Peru"]
    codes = ["8105206000", "2504101000", "2805301000", "0106190000", "8112926000", "2846901000"]
    return [(countries[i % 8], year + (i % 3), codes[i % 6], "DESCRIPTION OF GOODS",
             "Value for: kilograms", float((i * 7919) % 100000)) for i in range(n)]


def write_monthly_workbook(path: Path, *, rows: Sequence[tuple] | None = None,
                           months: Sequence[str] = ("January", "February", "March"),
                           flow: str = "General Imports") -> Path:
    """Months as columns (the third period shape): `Data Type, Country, Year, HTS Number,
    Description, January, ...`; a month not yet published is an empty cell."""
    rows = rows if rows is not None else [
        ("China", 2024, "8112926000", "GERMANIUM UNWROUGHT", [100.0, 200.0, None]),
        ("Canada", 2024, "2504101000", "NATURAL GRAPHITE", [5.0, 0.0, None]),
    ]
    book = Workbook()
    book.remove(book.active)
    _add_query_sheet(book, query_parameters(flow=flow))
    sheet = book.create_sheet("Customs Value")
    sheet.append([f"{flow}|Monthly Data"])
    sheet.append(["Data Row Count", len(rows)])
    sheet.append(["Data Type", "Country", "Year", "HTS Number", "Description", *months])
    for country, year, hts, desc, values in rows:
        sheet.append(["Customs Value", country, year, hts, desc, *values])
    sums = [sum(r[4][i] or 0.0 for r in rows) for i in range(len(months))]
    sheet.append(["Total: ", None, None, None, None, *[total_text(s) for s in sums]])
    book.save(path)
    return path
