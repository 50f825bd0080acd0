"""Words and numbers on charts: units, sources, short labels. No Qt, so it is easy to test."""

from __future__ import annotations

import math

FLOW_LABELS = {
    "imports_consumption": "US imports for consumption",
    "imports_general": "US general imports",
}
PUBLISHERS = {
    "dataweb_xlsx": "USITC DataWeb", "dataweb_csv": "USITC DataWeb",
    "census_csv": "US Census Bureau", "census_json": "US Census Bureau",
    "comtrade": "UN Comtrade", "baci": "CEPII BACI",
}
SECTOR_SHORT = {
    "Critical Manufacturing": "Critical Mfg.",
    "Defense Industrial Base": "Defense Ind. Base",
    "Government Services and Facilities": "Government",
    "Healthcare and Public Health": "Healthcare",
    "Information Technology": "Info. Technology",
    "Nuclear Reactors, Materials, and Waste": "Nuclear",
    "Transportation Systems": "Transportation",
    "Water and Wastewater Systems": "Water",
    "Commercial Facilities": "Commercial Fac.",
    "Emergency Services": "Emergency Svcs.",
    "Financial Services": "Financial Svcs.",
    "Food and Agriculture": "Food & Agriculture",
}
IMPORTANCE_BASIS = {"usgs_stated_use": "USGS stated use", "analyst_judgment": "analyst judgment"}


def is_missing(value) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def mineral_label(mineral: str) -> str:
    """'rare earths' -> 'Rare earths' (the core keys minerals in lower case)."""
    mineral = str(mineral)
    return mineral[:1].upper() + mineral[1:]


def usd(value) -> str:
    """'$4.3 M', '$1.25 B', '$912,400' (what analysts read in tables and memos)."""
    if is_missing(value):
        return "n/a"
    size, sign = abs(float(value)), "-" if float(value) < 0 else ""
    if size >= 1e9:
        return f"{sign}${size / 1e9:,.2f} B"
    if size >= 1e6:
        return f"{sign}${size / 1e6:,.1f} M"
    return f"{sign}${size:,.0f}"


def pct(fraction, digits: int = 1) -> str:
    """A 0-1 fraction as a percent: 0.172 -> '17.2%'."""
    return "n/a" if is_missing(fraction) else f"{float(fraction) * 100:.{digits}f}%"


def usd_scale(max_value: float) -> tuple[float, str]:
    """Divisor and axis unit for USD values up to `max_value` ('$ millions', ...)."""
    if max_value >= 1e9:
        return 1e9, "$ billions"
    if max_value >= 1e6:
        return 1e6, "$ millions"
    if max_value >= 1e3:
        return 1e3, "$ thousands"
    return 1.0, "$"


def nir_text(pct_value, qualifier: str, edition: str) -> str:
    """USGS net import reliance with its qualifier and edition: 'NIR >50% (USGS MCS 2025)'."""
    src = f" ({edition})" if edition else ""
    if qualifier == "E":
        return f"NIR: net exporter{src}"
    if is_missing(pct_value):
        return f"NIR: n/a{src}"
    bound = qualifier if qualifier in (">", "<") else ""
    return f"NIR {bound}{float(pct_value):g}%{src}"


def sector_short(name: str, limit: int = 18) -> str:
    """Short sector name for tick labels (the full name goes in tooltips)."""
    name = str(name)
    short = SECTOR_SHORT.get(name, name)
    return short if len(short) <= limit else short[:limit - 1].rstrip() + "…"


def year_span(inputs: dict) -> str:
    years = inputs.get("years") or []
    if not years:
        return ""
    lo, hi = int(years[0]), int(years[-1])
    return str(lo) if lo == hi else f"{lo}–{hi}"


def source_note(inputs: dict, *, files: bool = True) -> str:
    """Where the trade numbers come from: flow, years, measure, publisher and file(s)."""
    entries = inputs.get("files") or []
    flows = list(dict.fromkeys(FLOW_LABELS.get(f.get("flow"), "US imports") for f in entries))
    text = " and ".join(flows or ["US imports"])
    span = year_span(inputs)
    if span:
        text += f" {span}"
    measures = list(dict.fromkeys(str(f.get("primary_measure") or "").replace("_", " ")
                                  for f in entries if f.get("primary_measure")))
    if measures:
        text += f" ({', '.join(measures)})"
    publishers = list(dict.fromkeys(PUBLISHERS.get(f.get("format"), str(f.get("format") or ""))
                                    for f in entries if f.get("format")))
    if publishers:
        text += ", " + " and ".join(publishers)
    if files and entries:
        names = [str(f.get("file")) for f in entries]
        text += ": " + (", ".join(names) if len(names) <= 2 else f"{len(names)} files")
    return text


def group_title(inputs: dict) -> str:
    group = inputs.get("group") or {}
    return str(group.get("title") or group.get("id") or "the chosen group")


def reference_edition(inputs: dict, table: str) -> str:
    return str(((inputs.get("reference") or {}).get(table) or {}).get("edition") or "")
