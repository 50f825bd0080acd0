"""The exposure charts hold exactly the core's numbers, select minerals, and export cleanly.

Every chart is fed the real core's result for the bundled sample workbook; assertions
compare the plotted items against numbers recomputed from the core's own outputs.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pg = pytest.importorskip("pyqtgraph")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from mineral_workbench.core import analysis  # noqa: E402
from mineral_workbench.core.reference import load_reference  # noqa: E402
from mineral_workbench.core.rollup import importance_by_unit  # noqa: E402
from mineral_workbench.gui.charts import (CHARTS, CriticalityChart, SectorHeatmapChart,  # noqa: E402
                                          SectorRankingChart, SupplierBarsChart, TrendChart,
                                          make_charts)
from mineral_workbench.gui.charts.palette import OTHER, partner_colors, partner_ranking  # noqa: E402
from mineral_workbench.gui.charts.supplier_bars import default_minerals  # noqa: E402
from mineral_workbench.gui.charts.text import sector_short, source_note, usd, usd_scale  # noqa: E402

from chart_support import core, selection, show  # noqa: E402,F401 - fixtures


def click(qtbot, chart, x: float, y: float) -> None:
    """A real left click on the chart's viewport at data point (x, y)."""
    QTest.mouseClick(chart.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     chart.viewport_pos_of(x, y))


def empty_result(result):
    return analysis.AnalysisResult(minerals=result.minerals.iloc[0:0], suppliers={},
                                   sectors=result.sectors.iloc[0:0], defense=result.defense.iloc[0:0],
                                   inputs={})


# --- registry ---------------------------------------------------------------------------

def test_registry_lists_each_chart_once_and_builds_them(qtbot, selection):
    ids = [chart_id for chart_id, _title, _cls in CHARTS]
    assert ids == ["supplier_bars", "sector_heatmap", "sector_ranking", "criticality", "trend"]
    charts = make_charts(selection)
    try:
        assert list(charts) == ids
        for chart_id, title, cls in CHARTS:
            assert isinstance(charts[chart_id], cls)
            assert charts[chart_id].chart_id == chart_id and charts[chart_id].title == title
            assert charts[chart_id].accessibleName() == title
    finally:
        for chart in charts.values():
            chart.deleteLater()


# --- supplier bars ------------------------------------------------------------------------

def test_supplier_bars_hold_the_core_shares_with_other(qtbot, selection, core):
    result, _loaded = core
    chart = show(qtbot, SupplierBarsChart(selection), core)
    rows = default_minerals(result.minerals, 8)
    data = chart.chart_data()
    assert data["minerals"] == rows
    assert rows[0] in ("scandium", "yttrium")            # CaR 92.7%: the most exposed
    for row, mineral in enumerate(rows):
        top5 = result.suppliers[mineral][:5]
        segs = [s for s in data["segments"] if s["mineral"] == mineral]
        expected = [s["share"] * 100 for s in top5]
        other = 100 - sum(expected)
        if other > 1e-7:
            expected.append(other)
        assert [s["width"] for s in segs] == pytest.approx(expected, abs=1e-9)
        assert sum(s["width"] for s in segs) == pytest.approx(100.0)
        assert [s["partner_code"] for s in segs[:5]] == [s["partner_code"] for s in top5]
    # the bar items themselves carry those numbers, one item (one colour) per country
    for code, item in chart.bar_items.items():
        segs = [s for s in data["segments"] if s["partner_code"] == code]
        assert list(item.opts["width"]) == pytest.approx([s["width"] for s in segs])
        assert list(item.opts["x0"]) == pytest.approx([s["x0"] for s in segs])
        assert list(item.opts["y"]) == [s["row"] for s in segs]
    colors = partner_colors(partner_ranking(result.suppliers), chart.bar_items, chart.theme.background)
    for code, item in chart.bar_items.items():
        assert pg.mkBrush(item.opts["brush"]).color().name() == colors[code].name()
    assert len({colors[c].name() for c in chart.bar_items}) == len(chart.bar_items)  # distinct colours
    assert colors[OTHER].name() == "#999999"


