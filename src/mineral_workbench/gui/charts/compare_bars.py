"""Sector (or defense-use) exposure of two results overlaid: A and B bars per row.

The interactive sibling of the memo's SectorCompareChart: `set_pair(a, b, a_label, b_label)`
takes any two AnalysisResults (baseline vs scenario, or scenario vs scenario), and the
analyst picks sectors or defense uses, weakest link or weighted mean. Rows are sorted by
A; a row whose value changes gets its B − A written beside its bars.
"""

from __future__ import annotations

import pyqtgraph as pg

from .base import ChartWidget
from .items import fit_category_font, paired_bars
from .palette import OKABE_ITO
from .text import group_title, is_missing, mineral_label, reference_edition, sector_short

A_COLOR, B_COLOR = OKABE_ITO[1], OKABE_ITO[0]   # sky blue, orange: apart in hue and lightness
BAR = 0.38
CHANGE = 0.0005   # changes below 0.05 points are not written
VIEWS = {"sectors": ("sector", "Infrastructure sectors (NSM-22)", "mineral_sector_uses"),
         "defense": ("category", "Defense uses", "defense_uses")}
METRICS = {"weakest_link": "Weakest link", "weighted_mean": "Weighted mean"}
LEGEND_CHARS = 44


def elide(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


class CompareBarsChart(ChartWidget):
    chart_id = "compare_bars"
    title = "Exposure compared"
    default_size_inches = (6.5, 4.5)

    def __init__(self, selection=None, parent=None, *, line_scale: float = 1.0):
        self._a = None
        self._labels = ("A", "B")
        self._view_kind = "sectors"
        self._metric = "weakest_link"
        self._rows = None
        self.a_item: pg.BarGraphItem | None = None
        self.b_item: pg.BarGraphItem | None = None
        self.change_labels = None   # the B − A texts (painted.TextLabels)
        super().__init__(selection, parent, line_scale=line_scale)

    # --- data and options -------------------------------------------------------------------
    def set_pair(self, a, b, a_label: str = "A", b_label: str = "B", loaded=None) -> None:
        """Compare result `b` with result `a` (None, None: nothing to compare)."""
        self._a = a
        self._labels = (a_label, b_label)
        self.set_data(b, loaded)

    def _build_controls(self) -> None:
        self.view_box = self.add_choice("Show:", {k: v[1] for k, v in VIEWS.items()}, "view",
                                        "Compare sectors or defense uses")
        self.metric_box = self.add_choice("Measure:", METRICS, "metric", "Exposure measure compared")

    def options(self) -> dict:
        return {"view": self._view_kind, "metric": self._metric}

    def set_options(self, view: str | None = None, metric: str | None = None, **rest) -> None:
        super().set_options(**rest)
        changed = False
        for value, allowed, attr, box in ((view, VIEWS, "_view_kind", self.view_box),
                                          (metric, METRICS, "_metric", self.metric_box)):
            if value is None or value == getattr(self, attr):
                continue
            if value not in allowed:
                raise ValueError(f"must be one of {sorted(allowed)}, not {value!r}")
            setattr(self, attr, value)
            box.setCurrentIndex(list(allowed).index(value))
            changed = True
        if changed:
            self.redraw()

    def _export_state(self) -> dict:
        return {"a": self._a, "labels": self._labels}

    def _restore_export_state(self, state: dict) -> None:
        self._a, self._labels = state.get("a"), state.get("labels", ("A", "B"))

    def _reset(self) -> None:
        self._rows = None
        self.a_item = self.b_item = self.change_labels = None

    # --- drawing ----------------------------------------------------------------------------
    def _draw(self) -> None:
        key, what, table = VIEWS[self._view_kind]
        if self._a is None:
            self._draw_message("Nothing to compare")
            return
        a = getattr(self._a, self._view_kind).set_index(key)
        b = getattr(self._result, self._view_kind).set_index(key).reindex(a.index)
        metric = self._metric
        order = a.assign(_v=a[metric].fillna(-1.0)).sort_values("_v", ascending=False).index
        rows = a.loc[order, [metric, "driving_mineral"]].rename(
            columns={metric: "a", "driving_mineral": "driver_a"})
        rows["b"] = b.loc[order, metric]
        rows["driver_b"] = b.loc[order, "driving_mineral"]
        self._rows = rows
        n = len(rows)
        old, new = rows["a"].to_numpy(float) * 100.0, rows["b"].to_numpy(float) * 100.0
        a_label, b_label = self._labels
        self.add_header(f"{what}: {METRICS[metric].lower()} exposure to imports from "
                        f"{group_title(self._result.inputs)}",
                        f"{elide(a_label, 60)} vs {elide(b_label, 60)}; sorted by the first")
        plot = self.add_plot(row=1, bottom=f"{METRICS[metric]} consumption at risk "
                                           "(% of US consumption)")
        self._plot = plot
        self.a_item, self.b_item, top = paired_bars(self, plot, old, new, (A_COLOR, B_COLOR), BAR,
                                                    CHANGE * 100)
        vb = plot.getViewBox()
        vb.invertY(True)
        vb.setRange(xRange=(0, top * 1.22), yRange=(-0.6, n - 0.4), padding=0)
        names = [sector_short(s, 22) for s in rows.index] if key == "sector" else list(rows.index)
        fit_category_font(plot.getAxis("left"), vb, [str(s) for s in names])
        self.keep_rows_readable(n)
        self.add_legend(row=2)
        self.legend_entry(self.a_item, elide(a_label, LEGEND_CHARS))  # a long name would widen
        self.legend_entry(self.b_item, elide(b_label, LEGEND_CHARS))  # the chart past its dock
        self.add_footer(f"Importance: {reference_edition(self._result.inputs, table)}. Consumption "
                        f"at risk = NIR × share of US imports from the group; {self.source()}", row=3)

    # --- hover / click ----------------------------------------------------------------------
    def _hit(self, x: float, y: float):
        if self._rows is None:
            return None
        i = int(round(y))
        return (i, "a" if y < i else "b") if 0 <= i < len(self._rows) and x >= 0 else None

    def _hover_text(self, key) -> str:
        i, which = key
        row = self._rows.iloc[i]
        label = self._labels[0 if which == "a" else 1]
        value = row[which]
        text = "n/a" if is_missing(value) else f"{float(value) * 100:.1f}%"
        driver = row[f"driver_{which}"]
        driven = f", driven by {mineral_label(driver)}" if isinstance(driver, str) and driver else ""
        change = ""
        if not (is_missing(row["a"]) or is_missing(row["b"])):
            change = f"; {self._labels[1]} − {self._labels[0]} = {(row['b'] - row['a']) * 100:+.1f} pts"
        return (f"{self._rows.index[i]}: {METRICS[self._metric].lower()} {text} in {label}"
                f"{driven}{change} · {self.source()}")

    def _mineral_for(self, key) -> str | None:
        driver = self._rows.iloc[key[0]][f"driver_{key[1]}"]
        return str(driver) if isinstance(driver, str) and driver else None

    def _chart_data(self) -> dict:
        if self._rows is None:
            return {"view": self._view_kind, "metric": self._metric, "labels": [], "a": [], "b": [],
                    "names": list(self._labels)}
        return {"view": self._view_kind, "metric": self._metric, "names": list(self._labels),
                "labels": [str(s) for s in self._rows.index],
                "a": (self._rows["a"].to_numpy(float) * 100).tolist(),
                "b": (self._rows["b"].to_numpy(float) * 100).tolist()}
