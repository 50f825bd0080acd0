"""UN Comtrade and CEPII BACI files with every quirk of FORMATS.md §4-5, written by tests.

Comtrade Plus: World rows (a checksum), S19 / `Areas, nes` / `Europe EFTA, nes` partners,
mixed H5/H6 editions, a code that lost its leading zero, a 2-digit code, a heading given
with its subheading, a blank cifvalue, qty -1 and 0, exports, a re-import, another reporter,
a mode-of-transport breakdown, a damaged cell, the EU as partner. Legacy Comtrade. Headers
edited so they no longer line up. BACI: `k` without its leading zero, missing `q`, flows into
other importers, Namibia, S19, a historical entity, a number the country table lacks.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

PLUS_HEADER = [
    "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode",
    "reporterISO", "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO",
    "partnerDesc", "partner2Code", "partner2ISO", "partner2Desc", "classificationCode",
    "classificationSearchCode", "isOriginalClassification", "cmdCode", "cmdDesc", "aggrLevel",
    "isLeaf", "customsCode", "customsDesc", "mosCode", "motCode", "motDesc", "qtyUnitCode",
    "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr", "altQty",
    "isAltQtyEstimated", "netWgt", "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated",
    "cifvalue", "fobvalue", "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate",
]

_PLUS_DEFAULT = dict(
    typeCode="C", freqCode="A", refPeriodId="20230101", refYear="2023", refMonth="52",
    period="2023", reporterCode="842", reporterISO="USA", reporterDesc="USA", flowCode="M",
    flowDesc="Import", partnerCode="156", partnerISO="CHN", partnerDesc="China",
    partner2Code="0", partner2ISO="W00", partner2Desc="World", classificationCode="H6",
    classificationSearchCode="HS", isOriginalClassification="TRUE", cmdCode="810520",
    cmdDesc="Cobalt; mattes and other intermediate products of cobalt metallurgy, unwrought",
    aggrLevel="6", isLeaf="TRUE", customsCode="C00", customsDesc="TOTAL CPC", mosCode="0",
    motCode="0", motDesc="TOTAL MOT", qtyUnitCode="8", qtyUnitAbbr="kg", qty="1000.0",
    isQtyEstimated="FALSE", altQtyUnitCode="8", altQtyUnitAbbr="kg", altQty="1000.0",
    isAltQtyEstimated="FALSE", netWgt="1000.0", isNetWgtEstimated="FALSE", grossWgt="0.0",
    isGrossWgtEstimated="FALSE", cifvalue="5000.0", fobvalue="4800.0", primaryValue="5000.0",
    legacyEstimationFlag="0", isReported="FALSE", isAggregate="TRUE",
)

_PARTNERS = {
    "World": ("0", "W00", "World"), "CHN": ("156", "CHN", "China"),
    "JPN": ("392", "JPN", "Japan"), "S19": ("490", "S19", "Other Asia, nes"),
    "FIN": ("246", "FIN", "Finland"), "KOR": ("410", "KOR", "Rep. of Korea"),
    "NES": ("899", "_X", "Areas, nes"), "EFTA": ("697", "", "Europe EFTA, nes"),
    "CAN": ("124", "CAN", "Canada"), "MEX": ("484", "MEX", "Mexico"),
    "IND": ("699", "IND", "India"), "DEU": ("276", "DEU", "Germany"),
    "BRA": ("76", "BRA", "Brazil"), "EU": ("97", "EUR", "European Union"),
    "AUS": ("36", "AUS", "Australia"), "USA": ("842", "USA", "USA"),
}


def plus_row(partner: str = "CHN", value: float | None = 5000.0, **fields) -> dict:
    """One Comtrade Plus row: a US import (annual 2023, H6) from `partner` worth `value`
    (cifvalue = primaryValue; fobvalue 96% of it)."""
    code, iso, desc = _PARTNERS[partner]
    row = dict(_PLUS_DEFAULT, partnerCode=code, partnerISO=iso, partnerDesc=desc)
    if value is not None:
        row.update(cifvalue=f"{value:.1f}", primaryValue=f"{value:.1f}",
                   fobvalue=f"{value * 0.96:.1f}")
    row.update(fields)
    return row


#: (line in the file, partner, cmdCode, flow, cif value) of the rows the quirks file keeps
QUIRK_ROWS: list[dict] = [
    plus_row("World", 8500.0),                                          # line 2: checksum
    plus_row("CHN", 5000.0),                                            # 3
    plus_row("S19", 1500.0),                                            # 4
    plus_row("JPN", 2000.0, cifvalue=""),                               # 5 primaryValue used
    plus_row("FIN", 3000.0, classificationCode="H5", cmdCode="282200",  # 6 H5 row
             cmdDesc="Cobalt oxides and hydroxides"),
    plus_row("World", 7250.0, cmdCode="850760", cmdDesc="Electric accumulators; lithium-ion",
             qtyUnitCode="5", qtyUnitAbbr="u", qty="110.0"),            # 7: checksum
    plus_row("KOR", 7000.0, cmdCode="850760", cmdDesc="Electric accumulators; lithium-ion",
             qtyUnitCode="5", qtyUnitAbbr="u", qty="100.0", netWgt="500.0"),   # 8
    plus_row("NES", 250.0, cmdCode="850760", cmdDesc="Electric accumulators; lithium-ion",
             qtyUnitCode="5", qtyUnitAbbr="u", qty="10.0"),             # 9 Areas, nes
    plus_row("EFTA", 400.0, cmdCode="260500", cmdDesc="Cobalt ores and concentrates"),  # 10
    plus_row("CAN", 900.0, cmdCode="283329", cmdDesc="Sulphates; n.e.c.", qtyUnitCode="-1",
             qtyUnitAbbr="", qty="0.0", netWgt=""),                     # 11 no quantity
    plus_row("MEX", 600.0, cmdCode="284190", cmdDesc="Salts of oxometallic acids",
             qty="-1"),                                                 # 12 qty unknown
    plus_row("IND", 100.0, cmdCode="71320", cmdDesc="Chickpeas"),      # 13 lost zero
    plus_row("DEU", 50.0, cmdCode="28", cmdDesc="Inorganic chemicals", aggrLevel="2"),  # 14
    plus_row("BRA", 300.0, cmdCode="2602", cmdDesc="Manganese ores", aggrLevel="4"),     # 15
    plus_row("BRA", 300.0, cmdCode="260200", cmdDesc="Manganese ores"),  # 16 the detail
    plus_row("EU", 999.0),                                              # 17 group: dropped
    plus_row("World", 700.0, flowCode="X", flowDesc="Export", cifvalue=""),    # 18 checksum
    plus_row("CAN", 700.0, flowCode="X", flowDesc="Export", cifvalue=""),      # 19 export
    plus_row("CAN", 50.0, flowCode="RM", flowDesc="Re-import"),         # 20 dropped
    plus_row("USA", 12345.0, reporterCode="156", reporterISO="CHN",
             reporterDesc="China"),                                     # 21 other reporter
    plus_row("CHN", 4000.0, motCode="2100", motDesc="Sea"),             # 22 breakdown
    plus_row("AUS", 80.0, cifvalue="n/a"),                              # 23 damaged cell
    plus_row("CHN", 9.0, cmdCode="TOTAL", cmdDesc="All Commodities", aggrLevel="0"),  # 24
]

#: what the quirks file keeps as cif_value: (line, hts, partner_code, edition, value)
QUIRK_IMPORTS = [
    (3, "810520", "CHN", "H6", 5000.0), (4, "810520", "S19", "H6", 1500.0),
    (5, "810520", "JPN", "H6", 2000.0), (6, "282200", "FIN", "H5", 3000.0),
    (8, "850760", "KOR", "H6", 7000.0), (9, "850760", "NES", "H6", 250.0),
    (10, "260500", "R20", "H6", 400.0), (11, "283329", "CAN", "H6", 900.0),
    (12, "284190", "MEX", "H6", 600.0), (13, "071320", "IND", "H6", 100.0),
    (14, "28", "DEU", "H6", 50.0), (16, "260200", "BRA", "H6", 300.0),
]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_plus(path: Path, rows: list[dict], header: list[str] = PLUS_HEADER, *,
               encoding: str = "utf-8", delimiter: str = ",") -> Path:
    text = csv_text(header, [[row.get(name, "") for name in header] for row in rows], delimiter)
    path.write_bytes(text.encode(encoding) if encoding != "utf-16" else
                     b"\xff\xfe" + text.encode("utf-16-le"))
    return path


def write_quirks(folder: Path, name: str = "comtrade_quirks.csv", **kw) -> Path:
    return write_plus(folder / name, QUIRK_ROWS, **kw)


def write_shifted_header(folder: Path) -> Path:
    """Like the real excerpt: typeCode's values are gone, reporterCode/reporterISO renamed
    CountryCode/Country, and a `Mineral` column added, so every value sits one column left."""
    header = ["CountryCode" if h == "reporterCode" else "Country" if h == "reporterISO" else h
              for h in PLUS_HEADER] + ["Mineral"]
    rows = [[row[name] for name in PLUS_HEADER[1:]] + ["", "Cobalt"] for row in QUIRK_ROWS[:4]]
    path = folder / "comtrade_shifted.csv"
    path.write_text(csv_text(header, rows), encoding="utf-8")
    return path


def write_swapped_header(folder: Path) -> Path:
    """refYear and refMonth names swapped: refYear holds 52."""
    header = ["refMonth" if h == "refYear" else "refYear" if h == "refMonth" else h
              for h in PLUS_HEADER]
    path = folder / "comtrade_swapped.csv"
    rows = [[row[name] for name in PLUS_HEADER] for row in QUIRK_ROWS[:4]]
    path.write_text(csv_text(header, rows), encoding="utf-8")
    return path


def write_monthly(folder: Path) -> Path:
    """2024 monthly rows (refMonth 1-3, freqCode M) beside 2023 annual rows (refMonth 52),
    and 2023 monthly rows that repeat the annual total."""
    rows = [plus_row("CHN", 1000.0)]
    for month, value in ((1, 100.0), (2, 200.0), (3, 300.0)):
        rows.append(plus_row("CHN", value, freqCode="M", refPeriodId=f"2024{month:02d}01",
                             refYear="2024", refMonth=str(month), period=f"2024{month:02d}"))
    rows.append(plus_row("CHN", 999.0, freqCode="M", refPeriodId="20230501", refYear="2023",
                         refMonth="5", period="202305"))
    return write_plus(folder / "comtrade_monthly.csv", rows)


LEGACY_HEADER = [
    "Classification", "Year", "Period", "Period Desc.", "Aggregate Level", "Is Leaf Code",
    "Trade Flow Code", "Trade Flow", "Reporter Code", "Reporter", "Reporter ISO",
    "Partner Code", "Partner", "Partner ISO", "2nd Partner Code", "2nd Partner",
    "2nd Partner ISO", "Customs Proc. Code", "Customs", "Mode of Transport Code",
    "Mode of Transport", "Commodity Code", "Commodity", "Qty Unit Code", "Qty Unit", "Qty",
    "Alt Qty Unit Code", "Alt Qty Unit", "Alt Qty", "Netweight (kg)", "Gross weight (kg)",
    "Trade Value (US$)", "CIF Trade Value (US$)", "FOB Trade Value (US$)", "Flag",
]


def legacy_row(partner: tuple[str, str, str], value: float, flow: str = "1",
               code: str = "810520", **fields) -> list[str]:
    number, name, iso = partner
    row = dict(zip(LEGACY_HEADER, [
        "H5", "2019", "2019", "2019", str(len(code)), "1", flow,
        {"1": "Import", "2": "Export", "4": "Re-Import"}[flow], "842", "USA", "USA",
        number, name, iso, "", "", "", "", "", "", "", code, "Cobalt; mattes", "8",
        "Weight in kilograms", "1000", "", "", "", "1000", "", f"{value:.0f}", "", "", "0"]))
    row.update(fields)
    return [row[name] for name in LEGACY_HEADER]


def write_legacy(folder: Path) -> Path:
    rows = [
        legacy_row(("0", "World", "WLD"), 6000.0),                       # 2 checksum
        legacy_row(("156", "China", "CHN"), 5000.0),                     # 3
        legacy_row(("490", "Other Asia, nes", ""), 1000.0),              # 4 S19 by name
        legacy_row(("124", "Canada", "CAN"), 300.0, flow="2"),           # 5 export
        legacy_row(("124", "Canada", "CAN"), 20.0, flow="4"),            # 6 re-import
        legacy_row(("392", "Japan", "JPN"), 70.0, code="284190",
                   **{"Qty Unit Code": "1", "Qty Unit": "No Quantity", "Qty": ""}),  # 7
    ]
    path = folder / "comtrade_legacy.csv"
    path.write_text(csv_text(LEGACY_HEADER, rows), encoding="utf-8")
    return path


# --- BACI ---------------------------------------------------------------------------------------

BACI_COUNTRIES = [  # code, name, iso2, iso3 (our own few rows, in BACI's layout)
    ("156", "China", "CN", "CHN"), ("842", "USA", "US", "USA"), ("251", "France", "FR", "FRA"),
    ("490", "Other Asia, nes", "", "S19"), ("516", "Namibia", "NA", "NAM"),
    ("58", "Belgium-Luxembourg (...1998)", "BE", "BEL"), ("699", "India", "IN", "IND"),
    ("180", "Dem. Rep. of the Congo", "CD", "COD"), ("757", "Switzerland", "CH", "CHE"),
]

#: line, t, i, j, k, v, q — as BACI writes them (values padded with spaces, NA for no q)
BACI_LINES = [
    "2023,156,842,71320,     12.500,         NA",     # 2 k lost its zero; no q
    "2023,156,251,071320,      3.000,      1.000",    # 3 into France: not read
    "2023,490,842,810520,      1.250,      0.500",    # 4 Other Asia, nes
    "2023,999,842,260200,      2.000,      3.000",    # 5 number the table lacks
    "2023,516,842,260200,      7.000,         NA",    # 6 Namibia; no q
    "2023,842,156,260200,      5.000,      5.000",    # 7 US export: not read
    "2023,58,842,260200,      0.400,      0.100",     # 8 historical entity
    "2023,180,842,810520,    100.000,     20.000",    # 9 DR Congo
    "2023,757,842,711011,     30.000,      0.010",    # 10 Switzerland
]


def write_baci(folder: Path, *, with_table: bool = True, namibia_iso2: str = "NA",
               name: str = "BACI_HS17_Y2023_V202501.csv", lines: list[str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("t,i,j,k,v,q\n" + "\n".join(lines or BACI_LINES) + "\n", encoding="utf-8")
    if with_table:
        rows = [(c, n, namibia_iso2 if iso3 == "NAM" else iso2, iso3)
                for c, n, iso2, iso3 in BACI_COUNTRIES]
        (folder / "country_codes_V202501.csv").write_text(
            csv_text(["country_code", "country_name", "country_iso2", "country_iso3"],
                     [list(r) for r in rows]).replace("\r\n", "\n"), encoding="utf-8")
    return path
