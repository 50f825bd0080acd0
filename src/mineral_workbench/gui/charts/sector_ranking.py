"""Sector (or defense-use) exposure ranking: weakest link and weighted mean, sorted.

Weakest link = the largest importance weight x consumption at risk among a sector's
minerals (its driving mineral is written beside the bar); weighted mean = the
importance-weighted mean of consumption at risk over the minerals with a known value.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from .base import ChartWidget
from .items import fit_category_font
from .painted import TextLabels
from .palette import OKABE_ITO
from .text import IMPORTANCE_BASIS, group_title, is_missing, mineral_label, reference_edition

VIEWS = {"sectors": ("sector", "Infrastructure sectors (NSM-22)", "mineral_sector_uses"),
         "defense": ("category", "Defense uses", "defense_uses")}
WEAKEST_COLOR, MEAN_COLOR = OKABE_ITO[5], OKABE_ITO[4]   # vermillion, blue
BAR = 0.36


def ranked(frame, key: str):
    """Rows sorted by weakest link, then weighted mean (largest first; n/a last)."""
    return frame.assign(_w=frame["weakest_link"].fillna(-1.0), _m=frame["weighted_mean"].fillna(-1.0)) \
        .sort_values(["_w", "_m", key], ascending=[False, False, True]).drop(columns=["_w", "_m"])


class SectorRankingChart(ChartWidget):
    chart_id = "sector_ranking"
    title = "Sector exposure"
    default_size_inches = (7.5, 5.5)

    def __init__(self, selection=None, parent=None, *, line_scale: float = 1.0):
        self._view_kind = "sectors"
        self._rows = None
        self.weakest_item: pg.BarGraphItem | None = None
        self.mean_item: pg.BarGraphItem | None = None
        self.driver_labels: TextLabels | None = None
        super().__init__(selection, parent, line_scale=line_scale)

    def _build_controls(self) -> None:
        choices = {key: title for key, (_k, title, _t) in VIEWS.items()}
        self.kind_box = self.add_choice("Rank:", choices, "view", "Rank sectors or defense uses")

    def options(self) -> dict:
        return {"view": self._view_kind}

    def set_options(self, view: str | None = None, **rest) -> None:
        super().set_options(**rest)
        if view is None or view == self._view_kind:
            return
        if view not in VIEWS:
            raise ValueError(f"ranking view must be one of {sorted(VIEWS)}, not {view!r}")
        self._view_kind = view
        self.kind_box.setCurrentIndex(list(VIEWS).index(view))
        self.redraw()

    def _reset(self) -> None:
        self._rows = None
        self.weakest_item = self.mean_item = self.driver_labels = None

    def _frame(self):
        key = VIEWS[self._view_kind][0]
        frame = self._result.sectors if self._view_kind == "sectors" else self._result.defense
        return key, frame

    def _draw(self) -> None:
        key, frame = self._frame()
        _k, what, table = VIEWS[self._view_kind]
        if frame is None or frame.empty:
            self._draw_message(f"No {what.lower()} to rank")
            return
        rows = ranked(frame, key).reset_index(drop=True)
        self._rows, n = rows, len(rows)
        weakest = rows["weakest_link"].to_numpy(float) * 100.0
        mean = rows["weighted_mean"].to_numpy(float) * 100.0
        self.add_header(f"{what}: exposure to imports from {group_title(self._result.inputs)}",
                        "Weakest link (largest importance × consumption at risk; driving mineral named) "
                        "and importance-weighted mean, sorted")
        plot = self.add_plot(row=1, bottom="Weighted consumption at risk (% of US consumption)")
        self._plot = plot
        y = np.arange(n, dtype=float)
        edge = self.pen(self.theme.background, 0.5)
        self.weakest_item = pg.BarGraphItem(x0=np.zeros(n), y=y - BAR / 2, width=np.nan_to_num(weakest),
                                            height=BAR, brush=WEAKEST_COLOR, pen=edge)
        self.mean_item = pg.BarGraphItem(x0=np.zeros(n), y=y + BAR / 2, width=np.nan_to_num(mean),
                                         height=BAR, brush=MEAN_COLOR, pen=edge)
        plot.addItem(self.weakest_item)
        plot.addItem(self.mean_item)
        top = float(np.nanmax(np.r_[weakest, mean, [1.0]]))
        self.driver_labels = labels = TextLabels(self.font(7.5))
        ringed = []
        for i, driver in enumerate(rows["driving_mineral"]):
            driver = str(driver or "")
            text = mineral_label(driver) if driver else "n/a (no consumption at risk)"
            labels.add(0 if is_missing(weakest[i]) else weakest[i], i - BAR / 2, f" {text}",
                       self.theme.foreground, anchor=(0, 0.5), bold=driver in self._selected)
            if driver and driver in self._selected:
                ringed.append(i)
        plot.addItem(labels)
        if ringed:   # the selected minerals' weakest links, outlined
            ring = pg.BarGraphItem(x0=np.zeros(len(ringed)), y=np.array(ringed, float) - BAR / 2,
                                   width=weakest[ringed], height=BAR, brush=None,
                                   pen=self.pen(self.theme.foreground, 2.5))
            ring.setZValue(10)
            plot.addItem(ring)
        self.add_legend(row=2)
        self.legend_entry(self.weakest_item, "Weakest link")
        self.legend_entry(self.mean_item, "Weighted mean")
        vb = plot.getViewBox()
        vb.invertY(True)
        vb.setRange(xRange=(0, top * 1.2), yRange=(-0.6, n - 0.4), padding=0)  # room for the mineral name
        fit_category_font(plot.getAxis("left"), vb, [str(v) for v in rows[key]])
        self.keep_rows_readable(n)
        self.add_footer(f"Importance: {reference_edition(self._result.inputs, table)}. "
                        f"Consumption at risk = NIR × share of US imports from the group; {self.source()}",
                        row=3)

    # --- hover / click ---------------------------------------------------------------
    def _hit(self, x: float, y: float):
        if self._rows is None:
            return None
        i = int(round(y))
        if not 0 <= i < len(self._rows) or x < 0:
            return None
        return (i, "weakest" if y < i else "mean")

    def _hover_text(self, key) -> str:
        i, which = key
        row = self._rows.iloc[i]
        name = row[self._frame()[0]]
        src = self.source()
        if which == "weakest":
            if is_missing(row["weakest_link"]):
                return f"{name}: weakest link n/a (no mineral with a known consumption at risk) · {src}"
            driver = mineral_label(row["driving_mineral"])
            basis = IMPORTANCE_BASIS.get(row["driving_basis"], row["driving_basis"])
            return (f"{name}: weakest link {row['weakest_link'] * 100:.1f}% from {driver} "
                    f"(importance weight × consumption at risk; {basis}) · {src}")
        if is_missing(row["weighted_mean"]):
            return f"{name}: weighted mean n/a · {src}"
        return (f"{name}: importance-weighted mean {row['weighted_mean'] * 100:.1f}% over "
                f"{int(row['minerals']) - int(row['minerals_without_car'])} minerals "
                f"({int(row['minerals_without_car'])} with consumption at risk n/a left out) · {src}")

    def _mineral_for(self, key) -> str | None:
        driver = self._rows.iloc[key[0]]["driving_mineral"]
        return str(driver) if driver else None

    def _chart_data(self) -> dict:
        if self._rows is None:
            return {"view": self._view_kind, "labels": [], "weakest_link": [], "weighted_mean": [],
                    "driving_mineral": []}
        key = self._frame()[0]
        return {"view": self._view_kind, "labels": [str(v) for v in self._rows[key]],
                "weakest_link": (self._rows["weakest_link"].to_numpy(float) * 100).tolist(),
                "weighted_mean": (self._rows["weighted_mean"].to_numpy(float) * 100).tolist(),
                "driving_mineral": [str(v) for v in self._rows["driving_mineral"]]}
