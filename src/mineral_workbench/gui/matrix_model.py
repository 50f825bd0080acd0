"""The sector matrix's Qt model: minerals × the 16 sectors, importance or weight × CaR.

A small model over the numpy arrays of `matrix_data.SectorMatrix`: brushes are built once
per mode, `data()` is an array look-up per role (roles are plain ints, and roles it does not
serve return at once: Qt asks for about nine per painted cell), sorting is a row permutation.
A recomputed matrix over the same minerals and sectors is applied in place: `dataChanged` for
the rows that changed (or `layoutChanged` when the sort order moved rows), so an edit repaints
one row rather than the whole matrix, and the selection and current cell stay where they are.
Colours come from ColorBrewer's YlOrBr/YlOrRd ramps (ordered by lightness, colour-blind safe),
and every coloured cell names its level in text too, so colour is never the only cue.

In importance mode the sector cells are editable: an edit emits `importance_edit_requested(
mineral, "sector:<name>", level)` and asks the handler; the matrix changes only when the
recomputed result arrives. Cells a scenario overrode are italic with a corner marker.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from .edit_delegates import OVERRIDDEN_ROLE, level_name
from .formatters import ColumnSpec, Kind
from . import row_moves
from .frame_columns import values_differ
from .matrix_data import BASIS_TEXT, LEVELS, SectorMatrix, sector_short_name

IMPORTANCE, EXPOSURE = "importance", "exposure"
LEVEL_COLORS = ("", "#fee391", "#fe9929", "#cc4c02")          # low, medium, high (YlOrBr)
LEVEL_TEXT = ("", "L", "M", "H")                              # cell text: never colour alone
RAMP = ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026",
        "#800026")                                            # YlOrRd
RAMP_FROM = (0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8)    # lower bound of each colour
DARK_FROM = {IMPORTANCE: 3, EXPOSURE: 5}                      # white text from this colour on
FIXED = 2  # leading columns: mineral, CaR
OVERRIDE_BASIS = "scenario_override"

_R = Qt.ItemDataRole
_DISPLAY, _BACKGROUND, _FOREGROUND, _TOOLTIP, _ALIGN, _EDIT, _FONT = (int(r.value) for r in (
    _R.DisplayRole, _R.BackgroundRole, _R.ForegroundRole, _R.ToolTipRole, _R.TextAlignmentRole,
    _R.EditRole, _R.FontRole))
_SERVED = frozenset((_DISPLAY, _BACKGROUND, _FOREGROUND, _TOOLTIP, _ALIGN, _EDIT, _FONT,
                     OVERRIDDEN_ROLE))
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_EDITABLE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsEditable
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
        """Show `matrix`; one over the same minerals and sectors updates the shown one in place."""
        old = self.matrix
        if (old is not None and matrix is not None and old.minerals == matrix.minerals
                and old.sector_ids == matrix.sector_ids and old.sector_names == matrix.sector_names):
            self._update_in_place(matrix)
            return
        self.beginResetModel()
        self._install(matrix)
        self._rows = self._order()
        self.endResetModel()

    def _install(self, matrix: SectorMatrix | None) -> None:
        self.matrix = matrix
        if matrix is not None:
            exposure = np.nan_to_num(matrix.exposure, nan=-1.0)
            shade = np.searchsorted(np.asarray(RAMP_FROM), exposure, side="right") - 1
            self._bins = np.where(exposure < 0, -1, np.clip(shade, 0, len(RAMP) - 1))
            self._overridden = np.asarray(matrix.basis == OVERRIDE_BASIS, dtype=bool)

    def _update_in_place(self, matrix: SectorMatrix) -> None:
        old = self.matrix
        cells = (values_differ(old.level, matrix.level) | values_differ(old.weight, matrix.weight)
                 | values_differ(old.exposure, matrix.exposure) | values_differ(old.basis, matrix.basis)
                 | values_differ(old.rationale, matrix.rationale))
        car = values_differ(old.car, matrix.car)                  # CaR text, and every tooltip
        rows = self._order(matrix)
        moved = not np.array_equal(rows, self._rows)
        if moved:
            self.layoutAboutToBeChanged.emit()
            captured = row_moves.capture(self, self._rows)
        self._install(matrix)
        if moved:
            self._rows = rows
            row_moves.restore(self, captured, rows, len(rows))
            self.layoutChanged.emit()
        self._announce(cells, car)

    def _announce(self, cells: np.ndarray, car: np.ndarray) -> None:
        """`dataChanged` per changed row, over its changed columns (a tooltip names the CaR)."""
        if not len(self._rows):
            return
        changed = np.flatnonzero(cells.any(axis=1) | car)
        view_of = np.empty(len(self._rows), dtype=np.intp)
        view_of[self._rows] = np.arange(len(self._rows), dtype=np.intp)
        last = self.columnCount() - 1
        for row in changed.tolist():
            columns = np.flatnonzero(cells[row]) + FIXED
            first = 0 if car[row] else int(columns[0])
            end = last if car[row] else int(columns[-1])
            view = int(view_of[row])
            self.dataChanged.emit(self.index(view, first), self.index(view, end))

    def set_mode(self, mode: str) -> None:
        if mode != self.mode:
            self.mode = mode
            self.sort(*self._sort)  # a sector column sorts by what the mode shows; repaints all

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() or self.matrix is None else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self.matrix is None else FIXED + len(self.matrix.sector_ids)

    def data(self, index, role=_DISPLAY):
        if role not in _SERVED:
            return None
        col = index.column()
        if role == _DISPLAY:
            return self.display_text(index.row(), col)
        if role == _ALIGN:
            return _LEFT if col == 0 else _CENTER
        row = int(self._rows[index.row()])
        if col < FIXED:
            return self._tooltip(row, -1) if role == _TOOLTIP else None
        j = col - FIXED
        if role == _BACKGROUND:
            return self._background(row, j)
        if role == _FOREGROUND:
            return self._foreground(row, j)
        if role == _FONT:
            return self._italic if self._overridden[row, j] else None
        if role == OVERRIDDEN_ROLE:
            return bool(self._overridden[row, j])
        if role == _EDIT:
            return LEVELS[self.matrix.level[row, j]] or "none"
        return self._tooltip(row, j)

    def _background(self, row: int, j: int) -> QBrush | None:
        if self.mode == IMPORTANCE:
            level = self.matrix.level[row, j]
            return self._brushes[level - 1] if level else None
        shade = self._bins[row, j]
        return self._ramp[shade] if shade >= 0 else None

    def _foreground(self, row: int, j: int) -> QBrush | None:
        shade = self.matrix.level[row, j] if self.mode == IMPORTANCE else self._bins[row, j]
        if self.mode == IMPORTANCE and not shade or self.mode == EXPOSURE and shade < 0:
            return None
        return self._white if shade >= DARK_FROM[self.mode] else self._black

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation != Qt.Orientation.Horizontal or self.matrix is None:
            return None
        if section < FIXED:
            if role == _DISPLAY:
                return ("Mineral", "CaR")[section]
            if role == _TOOLTIP:
                return ("Mineral (analysis unit)",
                        "Consumption at risk: CaR = NIR/100 × group share, for the chosen group "
                        "and NIR year")[section]
            return None
        j = section - FIXED
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

    # --- for the view's own painting (no data() round trips) --------------------------------

    def cell_look(self, view_row: int, col: int):
        """(background, foreground, italic font or None, text) of a shown cell."""
        row, j = int(self._rows[view_row]), col - FIXED
        if j < 0:
            return None, None, None, self.display_text(view_row, col)
        return (self._background(row, j), self._foreground(row, j),
                self._italic if self._overridden[row, j] else None, self.display_text(view_row, col))

    def overridden_cells(self) -> list[tuple[int, int]]:
        """(view row, column) of every cell the shown scenario set."""
        if self.matrix is None or not self._overridden.any():
            return []
        view_of = np.empty(len(self._rows), dtype=np.intp)
        view_of[self._rows] = np.arange(len(self._rows), dtype=np.intp)
        rows, js = np.nonzero(self._overridden)
        return [(int(view_of[r]), int(j) + FIXED) for r, j in zip(rows, js)]

    # --- editing ----------------------------------------------------------------------------

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _EDITABLE_FLAGS if self.mode == IMPORTANCE and index.column() >= FIXED else _FLAGS

    def setData(self, index, value, role=_EDIT) -> bool:
        """Ask for `value` (a level) in an importance cell; the matrix itself stays as it is."""
        if role != _EDIT or not index.isValid() or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        level = level_name(value)
        row, j = int(self._rows[index.row()]), index.column() - FIXED
        if level is None or level == (LEVELS[self.matrix.level[row, j]] or "none"):
            return False
        mineral, target = self.matrix.minerals[row], f"sector:{self.matrix.sector_names[j]}"
        self.importance_edit_requested.emit(mineral, target, level)
        return True if self._handler is None else bool(self._handler(mineral, target, level))

    def set_edit_handler(self, handler) -> None:
        """`handler(mineral, "sector:<name>", level) -> bool`: False refuses the edit."""
        self._handler = handler

    def is_overridden(self, view_row: int, col: int) -> bool:
        return col >= FIXED and bool(self._overridden[int(self._rows[view_row]), col - FIXED])

    # --- text for views, copies and tests ---------------------------------------------------

    def display_text(self, view_row: int, col: int) -> str:
        m, row = self.matrix, int(self._rows[view_row])
        if col == 0:
            return m.minerals[row]
        if col == 1:
            return _pct(m.car[row])
        j = col - FIXED
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
        captured = row_moves.capture(self, self._rows)
        self._sort = (column, order)
        self._rows = self._order()
        row_moves.restore(self, captured, self._rows, len(self._rows))
        self.layoutChanged.emit()

    def _order(self, matrix: SectorMatrix | None = None) -> np.ndarray:
        m = self.matrix if matrix is None else matrix
        if m is None:
            return np.empty(0, dtype=np.intp)
        column, order = self._sort
        n = len(m.minerals)
        if column < 0 or column >= FIXED + len(m.sector_ids):
            return np.arange(n, dtype=np.intp)
        if column == 0:
            keys = np.array([s.lower() for s in m.minerals], dtype=object)
            rows = np.array(sorted(range(n), key=lambda i: keys[i]), dtype=np.intp)
            return rows[::-1] if order == Qt.SortOrder.DescendingOrder else rows
        if column == 1:
            values = m.car.astype(float)
        elif self.mode == IMPORTANCE:
            values = np.where(m.level[:, column - FIXED] > 0, m.level[:, column - FIXED], np.nan)
        else:
            values = m.exposure[:, column - FIXED].astype(float)
        keys = -values if order == Qt.SortOrder.DescendingOrder else values
        return np.argsort(keys, kind="stable").astype(np.intp)  # NaN last both ways
