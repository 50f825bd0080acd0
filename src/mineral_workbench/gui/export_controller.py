"""The Export menu: dialog, then bundle (worker), figures (GUI thread), files (worker).

An export runs in three steps so the window never freezes: the `ExportBundle` and the memo
draft are computed on a worker; the memo's figures are drawn on the GUI thread (they are Qt
chart widgets), one per event-loop turn so Cancel and repaints stay live; the files are
written on a worker. Files are written beside their targets under hidden `.partial` names
and renamed into place only when every one of them is complete, so Cancel or a failure
leaves no partial file and replaces nothing. The analyst's memo edits are kept as a
JSON-able draft (`memo_drafts`) that the workspace saves.
"""

from __future__ import annotations

import copy
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ..core.errors import OperationCancelled, WorkbenchError
from ..core.export import export, make_bundle
from ..core.export.memo import build_memo, memo_from_json, memo_to_json
from .export_dialog import MEMO_FORMATS, ExportDialog, ExportRequest, refuse_source_overwrite
from .loader import TaskRunner
from .memo_editor import edit_memo
from .memo_figures import render_figure

log = logging.getLogger(__name__)
_STEPS = 1000
WEIGHTS = {"xlsx": 4.0, "docx": 1.0, "pdf": 1.0}   # relative writing time (sample: 2.2/0.4/0.2 s)


@dataclass(frozen=True)
class ExportInputs:
    """What the window hands over: the loaded data, its options, the active scenario."""
    loaded: object                     # core.analysis.LoadedData
    options: object                    # core.analysis.AnalysisOptions
    scenario: object | None = None     # core.scenario.Scenario
    files: tuple = ()                  # paths of the loaded sources (and workspace)
    reference: object | None = None    # core.reference.Reference (None: the bundled one)


@dataclass
class _Run:
    request: ExportRequest | None      # None: "Edit memo…" only
    inputs: ExportInputs
    bundle: object = None
    memo: object = None
    timings: dict = field(default_factory=dict)


def prepare(inputs: ExportInputs, request: ExportRequest | None, draft: dict | None, *,
            progress, cancel):
    """Worker: the bundle and (for a memo) the memo drafted over the analyst's saved draft."""
    progress(0.0, "Computing the export")
    scenario = inputs.scenario if request is None or request.include_scenario else None
    marking = request.marking if request else "UNCLASSIFIED"
    bundle = make_bundle(inputs.loaded, inputs.options, scenario, marking,
                         prepared_by=request.prepared_by if request else "",
                         reference=inputs.reference)
    if cancel():
        raise OperationCancelled("export cancelled")
    memo = None
    if request is None or any(f in MEMO_FORMATS for f in request.formats):
        memo = build_memo(bundle, previous=memo_from_json(draft) if draft else None)
        if request is not None:   # the dialog's marking and author win over the draft's
            memo.marking.banner, memo.marking.cui = request.marking, request.cui
            memo.prepared_by = request.prepared_by or memo.prepared_by
    return bundle, memo


def write_outputs(bundle, memo, targets, files, *, progress, cancel) -> list[Path]:
    """Worker: write every target as a hidden `.partial` file, then rename them all into place."""
    total = sum(WEIGHTS[fmt] for fmt, _ in targets) or 1.0
    done, staged = 0.0, []
    try:
        for fmt, target in targets:
            refuse_source_overwrite(target, bundle.loaded, files)
            partial = target.with_name(f".{target.name}.partial")
            start, share = done / total, WEIGHTS[fmt] / total
            staged.append((partial, target))   # removed below whatever the exporter leaves
            export(bundle, partial, fmt, {"memo": memo} if fmt in MEMO_FORMATS else None,
                   progress=lambda f, msg, s=start, w=share, n=target.name: progress(s + w * f,
                                                                                  f"{n}: {msg}"),
                   cancel=cancel)
            done += WEIGHTS[fmt]
        if cancel():
            raise OperationCancelled("export cancelled")
        for partial, target in staged:
            refuse_source_overwrite(target, bundle.loaded, files)   # nothing changed meanwhile
            if target.exists():
                os.chmod(partial, target.stat().st_mode & 0o777)
            os.replace(partial, target)
        return [target for _fmt, target in targets]
    finally:
        for partial, _target in staged:
            partial.unlink(missing_ok=True)


