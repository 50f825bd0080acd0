"""Editors and markers for cells an analyst edits into a scenario.

- `OVERRIDDEN_ROLE`: models answer True for a cell whose value the shown scenario set;
  `MarkedDelegate` then draws a small corner triangle (beside the model's italic font and,
  where the cell has no colour of its own, a tint), so an edited cell never hides.
- `LevelComboDelegate`: a high / medium / low / none combo for the sector matrix's cells.
- `PercentDelegate`: a 0–100 % spin box for supplier shares.
An editor only proposes a value: `setModelData` calls the model's `setData`, which turns it
into a request; nothing here changes data.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QStyledItemDelegate

OVERRIDDEN_ROLE = int(Qt.ItemDataRole.UserRole.value) + 2   # bool: a scenario set this cell
MARKER_COLOR = QColor("#2f6fde")                            # the scenario marker's blue
_MARKER_SIZE = 7
_EDIT = Qt.ItemDataRole.EditRole
LEVEL_CHOICES = (("H · high", "high"), ("M · medium", "medium"), ("L · low", "low"),
                 ("– · none", "none"))
LEVEL_KEYS = {"h": "high", "m": "medium", "l": "low", "n": "none"}


def level_name(text) -> str | None:
    """'high', 'H', 'none', '' ... → high / medium / low / none; None when not a level."""
    key = str(text or "none").strip().lower()
    key = LEVEL_KEYS.get(key, key)
    return key if key in ("high", "medium", "low", "none") else None


def set_level_by_key(view, event) -> bool:
    """h / m / l / n typed on an editable level cell set that level at once (no editor)."""
    index = view.currentIndex()
    key = event.text().lower()
    plain = not event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier
                                      | Qt.KeyboardModifier.KeypadModifier)
    if not (plain and key in LEVEL_KEYS and index.isValid()
            and index.flags() & Qt.ItemFlag.ItemIsEditable):
        return False
    view.model().setData(index, LEVEL_KEYS[key], _EDIT)
    event.accept()
    return True


def fit_editor(editor, option) -> None:
    """Place an editor on its cell, widened to its size hint when the column is narrower
    (the matrix's columns are a few letters wide), and kept inside the view."""
    rect = option.rect
    width = max(rect.width(), editor.sizeHint().width())
    left = rect.left()
    parent = editor.parentWidget()
    if parent is not None and left + width > parent.width():
        left = max(parent.width() - width, 0)
    editor.setGeometry(left, rect.top(), width, rect.height())


def paint_override_marker(painter, rect) -> None:
    """A small filled triangle in the cell's top-right corner."""
    path = QPainterPath()
    right, top = rect.right() + 1, rect.top()
    path.moveTo(QPointF(right - _MARKER_SIZE, top))
    path.lineTo(QPointF(right, top))
    path.lineTo(QPointF(right, top + _MARKER_SIZE))
    path.closeSubpath()
    painter.save()
    painter.setRenderHint(painter.RenderHint.Antialiasing)
    painter.fillPath(path, QBrush(MARKER_COLOR))
    painter.restore()


class MarkedDelegate(QStyledItemDelegate):
    """The standard look plus the scenario marker on overridden cells."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        if index.data(OVERRIDDEN_ROLE):
            paint_override_marker(painter, option.rect)


class LevelComboDelegate(QStyledItemDelegate):
    """A level combo editor. Painting stays Qt's (C++): the sector matrix's view draws kept
    colours and markers itself, once per paint event rather than a Python call per cell."""

    def createEditor(self, parent, option, index):
        combo = QComboBox(parent)
        combo.setAccessibleName("Importance level")
        for text, level in LEVEL_CHOICES:
            combo.addItem(text, level)
        combo.activated.connect(lambda _i, c=combo: self._commit(c))
        return combo

    def updateEditorGeometry(self, editor, option, index) -> None:
        fit_editor(editor, option)

    def setEditorData(self, editor, index) -> None:
        at = editor.findData(str(index.data(_EDIT) or "none"))
        editor.setCurrentIndex(max(at, 0))

    def setModelData(self, editor, model, index) -> None:
        model.setData(index, editor.currentData(), _EDIT)

    def _commit(self, combo) -> None:
        """Choosing an item (click, or Enter in the list) applies it at once."""
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)


class PercentDelegate(MarkedDelegate):
    """A 0–100 % spin box; the model's EditRole value is the percent (e.g. 17.16)."""

    def createEditor(self, parent, option, index):
        spin = QDoubleSpinBox(parent)
        spin.setRange(0.0, 100.0)
        spin.setDecimals(2)
        spin.setSuffix(" %")
        spin.setAccessibleName("Share of imports, percent")
        spin.setFrame(False)
        spin.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
        spin.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return spin

    def updateEditorGeometry(self, editor, option, index) -> None:
        fit_editor(editor, option)

    def setEditorData(self, editor, index) -> None:
        value = index.data(_EDIT)
        editor.setValue(float(value) if isinstance(value, (int, float)) and value == value else 0.0)

    def setModelData(self, editor, model, index) -> None:
        editor.interpretText()
        model.setData(index, round(editor.value(), editor.decimals()), _EDIT)
