"""Workspaces through the real window: Save As from the File menu, reopen by File → Open,
the title's unsaved mark, and the unsaved-changes prompt before the work is replaced."""

import pandas as pd
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui_support import SAMPLE, WAIT_MS, load_and_wait, make_window  # noqa: F401
from mineral_workbench.core.resources import sample_workspace
from mineral_workbench.core.scenario import NirOverride
from mineral_workbench.core.whatif import load_presets


def test_save_as_then_open_restores_scenarios_and_numbers(qtbot, make_window, monkeypatch, tmp_path):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    store = window.scenarios.store
    ban = next(p for p in load_presets() if p.preset_id == "cn_ga_ge_sb_us_ban_2024")
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        store.add(ban)
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.scenarios.controller.set_nir("cobalt", "60")
    shown = window.current.result.minerals.copy()
    assert window.isWindowModified()
    target = tmp_path / "china-ban.mwb"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    with qtbot.waitSignal(window.workspace.controller.saved, timeout=WAIT_MS):
        window.workspace.save_as_action.trigger()
    assert target.is_file() and not window.isWindowModified()
    assert window.windowTitle().startswith("Mineral Exposure Workbench") and "china-ban.mwb" in window.windowTitle()

    again = make_window(open_report=True)
    with qtbot.waitSignal(again.analysis_shown, timeout=WAIT_MS):
        again.load([target])
    assert again.dialog("report") is None        # a workspace's import was reported when it was made
    assert again.scenarios.store.names() == [ban.name]
    assert again.scenarios.store.active().edits[-1] == NirOverride("cobalt", 60.0)
    assert again.scenarios.store.undo_stack.count() == 0 and not again.isWindowModified()
    qtbot.waitUntil(lambda: again.current.scenario is not None, timeout=WAIT_MS)
    pd.testing.assert_frame_equal(again.current.result.minerals, shown)


def test_the_prompt_guards_unsaved_work(qtbot, make_window, monkeypatch):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.scenarios.controller.set_nir("gallium", "50")
    window.ask_to_save = True
    asked = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel))
    window.close_all()
    assert asked and window.current is not None       # cancelled: nothing was closed
    window.ask_to_save = False


def test_the_bundled_sample_workspace_opens_with_the_presets(qtbot, make_window):
    window = make_window()
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.load([sample_workspace()])
    assert window.scenarios.store.names() == [p.name for p in load_presets()]
    assert window.workspace.controller.path is None       # a template: Save asks where
    assert not window.isWindowModified()
