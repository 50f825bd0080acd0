"""Workspaces in the window: Save/Save As/Open/Recent, the unsaved-changes prompt, autosave
to a recovery file and its restore after a crash — driven through the real session, store
and core on a window-less set-up (plain QWidget parent)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
from types import SimpleNamespace

import pandas as pd
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from mineral_workbench.core.analysis import load_sources
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.scenario import Scenario, SupplyCut, Tariff
from mineral_workbench.core.workspace import Workspace, load_workspace, save_workspace
from mineral_workbench.gui import recovery, workspace_controller
from mineral_workbench.gui.core_bridge import CoreBackend, options_with
from mineral_workbench.gui.scenario_controller import ScenarioController
from mineral_workbench.gui.session import AnalysisSession
from mineral_workbench.gui.settings import Settings
from mineral_workbench.gui.workspace_controller import WorkspaceController

WAIT_MS = 30_000
SAMPLE = sample_workbook()
GALLIUM = Scenario("Gallium 80", (SupplyCut("gallium", "CHN", 80),), description="test cut")
TARIFF = Scenario("Tariff", (Tariff("CHN", "*", 25),))
Button = QMessageBox.StandardButton


@pytest.fixture
def make(qtbot):
    """Window-less set-ups: session + scenario store + workspace controller on one QWidget."""
    made = []

    def build(autosave_ms: int = 600_000):
        parent = QWidget()
        qtbot.addWidget(parent)
        session = AnalysisSession(CoreBackend(), parent=parent)
        scenarios = ScenarioController(session, parent)
        extras = SimpleNamespace(memo={"subject": "Gallium exposure"}, view={"selected": ["gallium"]},
                                 restored=[])
        controller = WorkspaceController(
            parent, session, scenarios.store, Settings(), get_extra=lambda: (extras.memo, extras.view),
            set_extra=lambda memo, view: extras.restored.append((memo, view)), autosave_ms=autosave_ms)
        setup = SimpleNamespace(parent=parent, session=session, scenarios=scenarios,
                                store=scenarios.store, ctl=controller, extras=extras)
        made.append(setup)
        return setup

    yield build
    for setup in made:
        setup.ctl.shutdown()
        assert setup.session.shutdown(WAIT_MS)


@pytest.fixture
def trade_file(tmp_path):
    """The sample under another name: real data to save (the bundled sample is never 'unsaved')."""
    path = tmp_path / "sources" / "trade.xlsx"
    path.parent.mkdir()
    shutil.copy(SAMPLE, path)
    return path


@pytest.fixture
def answers(monkeypatch):
    """Scripted answers for the message boxes; every box shown is recorded."""
    shown = SimpleNamespace(questions=[], warnings=[], replies=[])

    def question(parent, title, text, *args):
        shown.questions.append(text)
        return shown.replies.pop(0)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda parent, title, text, *a: shown.warnings.append(text) or Button.Ok))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(
        lambda parent, title, text, *a: shown.warnings.append(text) or Button.Ok))
    return shown


def save_as_answer(monkeypatch, path) -> list:
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (asked.append(a) or str(path), workspace_controller.FILE_FILTER)))
    return asked


def load(qtbot, setup, files) -> None:
    with qtbot.waitSignal(setup.session.analysis_ready, timeout=WAIT_MS):
        setup.session.load(files)


def apply_scenarios(qtbot, setup, *scenarios) -> None:
    """Add scenarios (the last one shown) and wait for its result."""
    for scenario in scenarios:
        setup.store.add(scenario)
    with qtbot.waitSignal(setup.session.analysis_ready, timeout=WAIT_MS):
        setup.scenarios.flush()


def open_and_wait(qtbot, setup, path) -> None:
    with qtbot.waitSignal(setup.ctl.opened, timeout=WAIT_MS):
        setup.ctl.open_workspace(path)


def test_save_then_open_gives_identical_results(qtbot, make, trade_file, tmp_path, monkeypatch):
    first = make()
    load(qtbot, first, [trade_file])
    with qtbot.waitSignal(first.session.analysis_ready, timeout=WAIT_MS):
        first.session.set_options(options_with(first.session.options, years=(2021, 2024), group="nato"))
    apply_scenarios(qtbot, first, TARIFF, GALLIUM)
    assert first.ctl.is_modified() and first.ctl.display_name() == "Untitled"
    asked = save_as_answer(monkeypatch, tmp_path / "analysis")      # the suffix is added
    with qtbot.waitSignal(first.ctl.state_changed, timeout=WAIT_MS):
        assert first.ctl.save() is True                 # no path yet: Save is Save As
    target = tmp_path / "analysis.mwb"
    assert asked and first.ctl.path == target.resolve() and target.is_file()
    assert not first.ctl.is_modified() and first.store.undo_stack.isClean()
    assert first.ctl.display_name() == "analysis.mwb"
    assert first.ctl.settings.recent_files()[0] == str(target.resolve())

    second = make()
    open_and_wait(qtbot, second, target)
    shown, before = second.session.current, first.session.current
    assert not second.session.is_busy()             # adopted in time: no recompute with old options
    assert shown.options == before.options and second.session.options == before.options
    assert shown.scenario_name == "Gallium 80"
    pd.testing.assert_frame_equal(shown.result.minerals, before.result.minerals)
    pd.testing.assert_frame_equal(shown.baseline.minerals, before.baseline.minerals)
    pd.testing.assert_frame_equal(shown.scenario.deltas["minerals"], before.scenario.deltas["minerals"])
    assert second.store.scenarios() == [TARIFF, GALLIUM] and second.store.active_name == "Gallium 80"
    assert second.store.undo_stack.count() == 0 and second.store.undo_stack.isClean()
    assert second.extras.restored == [({"subject": "Gallium exposure"}, {"selected": ["gallium"]})]
    assert not second.ctl.is_modified() and second.ctl.path == target.resolve()
    assert shown.files == (target,)


def test_an_edit_marks_modified_and_the_prompt_saves_discards_or_cancels(qtbot, make, trade_file, tmp_path,
                                                                          monkeypatch, answers):
    setup = make()
    load(qtbot, setup, [trade_file])
    save_as_answer(monkeypatch, tmp_path / "ws.mwb")
    assert setup.ctl.save()
    assert setup.ctl.maybe_save() is True and answers.questions == []   # nothing unsaved: no prompt
    with qtbot.waitSignal(setup.ctl.state_changed, timeout=WAIT_MS):
        setup.store.add(GALLIUM)
    assert setup.ctl.is_modified()
    answers.replies = [Button.Cancel, Button.Discard, Button.Save]
    assert setup.ctl.maybe_save() is False and setup.ctl.is_modified()
    assert setup.ctl.maybe_save() is True and setup.ctl.is_modified()      # discard: closing may go on
    assert setup.ctl.maybe_save() is True and not setup.ctl.is_modified()  # saved to its own file
    assert "ws.mwb" in answers.questions[0]
    assert [s.name for s in load_workspace(tmp_path / "ws.mwb").scenarios] == ["Gallium 80"]
    setup.store.undo_stack.undo()                   # back before the save: unsaved again
    assert setup.ctl.is_modified()
    setup.store.undo_stack.redo()
    assert not setup.ctl.is_modified()


def test_the_startup_sample_is_nothing_to_save_but_other_data_is(qtbot, make, trade_file, answers):
    setup = make()
    assert not setup.ctl.is_modified()
    load(qtbot, setup, [SAMPLE])
    assert not setup.ctl.is_modified() and setup.ctl.maybe_save() and answers.questions == []
    load(qtbot, setup, [trade_file])                # files loaded count as unsaved work
    assert setup.ctl.is_modified()
    setup.session.clear()
    assert not setup.ctl.is_modified()


def test_autosave_writes_a_recovery_file_and_a_save_removes_it(qtbot, make, trade_file, tmp_path, monkeypatch):
    setup = make()
    folder = setup.ctl.settings.folder / "recovery"
    load(qtbot, setup, [trade_file])
    setup.store.add(GALLIUM, activate=False)
    assert not folder.exists()                      # nothing written before the timer fires
    with qtbot.waitSignal(setup.ctl.autosaved, timeout=WAIT_MS) as written:
        setup.ctl.autosaver.timer.setInterval(20)   # the 60 s timer, shortened
    assert setup.ctl.autosave() is False            # nothing changed since: nothing to write
    own = setup.ctl.recovery_files.session_id
    assert written.args[0] == folder / f"{own}.mwb"
    sidecar = json.loads((folder / f"{own}.json").read_text())
    assert sidecar["original"] is None and sidecar["pid"] == os.getpid()
    assert sidecar["display_name"] == "Untitled"
    recovered = load_workspace(folder / f"{own}.mwb")
    assert [s.name for s in recovered.scenarios] == ["Gallium 80"] and len(recovered.frame) > 0
    assert setup.ctl.pending_recoveries() == []     # this session is running: never offered
    save_as_answer(monkeypatch, tmp_path / "kept.mwb")
    assert setup.ctl.save()
    assert not (folder / f"{own}.mwb").exists() and not (folder / f"{own}.json").exists()
    setup.ctl.shutdown()                           # clean close: the lock goes too
    assert not list(folder.glob(f"{own}*"))


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _leave_recovery(folder, session_id: str, original, pid: int) -> None:
    """What a crashed session leaves: its recovery workspace and sidecar (no lock held)."""
    folder.mkdir(parents=True, exist_ok=True)
    ws = Workspace.from_loaded(load_sources([SAMPLE]), scenarios=[GALLIUM, TARIFF])
    ws.active_scenario = "Tariff"
    save_workspace(ws, folder / f"{session_id}.mwb")
    (folder / f"{session_id}.json").write_text(json.dumps({
        "session": session_id, "pid": pid, "original": None if original is None else str(original),
        "display_name": "project.mwb" if original else "Untitled", "saved_at": "2025-06-01T10:00:00+00:00"}))
    (folder / f"{session_id}.lock").write_text("")  # the lock file stays; its lock died with the process


def test_a_dead_sessions_recovery_is_offered_and_restored_unsaved(qtbot, make, tmp_path, monkeypatch, answers):
    original = tmp_path / "project.mwb"
    setup = make()
    folder = setup.ctl.settings.folder / "recovery"
    _leave_recovery(folder, "4242-deadbeef", original, _dead_pid())
    pending = setup.ctl.pending_recoveries()
    assert [(e.session_id, e.original, e.display_name) for e in pending] == [
        ("4242-deadbeef", original, "project.mwb")]
    asked = []
    monkeypatch.setattr(recovery, "ask_recovery", lambda parent, entry: asked.append(entry) or recovery.RESTORE)
    with qtbot.waitSignal(setup.ctl.opened, timeout=WAIT_MS):
        assert setup.ctl.offer_recovery() == pending[0]
    assert asked == pending
    assert setup.store.names() == ["Gallium 80", "Tariff"] and setup.store.active_name == "Tariff"
    assert setup.session.current.scenario_name == "Tariff"
    assert setup.ctl.path == original and setup.ctl.display_name() == "project.mwb"
    assert setup.ctl.is_modified()                  # restored work is unsaved until saved
    assert not (folder / "4242-deadbeef.mwb").exists() and not (folder / "4242-deadbeef.lock").exists()
    assert setup.ctl.recovery_files.exists()        # adopted: still safe if this session dies too
    assert setup.ctl.pending_recoveries() == []
    answers.replies = [Button.Save]
    assert setup.ctl.maybe_save() and original.is_file() and not setup.ctl.is_modified()
    assert load_workspace(original).active_scenario == "Tariff"


def test_discard_and_later(qtbot, make, monkeypatch):
    setup = make()
    folder = setup.ctl.settings.folder / "recovery"
    _leave_recovery(folder, "1-aaaa", None, _dead_pid())
    monkeypatch.setattr(recovery, "ask_recovery", lambda parent, entry: recovery.LATER)
    assert setup.ctl.offer_recovery() is None and len(setup.ctl.pending_recoveries()) == 1
    monkeypatch.setattr(recovery, "ask_recovery", lambda parent, entry: recovery.DISCARD)
    assert setup.ctl.offer_recovery() is None and setup.ctl.pending_recoveries() == []
    assert not list(folder.glob("1-aaaa*"))


_HOLD = """
import shutil, sys
from pathlib import Path
from mineral_workbench.gui.recovery import RecoveryFiles
files = RecoveryFiles(Path(sys.argv[1]), "777-cafe")
files.claim()
shutil.copy(sys.argv[2], files.workspace_path)
print("ready", flush=True)
sys.stdin.read()
"""


def test_only_sessions_that_ended_are_offered(qtbot, make, tmp_path):
    """A session holding its lock (another process, or another window here) is running; once
    the process is killed its recovery file is offered."""
    setup = make()
    folder = setup.ctl.settings.folder / "recovery"
    template = tmp_path / "template.mwb"
    save_workspace(Workspace.from_loaded(load_sources([SAMPLE])), template)
    child = subprocess.Popen([sys.executable, "-c", _HOLD, str(folder), str(template)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        assert setup.ctl.pending_recoveries() == []
        other = recovery.RecoveryFiles(folder)      # a second window of this process
        other.claim()
        shutil.copy(template, other.workspace_path)
        assert setup.ctl.pending_recoveries() == []
        other.release()
        child.kill()
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert [e.session_id for e in setup.ctl.pending_recoveries()] == ["777-cafe"]


def test_a_workspace_whose_sources_moved_still_opens(qtbot, make, trade_file, tmp_path, monkeypatch):
    first = make()
    load(qtbot, first, [trade_file])
    save_as_answer(monkeypatch, tmp_path / "project" / "ws.mwb")
    (tmp_path / "project").mkdir()
    assert first.ctl.save()
    shutil.rmtree(trade_file.parent)
    moved = tmp_path / "elsewhere" / "ws.mwb"
    moved.parent.mkdir()
    shutil.move(tmp_path / "project" / "ws.mwb", moved)
    second = make()
    open_and_wait(qtbot, second, moved)
    pd.testing.assert_frame_equal(second.session.current.result.minerals, first.session.current.result.minerals)
    assert second.ctl.path == moved.resolve() and not second.ctl.is_modified()


def test_a_damaged_workspace_changes_nothing(qtbot, make, trade_file, tmp_path):
    setup = make()
    load(qtbot, setup, [trade_file])
    setup.store.add(GALLIUM)
    before = setup.session.current
    damaged = tmp_path / "damaged.mwb"
    damaged.write_bytes(b"not a zip")
    with qtbot.waitSignal(setup.session.failed, timeout=WAIT_MS) as failure:
        setup.ctl.open_workspace(damaged)
    assert "not a workbench workspace" in str(failure.args[0])
    assert setup.session.current is before and setup.store.names() == ["Gallium 80"]
    assert setup.ctl.path is None and setup.ctl.is_modified()


def test_a_failing_save_is_reported_and_keeps_the_work_unsaved(qtbot, make, trade_file, tmp_path, monkeypatch,
                                                               answers):
    setup = make()
    load(qtbot, setup, [trade_file])
    setup.store.add(GALLIUM)

    def disk_full(workspace, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    real_save = workspace_controller.save_workspace
    monkeypatch.setattr(workspace_controller, "save_workspace", disk_full)
    save_as_answer(monkeypatch, tmp_path / "full.mwb")
    with qtbot.waitSignal(setup.ctl.save_failed, timeout=WAIT_MS) as failed:
        assert setup.ctl.save() is False
    assert "No space left on device" in failed.args[0] and answers.warnings == [failed.args[0]]
    assert setup.ctl.is_modified() and setup.ctl.path is None and not setup.store.undo_stack.isClean()
    monkeypatch.setattr(workspace_controller, "save_workspace", real_save)
    save_as_answer(monkeypatch, tmp_path / "gone" / "ws.mwb")          # the folder vanished
    assert setup.ctl.save() is False and "gone" in answers.warnings[-1]
    assert setup.ctl.is_modified() and not list(tmp_path.glob("**/*.mwb"))


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="needs a folder this user cannot write")
def test_a_read_only_folder_is_reported(qtbot, make, trade_file, tmp_path, monkeypatch, answers):
    setup = make()
    load(qtbot, setup, [trade_file])
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        save_as_answer(monkeypatch, locked / "ws.mwb")
        assert setup.ctl.save() is False
    finally:
        locked.chmod(0o755)
    assert "Permission denied" in answers.warnings[0] and setup.ctl.is_modified()


def test_edits_made_while_saving_are_not_marked_saved(qtbot, make, trade_file, tmp_path, monkeypatch):
    """The save writes what was captured when it started; an edit made meanwhile stays unsaved."""
    setup = make()
    load(qtbot, setup, [trade_file])
    setup.store.add(GALLIUM)
    writing, release = threading.Event(), threading.Event()
    real_save = workspace_controller.save_workspace

    def gated(workspace, path):
        writing.set()
        assert release.wait(WAIT_MS)
        return real_save(workspace, path)

    def edit_while_writing():
        assert writing.wait(WAIT_MS)
        setup.store.add(TARIFF)
        release.set()

    monkeypatch.setattr(workspace_controller, "save_workspace", gated)
    save_as_answer(monkeypatch, tmp_path / "ws.mwb")
    QTimer.singleShot(0, edit_while_writing)         # runs inside the save's event loop
    assert setup.ctl.save() is True
    assert [s.name for s in load_workspace(tmp_path / "ws.mwb").scenarios] == ["Gallium 80"]
    assert setup.store.names() == ["Gallium 80", "Tariff"] and setup.ctl.is_modified()


def test_memo_drafts_changed_elsewhere_count_and_new_forgets_the_file(qtbot, make, trade_file, tmp_path,
                                                                    monkeypatch):
    setup = make()
    load(qtbot, setup, [trade_file])
    setup.store.add(GALLIUM)
    save_as_answer(monkeypatch, tmp_path / "ws.mwb")
    with qtbot.waitSignal(setup.ctl.recent_changed, timeout=WAIT_MS) as recent:
        assert setup.ctl.save()
    assert recent.args[0][0] == str((tmp_path / "ws.mwb").resolve())
    setup.extras.memo = {"subject": "Edited in the memo editor"}
    with qtbot.waitSignal(setup.ctl.state_changed, timeout=WAIT_MS):
        setup.ctl.mark_modified()                   # the window calls this when a draft changes
    assert setup.ctl.is_modified() and setup.ctl.save() and not setup.ctl.is_modified()
    assert load_workspace(tmp_path / "ws.mwb").memo_drafts == {"subject": "Edited in the memo editor"}
    setup.ctl.new_workspace()
    assert setup.ctl.path is None and setup.store.names() == [] and setup.ctl.display_name() == "Untitled"
