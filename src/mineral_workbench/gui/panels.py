"""A fast table view for result frames, and a filterable panel around it."""

from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QTableView, QVBoxLayout, QWidget)

from .clipboard import copy_view_selection
from .formatters import ColumnSpec
from .frame_model import FrameTableModel

_MAX_AUTO_WIDTH = 360
_WIDTH_SAMPLE_ROWS = 100  # column widths look at the visible rows plus this many


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
        text, lines = copy_view_selection(self)
        if lines:
            self.copied.emit(lines)
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
                 widths: dict[str, int] | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._noun = noun
        self._widths = dict(widths or {})  # column key -> width after the first fit
        self.model = FrameTableModel(columns, filter_key=filter_key, parent=self)
        self.table = ResultTable(self.model, self)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(f"Filter {noun} by name…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(f"Filter {noun}")
        self.table.setAccessibleName(f"{noun.capitalize()} table")
        self._fitted = False
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
        """Show `frame`; columns are fitted the first time there are rows, then left as the
        analyst sized them (a recompute must not make the table jump)."""
        self.model.set_frame(frame)
        if not self._fitted and self.model.total_rows():
            self.table.fit_columns()
            for key, width in self._widths.items():
                if self.model.column_of(key) >= 0:
                    self.table.setColumnWidth(self.model.column_of(key), width)
            self._fitted = True

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_rows()
        text = f"{total:,} {self._noun}" if shown == total else f"{shown:,} of {total:,} {self._noun}"
        self.count_label.setText(text)
