"""The suppliers of one mineral, with shares an analyst can edit into the scenario.

Follows the shared selection (the first selected mineral; the combo picks another and
selects it everywhere). Rows are the core's supplier list (`result.suppliers[mineral]`, the
largest N) plus one 'All other partners' row for the rest, so shares add up to 100%. With a
scenario shown, the baseline share stands beside the scenario's. Editing a country's share
emits `share_edit_requested(mineral, iso3, percent)` and asks the handler; the table changes
when the recomputed result arrives. Aggregates, unmapped partners and the rest row are not
editable: a share override needs one real country.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLabel,
                               QTableView, QVBoxLayout, QWidget)

from .clipboard import copy_and_announce
from .edit_delegates import OVERRIDDEN_ROLE, PercentDelegate
from .editable_model import OVERRIDE_TINT
from .formatters import ColumnSpec, Kind, display_formatter, exact_formatter
from .panels import edit_on_enter, fix_row_heights

OTHERS = "All other partners"
COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("partner", "Partner", Kind.TEXT, "Supplier country (or aggregate / unmapped partner)."),
    ColumnSpec("partner_code", "Code", Kind.TEXT, "ISO3 code, aggregate code or UNMAPPED.", ""),
    ColumnSpec("value_usd", "Import value", Kind.USD, "Value of the mineral's imports from the partner."),
    ColumnSpec("share", "Share", Kind.PERCENT,
               "Share of the mineral's import value. Edit a country's share to set it in the "
               "scenario; the other partners scale pro rata."),
    ColumnSpec("baseline_share", "Baseline share", Kind.PERCENT, "The share without the scenario."),
    ColumnSpec("in_group", "In group", Kind.TEXT, "Whether the partner is in the chosen country group.", ""),
)
SHARE, BASELINE = 3, 4
RawValueRole = int(Qt.ItemDataRole.UserRole.value) + 1
_DISPLAY, _EDIT = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole
_TOOLTIP, _ALIGN = Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.TextAlignmentRole
_FONT, _BACKGROUND = Qt.ItemDataRole.FontRole, Qt.ItemDataRole.BackgroundRole
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_FORMAT = [display_formatter(spec) for spec in COLUMNS]
_EXACT = [exact_formatter(spec) for spec in COLUMNS]


@dataclass(frozen=True)
class SupplierRow:
    partner: str
    partner_code: str
    value_usd: float
    share: float                 # 0-1, in the shown result
    baseline_share: float        # 0-1, NaN when the baseline lists no such partner
    in_group: str                # 'yes' / 'no' / '' (not a country)
    editable: bool
    overridden: bool = False     # the scenario sets this partner's share

    def value(self, column: int):
        return (self.partner, self.partner_code, self.value_usd, self.share, self.baseline_share,
                self.in_group)[column]


def is_country(code: str) -> bool:
    """A real ISO3 country (what a share override can name), not an aggregate or unmapped."""
    from mineral_workbench.core.countries import AGGREGATE_CODES  # noqa: PLC0415 - lazy core

    return len(code) == 3 and code.isalpha() and code.isupper() and code not in AGGREGATE_CODES


def group_codes(analysis, members: frozenset[str]) -> frozenset[str]:
    """The chosen group's members with the shown scenario's membership edits applied."""
    codes, group = set(members), analysis.options.group
    for edit in _edits(analysis):
        if edit.kind == "group_membership" and edit.group == group:
            (codes.add if edit.member else codes.discard)(edit.country.upper())
    return frozenset(codes)


def _edits(analysis) -> tuple:
    scenario = getattr(analysis, "scenario", None)
    return () if scenario is None else tuple(scenario.scenario.edits)


def supplier_rows(analysis, mineral: str, members: frozenset[str]) -> list[SupplierRow]:
    """The rows shown for `mineral`: the core's suppliers, baseline-only ones, then the rest."""
    result, baseline = analysis.result, analysis.baseline
    if mineral not in result.minerals.index:
        return []
    shown = list(result.suppliers[mineral])
    base = {} if baseline is result else {s["partner_code"]: s for s in baseline.suppliers[mineral]}
    listed = {s["partner_code"] for s in shown}
    shown += [{**s, "value_usd": 0.0, "share": 0.0} for code, s in base.items() if code not in listed]
    codes = group_codes(analysis, members)
    edited = {e.country.upper() for e in _edits(analysis)
              if e.kind == "share_override" and e.mineral == mineral}
    rows = []
    for s in shown:
        code = s["partner_code"]
        country = is_country(code)
        base_share = s["share"] if baseline is result else base.get(code, {}).get("share", math.nan)
        rows.append(SupplierRow(s["partner"], code, s["value_usd"], s["share"], base_share,
                                ("yes" if code in codes else "no") if country else "",
                                country, code in edited))
    total = float(result.minerals.at[mineral, "import_value_usd"])
    rest = 1.0 - sum(r.share for r in rows)
    if total > 0 and rest > 1e-9:
        base_rest = 1.0 - sum(r.baseline_share for r in rows if r.baseline_share == r.baseline_share)
        rows.append(SupplierRow(OTHERS, "", max(total - sum(r.value_usd for r in rows), 0.0), rest,
                                max(base_rest, 0.0), "", False))
    return rows


