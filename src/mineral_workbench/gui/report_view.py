"""The import report, in words: one-line facts for the sources panel and the full report
dialog (what was read, what was dropped and why, checksums, unmapped value, warnings)."""

from __future__ import annotations

import html
import importlib
from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QTabWidget, QTextBrowser, QVBoxLayout, QWidget)

from .formatters import ColumnSpec, Kind, display_formatter
from .panels import TablePanel

_USD = display_formatter(ColumnSpec("v", "v", Kind.USD))
_VALUE = ColumnSpec("value_usd", "Value (USD)", Kind.NUMBER, "Primary value measure, in US dollars.")
REPORT_COLUMNS = {
    "codes": (ColumnSpec("code", "HTS code", Kind.TEXT, "Commodity code as text (leading digits kept)."),
              _VALUE, ColumnSpec("rows", "Rows", Kind.INTEGER),
              ColumnSpec("reason", "Why unmapped", Kind.TEXT, missing_text="")),
    "partners": (ColumnSpec("partner", "Partner as written"), _VALUE),
    "aggregates": (ColumnSpec("partner", "Partner as written"),
                   ColumnSpec("code", "Aggregate code", Kind.TEXT, missing_text=""), _VALUE),
    "parameters": (ColumnSpec("parameter", "Parameter"),
                   ColumnSpec("value", "Value", Kind.TEXT, missing_text="")),
}
_ROWS_SHOWN = 20


def format_label(fmt: str) -> str:
    """The importer's human name for a format id ('dataweb_xlsx' → 'USITC DataWeb workbook …')."""
    if not fmt:
        return "unknown format"
    try:
        module = importlib.import_module(f"mineral_workbench.core.importing.{fmt}")
    except ImportError:
        return fmt
    return str(getattr(module, "LABEL", fmt))


def usd(value) -> str:
    try:
        return _USD(float(value))
    except (TypeError, ValueError):
        return "n/a"


def unmapped_value(report) -> tuple[float, float]:
    codes = sum(float(c.get("value_usd") or 0) for c in report.unmapped_codes)
    partners = sum(float(p.get("value_usd") or 0) for p in report.unmapped_partners)
    return codes, partners


def unmapped_text(report) -> str:
    codes, partners = unmapped_value(report)
    return (f"codes {usd(codes)} ({len(report.unmapped_codes)}) · "
            f"partners {usd(partners)} ({len(report.unmapped_partners)})")


def checksums(report) -> dict:
    found = dict(report.checksums or {})
    if not found and report.checksum is not None:
        found[report.primary_measure or "total"] = report.checksum
    return found


def checksum_text(report) -> tuple[str, bool | None]:
    """('✓ matches the file's total', True) / ('✗ …', False) / ('no total row…', None)."""
    sums = checksums(report)
    if not sums:
        return "no total row in the file to check against", None
    bad = {m: c for m, c in sums.items() if not c.ok}
    if not bad:
        noun = "total" if len(sums) == 1 else f"{len(sums)} totals"
        return f"✓ matches the file's {noun}", True
    parts = [f"{m}: file says {c.expected:,.0f}, rows sum to {c.found:,.0f}" for m, c in bad.items()]
    return "✗ mismatch — " + "; ".join(parts), False


def dropped_count(report) -> int:
    return sum(len(rows) for rows in report.rows_dropped.values())


def report_html(report) -> str:
    """The whole report as an HTML page for the dialog."""
    esc = html.escape
    name = Path(report.file).name
    status, ok = checksum_text(report)
    color = {True: "#2e7d32", False: "#c62828"}.get(ok, "inherit")
    rows = [
        ("File", f"{esc(name)}<br><small>{esc(str(report.file))}</small>"),
        ("SHA-256", f"<code>{esc(report.sha256)}</code>"),
        ("Format", f"{esc(format_label(report.format))} <small>({esc(report.format)})</small>"),
        ("Layout", esc(report.layout or "—")),
        ("Flow", esc(report.flow)),
        ("Measures", esc(", ".join(m + (" (primary)" if m == report.primary_measure else "")
                                   for m in report.measures) or "—")),
        ("Scale", f"× {report.scale:g}"),
        ("Years", esc(", ".join(str(y) for y in report.years) or "—")),
        ("Rows", f"{report.rows_read:,} read · {report.rows_kept:,} kept · "
                 f"{dropped_count(report):,} not kept as data"),
        ("Total (primary measure)", usd(report.total_usd)),
        ("Checksum", f"<span style='color:{color}'>{esc(status)}</span>"),
        ("Unmapped value", esc(unmapped_text(report))),
        ("Aggregate partners", esc(f"{len(report.aggregate_partners)} "
                                   f"({usd(sum(float(a.get('value_usd') or 0) for a in report.aggregate_partners))})")),
    ]
    for label, value in (("Encoding", report.encoding), ("HS editions", ", ".join(report.hs_editions)),
                         ("Sheets", ", ".join(report.sheets)), ("Download date", report.download_date)):
        if value:
            rows.append((label, esc(str(value))))
    table = "".join(f"<tr><th align='left' valign='top'>{k}</th><td>{v}</td></tr>" for k, v in rows)
    parts = [f"<h3>Import report: {esc(name)}</h3><table cellspacing='4'>{table}</table>"]
    if report.warnings:
        items = "".join(f"<li>{esc(w)}</li>" for w in report.warnings)
        parts.append(f"<h4>Warnings ({len(report.warnings)})</h4><ul>{items}</ul>")
    if report.rows_dropped:
        items = []
        for reason, numbers in report.rows_dropped.items():
            shown = ", ".join(str(n) for n in numbers[:_ROWS_SHOWN])
            more = f" … and {len(numbers) - _ROWS_SHOWN:,} more" if len(numbers) > _ROWS_SHOWN else ""
            items.append(f"<li>{esc(reason)}: {len(numbers):,} row{'s' if len(numbers) != 1 else ''} "
                         f"(row {esc(shown)}{more})</li>")
        parts.append(f"<h4>Rows not kept as data</h4><ul>{''.join(items)}</ul>")
    sums = checksums(report)
    if sums:
        items = "".join(f"<li>{esc(m)}: file {c.expected:,.2f}, rows {c.found:,.2f} "
                        f"({'ok' if c.ok else 'MISMATCH'}, tolerance {c.tolerance:g})</li>"
                        for m, c in sums.items())
        parts.append(f"<h4>Checksums</h4><ul>{items}</ul>")
    if report.citation:
        parts.append(f"<h4>Citation</h4><p>{esc(report.citation)}</p>")
    return "".join(parts)


