"""Interactive exposure charts (pyqtgraph), one module per chart, found through a registry.

`CHARTS` lists (chart_id, title, class); `make_charts(selection)` builds one of each, all
wired to the one shared `MineralSelection`. Each chart takes `set_data(result, loaded)`
and offers `export_png`, `export_svg`, `copy_to_clipboard` and `chart_data`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from .base import ChartWidget
from .criticality import CriticalityChart
from .sector_heatmap import SectorHeatmapChart
from .sector_ranking import SectorRankingChart
from .supplier_bars import SupplierBarsChart
from .trend import TrendChart

CHART_CLASSES: tuple[type[ChartWidget], ...] = (
    SupplierBarsChart, SectorHeatmapChart, SectorRankingChart, CriticalityChart, TrendChart)
CHARTS: list[tuple[str, str, type]] = [(cls.chart_id, cls.title, cls) for cls in CHART_CLASSES]


def make_charts(selection, parent: QWidget | None = None) -> dict[str, ChartWidget]:
    """One widget per registered chart, keyed by chart_id, in registry order."""
    return {chart_id: cls(selection, parent) for chart_id, _title, cls in CHARTS}


__all__ = ["CHARTS", "ChartWidget", "CriticalityChart", "SectorHeatmapChart", "SectorRankingChart",
           "SupplierBarsChart", "TrendChart", "make_charts"]
