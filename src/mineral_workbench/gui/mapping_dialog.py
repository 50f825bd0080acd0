"""The column-mapping dialog: how a spreadsheet no importer knows becomes trade data.

The analyst sees the file's first rows, picks the sheet and the header row (title rows above
it are dimmed, the header is highlighted), gives each column a role in the combo above it,
and sets what the sheet leaves out (flow, measure, scale). Every change is checked against
the file by the core (`mapped.validate`, debounced) and OK stays disabled while any problem
is listed. A saved profile that fits the file (`ProfileStore.match_file`) is the starting
point; otherwise the core's first guess (`suggest_profile`). `result_profile()` is the
profile to read the file with; with "Save profile for files like this" it is stored too.
"""

from __future__ import annotations

from dataclasses import replace
from html import escape
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QListWidget, QMessageBox, QSpinBox, QTableView,
                               QVBoxLayout, QWidget)

from mineral_workbench import APP_NAME
from mineral_workbench.core.errors import WorkbenchError
from mineral_workbench.core.importing import mapped
from mineral_workbench.core.importing.profile import (COUNTRY_SYSTEMS, Profile, ProfileStore,
                                                      header_signature, normalize_header)
from mineral_workbench.core.tradeframe import FLOWS, VALUE_MEASURES

from .mapping_preview import ROLE_ROW, PreviewModel, column_letter

#: (role id, label) in the order the combos list them; "" = the column is not read
ROLE_CHOICES = (("", "—"), ("code", "code"), ("country", "country"), ("year", "year"),
                ("month", "month"), ("value", "value"), ("quantity", "quantity"),
                ("unit", "unit"), ("flow", "flow"), ("year_columns", "year column"),
                ("month_columns", "month column"))
SINGLE_ROLES = ("code", "country", "year", "month", "value", "quantity", "unit", "flow")
PERIOD_ROLES = ("year_columns", "month_columns")
VALIDATE_DELAY_MS = 150
VALIDATE_MAX_ROWS = 5000


