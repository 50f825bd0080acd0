"""Edits made directly in the tables: NIR in the minerals table and importance cells in the
sector matrix (supplier shares: test_gui_suppliers_panel.py). Edits are requests, never changes
to the shown data; cells the shown scenario set are marked; the models stay valid Qt models;
and end to end, through the real session and scenario controller, an edit is one undoable
scenario edit whose recomputed result comes back marked. Real widgets, the real core."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from edit_support import (BACKGROUND, EDIT, FONT, SAMPLE, TOOLTIP, Recorder, active_editor,  # noqa: F401
                          analysis_of, backend, commit, keep, loaded, matrix_index, minerals_panel,
                          nir_index, sectors_panel, share_index)
from mineral_workbench.core.reference import load_reference
from mineral_workbench.core.scenario import ImportanceOverride, NirOverride, ShareOverride
from mineral_workbench.gui.columns import MINERAL_COLUMNS
from mineral_workbench.gui.core_bridge import CoreBackend
from mineral_workbench.gui.edit_delegates import OVERRIDDEN_ROLE
from mineral_workbench.gui.editable_model import OVERRIDE_TINT, EditableFrameModel
from mineral_workbench.gui.frame_model import FrameTableModel
from mineral_workbench.gui.panels import TablePanel
from mineral_workbench.gui.sector_matrix import EXPOSURE, SectorsPanel
from mineral_workbench.gui.selection import MineralSelection
from mineral_workbench.gui.suppliers_panel import RawValueRole, SuppliersPanel


# --- minerals table: NIR -----------------------------------------------------------------------

def test_only_the_named_columns_are_editable_and_read_only_tables_keep_the_plain_model(
        qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of())
    model = panel.model
    assert isinstance(model, EditableFrameModel)
    nir = model.column_of("nir_pct")
    editable = [c for c in range(model.columnCount()) if model.index(0, c).flags() & Qt.ItemFlag.ItemIsEditable]
    assert editable == [nir]
    plain = TablePanel(MINERAL_COLUMNS, noun="minerals")
    qtbot.addWidget(plain)
    plain.set_frame(analysis_of().result.minerals)
    assert type(plain.model) is FrameTableModel and not plain.editable
    assert not plain.model.index(0, nir).flags() & Qt.ItemFlag.ItemIsEditable


def test_the_editor_starts_with_nir_written_as_usgs_writes_it(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of())
    text = {m: nir_index(panel, m).data(EDIT) for m in
            ("gallium", "germanium", "beryllium", "hafnium", "tellurium", "aluminum")}
    assert text == {"gallium": "100", "germanium": ">50", "beryllium": "E", "hafnium": "NA",
                    "tellurium": "<25", "aluminum": "47"}


def test_set_data_requests_the_edit_and_never_changes_the_frame(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of())
    handler = Recorder()
    panel.set_edit_handler(handler)
    index = nir_index(panel)
    with qtbot.waitSignal(panel.edit_requested) as signal:
        assert panel.model.setData(index, " 90 ", EDIT) is True
    assert signal.args == ["gallium", "nir_pct", "90"]
    assert handler.calls == [("gallium", "nir_pct", "90")]
    assert index.data() == "100%" and index.data(EDIT) == "100"   # until the recompute lands
    assert panel.model.setData(index, "100", EDIT) is False       # unchanged: no request
    assert panel.model.setData(panel.model.index(0, 0), "x", EDIT) is False
    assert len(handler.calls) == 1


def test_a_refused_edit_leaves_the_cell_as_it_was(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of(), show=True)
    handler = Recorder(verdict=False)
    panel.set_edit_handler(handler)
    index = nir_index(panel)
    assert panel.model.setData(index, "abc", EDIT) is False
    panel.table.setCurrentIndex(index)
    panel.table.edit(index)
    editor = active_editor(panel.table, QLineEdit)
    qtbot.keyClicks(editor, "150")
    commit(qtbot, panel.table, editor)
    assert handler.calls == [("gallium", "nir_pct", "abc"), ("gallium", "nir_pct", "150")]
    assert index.data() == "100%" and not index.data(OVERRIDDEN_ROLE)


def test_typing_in_a_real_editor_commits_with_enter(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of(), show=True)
    handler = Recorder()
    panel.set_edit_handler(handler)
    index = nir_index(panel)
    table = panel.table
    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, Qt.Key.Key_Return)                 # Enter opens the editor ...
    editor = active_editor(table, QLineEdit)
    assert editor.text() == "100" and editor.selectedText() == "100"
    qtbot.keyClicks(editor, "90")                            # ... typing replaces the text
    commit(qtbot, table, editor)
    assert handler.calls == [("gallium", "nir_pct", "90")]
    qtbot.keyClick(table, Qt.Key.Key_F2)                     # F2 too
    editor = active_editor(table, QLineEdit)
    qtbot.keyClicks(editor, ">75")
    commit(qtbot, table, editor, Qt.Key.Key_Enter)
    assert handler.calls[-1] == ("gallium", "nir_pct", ">75")


def test_a_scenario_value_is_marked_with_the_baseline_in_the_tooltip(qtbot, analysis_of):
    analysis = analysis_of(NirOverride("gallium", 90))
    panel = minerals_panel(qtbot, analysis)
    index = nir_index(panel)
    assert index.data() == "90%" and index.data(EDIT) == "90"
    assert index.data(OVERRIDDEN_ROLE) is True
    assert index.data(FONT).italic()
    assert index.data(BACKGROUND).color() == OVERRIDE_TINT
    assert index.data(TOOLTIP) == "Scenario: 90% (baseline: 100%)"
    marked = [panel.model.row_key(r) for r in range(panel.model.rowCount())
              if panel.model.is_overridden(r, "nir_pct")]
    assert marked == ["gallium"]
    other = nir_index(panel, "germanium")
    assert other.data(FONT) is None and other.data(BACKGROUND) is None
    assert other.data(TOOLTIP) == "NIR: 50%"
    panel.set_baseline(None)                                 # no baseline: nothing is marked
    assert not index.data(OVERRIDDEN_ROLE) and index.data(TOOLTIP) == "NIR: 90%"
    panel.set_baseline(analysis.baseline.minerals)
    assert index.data(OVERRIDDEN_ROLE)
    panel.set_frame(analysis_of().result.minerals)           # the baseline is kept ...
    assert not nir_index(panel).data(OVERRIDDEN_ROLE)        # ... and now equals the frame


def test_qualifier_and_words_count_as_changes(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of(NirOverride("gallium", 100, ">"),
                                              NirOverride("beryllium", float("nan"), "NA")))
    assert nir_index(panel).data(TOOLTIP) == "Scenario: >100% (baseline: 100%)"
    assert nir_index(panel, "beryllium").data(TOOLTIP) == "Scenario: NA (baseline: E)"


def test_clearing_an_overridden_cell_asks_for_the_baseline(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of(NirOverride("gallium", 90)))
    handler = Recorder()
    panel.set_edit_handler(handler)
    assert panel.model.setData(nir_index(panel), "", EDIT) is True
    assert panel.model.setData(nir_index(panel, "germanium"), "", EDIT) is False
    assert handler.calls == [("gallium", "nir_pct", "100")]


def test_edits_follow_the_mineral_through_sort_and_filter(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of(NirOverride("gallium", 90)))
    handler = Recorder()
    panel.set_edit_handler(handler)
    model = panel.model
    model.sort(model.column_of("nir_pct"), Qt.SortOrder.DescendingOrder)
    model.set_filter_text("ium")
    index = nir_index(panel)
    assert index.data(OVERRIDDEN_ROLE)
    model.setData(index, "80", EDIT)
    assert handler.calls == [("gallium", "nir_pct", "80")]


def test_editable_model_passes_the_qt_model_tester(keep, qtmodeltester, qtbot, analysis_of):
    analysis = analysis_of(NirOverride("gallium", 90))
    panel = minerals_panel(qtbot, analysis, keep=keep)
    qtmodeltester.check(panel.model, force_py=True)   # and it keeps checking every change:
    panel.model.sort(panel.model.column_of("car"), Qt.SortOrder.DescendingOrder)
    panel.model.set_filter_text("ium")
    panel.set_baseline(None)
    panel.set_frame(None)
    panel.set_frame(analysis.result.minerals, baseline=analysis.baseline.minerals)
    panel.model.setData(nir_index(panel), "80", EDIT)


# --- sector matrix: importance ------------------------------------------------------------------

def test_sector_names_are_the_reference_ones():
    assert "Energy" in set(load_reference().sectors["name"])


def test_importance_cells_request_a_level(qtbot, analysis_of):
    panel = sectors_panel(qtbot, analysis_of())
    handler = Recorder()
    panel.set_edit_handler(handler)
    index = matrix_index(panel)
    assert index.flags() & Qt.ItemFlag.ItemIsEditable
    assert not panel.model.index(index.row(), 1).flags() & Qt.ItemFlag.ItemIsEditable  # CaR
    assert index.data(EDIT) == "medium" and index.data() == "M"
    with qtbot.waitSignal(panel.importance_edit_requested) as signal:
        assert panel.model.setData(index, "high", EDIT)
    assert signal.args == ["gallium", "sector:Energy", "high"]
    assert handler.calls == [("gallium", "sector:Energy", "high")]
    assert index.data() == "M"                                     # until the recompute
    assert not panel.model.setData(index, "medium", EDIT)          # unchanged
    assert not panel.model.setData(index, "extreme", EDIT)
    handler.verdict = False
    assert panel.model.setData(index, "none", EDIT) is False
    assert handler.calls[-1] == ("gallium", "sector:Energy", "none")
    panel.set_mode(EXPOSURE)
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable


def test_the_combo_delegate_and_the_keyboard_edit_levels(qtbot, analysis_of):
    panel = sectors_panel(qtbot, analysis_of(), show=True)
    handler = Recorder()
    panel.set_edit_handler(handler)
    view, index = panel.view, matrix_index(panel)
    view.setFocus()
    view.setCurrentIndex(index)
    qtbot.keyClick(view, Qt.Key.Key_Return)                        # Enter opens the combo
    combo = active_editor(view, QComboBox)
    assert combo.currentData() == "medium"
    assert [combo.itemData(i) for i in range(combo.count())] == ["high", "medium", "low", "none"]
    combo.setCurrentIndex(combo.findData("high"))
    commit(qtbot, view, combo)
    assert handler.calls == [("gallium", "sector:Energy", "high")]
    view.edit(index)                                               # choosing an item commits
    combo = active_editor(view, QComboBox)
    combo.setCurrentIndex(combo.findData("low"))
    combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: view.state() != view.State.EditingState, timeout=5000)
    assert handler.calls[-1] == ("gallium", "sector:Energy", "low")
    qtbot.keyClick(view, Qt.Key.Key_N)                             # typing a level's letter
    assert handler.calls[-1] == ("gallium", "sector:Energy", "none")
    mining = matrix_index(panel, "gallium", "Chemical")
    view.setCurrentIndex(mining)
    qtbot.keyClick(view, Qt.Key.Key_H)
    assert handler.calls[-1] == ("gallium", "sector:Chemical", "high")
    assert len(handler.calls) == 4


def test_overridden_importance_is_marked_with_its_rationale(qtbot, analysis_of):
    analysis = analysis_of(ImportanceOverride("gallium", "sector:Energy", "high"),
                           ImportanceOverride("gallium", "sector:Information Technology", "none"))
    panel = sectors_panel(qtbot, analysis)
    index = matrix_index(panel)
    assert index.data() == "H" and index.data(OVERRIDDEN_ROLE) and index.data(FONT).italic()
    assert "scenario override" in index.data(TOOLTIP)
    assert "Scenario override (baseline: medium)" in index.data(TOOLTIP)
    cleared = matrix_index(panel, "gallium", "Information Technology")
    assert cleared.data() == "" and cleared.data(OVERRIDDEN_ROLE)
    assert cleared.data(TOOLTIP).endswith("no importance (scenario override)\n"
                                          "Scenario override (baseline: high)")
    plain = matrix_index(panel, "gallium", "Chemical")
    assert not plain.data(OVERRIDDEN_ROLE) and plain.data(FONT) is None


def test_matrix_model_passes_the_qt_model_tester(keep, qtmodeltester, qtbot, analysis_of):
    analysis = analysis_of(ImportanceOverride("gallium", "sector:Energy", "high"))
    panel = sectors_panel(qtbot, analysis, keep=keep)
    qtmodeltester.check(panel.model, force_py=True)
    panel.model.setData(matrix_index(panel), "low", EDIT)
    panel.set_mode(EXPOSURE)
    panel.model.sort(3, Qt.SortOrder.DescendingOrder)
    panel.clear()
    panel.show_analysis(analysis)


# --- end to end: the real session and scenario controller -----------------------------------------

@pytest.fixture
def live(qtbot):
    """A session over the sample, the scenario controller, and the three editable views wired
    the way the window wires them."""
    from mineral_workbench.gui.scenario_controller import ScenarioController
    from mineral_workbench.gui.session import AnalysisSession

    session = AnalysisSession(CoreBackend())
    controller = ScenarioController(session)
    selection = MineralSelection()
    minerals = TablePanel(MINERAL_COLUMNS, noun="minerals", filter_key="mineral", editable={"nir_pct"})
    sectors, suppliers = SectorsPanel(), SuppliersPanel(selection)
    for widget in (minerals, sectors, suppliers):
        qtbot.addWidget(widget)
    minerals.set_edit_handler(lambda mineral, _key, text: controller.set_nir(mineral, text))
    sectors.set_edit_handler(controller.set_importance)
    suppliers.set_edit_handler(controller.set_share)

    def show(analysis):
        minerals.set_frame(analysis.result.minerals, baseline=analysis.baseline.minerals)
        sectors.show_analysis(analysis)
        suppliers.show_analysis(analysis)
    session.analysis_ready.connect(show)
    with qtbot.waitSignal(session.analysis_ready, timeout=30_000):
        session.load([SAMPLE])
    selection.select(["gallium"])
    yield SimpleNamespace(session=session, store=controller.store, minerals=minerals,
                          sectors=sectors, suppliers=suppliers)
    assert session.shutdown(30_000)


def car_of(panel: TablePanel, mineral: str = "gallium") -> float:
    model = panel.model
    [row] = model.view_rows_where("mineral", [mineral])
    return model.raw_value(row, model.column_of("car"))


def test_typing_a_nir_becomes_an_undoable_scenario_edit(qtbot, live):
    panel, store = live.minerals, live.store
    panel.resize(1100, 600)
    panel.show()
    qtbot.waitExposed(panel)
    car = car_of(panel)
    index = nir_index(panel)
    panel.table.setFocus()
    panel.table.setCurrentIndex(index)
    with qtbot.waitSignal(live.session.analysis_ready, timeout=30_000):
        qtbot.keyClick(panel.table, "9")                     # typing on the cell opens the editor
        editor = active_editor(panel.table, QLineEdit)       # (with the key) and focuses it
        qtbot.keyClicks(editor, "0")
        commit(qtbot, panel.table, editor)
    [scenario] = store.scenarios()
    assert scenario.edits == (NirOverride("gallium", 90.0, "="),)
    index = nir_index(panel)
    assert index.data() == "90%" and index.data(TOOLTIP) == "Scenario: 90% (baseline: 100%)"
    assert car_of(panel) == pytest.approx(car * 0.9)
    assert panel.table.currentIndex() == index              # the edited cell stays current
    with qtbot.waitSignal(live.session.analysis_ready, timeout=30_000):
        store.undo_stack.undo()
    assert nir_index(panel).data() == "100%" and not nir_index(panel).data(OVERRIDDEN_ROLE)
    assert car_of(panel) == pytest.approx(car)


def test_matrix_and_share_edits_reach_the_store_and_come_back_marked(qtbot, live):
    with qtbot.waitSignal(live.session.analysis_ready, timeout=30_000):
        assert live.sectors.model.setData(matrix_index(live.sectors), "high", EDIT)
    assert live.store.active().edits == (ImportanceOverride("gallium", "sector:Energy", "high"),)
    assert matrix_index(live.sectors).data() == "H"
    assert "baseline: medium" in matrix_index(live.sectors).data(TOOLTIP)
    with qtbot.waitSignal(live.session.analysis_ready, timeout=30_000):
        assert live.suppliers.model.setData(share_index(live.suppliers, "CHN"), 40, EDIT)
    assert live.store.active().edits[-1] == ShareOverride("gallium", "CHN", 40.0)
    china = share_index(live.suppliers, "CHN")
    assert china.data(RawValueRole) == pytest.approx(0.40) and china.data(OVERRIDDEN_ROLE)
    group_share = live.session.current.result.minerals.at["gallium", "group_share"]
    assert group_share == pytest.approx(0.40)                # China is the only adversary supplier
    assert live.minerals.model.setData(nir_index(live.minerals), "abc", EDIT) is False  # refused
    assert len(live.store.active().edits) == 2