def _frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    for column in columns:
        if column not in frame:
            frame[column] = pd.Series(dtype=object)
    text = [c for c in frame.columns if c not in ("value_usd", "rows")]
    frame[text] = frame[text].astype(object).where(frame[text].notna(), None)
    return frame


class ImportReportDialog(QDialog):
    """Non-modal: the analyst keeps working while the report is open."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModal(False)
        self.setWindowTitle("Import report")
        self.resize(820, 620)
        self.reports: list = []
        self.chooser = QComboBox(self)
        self.chooser.setAccessibleName("File whose import report is shown")
        self.chooser.currentIndexChanged.connect(self._show)
        self.summary = QTextBrowser(self)
        self.summary.setAccessibleName("Import report summary")
        self.summary.setOpenLinks(False)
        self.tabs = QTabWidget(self)
        nouns = {"codes": ("unmapped codes", "code"), "partners": ("unmapped partners", "partner"),
                 "aggregates": ("aggregate partners", "partner"),
                 "parameters": ("query parameters", "parameter")}
        self.tables = {key: TablePanel(REPORT_COLUMNS[key], noun=noun, filter_key=column,
                                       widths={"value": 520}, parent=self)
                       for key, (noun, column) in nouns.items()}
        self.tabs.addTab(self.summary, "Summary")
        for key, title in (("codes", "Unmapped codes"), ("partners", "Unmapped partners"),
                           ("aggregates", "Aggregate partners"), ("parameters", "Query parameters")):
            self.tabs.addTab(self.tables[key], title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        top = QHBoxLayout()
        self.file_label = QLabel("&File:", self)
        self.file_label.setBuddy(self.chooser)
        top.addWidget(self.file_label)
        top.addWidget(self.chooser, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    def show_reports(self, reports, index: int = 0) -> None:
        self.reports = list(reports)
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for report in self.reports:
            self.chooser.addItem(Path(report.file).name)
        self.chooser.blockSignals(False)
        for widget in (self.chooser, self.file_label):
            widget.setVisible(len(self.reports) > 1)
        self.chooser.setCurrentIndex(min(max(index, 0), max(len(self.reports) - 1, 0)))
        self._show(self.chooser.currentIndex())
        self.show()
        self.raise_()

    def current_report(self):
        i = self.chooser.currentIndex()
        return self.reports[i] if 0 <= i < len(self.reports) else None

    def _show(self, index: int) -> None:
        report = self.reports[index] if 0 <= index < len(self.reports) else None
        if report is None:
            self.summary.setHtml("<p>No import report.</p>")
            return
        self.setWindowTitle(f"Import report — {Path(report.file).name}")
        self.summary.setHtml(report_html(report))
        params = [{"parameter": k, "value": str(v)} for k, v in report.query_parameters.items()]
        content = {
            "codes": _frame(report.unmapped_codes, ["code", "value_usd", "rows", "reason"]),
            "partners": _frame(report.unmapped_partners, ["partner", "value_usd"]),
            "aggregates": _frame(report.aggregate_partners, ["partner", "code", "value_usd"]),
            "parameters": _frame(params, ["parameter", "value"]),
        }
        for i, (key, frame) in enumerate(content.items(), start=1):
            self.tables[key].set_frame(frame)
            title = self.tabs.tabText(i).split(" (")[0]
            self.tabs.setTabText(i, f"{title} ({len(frame)})")
        self.summary.setFocus(Qt.FocusReason.OtherFocusReason)
