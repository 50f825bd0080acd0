"""Fixtures shared by the chart tests: the core's result for the bundled sample, and a chart
shown at a size with that result drawn."""

from __future__ import annotations

import pytest

from mineral_workbench.core import analysis, resources
from mineral_workbench.gui.selection import MineralSelection


@pytest.fixture(scope="module")
def core():
    loaded = analysis.load_sources([resources.sample_workbook()])
    return analysis.compute(loaded), loaded


@pytest.fixture
def selection():
    return MineralSelection()


def show(qtbot, chart, core, size=(900, 620)):
    result, loaded = core
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show()
    qtbot.waitExposed(chart)
    chart.set_data(result, loaded)
    qtbot.waitUntil(lambda: chart._plot is None or chart._plot.getViewBox().width() > 50)
    return chart
