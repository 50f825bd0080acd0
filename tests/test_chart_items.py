"""The charts' cheap drawing: painted labels and legend, and redraws that reuse the layout.

Segment and value labels are painted by one item per chart (not a TextItem each), the legend
by one item (not a LabelItem and a sample widget per entry), and a redraw keeps the plot,
title, legend and footer and only replaces what it plots. These tests pin the labels' places
and texts, the legend's entries, that exports scale the painted text, and that redraws neither
leak items nor keep stale ones.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

pg = pytest.importorskip("pyqtgraph")

from PySide6.QtCore import SIGNAL, QPointF  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from mineral_workbench.core import analysis  # noqa: E402
from mineral_workbench.gui.charts import (CriticalityChart, SectorHeatmapChart,  # noqa: E402
                                          SectorRankingChart, SupplierBarsChart, TrendChart)
from mineral_workbench.gui.charts.compare_bars import CompareBarsChart  # noqa: E402
from mineral_workbench.gui.charts.painted import Label, SwatchLegend, TextLabels  # noqa: E402
from mineral_workbench.gui.charts.palette import OTHER, partner_colors, partner_ranking, text_on  # noqa: E402
from mineral_workbench.gui.charts.supplier_bars import LABEL_MIN_SHARE  # noqa: E402

from chart_support import core, selection, show  # noqa: E402,F401 - fixtures


def plot_items(chart, cls):
    return [item for item in chart._plot.items if isinstance(item, cls)]


# --- segment labels ---------------------------------------------------------------------------

def test_segment_labels_sit_on_their_segments_with_readable_colours(qtbot, selection, core):
    result, _loaded = core
    chart = show(qtbot, SupplierBarsChart(selection), core)
    segments = chart.chart_data()["segments"]
    colors = partner_colors(partner_ranking(result.suppliers), chart.bar_items, chart.theme.background)
    expected = {}
    for s in segments:
        if s["share"] >= LABEL_MIN_SHARE:
            tag = "Other" if s["partner_code"] == OTHER else s["partner_code"][:3]
            expected[(s["x0"] + s["width"] / 2, s["row"])] = (f"{tag} {s['share'] * 100:.0f}%",
                                                              text_on(colors[s["partner_code"]]).name())
    labels = chart.segment_labels.labels()
    shown = {(round(lb.x, 9), lb.y): (lb.text, lb.color.name()) for lb in labels}
    assert shown == {(round(x, 9), y): v for (x, y), v in expected.items()}
    assert len(labels) == len(expected) >= 8 and "CHN 93%" in chart.segment_labels.texts()
    assert plot_items(chart, TextLabels) == [chart.segment_labels]      # one item for all of them
    assert not plot_items(chart, pg.TextItem)
    # each label's box is centred on its segment's centre, on screen
    for label, box in zip(labels, chart.segment_labels.scene_boxes()):
        centre = chart.scene_pos_of(label.x, label.y)
        assert box.center().x() == pytest.approx(centre.x(), abs=0.01)
        assert box.center().y() == pytest.approx(centre.y(), abs=0.01)


def test_labels_keep_their_pixel_size_when_the_chart_resizes(qtbot, selection, core):
    chart = show(qtbot, SupplierBarsChart(selection), core)
    before = [(b.width(), b.height()) for b in chart.segment_labels.scene_boxes()]
    chart.resize(1300, 800)
    qtbot.waitUntil(lambda: chart.view.width() > 1200)
    label = chart.segment_labels.labels()[0]
    box = chart.segment_labels.scene_boxes()[0]
    assert [(b.width(), b.height()) for b in chart.segment_labels.scene_boxes()] == before
    assert box.center().x() == pytest.approx(chart.scene_pos_of(label.x, label.y).x(), abs=0.01)


def test_text_labels_anchor_like_text_items(qtbot):
    """Anchor (0, 0.5): the box starts at the point (text 4 px in), vertically centred."""
    view = pg.GraphicsLayoutWidget()
    qtbot.addWidget(view)
    plot = view.addPlot()
    plot.setRange(xRange=(0, 10), yRange=(0, 10), padding=0)
    labels = TextLabels(view.font())
    labels.set_labels([Label(2.0, 5.0, "left", QColor("black"), (0, 0.5)),
                       Label(5.0, 5.0, "right", QColor("black"), (1, 0.5), bold=True)])
    plot.addItem(labels)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    vb = plot.getViewBox()
    left, right = labels.scene_boxes()
    assert left.left() == pytest.approx(vb.mapViewToScene(QPointF(2.0, 5.0)).x(), abs=0.01)
    assert left.center().y() == pytest.approx(vb.mapViewToScene(QPointF(2.0, 5.0)).y(), abs=0.01)
    assert right.right() == pytest.approx(vb.mapViewToScene(QPointF(5.0, 5.0)).x(), abs=0.01)
    assert labels.dataBounds(0) is None       # labels never widen an auto range


def test_ranking_and_compare_labels_are_painted_too(qtbot, selection, core):
    result, loaded = core
    ranking = show(qtbot, SectorRankingChart(selection), core)
    data = ranking.chart_data()
    texts = ranking.driver_labels.texts()
    assert len(texts) == len(data["labels"])
    assert texts[0].strip() == data["driving_mineral"][0].capitalize()
    assert [lb.x for lb in ranking.driver_labels.labels()] == pytest.approx(np.nan_to_num(data["weakest_link"]))
    selection.select([data["driving_mineral"][0]], origin="table")
    assert ranking.driver_labels.labels()[0].bold
    compare = CompareBarsChart(None)
    qtbot.addWidget(compare)
    compare.resize(800, 600)
    compare.show()
    shifted = analysis.AnalysisResult(minerals=result.minerals, suppliers=result.suppliers,
                                      sectors=result.sectors.assign(weakest_link=result.sectors["weakest_link"] * 0.5),
                                      defense=result.defense, inputs=result.inputs)
    compare.set_pair(result, shifted, "Baseline", "Half", loaded)
    changes = compare.change_labels.texts()
    assert changes and all(t.strip().endswith(" pts") and t.strip().startswith("-") for t in changes)


def test_criticality_labels_are_one_item_that_follows_resizes(qtbot, selection, core):
    chart = show(qtbot, CriticalityChart(selection), core)
    labelled = chart.chart_data()["labelled"]
    assert labelled and [lb.text for lb in chart.point_labels.labels()] == [m.capitalize() for m in labelled]
    chart.resize(600, 400)
    qtbot.waitUntil(lambda: chart.view.width() < 650)
    assert plot_items(chart, TextLabels) == [chart.point_labels]
    assert len(chart.point_labels.labels()) == len(chart.labelled)


# --- legend -----------------------------------------------------------------------------------

def test_legend_has_one_swatch_per_partner_in_its_colour(qtbot, selection, core):
    chart = show(qtbot, SupplierBarsChart(selection), core)
    legend = chart._legend
    assert isinstance(legend, SwatchLegend)
    segments = chart.chart_data()["segments"]
    names = {s["partner_code"]: s["partner"] for s in segments}
    assert legend.names() == [names[code] for code in chart.bar_items]
    assert [s.brush.color().name() for s in legend.swatches()] == \
        [pg.mkBrush(item.opts["brush"]).color().name() for item in chart.bar_items.values()]
    assert 1 < legend.columns < len(legend.names())           # several entries a row at 900 px
    boxes = legend.entry_boxes()
    assert all(box.right() <= legend.size().width() for _swatch, box in boxes)
    assert legend.size().height() >= boxes[-1][1].bottom()     # every row fits in its cell


def test_trend_legend_shows_lines_with_markers(qtbot, selection, core):
    chart = show(qtbot, TrendChart(selection), core)
    swatches = chart._legend.swatches()
    assert [s.kind for s in swatches] == ["line"] * len(chart.line_items)
    assert [s.pen.color().name() for s in swatches] == \
        [item.opts["pen"].color().name() for item in chart.line_items.values()]
    assert all(s.symbol == "o" for s in swatches)
    years = chart.chart_data()["years"]
    assert len(chart.markers.data) == len(years) * len(chart.line_items)   # a marker per point


# --- redraws reuse the layout -----------------------------------------------------------------

@pytest.mark.parametrize("cls", [SupplierBarsChart, SectorHeatmapChart, SectorRankingChart, CriticalityChart,
                                 TrendChart])
def test_redraws_reuse_the_plot_and_leave_nothing_behind(qtbot, selection, core, cls):
    chart = show(qtbot, cls(selection), core)
    plot, legend, items = chart._plot, chart._legend, len(chart.view.scene().items())
    resized = plot.getViewBox().receivers(SIGNAL("sigResized(PyObject)"))
    data = chart.chart_data()
    for minerals in (["gallium"], ["cobalt", "gallium"], []):
        selection.select(minerals, origin="table")
    for _ in range(3):
        chart._redraw_now()
    assert chart._plot is plot and chart._legend is legend
    assert len(chart.view.scene().items()) == items
    assert plot.getViewBox().receivers(SIGNAL("sigResized(PyObject)")) == resized   # no piling up
    assert len(chart.view.ci.items) == len(chart.cells.items())
    assert repr(chart.chart_data()) == repr(data)


def test_a_message_replaces_the_chart_and_the_chart_comes_back(qtbot, selection, core):
    result, loaded = core
    chart = show(qtbot, SupplierBarsChart(selection), core)
    full = len(chart.view.ci.items)
    chart.set_data(None, None)
    assert "No data loaded" in chart.message
    assert len(chart.view.ci.items) == 1 and chart._plot is None
    chart.set_data(result, loaded)
    assert chart.message == "" and chart._plot is not None
    assert len(chart.view.ci.items) == full
    assert chart.chart_data()["minerals"]


def test_heatmap_mode_switch_reuses_the_colour_bar_and_resets_its_ticks(qtbot, selection, core):
    chart = show(qtbot, SectorHeatmapChart(selection), core)
    bar = chart.color_bar
    assert bar.axis._tickLevels is not None               # 0.25 / 0.5 / 1 in weight mode
    chart.set_options(mode="exposure")
    assert chart.color_bar is bar and bar.axis._tickLevels is None
    assert bar.axis.labelText == "Importance weight × consumption at risk"
    assert chart.image_item in [ref() for ref in bar.img_list]
    assert bar.getViewBox().menu is None                  # the colour bar's plot has no menu


# --- exports scale the painted text -----------------------------------------------------------

def test_exports_carry_the_labels_and_legend_as_text(qtbot, selection, core, tmp_path):
    chart = show(qtbot, SupplierBarsChart(selection), core)
    root = ET.parse(chart.export_svg(tmp_path / "bars.svg")).getroot()
    texts = [(e.text or "").strip() for e in root.iter() if e.tag.endswith("text")]
    assert set(chart.segment_labels.texts()) <= set(texts)
    assert set(chart._legend.names()) <= set(texts)


def test_png_labels_scale_with_the_dpi(qtbot, selection, core):
    """A segment label's text lies inside its box at 96 dpi and at twice the size at 192 dpi."""
    chart = show(qtbot, SupplierBarsChart(selection), core)
    twin = chart._twin(1.0, 600, 400)
    try:
        i = twin.segment_labels.texts().index("CHN 93%")   # white text on the orange bar
        label, box = twin.segment_labels.labels()[i], twin.segment_labels.scene_boxes()[i]
    finally:
        chart._dispose(twin)
    for scale in (1, 2):
        image = QImage(chart.render_image(600 * scale, 400 * scale, 96 * scale))
        inner = box.adjusted(4, 4, -4, -4)
        y = int(box.center().y() * scale)
        row = [QColor(image.pixel(x, y)).lightness() for x in range(int(inner.left() * scale) - 12 * scale,
                                                                    int(inner.right() * scale) + 12 * scale)]
        light = [i for i, v in enumerate(row) if v > 200]  # the text's white pixels on the bar
        assert label.color.name() == "#ffffff" and light
        assert light[0] >= 12 * scale - 2 and light[-1] <= len(row) - 12 * scale + 2   # within the box
        assert light[-1] - light[0] >= 0.6 * inner.width() * scale                   # as wide as the text


