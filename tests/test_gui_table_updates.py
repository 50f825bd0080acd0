"""Recomputes update the result tables in place: a frame (or sector matrix) with the same
columns and the same rows announces only the cells that changed (`dataChanged`), or
`layoutChanged` when the sort order moved rows, instead of a model reset. Selection, current
cell and sort survive by themselves, the models stay valid Qt models, and the views paint
kept colours and scenario markers exactly where the delegates used to."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor

from edit_support import (EDIT, TOOLTIP, analysis_of, backend, keep, loaded, matrix_index,  # noqa: F401
                          minerals_panel, nir_index, sectors_panel)
from mineral_workbench.core.scenario import ImportanceOverride, NirOverride
from mineral_workbench.gui.columns import MINERAL_COLUMNS
from mineral_workbench.gui.edit_delegates import MARKER_COLOR, OVERRIDDEN_ROLE
from mineral_workbench.gui.editable_model import EditableFrameModel
from mineral_workbench.gui.formatters import ColumnSpec, Kind
from mineral_workbench.gui.frame_columns import FrameColumn
from mineral_workbench.gui.frame_model import FrameTableModel
from mineral_workbench.gui.sector_matrix import LEVEL_COLORS

NAN = math.nan
SELECT = QItemSelectionModel.SelectionFlag.Select
NO_UPDATE = QItemSelectionModel.SelectionFlag.NoUpdate


def frame(**changes) -> pd.DataFrame:
    base = pd.DataFrame({
        "hhi": [4531.6, 10000.0, 2500.0, NAN, 1999.5],
        "top_supplier": ["China", "Canada", None, "Japan", "china"],
        "nir_pct": [100.0, 75.0, NAN, 50.0, 12.5],
        "nir_qualifier": ["=", "=", "NA", ">", "E"],
        "car": [0.632, 0.0, NAN, 0.25, 0.0],
    }, index=pd.Index(["gallium", "cobalt", "rare earths", "germanium", "tungsten"], name="mineral"))
    for key, (row, value) in changes.items():
        base.loc[row, key] = value
    return base


class Signals:
    """Counts a model's structural signals and records its dataChanged rectangles."""

    def __init__(self, model):
        self.resets, self.layouts, self.changed = 0, 0, []
        model.modelReset.connect(self._reset)
        model.layoutChanged.connect(self._layout)
        model.dataChanged.connect(lambda a, b, *_: self.changed.append(
            (a.row(), a.column(), b.row(), b.column())))

    def _reset(self):
        self.resets += 1

    def _layout(self, *_):
        self.layouts += 1


@pytest.fixture
def model(qapp) -> FrameTableModel:
    model = FrameTableModel(MINERAL_COLUMNS, filter_key="mineral")
    model.set_frame(frame())
    return model


def col(model, key: str) -> int:
    return model.column_of(key)


def shown(model, key: str) -> list[str]:
    return [model.index(r, col(model, key)).data() for r in range(model.rowCount())]


# --- the column comparison ------------------------------------------------------------------

def test_changed_rows_treats_missing_as_equal_and_empty_text_as_a_value():
    numbers = FrameColumn(ColumnSpec("x", "X", Kind.NUMBER), values=np.array([1.0, NAN, 3.0, NAN]))
    same = FrameColumn(numbers.spec, values=np.array([1.0, NAN, 3.0, NAN]))
    other = FrameColumn(numbers.spec, values=np.array([1.0, NAN, 4.0, 0.0]))
    assert numbers.changed_rows(same) is None
    assert numbers.changed_rows(other).tolist() == [False, False, True, True]
    text = FrameColumn(ColumnSpec("t", "T"), text=pa.array(["a", None, "", "b"], type=pa.large_string()))
    new = FrameColumn(text.spec, text=pa.array(["a", None, None, "c"], type=pa.large_string()))
    assert text.changed_rows(FrameColumn(text.spec, text=text.text)) is None
    assert text.changed_rows(new).tolist() == [False, False, True, True]


# --- FrameTableModel ------------------------------------------------------------------------

