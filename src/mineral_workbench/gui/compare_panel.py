"""Compare: baseline vs the shown scenario, or any two scenarios, side by side with deltas.

Mode "shown" takes the ScenarioResult the window already computed (`analysis.scenario`) and
shows its baseline, scenario and the core's own deltas. Mode "pair" asks `compute` (given by
the window: scenario or None for the baseline -> ScenarioResult / AnalysisResult / None) for
two results A and B and shows B − A the same way. Pairs are recomputed only when the data,
the options or either scenario's content changed, and only while the panel is on screen.
"""

from __future__ import annotations

import html
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QSplitter, QStackedWidget,
                               QTabWidget, QVBoxLayout, QWidget)

from mineral_workbench.core.errors import WorkbenchError

from .charts.compare_bars import CompareBarsChart
from .compare_tables import (DEFENSE_SPECS, MINERAL_METRICS, MINERAL_SPECS, ROLLUP_METRICS,
                             SECTOR_SPECS, CompareTable, Comparison, compare_results)
from .selection_binding import SelectionBinding

SHOWN, PAIR = "shown", "pair"
MODES = {SHOWN: "Baseline vs shown scenario", PAIR: "Scenario vs scenario"}
BASELINE = "Baseline"
NO_DATA = "No data loaded: open trade exports to compare scenarios"
NO_SCENARIO = "Pick or create a scenario to compare with the baseline"
NO_PAIR = "Create or load scenarios (presets, the scenario editor) to compare them with each other"
SAME_PAIR = "A and B are the same: choose two different scenarios to compare"
TABLES = (("minerals", "Minerals", MINERAL_SPECS, MINERAL_METRICS),
          ("sectors", "Sectors", SECTOR_SPECS, ROLLUP_METRICS),
          ("defense", "Defense uses", DEFENSE_SPECS, ROLLUP_METRICS))
NOUNS = {"minerals": "minerals", "sectors": "sectors", "defense": "defense-use categories"}

Compute = Callable[[object], object]   # Scenario | None -> ScenarioResult | AnalysisResult | None


