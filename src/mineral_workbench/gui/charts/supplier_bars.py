"""Who supplies each mineral: stacked horizontal bars of supplier shares (top 5 + "Other").

Shows the selected minerals, or the top minerals by consumption at risk when nothing is
selected. A country has one colour on every bar (and in the trend chart).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from .base import ChartWidget
from .items import fit_category_font
from .layout import plot_message
from .painted import Swatch, TextLabels
from .palette import OTHER, partner_colors, partner_ranking, text_on
from .text import mineral_label, pct, source_note, usd, year_span

BAR_HEIGHT = 0.7
LABEL_MIN_SHARE = 0.12   # write "CHN 58%" inside segments at least this wide


def default_minerals(minerals_frame, n: int) -> list[str]:
    """Top `n` minerals by consumption at risk (then import value) among those with imports."""
    value = minerals_frame["import_value_usd"].to_numpy(dtype=float, na_value=np.nan)
    car = np.nan_to_num(minerals_frame["car"].to_numpy(dtype=float, na_value=np.nan), nan=-1.0)
    keep = np.flatnonzero(value > 0)
    order = keep[np.lexsort((-value[keep], -car[keep]))]   # stable, like sort_values: ties keep order
    names = minerals_frame.index
    return [str(names[i]) for i in order[:n]]


class BarGroup:
    """One partner's segments of the shared bar item, shaped like a BarGraphItem's `opts`."""

    def __init__(self, segments: list[dict], color, pen):
        self.opts = {"x0": np.array([s["x0"] for s in segments]),
                     "y": np.array([s["row"] for s in segments], float),
                     "width": np.array([s["width"] for s in segments]), "brush": color, "pen": pen}


class SupplierBarsChart(ChartWidget):
    chart_id = "supplier_bars"
    title = "Supplier shares"
    default_size_inches = (7.5, 4.5)
    top_suppliers = 5
    default_count = 8

    def __init__(self, selection=None, parent=None, *, line_scale: float = 1.0):
        self._pinned: list[str] | None = None
        self._rows: list[str] = []
        self._segments: list[dict] = []
        self.bar_items: dict[str, BarGroup] = {}      # per partner, for tests and tools
        self.bars: pg.BarGraphItem | None = None       # every segment, one brush each
        self.segment_labels: TextLabels | None = None
        super().__init__(selection, parent, line_scale=line_scale)

    def shown_minerals(self) -> list[str]:
        """The selected minerals (as pinned by our own last click), else the default top list."""
        if self._result is None:
            return []
        if self._pinned is not None:
            return list(self._pinned)
        return self._chosen() or default_minerals(self._result.minerals, self.default_count)

    def _chosen(self) -> list[str]:
        known = set(self._result.minerals.index)
        return [m for m in self._selected if m in known]

    def _selection_changed(self, from_self: bool) -> None:
        # A click on one of our own bars highlights it; it does not shrink the chart to one bar.
        self._pinned = list(self._rows) if from_self and self._rows else None
        super()._selection_changed(from_self)

    def set_data(self, result, loaded=None) -> None:
        self._pinned = None
        super().set_data(result, loaded)

    def _data_key(self, result):
        previous, self._result = self._result, result
        try:
            rows = self.shown_minerals()
        finally:
            self._result = previous
        suppliers = tuple(tuple((s["partner_code"], float(s["share"]), float(s["value_usd"]))
                                for s in result.suppliers.get(m, [])[: self.top_suppliers]) for m in rows)
        values = tuple(float(result.minerals.at[m, "import_value_usd"]) for m in rows)
        return (tuple(rows), suppliers, values, tuple(partner_ranking(result.suppliers)),
                year_span(result.inputs))

    def _export_state(self) -> dict:
        return {"pinned": self._pinned}

    def _restore_export_state(self, state: dict) -> None:
        self._pinned = state.get("pinned")

    def _reset(self) -> None:
        self._rows, self._segments, self.bar_items = [], [], {}
        self.bars = self.segment_labels = None

    def _draw(self) -> None:
        result = self._result
        rows = self.shown_minerals()
        self._rows, self._segments, self.bar_items = rows, [], {}
        span = year_span(result.inputs)
        which = ("Selected minerals" if self._pinned is not None or self._chosen() else
                 f"The {len(rows)} minerals with the highest consumption at risk "
                 "(select minerals to compare others)")
        self.add_header(f"Top {self.top_suppliers} suppliers' share of US import value"
                        + (f", {span}" if span else ""), which)
        plot = self.add_plot(row=1, bottom="Share of US import value (%)", left="Mineral")
        self._plot = plot
        if not rows:
            self.message = "No minerals with import data"
            plot_message(plot, self.message, self.theme.foreground)
            return
        for i, mineral in enumerate(rows):
            self._segments.extend(self._mineral_segments(i, mineral))
        by_partner: dict[str, list[dict]] = {}
        for seg in self._segments:
            by_partner.setdefault(seg["partner_code"], []).append(seg)
        colors = partner_colors(partner_ranking(result.suppliers), by_partner, self.theme.background)
        self.add_legend(row=2)
        order = [c for c in colors if c in by_partner] + [c for c in by_partner if c not in colors]
        edge = self.pen(self.theme.background, 1.0)
        segs = [s for code in order for s in by_partner[code]]
        brushes = [pg.mkBrush(colors.get(s["partner_code"]) or colors[OTHER]) for s in segs]
        bars = pg.BarGraphItem(x0=np.array([s["x0"] for s in segs]), y=np.array([s["row"] for s in segs], float),
                               width=np.array([s["width"] for s in segs]), height=BAR_HEIGHT,
                               brushes=brushes, pen=edge)
        plot.addItem(bars)
        self.bars = bars
        labels = TextLabels(self.font(7.5))
        for code in order:
            group, color = by_partner[code], colors.get(code) or colors[OTHER]
            self.bar_items[code] = BarGroup(group, color, edge)
            self.legend_entry(Swatch.bar(color, edge), group[0]["partner"])
            tag = "Other" if code == OTHER else code.split(":")[0][:3]
            for s in group:
                if s["share"] >= LABEL_MIN_SHARE:
                    labels.add(s["x0"] + s["width"] / 2, s["row"], f"{tag} {s['share'] * 100:.0f}%",
                               text_on(color))
        plot.addItem(labels)
        self.segment_labels = labels
        self._draw_highlight(plot, rows)
        vb = plot.getViewBox()
        vb.invertY(True)
        vb.setRange(xRange=(0, 100), yRange=(-0.6, len(rows) - 0.4), padding=0)
        plot.getAxis("bottom").setTicks([[(v, f"{v}") for v in (0, 25, 50, 75, 100)]])
        fit_category_font(plot.getAxis("left"), vb, [mineral_label(m) for m in rows])
        self.add_footer("Source: " + source_note(result.inputs), row=3)

    def _mineral_segments(self, row: int, mineral: str) -> list[dict]:
        suppliers = self._result.suppliers.get(mineral, [])[: self.top_suppliers]
        total = float(self._result.minerals.at[mineral, "import_value_usd"])
        segs, x0, used = [], 0.0, 0.0
        for s in suppliers:
            width = float(s["share"]) * 100.0
            segs.append({"mineral": mineral, "row": row, "partner_code": s["partner_code"],
                         "partner": s["partner"], "share": float(s["share"]),
                         "value_usd": float(s["value_usd"]), "x0": x0, "width": width})
            x0 += width
            used += float(s["share"])
        other = 1.0 - used
        if suppliers and other > 1e-9:
            segs.append({"mineral": mineral, "row": row, "partner_code": OTHER, "partner": OTHER,
                         "share": other, "value_usd": total - sum(s["value_usd"] for s in segs),
                         "x0": x0, "width": other * 100.0})
        return segs

    def _draw_highlight(self, plot, rows: list[str]) -> None:
        marked = [i for i, m in enumerate(rows) if m in self._selected]
        if marked and len(marked) < len(rows):   # showing only the selection: nothing to set apart
            ring = pg.BarGraphItem(x0=np.zeros(len(marked)), y=np.array(marked, float), width=100.0,
                                   height=BAR_HEIGHT + 0.12, brush=None,
                                   pen=self.pen(self.theme.foreground, 2.5))
            ring.setZValue(10)
            plot.addItem(ring)

    # --- hover / click -----------------------------------------------------------------
    def _hit(self, x: float, y: float):
        row = int(round(y))
        if abs(y - row) > BAR_HEIGHT / 2 or not 0 <= row < len(self._rows):
            return None
        for i, seg in enumerate(self._segments):
            if seg["row"] == row and seg["x0"] <= x < seg["x0"] + seg["width"]:
                return i
        return ("row", row)

    def _hover_text(self, key) -> str:
        if isinstance(key, tuple):
            mineral = self._rows[key[1]]
            return f"{mineral_label(mineral)}: no import data · {self.source()}"
        seg = self._segments[key]
        who = "all other partners" if seg["partner_code"] == OTHER else seg["partner"]
        return (f"{mineral_label(seg['mineral'])} · {who}: {usd(seg['value_usd'])} "
                f"({pct(seg['share'])} of US import value) · {self.source()}")

    def _mineral_for(self, key) -> str | None:
        return self._rows[key[1]] if isinstance(key, tuple) else self._segments[key]["mineral"]

    def _chart_data(self) -> dict:
        return {"minerals": list(self._rows), "selected": list(self._selected),
                "segments": [dict(s) for s in self._segments],
                "shares": {m: {s["partner"]: s["width"] for s in self._segments if s["mineral"] == m}
                           for m in self._rows}}

