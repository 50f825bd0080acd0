"""Sector exposure, baseline vs scenario: paired bars of weakest-link consumption at risk.

A print chart for the memo (not a tab of the window): `set_data(scenario_result, loaded)`
after `set_baseline(baseline_result)`. Sectors are sorted by their baseline exposure;
a sector the scenario changes gets its change written beside its bars, so a reader sees
at once where the scenario acts.
"""

from __future__ import annotations

import pyqtgraph as pg

from .base import ChartWidget
from .items import fit_category_font, paired_bars
from .palette import OKABE_ITO
from .text import group_title, is_missing, reference_edition, sector_short

BASELINE_COLOR, SCENARIO_COLOR = OKABE_ITO[1], OKABE_ITO[5]   # sky blue, vermillion
BAR = 0.38
CHANGE = 0.0005   # a change below 0.05 points is not written


class SectorCompareChart(ChartWidget):
    chart_id = "sector_compare"
    title = "Sector exposure, baseline vs scenario"
    default_size_inches = (6.5, 4.3)

    def __init__(self, selection=None, parent=None, *, line_scale: float = 1.0):
        self._baseline = None
        self._scenario_name = ""
        self._rows = None
        self.baseline_item: pg.BarGraphItem | None = None
        self.scenario_item: pg.BarGraphItem | None = None
        self.change_labels = None   # the scenario − baseline texts (painted.TextLabels)
        super().__init__(selection, parent, line_scale=line_scale)

    def set_baseline(self, baseline, scenario_name: str = "") -> None:
        """The baseline AnalysisResult to compare against (call before set_data)."""
        self._baseline = baseline
        self._scenario_name = scenario_name
        self.redraw()

    def _export_state(self) -> dict:
        return {"baseline": self._baseline, "scenario_name": self._scenario_name}

    def _restore_export_state(self, state: dict) -> None:
        self._baseline = state.get("baseline")
        self._scenario_name = state.get("scenario_name", "")

    def _reset(self) -> None:
        self._rows = None
        self.baseline_item = self.scenario_item = self.change_labels = None

    def _draw(self) -> None:
        if self._baseline is None:
            self._draw_message("No baseline to compare the scenario with")
            return
        base = self._baseline.sectors.set_index("sector")
        what = self._result.sectors.set_index("sector").reindex(base.index)
        order = base.assign(_w=base["weakest_link"].fillna(-1.0)).sort_values(
            ["_w", "weighted_mean"], ascending=False).index
        rows = base.loc[order, ["weakest_link"]].rename(columns={"weakest_link": "baseline"})
        rows["scenario"] = what.loc[order, "weakest_link"]
        rows["driver"] = what.loc[order, "driving_mineral"]
        self._rows = rows
        n = len(rows)
        old = rows["baseline"].to_numpy(float) * 100.0
        new = rows["scenario"].to_numpy(float) * 100.0
        self.add_header(f"Sector exposure to imports from {group_title(self._result.inputs)}: "
                        "baseline vs scenario",
                        "Weakest link: largest importance weight × consumption at risk among a "
                        "sector's minerals")
        plot = self.add_plot(row=1, bottom="Weakest-link consumption at risk (% of US consumption)")
        self._plot = plot
        self.baseline_item, self.scenario_item, top = paired_bars(
            self, plot, old, new, (BASELINE_COLOR, SCENARIO_COLOR), BAR, CHANGE * 100)
        vb = plot.getViewBox()
        vb.invertY(True)
        vb.setRange(xRange=(0, min(100.0, top * 1.18) if top < 85 else top * 1.18),
                    yRange=(-0.6, n - 0.4), padding=0)
        fit_category_font(plot.getAxis("left"), vb, [sector_short(s, 22) for s in rows.index])
        self.add_legend(row=2)
        self.legend_entry(self.baseline_item, "Baseline")
        self.legend_entry(self.scenario_item, "Scenario" + (f": {self._scenario_name}"
                                                            if self._scenario_name else ""))
        table = reference_edition(self._result.inputs, "mineral_sector_uses")
        self.add_footer(f"Importance: {table}. Consumption at risk = NIR × share of US imports from "
                        f"the group; {self.source()}", row=3)

    def _hit(self, x: float, y: float):
        if self._rows is None:
            return None
        i = int(round(y))
        return (i, "baseline" if y < i else "scenario") if 0 <= i < len(self._rows) and x >= 0 else None

    def _hover_text(self, key) -> str:
        i, which = key
        row = self._rows.iloc[i]
        value = row[which]
        text = "n/a" if is_missing(value) else f"{float(value) * 100:.1f}%"
        return f"{self._rows.index[i]}: weakest link {text} ({which}) · {self.source()}"

    def _chart_data(self) -> dict:
        if self._rows is None:
            return {"labels": [], "baseline": [], "scenario": []}
        return {"labels": [str(s) for s in self._rows.index],
                "baseline": (self._rows["baseline"].to_numpy(float) * 100).tolist(),
                "scenario": (self._rows["scenario"].to_numpy(float) * 100).tolist(),
                "driving_mineral": [str(d) for d in self._rows["driver"]]}