class ExportController(QObject):
    """Owns the Export menu's actions, the dialogs and one export at a time."""

    started = Signal()
    finished = Signal(list)    # the written paths
    failed = Signal(str)
    message = Signal(str)      # for the status bar

    def __init__(self, parent_window: QWidget, get_inputs: Callable[[], ExportInputs | None],
                 settings=None):
        super().__init__(parent_window)
        self._window, self._get_inputs, self._settings = parent_window, get_inputs, settings
        self.runner = TaskRunner(self, max_threads=1)
        self.runner.progress.connect(self._worker_progress)
        self.runner.finished.connect(self._step_done)
        self.runner.failed.connect(self._fail)
        self.runner.cancelled.connect(self.cancel)
        self._drafts: dict = {}
        self._run: _Run | None = None
        self._span = (0.0, 1.0)        # the part of the progress bar the current step fills
        self._step_name, self._step_began = "", 0.0
        self._remembered: dict = {}
        self.actions: dict = {}
        self.dialog: ExportDialog | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.done_box: QMessageBox | None = None
        self.open_folder_button = None
        self.last_timings: dict = {}

    # --- public API --------------------------------------------------------------------------
    @property
    def memo_drafts(self) -> dict:
        return copy.deepcopy(self._drafts)

    def set_memo_drafts(self, drafts: dict | None) -> None:
        self._drafts = copy.deepcopy(dict(drafts or {}))

    def is_busy(self) -> bool:
        return self._run is not None

    def open_export(self, formats=("xlsx", "docx", "pdf")) -> ExportDialog | None:
        """Show the export dialog (non-blocking); Export starts the run."""
        inputs = self._inputs()
        if inputs is None or self.is_busy():
            return None
        draft = self._drafts.get("memo") or {}
        marking = draft.get("marking", {}).get("banner") or self._remembered.get("marking", "UNCLASSIFIED")
        self.dialog = ExportDialog(
            formats, folder=self._default_folder(), loaded=inputs.loaded, files=inputs.files,
            scenario_name=getattr(inputs.scenario, "name", None), marking=marking,
            prepared_by=(draft.get("prepared_by") or self._remembered.get("prepared_by")
                         or self._setting("export/prepared_by") or ""),
            parent=self._window)
        self.dialog.accepted.connect(lambda d=self.dialog, i=inputs: self._begin(d.request(), i))
        self.dialog.finished.connect(self.dialog.deleteLater)
        self.dialog.open()
        return self.dialog

    def edit_memo_draft(self) -> bool:
        """Draft the memo for the current data (worker), then open the memo editor."""
        inputs = self._inputs()
        if inputs is None or self.is_busy():
            return False
        self._begin(None, inputs)
        return True

    def cancel(self) -> bool:
        """Stop the current export; the worker removes what it had written."""
        run, self._run = self._run, None
        if run is None:
            return False
        self.runner.cancel()
        self._close_progress()
        self._set_busy(False)
        self.message.emit("Export cancelled; no files were written" if run.request
                          else "Memo editing cancelled")
        return True

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        self.cancel()
        return self.runner.shutdown(timeout_ms)

    def open_folder(self, folder) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    # --- the run ---------------------------------------------------------------------------
    def _begin(self, request: ExportRequest | None, inputs: ExportInputs) -> None:
        if request is not None:
            self._remember(request)
        self._run = _Run(request, inputs)
        self._set_busy(True)
        self._show_progress("Preparing the export…" if request else "Drafting the memo…")
        self.started.emit()
        draft = self._drafts.get("memo")
        self._step((0.0, 0.1), "bundle",
                   lambda *, progress, cancel: prepare(inputs, request, draft, progress=progress,
                                                       cancel=cancel))

    def _step(self, span, name, fn) -> None:
        self._span, self._step_name, self._step_began = span, name, time.perf_counter()
        self.runner.start(fn)

    def _step_done(self, result) -> None:
        run = self._run
        if run is None:
            return
        run.timings[self._step_name] = time.perf_counter() - self._step_began
        if self._step_name == "bundle":
            run.bundle, run.memo = result
            self._prepared(run)
        else:
            self._finish(run, result)

    def _prepared(self, run: _Run) -> None:
        if run.request is None or run.request.edit_memo:
            if self.progress_dialog is not None:
                self.progress_dialog.hide()
            edited = edit_memo(run.memo, self._window)
            if self._run is not run:
                return
            if edited is None:
                self.cancel()
                return
            self._drafts["memo"] = memo_to_json(edited)
            run.memo = edited
            run.bundle.marking, run.bundle.prepared_by = edited.banner, edited.prepared_by
            if run.request is None:
                self._run = None
                self._close_progress()
                self._set_busy(False)
                self.message.emit("Memo draft saved; the next memo export uses it")
                return
            self.progress_dialog.show()
        run.timings["figures"] = 0.0
        self._draw_figures(run)

    def _draw_figures(self, run: _Run) -> None:
        """GUI thread, one figure per event-loop turn; then the files on a worker."""
        if self._run is not run:
            return
        todo = [f for f in (run.memo.figures if run.memo else []) if not f.png]
        if not todo:
            request, files = run.request, run.inputs.files
            self._step((0.3, 1.0), "files",
                       lambda *, progress, cancel: write_outputs(
                           run.bundle, run.memo, request.targets(), files, progress=progress,
                           cancel=cancel))
            return
        figure, count = todo[0], len(run.memo.figures)
        self._set_progress(0.1 + 0.2 * (count - len(todo)) / count,
                           f"Drawing figure {run.memo.figure_number(figure)} of {count}")
        began = time.perf_counter()
        try:
            figure.png = figure.render(figure) if figure.render else render_figure(figure, run.bundle)
        except Exception as exc:  # noqa: BLE001 - shown to the analyst, never a crash
            self._fail(exc)
            return
        run.timings["figures"] += time.perf_counter() - began
        QTimer.singleShot(0, lambda: self._draw_figures(run))

    def _finish(self, run: _Run, paths: list[Path]) -> None:
        self._run = None
        self.last_timings = dict(run.timings)
        log.info("exported %s (%s)", ", ".join(str(p) for p in paths),
                 ", ".join(f"{k} {v:.2f}s" for k, v in run.timings.items()))
        self._close_progress()
        self._set_busy(False)
        folder = run.request.folder
        text = f"Exported {len(paths)} file{'s' if len(paths) != 1 else ''} to {folder}"
        self.message.emit(text)
        self.finished.emit(list(paths))
        box = QMessageBox(QMessageBox.Icon.Information, "Export finished", text,
                          QMessageBox.StandardButton.Close, self._window)
        box.setInformativeText("\n".join(p.name for p in paths))
        button = box.addButton("&Open folder", QMessageBox.ButtonRole.ActionRole)
        box.buttonClicked.connect(lambda b: self.open_folder(folder) if b is button else None)
        box.finished.connect(box.deleteLater)
        self.done_box, self.open_folder_button = box, button
        box.open()

    def _fail(self, error) -> None:
        run, self._run = self._run, None
        if run is None:
            return
        self.runner.cancel()
        self._close_progress()
        self._set_busy(False)
        text = describe_error(error)
        log.warning("export failed: %s", text, exc_info=error if isinstance(error, Exception) else None)
        self.message.emit(f"Export failed: {text}")
        self.failed.emit(text)
        QMessageBox.warning(self._window, "Export failed",
                            f"{text}\n\nNo files were written." if run.request else text)

    # --- helpers ---------------------------------------------------------------------------
    def _inputs(self) -> ExportInputs | None:
        inputs = self._get_inputs()
        if inputs is None or getattr(inputs, "loaded", None) is None:
            QMessageBox.information(self._window, "Nothing to export",
                                    "Open trade data first; the export describes the loaded data.")
            return None
        return inputs

    def _show_progress(self, text: str) -> None:
        dialog = QProgressDialog(text, "Cancel", 0, _STEPS, self._window)
        dialog.setWindowTitle("Export")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        dialog.setValue(0)
        dialog.show()
        self.progress_dialog = dialog

    def _close_progress(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self.cancel)
            dialog.hide()
            dialog.deleteLater()

    def _worker_progress(self, fraction: float, text: str) -> None:
        start, end = self._span
        self._set_progress(start + (end - start) * fraction, text)

    def _set_progress(self, fraction: float, text: str) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setValue(round(min(max(fraction, 0.0), 1.0) * _STEPS))
            if text:
                self.progress_dialog.setLabelText(text)

    def _set_busy(self, busy: bool) -> None:
        for action in self.actions.values():
            action.setEnabled(not busy)

    def _default_folder(self) -> Path:
        for key in ("export/folder", "files/last_folder"):
            folder = self._remembered.get(key) or self._setting(key)
            if folder and Path(folder).is_dir():
                return Path(folder)
        docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(docs) if docs and Path(docs).is_dir() else Path.home()

    def _remember(self, request: ExportRequest) -> None:
        values = {"export/folder": str(request.folder), "prepared_by": request.prepared_by,
                  "marking": request.marking}
        self._remembered.update(values)
        if self._settings is not None:
            try:
                self._settings.set("export/folder", values["export/folder"])
                self._settings.set("export/prepared_by", request.prepared_by)
            except KeyError:   # keys not (yet) in settings.DEFAULTS: remember for this session
                pass

    def _setting(self, key: str):
        try:
            return self._settings.get(key) if self._settings is not None else None
        except KeyError:
            return None


def describe_error(error) -> str:
    if isinstance(error, WorkbenchError):
        return str(error)
    if isinstance(error, OSError):
        where = f": {error.filename}" if error.filename else ""
        return f"{error.strerror or error}{where}"
    return f"{type(error).__name__}: {error}"