def test_a_recompute_announces_only_the_changed_cells_and_keeps_the_selection(model):
    selection = QItemSelectionModel(model)
    selection.select(model.index(3, 0), SELECT | QItemSelectionModel.SelectionFlag.Rows)
    selection.setCurrentIndex(model.index(3, col(model, "car")), NO_UPDATE)
    signals = Signals(model)
    model.set_frame(frame(nir_pct=("gallium", 90.0), car=("gallium", 0.5)))
    assert (signals.resets, signals.layouts) == (0, 0)
    nir, car = col(model, "nir_pct"), col(model, "car")
    assert sorted(signals.changed) == sorted({(0, nir, 0, nir), (0, car, 0, car)}) or \
        signals.changed == [(0, min(nir, car), 0, max(nir, car))]  # adjacent columns merge
    assert model.index(0, nir).data() == "90%" and model.index(0, car).data() == "50.0%"
    assert [i.row() for i in selection.selectedRows()] == [3]
    assert selection.currentIndex() == model.index(3, car)


def test_an_unchanged_recompute_announces_nothing(model):
    signals = Signals(model)
    model.set_frame(frame())
    assert (signals.resets, signals.layouts, signals.changed) == (0, 0, [])


def test_missing_text_becoming_text_is_a_change(model):
    signals = Signals(model)
    model.set_frame(frame(top_supplier=("rare earths", "Chile")))
    supplier = col(model, "top_supplier")
    assert signals.changed == [(2, supplier, 2, supplier)]
    assert model.index(2, supplier).data() == "Chile"


def test_a_recompute_that_reorders_the_sorted_column_moves_rows_and_selection(model):
    model.sort(col(model, "car"), Qt.SortOrder.DescendingOrder)
    assert shown(model, "mineral")[:2] == ["gallium", "germanium"]
    selection = QItemSelectionModel(model)
    [cobalt] = model.view_rows_where("mineral", ["cobalt"])
    selection.select(model.index(cobalt, 0), SELECT)
    selection.setCurrentIndex(model.index(cobalt, 0), NO_UPDATE)
    signals = Signals(model)
    model.set_frame(frame(car=("cobalt", 0.9)))
    assert (signals.resets, signals.layouts) == (0, 1)
    assert shown(model, "mineral") == ["cobalt", "gallium", "germanium", "tungsten", "rare earths"]
    fresh = FrameTableModel(MINERAL_COLUMNS, filter_key="mineral")
    fresh.set_frame(frame(car=("cobalt", 0.9)))
    fresh.sort(col(fresh, "car"), Qt.SortOrder.DescendingOrder)
    assert shown(model, "mineral") == shown(fresh, "mineral")
    assert [i.data() for i in selection.selectedIndexes()] == ["cobalt"]
    assert selection.currentIndex().data() == "cobalt"


def test_a_sort_column_recompute_that_keeps_the_order_is_just_data(model):
    model.sort(col(model, "car"), Qt.SortOrder.DescendingOrder)
    signals = Signals(model)
    model.set_frame(frame(car=("gallium", 0.7)))
    assert (signals.resets, signals.layouts) == (0, 0)
    assert signals.changed == [(0, col(model, "car"), 0, col(model, "car"))]


def test_the_filter_applies_to_recomputed_text(qapp):
    model = FrameTableModel(MINERAL_COLUMNS, filter_key="top_supplier")
    model.set_frame(frame())
    model.set_filter_text("chin")
    assert shown(model, "mineral") == ["gallium", "tungsten"]
    signals = Signals(model)
    model.set_frame(frame(top_supplier=("tungsten", "CHINA")))     # still passes: in place
    supplier = col(model, "top_supplier")
    assert (signals.resets, signals.changed) == (0, [(1, supplier, 1, supplier)])
    model.set_frame(frame(top_supplier=("cobalt", "China")))      # another row passes now
    assert signals.resets == 1
    assert shown(model, "mineral") == ["gallium", "cobalt", "tungsten"]


@pytest.mark.parametrize("other", [
    frame().drop(index="tungsten"),                               # a row less
    frame().rename(index={"tungsten": "nickel"}),                 # other rows
    frame().iloc[::-1],                                           # same rows, another order
    frame().drop(columns=["hhi"]),                                # a column less
    None,
], ids=["fewer-rows", "other-keys", "reordered", "fewer-columns", "none"])
def test_anything_but_a_recompute_resets(model, other):
    signals = Signals(model)
    model.set_frame(other)
    assert signals.resets == 1 and signals.changed == []