class MappingDialog(QDialog):
    """Map the columns of `path`; `result_profile()` after `exec()` returns Accepted."""

    validated = Signal(list)   # the problems found by the last check ([] = the file reads)

    def __init__(self, path: str | Path, store: ProfileStore | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.store = store if store is not None else ProfileStore()
        self.problems: list[str] = ["not checked yet"]
        self._filling = False
        self.setWindowTitle(f"Import with Column Mapping — {self.path.name}")
        self.resize(900, 640)
        self._timer = QTimer(self, singleShot=True, interval=VALIDATE_DELAY_MS)
        self._timer.timeout.connect(self.validate_now)
        self._build()
        self.base, self.matched = self._first_profile()
        self._show_profile(self.base)

    # --- widgets ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.source_label = QLabel(self)
        self.sheet_combo = QComboBox(self)
        self.header_spin = QSpinBox(self, minimum=1, maximum=1)
        self.header_spin.setToolTip("The row with the column names (1 = the first row). "
                                    "Changing it guesses the roles again from that row.")
        self.name_edit = QLineEdit(self)
        self.flow_combo = QComboBox(self)
        self.flow_combo.addItem("from a flow column / unknown", "")
        for flow in FLOWS:
            if flow != "unknown":
                self.flow_combo.addItem(flow.replace("_", " "), flow)
        self.measure_combo = QComboBox(self)
        for measure in VALUE_MEASURES:
            self.measure_combo.addItem(measure.replace("_", " "), measure)
        self.scale_spin = QDoubleSpinBox(self, decimals=3, minimum=0.001, maximum=1e12)
        self.scale_spin.setToolTip("Multiplier to US dollars: 1000 when the sheet is in thousands")
        self.system_combo = QComboBox(self)
        for system in COUNTRY_SYSTEMS:
            self.system_combo.addItem(system, system)
        self.save_check = QCheckBox("Save profile for files like this", self)
        self.save_check.setToolTip(f"Stored in {self.store.folder}; a file with the same "
                                   "header is mapped this way next time")

        left, right = QFormLayout(), QFormLayout()
        left.addRow("&Sheet:", self.sheet_combo)
        left.addRow("&Header row:", self.header_spin)
        left.addRow("Profile &name:", self.name_edit)
        right.addRow("&Flow:", self.flow_combo)
        right.addRow("&Measure:", self.measure_combo)
        right.addRow("S&cale:", self.scale_spin)
        right.addRow("C&ountry names:", self.system_combo)
        fields = QHBoxLayout()
        fields.addLayout(left, 1)
        fields.addLayout(right, 1)

        self.model = PreviewModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Preview of the first rows")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(130)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setWordWrap(False)
        self.role_combos: list[QComboBox] = []

        self.problem_list = QListWidget(self)
        self.problem_list.setAccessibleName("Problems")
        self.problem_list.setMaximumHeight(110)
        self.status_label = QLabel(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_check)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.source_label)
        layout.addLayout(fields)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.problem_list)
        layout.addLayout(bottom)

        self.sheet_combo.currentIndexChanged.connect(self._sheet_changed)
        self.header_spin.valueChanged.connect(self._header_changed)
        for signal in (self.name_edit.textChanged, self.flow_combo.currentIndexChanged,
                       self.measure_combo.currentIndexChanged, self.scale_spin.valueChanged,
                       self.system_combo.currentIndexChanged):
            signal.connect(self.schedule_validation)

    # --- filling in ---------------------------------------------------------------------------

    def _first_profile(self) -> tuple[Profile, bool]:
        """A saved profile that fits the file, else the core's first guess."""
        try:
            saved = self.store.match_file(self.path)
        except WorkbenchError:
            saved = None
        if saved is not None:
            return saved, True
        return mapped.suggest_profile(self.path), False

    def _show_profile(self, profile: Profile) -> None:
        self._filling = True
        try:
            self._load_preview(profile.sheet, profile.delimiter)
            self.header_spin.setValue(profile.header_row)
            self.model.set_header_row(profile.header_row)
            self.name_edit.setText(profile.name)
            self._select(self.flow_combo, profile.flow or "")
            self._select(self.measure_combo, profile.measure)
            self.scale_spin.setValue(float(profile.scale))
            self._select(self.system_combo, profile.country_system)
            self.save_check.setChecked(not self.matched)
            self._set_roles(self._roles_by_column(profile.columns))
        finally:
            self._filling = False
        origin = f"saved profile '{profile.name}'" if self.matched else "first guess"
        self.source_label.setText(f"<b>{escape(self.path.name)}</b> ({self.preview.kind}"
                                  f"{', ' + self.preview.encoding if self.preview.encoding else ''})"
                                  f" — starting from the {origin}"
                                  + "".join(f"<br>⚠ {escape(w)}" for w in self.preview.warnings))
        self.validate_now()

    def _load_preview(self, sheet, delimiter=None) -> None:
        self.preview = mapped.preview(self.path, sheet, delimiter=delimiter)
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for name in self.preview.sheets:
            self.sheet_combo.addItem(name or "(text file)", name)
        self.sheet_combo.setCurrentIndex(max(self.preview.sheets.index(self.preview.sheet), 0)
                                         if self.preview.sheet in self.preview.sheets else 0)
        self.sheet_combo.setEnabled(len(self.preview.sheets) > 1)
        self.sheet_combo.blockSignals(False)
        self.model.set_preview(self.preview.rows, self.preview.row_numbers)
        self.header_spin.setMaximum(max(self.preview.row_numbers, default=1))
        self._make_role_combos()

    def _make_role_combos(self) -> None:
        self.role_combos = []
        for j in range(self.model.width):
            combo = QComboBox(self.table)
            for role, label in ROLE_CHOICES:
                combo.addItem(label, role)
            combo.setAccessibleName(f"Role of column {column_letter(j)}")
            combo.currentIndexChanged.connect(self.schedule_validation)
            self.table.setIndexWidget(self.model.index(ROLE_ROW, j), combo)
            self.role_combos.append(combo)

    @staticmethod
    def _select(combo: QComboBox, data) -> None:
        index = combo.findData(data)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def header_cells(self) -> list[str]:
        """The cells of the chosen header row as the preview shows them."""
        number = self.header_spin.value()
        if number in self.preview.row_numbers:
            return list(self.preview.rows[self.preview.row_numbers.index(number)])
        return []

    def _roles_by_column(self, columns: dict) -> list[str]:
        """Profile `columns` (role -> header text, number, list or "auto") as a role per column."""
        header = self.header_cells()
        keys = [normalize_header(h) for h in header]
        roles = [""] * self.model.width

        def index_of(ref) -> int | None:
            if isinstance(ref, int):
                return ref - 1 if 0 < ref <= len(roles) else None
            key = normalize_header(ref)
            return keys.index(key) if key in keys else None

        for role in SINGLE_ROLES:
            if role in columns and (j := index_of(columns[role])) is not None:
                roles[j] = role
        for role in PERIOD_ROLES:
            refs = columns.get(role)
            if refs == "auto":
                test = mapped.is_year_header if role == "year_columns" else mapped.is_month_header
                hits = [j for j, h in enumerate(header) if j < len(roles) and not roles[j] and test(h)]
            else:
                hits = [index_of(r) for r in refs or []]
            for j in hits:
                if j is not None:
                    roles[j] = role
        return roles

    def _set_roles(self, roles: list[str]) -> None:
        for combo, role in zip(self.role_combos, roles):
            combo.blockSignals(True)
            self._select(combo, role)
            combo.blockSignals(False)
        self.schedule_validation()

    def set_role(self, column: int, role: str) -> None:
        """Choose `role` ("" = none) for 0-based `column` through its combo, like the analyst."""
        self._select(self.role_combos[column], role)

    def roles(self) -> list[str]:
        return [combo.currentData() for combo in self.role_combos]

    # --- reactions ----------------------------------------------------------------------------

    def _sheet_changed(self, _index: int) -> None:
        sheet = self.sheet_combo.currentData()
        self._filling = True
        try:
            self._load_preview(sheet or None, self.base.delimiter)
            self.header_spin.setValue(self.preview.suggested_header_row or 1)
        finally:
            self._filling = False
        self._header_changed(self.header_spin.value())

    def _header_changed(self, value: int) -> None:
        self.model.set_header_row(value)
        if self._filling:
            return
        header = self.header_cells()
        below = [r for n, r in zip(self.preview.row_numbers, self.preview.rows) if n > value][:20]
        guessed = mapped.suggest_roles(header, below)
        system = guessed.pop("country_system", "census")
        self._select(self.system_combo, system)
        self._set_roles(self._roles_by_column(guessed))

    def schedule_validation(self, *_args) -> None:
        """Check again shortly after the last change (typing does not re-read the file per key)."""
        if not self._filling:
            self.ok_button.setEnabled(False)
            self._timer.start()

    # --- the profile --------------------------------------------------------------------------

    def _reference(self, j: int, header: list[str]):
        """Header text when it names column j alone, else its 1-based number."""
        text = header[j] if j < len(header) else ""
        key = normalize_header(text)
        unique = key and sum(normalize_header(h) == key for h in header) == 1
        return text.strip() if unique else j + 1

    def result_profile(self) -> Profile:
        """The profile as the widgets show it now (with the chosen header's signature)."""
        header = self.header_cells()
        roles = self.roles()
        columns: dict = {}
        for role in SINGLE_ROLES:
            chosen = [j for j, r in enumerate(roles) if r == role]
            if chosen:
                columns[role] = self._reference(chosen[0], header)
        for role in PERIOD_ROLES:
            chosen = [j for j, r in enumerate(roles) if r == role]
            if chosen:
                test = mapped.is_year_header if role == "year_columns" else mapped.is_month_header
                taken = {j for j, r in enumerate(roles) if r in SINGLE_ROLES}
                automatic = [j for j, h in enumerate(header) if j not in taken and test(h)]
                columns[role] = "auto" if chosen == automatic else \
                    [self._reference(j, header) for j in chosen]
        sheet = self.sheet_combo.currentData() or None
        return replace(self.base, name=self.name_edit.text().strip(), sheet=sheet,
                       header_row=self.header_spin.value(), columns=columns,
                       flow=self.flow_combo.currentData() or None, measure=self.measure_combo.currentData(),
                       scale=self.scale_spin.value(), country_system=self.system_combo.currentData(),
                       signature=header_signature(header))

    def _dialog_problems(self) -> list[str]:
        """What the dialog itself can see: a one-column role chosen twice."""
        roles = self.roles()
        found = []
        for role in SINGLE_ROLES:
            chosen = [column_letter(j) for j, r in enumerate(roles) if r == role]
            if len(chosen) > 1:
                found.append(f"columns.{role}: chosen for {len(chosen)} columns "
                             f"({', '.join(chosen)}): keep one")
        return found

    def validate_now(self) -> list[str]:
        """Check the mapping against the file now; update the list and OK; emit `validated`."""
        self._timer.stop()
        profile = self.result_profile()
        found = self._dialog_problems()
        if not profile.name:
            found.append("name: give the profile a name")
        try:
            found += mapped.validate(self.path, profile, max_rows=VALIDATE_MAX_ROWS)
        except WorkbenchError as exc:
            found.append(str(exc))
        self.problems = found
        self.problem_list.clear()
        self.problem_list.addItems(found)
        self.problem_list.setVisible(bool(found))
        self.status_label.setText(f"{len(found)} problem{'s' if len(found) != 1 else ''} to fix "
                                  "before importing:" if found else
                                  f"No problems: the file reads as a {profile.layout.replace('_', ' ')} "
                                  "table with this mapping.")
        self.ok_button.setEnabled(not found)
        self.validated.emit(found)
        return found

    def accept(self) -> None:
        if self._timer.isActive() or self.problems:
            if self.validate_now():
                return
        if self.save_check.isChecked():
            self.saved_path = self.store.save(self.result_profile())
        super().accept()


def ask_and_map(parent: QWidget, folder: str = "", file_filter: str = "",
                store: ProfileStore | None = None) -> tuple[str, Profile] | None:
    """File → Import with Column Mapping: ask for one file, run the dialog on it; (file,
    profile) when the analyst imports, None when they cancel or the file cannot be read."""
    name, _ = QFileDialog.getOpenFileName(parent, "Import with column mapping", folder, file_filter)
    if not name:
        return None
    try:
        dialog = MappingDialog(name, store=store, parent=parent)
    except WorkbenchError as exc:
        QMessageBox.warning(parent, f"{APP_NAME}: cannot map this file", str(exc))
        return None
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return name, dialog.result_profile()
