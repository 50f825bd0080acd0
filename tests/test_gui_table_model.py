"""The pandas-backed table model: Qt contract, exact formatting, sort, filter, speed."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from mineral_workbench.gui.columns import MINERAL_COLUMNS, SECTOR_COLUMNS
from mineral_workbench.gui.formatters import ColumnSpec, Kind, display_formatter, exact_formatter
from mineral_workbench.gui.editable_model import EditableFrameModel
from mineral_workbench.gui.frame_columns import edit_texts, nir_texts, number_texts, with_unit
from mineral_workbench.gui.frame_model import FrameTableModel

NAN = math.nan
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ALIGN = Qt.ItemDataRole.TextAlignmentRole


def mineral_frame() -> pd.DataFrame:
    """Shaped like `AnalysisResult.minerals`, with the awkward cases: NaN, missing text, ties."""
    frame = pd.DataFrame(
        {
            "import_value_usd": [12_345.0, 1_234_567.0, 2_500_000_000.0, NAN, 98_765_432.1],
            "hhi": [4531.6, 10000.0, 2500.0, NAN, 1999.5],
            "top_supplier": ["China", "Canada", None, "Japan", "china"],
            "top_supplier_share": [0.632, 1.0, 0.35, NAN, 0.2],
            "group_share": [0.632, 0.0, NAN, 0.5, 0.2],
            "nir_pct": [100.0, 75.0, NAN, 50.0, 12.5],
            "nir_qualifier": ["=", "=", "NA", ">", "E"],
            "nir_edition": ["MCS 2025"] * 5,
            "car": [0.632, 0.0, NAN, 0.25, 0.0],
            "world_hhi": [9604.0, NAN, 5000.2, 3000.0, 1000.0],
            "group_world_share": [0.98, NAN, 0.7, 0.1, 0.05],
            "flags": ["NIR lower bound", "", "NIR n/a", "", "=SUM(A1)"],
        },
        index=pd.Index(["gallium", "cobalt", "rare earths", "Germanium", "tungsten"], name="mineral"),
    )
    return frame


@pytest.fixture
def model(qapp) -> FrameTableModel:
    model = FrameTableModel(MINERAL_COLUMNS, filter_key="mineral")
    model.set_frame(mineral_frame())
    return model


def column(model: FrameTableModel, key: str) -> int:
    col = model.column_of(key)
    assert col >= 0, key
    return col


def shown(model: FrameTableModel, key: str) -> list[str]:
    col = column(model, key)
    return [model.index(r, col).data(DISPLAY) for r in range(model.rowCount())]


# --- Qt model contract ---------------------------------------------------------------------

def test_model_passes_qt_model_tester_on_realistic_frame(qtmodeltester, model):
    qtmodeltester.check(model, force_py=True)
    model.sort(column(model, "group_share"), Qt.SortOrder.DescendingOrder)
    model.set_filter_text("ium")
    qtmodeltester.check(model, force_py=True)


@pytest.mark.parametrize("frame", [
    mineral_frame().iloc[0:0],                           # empty, all columns present
    None,                                                # nothing loaded yet
    mineral_frame().map(lambda _: NAN).rename_axis("mineral"),  # every cell missing
], ids=["empty", "none", "all-nan"])
def test_model_passes_qt_model_tester_on_degenerate_frames(qtmodeltester, qapp, frame):
    model = FrameTableModel(MINERAL_COLUMNS, filter_key="mineral")
    model.set_frame(frame)
    qtmodeltester.check(model, force_py=True)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    model.set_filter_text("x")
    qtmodeltester.check(model, force_py=True)


def test_all_missing_frame_shows_na_and_blank_text(qapp):
    model = FrameTableModel(MINERAL_COLUMNS)
    model.set_frame(mineral_frame().map(lambda _: NAN).rename_axis("mineral"))
    assert shown(model, "group_share") == ["n/a"] * 5
    assert shown(model, "top_supplier") == ["n/a"] * 5
    assert shown(model, "flags") == [""] * 5


def test_index_becomes_first_column_and_headers_come_from_specs(model):
    present = {"mineral", *mineral_frame().columns}
    assert model.columnCount() == len([s for s in MINERAL_COLUMNS if s.key in present]) == 13
    assert model.headerData(0, Qt.Orientation.Horizontal, DISPLAY) == "Mineral"
    assert model.headerData(2, Qt.Orientation.Horizontal, DISPLAY) == "HHI"
    assert "10,000" in model.headerData(2, Qt.Orientation.Horizontal, TOOLTIP)
    assert shown(model, "mineral") == ["gallium", "cobalt", "rare earths", "Germanium", "tungsten"]


def test_specs_for_missing_columns_are_skipped(qapp):
    model = FrameTableModel(SECTOR_COLUMNS)
    model.set_frame(pd.DataFrame({"sector": ["Energy"], "weakest_link": [0.4]}))
    assert [s.key for s in model.column_specs()] == ["sector", "weakest_link"]
    assert model.index(0, 1).data() == "40.0%"


def test_no_specs_shows_every_column_with_guessed_formats(qapp):
    model = FrameTableModel()
    model.set_frame(pd.DataFrame({"partner": ["CHN", "CAN"], "rows": [3, 1234567], "value": [0.5, NAN]}))
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == ["Partner", "Rows", "Value"]
    assert shown(model, "rows") == ["3", "1,234,567"]
    assert shown(model, "value") == ["0.5", "n/a"]


# --- exact formatting ----------------------------------------------------------------------

def test_cells_show_exactly_the_given_numbers_formatted(model):
    assert shown(model, "group_share") == ["63.2%", "0.0%", "n/a", "50.0%", "20.0%"]
    assert shown(model, "import_value_usd") == ["$12,345", "$1.2 M", "$2.50 B", "n/a", "$98.8 M"]
    assert shown(model, "hhi") == ["4,532", "10,000", "2,500", "n/a", "2,000"]
    assert shown(model, "nir_pct") == ["100%", "75%", "n/a", "50%", "12.5%"]
    assert shown(model, "top_supplier") == ["China", "Canada", "n/a", "Japan", "china"]
    assert shown(model, "flags") == ["NIR lower bound", "", "NIR n/a", "", "=SUM(A1)"]


def test_numbers_are_right_aligned_and_text_left(model):
    right = model.index(0, column(model, "hhi")).data(ALIGN)
    left = model.index(0, column(model, "mineral")).data(ALIGN)
    assert right & Qt.AlignmentFlag.AlignRight
    assert left & Qt.AlignmentFlag.AlignLeft


def test_tooltips_give_the_exact_value(model):
    share = model.index(0, column(model, "group_share")).data(TOOLTIP)
    assert share == "Group share: 0.632 (63.2%)"
    usd = model.index(4, column(model, "import_value_usd")).data(TOOLTIP)
    assert usd == "Import value: $98,765,432.10"
    hhi = model.index(0, column(model, "hhi")).data(TOOLTIP)
    assert hhi == "HHI: 4,531.6"
    missing = model.index(2, column(model, "group_share")).data(TOOLTIP)
    assert missing == "Group share: not available"


def test_raw_value_role_returns_the_unformatted_value(model):
    assert model.index(0, column(model, "group_share")).data(FrameTableModel.RawValueRole) == 0.632
    assert model.index(2, column(model, "top_supplier")).data(FrameTableModel.RawValueRole) is None
    assert math.isnan(model.raw_value(3, column(model, "hhi")))


def test_unserved_roles_return_none(model):
    index = model.index(0, 1)
    for role in (Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.FontRole,
                 Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
        assert model.data(index, role) is None


@pytest.mark.parametrize("kind, value, text", [
    (Kind.USD, 999_999.0, "$999,999"),
    (Kind.USD, 1_000_000.0, "$1.0 M"),
    (Kind.USD, -2_000_000.0, "-$2.0 M"),
    (Kind.USD, 0.0, "$0"),
    (Kind.PERCENT, 0.0006, "0.1%"),
    (Kind.PERCENT, 1.0, "100.0%"),
    (Kind.PERCENT_POINTS, 99.96, "100%"),
    (Kind.INTEGER, 0.4, "0"),
    (Kind.NUMBER, 1234.5, "1,234"),
    (Kind.NUMBER, 0.0123456, "0.01235"),
    (Kind.TEXT, None, "n/a"),
])
def test_formatters(kind, value, text):
    assert display_formatter(ColumnSpec("x", "X", kind))(value) == text


def test_exact_formatter_for_percent_points():
    assert exact_formatter(ColumnSpec("x", "X", Kind.PERCENT_POINTS))(12.345) == "12.345%"


# --- sorting -------------------------------------------------------------------------------

def test_sorting_by_number_puts_nan_last_in_both_directions(model):
    col = column(model, "group_share")
    model.sort(col, Qt.SortOrder.AscendingOrder)
    assert shown(model, "mineral") == ["cobalt", "tungsten", "Germanium", "gallium", "rare earths"]
    model.sort(col, Qt.SortOrder.DescendingOrder)
    assert shown(model, "mineral") == ["gallium", "Germanium", "tungsten", "cobalt", "rare earths"]


def test_sorting_is_stable_for_ties(model):
    model.sort(column(model, "car"), Qt.SortOrder.AscendingOrder)
    assert shown(model, "mineral") == ["cobalt", "tungsten", "Germanium", "gallium", "rare earths"]
    model.sort(column(model, "car"), Qt.SortOrder.DescendingOrder)
    assert shown(model, "mineral") == ["gallium", "Germanium", "cobalt", "tungsten", "rare earths"]


def test_sorting_text_ignores_case_and_puts_missing_last(model):
    model.sort(column(model, "mineral"), Qt.SortOrder.AscendingOrder)
    assert shown(model, "mineral") == ["cobalt", "gallium", "Germanium", "rare earths", "tungsten"]
    model.sort(column(model, "top_supplier"), Qt.SortOrder.DescendingOrder)
    assert shown(model, "top_supplier") == ["Japan", "China", "china", "Canada", "n/a"]


def test_sort_column_minus_one_restores_the_original_order(model):
    model.sort(column(model, "hhi"), Qt.SortOrder.DescendingOrder)
    model.sort(-1)
    assert shown(model, "mineral") == ["gallium", "cobalt", "rare earths", "Germanium", "tungsten"]


def test_sort_emits_layout_changed_and_keeps_persistent_indexes_on_their_rows(qtbot, model):
    selection = QItemSelectionModel(model)
    selection.select(model.index(1, 0), QItemSelectionModel.SelectionFlag.Select)  # cobalt
    with qtbot.waitSignal(model.layoutChanged, timeout=1000):
        model.sort(column(model, "hhi"), Qt.SortOrder.DescendingOrder)
    (index,) = selection.selectedIndexes()
    assert index.data() == "cobalt"
    assert index.row() == 0  # HHI 10,000 sorts first


def test_sort_survives_a_new_frame(model):
    model.sort(column(model, "hhi"), Qt.SortOrder.AscendingOrder)
    model.set_frame(mineral_frame().iloc[:3])
    assert shown(model, "hhi") == ["2,500", "4,532", "10,000"]


def test_sort_follows_its_column_by_name_when_columns_change(model):
    model.sort(column(model, "hhi"), Qt.SortOrder.AscendingOrder)
    model.set_frame(mineral_frame().drop(columns=["import_value_usd"]))
    assert model.sort_state()[0] == column(model, "hhi") == 1
    assert shown(model, "hhi") == ["2,000", "2,500", "4,532", "10,000", "n/a"]


# --- filtering -----------------------------------------------------------------------------

def test_filter_text_narrows_rows_ignoring_case(model):
    model.set_filter_text("GA")
    assert shown(model, "mineral") == ["gallium"]
    model.set_filter_text("ium")
    assert shown(model, "mineral") == ["gallium", "Germanium"]
    assert model.total_rows() == 5
    model.set_filter_text("no such mineral")
    assert model.rowCount() == 0
    model.set_filter_text("  ")
    assert model.rowCount() == 5


def test_filter_matches_the_mineral_column_only(model):
    model.set_filter_text("china")  # a supplier, not a mineral
    assert model.rowCount() == 0


def test_filter_and_sort_combine(model):
    model.set_filter_text("e")
    model.sort(column(model, "hhi"), Qt.SortOrder.DescendingOrder)
    assert shown(model, "mineral") == ["rare earths", "tungsten", "Germanium"]
    model.set_filter_text("")
    assert shown(model, "mineral")[:2] == ["cobalt", "gallium"]


def test_filter_is_literal_not_a_regex(model):
    model.set_filter_text(".*")
    assert model.rowCount() == 0


def test_filter_survives_a_new_frame(model):
    model.set_filter_text("ium")
    model.set_frame(mineral_frame())
    assert shown(model, "mineral") == ["gallium", "Germanium"]


# --- text storage --------------------------------------------------------------------------

@pytest.mark.parametrize("values", [
    pd.Series(["b", None, "a"], dtype="category"),
    pd.Series(["b", None, "a"], dtype=object),
    pd.Series(["b", None, "a"], dtype="str"),
    pd.Series([2, None, "a"], dtype=object),   # mixed objects are shown as text
])
def test_text_columns_of_any_storage(qapp, values):
    model = FrameTableModel([ColumnSpec("name", "Name")])
    model.set_frame(pd.DataFrame({"name": values}))
    expected = [str(v) if v is not None else "n/a" for v in [values[0], None, values[2]]]
    assert shown(model, "name") == expected
    model.sort(0, Qt.SortOrder.AscendingOrder)
    assert shown(model, "name")[-1] == "n/a"


def test_numbers_stored_as_text_or_nullable_ints_still_format(qapp):
    model = FrameTableModel([ColumnSpec("v", "V", Kind.PERCENT)])
    model.set_frame(pd.DataFrame({"v": pd.array([1, None], dtype="Int64")}))
    assert shown(model, "v") == ["100.0%", "n/a"]
    model.set_frame(pd.DataFrame({"v": ["0.5", "oops"]}))
    assert shown(model, "v") == ["50.0%", "n/a"]


# --- speed (generous bounds; benchmarks/ holds the real measurements) ----------------------

ROWS = 1_000_000


@pytest.fixture(scope="module")
def million_rows() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({
        "import_value_usd": rng.random(ROWS) * 1e9,
        "hhi": rng.random(ROWS) * 1e4,
        "top_supplier": pd.Series(rng.choice(["China", "Canada", "Chile", "Japan"], ROWS), dtype="str"),
        "top_supplier_share": rng.random(ROWS),
        "group_share": np.where(rng.random(ROWS) < 0.1, np.nan, rng.random(ROWS)),
        "nir_pct": rng.random(ROWS) * 100,
        "nir_qualifier": "=",
        "car": rng.random(ROWS),
        "flags": "",
    })
    frame.index = pd.Index(pd.Series(np.char.add("mineral ", np.arange(ROWS).astype(str)), dtype="str"),
                           name="mineral")
    return frame


def test_million_row_model_builds_fast_and_serves_cells_cheaply(qapp, million_rows):
    model = FrameTableModel(MINERAL_COLUMNS, filter_key="mineral")
    started = time.perf_counter()
    model.set_frame(million_rows)
    build = time.perf_counter() - started
    assert model.rowCount() == ROWS
    assert build < 0.5, f"building took {build:.3f} s"

    rng = np.random.default_rng(1)
    indexes = [model.index(int(r), int(c)) for r, c in zip(rng.integers(0, ROWS, 20_000),
                                                          rng.integers(0, model.columnCount(), 20_000))]
    started = time.perf_counter()
    for index in indexes:
        model.data(index, DISPLAY)
    per_display = (time.perf_counter() - started) / len(indexes)
    started = time.perf_counter()
    for index in indexes:
        model.data(index, Qt.ItemDataRole.DecorationRole)
    per_unserved = (time.perf_counter() - started) / len(indexes)
    assert per_display < 20e-6, f"display costs {per_display * 1e6:.1f} µs"
    assert per_unserved < 5e-6, f"an unserved role costs {per_unserved * 1e6:.1f} µs"


def test_an_editable_column_keeps_the_million_row_model_fast(qapp, million_rows):
    model = EditableFrameModel(MINERAL_COLUMNS, editable={"nir_pct"}, filter_key="mineral")
    baseline = million_rows.assign(nir_pct=million_rows["nir_pct"].where(million_rows.index.str.len() > 12, 1.0))
    started = time.perf_counter()
    model.set_frame(million_rows, baseline=baseline)
    build = time.perf_counter() - started
    assert build < 15.0, f"building with an editable column took {build:.2f} s"
    rng = np.random.default_rng(2)
    indexes = [model.index(int(r), int(c)) for r, c in zip(rng.integers(0, ROWS, 20_000),
                                                          rng.integers(0, model.columnCount(), 20_000))]
    started = time.perf_counter()
    for index in indexes:
        model.flags(index)
        model.data(index, DISPLAY)
        model.data(index, Qt.ItemDataRole.FontRole)
    per_cell = (time.perf_counter() - started) / len(indexes)
    assert per_cell < 60e-6, f"flags + display + font cost {per_cell * 1e6:.1f} µs"
    [row] = model.view_rows_where("mineral", ["mineral 5"])            # 9 characters: overridden
    assert model.is_overridden(row, "nir_pct")
    assert not model.is_overridden(model.view_rows_where("mineral", ["mineral 123456"])[0], "nir_pct")


def test_million_row_sort_and_filter_stay_interactive(qapp, million_rows):
    model = FrameTableModel(MINERAL_COLUMNS, filter_key="mineral")
    model.set_frame(million_rows)
    group = model.column_of("group_share")
    started = time.perf_counter()
    model.sort(group, Qt.SortOrder.DescendingOrder)
    model.sort(model.column_of("top_supplier"), Qt.SortOrder.AscendingOrder)
    model.set_filter_text("mineral 99999")
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"two sorts and a filter took {elapsed:.2f} s"
    assert model.rowCount() == 11  # 99999 and 999990..999999
    suppliers = [model.raw_value(r, model.column_of("top_supplier")) for r in range(model.rowCount())]
    assert suppliers == sorted(suppliers, key=str.lower)


def test_rows_can_be_found_by_key_and_keys_read_by_row(model):
    assert model.view_rows_where("mineral", ["cobalt", "tungsten", "nope"]) == [1, 4]
    model.sort(column(model, "hhi"), Qt.SortOrder.DescendingOrder)  # cobalt first now
    assert model.view_rows_where("mineral", ["cobalt", "tungsten"]) == [0, 3]
    assert model.keys_at("mineral", [0, 3, 99]) == ["cobalt", "tungsten"]
    model.set_filter_text("ium")
    assert model.view_rows_where("mineral", ["cobalt", "gallium"]) == [0]
    assert model.view_rows_where("hhi", ["1"]) == [] and model.view_rows_where("nope", ["x"]) == []


def test_model_parent_index_has_no_children(model):
    assert model.rowCount(model.index(0, 0)) == 0
    assert model.columnCount(model.index(0, 0)) == 0
    assert model.rowCount(QModelIndex()) == 5


# --- editable columns: the text an editor starts with -----------------------------------------

def test_nir_is_written_the_way_usgs_writes_it():
    texts = nir_texts(pd.Series([100.0, 50.0, NAN, NAN, 25.0, 47.5, NAN, 3.0]),
                      pd.Series(["=", ">", "E", "NA", "<", None, "=", " > "]))
    assert texts.tolist() == ["100", ">50", "E", "NA", "<25", "47.5", "NA", ">3"]


def test_edit_texts_of_numbers_and_text():
    frame = mineral_frame()
    assert edit_texts(frame, "nir_pct").tolist() == ["100", "75", "NA", ">50", "E"]
    assert edit_texts(frame, "hhi").tolist() == ["4531.6", "10000", "2500", "", "1999.5"]
    assert edit_texts(frame, "top_supplier").tolist() == ["China", "Canada", "", "Japan", "china"]
    assert number_texts(np.array([1 / 3, 90.0])).tolist() == ["0.333333", "90"]
    nir = next(s for s in MINERAL_COLUMNS if s.key == "nir_pct")
    assert [with_unit(t, nir) for t in ("90", ">50", "E", "")] == ["90%", ">50%", "E", ""]
    assert with_unit("90", next(s for s in MINERAL_COLUMNS if s.key == "car")) == "90"


def test_editable_model_marks_against_the_baseline_by_row_key(qapp):
    frame = mineral_frame()
    baseline = frame.assign(nir_pct=[90.0, 75.0, NAN, 50.0, 12.5]).iloc[::-1]  # other row order
    model = EditableFrameModel(MINERAL_COLUMNS, editable={"nir_pct"}, filter_key="mineral")
    model.set_frame(frame, baseline=baseline)
    assert [model.is_overridden(r, "nir_pct") for r in range(5)] == [True, False, False, False, False]
    assert model.index(0, column(model, "nir_pct")).data(TOOLTIP) == "Scenario: 100% (baseline: 90%)"
    model.set_frame(frame.drop(index="gallium"))                 # the baseline is kept
    assert not any(model.is_overridden(r, "nir_pct") for r in range(4))
    model.set_frame(frame, baseline=baseline.drop(index="gallium"))  # no baseline row: no mark
    assert not model.is_overridden(0, "nir_pct")
