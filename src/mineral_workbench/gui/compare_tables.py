"""Two results side by side: frames of A / B / Δ per metric, and the tables that show them.

`compare_results(a, b, ...)` lines up two core `AnalysisResult`s (baseline and scenario, or
two scenarios) into one frame per table with columns `<metric>_a`, `<metric>_b`,
`<metric>_delta` (= B − A) and `changed`. The table model shows the Δ columns signed, in
points for shares, and coloured by whether the change is worse (vermillion) or better
(bluish green) for US supply; which way is worse is stated per metric in `Metric.worse`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .charts.palette import OKABE_ITO
from .formatters import ColumnSpec, Kind, display_formatter
from .frame_model import FrameTableModel
from .panels import ResultTable

WORSE_COLOR, BETTER_COLOR = QColor(OKABE_ITO[5]), QColor(OKABE_ITO[2])   # vermillion, bluish green
TOLERANCE = 1e-12   # the core's threshold for "changed"
ARROW = " → "


@dataclass(frozen=True)
class Metric:
    """A compared number. `worse`: +1 when an increase is worse for US supply, -1 when a
    decrease is, 0 when neither (import value: less can mean a cut or a cheaper mix)."""

    key: str
    title: str
    kind: Kind
    worse: int
    description: str


MINERAL_METRICS = (   # consumption at risk and consumption lost first: what analysts read first
    Metric("car", "CaR", Kind.PERCENT, +1,
           "Consumption at risk = NIR × group share; higher is worse."),
    Metric("consumption_lost", "Consumption lost", Kind.PERCENT, +1,
           "Share of US apparent consumption the scenario's supply cuts remove before "
           "substitution; higher is worse."),
    Metric("group_share", "Group share", Kind.PERCENT, +1,
           "Share of US imports from the chosen country group; higher is worse."),
    Metric("hhi", "HHI", Kind.INTEGER, +1, "Supplier concentration 0-10,000; higher is worse."),
    Metric("nir_pct", "NIR", Kind.PERCENT_POINTS, +1, "USGS net import reliance; higher is worse."),
    Metric("import_value_usd", "Import value", Kind.USD, 0,
           "US import value of the mineral (neither better nor worse by itself: not coloured)."),
    Metric("added_tariff_cost_usd", "Added tariff cost", Kind.USD, +1,
           "Tariff the scenario adds on the imports, a year; higher is worse."),
)
ROLLUP_METRICS = (
    Metric("weakest_link", "Weakest link", Kind.PERCENT, +1,
           "Largest importance weight × consumption at risk among the minerals; higher is worse."),
    Metric("weighted_mean", "Weighted mean", Kind.PERCENT, +1,
           "Importance-weighted mean consumption at risk; higher is worse."),
)
# Metrics a result without a scenario lacks because they are zero there.
_ZERO_WITHOUT_SCENARIO = ("consumption_lost", "added_tariff_cost_usd")


def metric_specs(key: ColumnSpec, metrics, driver: bool = False) -> tuple[ColumnSpec, ...]:
    """Columns: the key, then A, B and Δ per metric (titles hold {a} / {b} placeholders)."""
    specs = [key]
    for m in metrics:
        unit = " pts" if m.kind in (Kind.PERCENT, Kind.PERCENT_POINTS) else ""
        specs += [ColumnSpec(f"{m.key}_a", f"{m.title}\n{{a}}", m.kind, f"{m.description} ({{a}})"),
                  ColumnSpec(f"{m.key}_b", f"{m.title}\n{{b}}", m.kind, f"{m.description} ({{b}})"),
                  ColumnSpec(f"{m.key}_delta", f"{m.title}\nΔ{unit}", m.kind,
                             f"{{b}} minus {{a}}{' in percentage points' if unit else ''}. "
                             f"{m.description}")]
    if driver:
        specs.append(ColumnSpec("driving_mineral", "Driving mineral\n{a}" + ARROW + "{b}", Kind.TEXT,
                                "The mineral that sets the weakest link, before and after."))
    return tuple(specs)


MINERAL_SPECS = metric_specs(ColumnSpec("mineral", "Mineral", Kind.TEXT), MINERAL_METRICS)
SECTOR_SPECS = metric_specs(ColumnSpec("sector", "Sector", Kind.TEXT), ROLLUP_METRICS, driver=True)
DEFENSE_SPECS = metric_specs(ColumnSpec("category", "Category", Kind.TEXT), ROLLUP_METRICS, driver=True)


@dataclass
class Comparison:
    """A and B lined up; frames indexed by mineral / sector / category."""

    a_label: str
    b_label: str
    a: Any                 # core AnalysisResult
    b: Any
    minerals: pd.DataFrame
    sectors: pd.DataFrame
    defense: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def changed(self, table: str) -> int:
        return int(getattr(self, table)["changed"].sum())


def compare_results(a, b, a_label: str, b_label: str, deltas: dict | None = None,
                    notes=()) -> Comparison:
    """Line up results A and B. With the core's `deltas` (ScenarioResult.deltas, B = its
    scenario) the Δ columns and the changed flags are the core's own."""
    deltas = deltas or {}
    return Comparison(
        a_label, b_label, a, b,
        _side_by_side(a.minerals, b.minerals, MINERAL_METRICS, deltas.get("minerals")),
        _side_by_side(a.sectors.set_index("sector"), b.sectors.set_index("sector"), ROLLUP_METRICS,
                      deltas.get("sectors"), driver=True),
        _side_by_side(a.defense.set_index("category"), b.defense.set_index("category"),
                      ROLLUP_METRICS, deltas.get("defense"), driver=True),
        list(notes))


