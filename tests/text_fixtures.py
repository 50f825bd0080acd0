"""Write DataWeb CSV, USA Trade Online CSV and Census API JSON files into a test's tmp_path.

Each writer reproduces the quirks of FORMATS.md §1-3 on purpose: a quoted DataWeb title row
with commas, `Data Row Count`, months as columns with blank unpublished months, a `Total:` row
of quoted comma numbers, CRLF; USA Trade Online's glued `Commodity`, the double space in
`Customs  Value (Cons) ($US)`, comma-string values, a trailing empty column and the
low-value-transactions line; the API's array of arrays of strings with a duplicated filter
variable, a TOTAL FOR ALL COUNTRIES row and country groups. Encodings are chosen per call
(UTF-8, UTF-8 with BOM, UTF-16 "Unicode text" tab-separated, cp1252).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


def write_text(path: Path, rows: list[list[str]], *, encoding: str = "utf-8",
               delimiter: str = ",", newline: str = "\r\n", bom: bool = False) -> Path:
    """Rows -> a CSV file as Excel or a portal would write it (quotes only where needed)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    text = buffer.getvalue()
    if encoding == "utf-16":                     # Excel "Unicode text": UTF-16 LE with a BOM
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    else:
        data = text.encode(encoding)
        if bom:
            data = codecs.BOM_UTF8 + data
    path.write_bytes(data)
    return path


