"""One mineral selection shared by every table and chart (click anywhere, select everywhere)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class MineralSelection(QObject):
    """The minerals the analyst has selected, in selection order.

    Views call `select(...)` when the analyst clicks, and update themselves from `changed`;
    `origin` lets the view that caused a change skip echoing it back.
    """

    changed = Signal(list, object)  # (minerals, origin)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._minerals: list[str] = []

    @property
    def minerals(self) -> list[str]:
        return list(self._minerals)

    @property
    def current(self) -> str | None:
        return self._minerals[-1] if self._minerals else None

    def select(self, minerals: list[str] | str | None, origin: object = None) -> None:
        if minerals is None:
            minerals = []
        elif isinstance(minerals, str):
            minerals = [minerals]
        minerals = list(dict.fromkeys(minerals))
        if minerals == self._minerals:
            return
        self._minerals = minerals
        self.changed.emit(list(minerals), origin)

    def toggle(self, mineral: str, origin: object = None) -> None:
        chosen = [m for m in self._minerals if m != mineral]
        if len(chosen) == len(self._minerals):
            chosen.append(mineral)
        self.select(chosen, origin)

    def clear(self, origin: object = None) -> None:
        self.select([], origin)
