"""The Compare panel shows exactly the core's baseline, scenario and delta numbers.

Fed the real core's results for the bundled sample and the bundled presets; assertions read
the table models and the chart's plotted values and compare them with `compute_scenario`.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("pyqtgraph")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from mineral_workbench.core.analysis import load_sources  # noqa: E402
from mineral_workbench.core.resources import sample_workbook  # noqa: E402
from mineral_workbench.core.whatif import load_presets  # noqa: E402
from mineral_workbench.gui.compare_panel import (NO_DATA, NO_SCENARIO, PAIR, SHOWN,  # noqa: E402
                                                 ComparePanel)
from mineral_workbench.gui.compare_tables import (BETTER_COLOR, MINERAL_METRICS,  # noqa: E402
                                                  WORSE_COLOR)
from mineral_workbench.gui.core_bridge import CoreBackend, default_options  # noqa: E402
from mineral_workbench.gui.scenario_store import ScenarioStore  # noqa: E402
from mineral_workbench.gui.selection import MineralSelection  # noqa: E402

FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)


@pytest.fixture(scope="module")
def core():
    files = [sample_workbook()]
    backend = CoreBackend()
    presets = {p.preset_id: p for p in load_presets()}
    return {"files": files, "loaded": load_sources(files), "backend": backend,
            "options": default_options(), "ban": presets["cn_ga_ge_sb_us_ban_2024"],
            "licensing": presets["cn_ga_ge_licensing_2023"]}


def analysis(core, scenario):
    return core["backend"].analysis(core["files"], core["loaded"], core["options"], scenario)


class Compute:
    """What the window hands the panel: the current data and options, counted."""

    def __init__(self, core, loaded=True):
        self.core, self.loaded, self.calls = core, loaded, []

    def __call__(self, scenario):
        self.calls.append(None if scenario is None else scenario.name)
        if not self.loaded:
            return None
        b, c = self.core["backend"], self.core
        if scenario is None:
            return b.compute(c["loaded"], c["options"])
        return b.compute_scenario(c["loaded"], c["options"], scenario)


@pytest.fixture
def store(core):
    store = ScenarioStore()
    store.reset([core["ban"], core["licensing"]], active=core["ban"].name)
    return store


@pytest.fixture
def compute(core):
    return Compute(core)


@pytest.fixture
def panel(qtbot, store, compute):
    panel = ComparePanel(store, compute, MineralSelection())
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def cell(table, mineral, key):
    model = table.model
    row = model.view_rows_where(table.model.column_specs()[0].key, [mineral])[0]
    return model.raw_value(row, model.column_of(key)), model.index(row, model.column_of(key))


def same(x, y) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


def test_baseline_vs_scenario_shows_the_core_numbers_for_gallium(panel, core):
    shown = analysis(core, core["ban"])
    panel.show_analysis(shown)
    outcome = shown.scenario
    table = panel.tables["minerals"]
    assert panel.message == ""
    for metric in MINERAL_METRICS:
        key = metric.key
        assert same(cell(table, "gallium", f"{key}_a")[0], outcome.baseline.minerals.loc["gallium", key])
        assert same(cell(table, "gallium", f"{key}_b")[0], outcome.result.minerals.loc["gallium", key])
        assert same(cell(table, "gallium", f"{key}_delta")[0], outcome.deltas["minerals"].loc["gallium", key])
    # the ban takes China's share out (CaR falls: better) and the consumption with it (worse)
    car, car_index = cell(table, "gallium", "car_delta")
    lost, lost_index = cell(table, "gallium", "consumption_lost_delta")
    assert car < 0 < lost
    assert table.model.data(car_index, FOREGROUND) == BETTER_COLOR
    assert table.model.data(lost_index, FOREGROUND) == WORSE_COLOR
    assert table.model.data(car_index) == f"-{abs(car) * 100:.1f}"
    assert table.model.data(lost_index) == f"+{lost * 100:.1f}"
    value_index = cell(table, "gallium", "import_value_usd_delta")[1]
    assert table.model.data(value_index, FOREGROUND) is None   # import value is not judged
    column = table.model.column_of("car_b")
    assert table.model.headerData(column, Qt.Orientation.Horizontal) == "CaR\nScenario"
    assert core["ban"].name in panel.caption.text()


def test_changed_only_hides_the_unchanged_minerals(panel, core):
    shown = analysis(core, core["ban"])
    panel.show_analysis(shown)
    deltas = shown.scenario.deltas["minerals"]
    model = panel.tables["minerals"].model
    assert panel.changed_only.isChecked()
    changed = set(deltas.index[deltas["changed"]])
    assert model.rowCount() == int(deltas["changed"].sum()) == len(changed) > 0
    assert set(model.keys_at("mineral", range(model.rowCount()))) == changed
    panel.changed_only.setChecked(False)
    assert model.rowCount() == len(shown.scenario.baseline.minerals)
    sectors = shown.scenario.deltas["sectors"]
    panel.changed_only.setChecked(True)
    assert panel.tables["sectors"].model.rowCount() == int(sectors["changed"].sum())
    assert panel.tabs.tabText(1) == f"Sectors ({int(sectors['changed'].sum())})"


def test_rollup_tables_show_the_core_deltas_and_the_driving_mineral(panel, core):
    shown = analysis(core, core["ban"])
    panel.show_analysis(shown)
    sectors = shown.scenario.deltas["sectors"]
    table = panel.tables["sectors"]
    for sector in sectors.index[sectors["changed"]]:
        for key in ("weakest_link", "weighted_mean"):
            assert same(cell(table, sector, f"{key}_delta")[0], sectors.loc[sector, key])
    frame = table.frame
    before, after = frame["driving_mineral_a"], frame["driving_mineral_b"]
    assert (frame.loc[before == after, "driving_mineral"] == before[before == after]).all()
    defense = shown.scenario.deltas["defense"]
    category = defense.index[defense["changed"]][0]
    assert same(cell(panel.tables["defense"], category, "weighted_mean_delta")[0],
                defense.loc[category, "weighted_mean"])


def test_chart_overlays_baseline_and_scenario_sector_exposure(panel, core):
    shown = analysis(core, core["ban"])
    panel.show_analysis(shown)
    data = panel.chart.chart_data()
    base = shown.scenario.baseline.sectors.set_index("sector")["weakest_link"] * 100
    what = shown.scenario.result.sectors.set_index("sector")["weakest_link"] * 100
    assert sorted(data["labels"]) == sorted(base.index)
    assert data["a"] == pytest.approx(base[data["labels"]].tolist(), nan_ok=True)
    assert data["b"] == pytest.approx(what[data["labels"]].tolist(), nan_ok=True)
    assert data["names"] == ["Baseline", core["ban"].name]
    widths_a = panel.chart.a_item.opts["width"]
    widths_b = panel.chart.b_item.opts["width"]
    assert np.allclose(widths_a, np.nan_to_num(base[data["labels"]].to_numpy()))
    assert np.allclose(widths_b, np.nan_to_num(what[data["labels"]].to_numpy()))
    assert (np.diff(np.nan_to_num(data["a"], nan=-1)) <= 0).all()   # sorted by the baseline
    panel.chart.set_options(view="defense", metric="weighted_mean")
    data = panel.chart.chart_data()
    mean = shown.scenario.result.defense.set_index("category")["weighted_mean"] * 100
    assert data["b"] == pytest.approx(mean[data["labels"]].tolist(), nan_ok=True)


def test_scenario_vs_scenario_shows_b_minus_a(panel, core, compute):
    panel.show_analysis(analysis(core, core["ban"]))
    panel.set_mode(PAIR)
    panel.set_pair(core["ban"].name, core["licensing"].name)
    backend, loaded, options = core["backend"], core["loaded"], core["options"]
    a = backend.compute_scenario(loaded, options, core["ban"]).result.minerals
    b = backend.compute_scenario(loaded, options, core["licensing"]).result.minerals
    table = panel.tables["minerals"]
    for key in ("car", "consumption_lost", "hhi", "group_share"):
        assert cell(table, "gallium", f"{key}_a")[0] == a.loc["gallium", key]
        assert cell(table, "gallium", f"{key}_b")[0] == b.loc["gallium", key]
        assert cell(table, "gallium", f"{key}_delta")[0] == pytest.approx(
            b.loc["gallium", key] - a.loc["gallium", key], abs=1e-15)
    assert compute.calls[-2:] == [core["ban"].name, core["licensing"].name]
    column = table.model.column_of("car_delta")
    assert table.model.headerData(column, Qt.Orientation.Horizontal) == "CaR\nΔ pts"
    assert table.model.headerData(column - 2, Qt.Orientation.Horizontal) == "CaR\nA"
    text = panel.caption.text()
    assert core["ban"].name in text and core["licensing"].name in text
    assert panel.chart.chart_data()["names"] == [f"A: {core['ban'].name}",
                                                  f"B: {core['licensing'].name}"]
    panel.set_pair(None, core["licensing"].name)   # the baseline as A: lost consumption is 0 there
    assert cell(table, "gallium", "consumption_lost_a")[0] == 0.0
    assert cell(table, "gallium", "consumption_lost_delta")[0] == b.loc["gallium", "consumption_lost"]


def test_pairs_follow_the_store_and_recompute_only_on_change(panel, core, store, compute):
    shown = analysis(core, core["ban"])
    panel.show_analysis(shown)
    panel.set_mode(PAIR)
    assert [panel.a_box.itemText(i) for i in range(panel.a_box.count())] == \
        ["Baseline", core["ban"].name, core["licensing"].name]
    assert panel.pair() == (None, core["ban"].name)   # default: baseline vs the shown scenario
    panel.set_pair(core["ban"].name, core["licensing"].name)
    calls = len(compute.calls)
    panel.show_analysis(shown)                 # same data and options: nothing to recompute
    panel.changed_only.setChecked(False)
    assert len(compute.calls) == calls
    gallium_only = [e for e in core["licensing"].edits if "gallium" in e.describe().lower()]
    assert 0 < len(gallium_only) < len(core["licensing"].edits)
    store.replace_edits(core["licensing"].name, gallium_only, "keep gallium only")
    assert len(compute.calls) == calls + 2     # B's content changed
    expected = core["backend"].compute_scenario(
        core["loaded"], core["options"], store.get(core["licensing"].name)).result.minerals
    table = panel.tables["minerals"]
    assert cell(table, "germanium", "car_b")[0] == expected.loc["germanium", "car"]
    store.remove(core["ban"].name)             # A vanished: it falls back to the baseline
    assert panel.pair() == (None, core["licensing"].name)
    assert panel.a_box.count() == 2
    panel.show_analysis(replace(shown, options=replace(shown.options, nir_year=2023)))
    assert len(compute.calls) == calls + 6     # new options: both recomputed


def test_messages_when_there_is_nothing_to_compare(qtbot, panel, core, store):
    assert panel.message == NO_DATA
    panel.show_analysis(analysis(core, None))
    assert panel.message == NO_SCENARIO
    assert panel.stack.currentWidget() is panel.message_label
    assert panel.message_label.isVisible() and NO_SCENARIO in panel.message_label.text()
    assert panel.tables["minerals"].model.rowCount() == 0
    failed = replace(analysis(core, None), scenario_error="Scenario 'X' cannot apply: no mineral 'kryptonite'")
    panel.show_analysis(failed)
    assert "kryptonite" in panel.message and "kryptonite" in panel.message_label.text()
    panel.set_mode(PAIR)
    panel.set_pair(core["ban"].name, core["ban"].name)
    assert "same" in panel.message
    empty = ComparePanel(store, Compute(core, loaded=False))
    qtbot.addWidget(empty)
    empty.show_analysis(analysis(core, None))
    empty.set_mode(PAIR)
    assert empty.message == NO_DATA            # compute() answered None: no data


def test_hidden_panel_computes_pairs_only_when_read(qtbot, core, store):
    compute = Compute(core)
    panel = ComparePanel(store, compute)
    qtbot.addWidget(panel)
    panel.set_mode(PAIR)
    panel.show_analysis(analysis(core, core["ban"]))
    assert compute.calls == []
    assert panel.comparison is not None and panel.comparison.b_label == core["ban"].name
    assert compute.calls == [None, core["ban"].name]
    assert panel.mode == PAIR
    panel.set_mode(SHOWN)
    assert panel.comparison.b_label == core["ban"].name


def test_ctrl_c_copies_the_compared_cells(qtbot, panel, core):
    panel.show_analysis(analysis(core, core["ban"]))
    table = panel.tables["minerals"]
    _value, index = cell(table, "gallium", "car_delta")
    left = table.model.index(index.row(), 0)
    table.table.selectionModel().select(
        table.table.model().index(index.row(), 0),
        table.table.selectionModel().SelectionFlag.ClearAndSelect)
    table.table.selectionModel().select(index, table.table.selectionModel().SelectionFlag.Select)
    table.table.setFocus()
    with qtbot.waitSignal(panel.copied):
        qtbot.keyClick(table.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    expected = f"{table.model.data(left)}\t{table.model.data(index)}"
    assert QGuiApplication.clipboard().text() == expected == "gallium\t" + table.model.data(index)
    assert panel.copy_selection() == expected
