"""The scenario edit dialog, driven through its real widgets: each kind builds exactly the
expected core edit, an existing edit round-trips, invalid input disables OK with a reason,
and `ask_edit` runs the real modal loop (answered by a zero-delay timer)."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QDialog

from mineral_workbench.core.reference import load_reference
from mineral_workbench.core.scenario import (GroupMembership, ImportanceOverride, NirOverride,
                                             ShareOverride, SourcingShift, SupplyCut, Tariff)
from mineral_workbench.gui.edit_fields import EditChoices
from mineral_workbench.gui.scenario_editor import EditDialog, ask_edit

CUT = SupplyCut("gallium", "CHN", 80)


@pytest.fixture(scope="module")
def choices():
    return EditChoices.from_reference(load_reference())


# --- the dialog ----------------------------------------------------------------------------
def fill(dialog, kind, **fields):
    page = dialog.set_kind(kind)
    for name, value in fields.items():
        widget = getattr(page, name)
        if hasattr(widget, "set_value"):
            widget.set_value(value)
        elif hasattr(widget, "setChecked"):
            widget.setChecked(value)
        elif hasattr(widget, "set_targets"):
            widget.set_targets(value)
        elif hasattr(widget, "findData") and widget.findData(value) >= 0:
            widget.setCurrentIndex(widget.findData(value))
        else:
            widget.setValue(value)
    return page


EXPECTED = [
    ("supply_cut", dict(mineral="gallium", country="CHN", percent=80), CUT),
    ("tariff", dict(country="except:us_fta_partners", mineral="*", percent=250),
     Tariff("except:us_fta_partners", "*", 250)),
    ("sourcing_shift", dict(mineral="germanium", country="group:foreign_adversaries", percent=60,
                            targets={"CAN": 70, "BEL": 30}),
     SourcingShift("germanium", "group:foreign_adversaries", {"CAN": 70, "BEL": 30}, 60)),
    ("share_override", dict(mineral="cobalt", country="COD", share=40.5),
     ShareOverride("cobalt", "COD", 40.5)),
    ("nir_override", dict(mineral="antimony", qualifier=">", pct=75), NirOverride("antimony", 75, ">")),
    ("importance_override", dict(mineral="tungsten", target="defense:Munitions & missiles", level="low"),
     ImportanceOverride("tungsten", "defense:Munitions & missiles", "low")),
    ("group_membership", dict(group="us_fta_partners", country="IND", member=False),
     GroupMembership("us_fta_partners", "IND", False)),
]


@pytest.mark.parametrize(("kind", "fields", "expected"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_dialog_builds_each_kind_and_round_trips_it(qtbot, choices, kind, fields, expected):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    fill(dialog, kind, **fields)
    assert dialog.edit() == expected
    assert dialog.ok_button.isEnabled() and dialog.reason() == ""
    assert dialog.preview.text() == expected.describe()
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted

    again = EditDialog(choices, expected)  # editing an existing edit pre-fills every field
    qtbot.addWidget(again)
    assert again.kind.currentData() == kind and again.windowTitle() == "Change edit"
    assert again.edit() == expected


def test_nir_net_exporter_disables_the_percent(qtbot, choices):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    page = fill(dialog, "nir_override", mineral="gallium", qualifier="E")
    edit = dialog.edit()
    assert (edit.mineral, edit.qualifier, math.isnan(edit.pct)) == ("gallium", "E", True)
    assert not page.pct.isEnabled()
    assert EditDialog(choices, edit).edit().qualifier == "E"


def test_typing_finds_entries_by_name_or_code(qtbot, choices):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    page = dialog.page()
    qtbot.keyClicks(page.mineral.lineEdit(), "Gallium")
    qtbot.keyClicks(page.country.lineEdit(), "chn")
    assert (page.mineral.value(), page.country.value()) == ("gallium", "CHN")
    page.country.setEditText("China (CHN)")
    assert dialog.edit() == SupplyCut("gallium", "CHN", 50)
    completer = page.country.completer()
    completer.setCompletionPrefix("korea")
    found = [completer.completionModel().index(i, 0).data()
             for i in range(completer.completionModel().rowCount())]
    assert "Korea, South (KOR)" in found and "Korea, North (PRK)" in found


@pytest.mark.parametrize(("kind", "fields", "reason"), [
    ("supply_cut", dict(country="CHN"), "Choose a mineral."),
    ("supply_cut", dict(mineral="gallium", country="CHN", percent=0), "Set the cut above 0%."),
    ("tariff", dict(mineral="*"), "Choose a country."),
    ("sourcing_shift", dict(mineral="gallium", country="CAN", targets={"CAN": 100}),
     "Canada (CAN) cannot be both source and destination."),
    ("sourcing_shift", dict(mineral="gallium", country="CHN", targets={}),
     "Add at least one destination country."),
    ("sourcing_shift", dict(mineral="gallium", country="CHN", targets={"CAN": 0}),
     "Give the destination countries shares above 0%."),
    ("group_membership", dict(country="IND"), "Choose a group."),
])
def test_invalid_input_disables_ok_with_a_reason(qtbot, choices, kind, fields, reason):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    fill(dialog, kind, **fields)
    assert dialog.edit() is None and dialog.reason() == reason
    assert not dialog.ok_button.isEnabled() and dialog.ok_button.toolTip() == reason
    assert dialog.problem.text() == reason
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_unknown_typed_text_and_the_all_minerals_rule(qtbot, choices):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    page = dialog.page()
    page.mineral.setEditText("unobtanium")
    assert "'unobtanium' is not in the list" in dialog.reason()
    share = dialog.set_kind("share_override")
    assert "*" not in share.mineral.values() and "*" in dialog.page_for("tariff").mineral.values()
    assert not any(v.startswith("group:") for v in share.country.values())


def test_duplicate_destination_is_refused(qtbot, choices):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    page = fill(dialog, "sourcing_shift", mineral="gallium", country="CHN", targets={"CAN": 50})
    page.targets.add_row("CAN", 50)
    assert dialog.reason() == "Canada (CAN) is listed twice as a destination."
    qtbot.mouseClick(page.targets.rows[1][2], Qt.MouseButton.LeftButton)  # its Remove button
    assert dialog.edit() == SourcingShift("gallium", "CHN", {"CAN": 50}, 50)


def test_changing_kind_keeps_mineral_and_country(qtbot, choices):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    fill(dialog, "supply_cut", mineral="gallium", country="CHN")
    dialog.kind.setCurrentIndex(dialog.kind.findData("tariff"))
    assert dialog.edit() == Tariff("CHN", "gallium", 25)


def test_ask_edit_runs_the_real_dialog(qtbot, choices):
    def answer(accept: bool):
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, EditDialog)
        fill(dialog, "supply_cut", mineral="gallium", country="CHN", percent=80)
        (dialog.ok_button.click if accept else dialog.reject)()
    QTimer.singleShot(0, lambda: answer(True))
    assert ask_edit(None, choices) == CUT
    QTimer.singleShot(0, lambda: answer(False))
    assert ask_edit(None, choices, CUT) is None


def test_tab_walks_the_fields_in_reading_order(qtbot, choices):
    dialog = EditDialog(choices)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitActive(dialog)
    dialog.activateWindow()
    dialog.kind.setFocus()
    qtbot.waitUntil(dialog.kind.hasFocus)
    names = [QApplication.focusWidget().accessibleName()]
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        names.append((widget.parent() if isinstance(widget.parent(), (QComboBox, QAbstractSpinBox))
                      else widget).accessibleName())
    assert names[:4] == ["Kind of edit", "Mineral", "Supplier country or group", "Cut percent"]
    assert "OK: save the edit" in names[4:] or "Cancel: discard the edit" in names[4:]


def test_preset_fractions_show_as_percent_of_the_moved_value(qtbot, choices):
    from mineral_workbench.core.scenario import SourcingShift

    dialog = EditDialog(choices, SourcingShift("antimony", "CHN", {"BOL": 0.5, "BEL": 0.5}, 50))
    qtbot.addWidget(dialog)
    assert dialog.edit().to == {"BOL": 50, "BEL": 50}      # the core normalizes either form