def test_supplier_bars_follow_a_selection_made_elsewhere(qtbot, selection, core):
    chart = show(qtbot, SupplierBarsChart(selection), core)
    with qtbot.waitSignal(selection.changed):
        selection.select(["gallium", "cobalt"], origin="table")
    data = chart.chart_data()
    assert data["minerals"] == ["gallium", "cobalt"]
    assert data["shares"]["gallium"]["China"] == pytest.approx(100 * core[0].suppliers["gallium"][3]["share"])


def test_clicking_a_bar_selects_its_mineral_and_keeps_the_bars(qtbot, selection, core):
    chart = show(qtbot, SupplierBarsChart(selection), core)
    before = chart.chart_data()["minerals"]
    target = before[2]
    with qtbot.waitSignal(selection.changed) as blocker:
        click(qtbot, chart, 20.0, 2.0)
    assert blocker.args == [[target], chart]
    assert selection.minerals == [target]
    assert chart.chart_data()["minerals"] == before      # a click highlights, it does not filter
    assert chart.chart_data()["selected"] == [target]


def test_supplier_hover_gives_value_share_and_source(qtbot, selection, core):
    chart = show(qtbot, SupplierBarsChart(selection), core)
    selection.select(["gallium"], origin="table")
    seg = next(s for s in chart.chart_data()["segments"] if s["partner"] == "China")
    text = chart.text_at(seg["x0"] + seg["width"] / 2, 0.0)
    assert text.startswith("Gallium · China: $4.3 M (17.2% of US import value)")
    assert "US imports for consumption 2020–2024" in text
    assert "sample_dataweb_imports_2020_2024.xlsx" in text


def test_moving_the_mouse_over_a_bar_reports_its_text(qtbot, selection, core):
    chart = show(qtbot, SupplierBarsChart(selection), core)
    seg = chart.chart_data()["segments"][0]
    with qtbot.waitSignal(chart.hovered) as blocker:
        QTest.mouseMove(chart.view.viewport(), chart.viewport_pos_of(seg["x0"] + seg["width"] / 2, 0.0))
    assert blocker.args[0] == chart.hover_text
    assert f"{seg['partner']}: " in chart.hover_text and "% of US import value" in chart.hover_text


# --- heat map -----------------------------------------------------------------------------

def test_heatmap_array_equals_the_importance_weights(qtbot, selection, core):
    result, _loaded = core
    chart = show(qtbot, SectorHeatmapChart(selection), core)
    ref = load_reference()
    imp = importance_by_unit(ref.sector_importance, "sector", ref.analysis_unit, result.inputs["weights"])
    data = chart.chart_data()
    assert data["sectors"] == list(result.sectors["sector"]) and len(data["sectors"]) == 16
    assert data["minerals"] == [m for m in result.minerals.index if m in set(imp["unit"])]
    expected = np.zeros_like(data["weights"])
    for unit, sector, weight in imp[["unit", "sector", "weight"]].itertuples(index=False):
        expected[data["minerals"].index(unit), data["sectors"].index(sector)] = weight
    np.testing.assert_array_equal(data["weights"], expected)
    assert set(np.unique(expected)) <= {0.0, 0.25, 0.5, 1.0}
    image = chart.image_item.image
    np.testing.assert_array_equal(np.nan_to_num(image), expected)   # blank (NaN) = no listed use
    # rare-earth elements roll up to one row with the highest importance per sector
    re_row = data["minerals"].index("rare earths")
    assert data["weights"][re_row, data["sectors"].index("Defense Industrial Base")] == 1.0
    assert "neodymium" not in data["minerals"]


def test_heatmap_exposure_mode_is_weight_times_car(qtbot, selection, core):
    result, _loaded = core
    chart = show(qtbot, SectorHeatmapChart(selection), core)
    chart.mode_box.setCurrentIndex(1)          # the analyst's switch
    data = chart.chart_data()
    assert data["mode"] == "exposure"
    car = result.minerals["car"].reindex(data["minerals"]).to_numpy(float)
    expected = np.where(data["weights"] > 0, data["weights"] * car[:, None], np.nan)
    np.testing.assert_array_equal(data["values"], expected)
    np.testing.assert_array_equal(chart.image_item.image, expected)
    i, j = data["minerals"].index("gallium"), data["sectors"].index("Information Technology")
    assert "× consumption at risk 17.2%" in chart.text_at(j, i)


