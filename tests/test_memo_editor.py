"""The memo editor: the analyst edits header, recipients, marking, BLUF and findings; the
dialog returns a new memo with exactly those edits and leaves the drafted one untouched."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel

from mineral_workbench.core.export.memo import build_memo, memo_from_json, memo_to_json
from mineral_workbench.gui.memo_editor import MARKING_NOTE, MemoEditor, edit_memo

from memo_fixtures import bundle


@pytest.fixture(scope="module")
def drafted():
    return build_memo(bundle())


@pytest.fixture
def editor(qtbot, drafted):
    dialog = MemoEditor(drafted)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_edits_bluf_a_finding_and_the_header(qtbot, editor, drafted):
    before = memo_to_json(drafted)
    editor.bluf.clear()
    qtbot.keyClicks(editor.bluf, "Rare earths are the exposure that matters.")
    editor.tabs.setCurrentIndex(1)
    editor.finding_list.setCurrentRow(1)
    assert editor.finding_text.toPlainText() == drafted.findings[1].text
    editor.finding_text.selectAll()
    qtbot.keyClicks(editor.finding_text, "Scandium: 93% from China (analyst check).")
    assert editor.finding_list.item(1).text() == "2. Scandium: 93% from China (analyst check)."
    editor.subject.setText("Scandium and rare earths")
    editor.for_.setText("DEPUTY UNDER SECRETARY")
    editor.cc.setPlainText("Office of Strategic Industries\n\nDirector, OTE")
    qtbot.mouseClick(editor.ok_button, Qt.MouseButton.LeftButton)
    assert editor.result() == QDialog.DialogCode.Accepted
    memo = editor.edited_memo()
    assert memo.bluf == "Rare earths are the exposure that matters." and memo.bluf != memo.bluf_drafted
    assert memo.findings[1].text == "Scandium: 93% from China (analyst check)."
    assert memo.findings[1].edited and memo.findings[1].numbers == drafted.findings[1].numbers
    assert [f.text for i, f in enumerate(memo.findings) if i != 1] == \
        [f.text for i, f in enumerate(drafted.findings) if i != 1]
    assert memo.header.subject == "Scandium and rare earths"
    assert memo.header.for_ == "DEPUTY UNDER SECRETARY"
    assert memo.header.cc == ["Office of Strategic Industries", "Director, OTE"]
    assert memo_to_json(drafted) == before                       # the draft is untouched
    again = memo_from_json(json.loads(json.dumps(memo_to_json(memo))))
    assert again.bluf == memo.bluf and again.findings[1].text == memo.findings[1].text


def test_marking_options(qtbot, editor):
    editor.tabs.setCurrentIndex(2)
    assert not editor.agency.isEnabled()
    assert MARKING_NOTE in [label.text() for label in editor.findChildren(QLabel)]
    qtbot.mouseClick(editor.cui, Qt.MouseButton.LeftButton)
    assert editor.cui.isChecked() and editor.agency.isEnabled() and editor.banner.text() == "CUI"
    editor.agency.setText("Department of Commerce")
    editor.category.setText("PROPIN")
    editor.dissemination.setText("FEDCON")
    editor.portion.setChecked(True)
    memo = editor.edited_memo()
    assert memo.marking.cui and memo.banner == "CUI" and memo.marking.portion_marks
    assert ("CUI Category", "PROPIN") in memo.marking.designation_block()
    assert memo.marking.portion("x") == "(CUI) x"


def test_add_remove_and_reorder_findings(qtbot, editor, drafted):
    editor.finding_list.setCurrentRow(0)
    qtbot.mouseClick(editor.down_button, Qt.MouseButton.LeftButton)
    assert editor.finding_list.currentRow() == 1
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(editor.finding_text, "Analyst finding.")
    editor.finding_list.setCurrentRow(len(drafted.findings) - 1)
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)
    memo = editor.edited_memo()
    texts = [f.text for f in memo.findings]
    assert texts[:2] == [drafted.findings[1].text, drafted.findings[0].text]
    assert texts[-1] == "Analyst finding." and len(texts) == len(drafted.findings)
    assert memo.findings_edited
    fresh = build_memo(bundle(), previous=memo)
    assert [f.text for f in fresh.findings] == texts


def test_restore_drafted_text_and_action_memo(qtbot, editor, drafted):
    editor.finding_list.setCurrentRow(2)
    editor.finding_text.setPlainText("changed")
    qtbot.mouseClick(editor.restore_button, Qt.MouseButton.LeftButton)
    assert editor.finding_text.toPlainText() == drafted.findings[2].text
    editor.bluf.setPlainText("x")
    qtbot.mouseClick(editor.restore_bluf, Qt.MouseButton.LeftButton)
    assert editor.bluf.toPlainText() == drafted.bluf_drafted
    assert not editor.recommendation.isEnabled()
    editor.kind.setCurrentText("ACTION MEMO")
    assert editor.recommendation.isEnabled()
    editor.recommendation.setPlainText("Approve the licensing review.")
    memo = editor.edited_memo()
    assert memo.is_action and memo.recommendation == "Approve the licensing review."
    assert not any(f.edited for f in memo.findings)


def test_cancel_button_rejects(qtbot, editor):
    editor.bluf.setPlainText("discarded")
    box = editor.findChild(QDialogButtonBox)
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Cancel), Qt.MouseButton.LeftButton)
    assert editor.result() == QDialog.DialogCode.Rejected


@pytest.mark.parametrize("accept", [True, False])
def test_edit_memo_runs_modally(qtbot, drafted, accept):
    def answer():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, MemoEditor)
        dialog.bluf.setPlainText("Edited in the modal dialog.")
        dialog.accept() if accept else dialog.reject()

    QTimer.singleShot(50, answer)
    memo = edit_memo(drafted)
    if accept:
        assert memo is not None and memo.bluf == "Edited in the modal dialog."
    else:
        assert memo is None
