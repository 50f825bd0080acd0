"""Saving a workspace without freezing the window or racing the analyst's edits.

`capture_workspace` takes what a `.mwb` holds on the GUI thread as values nobody changes
afterwards: the loaded frame (a pandas copy-on-write view), copies of the reports, memo
drafts and view state, the store's frozen scenarios, the frozen options. The worker then
writes that, so an edit made while a million rows are written cannot tear the file.
`run_and_wait` runs a task on a TaskRunner and pumps a local event loop until it ends,
behind a window-modal progress dialog that appears only if the wait is noticeable.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QProgressDialog

from mineral_workbench import APP_NAME
from mineral_workbench.core.errors import OperationCancelled
from mineral_workbench.core.workspace import Workspace

PROGRESS_DELAY_MS = 300          # quick saves end before any dialog shows


@dataclass(frozen=True)
class Capture:
    """What a save captured, to tell afterwards whether anything changed meanwhile."""
    loaded: object
    options: object
    scenarios: tuple
    active: str | None
    revision: int


def capture_workspace(session, store, kept: Workspace | None, kept_loaded, extra, revision: int
                      ) -> tuple[Workspace, Capture] | None:
    """The workspace to write, or None when nothing is loaded. `kept` is the workspace last
    opened or saved; what it carries beyond the analysis (reference edition, mapping edits,
    source paths resolved beside it) is kept while the data shown is still `kept_loaded`.
    `extra` is (memo_drafts, view_state) from the window, or None to keep `kept`'s."""
    current = session.current
    if current is None:
        return None
    loaded = current.loaded
    same = kept is not None and loaded is kept_loaded
    if extra is None:
        extra = (kept.memo_drafts, kept.view_state) if kept is not None else ({}, {})
    memo, view = extra
    reports = copy.deepcopy(list(loaded.reports))
    sources = {r.sha256: str(r.file) for r in reports}
    if same:   # paths the workspace resolved beside itself win over stale absolute ones
        sources.update({k: v for k, v in kept.source_paths.items() if k in sources})
    scenarios, active, options = tuple(store.scenarios()), store.active_name, session.options
    workspace = Workspace(
        frame=loaded.frame.copy(deep=False), reports=reports, options=options,
        priority=list(loaded.priority), scenarios=list(scenarios), active_scenario=active,
        memo_drafts=copy.deepcopy(memo or {}), view_state=copy.deepcopy(view or {}),
        mapping_edits=copy.deepcopy(kept.mapping_edits) if same else {}, source_paths=sources,
        reference_root=kept.reference_root if same else None,
        _reference_dir=kept._reference_dir if same else None)   # keeps an extracted edition alive
    return workspace, Capture(loaded, options, scenarios, active, revision)


def without_rows(workspace: Workspace) -> Workspace:
    """`workspace` minus its rows, to remember after opening or saving without holding them."""
    return replace(workspace, frame=pd.DataFrame(), reports=[])


def run_and_wait(runner, task, label: str, parent) -> tuple[bool, object]:
    """(True, result) or (False, exception) of `task` run on `runner`, the events pumping."""
    loop, outcome = QEventLoop(), {}

    def end(key, value) -> None:
        outcome.setdefault(key, value)
        loop.quit()

    handlers = {"finished": lambda result: end("ok", result),
                "failed": lambda error: end("error", error),
                "cancelled": lambda: end("error", OperationCancelled("cancelled"))}
    for name, handler in handlers.items():
        getattr(runner, name).connect(handler)
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setCancelButton(None)       # an atomic write cannot be stopped halfway, nor needs to be
    dialog.setWindowTitle(APP_NAME)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
    try:
        runner.start(task)
        if not outcome:
            loop.exec()
    finally:
        for name, handler in handlers.items():
            getattr(runner, name).disconnect(handler)
        dialog.reset()
        dialog.deleteLater()
    return ("ok" in outcome), outcome.get("ok", outcome.get("error"))


def save_error_text(path: Path, error) -> str:
    """A sentence the analyst can act on (disk full, no permission, ...)."""
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
    else:
        reason = f"{type(error).__name__}: {error}"
    return (f"Could not save {path.name} in {path.parent}: {reason}.\n\nNothing was lost: your "
            "work is still open and unsaved. Free some space, or choose another folder with "
            "Save As….")
