"""The loaded files and what their import reports say, one expandable entry per file.

A handful of files at most, so a QTreeWidget (one item per fact) is the right tool here;
double-click (or Enter) on any line of a file opens its full import report.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QHeaderView, QLabel, QPushButton, QStyle, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from .report_view import checksum_text, dropped_count, format_label, unmapped_text, usd

_FILE_ROLE = Qt.ItemDataRole.UserRole + 7
_OK, _BAD = QColor("#2e7d32"), QColor("#c62828")


class SourcesPanel(QWidget):
    report_requested = Signal(int)  # index of the file in the loaded reports

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = QLabel("No files loaded.", self)
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Loaded files and their import reports")
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Source", "Value"])
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(0, self.fontMetrics().horizontalAdvance("Primary measure") + 40)
        self.tree.itemActivated.connect(self._activated)  # double-click or Enter
        self.report_button = QPushButton("Import &report…", self)
        self.report_button.setAccessibleName("Open the import report of the selected file")
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self._open_selected)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.report_button)

    def show_reports(self, reports, files=()) -> None:
        self.tree.clear()
        reports = list(reports)
        warn = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for index, report in enumerate(reports):
            item = self._file_item(index, report, warn)
            self.tree.addTopLevelItem(item)
            item.setFirstColumnSpanned(True)  # the file name gets the whole width
            warnings = item.child(item.childCount() - 1)
            for i in range(warnings.childCount()):
                warnings.child(i).setFirstColumnSpanned(True)
        self.tree.expandAll()
        if reports:
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        rows = sum(r.rows_kept for r in reports)
        total = sum(float(r.total_usd or 0) for r in reports)
        self.summary.setText(
            f"{len(reports)} file{'s' if len(reports) != 1 else ''} · {rows:,} rows kept · "
            f"{usd(total)} in the primary measures. Double-click a file for its import report."
            if reports else "No files loaded: File → Open… or drop trade exports on the window.")
        self.report_button.setEnabled(bool(reports))

    def clear(self) -> None:
        self.show_reports([])

    def file_items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def facts(self, index: int) -> dict[str, str]:
        """Label → value of the lines under file `index` (for tests and accessibility)."""
        item = self.tree.topLevelItem(index)
        return {item.child(i).text(0): item.child(i).text(1) for i in range(item.childCount())}

    def _file_item(self, index: int, report, warn_icon) -> QTreeWidgetItem:
        name = Path(report.file).name
        item = QTreeWidgetItem([name, ""])
        font = QFont(item.font(0))
        font.setBold(True)
        item.setFont(0, font)
        item.setToolTip(0, f"{report.file}\nSHA-256 {report.sha256}")
        item.setToolTip(1, report.format)
        item.setData(0, _FILE_ROLE, index)
        status, ok = checksum_text(report)
        facts = [
            ("Format", format_label(report.format)),
            ("Layout", report.layout or "—"),
            ("Flow", report.flow),
            ("Measures", ", ".join(report.measures) or "—"),
            ("Primary measure", report.primary_measure or "—"),
            ("Years", _years(report.years)),
            ("Rows kept", f"{report.rows_kept:,} of {report.rows_read:,}"),
            ("Rows dropped", f"{dropped_count(report):,}"),
            ("Total", usd(report.total_usd)),
            ("Checksum", status),
            ("Unmapped", unmapped_text(report)),
            ("Warnings", str(len(report.warnings))),
        ]
        for label, value in facts:
            child = QTreeWidgetItem([label, value])
            child.setToolTip(1, value)
            child.setData(0, _FILE_ROLE, index)
            if label == "Checksum" and ok is not None:
                child.setForeground(1, QBrush(_OK if ok else _BAD))
            item.addChild(child)
        warnings = item.child(item.childCount() - 1)
        for text in report.warnings:
            line = QTreeWidgetItem([text, ""])
            line.setIcon(0, warn_icon)
            line.setToolTip(0, text)
            line.setData(0, _FILE_ROLE, index)
            warnings.addChild(line)
        if report.warnings:
            warnings.setIcon(0, warn_icon)
        return item

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        index = item.data(0, _FILE_ROLE)
        if index is not None:
            self.report_requested.emit(int(index))

    def _open_selected(self) -> None:
        item = self.tree.currentItem() or self.tree.topLevelItem(0)
        if item is not None:
            self._activated(item)


def _years(years) -> str:
    years = sorted(int(y) for y in years)
    if not years:
        return "—"
    return str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]} ({len(years)})"
