"""The Scenarios panel, driven through its real widgets (offscreen): every button changes the
store by one undoable command with a readable text. The dialogs are answered by
monkeypatching the panel's module functions (`ask_edit`, `ask_name`, `confirm`,
`show_problem`); the edit dialog itself is tested in test_gui_scenario_editor.py.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QMessageBox,
                               QScrollBar, QWidget)

from mineral_workbench.core.reference import load_reference
from mineral_workbench.core.scenario import (NirOverride, Scenario, ScenarioError, SupplyCut,
                                             Tariff)
from mineral_workbench.core.whatif import load_presets
from mineral_workbench.gui import scenario_panel
from mineral_workbench.gui.edit_fields import EditChoices
from mineral_workbench.gui.scenario_editor import EditDialog
from mineral_workbench.gui.scenario_panel import BASELINE_TEXT, ScenarioPanel, make_history_view
from mineral_workbench.gui.scenario_store import ScenarioStore

CUT = SupplyCut("gallium", "CHN", 80)


@pytest.fixture(scope="module")
def choices():
    return EditChoices.from_reference(load_reference())


@pytest.fixture
def store():
    return ScenarioStore()


@pytest.fixture
def problems(monkeypatch):
    seen: list[str] = []
    monkeypatch.setattr(scenario_panel, "show_problem", lambda _parent, text: seen.append(text))
    return seen


@pytest.fixture
def panel(qtbot, store, choices, problems):
    widget = ScenarioPanel(store, choices)
    qtbot.addWidget(widget)
    return widget


def answer_edit(monkeypatch, result, seen=None):
    def fake(_parent, _choices, edit=None):
        if seen is not None:
            seen.append(edit)
        return result
    monkeypatch.setattr(scenario_panel, "ask_edit", fake)


# --- choices ------------------------------------------------------------------------------
def test_choices_come_from_the_reference_and_are_cached(choices):
    assert "gallium" in choices.minerals and "rare earths" in choices.minerals
    assert list(choices.minerals) == sorted(choices.minerals, key=str.casefold)
    assert ("CHN", "China") in choices.countries and ("KOR", "Korea, South") in choices.countries
    assert ("foreign_adversaries", "Foreign adversaries (15 CFR 791.4)") in choices.groups
    assert "Energy" in choices.sectors and "Microelectronics" in choices.defense_categories
    assert EditChoices.from_reference(load_reference()) is choices
    assert choices.country_label("group:nato").startswith("Group: ")
    assert choices.country_label("except:nato").startswith("Everyone outside: ")
    assert choices.country_label("chn") == "China (CHN)"


# --- scenario list: new, rename, duplicate, delete, presets, selection ------------------------
def test_new_adds_numbered_scenarios_and_undo_removes_them(qtbot, panel, store):
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    assert store.names() == ["Scenario 1", "Scenario 2"]
    assert store.active_name == "Scenario 2"
    assert panel.scenario_texts() == [BASELINE_TEXT, "Scenario 1 (0 edits)", "Scenario 2 (0 edits)"]
    assert panel.scenario_list.currentRow() == 2
    assert panel.scenario_list.item(2).font().bold() and not panel.scenario_list.item(1).font().bold()
    assert store.undo_stack.undoText() == "Add scenario 'Scenario 2'"
    store.undo_stack.undo()
    assert store.names() == ["Scenario 1"]
    assert panel.scenario_texts() == [BASELINE_TEXT, "Scenario 1 (0 edits)"]


def test_rename_through_the_button_and_undo(qtbot, panel, store, monkeypatch):
    store.add(Scenario("Scenario 1", edits=(CUT,)))
    monkeypatch.setattr(scenario_panel, "ask_name", lambda *_a: "Gallium stress")
    qtbot.mouseClick(panel.rename_button, Qt.MouseButton.LeftButton)
    assert store.names() == ["Gallium stress"] and store.active_name == "Gallium stress"
    assert panel.scenario_texts()[1] == "Gallium stress (1 edit)"
    assert store.undo_stack.undoText() == "Rename scenario 'Scenario 1' to 'Gallium stress'"
    store.undo_stack.undo()
    assert store.names() == ["Scenario 1"]
    assert panel.scenario_texts()[1] == "Scenario 1 (1 edit)"


def test_rename_to_a_taken_name_shows_the_store_error(qtbot, panel, store, monkeypatch, problems):
    store.add(Scenario("A"))
    store.add(Scenario("B"))
    monkeypatch.setattr(scenario_panel, "ask_name", lambda *_a: "A")
    with qtbot.waitSignal(panel.problem) as signal:
        qtbot.keyClick(panel.scenario_list, Qt.Key.Key_F2)  # F2 renames too
    assert problems == ["there is already a scenario named 'A'"] == signal.args
    assert store.names() == ["A", "B"] and store.undo_stack.count() == 2


def test_duplicate_and_delete_and_their_undo(qtbot, panel, store, monkeypatch):
    store.add(Scenario("Cut", edits=(CUT,)))
    qtbot.mouseClick(panel.duplicate_button, Qt.MouseButton.LeftButton)
    assert store.names() == ["Cut", "Cut (copy)"] and store.get("Cut (copy)").edits == (CUT,)
    assert store.undo_stack.undoText() == "Duplicate scenario 'Cut'"
    store.undo_stack.undo()
    assert store.names() == ["Cut"] and store.active_name == "Cut"

    monkeypatch.setattr(scenario_panel, "confirm", lambda *_a: False)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert store.names() == ["Cut"]
    monkeypatch.setattr(scenario_panel, "confirm", lambda *_a: True)
    qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert store.names() == [] and store.active_name is None
    assert panel.scenario_texts() == [BASELINE_TEXT] and panel.scenario_list.currentRow() == 0
    assert not panel.delete_button.isEnabled() and not panel.rename_button.isEnabled()
    assert store.undo_stack.undoText() == "Delete scenario 'Cut'"
    store.undo_stack.undo()
    assert store.names() == ["Cut"] and store.active_name == "Cut"
    assert panel.edit_texts() == ["Cut China gallium supply by 80%"]
    qtbot.keyClick(panel.scenario_list, Qt.Key.Key_Delete)  # the key deletes too (after asking)
    assert store.names() == []


def test_delete_asks_with_a_real_message_box(qtbot, panel, store):
    store.add(Scenario("Doomed"))
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        seen.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click()
    QTimer.singleShot(0, answer)  # the real confirm(): only show_problem is patched here
    panel.delete_scenario()
    assert seen == ["Delete the scenario 'Doomed'? Undo brings it back."]
    assert store.names() == []


def test_presets_menu_adds_an_editable_copy(qtbot, panel, store):
    presets = load_presets()
    actions = panel.presets_button.menu().actions()
    assert len(actions) == len(presets)
    ga = next(a for a in actions if a.objectName() == "preset_cn_ga_ge_licensing_2023")
    assert "2023-08-01" in ga.text() and "MOFCOM/GAC Announcement No. 23" in ga.toolTip()
    ga.trigger()
    name = "China gallium/germanium export licensing (Aug 2023)"
    assert store.active_name == name
    assert store.get(name).edits == (SupplyCut("gallium", "CHN", 50), SupplyCut("germanium", "CHN", 50))
    assert panel.edit_texts() == ["Cut China gallium supply by 50%", "Cut China germanium supply by 50%"]
    assert panel.citation.text().startswith("MOFCOM/GAC Announcement No. 23")
    assert store.undo_stack.undoText() == f"Load preset '{name}'"
    ga.trigger()  # a second copy gets its own name
    assert store.names() == [name, f"{name} (2)"]
    store.undo_stack.undo()
    store.undo_stack.undo()
    assert store.names() == []


def test_selecting_an_entry_sets_the_active_scenario_and_follows_the_store(qtbot, panel, store):
    store.add(Scenario("A", edits=(CUT,)))
    store.add(Scenario("B"))
    with qtbot.waitSignal(store.active_changed) as signal:
        panel.scenario_list.setCurrentRow(1)
    assert signal.args == ["A"] and store.active_name == "A"
    assert panel.edit_texts() == ["Cut China gallium supply by 80%"]
    qtbot.keyClick(panel.scenario_list, Qt.Key.Key_Home)
    assert store.active_name is None and panel.edit_texts() == []
    assert not panel.description.isEnabled()
    store.set_active("B")
    assert panel.scenario_list.currentRow() == 2 and panel.scenario_list.item(2).font().bold()
    store.set_cell(NirOverride("gallium", 90.0))  # an edit from the tables shows up here
    assert panel.edit_texts() == ["Set gallium net import reliance to 90%"]


# --- edits ---------------------------------------------------------------------------------
def test_add_edit_on_the_baseline_makes_a_scenario_in_one_command(qtbot, panel, store, monkeypatch):
    answer_edit(monkeypatch, CUT)
    qtbot.mouseClick(panel.add_edit_button, Qt.MouseButton.LeftButton)
    assert store.names() == ["Scenario 1"] and store.get("Scenario 1").edits == (CUT,)
    assert store.active_name == "Scenario 1"
    assert store.undo_stack.undoText() == "Cut China gallium supply by 80% (new scenario 'Scenario 1')"
    store.undo_stack.undo()
    assert store.names() == [] and store.undo_stack.count() == 1


def test_add_change_remove_and_move_edits(qtbot, panel, store, monkeypatch):
    store.add(Scenario("S"))
    answer_edit(monkeypatch, CUT)
    qtbot.mouseClick(panel.add_edit_button, Qt.MouseButton.LeftButton)
    assert store.undo_stack.undoText() == "Cut China gallium supply by 80%"
    tariff = Tariff("except:us_fta_partners", "*", 25)
    answer_edit(monkeypatch, tariff)
    qtbot.keyClick(panel.edit_list, Qt.Key.Key_Insert)
    assert store.get("S").edits == (CUT, tariff) and panel.edit_list.currentRow() == 1

    seen: list = []
    smaller = SupplyCut("gallium", "CHN", 40)
    answer_edit(monkeypatch, smaller, seen)
    panel.show()
    qtbot.waitExposed(panel)
    panel.edit_list.setCurrentRow(0)
    rect = panel.edit_list.visualItemRect(panel.edit_list.item(0))
    qtbot.mouseClick(panel.edit_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.edit_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert seen == [CUT] and store.get("S").edits == (smaller, tariff)
    assert store.undo_stack.undoText() == "Cut China gallium supply by 40%"

    qtbot.mouseClick(panel.down_button, Qt.MouseButton.LeftButton)
    assert store.get("S").edits == (tariff, smaller) and panel.edit_list.currentRow() == 1
    assert store.undo_stack.undoText() == "Move 'Cut China gallium supply by 40%'"
    qtbot.keyClick(panel.edit_list, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert store.get("S").edits == (smaller, tariff)
    qtbot.keyClick(panel.edit_list, Qt.Key.Key_Delete)
    assert store.get("S").edits == (tariff,)
    assert store.undo_stack.undoText() == "Remove 'Cut China gallium supply by 40%'"
    store.undo_stack.undo()
    assert store.get("S").edits == (smaller, tariff)


def test_cancelled_or_unchanged_edit_pushes_nothing(qtbot, panel, store, monkeypatch):
    store.add(Scenario("S", edits=(CUT,)))
    answer_edit(monkeypatch, None)
    qtbot.mouseClick(panel.add_edit_button, Qt.MouseButton.LeftButton)
    answer_edit(monkeypatch, CUT)
    qtbot.mouseClick(panel.change_edit_button, Qt.MouseButton.LeftButton)
    assert store.undo_stack.count() == 1


def test_an_edit_the_validator_refuses_is_shown_and_not_pushed(qtbot, panel, store, monkeypatch, problems):
    store.add(Scenario("S"))

    def refuse(scenario):
        if scenario.edits:
            raise ScenarioError("unknown mineral 'unobtanium'")
    store.validator = refuse
    answer_edit(monkeypatch, SupplyCut("unobtanium", "CHN", 10))
    qtbot.mouseClick(panel.add_edit_button, Qt.MouseButton.LeftButton)
    assert problems == ["unknown mineral 'unobtanium'"]
    assert store.get("S").edits == () and store.undo_stack.count() == 1


def test_details_commit_when_editing_finishes(qtbot, panel, store):
    store.add(Scenario("S"))
    panel.description.setPlainText("China stops gallium exports")
    panel.description.editingFinished.emit()
    panel.date.setText("2026-01-14")
    panel.date.editingFinished.emit()
    assert store.get("S").description == "China stops gallium exports"
    assert store.get("S").date == "2026-01-14"
    assert store.undo_stack.undoText() == "Edit details of 'S'"
    store.undo_stack.undo()
    assert store.get("S").date == "" and panel.date.text() == ""
    panel.citation.editingFinished.emit()  # nothing changed: nothing pushed
    assert store.undo_stack.count() == 3


def test_history_view_lists_the_commands(qtbot, panel, store, monkeypatch):
    view = make_history_view(store)
    qtbot.addWidget(view)
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    answer_edit(monkeypatch, CUT)
    qtbot.mouseClick(panel.add_edit_button, Qt.MouseButton.LeftButton)
    rows = [view.model().index(i, 0).data() for i in range(view.model().rowCount())]
    assert rows == ["Opened (no changes yet)", "Add scenario 'Scenario 1'",
                    "Cut China gallium supply by 80%"]
    assert panel.history_view is not None and not panel.history_view.isVisibleTo(panel)
    panel.history_toggle.click()
    assert panel.history_view.isVisibleTo(panel)
    assert panel.history_view.model().rowCount() == 3
    view.setCurrentIndex(view.model().index(1, 0))  # clicking an entry goes back to it
    assert store.get("Scenario 1").edits == ()


def unnamed_controls(root: QWidget) -> list[str]:
    """Focusable widgets without an accessible name (inner editors of combos and spins and
    scroll bars excepted: assistive tools read their owner's name)."""
    out = []
    for widget in root.findChildren(QWidget):
        if widget.focusPolicy() == Qt.FocusPolicy.NoFocus or isinstance(widget, QScrollBar) \
                or widget.window() is not root.window():  # popups of combos and completers
            continue
        if isinstance(widget.parent(), (QComboBox, QAbstractSpinBox)):
            continue
        if not widget.accessibleName():
            out.append(f"{type(widget).__name__} {widget.objectName()!r}")
    return out


def test_every_control_has_an_accessible_name(qtbot, panel, choices):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    dialog.set_kind("sourcing_shift").targets.add_row("CAN", 10)
    assert unnamed_controls(panel) == []
    assert unnamed_controls(dialog) == []
