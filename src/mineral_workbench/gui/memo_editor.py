"""Edit the memo before export: header block, recipients, marking, BLUF and findings.

`MemoEditor(memo)` works on a copy; `edited_memo()` returns the analyst's version (the
input memo is never changed) and `edit_memo(memo, parent)` runs the dialog modally. No file
dialogs here: the Export menu owns where files go. The marking is the analyst's choice;
the dialog says so and never suggests one.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QTabWidget,
                               QVBoxLayout, QWidget)

from ..core.export.findings import Finding
from ..core.export.memo import MEMO_KINDS, Memo

MARKING_NOTE = ("The workbench never decides a classification. The banner and any CUI "
                "designation are your choice and your responsibility.")


def _line(text: str, name: str) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setAccessibleName(name)
    return edit


def _text(text: str, name: str, lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit(text)
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 12)
    return edit


class MemoEditor(QDialog):
    def __init__(self, memo: Memo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Edit memo")
        self.setAccessibleName("Edit memo")
        self._memo = copy.deepcopy(memo)
        self._findings: list[Finding] = copy.deepcopy(memo.findings)
        self._findings_edited = memo.findings_edited
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._header_tab(), "&Header")
        self.tabs.addTab(self._findings_tab(), "&BLUF and findings")
        self.tabs.addTab(self._marking_tab(), "&Marking")
        self.tabs.addTab(self._closing_tab(), "&Closing")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(780, 620)
        self._kind_changed()
        self._cui_changed()

    # --- tabs ------------------------------------------------------------------------------
    def _header_tab(self) -> QWidget:
        h = self._memo.header
        page = QWidget()
        form = QFormLayout(page)
        self.kind = QComboBox()
        self.kind.addItems(list(MEMO_KINDS) + [k for k in [h.kind] if k not in MEMO_KINDS])
        self.kind.setCurrentText(h.kind)
        self.kind.setAccessibleName("Memo type")
        self.kind.currentTextChanged.connect(self._kind_changed)
        self.date = _line(h.date, "Date")
        self.for_ = _line(h.for_, "For (addressee)")
        self.from_ = _line(h.from_, "From")
        self.subject = _line(h.subject, "Subject")
        self.cc = _text("\n".join(h.cc), "Other recipients, one per line", 3)
        for label, widget in (("Memo &type:", self.kind), ("&Date:", self.date), ("&FOR:", self.for_),
                              ("FR&OM:", self.from_), ("&SUBJECT:", self.subject),
                              ("Other &recipients (cc),\none per line:", self.cc)):
            form.addRow(label, widget)
        return page

    def _findings_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        bluf_label = QLabel("B&LUF (bottom line up front):")
        row.addWidget(bluf_label)
        row.addStretch(1)
        self.restore_bluf = QPushButton("Restore drafted BLUF")
        self.restore_bluf.clicked.connect(lambda: self.bluf.setPlainText(self._memo.bluf_drafted))
        row.addWidget(self.restore_bluf)
        layout.addLayout(row)
        self.bluf = _text(self._memo.bluf, "BLUF", 3)
        bluf_label.setBuddy(self.bluf)
        self.bluf.setMaximumHeight(self.bluf.fontMetrics().lineSpacing() * 6 + 12)
        layout.addWidget(self.bluf)
        box = QGroupBox("Key findings (numbered in this order)")
        inner = QVBoxLayout(box)
        self.finding_list = QListWidget()
        self.finding_list.setAccessibleName("Key findings")
        self.finding_list.setWordWrap(True)
        self.finding_list.setAlternatingRowColors(True)
        inner.addWidget(self.finding_list, 2)
        self.finding_text = _text("", "Text of the selected finding", 3)
        inner.addWidget(QLabel("Selected finding (its numbers' source notes stay attached):"))
        inner.addWidget(self.finding_text, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add")
        self.remove_button = QPushButton("Re&move")
        self.up_button = QPushButton("Move &up")
        self.down_button = QPushButton("Move do&wn")
        self.restore_button = QPushButton("Restore &drafted text")
        for button, slot in ((self.add_button, self.add_finding), (self.remove_button, self.remove_finding),
                             (self.up_button, lambda: self.move_finding(-1)),
                             (self.down_button, lambda: self.move_finding(1)),
                             (self.restore_button, self.restore_finding)):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        inner.addLayout(buttons)
        layout.addWidget(box, 1)
        self._fill_findings(0)
        self.finding_list.currentRowChanged.connect(self._show_finding)
        self.finding_text.textChanged.connect(self._finding_typed)
        self._show_finding(self.finding_list.currentRow())
        return page

    def _marking_tab(self) -> QWidget:
        m = self._memo.marking
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel(MARKING_NOTE)
        note.setWordWrap(True)
        layout.addWidget(note)
        form = QFormLayout()
        self.banner = _line(m.banner, "Banner marking")
        form.addRow("&Banner (top and bottom of every page):", self.banner)
        self.cui = QCheckBox("Controlled Unclassified Information (CUI): banner 'CUI' and a "
                             "designation indicator on page one")
        self.cui.setChecked(m.cui)
        self.cui.toggled.connect(self._cui_changed)
        form.addRow(self.cui)
        self.agency = _line(m.controlled_by_agency, "Controlled by: agency")
        self.office = _line(m.controlled_by_office, "Controlled by: office")
        self.category = _line(m.cui_category, "CUI category")
        self.category.setPlaceholderText("e.g. PROPIN")
        self.dissemination = _line(m.dissemination, "Distribution/dissemination control")
        self.dissemination.setPlaceholderText("e.g. FEDCON")
        self.poc = _line(m.poc, "Point of contact: name and phone")
        for label, widget in (("Controlled by (&agency):", self.agency),
                              ("Controlled by (o&ffice):", self.office),
                              ("CUI &category:", self.category),
                              ("Distribution/&dissemination control:", self.dissemination),
                              ("&POC (name, phone):", self.poc)):
            form.addRow(label, widget)
        self.portion = QCheckBox("Portion &marks at the start of each paragraph, bullet, caption and table")
        self.portion.setChecked(m.portion_marks)
        self.portion.toggled.connect(self._cui_changed)
        form.addRow(self.portion)
        self.portion_mark = _line(m.portion_mark, "Portion mark")
        form.addRow("Portion mar&k:", self.portion_mark)
        layout.addLayout(form)
        layout.addStretch(1)
        return page

    def _closing_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.recommendation = _text(self._memo.recommendation, "Recommendation", 3)
        self.coordination = _line(self._memo.coordination, "Coordination")
        self.attachment = _line(self._memo.attachment, "Attachment")
        self.prepared_by = _line(self._memo.prepared_by, "Prepared by")
        for label, widget in (("&RECOMMENDATION\n(action memo):", self.recommendation),
                              ("&COORDINATION:", self.coordination), ("&Attachment:", self.attachment),
                              ("&Prepared by:", self.prepared_by)):
            form.addRow(label, widget)
        return page

    # --- findings ------------------------------------------------------------------------------
    def _fill_findings(self, current: int) -> None:
        self.finding_list.blockSignals(True)
        self.finding_list.clear()
        for i, finding in enumerate(self._findings, 1):
            item = QListWidgetItem(f"{i}. {finding.text}")
            item.setToolTip(finding.text)
            self.finding_list.addItem(item)
        self.finding_list.blockSignals(False)
        if self._findings:
            self.finding_list.setCurrentRow(max(0, min(current, len(self._findings) - 1)))
        self._show_finding(self.finding_list.currentRow())

    def _show_finding(self, row: int) -> None:
        has = 0 <= row < len(self._findings)
        self.finding_text.blockSignals(True)
        self.finding_text.setPlainText(self._findings[row].text if has else "")
        self.finding_text.blockSignals(False)
        for widget in (self.finding_text, self.remove_button, self.up_button, self.down_button,
                       self.restore_button):
            widget.setEnabled(has)
        if has:
            self.up_button.setEnabled(row > 0)
            self.down_button.setEnabled(row < len(self._findings) - 1)
            self.restore_button.setEnabled(bool(self._findings[row].drafted))

    def _finding_typed(self) -> None:
        row = self.finding_list.currentRow()
        if 0 <= row < len(self._findings):
            self._findings[row].text = self.finding_text.toPlainText().strip()
            self.finding_list.item(row).setText(f"{row + 1}. {self._findings[row].text}")

    def add_finding(self) -> None:
        self._findings.append(Finding("New finding: state the number and its source.", "note"))
        self._findings_edited = True
        self._fill_findings(len(self._findings) - 1)
        self.finding_text.setFocus()
        self.finding_text.selectAll()

    def remove_finding(self) -> None:
        row = self.finding_list.currentRow()
        if 0 <= row < len(self._findings):
            del self._findings[row]
            self._findings_edited = True
            self._fill_findings(row)

    def move_finding(self, step: int) -> None:
        row = self.finding_list.currentRow()
        to = row + step
        if 0 <= row < len(self._findings) and 0 <= to < len(self._findings):
            self._findings[row], self._findings[to] = self._findings[to], self._findings[row]
            self._findings_edited = True
            self._fill_findings(to)

    def restore_finding(self) -> None:
        row = self.finding_list.currentRow()
        if 0 <= row < len(self._findings) and self._findings[row].drafted:
            self.finding_text.setPlainText(self._findings[row].drafted)

    # --- state -----------------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        self.recommendation.setEnabled(self.kind.currentText().upper().startswith("ACTION"))

    def _cui_changed(self) -> None:
        cui = self.cui.isChecked()
        for widget in (self.agency, self.office, self.category, self.dissemination, self.poc):
            widget.setEnabled(cui)
        if cui and not self.banner.text().strip().upper().startswith("CUI"):
            self.banner.setText("CUI")
        self.portion_mark.setEnabled(self.portion.isChecked())
        self.portion_mark.setPlaceholderText("(CUI)" if cui else "(U)")

    def edited_memo(self) -> Memo:
        """A new Memo with the analyst's edits (the memo given to the dialog is unchanged)."""
        memo = copy.deepcopy(self._memo)
        h = memo.header
        h.kind, h.date = self.kind.currentText().strip(), self.date.text().strip()
        h.for_, h.from_ = self.for_.text().strip(), self.from_.text().strip()
        h.subject = self.subject.text().strip()
        h.cc = [line.strip() for line in self.cc.toPlainText().splitlines() if line.strip()]
        memo.bluf = self.bluf.toPlainText().strip()
        memo.findings = copy.deepcopy([f for f in self._findings if f.text.strip()])
        memo.findings_edited = self._findings_edited
        m = memo.marking
        m.banner = " ".join(self.banner.text().split()) or "UNCLASSIFIED"
        m.cui = self.cui.isChecked()
        m.controlled_by_agency, m.controlled_by_office = self.agency.text().strip(), self.office.text().strip()
        m.cui_category, m.dissemination = self.category.text().strip(), self.dissemination.text().strip()
        m.poc = self.poc.text().strip()
        m.portion_marks, m.portion_mark = self.portion.isChecked(), self.portion_mark.text().strip()
        memo.recommendation = self.recommendation.toPlainText().strip()
        memo.coordination = self.coordination.text().strip() or "None."
        memo.attachment = self.attachment.text().strip() or "None."
        memo.prepared_by = self.prepared_by.text().strip()
        return memo


def edit_memo(memo: Memo, parent: QWidget | None = None) -> Memo | None:
    """Run the editor modally: the edited memo, or None when the analyst cancels."""
    dialog = MemoEditor(memo, parent)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    try:
        return dialog.edited_memo() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