def test_a_category_chart_in_a_short_dock_scrolls_rather_than_squeeze_its_rows(qtbot, core):
    """Sixteen sectors in a 200-px-high chart: the view asks for room for every row (the
    scroll area scrolls) and every sector keeps its label."""
    from mineral_workbench.gui.charts.base import ROW_PIXELS  # noqa: PLC0415

    chart = show(qtbot, SectorRankingChart(), core, size=(600, 200))
    qtbot.waitUntil(lambda: chart.view.minimumHeight() > 200)
    rows = len(chart.chart_data()["labels"])
    assert rows == 16
    assert chart.view.minimumHeight() >= rows * ROW_PIXELS
    qtbot.waitUntil(lambda: chart._plot.getViewBox().height() >= rows * ROW_PIXELS - 1)
    ticks = chart._plot.getAxis("left")._tickLevels[0]
    assert len([t for t in ticks if t[1]]) == rows          # every sector labelled


def test_a_redraw_with_nothing_to_plot_drops_the_earlier_category_labels(qtbot, core, selection):
    """The plot is reused: the earlier drawing's category ticks must not come back on the
    message plot when the view resizes."""
    import dataclasses  # noqa: PLC0415

    chart = show(qtbot, SupplierBarsChart(selection), core)
    left = chart._plot.getAxis("left")
    assert left._tickLevels
    result, loaded = core
    none = dataclasses.replace(result, minerals=result.minerals.assign(import_value_usd=0.0))
    chart.set_data(none, loaded)
    assert chart._plot.getAxis("left") is left and chart.message == "No minerals with import data"
    chart.resize(900, 500)
    qtbot.wait(50)
    assert not left._tickLevels