def comma_number(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


# --- DataWeb CSV ---------------------------------------------------------------------------

#: (country, year, 12 monthly values; None = month not published) — general customs value
DATAWEB_MONTHLY = [
    ("Côte d'Ivoire", 2023, [1000.0 * (m + 1) for m in range(12)]),
    ("China", 2023, [250000.0, 0.0, 310000.0, 1.0, 99.0, 1e6, 2e6, 3e6, 4e6, 5e6, 6e6, 7e6]),
    ("China", 2024, [123456.0, 654321.0, 111111.0, 222222.0, 333333.0, 444444.0, 555555.0,
                     666666.0, 777777.0, 888888.0, None, None]),
]


def dataweb_monthly_rows(*, title: str | None = "General Imports|Monthly data for 2023,2024",
                         data_type: str = "General Customs Value",
                         rows=DATAWEB_MONTHLY) -> list[list[str]]:
    width = 15
    out: list[list[str]] = []
    if title is not None:
        out.append([title] + [""] * (width - 1))
    out.append(["Data Row Count", str(len(rows))] + [""] * (width - 2))
    out.append(["Data Type", "Country", "Year"] + MONTH_NAMES)
    for country, year, values in rows:
        out.append([data_type, country, str(year)]
                   + ["" if v is None else f"{v:.2f}" for v in values])
    totals = [sum(r[2][m] or 0.0 for r in rows) for m in range(12)]
    out.append(["Total: ", "", ""] + [comma_number(t) for t in totals])
    return out


def monthly_totals(rows=DATAWEB_MONTHLY) -> list[float]:
    return [sum(r[2][m] or 0.0 for r in rows) for m in range(12)]


#: (country, year, hts, description, value) — DataWeb long layout
DATAWEB_LONG = [
    ("China", 2023, "8105206000", "COBALT UNWROUGHT EXC ALLOYS", 0.0),
    ("Canada", 2023, "0106190000", "LIVE MAMMALS NESOI", 7000.0),
    ("Japan", 2024, "2805301000", "RARE EARTH METALS", 98765432.25),
]


def dataweb_long_rows(data_type: str = "Customs Value") -> list[list[str]]:
    out = [["Imports For Consumption|Annual Data", ""], ["Data Row Count", str(len(DATAWEB_LONG))],
           ["Data Type", "Country", "Year", "HTS Number", "Description", "Quantity Description",
            data_type]]
    for country, year, hts, description, value in DATAWEB_LONG:
        out.append([data_type, country, str(year), hts, description, "Value for: kilograms",
                    f"{value:.2f}"])
    out.append(["Total: ", "", "", "", "", "", comma_number(sum(r[4] for r in DATAWEB_LONG), 2)])
    return out


# --- USA Trade Online CSV ------------------------------------------------------------------

COBALT = "8105206000 Unwrought Cobalt Exc Alloys, Incl Powders (kg)"
GRAPHITE = "2504101000 Natural Graphite Crystalline Flake Exc Flake Dust (kg)"
MAGNETS = "8505907000 Electromagnets For Mri Apparatus, Other Than 9018 (no)"
LOW_VALUE = "9999950000 Estimated Imports Of Low Valued Transactions"
CONS_HEADER = "Customs  Value (Cons) ($US)"      # two spaces, as USA Trade Online writes it

#: (commodity, country, district, time, value text) — annual, all districts
CENSUS_ROWS = [
    (COBALT, "Madagascar", "All Districts", "2024", "45,728,453"),
    (COBALT, "Congo (Kinshasa)", "All Districts", "2024", "1,139,513"),
    (GRAPHITE, "Côte d'Ivoire", "All Districts", "2024", "300,148"),
    (GRAPHITE, "Korea, South", "All Districts", "2024", "12"),
    (MAGNETS, "South Africa", "All Districts", "2024", "67,030"),
    (LOW_VALUE, "Canada", "All Districts", "2024", "9,876,543"),
]


def census_rows(rows=CENSUS_ROWS, *, header: str = CONS_HEADER, trailing: str | None = "",
                extra: list[tuple[str, list[str]]] = ()) -> list[list[str]]:
    """Header + rows; `trailing` adds an empty last column (headed '' or 'Unnamed: 5')."""
    head = ["Commodity", "Country", "District", "Time", header] + [name for name, _ in extra]
    if trailing is not None:
        head.append(trailing)
    out = [head]
    for i, row in enumerate(rows):
        cells = list(row) + [values[i] for _, values in extra]
        out.append(cells + ([""] if trailing is not None else []))
    return out


def census_value(text: str) -> float:
    return float(text.replace(",", ""))


# --- Census API JSON -----------------------------------------------------------------------

def api_rows(*, monthly: bool = True, ytd: bool = True, prefix: str = "GEN",
             months=(1, 2), duplicate_filter: bool = True) -> tuple[list[str], list[list[str]]]:
    """Header and rows of an imports/hs response for two countries, their total and a group.

    Monthly values: China 100*m, Canada 10*m, EU group 1000*m (never data); YTD = cumulative.
    """
    header = ["CTY_CODE", "CTY_NAME", "I_COMMODITY", "I_COMMODITY_SDESC", "COMM_LVL",
              "SUMMARY_LVL"]
    if monthly:
        header.append(f"{prefix}_VAL_MO")
    if ytd:
        header.append(f"{prefix}_VAL_YR")
    header.append("time")
    if duplicate_filter:
        header.append("COMM_LVL")          # requested and used as a filter: appears twice
    countries = [("5700", "CHINA", "DET", 100), ("1220", "CANADA", "DET", 10),
                 ("0003", "EUROPEAN UNION", "CGP", 1000), ("-", "TOTAL FOR ALL COUNTRIES", "DET", 110)]
    rows = []
    for code, desc in (("8105206000", "COBALT UNWROUGHT"), ("2504101000", "GRAPHITE FLAKE")):
        for month in months:
            for cty, name, level, unit in countries:
                row = [cty, name, code, desc, "HS10", level]
                if monthly:
                    row.append(str(unit * month))
                if ytd:
                    row.append(str(unit * sum(range(1, month + 1))))
                row.append(f"2024-{month:02d}")
                if duplicate_filter:
                    row.append("HS10")
                rows.append(row)
    return header, rows


def write_json(path: Path, header: list[str], rows: list[list], *, encoding: str = "utf-8",
               bom: bool = False, indent: int | None = None) -> Path:
    text = json.dumps([header] + rows, indent=indent, ensure_ascii=False)
    if indent is None:                    # the API writes one inner array per line
        text = "[" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in [header] + rows) + "]"
    data = text.encode(encoding)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path
