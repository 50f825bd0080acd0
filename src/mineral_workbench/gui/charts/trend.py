"""Import value over time by supplier for one mineral (the current selection).

Lines for the mineral's five largest suppliers over the chosen years plus "Other", summed
straight from the supply cube, so every point is a cube total. Countries keep the colours
they have in the supplier bars.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from .base import ChartWidget
from .layout import plot_message
from .painted import Swatch
from .palette import OTHER, partner_colors, partner_ranking
from .supplier_bars import default_minerals
from .text import mineral_label, pct, usd, usd_scale, year_span

TOP = 5
MARKER = 7   # year markers' diameter, px


def supplier_series(cube, mineral: str, years: tuple[int, int] | None, partner_codes: list[str]) -> dict:
    """Yearly USD per partner (in `partner_codes` order) plus "Other", from the cube."""
    mask = cube.year_mask(years)
    m = cube.mineral_index[mineral]
    values = cube.values[mask, m, :]                       # [year, partner]
    index = {p: i for i, p in enumerate(cube.partners)}
    series = {code: values[:, index[code]].astype(float) for code in partner_codes if code in index}
    total = values.sum(axis=1)
    other = total - sum(series.values(), np.zeros(len(total)))
    if np.any(np.abs(other) > 1e-6 * max(1.0, float(total.max(initial=0.0)))):
        series[OTHER] = other
    return {"years": [int(y) for y in cube.years[mask]], "series": series, "total": total}


class TrendChart(ChartWidget):
    chart_id = "trend"
    title = "Imports over time"
    default_size_inches = (7.5, 4.5)

    def __init__(self, selection=None, parent=None, *, line_scale: float = 1.0):
        self.mineral: str | None = None
        self._data: dict | None = None
        self._names: dict[str, str] = {}
        self._divisor, self._unit = 1.0, "$"
        self.line_items: dict[str, pg.PlotCurveItem] = {}
        self.markers: pg.ScatterPlotItem | None = None
        super().__init__(selection, parent, line_scale=line_scale)

    def _reset(self) -> None:
        self.mineral, self._data, self._names, self.line_items, self.markers = None, None, {}, {}, None

    def _pick_mineral(self) -> str | None:
        cube_minerals = set(self._loaded.cube.minerals)
        for mineral in reversed(self._selected):          # the latest selected that the cube has
            if mineral in cube_minerals:
                return mineral
        top = [m for m in default_minerals(self._result.minerals, 1) if m in cube_minerals]
        return top[0] if top else None

    def _draw(self) -> None:
        if self._loaded is None or getattr(self._loaded, "cube", None) is None:
            self._draw_message("The yearly trend needs the loaded trade data")
            return
        mineral = self._pick_mineral()
        if mineral is None:
            self._draw_message("No mineral with import data")
            return
        self.mineral = mineral
        result, cube = self._result, self._loaded.cube
        years = tuple(result.inputs.get("years") or ()) or None
        suppliers = result.suppliers.get(mineral, [])[:TOP]
        self._names = {s["partner_code"]: s["partner"] for s in suppliers}
        self._names[OTHER] = "All other partners"
        data = supplier_series(cube, mineral, years, [s["partner_code"] for s in suppliers])
        self._data = data
        peak = max((float(np.max(v, initial=0.0)) for v in data["series"].values()), default=0.0)
        self._divisor, self._unit = usd_scale(peak)
        picked = ("the selected mineral" if mineral in self._selected else
                  "the mineral with the highest consumption at risk; select a mineral to change it")
        self.add_header(f"{mineral_label(mineral)}: US imports by supplier, {year_span(result.inputs)}",
                        f"Top {TOP} suppliers over the period and all others; {picked}")
        plot = self.add_plot(row=1, left=f"Import value ({self._unit})", bottom="Year")
        self._plot = plot
        if not data["series"]:
            self._draw_message_in_plot(plot, f"No imports of {mineral_label(mineral)} in these years")
            return
        colors = partner_colors(partner_ranking(result.suppliers), data["series"], self.theme.background)
        x = np.array(data["years"], dtype=float)
        self.add_legend(row=2)
        edge = self.pen(self.theme.background, 0.8)
        points_y, brushes = [], []
        for code, values in data["series"].items():
            color = colors.get(code, colors[OTHER])
            line = pg.PlotCurveItem(x, values / self._divisor, pen=self.pen(color, 2.2), antialias=True)
            plot.addItem(line)
            self.legend_entry(Swatch.line(line.opts["pen"], "o", MARKER, color, edge), self._names.get(code, code))
            self.line_items[code] = line
            points_y.append(values / self._divisor)
            brushes += [pg.mkBrush(color)] * len(x)
        # every year's point in one item, above the lines (a PlotDataItem per line costs ~2 ms)
        self.markers = pg.ScatterPlotItem(x=np.tile(x, len(points_y)), y=np.concatenate(points_y), size=MARKER,
                                          symbol="o", brush=brushes, pen=edge, antialias=True)
        plot.addItem(self.markers)
        plot.getAxis("bottom").setTicks([[(int(y), str(y)) for y in data["years"]]])
        plot.showGrid(y=True, alpha=0.15)
        vb = plot.getViewBox()
        pad = 0.3 if len(x) > 1 else 0.7
        top = peak / self._divisor or 1.0
        vb.setRange(xRange=(x.min() - pad, x.max() + pad), yRange=(-0.03 * top, 1.08 * top), padding=0)
        self.add_footer(f"Source: {self.source()}", row=3)

    def _draw_message_in_plot(self, plot, text: str) -> None:
        self.message = text
        plot_message(plot, text, self.theme.foreground)

    # --- hover ---------------------------------------------------------------------------
    def _hit(self, x: float, y: float):
        if not self._data or not self._data["series"]:
            return None
        years = self._data["years"]
        j = int(np.argmin(np.abs(np.array(years) - x)))
        if abs(years[j] - x) > 0.4:
            return None
        (_x0, _x1), (y0, y1) = self._plot.getViewBox().viewRange()
        tolerance = 0.06 * (y1 - y0)
        best = min(self._data["series"], key=lambda c: abs(self._data["series"][c][j] / self._divisor - y))
        if abs(self._data["series"][best][j] / self._divisor - y) > tolerance:
            return None
        return (best, j)

    def _hover_text(self, key) -> str:
        code, j = key
        value = self._data["series"][code][j]
        total = self._data["total"][j]
        share = value / total if total else float("nan")
        return (f"{mineral_label(self.mineral)} · {self._names.get(code, code)}, {self._data['years'][j]}: "
                f"{usd(value)} ({pct(share)} of that year's US imports) · {self.source()}")

    def _chart_data(self) -> dict:
        if not self._data:
            return {"mineral": self.mineral, "years": [], "series": {}, "unit": self._unit}
        return {"mineral": self.mineral, "years": list(self._data["years"]),
                "series": {self._names.get(c, c): v.tolist() for c, v in self._data["series"].items()},
                "codes": list(self._data["series"]), "total": self._data["total"].tolist(),
                "unit": self._unit, "divisor": self._divisor}
