"""What-if editing in the real window: an edit becomes an undo command, every view shows the
scenario's numbers after the recompute, and Undo brings the baseline back exactly."""

import pandas as pd
import pytest

from gui_support import SAMPLE, WAIT_MS, assert_table_matches, load_and_wait, make_window  # noqa: F401
from mineral_workbench.core.analysis import load_sources
from mineral_workbench.core.scenario import NirOverride, Scenario, SupplyCut
from mineral_workbench.core.whatif import compute_scenario, load_presets
from mineral_workbench.gui.core_bridge import default_options


@pytest.fixture(scope="module")
def loaded():
    return load_sources([SAMPLE])


def edit_and_wait(qtbot, window, action):
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS) as shown:
        assert action() is not False
    return shown.args[0]


def test_typing_a_nir_recomputes_every_view_and_undo_restores(qtbot, make_window, loaded):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    baseline = window.current.result.minerals.copy()
    controller = window.scenarios.controller
    analysis = edit_and_wait(qtbot, window, lambda: controller.set_nir("gallium", "40"))
    expected = compute_scenario(loaded, default_options(), Scenario("x", (NirOverride("gallium", 40),)))
    assert analysis.scenario_name == "Scenario 1"
    assert_table_matches(window.minerals.model, expected.result.minerals)
    assert_table_matches(window.sectors.rollup.model, expected.result.sectors)
    assert window.current.result.minerals.loc["gallium", "car"] == pytest.approx(
        0.40 * baseline.loc["gallium", "group_share"])
    assert window.summary_label.text().startswith("Scenario: Scenario 1 · ")
    assert window.scenarios.undo.text() == ("&Undo Set gallium net import reliance to 40% "
                                          "(new scenario 'Scenario 1')")
    assert window.scenarios.undo.isEnabled() and not window.scenarios.redo.isEnabled()
    analysis = edit_and_wait(qtbot, window, window.scenarios.undo.trigger)
    assert analysis.scenario is None and window.scenarios.store.scenarios() == []
    pd.testing.assert_frame_equal(window.current.result.minerals, baseline)
    analysis = edit_and_wait(qtbot, window, window.scenarios.redo.trigger)
    assert analysis.result.minerals.loc["gallium", "nir_pct"] == 40


def test_a_refused_edit_says_why_and_changes_nothing(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    assert window.scenarios.controller.set_nir("gallium", "150") is False
    assert "between 0 and 100" in window.statusBar().currentMessage()
    assert window.scenarios.store.undo_stack.count() == 0


def test_picking_a_scenario_shows_it_and_the_baseline_comes_back(qtbot, make_window, loaded):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    store = window.scenarios.store
    ban = next(p for p in load_presets() if p.preset_id == "cn_ga_ge_sb_us_ban_2024")
    analysis = edit_and_wait(qtbot, window, lambda: store.add(ban))
    expected = compute_scenario(loaded, default_options(), ban)
    pd.testing.assert_frame_equal(analysis.scenario.deltas["minerals"], expected.deltas["minerals"])
    assert analysis.result.minerals.loc["gallium", "consumption_lost"] > 0
    analysis = edit_and_wait(qtbot, window, lambda: store.set_active(None))
    assert analysis.scenario is None
    analysis = edit_and_wait(qtbot, window, lambda: store.add_edit(ban.name, SupplyCut("cobalt", "CHN", 10))
                             or store.set_active(ban.name))
    assert analysis.scenario_name == ban.name and len(analysis.scenario.scenario.edits) == 4


def test_assumptions_round_trip_through_the_edit_menu_is_one_undoable_edit(qtbot, make_window,
                                                                            monkeypatch, tmp_path):
    import openpyxl
    from PySide6.QtWidgets import QFileDialog

    from mineral_workbench.gui import assumptions_dialog

    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    target = tmp_path / "assumptions.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(target), "")))
    export, back = window.scenarios.assumption_actions
    export.trigger()
    book = openpyxl.load_workbook(target)                     # the analyst edits it in Excel
    nir = book["NIR"]
    column = next(c.column for c in nir[1] if c.value == "NIR %")
    row = next(c.row for c in nir["A"] if c.value == "antimony")
    nir.cell(row, column).value = 40
    book.save(target)
    asked = []
    monkeypatch.setattr(assumptions_dialog, "ask_apply_assumptions",
                        lambda parent, plan, name: asked.append(plan.changes) or True)
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        back.trigger()
    assert asked == [["Antimony NIR: 85% → 40%"]]
    store = window.scenarios.store
    assert store.undo_stack.count() == 1 and store.active().edits == (NirOverride("antimony", 40.0, "="),)
    assert window.current.result.minerals.loc["antimony", "nir_pct"] == 40
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.scenarios.undo.trigger()
    assert store.scenarios() == [] and window.current.scenario is None