def _numbers(frame: pd.DataFrame, key: str) -> np.ndarray:
    if key not in frame.columns and key in _ZERO_WITHOUT_SCENARIO:
        return np.zeros(len(frame))
    return frame[key].to_numpy(dtype=float, na_value=np.nan)


def _side_by_side(a: pd.DataFrame, b: pd.DataFrame, metrics, core_delta: pd.DataFrame | None,
                  driver: bool = False) -> pd.DataFrame:
    """Built from numpy columns in one go: this runs on every recompute while the analyst types."""
    if not b.index.equals(a.index):
        b = b.reindex(a.index)
    if core_delta is not None and not core_delta.index.equals(a.index):
        core_delta = core_delta.reindex(a.index)
    columns: dict[str, object] = {}
    changed = np.zeros(len(a), dtype=bool)
    for m in metrics:
        old, new = _numbers(a, m.key), _numbers(b, m.key)
        delta = (core_delta[m.key].to_numpy(dtype=float, na_value=np.nan)
                 if core_delta is not None and m.key in core_delta else new - old)
        columns[f"{m.key}_a"], columns[f"{m.key}_b"], columns[f"{m.key}_delta"] = old, new, delta
        with np.errstate(invalid="ignore"):
            # a value appearing or vanishing (n/a on one side only) is a change too
            changed |= (np.abs(delta) > TOLERANCE) | (np.isnan(old) != np.isnan(new))
    if driver:
        before = [_text(x) for x in a["driving_mineral"]]
        after = [_text(x) for x in b["driving_mineral"]]
        columns["driving_mineral_a"], columns["driving_mineral_b"] = before, after
        columns["driving_mineral"] = [_before_after(x, y) for x, y in zip(before, after)]
        changed |= np.array([x != y for x, y in zip(before, after)], dtype=bool)
    if core_delta is not None:
        changed |= core_delta["changed"].to_numpy(dtype=bool, na_value=False)
    columns["changed"] = changed
    return pd.DataFrame(columns, index=a.index)


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _before_after(before, after) -> str:
    before, after = _text(before) or "n/a", _text(after) or "n/a"
    return before if before == after else f"{before}{ARROW}{after}"


# --- display -------------------------------------------------------------------------------

