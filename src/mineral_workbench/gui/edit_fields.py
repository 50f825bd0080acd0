"""The pieces the scenario editor is built from: what can be chosen, and the fields that choose.

`EditChoices` lists the minerals, countries, groups, sectors and defense categories an edit
may name (built once from the reference and cached). The fields speak the core's selector
language so the editor never translates: a mineral combo yields an analysis unit or "*",
a country combo an ISO3 code, "group:<id>" or "except:<id>".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QCompleter, QDoubleSpinBox, QGridLayout, QLabel,
                               QPushButton, QVBoxLayout, QWidget)

from mineral_workbench.core.countries import country_table
from mineral_workbench.core.reference import Reference, load_reference
from mineral_workbench.core.scenario import ALL, EXCEPT_PREFIX, GROUP_PREFIX

ALL_MINERALS = "All minerals"


class Incomplete(ValueError):
    """The fields do not make an edit yet; the message says what is missing (shown to the analyst)."""


@dataclass(frozen=True)
class EditChoices:
    minerals: tuple[str, ...]                     # analysis units, sorted for display
    countries: tuple[tuple[str, str], ...]        # (ISO3, display name), sorted by name
    groups: tuple[tuple[str, str], ...]           # (group id, title)
    sectors: tuple[str, ...]                      # NSM-22 sector names
    defense_categories: tuple[str, ...]

    @classmethod
    def from_reference(cls, reference: Reference | None = None) -> "EditChoices":
        return _choices(reference if reference is not None else load_reference())

    def country_label(self, code: str) -> str:
        """'China (CHN)', 'Group: Foreign adversaries (…)', 'Everyone outside: …'."""
        for prefix, lead in ((GROUP_PREFIX, "Group: "), (EXCEPT_PREFIX, "Everyone outside: ")):
            if code.startswith(prefix):
                group = code[len(prefix):]
                return lead + dict(self.groups).get(group, group)
        name = dict(self.countries).get(code.upper())
        return f"{name} ({code.upper()})" if name else code


@lru_cache(maxsize=4)
def _choices(reference: Reference) -> EditChoices:
    table = country_table()
    countries = sorted(((str(c), str(n)) for c, n in zip(table["iso3"], table["display"])
                        if str(n).strip()), key=lambda pair: pair[1].casefold())
    groups = tuple((g, str(reference.group_info(g)["title"])) for g in reference.group_ids)
    minerals = sorted(set(map(str, reference.minerals["analysis_unit"])), key=str.casefold)
    return EditChoices(minerals=tuple(minerals), countries=tuple(countries), groups=groups,
                       sectors=tuple(map(str, reference.sectors["name"])),
                       defense_categories=tuple(reference.defense_categories))


class SearchCombo(QComboBox):
    """An editable combo that finds entries by any part of their text (type 'chi' for China)
    and yields the entry's value; typed text that matches no entry yields None."""
    value_changed = Signal()

    def __init__(self, items: list[tuple[str, str]], accessible_name: str, placeholder: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(18)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(22)
        for label, value in items:
            self.addItem(label, value)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.setAccessibleName(accessible_name)
        self.lineEdit().setAccessibleName(accessible_name)
        self.lineEdit().setPlaceholderText(placeholder or "Type to search…")
        self.setToolTip(f"{accessible_name}: pick from the list or type part of a name")
        self.setCurrentIndex(-1)
        self.currentTextChanged.connect(lambda _text: self.value_changed.emit())

    def value(self) -> str | None:
        text = self.currentText().strip()
        if not text:
            return None
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)  # whole text, any case
        if index >= 0:
            return self.itemData(index)
        for i in range(self.count()):  # a typed value such as 'CHN' or 'gallium'
            if str(self.itemData(i)).casefold() == text.casefold():
                return self.itemData(i)
        return None

    def set_value(self, value: str | None, label: str | None = None) -> None:
        """Select `value`; one the list lacks (an old code from a saved edit) is appended."""
        if value is None:
            self.setCurrentIndex(-1)
            self.setEditText("")
            return
        index = self.findData(value)
        if index < 0:
            self.addItem(label or value, value)
            index = self.count() - 1
        self.setCurrentIndex(index)

    def values(self) -> list[str]:
        return [self.itemData(i) for i in range(self.count())]


def mineral_combo(choices: EditChoices, allow_all: bool, name: str = "Mineral") -> SearchCombo:
    items = [(ALL_MINERALS, ALL)] if allow_all else []
    return SearchCombo(items + [(m, m) for m in choices.minerals], name, "Type a mineral…")


def country_combo(choices: EditChoices, allow_groups: bool, name: str = "Country") -> SearchCombo:
    items: list[tuple[str, str]] = []
    if allow_groups:
        for group, _title in choices.groups:
            items.append((choices.country_label(GROUP_PREFIX + group), GROUP_PREFIX + group))
        for group, _title in choices.groups:
            items.append((choices.country_label(EXCEPT_PREFIX + group), EXCEPT_PREFIX + group))
    items += [(f"{label} ({code})", code) for code, label in choices.countries]
    return SearchCombo(items, name, "Type a country or ISO3 code…")