class SuppliersModel(QAbstractTableModel):
    share_edit_requested = Signal(str, str, float)   # mineral, ISO3, share in percent

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mineral = ""
        self.rows: list[SupplierRow] = []
        self._handler = None
        self._italic = QFont()
        self._italic.setItalic(True)
        self._tint = QBrush(OVERRIDE_TINT)

    def set_rows(self, mineral: str, rows: list[SupplierRow]) -> None:
        self.beginResetModel()
        self.mineral, self.rows = mineral, list(rows)
        self.endResetModel()

    def set_edit_handler(self, handler) -> None:
        """`handler(mineral, iso3, share_pct) -> bool`: False refuses the edit."""
        self._handler = handler

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.column() == SHARE and self.rows[index.row()].editable:
            return _FLAGS | Qt.ItemFlag.ItemIsEditable
        return _FLAGS

    def data(self, index, role=_DISPLAY):
        row, col = self.rows[index.row()], index.column()
        if role == _DISPLAY:
            return self.display_text(index.row(), col)
        if role == _ALIGN:
            return _RIGHT if COLUMNS[col].numeric else _LEFT
        if role == RawValueRole:
            return row.value(col)
        marked = col == SHARE and row.overridden
        if role == OVERRIDDEN_ROLE:
            return marked
        if role == _EDIT:
            return round(row.share * 100, 6) if col == SHARE else None
        if role == _FONT:
            return self._italic if marked else None
        if role == _BACKGROUND:
            return self._tint if marked else None
        if role == _TOOLTIP:
            return self._tooltip(row, col, marked)
        return None

    def _tooltip(self, row: SupplierRow, col: int, marked: bool) -> str:
        if marked:
            base = "n/a" if math.isnan(row.baseline_share) else f"{row.baseline_share * 100:.2f}%"
            return f"Scenario: {row.share * 100:.2f}% (baseline: {base})"
        if col == SHARE and not row.editable:
            why = "the rest of the partners" if row.partner == OTHERS else "not a single country"
            return f"{COLUMNS[col].title}: {_EXACT[col](row.share)} ({why}: not editable)"
        if row.partner == OTHERS and col == 0:
            return "Every partner not listed above, together"
        return f"{COLUMNS[col].title}: {_EXACT[col](row.value(col))}"

    def setData(self, index, value, role=_EDIT) -> bool:
        """Ask for a new share (percent, 0-100) of a country; the rows stay as they are."""
        if role != _EDIT or not index.isValid() or not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        try:
            pct = float(str(value).replace("%", "").strip())
        except ValueError:
            return False
        row = self.rows[index.row()]
        if not 0 <= pct <= 100 or round(pct, 2) == round(row.share * 100, 2):
            return False
        self.share_edit_requested.emit(self.mineral, row.partner_code, pct)
        if self._handler is None:
            return True
        return bool(self._handler(self.mineral, row.partner_code, pct))

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == _DISPLAY:
            return COLUMNS[section].title
        if role == _TOOLTIP:
            return COLUMNS[section].description
        return None

    def display_text(self, row: int, column: int) -> str:
        value = self.rows[row].value(column)
        return _FORMAT[column](value if COLUMNS[column].numeric else (value or None))

    def column_specs(self) -> list[ColumnSpec]:
        return list(COLUMNS)