def signed_formatter(kind: Kind):
    """Δ text: '+$2.2 M', '-67', and shares in points: '-7.8' under a 'Δ pts' header."""
    usd = display_formatter(ColumnSpec("d", "d", Kind.USD))

    def fmt(v) -> str:
        if v != v:
            return "n/a"
        if abs(v) <= TOLERANCE:
            return "0"
        sign = "+" if v > 0 else "-"
        if kind is Kind.USD:
            return sign + usd(abs(v))
        if kind is Kind.PERCENT:
            return f"{sign}{abs(v) * 100:.1f}"
        if kind is Kind.PERCENT_POINTS:
            return f"{sign}{abs(v):.1f}"
        return f"{sign}{abs(v):,.0f}"
    return fmt


def verdict(metric: Metric, value: float) -> int:
    """+1 worse, -1 better, 0 unchanged / no direction / n/a."""
    if metric.worse == 0 or value != value or abs(value) <= TOLERANCE:
        return 0
    return 1 if (value > 0) == (metric.worse > 0) else -1


_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)


class DeltaTableModel(FrameTableModel):
    """FrameTableModel whose Δ columns are signed and coloured, with A/B names in the headers."""

    def __init__(self, columns, metrics, parent=None):
        super().__init__(columns, parent=parent)
        self._metrics = {f"{m.key}_delta": m for m in metrics}
        self._formats = {key: signed_formatter(m.kind) for key, m in self._metrics.items()}
        self._at: dict[int, str] = {}   # view column -> Δ column key
        self.labels = ("A", "B")

    def set_labels(self, a: str, b: str) -> None:
        if (a, b) != self.labels:
            self.labels = (a, b)
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(self.columnCount() - 1, 0))

    def set_frame(self, frame) -> None:
        super().set_frame(frame)
        self._at = {self.column_of(k): k for k in self._metrics if self.column_of(k) >= 0}

    def metric_at(self, column: int) -> Metric | None:
        key = self._at.get(column)
        return None if key is None else self._metrics[key]

    def data(self, index, role: int = _DISPLAY):
        key = self._at.get(index.column())
        if key is None or role not in (_DISPLAY, _TOOLTIP, _FOREGROUND):
            return super().data(index, role)
        value = self.raw_value(index.row(), index.column())
        if role == _DISPLAY:
            return self._formats[key](value)
        judged = verdict(self._metrics[key], value)
        if role == _FOREGROUND:
            return WORSE_COLOR if judged > 0 else BETTER_COLOR if judged < 0 else None
        words = {1: " (worse)", -1: " (better)"}.get(judged, "")
        return f"{self.headerData(index.column(), Qt.Orientation.Horizontal, _DISPLAY)}: " \
               f"{'n/a' if value != value else f'{value:.10g}'}{words}".replace("\n", " ")

    def display_text(self, row: int, column: int) -> str:
        key = self._at.get(column)
        if key is None:
            return super().display_text(row, column)
        return self._formats[key](self.raw_value(row, column))

    def headerData(self, section: int, orientation, role: int = _DISPLAY):
        value = super().headerData(section, orientation, role)
        if isinstance(value, str) and orientation == Qt.Orientation.Horizontal:
            a, b = self.labels
            return value.replace("{a}", a).replace("{b}", b)
        return value


class CompareTable(QWidget):
    """One compared table with a 'shown of total changed' count; `frame` is the full frame."""

    def __init__(self, columns, metrics, noun: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.noun = noun
        self.frame: pd.DataFrame | None = None
        self.model = DeltaTableModel(columns, metrics, self)
        self.table = ResultTable(self.model, self)
        self.table.setAccessibleName(f"Compared {noun} table")
        self.table.horizontalHeader().setMinimumSectionSize(60)
        self.count_label = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table, 1)
        self._fitted = False

    def set_frame(self, frame: pd.DataFrame | None, changed_only: bool, labels=("A", "B")) -> None:
        self.frame = frame
        self.model.set_labels(*labels)
        shown = frame if frame is None or not changed_only else frame[frame["changed"]]
        self.model.set_frame(shown)
        if frame is None:
            self.count_label.setText("")
            return
        changed, total = int(frame["changed"].sum()), len(frame)
        hidden = " (unchanged ones hidden)" if changed_only and changed < total else ""
        self.count_label.setText(f"{changed:,} of {total:,} {self.noun} change{hidden}")
        if not self._fitted and self.model.rowCount():
            self.table.fit_columns()
            self._fitted = True