def test_frames_without_a_named_index_are_matched_by_their_filter_column(qapp):
    sectors = pd.DataFrame({"sector": ["Energy", "Dams", "Chemical"], "weakest_link": [0.4, 0.1, 0.2]})
    model = FrameTableModel(filter_key="sector")
    model.set_frame(sectors)
    signals = Signals(model)
    model.set_frame(sectors.assign(weakest_link=[0.4, 0.3, 0.2]))
    assert (signals.resets, signals.changed) == (0, [(1, 1, 1, 1)])
    model.set_frame(sectors.assign(sector=["Energy", "Water", "Chemical"]))
    assert signals.resets == 1


def test_model_tester_passes_through_in_place_updates(qtmodeltester, model):
    qtmodeltester.check(model, force_py=True)        # stays connected and checks every signal
    model.sort(col(model, "car"), Qt.SortOrder.DescendingOrder)
    model.set_filter_text("ium")
    model.set_frame(frame(car=("germanium", 0.9)))  # reorders within the filter
    model.set_frame(frame(car=("germanium", 0.9), hhi=("gallium", 1.0)))
    model.set_frame(frame(top_supplier=("cobalt", "Peru")))
    qtmodeltester.check(model, force_py=True)


# --- editable minerals table ----------------------------------------------------------------

def test_an_edit_recompute_updates_the_mark_in_place(qapp):
    model = EditableFrameModel(MINERAL_COLUMNS, editable={"nir_pct"}, filter_key="mineral")
    baseline = frame()
    model.set_frame(frame(), baseline=baseline)
    signals = Signals(model)
    model.set_frame(frame(nir_pct=("cobalt", 90.0)), baseline=baseline.copy())
    nir = col(model, "nir_pct")
    assert (signals.resets, signals.changed) == (0, [(1, nir, 1, nir)])
    assert model.is_overridden(1, "nir_pct") and model.index(1, nir).data(EDIT) == "90"
    assert model.index(1, nir).data(TOOLTIP) == "Scenario: 90% (baseline: 75%)"
    model.set_frame(frame(nir_pct=("cobalt", 90.0)), baseline=frame(nir_pct=("cobalt", 90.0)))
    assert not model.is_overridden(1, "nir_pct")                   # a new baseline is read
    assert signals.changed[-1] == (1, nir, 1, nir)
    model.set_frame(frame(nir_qualifier=("gallium", ">")), baseline=baseline)
    assert model.index(0, nir).data(EDIT) == ">100" and model.is_overridden(0, "nir_pct")


def test_editable_model_tester_passes_through_in_place_updates(keep, qtmodeltester, qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of(), keep=keep)
    qtmodeltester.check(panel.model, force_py=True)
    panel.model.sort(panel.model.column_of("car"), Qt.SortOrder.DescendingOrder)
    for analysis in (analysis_of(NirOverride("gallium", 90)), analysis_of(NirOverride("gallium", 10)),
                     analysis_of()):
        panel.set_frame(analysis.result.minerals, baseline=analysis.baseline.minerals)


def test_the_current_cell_stays_on_the_edited_row_through_a_reordering_recompute(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of(), show=True)
    model, table = panel.model, panel.table
    model.sort(model.column_of("car"), Qt.SortOrder.DescendingOrder)
    table.setCurrentIndex(nir_index(panel, "gallium"))
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    for nir in (10, 90, 55):                 # the baseline says 100
        analysis = analysis_of(NirOverride("gallium", nir))
        panel.set_frame(analysis.result.minerals, baseline=analysis.baseline.minerals)
        assert table.currentIndex() == nir_index(panel, "gallium")
        assert nir_index(panel, "gallium").data(OVERRIDDEN_ROLE)
    assert resets == []
    car = [model.raw_value(r, model.column_of("car")) for r in range(model.rowCount())]
    assert car == sorted(car, key=lambda v: (v != v, -v if v == v else 0))


# --- sector matrix --------------------------------------------------------------------------