def test_heatmap_row_click_selects_and_tooltip_names_the_full_sector(qtbot, selection, core):
    chart = show(qtbot, SectorHeatmapChart(selection), core, size=(900, 1000))
    data = chart.chart_data()
    i = data["minerals"].index("gallium")
    j = data["sectors"].index("Nuclear Reactors, Materials, and Waste")
    assert "Nuclear Reactors, Materials, and Waste (S14)" in chart.text_at(j, i)
    assert sector_short("Nuclear Reactors, Materials, and Waste") == "Nuclear"
    with qtbot.waitSignal(selection.changed):
        click(qtbot, chart, 3.0, float(i))
    assert selection.minerals == ["gallium"]


# --- sector ranking -----------------------------------------------------------------------

def test_sector_ranking_bars_are_the_core_rollup_sorted(qtbot, selection, core):
    result, _loaded = core
    chart = show(qtbot, SectorRankingChart(selection), core)
    data = chart.chart_data()
    expected = result.sectors.sort_values("weakest_link", ascending=False, kind="stable")
    assert sorted(data["labels"]) == sorted(result.sectors["sector"])
    assert data["weakest_link"] == sorted(data["weakest_link"], reverse=True)
    by_name = result.sectors.set_index("sector")
    for label, weakest, mean, driver in zip(data["labels"], data["weakest_link"], data["weighted_mean"],
                                            data["driving_mineral"]):
        assert weakest == pytest.approx(by_name.at[label, "weakest_link"] * 100)
        assert mean == pytest.approx(by_name.at[label, "weighted_mean"] * 100)
        assert driver == by_name.at[label, "driving_mineral"]
    assert list(chart.weakest_item.opts["width"]) == pytest.approx(data["weakest_link"])
    assert list(chart.mean_item.opts["width"]) == pytest.approx(data["weighted_mean"])
    assert data["labels"][0] == expected["sector"].iloc[0] == "Defense Industrial Base"
    assert "from Yttrium" in chart.text_at(10.0, -0.2)
    with qtbot.waitSignal(selection.changed):
        click(qtbot, chart, 5.0, -0.18)            # the top weakest-link bar: its driving mineral
    assert selection.minerals == ["yttrium"]


def test_sector_ranking_switches_to_defense_uses(qtbot, selection, core):
    result, _loaded = core
    chart = show(qtbot, SectorRankingChart(selection), core)
    chart.set_options(view="defense")
    data = chart.chart_data()
    assert sorted(data["labels"]) == sorted(result.defense["category"])
    assert chart.kind_box.currentData() == "defense"


# --- criticality matrix -------------------------------------------------------------------

def test_criticality_points_are_hhi_and_nir(qtbot, selection, core):
    result, _loaded = core
    chart = show(qtbot, CriticalityChart(selection), core)
    m = result.minerals
    plotted = m[m["hhi"].notna() & m["nir_pct"].notna()]
    data = chart.chart_data()
    assert data["minerals"] == list(plotted.index)
    x, y = chart.scatter.getData()
    np.testing.assert_array_equal(x, plotted["hhi"].to_numpy())
    np.testing.assert_array_equal(y, plotted["nir_pct"].to_numpy())
    sizes = np.array(data["sizes"])
    order = np.argsort(plotted["import_value_usd"].to_numpy())
    assert np.all(np.diff(sizes[order]) >= 0)                     # bigger imports, bigger bubbles
    assert data["omitted"]["beryllium"] == "net exporter"
    assert data["omitted"]["hafnium"] == "NIR n/a"
    assert data["omitted"]["uranium"] == "no import data"
    assert data["symbols"][data["minerals"].index("barite")] == "t1"   # '>75': a lower bound
    assert "scandium" in data["labelled"] or "yttrium" in data["labelled"]


def test_criticality_group_share_axis_and_point_click(qtbot, selection, core):
    result, _loaded = core
    chart = show(qtbot, CriticalityChart(selection), core)
    chart.x_box.setCurrentIndex(1)
    data = chart.chart_data()
    assert data["x_axis"] == "group_share"
    expected = result.minerals.loc[data["minerals"], "group_share"].to_numpy() * 100
    np.testing.assert_allclose(data["x"], expected)
    i = data["minerals"].index("bismuth")
    text = chart.text_at(data["x"][i], data["y"][i])
    assert text.startswith("Bismuth: HHI 5,068") and "NIR 89% (USGS MCS 2025)" in text
    with qtbot.waitSignal(selection.changed):
        click(qtbot, chart, data["x"][i], data["y"][i])
    assert selection.minerals == ["bismuth"]
    assert "bismuth" in chart.chart_data()["labelled"]


