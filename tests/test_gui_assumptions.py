"""The assumptions round trip in the GUI: confirmation dialog, export and import flows."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QFileDialog, QMessageBox

from mineral_workbench.core.analysis import AnalysisOptions, load_sources
from mineral_workbench.core.assumptions import AssumptionsPlan, export_assumptions, read_assumptions
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.scenario import ImportanceOverride, NirOverride, Scenario, SupplyCut
from mineral_workbench.gui import assumptions_dialog as ad
from mineral_workbench.gui.assumptions_dialog import (ApplyAssumptionsDialog, ask_apply_assumptions,
                                                      export_assumptions_interactive,
                                                      import_assumptions_interactive)

OPTIONS = AnalysisOptions()
SCENARIO = Scenario("China cut", (SupplyCut("gallium", "CHN", 50),))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The sample loaded from a copy, so a failing guard could never overwrite the bundled file."""
    copy = tmp_path_factory.mktemp("sources") / "trade.xlsx"
    shutil.copyfile(sample_workbook(), copy)
    return load_sources([copy])


def _plan(changes, notes=()):
    return AssumptionsPlan(Path("edited.xlsx"), (NirOverride("gallium", 90),), list(changes), list(notes))


def _save_as(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def _open(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


@pytest.fixture
def confirm(monkeypatch):
    """Answer the confirmation dialog without blocking; records what it listed."""
    seen = []

    def install(apply: bool):
        def run(dialog):
            seen.append({"changes": dialog.changes(), "heading": dialog.heading.text(),
                         "apply": dialog.apply_button.text() if dialog.apply_button else None})
            if apply and dialog.apply_button is not None:
                dialog.apply_button.click()
            else:
                dialog.reject()
            return dialog.result()
        monkeypatch.setattr(ApplyAssumptionsDialog, "exec", run)
        return seen
    return install


@pytest.fixture
def message_boxes(monkeypatch):
    shown = []

    def record(box):
        shown.append({"title": box.windowTitle(), "text": box.text(), "info": box.informativeText(),
                      "details": box.detailedText()})
        return QMessageBox.StandardButton.Ok
    monkeypatch.setattr(QMessageBox, "exec", record)
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda parent, title, text, *a: shown.append({"title": title, "text": text})))
    return shown


# --- the confirmation dialog ---------------------------------------------------------------------
def test_the_dialog_lists_exactly_the_plans_changes(qtbot):
    plan = _plan(["Gallium NIR: 100% → 90%", "Edit 1 removed: Cut China gallium supply by 50%"],
                 ["The file was exported from scenario 'A'."])
    dialog = ApplyAssumptionsDialog(plan, "edited.xlsx")
    qtbot.addWidget(dialog)
    assert dialog.changes() == plan.changes
    assert dialog.apply_button.text() == "Apply 2 changes"
    assert dialog.heading.text() == "Importing edited.xlsx would make 2 changes:"
    assert not dialog.notes.isHidden() and "scenario 'A'" in dialog.notes.text()
    roles = [dialog.buttons.buttonRole(b) for b in dialog.buttons.buttons()]
    assert sorted(r.name for r in roles) == ["AcceptRole", "RejectRole"]


def test_an_empty_plan_only_offers_close(qtbot):
    dialog = ApplyAssumptionsDialog(_plan([]), "edited.xlsx")
    qtbot.addWidget(dialog)
    assert dialog.apply_button is None and dialog.change_list.isHidden()
    assert dialog.heading.text().startswith("Nothing would change: edited.xlsx matches")
    assert [dialog.buttons.standardButton(b) for b in dialog.buttons.buttons()] == [
        QDialogButtonBox.StandardButton.Close]


def test_the_real_modal_dialog_applies_and_cancels(qtbot):
    """exec() for real: a timer clicks the button on the active modal dialog."""
    def answer(button_of):
        def run(attempt=0):
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, ApplyAssumptionsDialog):
                button_of(dialog).click()
            elif attempt < 200:
                QTimer.singleShot(10, lambda: run(attempt + 1))
            else:                                  # never hang the suite
                for widget in QApplication.topLevelWidgets():
                    if isinstance(widget, QDialog) and widget.isVisible():
                        widget.reject()
        QTimer.singleShot(0, run)

    plan = _plan(["Gallium NIR: 100% → 90%"])
    answer(lambda d: d.apply_button)
    assert ask_apply_assumptions(None, plan, "edited.xlsx") is True
    answer(lambda d: d.buttons.button(QDialogButtonBox.StandardButton.Cancel))
    assert ask_apply_assumptions(None, plan, "edited.xlsx") is False
    answer(lambda d: d.buttons.button(QDialogButtonBox.StandardButton.Close))
    assert ask_apply_assumptions(None, _plan([]), "edited.xlsx") is False


# --- export ------------------------------------------------------------------------------------------
def test_export_writes_where_the_analyst_chose(qtbot, monkeypatch, tmp_path, loaded):
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda parent, title, start, filt: asked.append(start) or (str(tmp_path / "mine"), "")))
    path = export_assumptions_interactive(None, loaded, OPTIONS, SCENARIO, tmp_path)
    assert asked == [str(tmp_path / "assumptions - China cut.xlsx")]
    assert path == tmp_path / "mine.xlsx" and path.is_file()
    assert read_assumptions(path, loaded, OPTIONS, SCENARIO).is_empty


