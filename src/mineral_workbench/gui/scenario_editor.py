"""The dialog that makes or changes one scenario edit.

A kind chooser on top, that kind's fields below (`edit_pages`), and a live preview in the
words the history and the memo will use (`edit.describe()`). OK stays disabled, with the
reason beside it, until the fields make a complete edit. The dialog never touches the
store: `ask_edit` returns the edit and the caller pushes it as one undoable command.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QFrame,
                               QLabel, QStackedWidget, QVBoxLayout, QWidget)

from mineral_workbench.core.scenario import Edit

from .edit_fields import EditChoices, Incomplete
from .edit_pages import PAGES, EditPage

__all__ = ["EditChoices", "EditDialog", "ask_edit", "KINDS"]

KINDS: dict[str, str] = {page.kind: page.title for page in PAGES}


class EditDialog(QDialog):
    def __init__(self, choices: EditChoices, edit: Edit | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Change edit" if edit is not None else "Add edit")
        self.setAccessibleName(self.windowTitle())
        self.setModal(True)
        self.original = edit
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Kind of edit")
        self.kind.setToolTip("What the edit does: cut supply, add a tariff, shift sourcing, "
                             "set a supplier's share, override NIR or importance, change a group")
        self.stack = QStackedWidget(self)
        self.pages: list[EditPage] = []
        for page_type in PAGES:
            page = page_type(choices, self.stack)
            page.changed.connect(self._update)
            self.pages.append(page)
            self.stack.addWidget(page)
            self.kind.addItem(page.title, page.kind)
        top = QFormLayout()
        kind_label = QLabel("&Kind", self)
        kind_label.setBuddy(self.kind)
        top.addRow(kind_label, self.kind)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        self.preview = QLabel(self)
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setAccessibleName("Preview of the edit")
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setAccessibleName("Why OK is disabled")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName("OK: save the edit")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName(
            "Cancel: discard the edit")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(4)
        layout.addWidget(self.stack)
        layout.addWidget(line)
        layout.addWidget(self.preview)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self._align_labels([kind_label])
        self._previous = self.pages[0]
        self.kind.currentIndexChanged.connect(self._kind_changed)
        if edit is not None:
            self.set_edit(edit)
        self._update()
        self.setMinimumWidth(520)

    # --- reading and filling -----------------------------------------------------------
    def page(self) -> EditPage:
        return self.pages[self.stack.currentIndex()]

    def page_for(self, kind: str) -> EditPage:
        return next(p for p in self.pages if p.kind == kind)

    def set_kind(self, kind: str) -> EditPage:
        self.kind.setCurrentIndex(self.kind.findData(kind))
        return self.page()

    def set_edit(self, edit: Edit) -> None:
        page = self.set_kind(edit.kind)
        page.load(edit)
        self._update()

    def edit(self) -> Edit | None:
        """The edit the fields make, or None while they are incomplete."""
        try:
            return self.page().build()
        except Incomplete:
            return None

    def reason(self) -> str:
        """Why OK is disabled ('' when it is enabled)."""
        try:
            self.page().build()
        except Incomplete as exc:
            return str(exc)
        return ""

    def _align_labels(self, labels: list[QLabel]) -> None:
        """One label column width for every page, so fields line up and do not jump."""
        for page in self.pages:
            for row in range(page.form.rowCount()):
                item = page.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                if item is not None and isinstance(item.widget(), QLabel):
                    labels.append(item.widget())
        width = max(label.sizeHint().width() for label in labels)
        for label in labels:
            label.setMinimumWidth(width)

    # --- behaviour --------------------------------------------------------------------------
    def accept(self) -> None:
        if self.edit() is not None:
            super().accept()

    def _kind_changed(self, index: int) -> None:
        page = self.pages[index]
        page.carry_from(self._previous)
        self._previous = page
        self.stack.setCurrentIndex(index)
        self._update()

    def _update(self) -> None:
        reason = self.reason()
        edit = None if reason else self.page().build()
        font = self.preview.font()
        font.setBold(edit is not None)
        font.setItalic(edit is None)
        self.preview.setFont(font)
        self.preview.setText(edit.describe() if edit is not None else "The edit is not complete yet.")
        self.problem.setText(reason)
        self.problem.setVisible(bool(reason))
        self.ok_button.setEnabled(not reason)
        self.ok_button.setToolTip(reason or "Save the edit")
        self.ok_button.setAccessibleDescription(reason)


def ask_edit(parent: QWidget | None, choices: EditChoices, edit: Edit | None = None) -> Edit | None:
    """Show the dialog; the edit the analyst confirmed, or None if they cancelled."""
    dialog = EditDialog(choices, edit, parent)
    try:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.edit()
        return None
    finally:
        dialog.deleteLater()