def test_a_matrix_recompute_repaints_only_the_changed_row(qtbot, analysis_of):
    panel = sectors_panel(qtbot, analysis_of())
    model, view = panel.model, panel.view
    [cobalt] = model.rows_of(["cobalt"])
    view.selectionModel().select(model.index(cobalt, 0), SELECT | QItemSelectionModel.SelectionFlag.Rows)
    signals = Signals(model)
    panel.show_analysis(analysis_of(NirOverride("gallium", 90)))    # CaR of gallium changes
    [gallium] = model.rows_of(["gallium"])
    assert (signals.resets, signals.layouts) == (0, 0)
    assert signals.changed == [(gallium, 0, gallium, model.columnCount() - 1)]
    assert model.minerals_at([r.row() for r in view.selectionModel().selectedRows()]) == ["cobalt"]
    signals.changed.clear()
    panel.show_analysis(analysis_of(NirOverride("gallium", 90),
                                    ImportanceOverride("gallium", "sector:Energy", "high")))
    energy = matrix_index(panel).column()
    assert signals.changed == [(gallium, energy, gallium, energy)]
    assert matrix_index(panel).data() == "H" and matrix_index(panel).data(OVERRIDDEN_ROLE)


def test_a_matrix_sorted_by_car_reorders_when_car_changes(qtbot, analysis_of):
    panel = sectors_panel(qtbot, analysis_of())
    model = panel.model
    model.sort(1, Qt.SortOrder.DescendingOrder)
    signals = Signals(model)
    panel.show_analysis(analysis_of(NirOverride("gallium", 10)))    # 13th → 31st by CaR
    assert (signals.resets, signals.layouts) == (0, 1)
    car = [model.matrix.car[model.matrix.row_of(m)] for m in model.minerals_at(range(model.rowCount()))]
    known = [c for c in car if c == c]
    assert known == sorted(known, reverse=True) and car[:len(known)] == known


def test_matrix_model_tester_passes_through_in_place_updates(keep, qtmodeltester, qtbot, analysis_of):
    panel = sectors_panel(qtbot, analysis_of(), keep=keep)
    qtmodeltester.check(panel.model, force_py=True)
    panel.model.sort(1, Qt.SortOrder.DescendingOrder)
    for edits in ((NirOverride("gallium", 100),), (NirOverride("gallium", 5),),
                  (ImportanceOverride("cobalt", "sector:Energy", "none"),), ()):
        panel.show_analysis(analysis_of(*edits))


def test_the_matrix_view_paints_kept_colours_and_markers(qtbot, analysis_of):
    analysis = analysis_of(ImportanceOverride("gallium", "sector:Energy", "high"))
    panel = sectors_panel(qtbot, analysis, show=True)
    model, view = panel.model, panel.view
    index = matrix_index(panel)                                     # gallium × Energy: H, set
    plain = matrix_index(panel, "cobalt", "Energy")                 # M, not selected
    view.selectionModel().select(index, SELECT | QItemSelectionModel.SelectionFlag.Rows)
    view.scrollTo(index)
    image = view.viewport().grab().toImage()
    cell, other = view.visualRect(index), view.visualRect(plain)
    high, medium = QColor(LEVEL_COLORS[3]), QColor(LEVEL_COLORS[2])
    highlight = view.palette().color(view.palette().ColorGroup.Active, view.palette().ColorRole.Highlight)
    assert image.pixelColor(cell.left() + 1, cell.center().y()) == highlight      # the frame
    assert image.pixelColor(cell.left() + 5, cell.top() + 5) == high              # kept colour
    assert image.pixelColor(cell.right() - 1, cell.top() + 1) == MARKER_COLOR     # the marker
    assert image.pixelColor(other.left() + 5, other.top() + 5) == medium
    assert image.pixelColor(other.right() - 1, other.top() + 1) == medium         # no marker
    empty = model.index(index.row(), 2 + model.matrix.sector_names.index("Dams"))
    assert image.pixelColor(view.visualRect(empty).center()) == highlight


def test_a_row_moved_by_a_recompute_is_scrolled_back_into_sight(qtbot, analysis_of):
    panel = minerals_panel(qtbot, analysis_of(), show=True)
    panel.resize(900, 260)
    model, table = panel.model, panel.table
    model.sort(model.column_of("car"), Qt.SortOrder.DescendingOrder)
    table.setCurrentIndex(nir_index(panel, "gallium"))
    table.scrollTo(table.currentIndex())
    assert table.viewport().rect().contains(table.visualRect(table.currentIndex()))
    before = table.currentIndex().row()
    analysis = analysis_of(NirOverride("gallium", 10))              # CaR falls: 13th → 31st
    panel.set_frame(analysis.result.minerals, baseline=analysis.baseline.minerals)
    assert table.currentIndex() == nir_index(panel, "gallium") and table.currentIndex().row() > before
    assert table.viewport().rect().contains(table.visualRect(table.currentIndex()))