# --- trend --------------------------------------------------------------------------------

def test_trend_lines_are_cube_sums_and_follow_the_selection(qtbot, selection, core):
    result, loaded = core
    chart = show(qtbot, TrendChart(selection), core)
    assert chart.mineral == default_minerals(result.minerals, 1)[0]
    with qtbot.waitSignal(selection.changed):
        selection.select(["gallium"], origin="table")
    data = chart.chart_data()
    cube = loaded.cube
    m = cube.mineral_index["gallium"]
    assert data["mineral"] == "gallium" and data["years"] == [2020, 2021, 2022, 2023, 2024]
    top5 = [s["partner_code"] for s in result.suppliers["gallium"][:5]]
    assert data["codes"] == top5 + [OTHER]
    for code in top5:
        p = cube.partners.index(code)
        np.testing.assert_allclose(chart.line_items[code].yData * data["divisor"], cube.values[:, m, p])
    total = cube.values[:, m, :].sum(axis=1)
    other = total - sum(cube.values[:, m, cube.partners.index(c)] for c in top5)
    np.testing.assert_allclose(data["series"]["All other partners"], other)
    assert data["unit"] == "$ millions"
    assert chart._plot.getAxis("left").labelText == "Import value ($ millions)"
    j = data["years"].index(2023)
    china = data["series"]["China"][j] / data["divisor"]
    assert chart.text_at(2023, china).startswith("Gallium · China, 2023: $")


def test_trend_without_cube_says_so(qtbot, selection, core):
    trend = TrendChart(selection)
    qtbot.addWidget(trend)
    trend.set_data(core[0], None)
    assert "needs the loaded trade data" in trend.message
    assert trend.chart_data()["series"] == {}


# --- exports ------------------------------------------------------------------------------

@pytest.mark.parametrize("chart_id", [c[0] for c in CHARTS])
def test_png_is_the_requested_pixel_size(qtbot, selection, core, tmp_path, chart_id):
    cls = next(c for i, _t, c in CHARTS if i == chart_id)
    chart = show(qtbot, cls(selection), core)
    selection.select(["gallium"], origin="table")
    out = chart.export_png(tmp_path / f"{chart_id}.png", dpi=200, size_inches=(6, 4))
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)
    assert round(image.dotsPerMeterX() * 0.0254) == 200
    assert chart.size().width() == 900                   # the on-screen chart was not resized
    colours = {image.pixel(x, y) for x in range(0, 1200, 37) for y in range(0, 800, 37)}
    assert len(colours) > 5                              # something was drawn


@pytest.mark.parametrize("chart_id", [c[0] for c in CHARTS])
def test_svg_is_valid_xml(qtbot, selection, core, tmp_path, chart_id):
    cls = next(c for i, _t, c in CHARTS if i == chart_id)
    chart = show(qtbot, cls(selection), core)
    out = chart.export_svg(tmp_path / f"{chart_id}.svg", size_inches=(6, 4))
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 20


def test_heatmap_svg_draws_vector_cells(qtbot, selection, core, tmp_path):
    chart = show(qtbot, SectorHeatmapChart(selection), core)
    root = ET.parse(chart.export_svg(tmp_path / "heat.svg")).getroot()
    images = [e for e in root.iter() if e.tag.endswith("image")]
    assert len(images) <= 1        # the colour bar's gradient only; cells are vector shapes
    assert np.count_nonzero(chart.chart_data()["weights"]) > 100


def test_hidden_charts_draw_only_when_needed(qtbot, selection, core):
    chart = CriticalityChart(selection)
    qtbot.addWidget(chart)
    chart.set_data(*core)
    assert chart._stale and chart.scatter is None          # nothing built while hidden
    assert len(chart.chart_data()["minerals"]) > 30         # reading it draws it
    assert not chart._stale


def test_exports_refuse_to_open_dialogs(qtbot, selection, core):
    chart = show(qtbot, CriticalityChart(selection), core)
    with pytest.raises(ValueError, match="needs a file path"):
        chart.export_png(None)
    with pytest.raises(ValueError, match="needs a file path"):
        chart.export_svg("")


