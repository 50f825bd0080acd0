"""The Summary sheet: what was analysed, the drafted findings, and the ten most exposed minerals.

Shares, HHI and consumption at risk in the table are live formulas over the Suppliers sheet
(the same formulas as on the Minerals sheet); the charts are anchored below the table.
"""

from __future__ import annotations

import pandas as pd
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from .bundle import ExportBundle
from .findings import draft_findings
from .xlsx_metrics import live_formulas, mineral_row_values
from .xlsx_write import (
    BOLD, HHI, NOTE_FONT, PCT, SECTION_FONT, SHARE, THIN, TITLE_FONT, USD, Column, Formula,
    SheetWriter, estimate_height)

TOP_N = 10

TABLE = [
    ("mineral", Column("Mineral", 20)),
    ("import_value_usd", Column("Import value (USD)", 17, USD)),
    ("top_supplier", Column("Top supplier", 22)),
    ("top_supplier_share", Column("Top supplier share", 11, SHARE)),
    ("group_share", Column("Country-group share", 11, SHARE)),
    ("hhi", Column("HHI (0–10,000)", 11, HHI)),
    ("nir_pct", Column("NIR (%)", 8, PCT)),
    ("nir_qualifier", Column("NIR qualifier", 9)),
    ("nir_edition", Column("NIR edition", 18)),
    ("car", Column("Consumption at risk", 13, SHARE)),
]
SCENARIO_TABLE = [
    ("car@baseline", Column("Consumption at risk, baseline", 13, SHARE)),
    ("car@change", Column("Change", 10, "+0.0%;-0.0%;0.0%")),
]
CORE_TWINS = [(f"{key}@core", Column(f"{label} (workbench)", 12, fmt, hidden=True)) for key, label, fmt in (
    ("import_value_usd", "Import value", USD), ("hhi", "HHI", HHI),
    ("top_supplier_share", "Top supplier share", SHARE), ("group_share", "Country-group share", SHARE),
    ("car", "Consumption at risk", SHARE))]


def summary_layout(bundle: ExportBundle) -> list[tuple[str, Column]]:
    return TABLE + (SCENARIO_TABLE if bundle.scenario else []) + CORE_TWINS


def facts(bundle: ExportBundle) -> list[tuple[str, str]]:
    """The key facts block: scenario, years, group, NIR, editions, inputs, marking."""
    inputs = bundle.inputs
    group = bundle.group
    refs = inputs.get("reference", {})
    files = inputs.get("files", [])
    total = float(bundle.result.minerals["import_value_usd"].sum())
    scenario = bundle.scenario_name
    if bundle.scenario:
        s = bundle.scenario.scenario
        scenario += "".join(f"; {x}" for x in (s.date, s.preset_id and f"preset {s.preset_id}") if x)
    return [
        ("Classification", bundle.marking),
        ("Scenario", scenario),
        ("Years", f"{bundle.years_text} (data cover {', '.join(map(str, inputs.get('years_in_data', [])))})"),
        ("Country group", f"{group.get('title', group.get('id'))} [{group.get('id')}], as of "
                          f"{group.get('as_of') or 'n/a'}; effective {group.get('effective') or 'n/a'}"),
        ("Net import reliance", f"{inputs.get('nir_year')} data, "
                                f"{refs.get('net_import_reliance', {}).get('edition', bundle.nir_edition)}"),
        ("Reference editions", "; ".join(f"{name}: {info['edition']} (as of {info['as_of']})"
                                         for name, info in refs.items()
                                         if name in ("critical_minerals", "hts_crosswalk",
                                                     "mineral_sector_uses", "defense_uses"))),
        ("Inputs", f"{len(files)} file(s): " + "; ".join(f["file"] for f in files)
                   + f" — mapped import value {total:,.0f} USD (see Sources for SHA-256)"),
        ("Prepared by", bundle.prepared_by or "—"),
        ("Generated", f"{bundle.created:%Y-%m-%d %H:%M} by the Mineral Exposure Workbench"),
    ]