class SuppliersTable(QTableView):
    copied = Signal(int)

    def __init__(self, model: SuppliersModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegateForColumn(SHARE, PercentDelegate(self))
        self.setAccessibleName("Suppliers table")
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        fix_row_heights(self)
        self.horizontalHeader().setStretchLastSection(True)

    def copy_selection(self) -> str | None:
        return copy_and_announce(self)

    def keyPressEvent(self, event) -> None:
        if not edit_on_enter(self, event):
            super().keyPressEvent(event)


class SuppliersPanel(QWidget):
    """A mineral picker, a one-line summary and the editable suppliers table (for a dock)."""

    share_edit_requested = Signal(str, str, float)   # mineral, ISO3, share in percent

    def __init__(self, selection, parent=None, members=None):
        """`members(group_id) -> frozenset of ISO3` defaults to the bundled reference's groups."""
        super().__init__(parent)
        self.selection = selection
        self._members = members or _reference_members
        self.analysis = None
        self._fitted_for = ""
        self.model = SuppliersModel(self)
        self.model.share_edit_requested.connect(self.share_edit_requested)
        self.table = SuppliersTable(self.model, self)
        self.mineral_box = QComboBox(self)
        self.mineral_box.setAccessibleName("Mineral whose suppliers are shown")
        self.mineral_box.activated.connect(self._picked)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        label = QLabel("&Mineral:", self)
        label.setBuddy(self.mineral_box)
        bar.addWidget(label)
        bar.addWidget(self.mineral_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        selection.changed.connect(self._follow)
        self.clear()

    @property
    def mineral(self) -> str:
        return self.model.mineral

    def set_edit_handler(self, handler) -> None:
        """`handler(mineral, iso3, share_pct) -> bool` decides each share edit."""
        self.model.set_edit_handler(handler)

    def show_analysis(self, analysis) -> None:
        self.analysis = analysis
        minerals = [str(m) for m in analysis.result.minerals.index]
        chosen = [m for m in self.selection.minerals if m in minerals]
        mineral = chosen[0] if chosen else (self.mineral if self.mineral in minerals else
                                            (minerals[0] if minerals else ""))
        self.mineral_box.blockSignals(True)
        self.mineral_box.clear()
        self.mineral_box.addItems(minerals)
        self.mineral_box.blockSignals(False)
        self.show_mineral(mineral)

    def show_mineral(self, mineral: str) -> None:
        """Show `mineral`'s suppliers in the current analysis (without publishing a selection)."""
        analysis = self.analysis
        if analysis is None or not mineral:
            self.model.set_rows("", [])
            return
        self.mineral_box.setCurrentIndex(self.mineral_box.findText(mineral))
        members = self._members(analysis.options.group)
        self.model.set_rows(mineral, supplier_rows(analysis, mineral, members))
        self.table.setColumnHidden(BASELINE, analysis.scenario is None)
        self.summary.setText(summary_text(analysis, mineral, len(self.model.rows)))
        if mineral != self._fitted_for:  # a recompute of the same mineral must not jump
            self.table.resizeColumnsToContents()
            self._fitted_for = mineral

    def clear(self) -> None:
        self.analysis = None
        self.mineral_box.clear()
        self.model.set_rows("", [])
        self.table.setColumnHidden(BASELINE, True)
        self.summary.setText("No data loaded")

    def _follow(self, minerals: list, origin) -> None:
        if origin is self or self.analysis is None:
            return
        known = [m for m in minerals if m in self.analysis.result.minerals.index]
        if known and known[0] != self.mineral:
            self.show_mineral(known[0])

    def _picked(self, index: int) -> None:
        mineral = self.mineral_box.itemText(index)
        self.show_mineral(mineral)
        self.selection.select([mineral], origin=self)


def summary_text(analysis, mineral: str, rows: int) -> str:
    row = analysis.result.minerals.loc[mineral]
    usd, pct = _FORMAT[2], display_formatter(ColumnSpec("s", "s", Kind.PERCENT))
    group = next((g.title for g in analysis.groups if g.id == analysis.options.group),
                 analysis.options.group)
    if not rows:
        return f"No imports of {mineral} in the loaded data."
    text = f"{usd(float(row['import_value_usd']))} of imports · {group} share {pct(float(row['group_share']))}"
    if analysis.scenario is not None:
        base = float(analysis.baseline.minerals.at[mineral, "group_share"])
        text += f" (baseline {pct(base)}) · scenario '{analysis.scenario_name}'"
    return text + " · edit a country's share to set it in the scenario"


def _reference_members(group: str) -> frozenset[str]:
    from mineral_workbench.core.reference import load_reference  # noqa: PLC0415 - lazy core

    try:
        return load_reference().group_members(group)
    except KeyError:
        return frozenset()
