"""The workspace's scenarios and their undo history.

Every change an analyst makes goes through one of the methods below, each of which pushes
exactly one `ScenarioCommand` on `undo_stack` (QtGui's QUndoStack), so Undo/Redo, the
history view and the unsaved-changes flag (the stack's clean state) all come for free.
Which scenario is shown (`set_active`) is a view choice, not an edit, and is not undoable;
an undo or redo shows the scenario it changed so the analyst sees what moved.

A `validator` (set by the window: it replays the scenario on the loaded data) runs before a
change is pushed; an edit the core refuses raises `ScenarioError` and never enters the stack.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from mineral_workbench.core.scenario import Edit, Scenario, ScenarioError, cell_key

from .scenario_commands import ScenarioCommand, Snapshot


def _cell_text(edit: Edit) -> str:
    """'gallium net import reliance', 'gallium importance for Energy', ... (for 'Reset …')."""
    if edit.kind == "nir_override":
        return f"{edit.mineral} net import reliance"
    if edit.kind == "importance_override":
        return f"{edit.mineral} importance for {edit.target.split(':', 1)[-1]}"
    if edit.kind == "share_override":
        return f"{edit.country} share of {edit.mineral} imports"
    return f"{edit.country} membership of {edit.group}"


class ScenarioStore(QObject):
    changed = Signal()                # the list or any scenario's content changed
    active_changed = Signal(object)   # the shown scenario's name, or None for the baseline

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self._scenarios: tuple[Scenario, ...] = ()
        self._active: str | None = None
        self.validator: Callable[[Scenario], None] | None = None

    # --- reading ----------------------------------------------------------------------------
    def scenarios(self) -> list[Scenario]:
        return list(self._scenarios)

    def names(self) -> list[str]:
        return [s.name for s in self._scenarios]

    def get(self, name: str) -> Scenario:
        for scenario in self._scenarios:
            if scenario.name == name:
                return scenario
        raise KeyError(f"no scenario named {name!r}")

    @property
    def active_name(self) -> str | None:
        return self._active

    def active(self) -> Scenario | None:
        return None if self._active is None else self.get(self._active)

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    # --- not undoable: what is shown, and a freshly opened workspace ----------------------
    def set_active(self, name: str | None) -> None:
        if name is not None and name not in self.names():
            raise KeyError(f"no scenario named {name!r}")
        if name != self._active:
            self._active = name
            self.active_changed.emit(name)

    def reset(self, scenarios: Iterable[Scenario] = (), active: str | None = None) -> None:
        """Replace everything (opening a workspace): no history, nothing unsaved."""
        self.undo_stack.clear()
        self._scenarios = tuple(scenarios)
        self._active = active if active in self.names() else None
        self.undo_stack.setClean()
        self.changed.emit()
        self.active_changed.emit(self._active)

    # --- undoable changes -------------------------------------------------------------------
    def add(self, scenario: Scenario, activate: bool = True, text: str | None = None) -> str:
        name = self.unique_name(scenario.name)
        scenario = replace(scenario, name=name)
        self._push(text or f"Add scenario '{name}'", (*self._scenarios, scenario),
                   name if activate else self._active)
        return name

    def remove(self, name: str) -> None:
        self.get(name)
        after = tuple(s for s in self._scenarios if s.name != name)
        self._push(f"Delete scenario '{name}'", after, None, before_focus=name)

    def rename(self, name: str, new_name: str) -> str:
        new_name = new_name.strip()
        if not new_name:
            raise ScenarioError("a scenario needs a name")
        if new_name == name:
            return name
        if new_name in self.names():
            raise ScenarioError(f"there is already a scenario named '{new_name}'")
        self._push(f"Rename scenario '{name}' to '{new_name}'",
                   self._with(name, lambda s: replace(s, name=new_name)), new_name, before_focus=name)
        return new_name

    def duplicate(self, name: str) -> str:
        copy = replace(self.get(name), name=self.unique_name(f"{name} (copy)"), preset_id="")
        index = self.names().index(name) + 1
        self._push(f"Duplicate scenario '{name}'",
                   (*self._scenarios[:index], copy, *self._scenarios[index:]), copy.name)
        return copy.name

    def set_details(self, name: str, **fields) -> None:
        allowed = {"description", "date", "citation"}
        if not set(fields) <= allowed:
            raise ValueError(f"only {sorted(allowed)} can be set here")
        self._push(f"Edit details of '{name}'", self._with(name, lambda s: replace(s, **fields)), name,
                   merge_key=("details", name, tuple(sorted(fields))))

    def add_edit(self, name: str, edit: Edit) -> None:
        self._push(edit.describe(), self._with(name, lambda s: s.with_edits((*s.edits, edit))), name)

    def remove_edit(self, name: str, index: int) -> None:
        edit = self.get(name).edits[index]
        self._push(f"Remove '{edit.describe()}'", self._with(
            name, lambda s: s.with_edits(e for i, e in enumerate(s.edits) if i != index)), name)

    def replace_edit(self, name: str, index: int, edit: Edit) -> None:
        def change(s: Scenario) -> Scenario:
            edits = list(s.edits)
            edits[index] = edit
            return s.with_edits(edits)
        self._push(edit.describe(), self._with(name, change), name, merge_key=("edit", name, index))

    def move_edit(self, name: str, index: int, new_index: int) -> None:
        edits = list(self.get(name).edits)
        edit = edits.pop(index)
        edits.insert(new_index, edit)
        self._push(f"Move '{edit.describe()}'", self._with(name, lambda s: s.with_edits(edits)), name)

    def replace_edits(self, name: str, edits: Iterable[Edit], text: str) -> None:
        edits = tuple(edits)
        self._push(text, self._with(name, lambda s: s.with_edits(edits)), name)

    def set_cell(self, edit: Edit, to_baseline: bool = False) -> str:
        """Upsert `edit` by its cell into the shown scenario (creating one when the baseline is
        shown); `to_baseline` removes the cell's edit instead. Repeated edits of a cell merge."""
        key = cell_key(edit)
        if key is None:
            raise ValueError(f"{edit.describe()}: not a cell edit")
        name = self._active
        scenarios = self._scenarios
        text = edit.describe()
        if name is None:
            if to_baseline:
                return ""
            name = self.unique_name("Scenario 1", numbered=True)
            scenarios = (*scenarios, Scenario(name=name))
            text = f"{text} (new scenario '{name}')"
        current = next(s for s in scenarios if s.name == name)
        edits = list(current.edits)
        at = next((i for i, e in enumerate(edits) if cell_key(e) == key), None)
        if to_baseline:
            if at is None:
                return name
            edits.pop(at)
            text = f"Reset {_cell_text(edit)} to the baseline"
        elif at is None:
            edits.append(edit)
        else:
            edits[at] = edit
        after = tuple(s.with_edits(edits) if s.name == name else s for s in scenarios)
        self._push(text, after, name, merge_key=("cell", name, key))
        return name

    # --- helpers ----------------------------------------------------------------------------
    def unique_name(self, wanted: str, numbered: bool = False) -> str:
        """`wanted`, or the first free 'wanted (2)' / 'Scenario N'."""
        names = set(self.names())
        wanted = wanted.strip() or "Scenario"
        if wanted not in names:
            return wanted
        stem = wanted.rsplit(" ", 1)[0] if numbered else wanted
        n = 2
        while (candidate := f"{stem} {n}" if numbered else f"{stem} ({n})") in names:
            n += 1
        return candidate

    def _with(self, name: str, change: Callable[[Scenario], Scenario]) -> tuple[Scenario, ...]:
        self.get(name)
        return tuple(change(s) if s.name == name else s for s in self._scenarios)

    def _push(self, text: str, after: tuple[Scenario, ...], focus: str | None, *,
              before_focus: str | None = None, merge_key: tuple | None = None) -> None:
        if self.validator is not None and focus is not None:
            self.validator(next(s for s in after if s.name == focus))
        if before_focus is None:  # undo shows the scenario the change was made to, if it existed
            before_focus = focus if focus in self.names() else self._active
        before = Snapshot(self._scenarios, before_focus)
        self.undo_stack.push(ScenarioCommand(self, text, before, Snapshot(after, focus), merge_key))

    def _restore(self, snapshot: Snapshot) -> None:
        """Called by commands only."""
        self._scenarios = snapshot.scenarios
        names = self.names()
        active = snapshot.focus if snapshot.focus in names else (
            self._active if self._active in names else None)
        moved, self._active = active != self._active, active
        self.changed.emit()
        if moved:
            self.active_changed.emit(active)
