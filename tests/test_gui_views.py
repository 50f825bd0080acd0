"""The views: options recompute without re-reading, one selection everywhere, the sector
matrix and defense uses hold the core's data, copies are exact."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from gui_support import (SAMPLE, WAIT_MS, CountingBackend, assert_table_matches, click_row,  # noqa: F401
                         dialogs, load_and_wait, make_window, selected_rows)
from mineral_workbench.core.analysis import compute
from mineral_workbench.core.reference import load_reference
from mineral_workbench.core.rollup import DEFAULT_WEIGHTS, importance_by_unit
from mineral_workbench.gui.sector_matrix import EXPOSURE, LEVEL_COLORS, RAMP, RAMP_FROM

DISPLAY, BACKGROUND = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.BackgroundRole


@pytest.fixture
def loaded_window(qtbot, make_window):
    backend = CountingBackend()
    window = make_window(backend)
    load_and_wait(qtbot, window, [SAMPLE])
    return window, backend


def expected(window, **changes):
    return compute(window.current.loaded, replace(window.session.options, **changes))


# --- options recompute ------------------------------------------------------------------------

def test_year_range_recomputes_exactly_without_rereading(qtbot, loaded_window):
    window, backend = loaded_window
    controls = window.controls
    assert (controls.first_year.minimum(), controls.last_year.maximum()) == (2020, 2024)
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        controls.first_year.setValue(2022)
    assert window.current.options.years == (2022, 2024)
    assert_table_matches(window.minerals.model, expected(window).minerals)
    assert window.current.result.inputs["years"] == [2022, 2024]
    assert "years 2022–2024" in window.summary_label.text()
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        controls.last_year.setValue(2021)  # below the first year: the first follows
    assert (controls.first_year.value(), controls.last_year.value()) == (2021, 2021)
    assert window.current.options.years == (2021, 2021)
    assert_table_matches(window.minerals.model, expected(window).minerals)
    assert backend.loads == [[SAMPLE]]


def test_country_group_recomputes_exactly(qtbot, loaded_window):
    window, _ = loaded_window
    combo = window.controls.group
    ids = [combo.itemData(i) for i in range(combo.count())]
    assert ids == list(load_reference().group_ids)
    assert combo.currentText() == "Foreign adversaries (15 CFR 791.4) · as of 2025"
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        combo.setCurrentIndex(ids.index("nato"))
    assert window.current.options.group == "nato"
    result = expected(window)
    assert_table_matches(window.minerals.model, result.minerals)
    assert_table_matches(window.sectors.rollup.model, result.sectors)
    assert_table_matches(window.defense.categories.model, result.defense)
    assert np.allclose(window.current.matrix.car, result.minerals["car"].to_numpy(), equal_nan=True)


def test_nir_year_recomputes_exactly(qtbot, loaded_window):
    window, _ = loaded_window
    combo = window.controls.nir_year
    assert [combo.itemData(i) for i in range(combo.count())] == [2024, 2023]
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        combo.setCurrentIndex(1)
    assert window.current.options.nir_year == 2023
    assert_table_matches(window.minerals.model, expected(window).minerals)
    assert window.summary_label.text().endswith("NIR 2023 data")


def test_quick_edits_are_debounced_into_one_recompute(qtbot, loaded_window):
    window, backend = loaded_window
    before = backend.computes
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.controls.first_year.setValue(2021)
        window.controls.first_year.setValue(2022)
        window.controls.group.setCurrentIndex(1)
        window.controls.nir_year.setCurrentIndex(1)
    assert backend.computes == before + 1
    options = window.current.options
    assert (options.years, options.group, options.nir_year) == ((2022, 2024), "feoc_covered_nations", 2023)


def test_a_new_load_resets_the_year_range_but_keeps_group_and_nir(qtbot, loaded_window):
    window, _ = loaded_window
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.controls.first_year.setValue(2023)
        window.controls.group.setCurrentIndex(2)
    load_and_wait(qtbot, window, [SAMPLE])
    options = window.current.options
    assert options.years is None and options.group == "us_fta_partners"
    assert (window.controls.first_year.value(), window.controls.last_year.value()) == (2020, 2024)


# --- one selection ------------------------------------------------------------------------------

def test_selecting_in_the_minerals_table_selects_everywhere(qtbot, loaded_window):
    window, _ = loaded_window
    changes = []
    window.selection.changed.connect(lambda minerals, origin: changes.append(minerals))
    model = window.minerals.model
    row = model.view_rows_where("mineral", ["gallium"])[0]
    click_row(qtbot, window.minerals.table, row, column=3)
    assert window.selection.minerals == ["gallium"]
    assert changes == [["gallium"]]  # one notice, no echo from the other views
    matrix = window.sectors.view
    assert window.sectors.model.minerals_at(selected_rows(matrix)) == ["gallium"]
    assert window.defense.shown_minerals() == ["gallium"]
    uses = window.defense.uses.model
    assert {uses.display_text(r, 0) for r in range(uses.rowCount())} == {"gallium"}
    assert window.selection_label.text() == "Selected: gallium"


def test_selecting_in_the_sector_matrix_selects_in_the_table(qtbot, loaded_window):
    window, _ = loaded_window
    window.docks.sectors.raise_()
    matrix, model = window.sectors.view, window.sectors.model
    cobalt = model.rows_of(["cobalt"])[0]
    click_row(qtbot, matrix, cobalt, column=5)
    assert window.selection.minerals == ["cobalt"]
    table_rows = selected_rows(window.minerals.table)
    assert window.minerals.model.keys_at("mineral", table_rows) == ["cobalt"]
    nickel = model.rows_of(["nickel"])[0]
    click_row(qtbot, matrix, nickel, column=0, modifier=Qt.KeyboardModifier.ControlModifier)
    assert sorted(window.selection.minerals) == ["cobalt", "nickel"]
    assert sorted(window.minerals.model.keys_at("mineral", selected_rows(window.minerals.table))) == \
        ["cobalt", "nickel"]


def test_the_selection_survives_sorting_filtering_and_recomputes(qtbot, loaded_window):
    window, _ = loaded_window
    window.selection.select(["tungsten"], origin="test")
    table, model = window.minerals.table, window.minerals.model
    model.sort(model.column_of("hhi"), Qt.SortOrder.DescendingOrder)
    assert model.keys_at("mineral", selected_rows(table)) == ["tungsten"]
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.controls.first_year.setValue(2023)
    assert model.keys_at("mineral", selected_rows(table)) == ["tungsten"]
    window.minerals.filter_edit.setText("gall")
    assert selected_rows(table) == [] and window.selection.minerals == ["tungsten"]
    window.minerals.filter_edit.clear()
    assert model.keys_at("mineral", selected_rows(table)) == ["tungsten"]


def test_a_sector_row_selects_its_driving_mineral(qtbot, loaded_window):
    window, _ = loaded_window
    rollup = window.sectors.rollup
    row = rollup.model.view_rows_where("sector", ["Energy"])[0]
    driver = rollup.model.keys_at("driving_mineral", [row])[0]
    click_row(qtbot, rollup.table, row)
    assert window.selection.minerals == [driver]


# --- sector matrix and defense uses -----------------------------------------------------------

def test_sector_matrix_holds_the_cores_importance_and_exposure(qtbot, loaded_window):
    window, _ = loaded_window
    reference = load_reference()
    matrix, model = window.current.matrix, window.sectors.model
    result = window.current.result
    assert list(matrix.minerals) == list(result.minerals.index)
    assert list(matrix.sector_ids) == [f"S{i:02d}" for i in range(1, 17)]
    best = importance_by_unit(reference.sector_importance, "sector", reference.analysis_unit,
                              DEFAULT_WEIGHTS)
    codes = {"low": 1, "medium": 2, "high": 3}
    checked = 0
    for unit, sector, importance, weight in best[["unit", "sector", "importance", "weight"]].itertuples(
            index=False):
        if unit not in matrix.minerals:
            continue
        i, j = matrix.minerals.index(unit), matrix.sector_names.index(sector)
        assert matrix.level[i, j] == codes[importance]
        car = result.minerals.at[unit, "car"]
        assert (np.isnan(car) and np.isnan(matrix.exposure[i, j])) or matrix.exposure[i, j] == weight * car
        view_row = model.rows_of([unit])[0]
        index = model.index(view_row, 2 + j)
        assert index.data(DISPLAY) == importance[0].upper()
        assert index.data(BACKGROUND).color().name() == LEVEL_COLORS[codes[importance]]
        assert importance in index.data(Qt.ItemDataRole.ToolTipRole)
        checked += 1
    assert checked > 150
    assert int((matrix.level > 0).sum()) == checked

    window.sectors.exposure_button.click()
    assert model.mode == EXPOSURE
    gallium = model.rows_of(["gallium"])[0]
    energy = 2 + list(matrix.sector_ids).index("S13")
    value = matrix.exposure[matrix.row_of("gallium"), energy - 2]
    assert model.index(gallium, energy).data(DISPLAY) == f"{value * 100:.0f}%"
    shade = max(i for i, low in enumerate(RAMP_FROM) if value >= low)
    assert model.index(gallium, energy).data(BACKGROUND).color().name() == RAMP[shade]
    assert "Importance weight × consumption at risk" in window.sectors.legend.text()


def test_matrix_keys_request_importance_edits_and_leave_the_matrix_alone(qtbot, loaded_window):
    window, _ = loaded_window
    view, model = window.sectors.view, window.sectors.model
    window.show_view("sectors")
    gallium = model.rows_of(["gallium"])[0]
    energy = model.index(gallium, 2 + list(window.current.matrix.sector_names).index("Energy"))
    view.setFocus()
    view.setCurrentIndex(energy)
    with qtbot.waitSignal(window.sectors.importance_edit_requested) as request:
        qtbot.keyClick(view, Qt.Key.Key_H)
    assert request.args == ["gallium", "sector:Energy", "high"]
    assert energy.data(DISPLAY) == "M"            # data changes only through a recompute
    assert window.selection.minerals == ["gallium"]
    window.sectors.exposure_button.click()          # weight × CaR cells are not edited
    assert not energy.flags() & Qt.ItemFlag.ItemIsEditable


def test_matrix_sorts_by_a_sector_with_blanks_last(qtbot, loaded_window):
    window, _ = loaded_window
    model = window.sectors.model
    column = 2 + list(window.current.matrix.sector_ids).index("S06")
    model.sort(column, Qt.SortOrder.DescendingOrder)
    texts = [model.display_text(r, column) for r in range(model.rowCount())]
    order = {"H": 0, "M": 1, "L": 2, "": 3}
    assert [order[t] for t in texts] == sorted(order[t] for t in texts)


def test_defense_uses_follow_the_selection_with_sources(qtbot, loaded_window):
    window, _ = loaded_window
    uses = load_reference().defense_uses
    panel = window.defense
    assert panel.uses.model.rowCount() == len(uses)
    window.selection.select(["rare earths"], origin="test")
    model = panel.uses.model
    assert model.rowCount() == int((uses["analysis_unit"] == "rare earths").sum()) == 11
    elements = {model.raw_value(r, model.column_of("element")) for r in range(model.rowCount())}
    assert {"neodymium", "samarium"} <= elements
    sources = [model.raw_value(r, model.column_of("source")) for r in range(model.rowCount())]
    assert all(sources)
    assert "Defense uses of rare earths: 11 applications" in panel.heading.text()
    assert "Source:" in panel.detail.toPlainText()
    window.selection.select(["barite"], origin="test")
    assert model.rowCount() == 0 and "No defense uses are recorded for barite" in panel.heading.text()


# --- copy -----------------------------------------------------------------------------------------

def test_ctrl_c_copies_exact_tsv_and_codes_stay_text(qtbot, loaded_window):
    window, _ = loaded_window
    table, model = window.minerals.table, window.minerals.model
    rows = model.view_rows_where("mineral", ["gallium", "germanium"])
    code, value, share = (model.column_of(k) for k in ("top_supplier_code", "import_value_usd",
                                                        "group_share"))
    block = QItemSelection()
    for row in rows:
        for column in (0, value, share, code):
            block.select(model.index(row, column), model.index(row, column))
    table.selectionModel().select(block, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    result = window.current.result.minerals
    lines = []
    for mineral in ("gallium", "germanium"):
        r = result.loc[mineral]
        lines.append("\t".join([mineral, model.display_text(model.view_rows_where("mineral", [mineral])[0], value),
                                f"{r['group_share'] * 100:.1f}%", r["top_supplier_code"]]))
    mime = QGuiApplication.clipboard().mimeData()
    assert mime.text() == "\n".join(lines)
    assert "mso-number-format" in mime.html() and f">{result.loc['gallium', 'top_supplier_code']}<" in mime.html()
    assert window.statusBar().currentMessage() == "Copied 2 rows"


def test_copy_of_unmapped_codes_keeps_leading_digits_as_text(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    window.window_actions.show_report.trigger()
    panel = window.dialog("report").tables["codes"]
    panel.table.selectAll()
    text = panel.table.copy_selection()
    assert text.splitlines()[0].split("\t")[:2] == ["9999950000", "20,603,604"]
    html = QGuiApplication.clipboard().mimeData().html()
    assert "<td style='mso-number-format:\"\\@\"'>9999950000</td>" in html


def test_edit_copy_uses_the_focused_view_the_matrix_too(qtbot, loaded_window):
    window, _ = loaded_window
    window.docks.sectors.raise_()
    view, model = window.sectors.view, window.sectors.model
    row = model.rows_of(["gallium"])[0]
    click_row(qtbot, view, row)
    view.setFocus()
    text = window.copy_selection()
    cells = text.split("\t")
    assert cells[0] == "gallium" and len(cells) == 18
    assert cells[2:] == [model.display_text(row, c) for c in range(2, 18)]


def test_edit_copy_from_a_view_without_cells_copies_the_minerals_table(qtbot, loaded_window):
    window, _ = loaded_window
    window.selection.select(["cobalt"], origin="test")
    window.sources.tree.setFocus()
    text = window.copy_selection()
    assert text.split("\t")[0] == "cobalt"


def test_find_focuses_the_mineral_filter(qtbot, loaded_window):
    window, _ = loaded_window
    window.window_actions.find.trigger()
    assert window.minerals.filter_edit.hasFocus()
    qtbot.keyClicks(window.minerals.filter_edit, "nickel")
    assert window.minerals.model.keys_at("mineral", range(window.minerals.model.rowCount())) == ["nickel"]
    assert window.minerals.count_label.text() == "1 of 47 minerals"


def test_a_copy_left_on_the_clipboard_does_not_crash_the_process_at_exit(tmp_path):
    """A QMimeData made in Python crashed PySide6 6.10 at interpreter exit; the copy avoids it."""
    import os
    import subprocess
    import sys

    code = ("import pandas as pd\n"
            "from PySide6.QtWidgets import QApplication\n"
            "from mineral_workbench.gui.panels import TablePanel\n"
            "app = QApplication([])\n"
            "panel = TablePanel((), noun='rows')\n"
            "panel.set_frame(pd.DataFrame({'code': ['0303', '2846902010'], 'v': [1.0, 2.0]}))\n"
            "panel.table.selectAll()\n"
            "print(repr(panel.table.copy_selection()))\n")
    import mineral_workbench

    package_root = str(Path(mineral_workbench.__file__).resolve().parents[1])
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == repr("0303\t1\n2846902010\t2")


class FailingGroupBackend(CountingBackend):
    def compute(self, loaded, options):
        if options.group == "nato":
            raise RuntimeError("no NATO today")
        return super().compute(loaded, options)


def test_a_failed_recompute_is_reported_and_the_controls_go_back(qtbot, make_window, dialogs):
    window = make_window(FailingGroupBackend())
    load_and_wait(qtbot, window, [SAMPLE])
    combo = window.controls.group
    with qtbot.waitSignal(window.load_failed, timeout=WAIT_MS):
        combo.setCurrentIndex(combo.findData("nato"))
    assert [kind for kind, _, _ in dialogs] == ["critical"]
    assert combo.currentData() == "foreign_adversaries"
    assert window.session.options.group == "foreign_adversaries"
    assert window.minerals.model.rowCount() == 47
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        combo.setCurrentIndex(combo.findData("nato") - 1)  # another group still works


def test_fitted_columns_are_as_wide_as_qts_own_fit_to_contents(qtbot, loaded_window):
    """The fast fit measures the model's texts itself; it must give Qt's widths, so a long
    value is never cut off (Qt's own fit asks the model for eight roles of every cell)."""
    window, _backend = loaded_window
    table = window.minerals.table
    window.resize(1400, 900)
    table.fit_columns()
    ours = [table.columnWidth(c) for c in range(table.model().columnCount())]
    table.resizeColumnsToContents()
    qts = [min(table.columnWidth(c), 360) for c in range(table.model().columnCount())]
    assert len(ours) > 10 and ours == qts
