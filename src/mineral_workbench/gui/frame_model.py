"""A Qt table model over a pandas DataFrame that stays fast at a million rows.

How it stays fast (DESIGN §8, STYLE pattern 2):
- columns are stored once as numpy arrays (`frame_columns.FrameColumn`), with display and
  tooltip formatters bound per column, so `data()` is one array lookup plus one call;
- `data()` answers only display, alignment, tooltip and raw-value roles and returns at once
  for every other role;
- sorting and filtering never touch the frame: they compute `_rows` (view row -> source row)
  and announce it with layoutChanged (sort) or a model reset (filter);
- a recomputed frame with the same columns and rows (a what-if edit, new options) is swapped
  in place: columns are compared vectorized and only changed cells are announced
  (`dataChanged`), so views repaint a few cells instead of re-querying everything;
- nothing is stored per cell.

Editable columns live in a subclass (`editable_model.EditableFrameModel`), so read-only
tables keep Qt's C++ `flags()`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from .formatters import ColumnSpec, default_spec
from . import row_moves
from .frame_columns import FrameColumn, make_column

_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_RAW = int(Qt.ItemDataRole.UserRole.value) + 1

# Plain ints: handing Qt a Python enum flag costs an enum lookup per cell per repaint.
_RIGHT = (Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value
_LEFT = (Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value


def specs_for(frame: pd.DataFrame, wanted: Sequence[ColumnSpec]) -> list[ColumnSpec]:
    """The wanted specs whose column (or named index level) the frame has, or a guessed spec
    for every column, the named index levels first."""
    named = [n for n in frame.index.names if n is not None]
    if wanted:
        present = {*frame.columns, *named}
        return [s for s in wanted if s.key in present]
    if named:
        frame = frame.reset_index()
    types = pd.api.types
    return [default_spec(str(name), numeric=types.is_numeric_dtype(dtype) and not types.is_bool_dtype(dtype),
                         integral=types.is_integer_dtype(dtype))
            for name, dtype in frame.dtypes.items()]


class FrameTableModel(QAbstractTableModel):
    """Shows the columns named by `columns` (in that order) of whatever frame it is given.

    Without `columns`, every frame column is shown with a spec guessed from its dtype.
    A named index (e.g. 'mineral') becomes an ordinary first column. The filter matches
    the `filter_key` column (default: the first text column).
    """

    RawValueRole = _RAW  # the unformatted value (float or str/None), for copies and tests

    def __init__(self, columns: Sequence[ColumnSpec] = (), *, filter_key: str | None = None,
                 parent=None):
        super().__init__(parent)
        self._wanted = tuple(columns)
        self._filter_key = filter_key
        self._columns: list[FrameColumn] = []
        self._column_count = 0
        self._display: list = []     # per column: source row -> display text (hot path)
        self._align: list = []
        self._n = 0
        self._shown = 0                          # len(_rows), asked for on every cell
        self._rows = np.empty(0, dtype=np.intp)  # view row -> source row
        self._sorted: np.ndarray | None = None   # all source rows in sort order (None: as given)
        self._mask: np.ndarray | None = None     # per source row: passes the filter (None: all)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter_text = ""
        self._keys = None                        # what identifies the rows (see _row_keys)

    # --- loading ----------------------------------------------------------------------------

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        """Show `frame` (or nothing). Sort and filter settings carry over to the new frame.

        A recompute (same columns, the same rows by key) is applied in place: `dataChanged`
        for the changed cells only, or `layoutChanged` when the sort order moved rows, so views
        repaint only what changed and keep their selection, current cell and scroll position.
        Anything else resets the model."""
        columns = []
        if frame is not None:
            columns = [make_column(_values(frame, spec.key), spec) for spec in specs_for(frame, self._wanted)]
        keys = _row_keys(frame, columns, self._filter_key)
        if self._same_rows(columns, keys) and self._update_in_place(columns, frame):
            return
        sort_key = self._columns[self._sort_column].spec.key if self._sort_column >= 0 else None
        self.beginResetModel()
        self._install(columns)
        self._sort_column = self.column_of(sort_key) if sort_key is not None else -1
        self._sorted = self._sort_permutation()
        self._mask = self._filter_mask()
        self._set_rows(self._visible_rows())
        self._keys = keys
        self._frame_loaded(frame, False)
        self.endResetModel()

    def _install(self, columns: list[FrameColumn]) -> None:
        self._columns = columns
        self._column_count = len(columns)
        self._display = [c.display for c in columns]
        self._align = [_RIGHT if c.spec.numeric else _LEFT for c in columns]
        self._n = len(columns[0]) if columns else 0

    def _frame_loaded(self, frame: pd.DataFrame | None, in_place: bool) -> None:
        """Hook for subclasses, once the new columns are in (inside the reset, or before
        `dataChanged` of an in-place update)."""

    def _changed_by_subclass(self) -> dict[int, np.ndarray]:
        """Per view column, source rows whose subclass-served data changed in the last
        in-place update (a bool mask); the base model serves nothing else."""
        return {}

    def _same_rows(self, columns: list[FrameColumn], keys) -> bool:
        old = self._columns
        return (bool(old) and len(columns) == len(old) and len(columns[0]) == self._n
                and all(a.spec == b.spec for a, b in zip(old, columns)) and _same_keys(self._keys, keys))

    def _update_in_place(self, columns: list[FrameColumn], frame: pd.DataFrame) -> bool:
        """Swap in `columns` (same specs, same rows) and announce only what changed; False
        (nothing done) when the filter now shows other rows, which needs a reset."""
        changed = {i: m for i, (a, b) in enumerate(zip(self._columns, columns))
                   if (m := a.changed_rows(b)) is not None}
        sorted_, mask = self._sorted, self._mask
        if self._sort_column in changed:
            sorted_ = self._sort_permutation(columns)
        if self.filter_column() in changed:
            mask = self._filter_mask(columns)
        rows = self._visible_rows(sorted_, mask)
        if mask is not self._mask and not np.array_equal(np.sort(rows), np.sort(self._rows)):
            return False  # other rows pass the filter now
        moved = not np.array_equal(rows, self._rows)
        if moved:
            self.layoutAboutToBeChanged.emit()
            captured = row_moves.capture(self, self._rows)
        self._install(columns)
        self._sorted, self._mask = sorted_, mask
        self._frame_loaded(frame, True)
        for column, rows_changed in self._changed_by_subclass().items():
            changed[column] = rows_changed | changed[column] if column in changed else rows_changed
        if moved:
            self._set_rows(rows)
            row_moves.restore(self, captured, self._rows, self._n)
            self.layoutChanged.emit()
        self._announce(changed)
        return True

    def _announce(self, changed: dict[int, np.ndarray]) -> None:
        """One `dataChanged` per run of adjacent columns whose changed view rows span the
        same range (views repaint just that rectangle)."""
        if not changed or not self._shown:
            return
        view_of_source = np.full(self._n, -1, dtype=np.intp)
        view_of_source[self._rows] = np.arange(self._shown, dtype=np.intp)
        blocks: list[list[int]] = []   # [first column, last column, top row, bottom row]
        for column in sorted(changed):
            rows = view_of_source[changed[column]]
            rows = rows[rows >= 0]
            if not len(rows):
                continue
            top, bottom = int(rows.min()), int(rows.max())
            if blocks and blocks[-1][1] == column - 1 and blocks[-1][2:] == [top, bottom]:
                blocks[-1][1] = column
            else:
                blocks.append([column, column, top, bottom])
        for first, last, top, bottom in blocks:
            self.dataChanged.emit(self.index(top, first), self.index(bottom, last))

    # --- Qt model interface -----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._column_count

    def data(self, index, role: int = _DISPLAY):
        if role == _DISPLAY:
            return self._display[index.column()](self._rows[index.row()])
        if role == _ALIGN:
            return self._align[index.column()]
        if role == _TOOLTIP:
            column = self._columns[index.column()]
            return f"{column.spec.title}: {column.exact(self._rows[index.row()])}"
        if role == _RAW:
            return self.raw_value(index.row(), index.column())
        return None

    def headerData(self, section: int, orientation, role: int = _DISPLAY):
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == _DISPLAY and 0 <= section < len(self._rows) else None
        if not 0 <= section < len(self._columns):
            return None
        if role == _DISPLAY:
            return self._columns[section].spec.title
        if role == _TOOLTIP:
            return self._columns[section].spec.description or None
        if role == _ALIGN:
            return self._align[section]
        return None

    # flags() is not overridden: QAbstractTableModel's C++ default (enabled, selectable, no
    # children) is what we want, and a Python override would cost a call per cell per repaint.

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the view (missing values last in both directions); column -1 = as given."""
        self.layoutAboutToBeChanged.emit()
        captured = row_moves.capture(self, self._rows)
        self._sort_column = column if 0 <= column < len(self._columns) else -1
        self._sort_order = order
        self._sorted = self._sort_permutation()
        self._set_rows(self._visible_rows())
        row_moves.restore(self, captured, self._rows, self._n)
        self.layoutChanged.emit()

    def sort_state(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    # --- filtering --------------------------------------------------------------------------

    def set_filter_text(self, text: str) -> None:
        """Keep rows whose filter column contains `text` (ignoring case); '' keeps all."""
        text = text.strip()
        if text == self._filter_text:
            return
        self.beginResetModel()
        self._filter_text = text
        self._mask = self._filter_mask()
        self._set_rows(self._visible_rows())
        self.endResetModel()

    def filter_text(self) -> str:
        return self._filter_text

    def filter_column(self) -> int:
        """The column the filter text matches, or -1 when there is no text column."""
        for i, column in enumerate(self._columns):
            if column.spec.key == self._filter_key:
                return i
        return next((i for i, c in enumerate(self._columns) if not c.spec.numeric), -1)

    def _filter_mask(self, columns: list[FrameColumn] | None = None) -> np.ndarray | None:
        column = self.filter_column()
        if not self._filter_text or column < 0:
            return None
        return (columns or self._columns)[column].contains(self._filter_text)

    # --- row order --------------------------------------------------------------------------

    def _sort_permutation(self, columns: list[FrameColumn] | None = None) -> np.ndarray | None:
        if self._sort_column < 0 or self._n == 0:
            return None
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        column = (columns or self._columns)[self._sort_column]
        return column.sort_permutation(descending).astype(np.intp, copy=False)

    def _set_rows(self, rows: np.ndarray) -> None:
        self._rows = rows
        self._shown = len(rows)

    def _visible_rows(self, sorted_=False, mask=False) -> np.ndarray:
        """View rows from a sort permutation and filter mask (default: the model's own)."""
        sorted_ = self._sorted if sorted_ is False else sorted_
        mask = self._mask if mask is False else mask
        if sorted_ is None:
            if mask is None:
                return np.arange(self._n, dtype=np.intp)
            return np.flatnonzero(mask)
        if mask is None:
            return sorted_
        return sorted_[mask[sorted_]]

    # --- queries for views, copy and tests --------------------------------------------------

    def column_specs(self) -> list[ColumnSpec]:
        return [c.spec for c in self._columns]

    def column_of(self, key: str) -> int:
        """View column showing frame column `key`, or -1."""
        return next((i for i, c in enumerate(self._columns) if c.spec.key == key), -1)

    def source_row(self, row: int) -> int:
        """Frame row number behind view row `row`."""
        return int(self._rows[row])

    def source_rows(self) -> np.ndarray:
        """Frame row numbers in view order (read-only)."""
        rows = self._rows.view()
        rows.flags.writeable = False
        return rows

    def total_rows(self) -> int:
        """Rows in the frame, before filtering."""
        return self._n

    def view_rows_where(self, key: str, values) -> list[int]:
        """View rows whose text column `key` equals one of `values` (in view order)."""
        column = self.column_of(key)
        values = [str(v) for v in values]
        if column < 0 or not values or self._columns[column].text is None:
            return []
        hits = self._columns[column].equals_any(values)
        return np.flatnonzero(hits[self._rows]).tolist()

    def keys_at(self, key: str, rows) -> list[str]:
        """Text of column `key` at view rows `rows` (missing cells skipped)."""
        column = self.column_of(key)
        if column < 0:
            return []
        values = (self.raw_value(r, column) for r in rows if 0 <= r < self._shown)
        return [v for v in values if isinstance(v, str) and v]

    def display_text(self, row: int, column: int) -> str:
        return self._display[column](self._rows[row])

    def display_texts(self, column: int, count: int) -> list[str]:
        """The display texts of the first `count` view rows of `column` (to size it); a
        subclass that shows other texts (`display_text`) is measured by those."""
        if type(self).display_text is not FrameTableModel.display_text:
            return [self.display_text(row, column) for row in range(min(count, self._shown))]
        display = self._display[column]
        return [display(row) for row in self._rows[:count].tolist()]

    def raw_value(self, row: int, column: int):
        return self._columns[column].raw(self._rows[row])


def _values(frame: pd.DataFrame, key: str):
    """Column `key` of `frame`, or its index level of that name (no copy of the frame)."""
    return frame[key] if key in frame.columns else frame.index.get_level_values(key)


def _row_keys(frame: pd.DataFrame | None, columns: list[FrameColumn], filter_key: str | None):
    """What identifies the rows of `frame`: its named index, else the text of the filter
    column (e.g. the sector name), else nothing (rows are positions)."""
    if frame is None:
        return None
    if any(name is not None for name in frame.index.names):
        return frame.index
    text = [c for c in columns if c.text is not None]
    named = [c for c in text if c.spec.key == filter_key]
    return (named or text)[0].text if text else None


def _same_keys(old, new) -> bool:
    if old is None or new is None:
        return old is None and new is None
    if isinstance(old, pd.Index) != isinstance(new, pd.Index):
        return False
    return old.equals(new)
