"""Excel round trip of the assumptions in the GUI: export, and import with a confirmation.

Why a confirmation: an edited workbook may change dozens of cells; the analyst sees every
change the import would make before anything happens, and the caller applies the accepted
edits through the scenario store as one undoable command. Nothing here touches the store, so
the lead wires these functions to menu actions and owns the undo text.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidget,
                               QMessageBox, QVBoxLayout, QWidget)

from mineral_workbench import APP_NAME
from mineral_workbench.core.errors import WorkbenchError

if TYPE_CHECKING:  # the core's spreadsheet code loads on first use, not at start-up
    from mineral_workbench.core.analysis import AnalysisOptions, LoadedData
    from mineral_workbench.core.assumptions import AssumptionsError, AssumptionsPlan
    from mineral_workbench.core.scenario import Edit, Scenario

log = logging.getLogger(__name__)

FILE_FILTER = "Excel workbook (*.xlsx)"
MAX_SHOWN_PROBLEMS = 25          # in the message box text; every problem is in its details


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class ApplyAssumptionsDialog(QDialog):
    """Lists what importing `file_name` would change; "Apply N changes" accepts, Cancel rejects.
    An empty plan only says that nothing would change and offers Close."""

    def __init__(self, plan: AssumptionsPlan, file_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.plan = plan
        self.setWindowTitle(f"{APP_NAME}: import assumptions")
        self.setModal(True)
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        count = len(plan.changes)
        self.heading = QLabel(f"Nothing would change: {file_name} matches the assumptions in effect."
                              if plan.is_empty else
                              f"Importing {file_name} would make {_plural(count, 'change')}:")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.notes = QLabel("\n".join(plan.notes))
        self.notes.setWordWrap(True)
        self.notes.setVisible(bool(plan.notes))
        layout.addWidget(self.notes)
        self.change_list = QListWidget()
        self.change_list.setObjectName("assumption_changes")
        self.change_list.addItems(plan.changes)
        self.change_list.setVisible(not plan.is_empty)
        layout.addWidget(self.change_list, 1)
        if not plan.is_empty:
            undo = QLabel("The changes become scenario edits; Edit > Undo reverts them in one step.")
            undo.setWordWrap(True)
            layout.addWidget(undo)
        self.buttons = QDialogButtonBox()
        self.apply_button = None
        if plan.is_empty:
            self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        else:
            self.apply_button = self.buttons.addButton(f"Apply {_plural(count, 'change')}",
                                                       QDialogButtonBox.ButtonRole.AcceptRole)
            self.apply_button.setDefault(True)
            self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def changes(self) -> list[str]:
        return [self.change_list.item(i).text() for i in range(self.change_list.count())]


def ask_apply_assumptions(parent: QWidget | None, plan: AssumptionsPlan, file_name: str) -> bool:
    """True when the analyst applies the plan's changes; an empty plan is shown and returns False."""
    dialog = ApplyAssumptionsDialog(plan, file_name, parent)
    try:
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()
    return accepted and not plan.is_empty


def suggested_name(scenario: Scenario | None) -> str:
    """'assumptions - China ban.xlsx': the scenario's name made safe for a file name."""
    label = re.sub(r'[\\/:*?"<>|\x00-\x1f\s]+', " ", scenario.name).strip(" .") if scenario else ""
    return f"assumptions - {label or 'baseline'}.xlsx"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def export_assumptions_interactive(parent: QWidget | None, loaded: LoadedData, options: AnalysisOptions,
                                   scenario: Scenario | None, folder: str | Path = "") -> Path | None:
    """Ask where to save, then write the assumptions workbook; the path, or None when cancelled
    or refused. A loaded source file is never overwritten."""
    start = str(Path(folder) / suggested_name(scenario)) if folder else suggested_name(scenario)
    name, _ = QFileDialog.getSaveFileName(parent, "Export assumptions to Excel", start, FILE_FILTER)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    sources = [Path(report.file) for report in loaded.reports]
    if any(_same_file(path, source) for source in sources):
        QMessageBox.warning(parent, f"{APP_NAME}: not exported",
                            f"{path.name} is one of the loaded trade files; choose another name so "
                            "the source data is never overwritten.")
        return None
    from mineral_workbench.core.assumptions import export_assumptions  # noqa: PLC0415 - start-up
    try:
        return export_assumptions(path, loaded, options, scenario)
    except (WorkbenchError, OSError) as exc:
        log.warning("assumptions export to %s failed: %s", path, exc)
        QMessageBox.warning(parent, f"{APP_NAME}: export failed", f"Could not write {path.name}:\n{exc}")
        return None


def show_problems(parent: QWidget | None, file_name: str, error: AssumptionsError) -> None:
    """The refusal, listing the problems (all of them under "Show Details")."""
    problems = [str(p) for p in error.problems]
    shown = problems[:MAX_SHOWN_PROBLEMS]
    if len(problems) > len(shown):
        shown.append(f"... and {len(problems) - len(shown)} more (see Show Details)")
    box = QMessageBox(QMessageBox.Icon.Warning, f"{APP_NAME}: assumptions not imported",
                      f"{file_name} was not imported: {_plural(len(problems), 'problem')} to fix. "
                      "Nothing was changed.", QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText("\n".join(shown))
    box.setDetailedText("\n".join(problems))
    try:
        box.exec()
    finally:
        box.deleteLater()


def import_assumptions_interactive(parent: QWidget | None, loaded: LoadedData, options: AnalysisOptions,
                                   scenario: Scenario | None, folder: str | Path = ""
                                   ) -> tuple[tuple[Edit, ...], str] | None:
    """Ask for an edited workbook, check it, confirm the changes; (new edits, undo text) to
    apply as one command, or None when cancelled, refused or nothing would change."""
    name, _ = QFileDialog.getOpenFileName(parent, "Import assumptions from Excel", str(folder),
                                          f"{FILE_FILTER};;All files (*)")
    if not name:
        return None
    from mineral_workbench.core.assumptions import AssumptionsError, read_assumptions  # noqa: PLC0415
    file_name = Path(name).name
    try:
        plan = read_assumptions(name, loaded, options, scenario)
    except AssumptionsError as exc:
        show_problems(parent, file_name, exc)
        return None
    except WorkbenchError as exc:      # e.g. the active scenario itself no longer applies
        QMessageBox.warning(parent, f"{APP_NAME}: assumptions not imported", str(exc))
        return None
    if not ask_apply_assumptions(parent, plan, file_name):
        return None
    return plan.edits, f"Apply assumptions from {file_name} ({_plural(len(plan.changes), 'change')})"
