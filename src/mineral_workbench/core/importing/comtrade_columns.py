"""UN Comtrade column vocabulary (FORMATS.md §4): Plus and legacy names, what each holds.

Both layouts are read through the Comtrade Plus names: a legacy header (`Trade Flow Code`,
`Reporter ISO`, `Trade Value (US$)`...) is renamed to its Plus equivalent first. Each name
has a `Rule` saying what its values look like, so a header that no longer lines up with the
values is caught before any value is trusted (`column_checks`).
"""

from __future__ import annotations

from .column_checks import FLAG, INTEGER, NUMBER, TEXT, YEAR, Rule

ISO = Rule(r"[A-Z_][A-Z0-9_]{1,3}", "an ISO3 or Comtrade area code such as USA or W00")
COUNTRY_NUMBER = Rule(r"\d{1,3}", "a Comtrade country number (up to 3 digits)")
UNIT = Rule(r"[-+]?[\d.,]*\d[\d.,]*|(?i:true|false)", "a unit such as kg", forbid=True)

#: Comtrade Plus column -> what its values look like (values checked in header order)
PLUS_RULES: dict[str, Rule] = {
    "typeCode": Rule(r"[CS]", "C (goods) or S (services)"),
    "freqCode": Rule(r"[AM]", "A (annual) or M (monthly)"),
    "refPeriodId": Rule(r"(?:19|20)\d{6}", "a date written YYYYMMDD"),
    "refYear": YEAR,
    "refMonth": Rule(r"0?[1-9]|1[0-2]|52", "a month 1-12 or 52 (annual)"),
    "period": Rule(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])?", "a period written YYYY or YYYYMM"),
    "reporterCode": COUNTRY_NUMBER,
    "reporterISO": ISO,
    "reporterDesc": TEXT,
    "flowCode": Rule(r"[A-Z]{1,3}", "a flow code such as M or X"),
    "flowDesc": TEXT,
    "partnerCode": COUNTRY_NUMBER,
    "partnerISO": ISO,
    "partnerDesc": TEXT,
    "partner2Code": COUNTRY_NUMBER,
    "partner2ISO": ISO,
    "partner2Desc": TEXT,
    "classificationCode": Rule(r"H[0-6]|HS|S[1-4]|SS|B[45]|BEC|EB\d{0,2}",
                               "a classification code such as H6"),
    "classificationSearchCode": Rule(r"[A-Z]{1,3}\d{0,2}", "a classification code such as HS"),
    "isOriginalClassification": FLAG,
    "cmdCode": Rule(r"\d{1,6}|TOTAL|AG\d", "a commodity code (HS digits or TOTAL)"),
    "cmdDesc": TEXT,
    "aggrLevel": Rule(r"\d{1,2}", "an aggregation level such as 6"),
    "isLeaf": FLAG,
    "customsCode": Rule(r"C\d\d", "a customs procedure code such as C00"),
    "customsDesc": TEXT,
    "mosCode": INTEGER,
    "motCode": INTEGER,
    "motDesc": TEXT,
    "qtyUnitCode": INTEGER,
    "qtyUnitAbbr": UNIT,
    "qty": NUMBER,
    "isQtyEstimated": FLAG,
    "altQtyUnitCode": INTEGER,
    "altQtyUnitAbbr": UNIT,
    "altQty": NUMBER,
    "isAltQtyEstimated": FLAG,
    "netWgt": NUMBER,
    "isNetWgtEstimated": FLAG,
    "grossWgt": NUMBER,
    "isGrossWgtEstimated": FLAG,
    "cifvalue": NUMBER,
    "fobvalue": NUMBER,
    "primaryValue": NUMBER,
    "legacyEstimationFlag": INTEGER,
    "isReported": FLAG,
    "isAggregate": FLAG,
}

