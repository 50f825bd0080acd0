"""Minerals × the 16 sectors: importance (high/medium/low) or weight × consumption at risk.

The model is `matrix_model.SectorMatrixModel`. The view lets Qt's C++ delegate paint every
cell and then paints, in one pass per paint event, only what differs from the standard look:
selected coloured cells keep their colour (with a frame in the highlight colour), and cells a
scenario set get the blue corner marker. A Python delegate `paint()` per cell, with its
`data()` round trips, cost more than the rest of the matrix's painting.

In importance mode the sector cells are editable (a level combo on F2, Enter or double-click;
or h/m/l/n typed on the cell): an edit emits `importance_edit_requested(mineral,
"sector:<name>", level)` and asks the handler; the matrix changes only when the recomputed
result arrives. Cells a scenario overrode are italic with a corner marker, and say so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QHBoxLayout, QHeaderView, QLabel,
                               QRadioButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from .clipboard import copy_and_announce
from .columns import SECTOR_COLUMNS
from .edit_delegates import LevelComboDelegate, paint_override_marker, set_level_by_key
from .matrix_data import LEVELS
from .matrix_model import (DARK_FROM, EXPOSURE, FIXED, IMPORTANCE, LEVEL_COLORS,  # noqa: F401
                           LEVEL_TEXT, RAMP, RAMP_FROM, SectorMatrixModel)
from .matrix_widgets import RotatedHeader, paint_kept_colour
from .panels import TablePanel, edit_on_enter, keep_current_in_sight


class SectorMatrixView(QTableView):
    copied = Signal(int)

    def __init__(self, model: SectorMatrixModel, parent=None):
        super().__init__(parent)
        self.setHorizontalHeader(RotatedHeader(FIXED, self))
        self.setModel(model)
        self.setItemDelegate(LevelComboDelegate(self))
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setAccessibleName("Mineral by sector importance matrix")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(False)
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        rows.hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(max(44, self.fontMetrics().horizontalAdvance("100%") + 14))
        header.setHighlightSections(False)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        model.modelReset.connect(self._fit_first_columns)

    def _fit_first_columns(self) -> None:
        if self.model().columnCount():
            self.setColumnWidth(0, max(110, self.sizeHintForColumn(0) + 12))
            self.setColumnWidth(1, self.fontMetrics().horizontalAdvance("100.0%") + 18)
            self.horizontalHeader().updateGeometry()

    def paintEvent(self, event) -> None:
        """Qt paints every cell; then, over the repainted area only, selected coloured cells
        get their colour back (framed in the highlight colour) and set cells their marker."""
        super().paintEvent(event)
        model = self.model()
        if not model.columnCount():
            return
        area = event.rect()
        top, bottom = self.rowAt(area.top()), self.rowAt(area.bottom())
        bottom = model.rowCount() - 1 if bottom < 0 else bottom
        left, right = self.columnAt(area.left()), self.columnAt(area.right())
        right = model.columnCount() - 1 if right < 0 else right
        if top < 0 or left < 0:
            return
        painter = QPainter(self.viewport())
        highlight = self.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
        for selected in self.selectionModel().selection():
            for row in range(max(top, selected.top()), min(bottom, selected.bottom()) + 1):
                for col in range(max(left, selected.left()), min(right, selected.right()) + 1):
                    background, foreground, font, text = model.cell_look(row, col)
                    if background is not None:
                        paint_kept_colour(painter, self.visualRect(model.index(row, col)), background,
                                          foreground, font, self.font(), highlight, text)
        for row, col in model.overridden_cells():
            if top <= row <= bottom and left <= col <= right:
                paint_override_marker(painter, self.visualRect(model.index(row, col)))
        painter.end()

    def copy_selection(self) -> str | None:
        return copy_and_announce(self)

    def keyPressEvent(self, event) -> None:
        """Enter opens the level editor; h/m/l/n set the level of the current cell at once."""
        if not (edit_on_enter(self, event) or set_level_by_key(self, event)):
            super().keyPressEvent(event)


def legend_html(mode: str) -> str:
    def chip(color: str, text: str, dark: bool) -> str:
        fg = "#ffffff" if dark else "#000000"
        return f"<span style='background:{color}; color:{fg}'>&nbsp;{text}&nbsp;</span>"

    if mode == IMPORTANCE:
        chips = [chip(LEVEL_COLORS[i], f"{LEVEL_TEXT[i]} {LEVELS[i]}", i >= DARK_FROM[IMPORTANCE])
                 for i in (3, 2, 1)]
        return ("Importance of the mineral to the sector: " + " ".join(chips)
                + " (weights 1 / 0.5 / 0.25; hover a cell for the rationale and its basis). "
                + "<i>Italic</i> with a blue corner: set by the scenario; F2 or h/m/l/n edits a cell.")
    bounds = [f"{100 * b:.0f}" for b in RAMP_FROM] + ["100"]
    chips = [chip(color, f"{bounds[i]}–{bounds[i + 1]}%", i >= DARK_FROM[EXPOSURE])
             for i, color in enumerate(RAMP)]
    return ("Importance weight × consumption at risk: " + " ".join(chips)
            + " (max over a column = weakest link)")


class SectorsPanel(QWidget):
    """The matrix (with its mode switch and legend) beside the per-sector exposure roll-up."""

    importance_edit_requested = Signal(str, str, str)  # mineral, "sector:<name>", level

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = SectorMatrixModel(self)
        self.view = SectorMatrixView(self.model, self)
        self.importance_button = QRadioButton("&Importance", self)
        self.exposure_button = QRadioButton("&Weight × consumption at risk", self)
        self.importance_button.setAccessibleName("Show importance levels")
        self.exposure_button.setAccessibleName("Show importance weight times consumption at risk")
        self.importance_button.setChecked(True)
        self.modes = QButtonGroup(self)
        self.modes.addButton(self.importance_button)
        self.modes.addButton(self.exposure_button)
        self.modes.buttonToggled.connect(self._mode_toggled)
        self.legend = QLabel(legend_html(IMPORTANCE), self)
        self.legend.setWordWrap(True)
        self.rollup = TablePanel(SECTOR_COLUMNS, noun="sectors", filter_key="sector",
                                 widths={"sector": 150}, parent=self)
        self.model.importance_edit_requested.connect(self.importance_edit_requested)
        self._split_done = False

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show:", self))
        bar.addWidget(self.importance_button)
        bar.addWidget(self.exposure_button)
        bar.addStretch(1)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(6, 6, 0, 6)
        column.addLayout(bar)
        column.addWidget(self.view, 1)
        column.addWidget(self.legend)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(self.rollup)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 3)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def set_edit_handler(self, handler) -> None:
        """`handler(mineral, "sector:<name>", level) -> bool` decides each importance edit."""
        self.model.set_edit_handler(handler)

    def _mode_toggled(self, button, checked: bool) -> None:
        if checked:
            self.set_mode(IMPORTANCE if button is self.importance_button else EXPOSURE)

    def set_mode(self, mode: str) -> None:
        (self.importance_button if mode == IMPORTANCE else self.exposure_button).setChecked(True)
        self.model.set_mode(mode)
        self.legend.setText(legend_html(mode))

    def show_analysis(self, analysis) -> None:
        with keep_current_in_sight(self.view):
            self.model.set_matrix(getattr(analysis, "matrix", None))
        self.rollup.set_frame(getattr(analysis.result, "sectors", None))
        if not self._split_done and self.model.columnCount():
            self._split_done = True
            self._split_for_matrix()

    def _split_for_matrix(self) -> None:
        """Give the matrix the width it needs (up to 75%), the roll-up the rest."""
        header = self.view.horizontalHeader()
        needed = header.length() + self.view.verticalScrollBar().sizeHint().width() + 16
        total = max(sum(self.splitter.sizes()), self.width(), 1)
        matrix = min(needed, int(total * 0.75))
        self.splitter.setSizes([matrix, max(total - matrix, 1)])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._split_done and self.model.columnCount() and event.oldSize().width() <= 0:
            self._split_for_matrix()

    def clear(self) -> None:
        self.model.set_matrix(None)
        self.rollup.set_frame(None)
