"""One form per edit kind: its fields, how they build the core edit, and how an edit fills them.

A page's `build()` returns the core `Edit` or raises `Incomplete` with the reason the dialog
shows next to a disabled OK; `load(edit)` fills every field from an existing edit, so
editing and re-saving an edit gives back the same value.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QWidget

from mineral_workbench.core.scenario import (Edit, GroupMembership, ImportanceOverride,
                                             NirOverride, ShareOverride, SourcingShift,
                                             SupplyCut, Tariff)

from .edit_fields import (EditChoices, Incomplete, PercentSpin, SearchCombo, TargetsTable,
                          country_combo, mineral_combo, need)

QUALIFIERS = (("=", "Exactly"), (">", "More than"), ("<", "Less than"),
              ("E", "Net exporter (E)"), ("NA", "Not available (NA)"))
LEVELS = ("high", "medium", "low", "none")


class EditPage(QWidget):
    """Base: a form whose rows carry a labelled, accessible control each."""
    kind = ""
    title = ""
    changed = Signal()

    def __init__(self, choices: EditChoices, parent: QWidget | None = None):
        super().__init__(parent)
        self.choices = choices
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.mineral: SearchCombo | None = None
        self.country: SearchCombo | None = None

    def row(self, label: str, widget: QWidget, help_text: str = "") -> QWidget:
        if help_text:
            widget.setToolTip(help_text)
            widget.setAccessibleDescription(help_text)
        if label:
            caption = QLabel(label, self)
            caption.setBuddy(widget)
            self.form.addRow(caption, widget)
        else:
            self.form.addRow(widget)
        for signal in ("value_changed", "valueChanged", "currentIndexChanged", "toggled", "changed"):
            if hasattr(widget, signal):
                getattr(widget, signal).connect(self.changed)
                break
        return widget

    def add_mineral(self, allow_all: bool) -> SearchCombo:
        self.mineral = self.row("&Mineral", mineral_combo(self.choices, allow_all),
                                "The mineral (analysis unit)" + (", or All minerals" if allow_all else ""))
        return self.mineral

    def add_country(self, allow_groups: bool, label: str = "&Country", name: str = "Country") -> SearchCombo:
        hint = ("A country, a group, or everyone outside a group" if allow_groups
                else "One country (ISO3)")
        self.country = self.row(label, country_combo(self.choices, allow_groups, name), hint)
        return self.country

    def build(self) -> Edit:  # pragma: no cover - overridden
        raise NotImplementedError

    def load(self, edit: Edit) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def set_country(self, code: str) -> None:
        self.country.set_value(code, self.choices.country_label(code))

    def carry_from(self, other: "EditPage") -> None:
        """Keep the mineral and country the analyst already chose when the kind changes."""
        for mine, theirs in ((self.mineral, other.mineral), (self.country, other.country)):
            value = theirs.value() if mine is not None and theirs is not None else None
            if value is not None and value in mine.values():
                mine.set_value(value)


def _positive(spin: PercentSpin, what: str) -> float:
    if spin.value() <= 0:
        raise Incomplete(f"Set {what} above 0%.")
    return spin.percent()


class SupplyCutPage(EditPage):
    kind, title = "supply_cut", "Supply cut"

    def __init__(self, choices, parent=None):
        super().__init__(choices, parent)
        self.add_mineral(allow_all=True)
        self.add_country(allow_groups=True, label="&Supplier", name="Supplier country or group")
        self.percent = self.row("Cut &by", PercentSpin("Cut percent", value=50),
                                "Share of this supplier's imports that stops")

    def build(self) -> Edit:
        return SupplyCut(need(self.mineral, "mineral"), need(self.country, "supplier"),
                         _positive(self.percent, "the cut"))

    def load(self, edit: SupplyCut) -> None:
        self.mineral.set_value(edit.mineral)
        self.set_country(edit.country)
        self.percent.setValue(edit.percent)


class TariffPage(EditPage):
    kind, title = "tariff", "Tariff"

    def __init__(self, choices, parent=None):
        super().__init__(choices, parent)
        self.add_country(allow_groups=True, label="&On imports from", name="Country or group taxed")
        self.add_mineral(allow_all=True)
        self.percent = self.row("&Rate", PercentSpin("Tariff rate", upper=1000, value=25),
                                "Ad valorem tariff on the customs value, 0 to 1000%")

    def build(self) -> Edit:
        return Tariff(need(self.country, "country"), need(self.mineral, "mineral"),
                      _positive(self.percent, "the tariff"))

    def load(self, edit: Tariff) -> None:
        self.set_country(edit.country)
        self.mineral.set_value(edit.mineral)
        self.percent.setValue(edit.percent)


class SourcingShiftPage(EditPage):
    kind, title = "sourcing_shift", "Sourcing shift"

    def __init__(self, choices, parent=None):
        super().__init__(choices, parent)
        self.add_mineral(allow_all=True)
        self.add_country(allow_groups=True, label="&From", name="Country or group shifted from")
        self.percent = self.row("&Share moved", PercentSpin("Percent of imports moved", value=50),
                                "Share of the source's imports that moves to the destinations")
        self.targets = self.row("&To", TargetsTable(choices, self),
                                "Destination countries and how the moved value splits among them")
        self.targets.add_row(share=100)

    def build(self) -> Edit:
        mineral, source = need(self.mineral, "mineral"), need(self.country, "source country")
        percent = _positive(self.percent, "the share moved")
        targets = self.targets.targets()
        if source in targets:
            raise Incomplete(f"{self.choices.country_label(source)} cannot be both source and destination.")
        return SourcingShift(mineral, source, targets, percent)

    def load(self, edit: SourcingShift) -> None:
        self.mineral.set_value(edit.mineral)
        self.set_country(edit.from_country)
        self.percent.setValue(edit.percent)
        self.targets.set_targets(dict(edit.to))


class SharePage(EditPage):
    kind, title = "share_override", "Supplier share"

    def __init__(self, choices, parent=None):
        super().__init__(choices, parent)
        self.add_mineral(allow_all=False)
        self.add_country(allow_groups=False, label="&Supplier", name="Supplier country")
        self.share = self.row("S&hare of imports", PercentSpin("Supplier share percent", value=50),
                              "The supplier's new share; the other suppliers scale pro rata")

    def build(self) -> Edit:
        return ShareOverride(need(self.mineral, "mineral"), need(self.country, "supplier"),
                             self.share.percent())

    def load(self, edit: ShareOverride) -> None:
        self.mineral.set_value(edit.mineral)
        self.set_country(edit.country)
        self.share.setValue(edit.share_pct)


class NirPage(EditPage):
    kind, title = "nir_override", "NIR override"

    def __init__(self, choices, parent=None):
        super().__init__(choices, parent)
        self.add_mineral(allow_all=True)
        self.qualifier = QComboBox(self)
        for code, label in QUALIFIERS:
            self.qualifier.addItem(label, code)
        self.qualifier.setAccessibleName("Net import reliance qualifier")
        self.row("&Qualifier", self.qualifier, "How USGS states it: exactly, more/less than, E, NA")
        self.pct = self.row("&Net import reliance", PercentSpin("Net import reliance percent", value=50),
                            "Net import reliance as a percent of apparent consumption")
        self.qualifier.currentIndexChanged.connect(self._enable_pct)

    def _enable_pct(self) -> None:
        self.pct.setEnabled(self.qualifier.currentData() not in ("E", "NA"))

    def build(self) -> Edit:
        mineral, qualifier = need(self.mineral, "mineral"), self.qualifier.currentData()
        pct = math.nan if qualifier in ("E", "NA") else self.pct.percent()
        return NirOverride(mineral, pct, qualifier)

    def load(self, edit: NirOverride) -> None:
        self.mineral.set_value(edit.mineral)
        index = self.qualifier.findData(edit.qualifier)
        self.qualifier.setCurrentIndex(max(index, 0))
        if not math.isnan(edit.pct):
            self.pct.setValue(edit.pct)


class ImportancePage(EditPage):
    kind, title = "importance_override", "Importance override"

    def __init__(self, choices, parent=None):
        super().__init__(choices, parent)
        self.add_mineral(allow_all=True)
        items = [(f"Sector: {s}", f"sector:{s}") for s in choices.sectors]
        items += [(f"Defense: {c}", f"defense:{c}") for c in choices.defense_categories]
        self.target = self.row("&Used in", SearchCombo(items, "Sector or defense category",
                                                       "Type a sector or category…"),
                               "An NSM-22 critical-infrastructure sector or a defense category")
        self.level = QComboBox(self)
        for level in LEVELS:
            self.level.addItem(level.capitalize(), level)
        self.level.setAccessibleName("Importance level")
        self.row("&Level", self.level, "How much the sector or category depends on the mineral")

    def build(self) -> Edit:
        return ImportanceOverride(need(self.mineral, "mineral"),
                                  need(self.target, "sector or defense category"),
                                  self.level.currentData())

    def load(self, edit: ImportanceOverride) -> None:
        self.mineral.set_value(edit.mineral)
        self.target.set_value(edit.target)
        self.level.setCurrentIndex(max(self.level.findData(edit.level), 0))


class MembershipPage(EditPage):
    kind, title = "group_membership", "Group membership"

    def __init__(self, choices, parent=None):
        super().__init__(choices, parent)
        self.group = self.row("&Group", SearchCombo([(t, g) for g, t in choices.groups], "Country group"),
                              "The country group whose membership changes")
        self.add_country(allow_groups=False)
        self.member = self.row("", QCheckBox("&Member of the group", self),
                               "Checked: the country joins the group; unchecked: it leaves")
        self.member.setAccessibleName("Member of the group")
        self.member.setChecked(True)

    def build(self) -> Edit:
        return GroupMembership(need(self.group, "group"), need(self.country, "country"),
                               self.member.isChecked())

    def load(self, edit: GroupMembership) -> None:
        self.group.set_value(edit.group)
        self.set_country(edit.country)
        self.member.setChecked(bool(edit.member))


PAGES: tuple[type[EditPage], ...] = (SupplyCutPage, TariffPage, SourcingShiftPage, SharePage,
                                     NirPage, ImportancePage, MembershipPage)
