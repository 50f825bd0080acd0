"""Workspace files: identical reopen, atomic saves, moved sources, frozen reference, damage."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pandas as pd
import pytest

from mineral_workbench.core.analysis import AnalysisOptions, compute, load_sources
from mineral_workbench.core.errors import InputError
from mineral_workbench.core.reference import default_root, load_reference
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.scenario import Scenario, SupplyCut
from mineral_workbench.core.whatif import compute_scenario
from mineral_workbench.core.workspace import (MIGRATIONS, SCHEMA_VERSION, Workspace, load_inputs,
                                              load_workspace, save_workspace)


@pytest.fixture(scope="module")
def loaded():
    return load_sources([sample_workbook()])


@pytest.fixture
def workspace(loaded):
    scenario = Scenario("Gallium 80", (SupplyCut("gallium", "CHN", 80),))
    ws = Workspace.from_loaded(loaded, AnalysisOptions(years=(2021, 2024), group="nato"), [scenario])
    ws.memo_drafts = {"subject": "Gallium exposure"}
    ws.view_state = {"selected": ["gallium"]}
    return ws


def test_save_then_open_gives_identical_results(workspace, loaded, tmp_path):
    path = save_workspace(workspace, tmp_path / "analysis.mwb")
    opened = load_workspace(path)
    assert opened.options == workspace.options
    assert opened.memo_drafts == {"subject": "Gallium exposure"} and opened.view_state["selected"] == ["gallium"]
    assert [s.name for s in opened.scenarios] == ["Gallium 80"] and opened.scenarios[0] == workspace.scenarios[0]
    assert opened.reference_root is None            # same reference as bundled: nothing extracted
    pd.testing.assert_frame_equal(opened.frame, loaded.frame)
    before = compute(loaded, workspace.options).minerals
    after = compute(opened.to_loaded(), opened.options).minerals
    pd.testing.assert_frame_equal(before, after)
    a = compute_scenario(loaded, workspace.options, workspace.scenarios[0]).deltas["minerals"]
    b = compute_scenario(opened.to_loaded(), opened.options, opened.scenarios[0]).deltas["minerals"]
    pd.testing.assert_frame_equal(a, b)
    assert opened.reports[0].checksum.ok and opened.reports[0].sha256 == loaded.reports[0].sha256


def test_opens_when_the_source_files_have_moved(tmp_path):
    source = tmp_path / "trade.xlsx"
    shutil.copy(sample_workbook(), source)
    ws = Workspace.from_loaded(load_sources([source]))
    path = save_workspace(ws, tmp_path / "ws.mwb")
    source.unlink()
    moved = tmp_path / "elsewhere"
    moved.mkdir()
    shutil.move(path, moved / "ws.mwb")
    opened = load_workspace(moved / "ws.mwb")
    assert opened.to_loaded().cube.values.sum() > 0
    assert json.loads(zipfile.ZipFile(moved / "ws.mwb").read("workspace.json"))["sources"][0]["path"] == "trade.xlsx"


def test_reference_in_use_is_kept_after_the_bundled_one_changes(loaded, tmp_path):
    edited = tmp_path / "reference"
    shutil.copytree(default_root(), edited)
    for p in edited.iterdir():
        p.chmod(0o644)
    nir = (edited / "net_import_reliance.csv").read_text().replace("nickel,48,", "nickel,61,", 1)
    (edited / "net_import_reliance.csv").write_text(nir)
    ws = Workspace.from_loaded(loaded)
    ws.reference_root = edited
    path = save_workspace(ws, tmp_path / "old_edition.mwb")
    opened = load_workspace(path)
    assert opened.reference_root is not None
    result = compute(opened.to_loaded(), AnalysisOptions(), opened.reference())
    assert result.minerals.loc["nickel", "nir_pct"] == 61     # the workspace's edition, not the bundled 48
    assert load_reference().nir_for(2024).loc["nickel", "pct"] == 48


def test_cli_analyze_accepts_a_workspace_and_its_scenarios(workspace, tmp_path):
    path = save_workspace(workspace, tmp_path / "ws.mwb")
    proc = subprocess.run([sys.executable, "-m", "mineral_workbench", "analyze", str(path),
                           "--scenario", "Gallium 80", "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["inputs"]["years"] == [2021, 2024] and data["inputs"]["group"]["id"] == "nato"
    assert data["deltas"]["minerals"]["gallium"]["changed"]
    loaded, ws, _ = load_inputs([path])
    assert ws is not None and ws.scenarios[0].name == "Gallium 80"


_SLOW_SAVE = """
import sys, time, zipfile
from mineral_workbench.core.workspace import load_workspace, save_workspace
ws = load_workspace(sys.argv[1])
original = zipfile.ZipFile.write
def slow(self, *args, **kwargs):
    print("writing", flush=True)
    time.sleep(0.5)
    return original(self, *args, **kwargs)
zipfile.ZipFile.write = slow
ws.memo_drafts = {"subject": "never saved"}
save_workspace(ws, sys.argv[1])
"""


def test_a_save_killed_midway_leaves_the_previous_workspace_intact(workspace, tmp_path):
    path = save_workspace(workspace, tmp_path / "ws.mwb")
    before = path.read_bytes()
    child = subprocess.Popen([sys.executable, "-c", _SLOW_SAVE, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "writing"    # the temp file is being written
        assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert path.read_bytes() == before
    assert load_workspace(path).memo_drafts == {"subject": "Gallium exposure"}


@pytest.mark.parametrize("damage,message", [
    (lambda p: p.write_bytes(b"not a zip at all"), "not a workbench workspace"),
    (lambda p: p.write_bytes(p.read_bytes()[:2000]), "not a workbench workspace"),
    (lambda p: _rewrite_json(p, lambda d: {**d, "schema_version": SCHEMA_VERSION + 1}), "newer workbench"),
    (lambda p: _rewrite_json(p, lambda d: {**d, "sources": [{"report": {"nonsense": 1}}]}), "damaged"),
])
def test_damaged_or_foreign_files_are_refused_clearly(workspace, tmp_path, damage, message):
    path = save_workspace(workspace, tmp_path / "ws.mwb")
    damage(path)
    with pytest.raises(InputError, match=message):
        load_workspace(path)


def test_migration_hook_upgrades_old_documents(workspace, tmp_path, monkeypatch):
    path = save_workspace(workspace, tmp_path / "ws.mwb")
    _rewrite_json(path, lambda d: {**d, "schema_version": 0, "memo": d.pop("memo_drafts")})
    monkeypatch.setitem(MIGRATIONS, 0, lambda d: {**d, "schema_version": 1, "memo_drafts": d.pop("memo")})
    assert load_workspace(path).memo_drafts == {"subject": "Gallium exposure"}


def _rewrite_json(path, change):
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members["workspace.json"] = json.dumps(change(json.loads(members["workspace.json"]))).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
