"""Criticality matrix: supplier concentration (or group share) against net import reliance.

x: HHI of US import sources (0-10,000) or the chosen group's share of US imports (%);
y: USGS net import reliance (%); bubble area proportional to import value. Guide lines
mark HHI 2,500 (highly concentrated, US DOJ/FTC merger guidelines) or a 50% group share,
and NIR 50%. Labels go on the selected and the most exposed minerals, skipping any that
would overlap.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QFontMetricsF

from .base import ChartWidget
from .painted import Label, Swatch, TextLabels
from .palette import HIGHLIGHT, OKABE_ITO
from .text import group_title, mineral_label, nir_text, pct, reference_edition, usd

X_AXES = {"hhi": "Supplier concentration (HHI)", "group_share": "Share from the chosen group"}
SYMBOLS = {"=": "o", ">": "t1", "<": "t"}   # t1: triangle up (true value higher), t: down
QUALIFIER_LEGEND = (("=", "NIR as published"), (">", "NIR lower bound (>)"), ("<", "NIR upper bound (<)"))
MAX_LABELS = 14
MIN_SIZE, MAX_SIZE = 7.0, 40.0
Y_RANGE = (-4.0, 108.0)


def bubble_sizes(values: np.ndarray) -> np.ndarray:
    """Diameters in pixels with area proportional to value (diameter ~ sqrt(value))."""
    values = np.clip(np.nan_to_num(values.astype(float)), 0, None)
    top = values.max() if len(values) else 0.0
    if top <= 0:
        return np.full(len(values), MIN_SIZE)
    return MIN_SIZE + (MAX_SIZE - MIN_SIZE) * np.sqrt(values / top)


class CriticalityChart(ChartWidget):
    chart_id = "criticality"
    title = "Criticality matrix"
    default_size_inches = (7.5, 5.5)

    def __init__(self, selection=None, parent=None, *, line_scale: float = 1.0):
        self._x_axis = "hhi"
        self._points = None
        self.scatter: pg.ScatterPlotItem | None = None
        self.point_labels: TextLabels | None = None
        self.labelled: list[str] = []
        self.omitted: dict[str, str] = {}
        super().__init__(selection, parent, line_scale=line_scale)

    def _build_controls(self) -> None:
        self.x_box = self.add_choice("Horizontal axis:", X_AXES, "x_axis",
                                     "Criticality matrix horizontal axis")

    def options(self) -> dict:
        return {"x_axis": self._x_axis}

    def set_options(self, x_axis: str | None = None, **rest) -> None:
        super().set_options(**rest)
        if x_axis is None or x_axis == self._x_axis:
            return
        if x_axis not in X_AXES:
            raise ValueError(f"x axis must be one of {sorted(X_AXES)}, not {x_axis!r}")
        self._x_axis = x_axis
        self.x_box.setCurrentIndex(list(X_AXES).index(x_axis))
        self.redraw()

    def _reset(self) -> None:
        self._points, self.scatter, self.point_labels, self.labelled, self.omitted = None, None, None, [], {}

    def _x_values(self, frame) -> np.ndarray:
        if self._x_axis == "hhi":
            return frame["hhi"].to_numpy(float)
        return frame["group_share"].to_numpy(float) * 100.0

    def _draw(self) -> None:
        result = self._result
        frame = result.minerals
        x, y = self._x_values(frame), frame["nir_pct"].to_numpy(float)
        keep = np.isfinite(x) & np.isfinite(y)
        for mineral, ok, q, imports in zip(frame.index, keep, frame["nir_qualifier"],
                                           frame["import_value_usd"]):
            if not ok:
                self.omitted[str(mineral)] = ("no import data" if not imports > 0 else
                                              "net exporter" if q == "E" else "NIR n/a")
        pts = frame.loc[keep].assign(_x=x[keep], _y=y[keep])
        self._points = pts
        group = group_title(result.inputs)
        hhi = self._x_axis == "hhi"
        x_what = "HHI of import sources" if hhi else f"share of US imports from {group}"
        self.add_header("Criticality matrix: concentration of US import sources vs. net import reliance",
                        f"Bubble area ∝ US import value; x: {x_what}")
        bottom = ("Supplier concentration, HHI (0–10,000)" if hhi
                  else f"Share of US imports from {group} (%)")
        plot = self.add_plot(row=1, left="Net import reliance (%)", bottom=bottom)
        self._plot = plot
        self._draw_guides(plot, hhi)
        fill = pg.mkColor(OKABE_ITO[4])
        fill.setAlpha(150)
        self._draw_points(plot, pts, fill)
        x_max = 10_000.0 if hhi else 100.0
        vb = plot.getViewBox()
        vb.setRange(xRange=(-0.03 * x_max, 1.03 * x_max), yRange=Y_RANGE, padding=0)
        self.add_legend(row=2)
        qualifiers = set(pts["nir_qualifier"])
        for q, text in QUALIFIER_LEGEND:
            if q in qualifiers:
                self.legend_entry(Swatch.marker(SYMBOLS[q], 10, fill, self.pen(self.theme.background, 0.8)), text)
        if not getattr(vb, "_places_labels", False):   # once per plot (redraws reuse it)
            vb.sigResized.connect(self._place_labels)
            vb._places_labels = True
        self._place_labels()
        self.add_footer(self._footer(), row=3)

    def _draw_guides(self, plot, hhi: bool) -> None:
        guide = self.pen(self.theme.foreground, 1.0, Qt.PenStyle.DashLine)
        opts = {"color": self.theme.foreground, "movable": False, "fill": None}
        vline = pg.InfiniteLine(2_500.0 if hhi else 50.0, angle=90, pen=guide,
                                label="HHI 2,500: highly concentrated" if hhi else "50% from the group",
                                labelOpts={**opts, "position": 0.04, "anchors": [(0, 1), (0, 1)]})
        hline = pg.InfiniteLine(50.0, angle=0, pen=guide, label="NIR 50%",
                                labelOpts={**opts, "position": 0.98, "anchors": [(1, 1), (1, 1)]})
        for line in (vline, hline):
            line.label.setFont(self.font(7.5))
            plot.addItem(line)

    def _draw_points(self, plot, pts, fill) -> None:
        selected = [m in self._selected for m in pts.index]
        brushes = [pg.mkBrush(HIGHLIGHT) if s else pg.mkBrush(fill) for s in selected]
        pens = [self.pen(self.theme.foreground, 2.5) if s else self.pen(self.theme.background, 0.8)
                for s in selected]
        self.scatter = pg.ScatterPlotItem(
            x=pts["_x"].to_numpy(), y=pts["_y"].to_numpy(), data=list(pts.index),
            size=bubble_sizes(pts["import_value_usd"].to_numpy(float)),
            symbol=[SYMBOLS.get(q, "o") for q in pts["nir_qualifier"]],
            brush=brushes, pen=pens, antialias=True)
        self.scatter.setZValue(5)
        plot.addItem(self.scatter)

    def _footer(self) -> str:
        note = ""
        if self.omitted:
            groups: dict[str, list[str]] = {}
            for m, why in self.omitted.items():
                groups.setdefault(why, []).append(m)
            note = "Not plotted: " + "; ".join(f"{why}: {', '.join(ms)}" for why, ms in groups.items()) + ". "
        inputs = self._result.inputs
        edition = reference_edition(inputs, "net_import_reliance") or "USGS"
        year = inputs.get("nir_year")
        return f"{note}NIR: {edition}{f' ({year} data)' if year else ''}; imports: {self.source()}"

    def _place_labels(self, *_args) -> None:
        """Label the selected, then the most exposed minerals, skipping labels that would overlap."""
        plot = self._plot
        if plot is None or self._points is None or self.scatter is None:
            return
        if self.point_labels is None:
            self.point_labels = TextLabels(self.font(8))
            self.point_labels.setZValue(6)
            plot.addItem(self.point_labels)
        labels, self.labelled = [], []
        pts = self._points
        vb = plot.getViewBox()
        (x0, x1), (y0, y1) = vb.viewRange()
        w, h = max(vb.width(), 1.0), max(vb.height(), 1.0)
        sizes = bubble_sizes(pts["import_value_usd"].to_numpy(float))
        order = label_priority(pts, self._selected)
        px_all = (pts["_x"].to_numpy() - x0) / (x1 - x0) * w
        py_all = (y1 - pts["_y"].to_numpy()) / (y1 - y0) * h
        # bubbles are obstacles too (shrunk a little: a label may touch a bubble's edge)
        taken = [(px - 0.35 * d, py - 0.35 * d, px + 0.35 * d, py + 0.35 * d)
                 for px, py, d in zip(px_all, py_all, sizes)]
        fm = QFontMetricsF(self.font(8))
        for i in order:
            mineral = pts.index[i]
            if len(self.labelled) >= MAX_LABELS and mineral not in self._selected:
                break
            px, py = px_all[i], py_all[i]
            text = mineral_label(mineral)
            tw, th, r = fm.horizontalAdvance(text) + 6, fm.height(), sizes[i] / 2 + 2
            for ax, box in (((0, 0.5), (px + r, py - th / 2)), ((1, 0.5), (px - r - tw, py - th / 2)),
                            ((0.5, 1), (px - tw / 2, py - r - th)), ((0.5, 0), (px - tw / 2, py + r))):
                rect = (box[0], box[1], box[0] + tw, box[1] + th)
                inside = rect[0] >= 0 and rect[2] <= w and rect[1] >= 0 and rect[3] <= h
                if inside and not any(_overlap(rect, t) for t in taken):
                    break
            else:
                if mineral not in self._selected:
                    continue
            taken.append(rect)
            offset = {(0, 0.5): (r, 0), (1, 0.5): (-r, 0), (0.5, 1): (0, -r), (0.5, 0): (0, r)}[ax]
            labels.append(Label(float(pts["_x"].iloc[i] + offset[0] * (x1 - x0) / w),
                                float(pts["_y"].iloc[i] - offset[1] * (y1 - y0) / h), text,
                                self.theme.foreground, ax, mineral in self._selected))
            self.labelled.append(mineral)
        self.point_labels.set_labels(labels)

    # --- hover / click ---------------------------------------------------------------
    def _hit(self, x: float, y: float):
        if self.scatter is None:
            return None
        spots = self.scatter.pointsAt(QPointF(x, y))
        if len(spots) == 0:
            return None
        return min(spots, key=lambda s: s.size()).data()

    def _hover_text(self, mineral) -> str:
        row = self._result.minerals.loc[mineral]
        group = group_title(self._result.inputs)
        return (f"{mineral_label(mineral)}: HHI {row['hhi']:,.0f} (0–10,000); "
                f"{pct(row['group_share'])} of US imports from {group}; "
                f"{nir_text(row['nir_pct'], row['nir_qualifier'], row['nir_edition'])}; "
                f"consumption at risk {pct(row['car'])}; imports {usd(row['import_value_usd'])}; "
                f"top supplier {row['top_supplier']} ({pct(row['top_supplier_share'])}) · {self.source()}")

    def _mineral_for(self, key) -> str | None:
        return str(key) if key else None

    def _chart_data(self) -> dict:
        if self._points is None:
            return {"x_axis": self._x_axis, "minerals": [], "x": [], "y": [], "sizes": [],
                    "labelled": [], "omitted": dict(self.omitted)}
        x, y = self.scatter.getData()
        return {"x_axis": self._x_axis, "minerals": [str(m) for m in self._points.index],
                "x": list(map(float, x)), "y": list(map(float, y)),
                "sizes": list(map(float, self.scatter.data["size"])),
                "symbols": list(self.scatter.data["symbol"]),
                "labelled": list(self.labelled), "omitted": dict(self.omitted)}


def label_priority(pts, selected: list[str]) -> list[int]:
    """Row positions to label first: selected, the 10 highest CaR, the 4 largest importers, the rest."""
    car = pts["car"].fillna(-1.0).to_numpy()
    value = pts["import_value_usd"].to_numpy(float)
    by_car = list(np.argsort(-car, kind="stable"))
    by_value = list(np.argsort(-value, kind="stable"))
    chosen = [i for i, m in enumerate(pts.index) if m in selected] + by_car[:10] + by_value[:4] + by_car[10:]
    return list(dict.fromkeys(int(i) for i in chosen))


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