def test_strokes_scale_with_the_export_dpi(qtbot, selection, core, tmp_path):
    chart = show(qtbot, SupplierBarsChart(selection), core)
    twin = chart._twin(200 / 96, 576, 384)
    try:
        assert twin.pen("#000000", 1.0).widthF() == pytest.approx(200 / 96)
        axis_pen = twin._plot.getAxis("bottom").pen()
        assert axis_pen.widthF() == pytest.approx(200 / 96)
        assert twin.view.size().width() == 576
        axis_top = twin._plot.getAxis("bottom").sceneBoundingRect().top()   # logical px, both sizes
    finally:
        chart._dispose(twin)
    # a 1 px axis line at 96 dpi is about 2 px wide at 200 dpi
    lo, hi = QImage(chart.render_image(576, 384, 96)), QImage(chart.render_image(1200, 800, 200))
    band = (axis_top - 6, axis_top + 6)
    assert _dark_run(lo, 0.5, band) >= 1
    assert _dark_run(hi, 0.5, band) >= 2 * _dark_run(lo, 0.5, band) - 1


def _dark_run(image: QImage, frac: float, band: tuple[float, float]) -> int:
    """Longest run of dark pixels down column `frac` within `band` (logical px of a 576 px wide
    layout) around the bottom axis: the axis line's thickness."""
    x = int(image.width() * frac)
    scale = image.width() / 576
    best = run = 0
    for y in range(max(0, int(band[0] * scale)), min(image.height(), int(band[1] * scale) + 1)):
        if QColor(image.pixel(x, y)).lightness() < 80:
            run += 1
            best = max(best, run)
        else:
            run = 0
    return best


def test_copy_to_clipboard_puts_an_image(qtbot, selection, core):
    chart = show(qtbot, SectorRankingChart(selection), core)
    image = chart.copy_to_clipboard(dpi=96)
    pasted = QGuiApplication.clipboard().image()
    assert not pasted.isNull()
    assert (pasted.width(), pasted.height()) == (image.width(), image.height())
    assert pasted.width() == chart.view.width()


# --- empty data, themes, text helpers ------------------------------------------------------

@pytest.mark.parametrize("chart_id", [c[0] for c in CHARTS])
def test_empty_data_does_not_crash(qtbot, selection, core, tmp_path, chart_id):
    cls = next(c for i, _t, c in CHARTS if i == chart_id)
    chart = cls(selection)
    qtbot.addWidget(chart)
    chart.set_data(empty_result(core[0]), None)
    assert chart.message
    data = chart.chart_data()
    assert all(len(v) == 0 for v in data.values() if isinstance(v, (list, dict)))
    assert chart.text_at(0.0, 0.0) == ""
    chart.export_png(tmp_path / "empty.png", dpi=100, size_inches=(3, 2))
    selection.select(["gallium"], origin="table")           # selection on empty data is harmless
    chart.set_data(None, None)
    assert "No data loaded" in chart.message


def test_charts_take_their_background_from_the_palette(qtbot, selection, core):
    chart = SupplierBarsChart(selection)
    qtbot.addWidget(chart)
    dark = QPalette(chart.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#f0f0f0"))
    chart.setPalette(dark)
    chart.set_data(*core)
    chart.ensure_drawn()            # hidden charts draw when shown or read
    assert chart.theme.dark
    assert chart.view.backgroundBrush().color().name() == "#1e1e1e"
    assert chart._plot.getAxis("left").textPen().color().name() == "#f0f0f0"


def test_source_note_and_units(core):
    result, _loaded = core
    note = source_note(result.inputs)
    assert note == ("US imports for consumption 2020–2024 (customs value), USITC DataWeb: "
                    "sample_dataweb_imports_2020_2024.xlsx")
    assert usd(4_309_625) == "$4.3 M" and usd(1.25e9) == "$1.25 B" and usd(float("nan")) == "n/a"
    assert usd_scale(6e6) == (1e6, "$ millions") and usd_scale(2e9) == (1e9, "$ billions")
    assert math.isclose(usd_scale(500)[0], 1.0)


def test_hover_positions_outside_the_plot_say_nothing(qtbot, selection, core):
    chart = show(qtbot, CriticalityChart(selection), core)
    assert chart._data_pos(QPointF(-500, -500)) is None
    assert chart.text_at(9_900, 2) == ""
