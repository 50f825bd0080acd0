"""The result tables: a fast table view, a filterable panel around it, and the tabs of panels."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableView, QTabWidget, QVBoxLayout, QWidget)

from .columns import DEFENSE_COLUMNS, MINERAL_COLUMNS, SECTOR_COLUMNS
from .formatters import ColumnSpec
from .frame_model import FrameTableModel

# Copying more cells than this would freeze the window for seconds; exports are the tool then.
MAX_COPY_CELLS = 2_000_000
_MAX_AUTO_WIDTH = 360
_WIDTH_SAMPLE_ROWS = 100  # column widths look at the visible rows plus this many
_FORMULA_STARTS = ("=", "+", "-", "@")


def selection_tsv(view: QTableView) -> str | None:
    """The selected cells as tab-separated text, rows in view order (None if too large).

    Cells inside the selection's bounding box that are not selected come out empty, like a
    spreadsheet. Text that a spreadsheet would run as a formula gets a leading apostrophe.
    """
    model, selection = view.model(), view.selectionModel().selection()
    if selection.isEmpty():
        return ""
    top = min(r.top() for r in selection)
    bottom = max(r.bottom() for r in selection)
    left = min(r.left() for r in selection)
    right = max(r.right() for r in selection)
    if (bottom - top + 1) * (right - left + 1) > MAX_COPY_CELLS:
        return None
    chosen = np.zeros((bottom - top + 1, right - left + 1), dtype=bool)
    for r in selection:
        chosen[r.top() - top:r.bottom() - top + 1, r.left() - left:r.right() - left + 1] = True
    columns = [left + c for c in np.flatnonzero(chosen.any(axis=0))]
    numeric = {c: model.column_specs()[c].numeric for c in columns}
    lines = []
    for offset in np.flatnonzero(chosen.any(axis=1)):
        row = top + int(offset)
        cells = [_tsv_cell(model.display_text(row, c), numeric[c]) if chosen[offset, c - left] else ""
                 for c in columns]
        lines.append("\t".join(cells))
    return "\n".join(lines)


def _tsv_cell(text: str, numeric: bool) -> str:
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    if not numeric and text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


class ResultTable(QTableView):
    """A table view set up for big models: fixed row height, header-click sorting, TSV copy."""

    copied = Signal(int)  # number of lines put on the clipboard; -1 when the selection was too big

    def __init__(self, model: FrameTableModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure rows
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        rows.hide()
        columns = self.horizontalHeader()
        columns.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        columns.setStretchLastSection(True)
        columns.setHighlightSections(False)
        columns.setResizeContentsPrecision(_WIDTH_SAMPLE_ROWS)
        columns.setSortIndicatorClearable(True)  # third click restores the original order
        columns.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # Qt would sort by column 0
        self.setSortingEnabled(True)

    def frame_model(self) -> FrameTableModel:
        return self.model()

    def fit_columns(self) -> None:
        """Size columns to header and contents, looking at a bounded sample of rows."""
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for column in range(header.count()):
            if header.sectionSize(column) > _MAX_AUTO_WIDTH:
                header.resizeSection(column, _MAX_AUTO_WIDTH)
        header.setStretchLastSection(False)  # resizing to contents froze the last section;
        header.setStretchLastSection(True)   # let it fill the width again

    def copy_selection(self) -> str | None:
        """Put the selected cells on the clipboard as TSV and return the text."""
        text = selection_tsv(self)
        if text is None:
            self.copied.emit(-1)
            return None
        if text:
            QGuiApplication.clipboard().setText(text)
            self.copied.emit(text.count("\n") + 1)
        return text

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)


class TablePanel(QWidget):
    """One result table with a filter box and a 'shown / total' count above it."""

    def __init__(self, columns: Sequence[ColumnSpec], *, noun: str, filter_key: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._noun = noun
        self.model = FrameTableModel(columns, filter_key=filter_key, parent=self)
        self.table = ResultTable(self.model, self)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(f"Filter {noun} by name…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.model.set_filter_text)
        self.count_label = QLabel(self)
        self.count_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model.modelReset.connect(self._update_count)
        self._update_count()

        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def set_frame(self, frame) -> None:
        self.model.set_frame(frame)
        self.table.fit_columns()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_rows()
        text = f"{total:,} {self._noun}" if shown == total else f"{shown:,} of {total:,} {self._noun}"
        self.count_label.setText(text)


class ResultsView(QTabWidget):
    """Tabs of result tables, one per view name accepted by `--view`."""

    VIEWS = ("minerals", "sectors", "defense")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDocumentMode(True)
        self.panels: dict[str, TablePanel] = {
            "minerals": TablePanel(MINERAL_COLUMNS, noun="minerals", filter_key="mineral"),
            "sectors": TablePanel(SECTOR_COLUMNS, noun="sectors", filter_key="sector"),
            "defense": TablePanel(DEFENSE_COLUMNS, noun="defense uses", filter_key="category"),
        }
        self.addTab(self.panels["minerals"], "Minerals")
        self.addTab(self.panels["sectors"], "Sectors")
        self.addTab(self.panels["defense"], "Defense uses")

    def show_result(self, result: Any) -> None:
        self.panels["minerals"].set_frame(getattr(result, "minerals", None))
        self.panels["sectors"].set_frame(getattr(result, "sectors", None))
        self.panels["defense"].set_frame(getattr(result, "defense", None))

    def select_view(self, name: str) -> None:
        if name not in self.panels:
            raise ValueError(f"unknown view {name!r}; expected one of: {', '.join(self.VIEWS)}")
        self.setCurrentWidget(self.panels[name])

    def current_panel(self) -> TablePanel:
        return self.currentWidget()

    def current_view_name(self) -> str:
        return next(name for name, panel in self.panels.items() if panel is self.currentWidget())
