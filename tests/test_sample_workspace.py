"""The bundled sample workspace: the sample workbook's baseline plus the five presets, opened
as a template in the window, and reproducible from its generator."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from PySide6.QtWidgets import QWidget

from script_support import load_script
from mineral_workbench.core.analysis import AnalysisOptions, compute, load_sources
from mineral_workbench.core.resources import data_dir, sample_workbook
from mineral_workbench.core.whatif import load_presets
from mineral_workbench.core.workspace import load_workspace
from mineral_workbench.gui.core_bridge import CoreBackend, default_options
from mineral_workbench.gui.scenario_controller import ScenarioController
from mineral_workbench.gui.session import AnalysisSession
from mineral_workbench.gui.settings import Settings
from mineral_workbench.gui.workspace_controller import WorkspaceController, bundled_sample_workspace

SCRIPT = Path(__file__).resolve().parents[1] / "sample_data" / "make_sample_workspace.py"
VOLATILE = ("saved_at", "saved_with")   # when and by which version: not content


@pytest.fixture(scope="module")
def generator():
    return load_script(SCRIPT)


def test_it_is_bundled_beside_the_workbook_and_small():
    path = bundled_sample_workspace()
    assert path == data_dir("sample_data") / "sample_workspace.mwb" and path.is_file()
    assert path.stat().st_size < 400_000
    document = json.loads(zipfile.ZipFile(path).read("workspace.json"))
    assert [s["path"] for s in document["sources"]] == [sample_workbook().name]   # no checkout path
    assert "/" not in document["sources"][0]["report"]["file"]


def test_it_opens_with_the_five_presets_and_the_workbooks_baseline():
    workspace = load_workspace(bundled_sample_workspace())
    assert workspace.scenarios == load_presets() and len(workspace.scenarios) == 5
    assert workspace.active_scenario is None and workspace.options == default_options()
    assert workspace.reference_root is None     # its reference is the bundled one
    assert workspace.source_paths == {workspace.reports[0].sha256: str(sample_workbook().resolve())}
    direct = load_sources([sample_workbook()])
    pd.testing.assert_frame_equal(workspace.frame, direct.frame)
    expected = compute(direct, AnalysisOptions())
    got = compute(workspace.to_loaded(), workspace.options)
    for table in ("minerals", "sectors", "defense"):
        pd.testing.assert_frame_equal(getattr(got, table), getattr(expected, table))
    assert dict(got.suppliers) == dict(expected.suppliers)


def test_the_generator_reproduces_it(generator, tmp_path):
    first = generator.build(tmp_path / "a.mwb")
    second = generator.build(tmp_path / "b.mwb")
    assert first.read_bytes() == second.read_bytes()          # a rerun gives the same bytes
    assert _content(first) == _content(bundled_sample_workspace()), (
        "sample_data/sample_workspace.mwb is stale: run python sample_data/make_sample_workspace.py")


def _content(path: Path) -> dict:
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    document = json.loads(members.pop("workspace.json"))
    frame = pq.read_table(io.BytesIO(members.pop("data/trade.parquet"))).to_pandas()
    return {"document": {k: v for k, v in document.items() if k not in VOLATILE},
            "rows": frame.to_dict("list"), "others": members}


def test_the_window_opens_it_as_an_untitled_template(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    session = AnalysisSession(CoreBackend(), parent=parent)
    scenarios = ScenarioController(session, parent)
    controller = WorkspaceController(parent, session, scenarios.store, Settings())
    try:
        with qtbot.waitSignal(controller.opened, timeout=30_000):
            controller.open_workspace(bundled_sample_workspace())
        assert scenarios.store.names() == [p.name for p in load_presets()]
        assert controller.path is None and controller.display_name() == "Untitled"   # Save asks where
        assert not controller.is_modified() and controller.settings.recent_files() == []
        assert session.current.files == (sample_workbook(),)    # shown as the sample: never 'recent'
        baseline = compute(load_sources([sample_workbook()]), default_options())
        pd.testing.assert_frame_equal(session.current.result.minerals, baseline.minerals)
    finally:
        controller.shutdown()
        assert session.shutdown(30_000)
