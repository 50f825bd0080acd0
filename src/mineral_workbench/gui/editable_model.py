"""Opt-in editable columns for small result tables (the minerals table's NIR).

An edit never changes the frame: it becomes a request (`edit_requested`, and a handler's
verdict) that the scenario controller turns into an undoable scenario edit; the table shows
the recomputed result when it arrives. Cells whose value the shown scenario changed (compared
with a baseline frame, vectorized once per frame) are italic on a tint, with the baseline in
the tooltip. Read-only tables use the plain `FrameTableModel` and keep Qt's C++ `flags()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Collection, Sequence

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont

from .edit_delegates import OVERRIDDEN_ROLE
from .formatters import ColumnSpec
from .frame_columns import edit_sources, edit_texts, with_unit
from .frame_model import _ALIGN, _DISPLAY, _TOOLTIP, FrameTableModel

_OVERRIDDEN = OVERRIDDEN_ROLE  # bool: the shown scenario changed this cell
_EDIT = int(Qt.ItemDataRole.EditRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_EDIT_ROLES = frozenset((_EDIT, _FONT, _BACKGROUND, _TOOLTIP, _OVERRIDDEN))
_FLAGS = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
          | Qt.ItemFlag.ItemNeverHasChildren)
_EDITABLE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsEditable
#: background of a cell whose value the shown scenario changed (translucent: fits both themes)
OVERRIDE_TINT = QColor(64, 128, 255, 56)
KEEP_BASELINE = object()  # set_frame(frame) keeps the baseline compared with

EditHandler = Callable[[str, str, str], bool]


@dataclass
class _EditColumn:
    """What one editable column needs per source row, computed once per frame."""

    key: str
    spec: ColumnSpec
    text: np.ndarray          # object: the editor's starting text ('>50', '100', 'E')
    baseline: np.ndarray      # object: the baseline's text, None where there is no baseline
    overridden: np.ndarray    # bool: the shown value differs from the baseline's


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.reset_index() if any(n is not None for n in frame.index.names) else frame


def _keys(frame: pd.DataFrame) -> np.ndarray:
    return frame.index.astype(str).to_numpy(dtype=object)


class EditableFrameModel(FrameTableModel):
    """A FrameTableModel whose `editable` columns (frame column keys) can be edited.

    `setData` leaves the frame alone: it emits `edit_requested(row_key, column_key, text)`
    (row_key = the frame's index value, e.g. the mineral) and returns the handler's verdict
    (`set_edit_handler`; without one, True). Empty text asks for the baseline value back.
    With a baseline frame (`set_baseline`), cells of editable columns whose text differs from
    the baseline's row of the same key are shown italic on a tint, the baseline in the tooltip.
    Only these columns pay for a Python `flags()`/`data()` beyond the display fast path.
    """

    edit_requested = Signal(str, str, str)
    OverriddenRole = _OVERRIDDEN

    def __init__(self, columns: Sequence[ColumnSpec] = (), *, editable: Collection[str] = (),
                 filter_key: str | None = None, parent=None):
        super().__init__(columns, filter_key=filter_key, parent=parent)
        self._editable_keys = frozenset(editable)
        self._edit: dict[int, _EditColumn] = {}
        self._previous_edit: dict[int, _EditColumn] = {}
        self._texts_cache: dict[tuple[str, str], tuple] = {}  # (slot, key) -> (sources, texts)
        self._frame: pd.DataFrame | None = None        # as given (index = row keys)
        self._row_keys = np.empty(0, dtype=object)
        self._baseline: pd.DataFrame | None = None
        self._handler: EditHandler | None = None
        self._italic = QFont()
        self._italic.setItalic(True)  # only italic is set: the view's own font fills the rest
        self._tint = QBrush(OVERRIDE_TINT)

    # --- content ------------------------------------------------------------------------

    def set_frame(self, frame: pd.DataFrame | None, baseline=KEEP_BASELINE) -> None:
        """Show `frame`; `baseline` (a frame shaped alike, or None) replaces the one compared with."""
        if baseline is not KEEP_BASELINE:
            self._baseline = baseline
        super().set_frame(frame)

    def set_baseline(self, baseline: pd.DataFrame | None) -> None:
        """Compare the editable columns with `baseline` (None: mark nothing)."""
        self._baseline = baseline
        self._build_edit_columns()
        for column in self._edit:
            if self._shown:
                self.dataChanged.emit(self.index(0, column), self.index(self._shown - 1, column))

    def set_edit_handler(self, handler: EditHandler | None) -> None:
        """`handler(row_key, column_key, text) -> bool`: False refuses the edit."""
        self._handler = handler

    def editable_keys(self) -> frozenset[str]:
        return self._editable_keys

    def _frame_loaded(self, frame, in_place) -> None:
        self._frame = frame
        if not in_place:  # an in-place update has the same rows by definition
            self._row_keys = _keys(frame) if frame is not None else np.empty(0, dtype=object)
        self._previous_edit = self._edit
        self._build_edit_columns()

    def _changed_by_subclass(self) -> dict[int, np.ndarray]:
        """Rows whose editor text or scenario mark changed since the previous frame."""
        changed = {}
        for column, edit in self._edit.items():
            old = self._previous_edit.get(column)
            if old is None:
                changed[column] = np.ones(len(edit.text), dtype=bool)
                continue
            rows = (old.text != edit.text) | (old.overridden != edit.overridden) | (old.baseline != edit.baseline)
            if rows.any():
                changed[column] = rows
        return changed

    def _build_edit_columns(self) -> None:
        self._edit = {}
        frame = self._frame
        if frame is None:
            return
        baseline = self._baseline
        if baseline is not None and (baseline is self._frame or not len(baseline)):
            baseline = None
        for i, column in enumerate(self._columns):
            key = column.spec.key
            if key not in self._editable_keys:
                continue
            text = self._edit_texts("shown", frame, key)
            base = self._baseline_texts(baseline, key, len(text))
            overridden = (base != None) & (base != text)  # noqa: E711 - elementwise
            self._edit[i] = _EditColumn(key, column.spec, text, base, overridden.astype(bool))

    def _edit_texts(self, slot: str, frame: pd.DataFrame, key: str) -> np.ndarray:
        """`edit_texts(frame, key)`, reused while the columns it reads hold the same values:
        a scenario recompute compares with the same baseline, and most edits leave the
        edited column of most frames alone."""
        if key not in frame.columns:
            frame = _flat(frame)                             # the key is an index level
        sources = edit_sources(frame, key)
        cached = self._texts_cache.get((slot, key))
        if cached is not None and all(a.equals(b) for a, b in zip(cached[0], sources)):
            return cached[1]
        texts = edit_texts(frame, key)
        self._texts_cache[(slot, key)] = (sources, texts)
        return texts

    def _baseline_texts(self, baseline: pd.DataFrame | None, key: str, rows: int) -> np.ndarray:
        """Per source row, the baseline's editor text of column `key` (None where the baseline
        has no row of that key). A baseline in the shown frame's row order (the usual case:
        the same analysis without the scenario) needs no look-up by key."""
        if baseline is None:
            return np.full(rows, None, dtype=object)
        if key not in baseline.columns and key not in baseline.index.names:
            return np.full(rows, None, dtype=object)
        texts = self._edit_texts("baseline", baseline, key)
        if baseline.index.equals(self._frame.index):
            return texts
        by_key = pd.Series(texts, index=_keys(baseline))
        by_key = by_key[~by_key.index.duplicated()]
        base = by_key.reindex(self._row_keys).to_numpy(dtype=object)
        return np.where(pd.isna(base), None, base)

    # --- Qt model interface -------------------------------------------------------------

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _EDITABLE_FLAGS if index.column() in self._edit else _FLAGS

    def data(self, index, role: int = _DISPLAY):
        if role == _DISPLAY:
            return self._display[index.column()](self._rows[index.row()])
        if role == _ALIGN:
            return self._align[index.column()]
        if role in _EDIT_ROLES:
            edit = self._edit.get(index.column())
            if edit is not None:
                return self._edit_data(edit, int(self._rows[index.row()]), index, role)
            if role == _OVERRIDDEN:
                return False
        return FrameTableModel.data(self, index, role)

    def _edit_data(self, edit: _EditColumn, row: int, index, role: int):
        if role == _EDIT:
            return edit.text[row]
        overridden = bool(edit.overridden[row])
        if role == _OVERRIDDEN:
            return overridden
        if not overridden:
            return FrameTableModel.data(self, index, role) if role == _TOOLTIP else None
        if role == _FONT:
            return self._italic
        if role == _BACKGROUND:
            return self._tint
        return (f"Scenario: {with_unit(edit.text[row], edit.spec)} "
                f"(baseline: {with_unit(edit.baseline[row], edit.spec)})")

    def setData(self, index, value, role: int = _EDIT) -> bool:
        if role != _EDIT or not index.isValid() or index.column() not in self._edit:
            return False
        edit = self._edit[index.column()]
        row = int(self._rows[index.row()])
        text = "" if value is None else str(value).strip()
        if not text and edit.overridden[row]:
            text = edit.baseline[row]  # clearing an overridden cell asks for the baseline back
        if not text or text == edit.text[row]:
            return False
        key = str(self._row_keys[row])
        self.edit_requested.emit(key, edit.key, text)
        return True if self._handler is None else bool(self._handler(key, edit.key, text))

    # --- queries ------------------------------------------------------------------------

    def row_key(self, row: int) -> str:
        """The frame index value (e.g. the mineral) behind view row `row`."""
        return str(self._row_keys[self._rows[row]])

    def is_overridden(self, row: int, key: str) -> bool:
        edit = self._edit.get(self.column_of(key))
        return bool(edit is not None and edit.overridden[self._rows[row]])
