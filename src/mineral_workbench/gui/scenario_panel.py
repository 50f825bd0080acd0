"""The Scenarios panel: which scenario is shown, its details and its edits, and the history.

The panel is a view of the `ScenarioStore`: every button calls one store method (one undo
command) and the panel redraws from `store.changed` / `store.active_changed`, never from
its own guesses, so Undo, the tables' cell edits and a workspace open all show up here.
Dialogs (`ask_edit`, `ask_name`, `confirm`, `show_problem`) are module functions so tests
can answer them without a modal loop.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (QFormLayout, QInputDialog, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QMenu, QMessageBox, QSplitter,
                               QToolButton, QVBoxLayout, QWidget)

from mineral_workbench.core.scenario import Scenario, ScenarioError
from mineral_workbench.core.whatif import load_presets

from .edit_fields import EditChoices
from .flow_layout import FlowLayout
from .scenario_editor import ask_edit
from .scenario_widgets import CommitText, make_history_view, on_key

__all__ = ["ScenarioPanel", "make_history_view", "BASELINE_TEXT"]

BASELINE_TEXT = "Baseline (no edits)"
_NAME = Qt.ItemDataRole.UserRole + 11


def ask_name(parent: QWidget, title: str, label: str, current: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, current)
    return text if ok else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text, QMessageBox.StandardButton.Yes
                                  | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def show_problem(parent: QWidget, text: str) -> None:
    QMessageBox.warning(parent, "Scenario", text)


class ScenarioPanel(QWidget):
    problem = Signal(str)  # a change the store refused, also for the status bar

    def __init__(self, store, choices: EditChoices, parent: QWidget | None = None, *,
                 history: bool = True):
        super().__init__(parent)
        self.store, self.choices = store, choices
        self._syncing = False
        self._details_for: str | None = None
        self._want_edit_row: int | None = None
        self.presets = load_presets()
        top = self._build_scenario_list()
        middle = self._build_details_and_edits()
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(top)
        splitter.addWidget(middle)
        self.history_view = None
        if history:
            splitter.addWidget(self._build_history())
        for index, stretch in enumerate((3, 5, 2)[:splitter.count()]):
            splitter.setStretchFactor(index, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)
        store.changed.connect(self.refresh)
        store.active_changed.connect(lambda _name: self.refresh())
        self.refresh()

    # --- building --------------------------------------------------------------------------
    def _button(self, text: str, name: str, tip: str, slot):
        """A compact text button (QToolButton: sized to its text, so the dock can stay narrow)
        that still takes keyboard focus and has its mnemonic."""
        button = QToolButton(self)
        button.setText(text)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        if slot is not None:
            button.clicked.connect(slot)
        return button

    def _shortcut(self, key, widget: QWidget, slot) -> None:
        on_key(widget, key, slot)

    def _build_scenario_list(self) -> QWidget:
        box = QWidget(self)
        self.new_button = self._button("&New", "New scenario",
                                       "Add an empty scenario and show it", self.new_scenario)
        self.presets_button = self._button("&Presets", "Load a preset scenario",
                                           "Add a copy of a preset that reproduces a real measure; "
                                           "edit it after loading", None)
        self.presets_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.presets_button.setMenu(self._presets_menu())
        self.rename_button = self._button("&Rename…", "Rename scenario",
                                          "Rename the shown scenario (F2)", self.rename_scenario)
        self.duplicate_button = self._button("D&uplicate", "Duplicate scenario",
                                             "Copy the shown scenario", self.duplicate_scenario)
        self.delete_button = self._button("&Delete…", "Delete scenario",
                                          "Delete the shown scenario (Delete); Undo brings it back",
                                          self.delete_scenario)
        buttons = FlowLayout()   # wraps in a narrow dock instead of cutting buttons off
        for button in (self.new_button, self.presets_button, self.rename_button,
                       self.duplicate_button, self.delete_button):
            buttons.addWidget(button)
        self.scenario_list = QListWidget(box)
        self.scenario_list.setAccessibleName("Scenarios")
        self.scenario_list.setToolTip("Select a scenario to show it; the baseline has no edits")
        self.scenario_list.setWordWrap(True)  # preset names are long; a dock is narrow
        self.scenario_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scenario_list.currentRowChanged.connect(self._picked)
        self._shortcut(QKeySequence.StandardKey.Delete, self.scenario_list, self.delete_scenario)
        self._shortcut("F2", self.scenario_list, self.rename_scenario)
        label = QLabel("Scenari&os", box)
        label.setBuddy(self.scenario_list)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(label)
        layout.addWidget(self.scenario_list, 1)
        return box

    def _presets_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        menu.setAccessibleName("Preset scenarios")
        for preset in self.presets:
            text = f"{preset.name} ({preset.date})" if preset.date else preset.name
            action = menu.addAction(text.replace("&", "&&"))
            tip = f"<p>{escape(preset.description)}</p><p><i>Source:</i> {escape(preset.citation)}</p>"
            action.setToolTip(tip)
            action.setStatusTip(preset.description)
            action.setObjectName(f"preset_{preset.preset_id}")
            action.triggered.connect(lambda _checked=False, p=preset: self.load_preset(p))
        return menu

    def _build_details_and_edits(self) -> QWidget:
        box = QWidget(self)
        self.description = CommitText("Scenario description", 3, box)
        self.description.setToolTip("What the scenario assumes and why (memo text)")
        self.date = QLineEdit(box)
        self.date.setAccessibleName("Scenario date")
        self.date.setPlaceholderText("YYYY-MM-DD")
        self.date.setToolTip("The date of the measure or assumption the scenario models")
        self.citation = CommitText("Scenario citation", 2, box)
        self.citation.setToolTip("The source of the measure (cited in exports)")
        for field, widget in (("description", self.description), ("date", self.date),
                              ("citation", self.citation)):
            widget.editingFinished.connect(lambda f=field, w=widget: self._commit_detail(f, w.text()))
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        for text, widget in (("Descr&iption", self.description), ("D&ate", self.date),
                             ("&Citation", self.citation)):
            label = QLabel(text, box)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.edit_list = QListWidget(box)
        self.edit_list.setAccessibleName("Edits of the shown scenario")
        self.edit_list.setToolTip("Applied in order; double-click or Enter to change one")
        self.edit_list.setWordWrap(True)
        self.edit_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.edit_list.itemActivated.connect(lambda _item: self.change_edit())
        self.edit_list.currentRowChanged.connect(lambda _row: self._enable())
        self._shortcut(QKeySequence.StandardKey.Delete, self.edit_list, self.remove_edit)
        self._shortcut("Insert", self.edit_list, self.add_edit)
        self._shortcut("Ctrl+Up", self.edit_list, lambda: self.move_edit(-1))
        self._shortcut("Ctrl+Down", self.edit_list, lambda: self.move_edit(1))
        edits_label = QLabel("Edit&s", box)
        edits_label.setBuddy(self.edit_list)
        self.add_edit_button = self._button("Add edi&t…", "Add edit",
                                            "Add an edit to the shown scenario (Insert); on the "
                                            "baseline, a new scenario is made for it", self.add_edit)
        self.change_edit_button = self._button("Chan&ge…", "Change edit",
                                               "Change the selected edit (Enter or double-click)",
                                               self.change_edit)
        self.remove_edit_button = self._button("Re&move", "Remove edit",
                                               "Remove the selected edit (Delete)", self.remove_edit)
        self.up_button = self._button("▲", "Move edit up", "Apply the selected edit earlier (Ctrl+Up)",
                                      lambda: self.move_edit(-1))
        self.down_button = self._button("▼", "Move edit down",
                                        "Apply the selected edit later (Ctrl+Down)",
                                        lambda: self.move_edit(1))
        buttons = FlowLayout()
        for button in (self.add_edit_button, self.change_edit_button, self.remove_edit_button,
                       self.up_button, self.down_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(edits_label)
        layout.addWidget(self.edit_list, 1)
        layout.addLayout(buttons)
        return box

    def _build_history(self) -> QWidget:
        box = QWidget(self)
        self.history_toggle = QToolButton(box)
        self.history_toggle.setText("Histor&y")
        self.history_toggle.setCheckable(True)
        self.history_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.history_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.history_toggle.setAutoRaise(True)
        self.history_toggle.setAccessibleName("Show the change history")
        self.history_toggle.setToolTip("Show or hide every change made, with undo to any point")
        self.history_view = make_history_view(self.store, box)
        self.history_view.setVisible(False)
        self.history_toggle.toggled.connect(self._toggle_history)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.history_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.history_view, 1)
        return box

    def _toggle_history(self, shown: bool) -> None:
        self.history_view.setVisible(shown)
        self.history_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    # --- actions (each is one store call) --------------------------------------------------
    def new_scenario(self) -> str | None:
        return self._run(lambda: self.store.add(
            Scenario(name=self.store.unique_name("Scenario 1", numbered=True))))

    def load_preset(self, preset: Scenario) -> str | None:
        return self._run(lambda: self.store.add(preset, text=f"Load preset '{preset.name}'"))

    def rename_scenario(self) -> None:
        name = self._shown_name()
        if name is None:
            return
        new = ask_name(self, "Rename scenario", "New name:", name)
        if new is not None:
            self._run(lambda: self.store.rename(name, new))

    def duplicate_scenario(self) -> None:
        if self._shown_name() is not None:
            self._run(lambda: self.store.duplicate(self._shown_name()))

    def delete_scenario(self) -> None:
        name = self._shown_name()
        if name is not None and confirm(self, "Delete scenario",
                                        f"Delete the scenario '{name}'? Undo brings it back."):
            self._run(lambda: self.store.remove(name))

    def add_edit(self) -> None:
        edit = ask_edit(self, self.choices)
        if edit is None:
            return
        name = self._shown_name()
        if name is None:  # on the baseline: a new scenario holding the edit, in one command
            new = self.store.unique_name("Scenario 1", numbered=True)
            self._run(lambda: self.store.add(Scenario(name=new, edits=(edit,)),
                                             text=f"{edit.describe()} (new scenario '{new}')"))
            return
        self._want_edit_row = len(self.store.get(name).edits)
        self._run(lambda: self.store.add_edit(name, edit))

    def change_edit(self) -> None:
        name, row = self._shown_name(), self.edit_list.currentRow()
        if name is None or row < 0:
            return
        old = self.store.get(name).edits[row]
        edit = ask_edit(self, self.choices, old)
        if edit is not None and edit != old:
            self._want_edit_row = row
            self._run(lambda: self.store.replace_edit(name, row, edit))

    def remove_edit(self) -> None:
        name, row = self._shown_name(), self.edit_list.currentRow()
        if name is not None and row >= 0:
            self._want_edit_row = row
            self._run(lambda: self.store.remove_edit(name, row))

    def move_edit(self, step: int) -> None:
        name, row = self._shown_name(), self.edit_list.currentRow()
        if name is None or not 0 <= row + step < self.edit_list.count() or row < 0:
            return
        self._want_edit_row = row + step
        self._run(lambda: self.store.move_edit(name, row, row + step))

    def _commit_detail(self, field: str, value: str) -> None:
        name = self._details_for
        if self._syncing or name is None or name not in self.store.names():
            return
        if getattr(self.store.get(name), field) != value:
            self._run(lambda: self.store.set_details(name, **{field: value}))

    def _run(self, change):
        try:
            return change()
        except ScenarioError as exc:
            self.problem.emit(str(exc))
            show_problem(self, str(exc))
            return None
        finally:
            self._want_edit_row = None

    def _picked(self, row: int) -> None:
        if self._syncing or row < 0:
            return
        self.store.set_active(self.scenario_list.item(row).data(_NAME))

    # --- redrawing from the store ------------------------------------------------------------
    def _shown_name(self) -> str | None:
        """The store's active name, or None while it names a scenario that just went away
        (`changed` can arrive before `active_changed` during an undo)."""
        name = self.store.active_name
        return name if name in self.store.names() else None

    def _shown(self) -> Scenario | None:
        name = self._shown_name()
        return None if name is None else self.store.get(name)

    def refresh(self) -> None:
        self._syncing = True
        try:
            self._sync_list()
            self._sync_details()
            self._sync_edits()
        finally:
            self._syncing = False
        self._enable()

    def _sync_list(self) -> None:
        entries = [(BASELINE_TEXT, None, "The imported data with no edits")]
        for s in self.store.scenarios():
            n = len(s.edits)
            tip = f"{s.name}\n\n{s.description}" if s.description else s.name
            entries.append((f"{s.name} ({n} edit{'' if n == 1 else 's'})", s.name, tip))
        view = self.scenario_list
        if [view.item(i).data(_NAME) for i in range(view.count())] != [e[1] for e in entries]:
            view.clear()
            for text, name, _tip in entries:
                item = QListWidgetItem(text, view)
                item.setData(_NAME, name)
        active = self._shown_name()
        for i, (text, name, tip) in enumerate(entries):
            item = view.item(i)
            item.setText(text)
            item.setToolTip(tip)
            font = QFont(view.font())
            font.setBold(name == active)
            item.setFont(font)
            if name == active and view.currentRow() != i:
                view.setCurrentRow(i)

    def _sync_details(self) -> None:
        scenario = self._shown()
        same = scenario is not None and scenario.name == self._details_for
        self._details_for = None if scenario is None else scenario.name
        for field, widget in (("description", self.description), ("date", self.date),
                              ("citation", self.citation)):
            widget.setEnabled(scenario is not None)
            if same and widget.hasFocus():
                continue  # the analyst is typing here; the text commits when they leave
            value = "" if scenario is None else getattr(scenario, field)
            if widget.text() != value:
                widget.setText(value)

    def _sync_edits(self) -> None:
        scenario = self._shown()
        texts = [] if scenario is None else [e.describe() for e in scenario.edits]
        row = self._want_edit_row if self._want_edit_row is not None else self.edit_list.currentRow()
        self.edit_list.clear()
        self.edit_list.addItems(texts)
        for i in range(self.edit_list.count()):
            self.edit_list.item(i).setToolTip(texts[i])
        if texts:
            self.edit_list.setCurrentRow(min(max(row, 0), len(texts) - 1))

    def _enable(self) -> None:
        shown = self._shown_name() is not None
        row, count = self.edit_list.currentRow(), self.edit_list.count()
        for button in (self.rename_button, self.duplicate_button, self.delete_button):
            button.setEnabled(shown)
        self.change_edit_button.setEnabled(shown and row >= 0)
        self.remove_edit_button.setEnabled(shown and row >= 0)
        self.up_button.setEnabled(shown and row > 0)
        self.down_button.setEnabled(shown and 0 <= row < count - 1)

    # --- for tests and the window ------------------------------------------------------------
    def scenario_texts(self) -> list[str]:
        return [self.scenario_list.item(i).text() for i in range(self.scenario_list.count())]

    def edit_texts(self) -> list[str]:
        return [self.edit_list.item(i).text() for i in range(self.edit_list.count())]
