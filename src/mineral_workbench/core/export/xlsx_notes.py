"""Assumptions and Sources: what the numbers rest on, in words (DESIGN §6, provenance).

Assumptions: analysis options, baseline mapping overrides, every scenario edit in readable
text with its date and citation, every delta per mineral / sector / defense category that
changed, and the methods. Sources: reference tables with edition, as-of date and citation;
each input file with its SHA-256, format, DataWeb query parameters, download date and citation;
overlaps between sources; import warnings and unmapped codes and partners.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..importing.report import DATAWEB_CITATION
from ..metrics import METHODS
from ..whatif import MINERAL_DELTA_COLUMNS, ROLLUP_DELTA_COLUMNS
from .bundle import ExportBundle
from openpyxl.utils import get_column_letter

from .xlsx_write import (
    BOLD, HHI, NOTE_FONT, PCT, SECTION_FONT, SHARE, TEXT, USD, WRAP, Column, SheetWriter,
    LINE_HEIGHT, estimate_height, text_lines)

NOTE_COLUMNS = [Column("", 26, wrap=True), Column("", 34, wrap=True)] + [Column("", 16, wrap=True)] * 7
LAST = len(NOTE_COLUMNS)
METRIC_FORMATS = {"import_value_usd": USD, "hhi": HHI, "top_supplier_share": SHARE,
                  "group_share": SHARE, "nir_pct": PCT, "car": SHARE, "consumption_lost": SHARE,
                  "added_tariff_cost_usd": USD, "weakest_link": SHARE, "weighted_mean": SHARE}
METRIC_LABELS = {"import_value_usd": "Import value (USD)", "hhi": "HHI (0–10,000)",
                 "top_supplier_share": "Top supplier share", "group_share": "Country-group share",
                 "nir_pct": "NIR (%)", "car": "Consumption at risk",
                 "consumption_lost": "Consumption lost before substitution",
                 "added_tariff_cost_usd": "Added tariff cost (USD/yr)",
                 "weakest_link": "Weakest link", "weighted_mean": "Importance-weighted mean"}


class NotesSheet(SheetWriter):
    """A sheet of titled sections: label/value pairs, notes, and small grids whose long
    texts span several columns (`spans`)."""

    def section(self, title: str) -> None:
        if self.row_index > 1:
            self.blank()
        self.append([self.cell(title, font=SECTION_FONT)], height=20)

    def pairs(self, items: list[tuple[str, object]]) -> None:
        for label, value in items:
            text = "" if value is None else str(value)
            width = sum(c.width for c in self.columns[1:])
            height = max(estimate_height(text, width),
                         LINE_HEIGHT * text_lines(label, self.columns[0].width, bold=True) + 2)
            row = self.append([self.cell(label, font=BOLD, align=WRAP), self.cell(text, align=WRAP)],
                              height)
            self.ws.merged_cells.add(f"B{row}:{get_column_letter(LAST)}{row}")

    def note(self, text: str) -> None:
        self.values_row([text], spans=[LAST], fmts=[None], font=NOTE_FONT)

    def grid(self, headers: list[str], rows: list[list], fmts: list[str | None] | None = None,
             spans: list[int] | None = None) -> None:
        self.header(headers, spans=spans)
        for values in rows:
            self.values_row(values, fmts=fmts or [None] * len(values), spans=spans)


def write_assumptions(workbook, bundle: ExportBundle) -> None:
    sheet = NotesSheet(workbook, "Assumptions", bundle.marking, NOTE_COLUMNS, freeze=(2, 1))
    o, inputs = bundle.options, bundle.inputs
    group = bundle.group
    sheet.section("Analysis options")
    sheet.pairs([
        ("Years", f"{bundle.years_text} (values summed over these years)"),
        ("Country group", f"{group.get('title')} [{group.get('id')}]: {', '.join(group.get('countries', ()))}; "
                          f"as of {group.get('as_of')}; {group.get('note', '')}"),
        ("Net import reliance year", f"{o.nir_year} data ({bundle.nir_edition})"),
        ("Importance weights", ", ".join(f"{k} {v:g}" for k, v in o.weights)),
        ("Top suppliers listed", f"{o.top_n} per mineral in JSON and memos; the Suppliers sheet lists all"),
    ])
    sheet.section("Baseline mapping overrides")
    if bundle.mapping_overrides:
        sheet.grid(["Override", "Readable text"],
                   [[f"#{i}", text] for i, text in enumerate(bundle.mapping_overrides, 1)], spans=[1, LAST - 1])
    else:
        sheet.note("None: the bundled reference tables (HTS crosswalk and allocation shares, net "
                   "import reliance, sector and defense importance, country groups) are used as shipped.")
    sheet.section("Scenario")
    if not bundle.scenario:
        sheet.note("None: this workbook shows the baseline.")
    else:
        _scenario(sheet, bundle)
    sheet.section("Methods")
    sheet.pairs([(key.replace("_", " "), text) for key, text in METHODS.items()])
    sheet.note("Consumption at risk assumes the import mix applies to net imports. Shares are "
               "fractions of each mineral's import value over the chosen years; HHI is on a "
               "0–10,000 scale over all partners, aggregates and unmapped names included.")


def _scenario(sheet: NotesSheet, bundle: ExportBundle) -> None:
    outcome = bundle.scenario
    s = outcome.scenario
    sheet.pairs([("Name", s.name), ("Preset", s.preset_id or "— (analyst's scenario)"),
                 ("Date of the event", s.date or "—"), ("Citation", s.citation or "—"),
                 ("Description", s.description or "—")])
    sheet.section("Scenario edits (applied in this order)")
    sheet.grid(["Edit", "Readable text", "Definition (JSON)"],
               [[f"#{i}", e.describe(), json.dumps(e.to_json(), ensure_ascii=False)]
                for i, e in enumerate(s.edits, 1)], spans=[1, 3, 5])
    for note in outcome.notes:
        sheet.note(f"Note: {note}")
    base, what = bundle.minerals("baseline"), bundle.minerals()
    rows, fmts = [], []
    deltas = outcome.deltas["minerals"]
    for mineral, d in deltas[deltas["changed"]].iterrows():
        for metric in MINERAL_DELTA_COLUMNS:
            change = d[metric]
            if change == change and abs(change) > 1e-12:
                rows.append([mineral, METRIC_LABELS[metric], base.at[mineral, metric],
                             what.at[mineral, metric], change])
                fmt = METRIC_FORMATS[metric]
                fmts.append([None, None, fmt, fmt, signed(fmt)])
    sheet.section("Changes from the baseline: minerals (every metric that changed)")
    _delta_grid(sheet, ["Mineral", "Metric", "Baseline", "Scenario", "Change"], rows, fmts)
    for kind, key, label in (("sectors", "sector", "sectors"), ("defense", "category", "defense-use categories")):
        deltas = outcome.deltas[kind]
        base_r = getattr(bundle.baseline, kind).set_index(key)
        what_r = getattr(bundle.result, kind).set_index(key)
        rows, fmts = [], []
        for name, d in deltas[deltas["changed"]].iterrows():
            for metric in ROLLUP_DELTA_COLUMNS:
                change = d[metric]
                if change == change and abs(change) > 1e-12:
                    rows.append([name, METRIC_LABELS[metric], base_r.at[name, metric],
                                 what_r.at[name, metric], change,
                                 f"{d['driving_mineral_baseline']} → {d['driving_mineral_scenario']}"])
                    fmts.append([None, None, SHARE, SHARE, signed(SHARE), None])
        sheet.section(f"Changes from the baseline: {label}")
        _delta_grid(sheet, ["Name", "Metric", "Baseline", "Scenario", "Change", "Driving mineral"],
                    rows, fmts, spans=[1, 1, 1, 1, 1, 2])


def signed(fmt: str) -> str:
    """'+12.3%' / '-4.5%': a change shows its sign; '_)' keeps a gap before the next column."""
    return f"+{fmt}_);-{fmt}_);{fmt}_)"


def _delta_grid(sheet: NotesSheet, headers: list[str], rows: list[list], fmts: list[list],
                spans: list[int] | None = None) -> None:
    if not rows:
        sheet.note("No change.")
        return
    sheet.header(headers, spans=spans)
    for values, f in zip(rows, fmts):
        sheet.values_row(values, fmts=f, spans=spans)


def write_sources(workbook, bundle: ExportBundle) -> None:
    sheet = NotesSheet(workbook, "Sources", bundle.marking, NOTE_COLUMNS, freeze=(2, 1))
    reports = bundle.loaded.reports
    sheet.section("Input files (the analyst's trade exports)")
    sheet.grid(["File", "SHA-256", "Format / layout", "Flow / primary measure", "Years", "Downloaded",
                "Rows kept / read", "Total, primary measure (USD)", "File's own total (checksum)"],
               [[Path(r.file).name, r.sha256, f"{r.format} / {r.layout}", f"{r.flow} / {r.primary_measure}",
                 _years(r.years), r.download_date or "not recorded", f"{r.rows_kept:,} / {r.rows_read:,}",
                 r.total_usd, _checksum(r)] for r in reports],
               fmts=[None, TEXT, None, None, None, TEXT, None, USD, None])
    sheet.section("Citations of the input data")
    sheet.pairs([(Path(r.file).name, _citation(r)) for r in reports] or [("—", "no input files")])
    sheet.section("Reference data bundled with the workbench")
    sheet.grid(["Table (file)", "Title", "Edition", "Rows", "As of", "Citation"],
               [[f"{t.name} ({t.file})", t.title, t.edition, t.rows, t.as_of, t.citation]
                for t in bundle.reference.tables.values()],
               fmts=[None, None, None, "0", TEXT, None], spans=[1, 1, 2, 1, 1, 3])
    sheet.section("DataWeb query parameters (as written in each file)")
    params = [[Path(r.file).name, key, value] for r in reports for key, value in r.query_parameters.items()]
    if params:
        sheet.grid(["File", "Parameter", "Value"], params, spans=[1, 1, LAST - 2])
    else:
        sheet.note("None: no input file carries a query-parameters sheet.")
    sheet.section("Overlaps between sources (never added together)")
    overlaps = bundle.loaded.overlaps
    if overlaps:
        sheet.grid(["Active file", "Set-aside file", "Year x HS6 x partner keys", "Years", "Flows",
                    "Active value (USD)", "Set-aside value (USD)"],
                   [[o.active_file, o.inactive_file, o.keys, _years(o.years), o.flows,
                     o.active_value_usd, o.inactive_value_usd] for o in overlaps],
                   fmts=[None, None, "#,##0", None, None, USD, USD], spans=[1, 1, 1, 1, 2, 1, 1])
    else:
        sheet.note("None: no two sources report the same year, HS6 code and partner.")
    _import_issues(sheet, reports)


def _import_issues(sheet: NotesSheet, reports) -> None:
    rows = []
    for r in reports:
        name = Path(r.file).name
        rows += [[name, "warning", w, None] for w in r.warnings]
        rows += [[name, "rows not kept", reason, len(lines)] for reason, lines in r.rows_dropped.items()]
        rows += [[name, "unmapped code", f"{u.get('code')} ({u.get('reason', '')})", u.get("value_usd")]
                 for u in r.unmapped_codes]
        rows += [[name, "unmapped partner", u.get("partner"), u.get("value_usd")] for u in r.unmapped_partners]
        rows += [[name, "aggregate partner", f"{u.get('partner')} [{u.get('code')}]", u.get("value_usd")]
                 for u in r.aggregate_partners]
    sheet.section("Import notes: warnings, rows not kept, unmapped codes and partners")
    if rows:
        sheet.grid(["File", "Kind", "Detail", "Value (USD) or rows"], rows,
                   fmts=[None, None, None, "#,##0"], spans=[1, 1, 5, 1])
    else:
        sheet.note("None.")


def _years(years) -> str:
    years = sorted(int(y) for y in years)
    if not years:
        return ""
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def _checksum(report) -> str:
    c = report.checksum
    if c is None:
        return "no total in the file"
    return f"{'matches' if c.ok else 'DIFFERS'}: file {c.expected:,.0f}, rows {c.found:,.0f}"


def _citation(report) -> str:
    if report.citation:
        return report.citation
    if report.format.startswith("dataweb"):
        return DATAWEB_CITATION.format(date=report.download_date or "(access date not recorded)")
    return f"{report.format} export {Path(report.file).name} (no citation recorded in the file)"
