"""The suppliers panel: exactly the core's suppliers of the selected mineral with a rest row,
group membership, the baseline share beside a scenario's, and share edits as requests (only for
real countries). Real widgets, the real core."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox

from edit_support import (EDIT, FONT, TOOLTIP, Recorder, active_editor, analysis_of,  # noqa: F401
                          backend, column_values, commit, keep, loaded, share_index, suppliers_panel)
from mineral_workbench.core.reference import load_reference
from mineral_workbench.core.scenario import ShareOverride
from mineral_workbench.gui.edit_delegates import OVERRIDDEN_ROLE
from mineral_workbench.gui.suppliers_panel import (BASELINE, OTHERS, SHARE, RawValueRole,
                                                   is_country, supplier_rows)


# --- suppliers panel --------------------------------------------------------------------------

def test_suppliers_show_exactly_the_cores_shares(qtbot, analysis_of):
    analysis = analysis_of()
    panel, selection = suppliers_panel(qtbot, analysis)
    core = analysis.result.suppliers["gallium"]
    assert panel.mineral == "gallium" and panel.mineral_box.currentText() == "gallium"
    assert column_values(panel, 1) == [s["partner_code"] for s in core]   # sums to 100%: no rest row
    assert column_values(panel, SHARE) == [s["share"] for s in core]
    assert column_values(panel, 2) == [s["value_usd"] for s in core]
    assert panel.model.index(3, 0).data() == "China" and panel.model.index(3, SHARE).data() == "17.2%"
    group = load_reference().group_members("foreign_adversaries")
    assert column_values(panel, 5) == ["yes" if s["partner_code"] in group else "no" for s in core]
    assert panel.table.isColumnHidden(BASELINE)
    assert "$25.1 M of imports" in panel.summary.text()
    selection.select(["chromium", "gallium"])                       # the first selected mineral
    assert panel.mineral == "chromium"


def test_the_rest_of_the_partners_is_one_row_that_is_not_editable(qtbot, analysis_of):
    analysis = analysis_of()
    panel, _ = suppliers_panel(qtbot, analysis, "chromium")
    core = analysis.result.suppliers["chromium"]
    last = panel.model.rowCount() - 1
    assert panel.model.rowCount() == len(core) + 1
    assert panel.model.index(last, 0).data() == OTHERS
    assert panel.model.index(last, SHARE).data(RawValueRole) == pytest.approx(
        1 - sum(s["share"] for s in core))
    assert panel.model.index(last, 2).data(RawValueRole) == pytest.approx(
        analysis.result.minerals.at["chromium", "import_value_usd"] - sum(s["value_usd"] for s in core))
    assert not panel.model.index(last, SHARE).flags() & Qt.ItemFlag.ItemIsEditable
    assert panel.model.index(0, SHARE).flags() & Qt.ItemFlag.ItemIsEditable


def test_aggregate_and_unmapped_partners_are_not_editable():
    assert is_country("CHN") and not is_country("NES") and not is_country("UNMAPPED:Atlantis")
    assert not is_country("EUN") and not is_country("")
    suppliers = [{"partner_code": "CHN", "partner": "China", "value_usd": 60.0, "share": 0.6},
                 {"partner_code": "NES", "partner": "Areas, nes", "value_usd": 30.0, "share": 0.3},
                 {"partner_code": "UNMAPPED:Atlantis", "partner": "Atlantis", "value_usd": 10.0,
                  "share": 0.1}]
    result = SimpleNamespace(suppliers={"x": suppliers},
                             minerals=pd.DataFrame({"import_value_usd": [100.0]}, index=["x"]))
    analysis = SimpleNamespace(result=result, baseline=result, scenario=None,
                               options=SimpleNamespace(group="g"))
    rows = supplier_rows(analysis, "x", frozenset({"CHN"}))
    assert [(r.partner_code, r.editable, r.in_group) for r in rows] == [
        ("CHN", True, "yes"), ("NES", False, ""), ("UNMAPPED:Atlantis", False, "")]


def test_editing_a_share_requests_it(qtbot, analysis_of):
    panel, _ = suppliers_panel(qtbot, analysis_of(), show=True)
    handler = Recorder()
    panel.set_edit_handler(handler)
    index = share_index(panel, "CHN")
    assert index.data(EDIT) == pytest.approx(17.162013, abs=1e-6)
    with qtbot.waitSignal(panel.share_edit_requested) as signal:
        assert panel.model.setData(index, 40, EDIT)
    assert signal.args == ["gallium", "CHN", 40.0]
    assert not panel.model.setData(index, 17.16, EDIT)            # unchanged at 2 decimals
    assert not panel.model.setData(index, 140, EDIT)
    table = panel.table
    table.setFocus()
    table.setCurrentIndex(share_index(panel, "JPN"))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    spin = active_editor(table, QDoubleSpinBox)
    assert spin.value() == pytest.approx(23.99, abs=0.01)
    qtbot.keyClicks(spin, "40")
    commit(qtbot, table, spin)
    assert handler.calls == [("gallium", "CHN", 40.0), ("gallium", "JPN", 40.0)]
    assert share_index(panel, "JPN").data() == "24.0%"           # until the recompute


def test_a_share_override_is_marked_beside_the_baseline(qtbot, analysis_of):
    analysis = analysis_of(ShareOverride("gallium", "CHN", 40))
    panel, _ = suppliers_panel(qtbot, analysis)
    assert not panel.table.isColumnHidden(BASELINE)
    china = share_index(panel, "CHN")
    assert china.data(RawValueRole) == pytest.approx(0.40)
    assert china.sibling(china.row(), BASELINE).data(RawValueRole) == pytest.approx(0.1716201, abs=1e-6)
    assert china.data(OVERRIDDEN_ROLE) and china.data(FONT).italic()
    assert china.data(TOOLTIP) == "Scenario: 40.00% (baseline: 17.16%)"
    japan = share_index(panel, "JPN")
    assert not japan.data(OVERRIDDEN_ROLE)
    assert japan.data(RawValueRole) < japan.sibling(japan.row(), BASELINE).data(RawValueRole)
    assert sum(column_values(panel, SHARE)) == pytest.approx(1.0)
    assert "baseline" in panel.summary.text()


def test_the_combo_picks_a_mineral_and_selects_it_everywhere(qtbot, analysis_of):
    panel, selection = suppliers_panel(qtbot, analysis_of())
    box = panel.mineral_box
    box.setCurrentIndex(box.findText("cobalt"))
    box.activated.emit(box.currentIndex())
    assert panel.mineral == "cobalt" and selection.minerals == ["cobalt"]
    panel.clear()
    assert panel.model.rowCount() == 0 and box.count() == 0


def test_suppliers_model_passes_the_qt_model_tester(keep, qtmodeltester, qtbot, analysis_of):
    panel, selection = suppliers_panel(qtbot, analysis_of(ShareOverride("gallium", "CHN", 40)),
                                       keep=keep)
    qtmodeltester.check(panel.model, force_py=True)
    selection.select(["chromium"])
    panel.model.setData(panel.model.index(0, SHARE), 50, EDIT)
    panel.clear()
    panel.show_analysis(analysis_of())
