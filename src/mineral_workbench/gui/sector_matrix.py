"""Minerals × the 16 sectors: importance (high/medium/low) or weight × consumption at risk.

A small model over the numpy arrays of `matrix_data.SectorMatrix`: brushes are built once
per mode, `data()` is an array look-up per role, sorting is a row permutation. Colours come
from ColorBrewer's YlOrBr/YlOrRd ramps (ordered by lightness, colour-blind safe), and every
coloured cell names its level in text too, so colour is never the only cue.

In importance mode the sector cells are editable (a level combo on F2, Enter or double-click;
or h/m/l/n typed on the cell): an edit emits `importance_edit_requested(mineral,
"sector:<name>", level)` and asks the handler; the matrix changes only when the recomputed
result arrives. Cells a scenario overrode are italic with a corner marker, and say so.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QHBoxLayout, QHeaderView, QLabel,
                               QRadioButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from .clipboard import copy_view_selection
from .columns import SECTOR_COLUMNS
from .edit_delegates import OVERRIDDEN_ROLE, LevelComboDelegate, level_name, set_level_by_key
from .formatters import ColumnSpec, Kind
from .matrix_data import BASIS_TEXT, LEVELS, SectorMatrix, sector_short_name
from .matrix_widgets import RotatedHeader
from .panels import TablePanel, edit_on_enter

IMPORTANCE, EXPOSURE = "importance", "exposure"
LEVEL_COLORS = ("", "#fee391", "#fe9929", "#cc4c02")          # low, medium, high (YlOrBr)
LEVEL_TEXT = ("", "L", "M", "H")                              # cell text: never colour alone
RAMP = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
        "#800026")                                            # YlOrRd
RAMP_FROM = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)    # lower bound of each colour
_DARK_FROM = {IMPORTANCE: 3, EXPOSURE: 5}                     # white text from this colour on
_FIXED = 2  # leading columns: mineral, CaR

_R = Qt.ItemDataRole
_DISPLAY, _BACKGROUND, _FOREGROUND, _TOOLTIP, _ALIGN, _EDIT, _FONT = (
    _R.DisplayRole, _R.BackgroundRole, _R.ForegroundRole, _R.ToolTipRole, _R.TextAlignmentRole,
    _R.EditRole, _R.FontRole)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_EDITABLE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsEditable
OVERRIDE_BASIS = "scenario_override"
_CENTER = int((Qt.AlignmentFlag.AlignCenter).value)
_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{value * 100:.1f}%"


class SectorMatrixModel(QAbstractTableModel):
    importance_edit_requested = Signal(str, str, str)  # mineral, "sector:<name>", level

    def __init__(self, parent=None):
        super().__init__(parent)
        self.matrix: SectorMatrix | None = None
        self._overridden = np.zeros((0, 0), dtype=bool)
        self._handler = None
        self._italic = QFont()
        self._italic.setItalic(True)
        self.mode = IMPORTANCE
        self._rows = np.empty(0, dtype=np.intp)
        self._sort = (-1, Qt.SortOrder.AscendingOrder)
        self._bins = np.empty((0, 0), dtype=np.int8)
        self._brushes = [QBrush(QColor(c)) for c in LEVEL_COLORS[1:]]
        self._ramp = [QBrush(QColor(c)) for c in RAMP]
        self._black, self._white = QBrush(QColor("#000000")), QBrush(QColor("#ffffff"))

    # --- content ----------------------------------------------------------------------------

    def set_matrix(self, matrix: SectorMatrix | None) -> None:
        self.beginResetModel()
        self.matrix = matrix
        if matrix is not None:
            exposure = np.nan_to_num(matrix.exposure, nan=-1.0)
            shade = np.searchsorted(np.asarray(RAMP_FROM), exposure, side="right") - 1
            self._bins = np.where(exposure < 0, -1, np.clip(shade, 0, len(RAMP) - 1))
            self._overridden = np.asarray(matrix.basis == OVERRIDE_BASIS, dtype=bool)
        self._rows = self._order()
        self.endResetModel()

    def set_mode(self, mode: str) -> None:
        if mode != self.mode:
            self.mode = mode
            self.sort(*self._sort)  # a sector column sorts by what the mode shows; repaints all

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() or self.matrix is None else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.matrix is None else _FIXED + len(self.matrix.sector_ids)

    def data(self, index, role=_DISPLAY):
        m, row, col = self.matrix, int(self._rows[index.row()]), index.column()
        if role == _DISPLAY:
            return self.display_text(index.row(), col)
        if role == _ALIGN:
            return _LEFT if col == 0 else _CENTER
        if col < _FIXED:
            return self._tooltip(row, -1) if role == _TOOLTIP else None
        j = col - _FIXED
        if role == OVERRIDDEN_ROLE:
            return bool(self._overridden[row, j])
        if role == _FONT:
            return self._italic if self._overridden[row, j] else None
        if role == _EDIT:
            return LEVELS[m.level[row, j]] or "none"
        if role == _BACKGROUND:
            if self.mode == IMPORTANCE:
                level = m.level[row, j]
                return self._brushes[level - 1] if level else None
            shade = self._bins[row, j]
            return self._ramp[shade] if shade >= 0 else None
        if role == _FOREGROUND:
            shade = m.level[row, j] if self.mode == IMPORTANCE else self._bins[row, j]
            if self.mode == IMPORTANCE and not shade or self.mode == EXPOSURE and shade < 0:
                return None
            return self._white if shade >= _DARK_FROM[self.mode] else self._black
        if role == _TOOLTIP:
            return self._tooltip(row, j)
        return None

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation != Qt.Orientation.Horizontal or self.matrix is None:
            return None
        if section < _FIXED:
            if role == _DISPLAY:
                return ("Mineral", "CaR")[section]
            if role == _TOOLTIP:
                return ("Mineral (analysis unit)",
                        "Consumption at risk: CaR = NIR/100 × group share, for the chosen group "
                        "and NIR year")[section]
            return None
        j = section - _FIXED
        if role == _DISPLAY:
            return sector_short_name(self.matrix.sector_names[j], width=17, max_lines=2)
        if role == _TOOLTIP:
            return f"{self.matrix.sector_ids[j]} · {self.matrix.sector_names[j]}"
        return None

    def _tooltip(self, row: int, j: int) -> str:
        m = self.matrix
        mineral = m.minerals[row]
        if j < 0:
            return f"{mineral}: consumption at risk {_pct(m.car[row])}"
        sector = f"{m.sector_ids[j]} {m.sector_names[j]}"
        level = m.level[row, j]
        if not level and m.basis[row, j] == OVERRIDE_BASIS:
            return f"{mineral} × {sector}: no importance (scenario override)\n{m.rationale[row, j]}"
        if not level:
            return f"{mineral} × {sector}: no stated importance"
        lines = [f"{mineral} × {sector}: {LEVELS[level]} importance "
                 f"({BASIS_TEXT.get(m.basis[row, j], m.basis[row, j])})"]
        if m.rationale[row, j]:
            lines.append(m.rationale[row, j])
        lines.append(f"weight {m.weight[row, j]:g} × CaR {_pct(m.car[row])} = {_pct(m.exposure[row, j])}")
        return "\n".join(lines)

    # --- editing ----------------------------------------------------------------------------

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _EDITABLE_FLAGS if self.mode == IMPORTANCE and index.column() >= _FIXED else _FLAGS

    def setData(self, index, value, role=_EDIT) -> bool:
        """Ask for `value` (a level) in an importance cell; the matrix itself stays as it is."""
        if role != _EDIT or not index.isValid() or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        level = level_name(value)
        row, j = int(self._rows[index.row()]), index.column() - _FIXED
        if level is None or level == (LEVELS[self.matrix.level[row, j]] or "none"):
            return False
        mineral, target = self.matrix.minerals[row], f"sector:{self.matrix.sector_names[j]}"
        self.importance_edit_requested.emit(mineral, target, level)
        return True if self._handler is None else bool(self._handler(mineral, target, level))

    def set_edit_handler(self, handler) -> None:
        """`handler(mineral, "sector:<name>", level) -> bool`: False refuses the edit."""
        self._handler = handler

    def is_overridden(self, view_row: int, col: int) -> bool:
        return col >= _FIXED and bool(self._overridden[int(self._rows[view_row]), col - _FIXED])

    # --- text for views, copies and tests ---------------------------------------------------

    def display_text(self, view_row: int, col: int) -> str:
        m, row = self.matrix, int(self._rows[view_row])
        if col == 0:
            return m.minerals[row]
        if col == 1:
            return _pct(m.car[row])
        j = col - _FIXED
        if self.mode == IMPORTANCE:
            return LEVEL_TEXT[m.level[row, j]]
        value = m.exposure[row, j]
        if not m.level[row, j]:
            return ""
        return "n/a" if value != value else f"{value * 100:.0f}%"

    def column_specs(self) -> list[ColumnSpec]:
        if self.matrix is None:
            return []
        kind = Kind.TEXT if self.mode == IMPORTANCE else Kind.PERCENT
        return ([ColumnSpec("mineral", "Mineral"), ColumnSpec("car", "CaR", Kind.PERCENT)]
                + [ColumnSpec(s, s, kind) for s in self.matrix.sector_ids])

    def minerals_at(self, view_rows) -> list[str]:
        return [self.matrix.minerals[int(self._rows[r])] for r in view_rows
                if self.matrix is not None and 0 <= r < len(self._rows)]

    def rows_of(self, minerals) -> list[int]:
        if self.matrix is None:
            return []
        wanted = {self.matrix.row_of(m) for m in minerals} - {-1}
        return [i for i, row in enumerate(self._rows) if int(row) in wanted]

    # --- sorting ----------------------------------------------------------------------------

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        old = [int(self._rows[p.row()]) for p in persistent]
        self._sort = (column, order)
        self._rows = self._order()
        where = {int(r): i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(persistent, [self.index(where[o], p.column())
                                                    for p, o in zip(persistent, old)])
        self.layoutChanged.emit()

    def _order(self) -> np.ndarray:
        m = self.matrix
        if m is None:
            return np.empty(0, dtype=np.intp)
        column, order = self._sort
        n = len(m.minerals)
        if column < 0 or column >= _FIXED + len(m.sector_ids):
            return np.arange(n, dtype=np.intp)
        if column == 0:
            keys = np.array([s.lower() for s in m.minerals], dtype=object)
            rows = np.array(sorted(range(n), key=lambda i: keys[i]), dtype=np.intp)
            return rows[::-1] if order == Qt.SortOrder.DescendingOrder else rows
        if column == 1:
            values = m.car.astype(float)
        elif self.mode == IMPORTANCE:
            values = np.where(m.level[:, column - _FIXED] > 0, m.level[:, column - _FIXED], np.nan)
        else:
            values = m.exposure[:, column - _FIXED].astype(float)
        keys = -values if order == Qt.SortOrder.DescendingOrder else values
        return np.argsort(keys, kind="stable").astype(np.intp)  # NaN last both ways


class SectorMatrixView(QTableView):
    copied = Signal(int)

    def __init__(self, model: SectorMatrixModel, parent=None):
        super().__init__(parent)
        self.setHorizontalHeader(RotatedHeader(_FIXED, self))
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

    def copy_selection(self) -> str | None:
        text, lines = copy_view_selection(self)
        if lines:
            self.copied.emit(lines)
        return text

    def keyPressEvent(self, event) -> None:
        """Enter opens the level editor; h/m/l/n set the level of the current cell at once."""
        if not (edit_on_enter(self, event) or set_level_by_key(self, event)):
            super().keyPressEvent(event)


def legend_html(mode: str) -> str:
    def chip(color: str, text: str, dark: bool) -> str:
        fg = "#ffffff" if dark else "#000000"
        return f"<span style='background:{color}; color:{fg}'>&nbsp;{text}&nbsp;</span>"

    if mode == IMPORTANCE:
        chips = [chip(LEVEL_COLORS[i], f"{LEVEL_TEXT[i]} {LEVELS[i]}", i >= _DARK_FROM[IMPORTANCE])
                 for i in (3, 2, 1)]
        return ("Importance of the mineral to the sector: " + " ".join(chips)
                + " (weights 1 / 0.5 / 0.25; hover a cell for the rationale and its basis). "
                + "<i>Italic</i> with a blue corner: set by the scenario; F2 or h/m/l/n edits a cell.")
    bounds = [f"{100 * b:.0f}" for b in RAMP_FROM] + ["100"]
    chips = [chip(color, f"{bounds[i]}–{bounds[i + 1]}%", i >= _DARK_FROM[EXPOSURE])
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
