"""Keep a table view's selected rows and the shared MineralSelection in step, both ways.

Select a row → the minerals of the selected rows become the shared selection (with this
binding as origin). The shared selection changes elsewhere → the rows of those minerals get
selected here, with a guard so that re-selecting does not echo back. A model reset (new
result, filter) re-applies the shared selection instead of clearing it.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QObject
from PySide6.QtWidgets import QAbstractItemView

from .selection import MineralSelection

MineralsAt = Callable[[list[int]], list[str]]
RowsOf = Callable[[list[str]], list[int]]

_SELECT_ROWS = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)


class SelectionBinding(QObject):
    """`minerals_at(view_rows)` names the minerals of rows; `rows_of(minerals)` finds rows."""

    def __init__(self, view: QAbstractItemView, selection: MineralSelection,
                 minerals_at: MineralsAt, rows_of: RowsOf):
        super().__init__(view)
        self._view = view
        self._selection = selection
        self._minerals_at = minerals_at
        self._rows_of = rows_of
        self._applying = False
        model = view.model()
        view.selectionModel().selectionChanged.connect(self._view_changed)
        model.modelAboutToBeReset.connect(self._pause)
        model.modelReset.connect(self._resume)
        selection.changed.connect(self._shared_changed)

    def selected_rows(self) -> list[int]:
        rows: set[int] = set()
        for r in self._view.selectionModel().selection():
            rows.update(range(r.top(), r.bottom() + 1))
        return sorted(rows)

    def _view_changed(self, *_args) -> None:
        if self._applying:
            return
        self._selection.select(self._minerals_at(self.selected_rows()), origin=self)

    def _shared_changed(self, minerals: list, origin: object) -> None:
        if origin is not self:
            self.apply(minerals)

    def _pause(self) -> None:
        self._applying = True

    def _resume(self) -> None:
        self._applying = False
        self.apply(self._selection.minerals)

    def apply(self, minerals: list[str]) -> None:
        """Select the rows of `minerals` (and nothing else) without publishing."""
        view, model = self._view, self._view.model()
        rows = self._rows_of(list(minerals)) if minerals else []
        block = QItemSelection()
        last_column = max(model.columnCount() - 1, 0)
        for row in rows:
            block.select(model.index(row, 0), model.index(row, last_column))
        self._applying = True
        try:
            selection_model = view.selectionModel()
            if rows:
                selection_model.select(block, _SELECT_ROWS)
                current = selection_model.currentIndex()
                column = current.column() if current.isValid() else 0
                selection_model.setCurrentIndex(model.index(rows[-1], column),
                                                QItemSelectionModel.SelectionFlag.NoUpdate)
                view.scrollTo(model.index(rows[-1], column))
            else:
                selection_model.clearSelection()
        finally:
            self._applying = False


def bind_views(selection: MineralSelection, minerals, sectors, defense) -> list[SelectionBinding]:
    """Bind the window's tables: rows of minerals, and roll-up rows by their driving mineral."""
    table = minerals.model
    matrix = sectors.model
    bindings = [
        SelectionBinding(minerals.table, selection, lambda rows: table.keys_at("mineral", rows),
                         lambda chosen: table.view_rows_where("mineral", chosen)),
        SelectionBinding(sectors.view, selection, matrix.minerals_at, matrix.rows_of),
    ]
    for panel in (sectors.rollup, defense.categories):
        model = panel.model
        bindings.append(SelectionBinding(
            panel.table, selection,
            lambda rows, m=model: m.keys_at("driving_mineral", rows),
            lambda chosen, m=model: m.view_rows_where("driving_mineral", chosen)))
    return bindings