class ComparePanel(QWidget):
    """Tables with A / B / Δ columns and an overlaid sector chart, for a dock."""

    copied = Signal(int)   # relayed from the tables (lines copied; -1 when too large)

    def __init__(self, store, compute: Compute, selection=None, parent: QWidget | None = None):
        super().__init__(parent)
        self._store = store
        self._compute = compute
        self._analysis = None
        self._comparison: Comparison | None = None
        self._message = NO_DATA
        self._pair_key: tuple | None = None   # what the shown pair was computed from
        self._stale = False                   # new input arrived while the panel was hidden
        self._sized = False

        self.mode_box = QComboBox(self)
        for key, title in MODES.items():
            self.mode_box.addItem(title, key)
        self.mode_box.setAccessibleName("Comparison mode")
        self.a_box, self.b_box = QComboBox(self), QComboBox(self)
        self.a_box.setAccessibleName("Scenario A")
        self.b_box.setAccessibleName("Scenario B")
        for box in (self.a_box, self.b_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(18)
        self.a_label, self.b_label = QLabel("&A:", self), QLabel("&B:", self)
        self.a_label.setBuddy(self.a_box)
        self.b_label.setBuddy(self.b_box)
        self.changed_only = QCheckBox("&Changed rows only", self)
        self.changed_only.setChecked(True)
        self.changed_only.setToolTip("Hide the minerals, sectors and categories whose numbers "
                                     "do not change")
        mode_label = QLabel("Co&mpare:", self)
        mode_label.setBuddy(self.mode_box)
        bar = QHBoxLayout()
        for widget in (mode_label, self.mode_box, self.a_label, self.a_box, self.b_label, self.b_box):
            bar.addWidget(widget)
        bar.addSpacing(12)
        bar.addWidget(self.changed_only)
        bar.addStretch(1)

        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label = QLabel(NO_DATA, self)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message_label.setAccessibleName("Comparison message")

        self.tables: dict[str, CompareTable] = {}
        self.tabs = QTabWidget(self)
        for key, title, specs, metrics in TABLES:
            table = CompareTable(specs, metrics, NOUNS[key], self)
            table.table.copied.connect(self.copied)
            self.tables[key] = table
            self.tabs.addTab(table, title)
        self.chart = CompareBarsChart(selection, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.chart)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.message_label)
        self.stack.addWidget(self.splitter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)

        self.bindings = []
        if selection is not None:
            model = self.tables["minerals"].model
            self.bindings.append(SelectionBinding(
                self.tables["minerals"].table, selection, lambda rows: model.keys_at("mineral", rows),
                lambda chosen: model.view_rows_where("mineral", chosen)))
        self._fill_boxes()
        self.mode_box.currentIndexChanged.connect(self._on_mode)
        for box in (self.a_box, self.b_box):
            box.currentIndexChanged.connect(lambda _i, b=box: (b.setToolTip(b.currentText()),
                                                               self._refresh()))
        self.changed_only.toggled.connect(lambda _on: self._render(chart=False))
        store.changed.connect(self._on_store_changed)
        self._on_mode()

    # --- public -------------------------------------------------------------------------------
    def show_analysis(self, analysis) -> None:
        """A new Analysis (data, options or shown scenario changed)."""
        self._analysis = analysis
        self._refresh()

    def clear(self) -> None:
        self.show_analysis(None)

    def on_screen(self) -> bool:
        """Visible and not covered: a dock behind another dock's tab stays 'visible' to Qt."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    @property
    def mode(self) -> str:
        return self.mode_box.currentData()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}, not {mode!r}")
        self.mode_box.setCurrentIndex(list(MODES).index(mode))

    def pair(self) -> tuple[str | None, str | None]:
        """Names of A and B (None: the baseline)."""
        return self.a_box.currentData(), self.b_box.currentData()

    def set_pair(self, a: str | None, b: str | None) -> None:
        for box, name in ((self.a_box, a), (self.b_box, b)):
            index = box.findData(name) if name is not None else 0
            if index < 0:
                raise KeyError(f"no scenario named {name!r}")
            box.blockSignals(True)
            box.setCurrentIndex(index)
            box.blockSignals(False)
        self._refresh()

    @property
    def comparison(self) -> Comparison | None:
        """What the tables and the chart show (None while a message is shown)."""
        self.ensure_current()
        return self._comparison

    @property
    def message(self) -> str:
        """Why nothing is compared ("" when the tables show a comparison)."""
        self.ensure_current()
        return self._message

    def ensure_current(self) -> None:
        """Bring a hidden panel's tables and chart up to date (they wait until shown)."""
        if self._stale:
            self._refresh(force=True)

    def copy_selection(self) -> str | None:
        """Copy from the table on the front tab (Edit > Copy with the focus in this panel)."""
        table = self.tabs.currentWidget()
        return table.table.copy_selection() if isinstance(table, CompareTable) else None

    # --- reacting -----------------------------------------------------------------------------
    def _on_mode(self, *_args) -> None:
        pair = self.mode == PAIR
        for widget in (self.a_label, self.a_box, self.b_label, self.b_box):
            widget.setVisible(pair)
        self._refresh()

    def _on_store_changed(self) -> None:
        self._fill_boxes()
        if self.mode == PAIR:
            self._refresh()

    def _fill_boxes(self) -> None:
        """Baseline + every scenario, keeping the chosen names (a vanished one falls back)."""
        names = self._store.names()
        active = self._store.active_name
        defaults = (None, active if active is not None else (names[0] if names else None))
        for box, fallback in zip((self.a_box, self.b_box), defaults):
            chosen = box.currentData() if box.count() else fallback
            if box.count() and chosen is None and box is self.b_box and box.count() == 1:
                chosen = fallback   # B was the baseline only because there was no scenario yet
            box.blockSignals(True)
            box.clear()
            box.addItem(BASELINE, None)
            for name in names:
                box.addItem(name, name)
                box.setItemData(box.count() - 1, name, Qt.ItemDataRole.ToolTipRole)
            index = self._index_of(box, chosen)
            box.setCurrentIndex(index if index >= 0 else max(self._index_of(box, fallback), 0))
            box.setToolTip(box.currentText())
            box.blockSignals(False)

    @staticmethod
    def _index_of(box: QComboBox, name: str | None) -> int:
        return 0 if name is None else box.findData(name)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._sized and self.width() > 100:   # tables get the larger share, once
            self._sized = True
            self.splitter.setSizes([int(self.width() * 0.62), int(self.width() * 0.38)])
        self.ensure_current()

    # --- computing ----------------------------------------------------------------------------
    def _refresh(self, force: bool = False) -> None:
        if not (self.on_screen() or force):
            self._stale = True   # a hidden dock costs nothing; caught up when shown or read
            return
        self._stale = False
        analysis = self._analysis
        if analysis is None:
            self._set(None, NO_DATA)
        elif self.mode == SHOWN:
            self._refresh_shown(analysis)
        else:
            self._refresh_pair(analysis)

    def _refresh_shown(self, analysis) -> None:
        outcome = analysis.scenario
        if getattr(analysis, "scenario_error", ""):
            self._set(None, f"{analysis.scenario_error}\n\nThe baseline is shown; fix or pick "
                            "another scenario to compare.")
        elif outcome is None:
            self._set(None, NO_SCENARIO)
        else:
            self._set(compare_results(outcome.baseline, outcome.result, BASELINE,
                                      outcome.scenario.name, deltas=outcome.deltas,
                                      notes=outcome.notes))

    def _refresh_pair(self, analysis) -> None:
        names = self.pair()
        try:
            scenarios = [None if n is None else self._store.get(n) for n in names]
        except KeyError as exc:
            self._set(None, str(exc))
            return
        key = (id(analysis.loaded), analysis.options, *scenarios)
        if key == self._pair_key and self._comparison is not None:
            return
        if not self._store.names():
            self._set(None, NO_PAIR)
            return
        if names[0] == names[1]:
            self._set(None, SAME_PAIR)
            return
        results, notes = [], []
        for name, scenario in zip(names, scenarios):
            try:
                outcome = self._compute(scenario)
            except WorkbenchError as exc:
                self._set(None, f"Scenario '{name}' cannot apply: {exc}")
                return
            if outcome is None:
                self._set(None, NO_DATA)
                return
            if hasattr(outcome, "deltas"):   # a ScenarioResult
                notes += [f"{name}: {note}" for note in outcome.notes]
                outcome = outcome.result
            results.append(outcome)
        labels = [BASELINE if n is None else n for n in names]
        self._set(compare_results(results[0], results[1], *labels, notes=notes))
        self._pair_key = key

    # --- showing ------------------------------------------------------------------------------
    def _set(self, comparison: Comparison | None, message: str = "") -> None:
        self._comparison = comparison
        self._message = "" if comparison is not None else message
        self._pair_key = None
        self._render()

    def _render(self, chart: bool = True) -> None:
        comparison = self._comparison
        if comparison is None:
            self.message_label.setText(self._message)
            self.stack.setCurrentWidget(self.message_label)
            self.caption.setText("")
            self.caption.setVisible(False)
            for table in self.tables.values():
                table.set_frame(None, False)
            self.chart.set_pair(None, None)
            return
        short = ("A", "B") if self.mode == PAIR else ("Baseline", "Scenario")
        for key, table in self.tables.items():
            table.set_frame(getattr(comparison, key), self.changed_only.isChecked(), short)
            self.tabs.setTabText(list(self.tables).index(key),
                                 f"{TABLES[list(self.tables).index(key)][1]} "
                                 f"({comparison.changed(key)})")
        a, b = comparison.a_label, comparison.b_label
        if chart:
            pair = self.mode == PAIR
            self.chart.set_pair(comparison.a, comparison.b, f"A: {a}" if pair else a,
                                f"B: {b}" if pair else b, getattr(self._analysis, "loaded", None))
        self.caption.setText(self._caption(comparison))
        self.caption.setVisible(True)
        self.stack.setCurrentWidget(self.splitter)

    def _caption(self, comparison: Comparison) -> str:
        esc = html.escape
        if self.mode == PAIR:
            head = (f"<b>B − A</b>, A = <b>{esc(comparison.a_label)}</b>, "
                    f"B = <b>{esc(comparison.b_label)}</b>")
        else:
            head = f"<b>{esc(comparison.b_label)}</b> compared with the baseline"
        counts = ", ".join(f"{comparison.changed(k)} of {len(getattr(comparison, k))} {NOUNS[k]}"
                           for k in self.tables)
        text = (f"{head}: {counts} change. Δ in <span style='color:#D55E00'>vermillion</span> is "
                f"worse for US supply, in <span style='color:#009E73'>bluish green</span> better "
                f"(import value is not judged).")
        if comparison.notes:
            text += "<br>" + "<br>".join(esc(n) for n in comparison.notes)
        return text