#: legacy Comtrade header (lower case, spaces collapsed) -> Plus name (or a legacy-only key)
LEGACY_NAMES: dict[str, str] = {
    "classification": "classificationCode",
    "year": "refYear",
    "period": "period",
    "period desc.": "periodDesc",
    "aggregate level": "aggrLevel",
    "is leaf code": "isLeaf",
    "trade flow code": "legacyFlowCode",
    "trade flow": "flowDesc",
    "reporter code": "reporterCode",
    "reporter": "reporterDesc",
    "reporter iso": "reporterISO",
    "partner code": "partnerCode",
    "partner": "partnerDesc",
    "partner iso": "partnerISO",
    "2nd partner code": "partner2Code",
    "2nd partner": "partner2Desc",
    "2nd partner iso": "partner2ISO",
    "customs proc. code": "customsCode",
    "customs": "customsDesc",
    "mode of transport code": "motCode",
    "mode of transport": "motDesc",
    "commodity code": "cmdCode",
    "commodity": "cmdDesc",
    "qty unit code": "qtyUnitCode",
    "qty unit": "qtyUnitAbbr",
    "qty": "qty",
    "alt qty unit code": "altQtyUnitCode",
    "alt qty unit": "altQtyUnitAbbr",
    "alt qty": "altQty",
    "netweight (kg)": "netWgt",
    "gross weight (kg)": "grossWgt",
    "trade value (us$)": "primaryValue",
    "cif trade value (us$)": "cifvalue",
    "fob trade value (us$)": "fobvalue",
    "flag": "legacyFlag",
}

LEGACY_RULES: dict[str, Rule] = {
    **{key: rule for key, rule in PLUS_RULES.items() if key in LEGACY_NAMES.values()},
    "legacyFlowCode": Rule(r"[1-9]", "a trade flow code 1-4"),
    "legacyFlag": INTEGER,
}

#: legacy `Qty Unit` descriptions -> the abbreviations Comtrade Plus writes
LEGACY_UNITS = {"weight in kilograms": "kg", "number of items": "u", "volume in litres": "l",
                "length in metres": "m", "area in square metres": "m²",
                "volume in cubic meters": "m³", "number of pairs": "2u",
                "thousands of items": "1000u", "weight in carats": "carat",
                "dozen of items": "12u", "number of packages": "u (jeu/pack)",
                "electrical energy in thousands of kilowatt-hours": "1000 kWh",
                "thousands of litres": "1000l", "no quantity": ""}

#: legacy `Trade Flow Code` -> Plus flowCode
LEGACY_FLOW_CODES = {"1": "M", "2": "X", "3": "RX", "4": "RM"}
#: flow names (legacy `Trade Flow`, Plus `flowDesc`) -> flowCode
FLOW_NAMES = {"import": "M", "imports": "M", "export": "X", "exports": "X",
              "re-export": "RX", "re-exports": "RX", "re-import": "RM", "re-imports": "RM"}

_PLUS_KEYS = {name.lower(): name for name in PLUS_RULES}
_PLUS_SIGNATURE = {"typecode", "freqcode", "refperiodid", "refyear", "refmonth", "reportercode",
                   "reporteriso", "flowcode", "partnercode", "partneriso", "classificationcode",
                   "cmdcode", "primaryvalue", "cifvalue", "fobvalue", "netwgt", "qtyunitabbr",
                   "isreported", "isaggregate", "reporterdesc", "partnerdesc", "cmddesc"}
_LEGACY_SIGNATURE = {"trade flow code", "trade flow", "reporter iso", "partner iso",
                     "commodity code", "trade value (us$)", "netweight (kg)", "period desc.",
                     "is leaf code", "reporter code", "partner code", "aggregate level"}


def header_key(cell: str) -> str:
    return " ".join(str(cell).replace("\ufeff", "").strip().strip('"').split()).lower()


def detect_kind(header: list[str]) -> str | None:
    """'plus', 'legacy' or None, from how many of each layout's names the header has."""
    keys = {header_key(cell) for cell in header}
    if len(keys & _PLUS_SIGNATURE) >= 5:
        return "plus"
    if len(keys & _LEGACY_SIGNATURE) >= 4:
        return "legacy"
    return None


def canonical_names(header: list[str], kind: str) -> list[str | None]:
    """Plus name of each header position (None for a column the importer does not know)."""
    table = _PLUS_KEYS if kind == "plus" else LEGACY_NAMES
    return [table.get(header_key(cell)) for cell in header]


def rules_for(kind: str) -> dict[str, Rule]:
    return PLUS_RULES if kind == "plus" else LEGACY_RULES