def test_export_never_overwrites_a_loaded_source(qtbot, monkeypatch, loaded, message_boxes):
    source = Path(loaded.reports[0].file)
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    _save_as(monkeypatch, source)
    assert export_assumptions_interactive(None, loaded, OPTIONS, None, source.parent) is None
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert "one of the loaded trade files" in message_boxes[0]["text"]


def test_export_cancelled_or_failing(qtbot, monkeypatch, tmp_path, loaded, message_boxes):
    _save_as(monkeypatch, "")
    assert export_assumptions_interactive(None, loaded, OPTIONS, None, tmp_path) is None
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    _save_as(monkeypatch, blocker / "out.xlsx")                # its folder is a file: cannot write
    assert export_assumptions_interactive(None, loaded, OPTIONS, None, tmp_path) is None
    assert message_boxes and message_boxes[0]["title"].endswith("export failed")


# --- import ------------------------------------------------------------------------------------------
def _edited(tmp_path, loaded, scenario, changes):
    path = export_assumptions(tmp_path / "edited.xlsx", loaded, OPTIONS, scenario)
    book = openpyxl.load_workbook(path)
    sheet = book["Importance"]
    for (mineral, key), value in changes.items():
        col = next(c.column for c in sheet[2] if c.value == key)
        row = next(c.row for c in sheet["A"] if c.value == mineral)
        sheet.cell(row, col).value = value
    book.save(path)
    return path


def test_import_returns_the_edits_and_the_undo_text(qtbot, monkeypatch, tmp_path, loaded, confirm):
    path = _edited(tmp_path, loaded, SCENARIO, {("gallium", "sector:Dams"): "high"})
    _open(monkeypatch, path)
    seen = confirm(apply=True)
    edits, text = import_assumptions_interactive(None, loaded, OPTIONS, SCENARIO, tmp_path)
    assert edits == (*SCENARIO.edits, ImportanceOverride("gallium", "sector:Dams", "high"))
    assert text == "Apply assumptions from edited.xlsx (1 change)"
    plan = read_assumptions(path, loaded, OPTIONS, SCENARIO)
    assert seen == [{"changes": plan.changes, "heading": "Importing edited.xlsx would make 1 change:",
                     "apply": "Apply 1 change"}]
    assert plan.changes == ["Gallium importance for Dams: none → high"]


def test_import_cancelled_or_unchanged_returns_none(qtbot, monkeypatch, tmp_path, loaded, confirm):
    path = _edited(tmp_path, loaded, SCENARIO, {("gallium", "sector:Dams"): "high"})
    _open(monkeypatch, path)
    confirm(apply=False)
    assert import_assumptions_interactive(None, loaded, OPTIONS, SCENARIO, tmp_path) is None
    _open(monkeypatch, export_assumptions(tmp_path / "same.xlsx", loaded, OPTIONS, SCENARIO))
    seen = confirm(apply=True)
    assert import_assumptions_interactive(None, loaded, OPTIONS, SCENARIO, tmp_path) is None
    assert len(seen) == 2 and seen[1]["changes"] == [] and seen[1]["apply"] is None
    assert seen[1]["heading"].startswith("Nothing would change")
    _open(monkeypatch, "")
    assert import_assumptions_interactive(None, loaded, OPTIONS, SCENARIO, tmp_path) is None


def test_a_bad_file_shows_every_problem(qtbot, monkeypatch, tmp_path, loaded, confirm, message_boxes):
    path = _edited(tmp_path, loaded, None, {("gallium", "sector:Dams"): "hihg",
                                            ("cobalt", "sector:Energy"): "very"})
    _open(monkeypatch, path)
    seen = confirm(apply=True)
    assert import_assumptions_interactive(None, loaded, OPTIONS, None, tmp_path) is None
    assert seen == []                                       # no confirmation for a refused file
    [box] = message_boxes
    assert box["text"] == "edited.xlsx was not imported: 2 problems to fix. Nothing was changed."
    lines = box["info"].splitlines()
    assert len(lines) == 2 and all(line.startswith("Importance!") for line in lines)
    assert any("'hihg'" in line for line in lines) and any("'very'" in line for line in lines)
    assert box["details"] == box["info"]


def test_a_long_problem_list_is_cut_in_the_box(qtbot, monkeypatch, tmp_path, loaded, message_boxes):
    path = export_assumptions(tmp_path / "bad.xlsx", loaded, OPTIONS)
    book = openpyxl.load_workbook(path)
    for row in book["Importance"].iter_rows(min_row=3, max_row=5, min_col=2):
        for cell in row:
            cell.value = "?"
    book.save(path)
    _open(monkeypatch, path)
    assert import_assumptions_interactive(None, loaded, OPTIONS, None, tmp_path) is None
    info, details = message_boxes[0]["info"].splitlines(), message_boxes[0]["details"].splitlines()
    assert len(info) == ad.MAX_SHOWN_PROBLEMS + 1 and info[-1].startswith(f"... and {len(details) - 25} more")
    assert len(details) > ad.MAX_SHOWN_PROBLEMS


def test_importing_the_module_loads_no_spreadsheet_code():
    code = ("import sys; import mineral_workbench.gui.assumptions_dialog; "
            "print(sorted(m for m in ('openpyxl', 'pandas') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.stdout.strip() == "[]", proc.stderr


def test_suggested_names_are_safe_file_names():
    assert ad.suggested_name(None) == "assumptions - baseline.xlsx"
    assert ad.suggested_name(Scenario('a/b: "c"?')) == "assumptions - a b c.xlsx"
