"""The one undo command every scenario change is made of: a before/after snapshot.

Scenarios are immutable core values, so a snapshot is a tuple of references — cheap, and an
undo restores the previous list exactly (no inverse arithmetic to get wrong). Repeated edits
of one cell carry the same `merge_key` and merge into one command, as Qt's `mergeWith` asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand

MERGE_ID = 5021  # any fixed id: commands without a merge key return -1 (never merge)


@dataclass(frozen=True)
class Snapshot:
    scenarios: tuple        # tuple[Scenario, ...]
    focus: str | None       # the scenario the change is about (shown after undo/redo)


class ScenarioCommand(QUndoCommand):
    """Sets the store to `after` on redo and back to `before` on undo."""

    def __init__(self, store, text: str, before: Snapshot, after: Snapshot,
                 merge_key: tuple | None = None):
        super().__init__(text)
        self.store, self.before, self.after, self.merge_key = store, before, after, merge_key

    def redo(self) -> None:
        self.store._restore(self.after)

    def undo(self) -> None:
        self.store._restore(self.before)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, ScenarioCommand) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        self.setText(other.text())
        if self.after == self.before:  # edited back to where it started: nothing to undo
            self.setObsolete(True)
        return True