def need(combo: SearchCombo, what: str) -> str:
    """The combo's value, or Incomplete naming what to pick."""
    value = combo.value()
    if value is None:
        text = combo.currentText().strip()
        raise Incomplete(f"'{text}' is not in the list: choose a {what} from it." if text
                         else f"Choose a {what}.")
    return value


class PercentSpin(QDoubleSpinBox):
    def __init__(self, accessible_name: str, upper: float = 100, value: float = 0,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setRange(0, upper)
        self.setDecimals(2)
        self.setSuffix(" %")
        self.setSingleStep(5)
        self.setAccelerated(True)
        self.setValue(value)
        self.setAccessibleName(accessible_name)
        self.setToolTip(f"{accessible_name}, 0 to {upper:g}%")

    def textFromValue(self, value: float) -> str:  # noqa: N802 - Qt's name
        """'80 %', '33.5 %': no trailing zeros, in the user's locale."""
        text = self.locale().toString(float(value), "f", self.decimals())
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text

    def percent(self) -> float:
        value = float(self.value())
        return int(value) if value.is_integer() else value  # 50, as presets write it


class TargetsTable(QWidget):
    """Where a sourcing shift sends the moved value: rows of (country, share); the shares are
    weights (the core scales them to 100%). A grid of real widgets, so Tab walks every cell."""
    changed = Signal()

    def __init__(self, choices: EditChoices, parent: QWidget | None = None):
        super().__init__(parent)
        self.choices = choices
        self.rows: list[tuple[SearchCombo, PercentSpin, QPushButton]] = []
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.addWidget(QLabel("Country", self), 0, 0)
        self.grid.addWidget(QLabel("Share of moved value", self), 0, 1)
        self.add_button = QPushButton("Add countr&y", self)
        self.add_button.setAccessibleName("Add a destination country")
        self.add_button.setToolTip("Add a row: another country that takes part of the moved value")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.total = QLabel(self)
        self.total.setAccessibleName("Total of the destination shares")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.grid)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.total)
        self._update_total()

    def add_row(self, country: str | None = None, share: float | None = None) -> None:
        n = len(self.rows) + 1
        combo = country_combo(self.choices, allow_groups=False, name=f"Destination country {n}")
        if country is not None:
            combo.set_value(country, self.choices.country_label(country))
        spin = PercentSpin(f"Share for destination {n}",
                           value=share if share is not None else max(0.0, 100 - self.sum()))
        remove = QPushButton("Remove", self)
        remove.setAccessibleName(f"Remove destination {n}")
        remove.setToolTip("Remove this destination country")
        row = (combo, spin, remove)
        remove.clicked.connect(lambda: self.remove_row(self.rows.index(row)))
        combo.value_changed.connect(self.changed)
        spin.valueChanged.connect(self._update_total)
        self.rows.append(row)
        self._relayout()
        self.changed.emit()

    def remove_row(self, index: int) -> None:
        for widget in self.rows.pop(index):
            widget.setParent(None)
            widget.deleteLater()
        self._relayout()
        self.changed.emit()

    def targets(self) -> dict[str, float]:
        """{ISO3: share}; Incomplete when a row names no country, or one twice."""
        out: dict[str, float] = {}
        for combo, spin, _remove in self.rows:
            code = need(combo, "country")
            if code in out:
                raise Incomplete(f"{self.choices.country_label(code)} is listed twice as a destination.")
            out[code] = spin.percent()
        if not out:
            raise Incomplete("Add at least one destination country.")
        if sum(out.values()) <= 0:
            raise Incomplete("Give the destination countries shares above 0%.")
        return out

    def set_targets(self, targets: dict[str, float]) -> None:
        while self.rows:
            self.remove_row(0)
        total = sum(float(v) for v in targets.values())
        scale = 100.0 / total if 0 < total <= 1.0 + 1e-9 else 1.0   # fractions (0.5) shown as 50%
        for code, share in targets.items():
            self.add_row(code, float(share) * scale)

    def sum(self) -> float:
        return sum(spin.value() for _combo, spin, _remove in self.rows)

    def _relayout(self) -> None:
        for i, (combo, spin, remove) in enumerate(self.rows, start=1):
            self.grid.addWidget(combo, i, 0)
            self.grid.addWidget(spin, i, 1)
            self.grid.addWidget(remove, i, 2)
        widgets = [w for row in self.rows for w in row] + [self.add_button]
        for first, second in zip(widgets, widgets[1:]):
            QWidget.setTabOrder(first, second)
        self._update_total()

    def _update_total(self) -> None:
        total = self.sum()
        note = "" if abs(total - 100) < 1e-9 or not self.rows else " (scaled to 100%)"
        self.total.setText(f"Total {total:g}%{note}")
        self.changed.emit()
