"""Small widgets of the Scenarios panel: the undo history view, a committing text box, and
keys bound to one list."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QPlainTextEdit, QUndoView, QWidget


def make_history_view(store, parent: QWidget | None = None) -> QUndoView:
    """Every scenario change, oldest first; clicking an entry undoes or redoes up to it."""
    view = QUndoView(store.undo_stack, parent)
    view.setObjectName("scenario_history")
    view.setEmptyLabel("Opened (no changes yet)")
    view.setAccessibleName("Scenario change history")
    view.setWordWrap(True)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setToolTip("Every scenario change, oldest first. Select an entry to go back to it; "
                    "Ctrl+Z and Ctrl+Y step through it.")
    return view


class CommitText(QPlainTextEdit):
    """A few lines of text that commit when focus leaves (Tab moves on, as in a form)."""
    editingFinished = Signal()  # noqa: N815 - QLineEdit's name, on purpose

    def __init__(self, accessible_name: str, lines: int = 3, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setAccessibleName(accessible_name)
        self.setMaximumHeight(self.fontMetrics().lineSpacing() * lines + 12)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 - QLineEdit's name
        if text != self.toPlainText():
            self.setPlainText(text)

    def focusOutEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().focusOutEvent(event)
        self.editingFinished.emit()


class KeyFilter(QObject):
    """Keys that act on one widget while it has focus (an event filter rather than a QShortcut,
    so they also beat a window-wide shortcut on the same key)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.bindings: list[tuple] = []  # (QKeySequence.StandardKey or "Ctrl+Up", slot)

    def _slot(self, event):
        sequence = QKeySequence(event.keyCombination())
        for key, slot in self.bindings:
            if isinstance(key, QKeySequence.StandardKey):
                if event.matches(key):
                    return slot
            elif sequence.matches(QKeySequence(key)) == QKeySequence.SequenceMatch.ExactMatch:
                return slot
        return None

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            slot = self._slot(event)
            if slot is not None:
                event.accept()
                if event.type() == QEvent.Type.KeyPress:
                    slot()
                return True
        return False


def on_key(widget: QWidget, key, slot) -> None:
    """Run `slot` when `key` (a StandardKey or a string such as "Ctrl+Up") is pressed in `widget`."""
    keys = widget.findChild(KeyFilter, options=Qt.FindChildOption.FindDirectChildrenOnly)
    if keys is None:
        keys = KeyFilter(widget)
        widget.installEventFilter(keys)
    keys.bindings.append((key, slot))
