"""Mineral x sector heat map: how important each mineral is to each of the 16 sectors.

Cells hold the importance weight (high/medium/low = 1/0.5/0.25, as the analysis used
them) or, switched to exposure, weight x consumption at risk. Rare-earth elements roll
up to the rare-earths row (highest importance per sector), exactly as the core does.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGraphicsRectItem

from .base import ChartWidget
from .items import SlantedAxis, category_points, fit_category_font
from .layout import set_axis_label
from .palette import HIGHLIGHT, heat_colormap
from .text import (IMPORTANCE_BASIS, group_title, mineral_label, pct, reference_edition,
                   sector_short)

MODES = {"weight": "Importance weight", "exposure": "Weight × consumption at risk"}
ROW_PIXELS = 13   # on screen the chart grows (and scrolls) rather than squeeze rows below this


def importance_matrix(result, reference=None) -> dict:
    """Minerals x sectors weights (0 = no listed use), with importance words and bases."""
    from mineral_workbench.core.reference import load_reference
    from mineral_workbench.core.rollup import DEFAULT_WEIGHTS, importance_by_unit

    reference = reference or load_reference()
    weights = (result.inputs or {}).get("weights") or DEFAULT_WEIGHTS
    imp = importance_by_unit(reference.sector_importance, "sector", reference.analysis_unit, weights)
    sectors = [str(s) for s in result.sectors["sector"]]
    sector_ids = [str(s) for s in result.sectors.get("sector_id", sectors)]
    units = set(imp["unit"])
    minerals = [str(m) for m in result.minerals.index if m in units]
    row = {m: i for i, m in enumerate(minerals)}
    col = {s: j for j, s in enumerate(sectors)}
    w = np.zeros((len(minerals), len(sectors)))
    words = np.full(w.shape, "", dtype=object)
    basis = np.full(w.shape, "", dtype=object)
    columns = ["unit", "sector", "importance", "weight", "basis"]
    for unit, sector, importance, weight, why in imp[columns].itertuples(index=False):
        if unit in row and sector in col:
            i, j = row[unit], col[sector]
            w[i, j], words[i, j], basis[i, j] = float(weight), str(importance), str(why)
    return {"minerals": minerals, "sectors": sectors, "sector_ids": sector_ids,
            "weights": w, "importance": words, "basis": basis}


class _PlotWithoutMenu(pg.PlotItem):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("enableMenu", False)
        super().__init__(*args, **kwargs)


class QuietColorBar(pg.ColorBarItem, _PlotWithoutMenu):
    """A ColorBarItem whose plot never builds the view-box menu it would switch off (~3 ms)."""


class SectorHeatmapChart(ChartWidget):
    chart_id = "sector_heatmap"
    title = "Sector heat map"
    default_size_inches = (7.5, 9.5)

    def __init__(self, selection=None, parent=None, *, line_scale: float = 1.0):
        self._mode = "weight"
        self._matrix: dict | None = None
        self._values = np.zeros((0, 0))
        self.image_item: pg.ImageItem | None = None
        self.color_bar: pg.ColorBarItem | None = None
        self._importance_cache: tuple | None = None
        super().__init__(selection, parent, line_scale=line_scale)

    # --- options ---------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.mode_box = self.add_choice("Cells show:", MODES, "mode", "Heat map cells show")

    def options(self) -> dict:
        return {"mode": self._mode}

    def set_options(self, mode: str | None = None, **rest) -> None:
        super().set_options(**rest)
        if mode is None or mode == self._mode:
            return
        if mode not in MODES:
            raise ValueError(f"heat map mode must be one of {sorted(MODES)}, not {mode!r}")
        self._mode = mode
        self.mode_box.setCurrentIndex(list(MODES).index(mode))
        self.redraw()

    # --- drawing ---------------------------------------------------------------------
    def _reset(self) -> None:
        self._matrix, self._values = None, np.zeros((0, 0))
        self.image_item = self.color_bar = None

    def _importance(self, result) -> dict:
        """`importance_matrix(result)`, computed again only when its inputs change (what-if edits
        of shares or NIR leave it as it is)."""
        from mineral_workbench.core.reference import load_reference
        from mineral_workbench.core.rollup import DEFAULT_WEIGHTS

        reference = load_reference()
        weights = (result.inputs or {}).get("weights") or DEFAULT_WEIGHTS
        key = (tuple(sorted(dict(weights).items())), tuple(result.sectors["sector"]),
               tuple(result.sectors.get("sector_id", result.sectors["sector"])), tuple(result.minerals.index))
        cached = self._importance_cache
        if cached is None or cached[0] is not reference or cached[1] != key:
            self._importance_cache = cached = (reference, key, importance_matrix(result, reference))
        return cached[2]

    def _draw(self) -> None:
        result = self._result
        self._matrix = m = self._importance(result)
        rows, sectors = m["minerals"], m["sectors"]
        if not rows or not sectors:
            self._draw_message("No mineral has a listed sector use")
            return
        car = result.minerals["car"].reindex(rows).to_numpy(float)
        if self._mode == "weight":
            values = np.where(m["weights"] > 0, m["weights"], np.nan)
            levels, bar_label = (0.0, 1.0), "Importance weight (low 0.25, medium 0.5, high 1)"
        else:
            values = np.where(m["weights"] > 0, m["weights"] * car[:, None], np.nan)
            levels, bar_label = (0.0, 1.0), "Importance weight × consumption at risk"
        self._values = values
        if not self._for_export:
            self.view.setMinimumHeight(len(rows) * ROW_PIXELS + 230)
        subtitle = ("Cells: importance of each mineral to each sector (blank: no listed use)"
                    if self._mode == "weight" else
                    "Cells: importance weight × consumption at risk (blank: no listed use or CaR n/a)")
        self.add_header("Critical minerals by infrastructure sector (NSM-22)", subtitle)
        plot = self.add_plot(row=1, col=0, left="", axis_types={"bottom": SlantedAxis})
        axis = plot.getAxis("bottom")
        self._plot = plot
        cmap = heat_colormap(self.theme.background)
        bar = self.reuse_item("color bar", row=2)
        if bar is None:
            bar = self.add_item(QuietColorBar(values=levels, colorMap=cmap, interactive=False, width=12,
                                              colorMapMenu=False, orientation="horizontal"),
                                row=2, kind="color bar")
        else:   # the last drawing's bar, set up again
            if bar.colorMap() is not cmap:
                bar.setColorMap(cmap)
            bar.setLevels(levels)
        if self._vector:
            self._draw_cells(plot, values, cmap)   # SVG: crisp vector cells, not a blurred 16-pixel bitmap
        else:
            img = pg.ImageItem(values, axisOrder="row-major")
            img.setRect(QRectF(-0.5, -0.5, len(sectors), len(rows)))
            plot.addItem(img)
            self.image_item = img
            bar.setImageItem(img)
        bar.axis.setPen(self.pen(self.theme.foreground))
        bar.axis.setTextPen(self.theme.foreground)
        bar.axis.setStyle(tickFont=self.font(8), hideOverlappingLabels=False)
        set_axis_label(bar.axis, bar_label, color=self.theme.foreground.name(), **{"font-size": "8.5pt"})
        bar.axis.setTicks([[(0.25, "0.25"), (0.5, "0.5"), (1.0, "1")]] if self._mode == "weight" else None)
        bar.setMaximumWidth(340)
        self.view.ci.layout.setAlignment(bar, Qt.AlignmentFlag.AlignHCenter)
        self.color_bar = bar
        self._draw_highlight(plot, rows, len(sectors))
        vb = plot.getViewBox()
        vb.invertY(True)
        vb.setRange(xRange=(-0.5, len(sectors) - 0.5), yRange=(-0.5, len(rows) - 0.5), padding=0)
        fit_category_font(plot.getAxis("left"), vb, [mineral_label(r) for r in rows])
        short = [sector_short(s) for s in sectors]
        axis.setTicks([[(j, t) for j, t in enumerate(short)]])
        axis.setStyle(tickFont=self.font(category_points(28)))
        axis.fit_height(short)
        src = reference_edition(result.inputs, "mineral_sector_uses")
        note = f"Importance: {src}." if src else ""
        if self._mode == "exposure":
            note += f" Consumption at risk: NIR × share of US imports from {group_title(result.inputs)}."
        self.add_footer(note.strip() + " Sector names shortened; hover for full names.", row=3)

    @staticmethod
    def _draw_cells(plot, values: np.ndarray, cmap) -> None:
        colors = cmap.map(np.clip(np.nan_to_num(values), 0.0, 1.0).ravel(), mode=pg.ColorMap.QCOLOR)
        n_cols = values.shape[1]
        for k, color in enumerate(colors):
            i, j = divmod(k, n_cols)
            if np.isfinite(values[i, j]):
                cell = QGraphicsRectItem(QRectF(j - 0.5, i - 0.5, 1.0, 1.0))
                cell.setBrush(color)
                cell.setPen(pg.mkPen(None))
                plot.addItem(cell)

    def _draw_highlight(self, plot, rows: list[str], n_cols: int) -> None:
        for i, mineral in enumerate(rows):
            if mineral in self._selected:
                box = QGraphicsRectItem(QRectF(-0.5, i - 0.5, n_cols, 1.0))
                box.setPen(self.pen(HIGHLIGHT, 2.5))
                box.setZValue(10)
                plot.addItem(box)

    # --- hover / click ---------------------------------------------------------------
    def _hit(self, x: float, y: float):
        if self._matrix is None:
            return None
        i, j = int(round(y)), int(round(x))
        if 0 <= i < len(self._matrix["minerals"]) and 0 <= j < len(self._matrix["sectors"]):
            return (i, j)
        return None

    def _hover_text(self, key) -> str:
        i, j = key
        m = self._matrix
        mineral, sector = m["minerals"][i], m["sectors"][j]
        head = f"{mineral_label(mineral)} × {sector} ({m['sector_ids'][j]})"
        weight = m["weights"][i, j]
        if weight <= 0:
            return f"{head}: no listed use · {reference_edition(self._result.inputs, 'mineral_sector_uses')}"
        basis = IMPORTANCE_BASIS.get(m["basis"][i, j], m["basis"][i, j])
        text = f"{head}: {m['importance'][i, j]} importance (weight {weight:g}; {basis})"
        if self._mode == "exposure":
            car = self._result.minerals.at[mineral, "car"]
            value = self._values[i, j]
            text += (f" × consumption at risk {pct(car)} = {value:.3f}" if value == value
                     else " × consumption at risk n/a")
        return text + f" · {reference_edition(self._result.inputs, 'mineral_sector_uses')}"

    def _mineral_for(self, key) -> str | None:
        return self._matrix["minerals"][key[0]]

    def _chart_data(self) -> dict:
        m = self._matrix or {"minerals": [], "sectors": [], "sector_ids": [], "weights": np.zeros((0, 0))}
        return {"mode": self._mode, "minerals": list(m["minerals"]), "sectors": list(m["sectors"]),
                "sector_ids": list(m["sector_ids"]), "weights": np.array(m["weights"], copy=True),
                "values": np.array(self._values, copy=True), "selected": list(self._selected)}
