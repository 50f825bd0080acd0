"""Year range, country group and NIR data year: the analysis options the analyst edits.

The controls only say what the analyst chose (`changed`, debounced so typing a year or
spinning through groups recomputes once); the window turns that into options for the
session. `show_analysis` sets them from what is shown, with signals blocked, so nothing
echoes back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Sequence

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QWidget

DEBOUNCE_MS = 150
_TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole


class AnalysisControls(QWidget):
    changed = Signal()  # debounced: the analyst changed years, group or NIR year

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.changed)

        self.first_year = self._year_box("First year of the analysis", "From")
        self.last_year = self._year_box("Last year of the analysis", "To")
        self.group = QComboBox(self)
        self.group.setAccessibleName("Country group")
        self.group.setToolTip("Country group whose share of imports drives consumption at risk")
        self.group.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.nir_year = QComboBox(self)
        self.nir_year.setAccessibleName("Net import reliance data year")
        self.nir_year.setToolTip("USGS net import reliance: which data year to use")
        self.nir_year.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for text, widget in (("&Years", self.first_year), ("–", self.last_year),
                             ("  &Group", self.group), ("  &NIR year", self.nir_year)):
            label = QLabel(text, self)
            label.setBuddy(widget)
            layout.addWidget(label)
            layout.addWidget(widget)
        self.first_year.valueChanged.connect(self._first_changed)
        self.last_year.valueChanged.connect(self._last_changed)
        self.group.currentIndexChanged.connect(self._schedule)
        self.nir_year.currentIndexChanged.connect(self._schedule)
        self.setEnabled(False)  # until data is shown

    def _year_box(self, name: str, prefix: str) -> QSpinBox:
        box = QSpinBox(self)
        box.setAccessibleName(name)
        box.setToolTip(f"{name} (inclusive)")
        box.setRange(1900, 2100)
        box.setKeyboardTracking(False)  # typing '2' of '2023' must not recompute
        return box

    # --- analyst edits ----------------------------------------------------------------------

    def _first_changed(self, value: int) -> None:
        if value > self.last_year.value():
            with QSignalBlocker(self.last_year):
                self.last_year.setValue(value)
        self._schedule()

    def _last_changed(self, value: int) -> None:
        if value < self.first_year.value():
            with QSignalBlocker(self.first_year):
                self.first_year.setValue(value)
        self._schedule()

    def _schedule(self, *_args) -> None:
        self._timer.start()

    def flush(self) -> None:
        """Emit a pending change now (e.g. before a screenshot)."""
        if self._timer.isActive():
            self._timer.stop()
            self.changed.emit()

    # --- what the analyst chose -------------------------------------------------------------

    def years(self) -> tuple[int, int] | None:
        """The chosen range, or None when it covers every year in the data."""
        first, last = self.first_year.value(), self.last_year.value()
        if first <= self.first_year.minimum() and last >= self.last_year.maximum():
            return None
        return (first, last)

    def apply_to(self, options: Any) -> Any:
        changes: dict[str, Any] = {"years": self.years()}
        if self.group.currentData() is not None:
            changes["group"] = self.group.currentData()
        if self.nir_year.currentData() is not None:
            changes["nir_year"] = int(self.nir_year.currentData())
        return replace(options, **changes)

    # --- showing what is computed -----------------------------------------------------------

    def show_analysis(self, analysis) -> None:
        """Set every control from `analysis` without emitting `changed`."""
        self._timer.stop()
        blockers = [QSignalBlocker(w) for w in (self.first_year, self.last_year, self.group,
                                                self.nir_year)]
        try:
            self._set_years(analysis.years, analysis.options.years)
            self._set_groups(analysis.groups, analysis.options.group)
            self._set_nir_years(analysis.nir_years, analysis.options.nir_year)
        finally:
            del blockers
        self.setEnabled(bool(analysis.years))

    def show_options(self, options) -> None:
        """Reflect options the session changed on its own (e.g. a reset year range)."""
        if options.years is None:
            with QSignalBlocker(self.first_year), QSignalBlocker(self.last_year):
                self.first_year.setValue(self.first_year.minimum())
                self.last_year.setValue(self.last_year.maximum())

    def clear(self) -> None:
        self._timer.stop()
        self.setEnabled(False)

    def _set_years(self, data_years: Sequence[int], chosen) -> None:
        if not data_years:
            return
        low, high = min(data_years), max(data_years)
        for box in (self.first_year, self.last_year):
            box.setRange(low, high)
        first, last = chosen if chosen else (low, high)
        self.first_year.setValue(max(low, min(first, high)))
        self.last_year.setValue(max(low, min(last, high)))

    def _set_groups(self, groups, chosen: str) -> None:
        ids = [self.group.itemData(i) for i in range(self.group.count())]
        if groups and ids != [g.id for g in groups]:
            self.group.clear()
            for g in groups:
                as_of = f" · as of {g.as_of}" if g.as_of else ""
                self.group.addItem(f"{g.title}{as_of}", g.id)
                self.group.setItemData(self.group.count() - 1, f"{g.title}{as_of}\n{g.note}".strip(),
                                       _TOOLTIP_ROLE)
        index = self.group.findData(chosen)
        if index < 0 and chosen:
            self.group.addItem(str(chosen).replace("_", " "), chosen)
            index = self.group.count() - 1
        self.group.setCurrentIndex(index)

    def _set_nir_years(self, years: Sequence[int], chosen: int) -> None:
        have = [self.nir_year.itemData(i) for i in range(self.nir_year.count())]
        if years and have != list(years):
            self.nir_year.clear()
            for year in years:
                self.nir_year.addItem(f"{year} data", int(year))
        index = self.nir_year.findData(int(chosen))
        if index < 0:
            self.nir_year.addItem(f"{chosen} data", int(chosen))
            index = self.nir_year.count() - 1
        self.nir_year.setCurrentIndex(index)

