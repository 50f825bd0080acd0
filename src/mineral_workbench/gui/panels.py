"""A fast table view for result frames, and a filterable panel around it.

A panel can make some columns editable (`editable={"nir_pct"}`): edits become requests
(`edit_requested` / `set_edit_handler`) and the recomputed frame arrives through `set_frame`.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Collection, Sequence

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QFontMetricsF, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QStyle, QTableView, QVBoxLayout, QWidget)

from .clipboard import copy_and_announce
from .edit_delegates import MarkedDelegate
from .editable_model import KEEP_BASELINE, EditableFrameModel
from .formatters import ColumnSpec
from .frame_model import FrameTableModel

_MAX_AUTO_WIDTH = 360
_WIDTH_SAMPLE_ROWS = 100  # column widths look at the visible rows plus this many
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def edit_on_enter(view, event) -> bool:
    """Enter on an editable cell opens its editor (F2 does too, via Qt's EditKeyPressed)."""
    index = view.currentIndex()
    if (event.key() in _ENTER_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            and view.state() != view.State.EditingState and index.isValid()
            and index.flags() & Qt.ItemFlag.ItemIsEditable):
        view.edit(index)
        event.accept()
        return True
    return False


@contextmanager
def keep_current_in_sight(view):
    """A recompute that re-sorts rows moves the current cell with its row (no signal): scroll
    to it, as the view does when the current cell changes, so an edited row stays in sight."""
    before = view.currentIndex()
    row = before.row() if before.isValid() else -1
    yield
    after = view.currentIndex()
    if row >= 0 and after.isValid() and after.row() != row:
        view.scrollTo(after)


def fix_row_heights(view: QTableView) -> None:
    """One row height from the font, never measured per row, and no row numbers."""
    rows = view.verticalHeader()
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
    rows.hide()


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
        fix_row_heights(self)
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
        """Size columns to header and contents, looking at a bounded sample of rows.

        The widths Qt's resizeColumnsToContents gives (text advance, the item margins, the
        grid line), measured from the model's display texts: Qt would ask the model for eight
        roles of every sampled cell, each a Python call (a third of the first show's cost)."""
        model, header = self.model(), self.horizontalHeader()
        count = min(model.rowCount(), _WIDTH_SAMPLE_ROWS + self._visible_row_count())
        metrics = QFontMetricsF(self.font())
        padding = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1)
        padding += 1 if self.showGrid() else 0
        for column in range(model.columnCount()):
            texts = set(model.display_texts(column, count))
            contents = math.ceil(max((metrics.horizontalAdvance(t) for t in texts), default=0)) + padding
            width = max(contents, header.sectionSizeHint(column), header.minimumSectionSize())
            header.resizeSection(column, min(width, _MAX_AUTO_WIDTH))
        header.setStretchLastSection(False)  # resizing to contents froze the last section;
        header.setStretchLastSection(True)   # let it fill the width again

    def _visible_row_count(self) -> int:
        return self.viewport().height() // max(1, self.verticalHeader().defaultSectionSize()) + 1

    def copy_selection(self) -> str | None:
        """Put the selected cells on the clipboard as TSV and return the text."""
        return copy_and_announce(self)

    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        if edit_on_enter(self, event):
            return
        super().keyPressEvent(event)


class TablePanel(QWidget):
    """One result table with a filter box and a 'shown / total' count above it.

    `editable`: frame column keys the analyst may edit (e.g. {"nir_pct"}); an edit emits
    `edit_requested(row_key, column_key, text)` and asks the handler (`set_edit_handler`).
    """

    edit_requested = Signal(str, str, str)

    def __init__(self, columns: Sequence[ColumnSpec], *, noun: str, filter_key: str | None = None,
                 widths: dict[str, int] | None = None, editable: Collection[str] = (),
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._noun = noun
        self._widths = dict(widths or {})  # column key -> width after the first fit
        if editable:
            self.model = EditableFrameModel(columns, editable=editable, filter_key=filter_key,
                                            parent=self)
            self.model.edit_requested.connect(self.edit_requested)
            self._marker = MarkedDelegate(self)
        else:
            self.model = FrameTableModel(columns, filter_key=filter_key, parent=self)
        self.table = ResultTable(self.model, self)
        self._marked_columns: list[int] = []
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

    @property
    def editable(self) -> bool:
        return isinstance(self.model, EditableFrameModel)

    def set_frame(self, frame, baseline=KEEP_BASELINE) -> None:
        """Show `frame`; columns are fitted the first time there are rows, then left as the
        analyst sized them (a recompute must not make the table jump). An editable panel
        compares with `baseline` (a frame shaped alike, or None) and keeps the current cell
        on the same row and column. A recompute updates the model in place (selection and
        current cell survive by themselves)."""
        current = self._current_cell()
        with keep_current_in_sight(self.table):
            if self.editable:
                self.model.set_frame(frame, baseline)
                self._mark_editable_columns()
            else:
                self.model.set_frame(frame)
        if current is not None and self._current_cell() != current:  # a reset forgot it
            self._restore_current(current)
        if not self._fitted and self.model.total_rows():
            self.table.fit_columns()
            for key, width in self._widths.items():
                if self.model.column_of(key) >= 0:
                    self.table.setColumnWidth(self.model.column_of(key), width)
            self._fitted = True

    def set_baseline(self, baseline) -> None:
        """The frame edited cells are compared with (the baseline result; None: no marks)."""
        if self.editable:
            self.model.set_baseline(baseline)

    def set_edit_handler(self, handler) -> None:
        """`handler(row_key, column_key, text) -> bool` decides each edit (False refuses it)."""
        if self.editable:
            self.model.set_edit_handler(handler)

    def _mark_editable_columns(self) -> None:
        """Only the editable columns get the (Python) delegate that draws the scenario marker."""
        wanted = sorted(c for c in map(self.model.column_of, self.model.editable_keys()) if c >= 0)
        if wanted == self._marked_columns:
            return
        for column in self._marked_columns:
            self.table.setItemDelegateForColumn(column, None)
        for column in wanted:
            self.table.setItemDelegateForColumn(column, self._marker)
        self._marked_columns = wanted

    def _current_cell(self) -> tuple[str, str] | None:
        index = self.table.currentIndex()
        if not self.editable or not index.isValid():
            return None
        return self.model.row_key(index.row()), self.model.column_specs()[index.column()].key

    def _restore_current(self, cell: tuple[str, str] | None) -> None:
        """After a recompute the cell just edited is current again (a reset forgets it)."""
        if cell is None:
            return
        row_key, column_key = cell
        column = self.model.column_of(column_key)
        row = next((r for r in range(self.model.rowCount()) if self.model.row_key(r) == row_key), -1)
        if row >= 0 and column >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row, column), QItemSelectionModel.SelectionFlag.NoUpdate)

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_rows()
        text = f"{total:,} {self._noun}" if shown == total else f"{shown:,} of {total:,} {self._noun}"
        self.count_label.setText(text)