def write_summary(workbook, bundle: ExportBundle) -> tuple[object, int]:
    """Write the Summary; return (worksheet, first free row) for the charts below the table."""
    layout = summary_layout(bundle)
    columns = [c for _, c in layout]
    visible = [c for c in columns if not c.hidden]
    span = len(visible)
    width = sum(c.width for c in visible)
    sheet = SheetWriter(workbook, "Summary", bundle.marking, columns, freeze=(2, 1))
    sheet.text_row(bundle.title, font=TITLE_FONT, span=span, height=26,
                   align=Alignment(vertical="center"))
    sheet.text_row(f"Analysis workbook — {bundle.scenario_name}", font=SECTION_FONT, span=span)
    sheet.blank()
    for label, value in facts(bundle):
        height = estimate_height(value, width - columns[0].width)
        row = sheet.append([sheet.cell(label, font=BOLD, border=THIN, align=Alignment(vertical="top")),
                            sheet.cell(value, border=THIN, align=Alignment(wrap_text=True, vertical="top"))],
                           height)
        sheet.ws.merged_cells.add(f"B{row}:{_letter(span)}{row}")
    sheet.blank()
    sheet.text_row("Headline findings (drafted from the numbers by the workbench's rules; "
                   "edit before use)", font=SECTION_FONT, span=span)
    for i, text in enumerate(finding_texts(bundle), 1):
        sheet.text_row(f"{i}. {text}", span=span, height=estimate_height(text, width))
    sheet.blank()
    sheet.ws.row_breaks.append(Break(id=sheet.row_index))     # the table starts a printed page
    top, extra = table_minerals(bundle)
    sheet.text_row(f"The {len(top) - extra} minerals with the highest consumption at risk "
                   f"(import reliance x share of imports from {bundle.group_phrase})"
                   + (f", then the {extra} other minerals the scenario changed" if extra else ""),
                   font=SECTION_FONT, span=span)
    header = sheet.header()
    keys = [k for k, _ in layout]
    letters = {"mineral": _col(keys, "mineral"), "value": _col(keys, "import_value_usd"),
               "group": _col(keys, "group_share"), "nir": _col(keys, "nir_pct"),
               "qualifier": _col(keys, "nir_qualifier")}
    base = bundle.minerals("baseline")
    for r, (mineral, row) in enumerate(top.iterrows(), header + 1):
        formulas = live_formulas(r, letters)
        if bundle.scenario:
            row = row.copy()
            row["car@baseline"] = base.at[mineral, "car"]
            car, was = _col(keys, "car"), _col(keys, "car@baseline")
            formulas["car@change"] = Formula(f'=IF(AND(ISNUMBER({car}{r}),ISNUMBER({was}{r})),'
                                             f'{car}{r}-{was}{r},"n/a")')
        sheet.values_row(mineral_row_values(keys, mineral, row, formulas))
    last = header + len(top)
    if len(top):
        sheet.table("tblTopMinerals", header, last)
        sheet.colour_scale(keys.index("car") + 1, header + 1, last, 0, 0.5, 1)
        sheet.colour_scale(keys.index("group_share") + 1, header + 1, last, 0, 0.5, 1)
    sheet.blank()
    sheet.text_row("Shares, HHI and consumption at risk are live formulas over the Suppliers sheet: "
                   "edit a value there and they recalculate. Methods and every scenario edit: "
                   "Assumptions sheet; files, SHA-256 and citations: Sources sheet.",
                   font=NOTE_FONT, span=span, height=30)
    return sheet.ws, sheet.row_index + 2


def finding_texts(bundle: ExportBundle) -> list[str]:
    """The analyst's edited findings when the bundle has them, else the drafted ones (the
    same rules and texts as the memo's)."""
    if bundle.findings is not None:
        return list(bundle.findings)
    return [f.text for f in draft_findings(bundle)]


def table_minerals(bundle: ExportBundle) -> tuple[pd.DataFrame, int]:
    """The top minerals by consumption at risk; in a scenario export, followed by every other
    mineral whose metrics the scenario changed (so the table shows what moved)."""
    top = bundle.top_minerals(TOP_N)
    if not bundle.scenario:
        return top, 0
    deltas = bundle.scenario.deltas["minerals"]
    extra = [m for m in deltas.index[deltas["changed"]] if m not in top.index]
    more = bundle.minerals().loc[extra].sort_values("car", ascending=False, na_position="last")
    return pd.concat([top, more]), len(extra)


def _col(keys: list[str], key: str) -> str:
    return _letter(keys.index(key) + 1)


def _letter(i: int) -> str:
    return get_column_letter(i)
