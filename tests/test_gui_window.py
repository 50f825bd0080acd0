"""The main window, its background loader and the offscreen screenshot mode, driven for real."""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QHeaderView, QMessageBox

from mineral_workbench.core.errors import InputError, OperationCancelled
from mineral_workbench.gui import core_bridge
from mineral_workbench.gui.launch import run_gui
from mineral_workbench.gui.loader import TaskRunner
from mineral_workbench.gui.main_window import MainWindow
from mineral_workbench.gui.status import summary_text, window_title

NAN = float("nan")
WAIT_MS = 10_000


def fake_result(minerals=("gallium", "germanium", "cobalt"), shares=(0.632, 0.5, NAN)) -> SimpleNamespace:
    n = len(minerals)
    return SimpleNamespace(
        minerals=pd.DataFrame({
            "import_value_usd": [1_234_567.0, 12_345.0, 2.5e9][:n],
            "hhi": [4531.6, 10000.0, NAN][:n],
            "top_supplier": ["China", "Belgium", "Norway"][:n],
            "top_supplier_share": [0.632, 0.9, 0.25][:n],
            "group_share": list(shares),
            "nir_pct": [100.0, 50.0, 76.0][:n],
            "nir_qualifier": ["=", ">", "="][:n],
            "nir_edition": ["MCS 2025"] * n,
            "car": [0.632, 0.25, NAN][:n],
            "world_hhi": [9604.0, 6000.0, NAN][:n],
            "group_world_share": [0.98, 0.6, NAN][:n],
            "flags": ["", "NIR lower bound", ""][:n],
        }, index=pd.Index(list(minerals), name="mineral")),
        sectors=pd.DataFrame({"sector_id": ["S01", "S07"], "sector": ["Chemical", "Energy"],
                              "weakest_link": [0.316, 0.632], "weighted_mean": [0.2, 0.41],
                              "driving_mineral": ["gallium", "gallium"]}),
        defense=pd.DataFrame({"category": ["Munitions & missiles"], "weakest_link": [0.632],
                              "weighted_mean": [0.5], "driving_mineral": ["gallium"]}),
        inputs={"years": [2020, 2024], "group": {"id": "foreign_adversaries",
                                                 "title": "Foreign adversaries (15 CFR 791.4)"}},
    )


class FakeCore:
    """Stands in for `analyze_files`: records calls, reports progress, honours cancel.

    With `gate`, it reports progress and then waits (checking cancel) until the gate opens,
    so a test can look at the window mid-load or cancel it.
    """

    def __init__(self, result=None, *, error: Exception | None = None, gated: bool = False):
        self.result = result if result is not None else fake_result()
        self.error = error
        self.gate = threading.Event() if gated else None
        self.waiting = threading.Event()
        self.saw_cancel = threading.Event()
        self.ended = threading.Event()
        self.calls: list[list[Path]] = []

    def __call__(self, paths, options, *, progress=None, cancel=None):
        self.calls.append(list(paths))
        try:
            progress(0.25, f"Reading {Path(paths[0]).name}")
            if self.gate is not None:
                self.waiting.set()
                while not self.gate.wait(0.005):
                    if cancel():
                        self.saw_cancel.set()
                        raise OperationCancelled("cancelled")
            if self.error is not None:
                raise self.error
            progress(1.0, "done")
            return self.result, ["report"]
        finally:
            self.ended.set()


@pytest.fixture
def window_for(qtbot):
    """Build a shown MainWindow around a fake core; windows are shut down after the test."""
    made = []

    def make(core) -> MainWindow:
        window = MainWindow(analyze=core)
        qtbot.addWidget(window)
        window.resize(1200, 700)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        assert window.runner.shutdown(WAIT_MS)


def load_and_wait(qtbot, window: MainWindow, files) -> None:
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.load(files)


def minerals_shown(window: MainWindow) -> list[str]:
    model = window.results.panels["minerals"].model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


@pytest.fixture
def dialogs(monkeypatch) -> list[tuple[str, str, str]]:
    """Record QMessageBox calls instead of blocking on a modal dialog."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda parent, title, text, *a, kind=kind, **k: shown.append((kind, title, text))))
    return shown


# --- loading -------------------------------------------------------------------------------

def test_load_shows_results_title_and_status(qtbot, window_for):
    core = FakeCore()
    window = window_for(core)
    load_and_wait(qtbot, window, ["a.xlsx", "b.csv"])
    assert core.calls == [[Path("a.xlsx"), Path("b.csv")]]
    assert minerals_shown(window) == ["gallium", "germanium", "cobalt"]
    assert window.windowTitle() == "Mineral Exposure Workbench — a.xlsx, b.csv"
    assert window.summary_label.text() == \
        "3 minerals · 2 files · years 2020–2024 · group: foreign adversaries"
    assert "15 CFR 791.4" in window.summary_label.toolTip()
    assert window.current.reports == ["report"]
    assert not window.progress.isVisible()
    assert window.window_actions.reload.isEnabled()


def test_tables_show_formatted_numbers(qtbot, window_for):
    window = window_for(FakeCore())
    load_and_wait(qtbot, window, ["a.xlsx"])
    model = window.results.panels["minerals"].model
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row == ["gallium", "$1.2 M", "4,532", "China", "63.2%", "63.2%", "100%", "=", "MCS 2025",
                   "63.2%", "9,604", "98.0%", ""]
    assert model.index(2, model.column_of("group_share")).data() == "n/a"
    sectors = window.results.panels["sectors"].model
    assert [sectors.index(1, c).data() for c in range(sectors.columnCount())] == \
        ["S07", "Energy", "63.2%", "41.0%", "gallium"]


def test_progress_and_cancel_button_show_while_loading(qtbot, window_for):
    core = FakeCore(gated=True)
    window = window_for(core)
    window.load(["slow.xlsx"])
    qtbot.waitUntil(lambda: window.progress.message_label.text() == "Reading slow.xlsx", timeout=WAIT_MS)
    assert window.progress.isVisible() and window.progress.cancel_button.isVisible()
    assert window.progress.bar.value() == 250
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        core.gate.set()
    assert not window.progress.isVisible()


def test_cancel_stops_the_job_and_keeps_previous_results(qtbot, window_for):
    first = FakeCore()
    window = window_for(first)
    load_and_wait(qtbot, window, ["good.xlsx"])
    before = window.current

    slow = FakeCore(fake_result(minerals=("nickel",), shares=(0.1,)), gated=True)
    window._analyze = slow
    window.load(["slow.xlsx"])
    qtbot.waitUntil(slow.waiting.is_set, timeout=WAIT_MS)
    with qtbot.waitSignal(window.runner.cancelled, timeout=WAIT_MS):
        qtbot.mouseClick(window.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(slow.ended.is_set, timeout=WAIT_MS)
    assert slow.saw_cancel.is_set()
    assert window.current is before
    assert minerals_shown(window) == ["gallium", "germanium", "cobalt"]
    assert window.windowTitle().endswith("good.xlsx")
    assert not window.progress.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()


def test_a_new_load_cancels_the_old_one(qtbot, window_for):
    slow = FakeCore(fake_result(minerals=("nickel",), shares=(0.1,)), gated=True)
    window = window_for(slow)
    window.load(["slow.xlsx"])
    qtbot.waitUntil(slow.waiting.is_set, timeout=WAIT_MS)
    window._analyze = FakeCore()
    load_and_wait(qtbot, window, ["fast.xlsx"])
    qtbot.waitUntil(slow.ended.is_set, timeout=WAIT_MS)
    assert slow.saw_cancel.is_set()
    assert window.current.files == (Path("fast.xlsx"),)
    assert minerals_shown(window) == ["gallium", "germanium", "cobalt"]


def test_input_error_shows_a_dialog_and_the_window_keeps_working(qtbot, window_for, dialogs):
    window = window_for(FakeCore())
    load_and_wait(qtbot, window, ["good.xlsx"])
    before = window.current

    window._analyze = FakeCore(error=InputError("bad.xlsx", "no header row found", sheet="Data", row=3))
    with qtbot.waitSignal(window.load_failed, timeout=WAIT_MS):
        window.load(["bad.xlsx"])
    assert len(dialogs) == 1
    kind, title, text = dialogs[0]
    assert kind == "warning"
    assert text.startswith("bad.xlsx: sheet 'Data', row 3: no header row found")
    assert window.current is before
    assert minerals_shown(window) == ["gallium", "germanium", "cobalt"]
    assert not window.progress.isVisible()

    window._analyze = FakeCore(fake_result(minerals=("nickel",), shares=(0.1,)))
    load_and_wait(qtbot, window, ["fixed.xlsx"])
    assert minerals_shown(window) == ["nickel"]
    assert len(dialogs) == 1


def test_unexpected_error_shows_a_critical_dialog(qtbot, window_for, dialogs):
    window = window_for(FakeCore(error=RuntimeError("boom")))
    with qtbot.waitSignal(window.load_failed, timeout=WAIT_MS):
        window.load(["x.xlsx"])
    assert [(kind, text.splitlines()[0]) for kind, _, text in dialogs] == [("critical", "RuntimeError: boom")]
    assert window.current is None


# --- the loader on its own -----------------------------------------------------------------

def test_runner_delivers_the_result_and_progress_through_signals(qtbot):
    runner = TaskRunner()
    reports = []
    runner.progress.connect(lambda f, m: reports.append((f, m)))

    def job(*, progress, cancel):
        progress(0.5, "half")
        progress(1.0, "done")
        return 42

    with qtbot.waitSignal(runner.finished, timeout=WAIT_MS) as blocker:
        runner.start(job)
    assert blocker.args == [42]
    assert reports == [(0.5, "half"), (1.0, "done")]
    assert not runner.is_busy()
    assert runner.shutdown(WAIT_MS)


def test_runner_cancel_stops_a_slow_job_and_drops_its_result(qtbot):
    runner = TaskRunner()
    started, stopped = threading.Event(), threading.Event()
    finished = []
    runner.finished.connect(finished.append)

    def slow(*, progress, cancel):
        started.set()
        while not cancel():
            stopped.wait(0.005)
        stopped.set()
        return "too late"  # a job may ignore the convention and return: still dropped

    runner.start(slow)
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    with qtbot.waitSignal(runner.cancelled, timeout=WAIT_MS):
        assert runner.cancel()
    qtbot.waitUntil(lambda: runner.running_jobs() == 0, timeout=WAIT_MS)
    assert stopped.is_set()
    assert finished == []
    assert not runner.cancel()  # nothing left to cancel
    assert runner.shutdown(WAIT_MS)


def test_runner_merges_rapid_progress_reports(qtbot):
    runner = TaskRunner()
    reports = []
    runner.progress.connect(lambda f, m: reports.append((f, m)))

    def chatty(*, progress, cancel):
        for i in range(20_000):
            progress(i / 20_000, "reading rows")
        progress(1.0, "reading rows")
        return None

    with qtbot.waitSignal(runner.finished, timeout=WAIT_MS):
        runner.start(chatty)
    assert 1 <= len(reports) < 200
    assert reports[0] == (0.0, "reading rows") and reports[-1] == (1.0, "reading rows")
    assert runner.shutdown(WAIT_MS)


def test_runner_reports_failures(qtbot):
    runner = TaskRunner()

    def broken(*, progress, cancel):
        raise InputError("x.csv", "empty file")

    with qtbot.waitSignal(runner.failed, timeout=WAIT_MS) as blocker:
        runner.start(broken)
    assert str(blocker.args[0]) == "x.csv: empty file"
    assert runner.shutdown(WAIT_MS)


# --- the table widgets ---------------------------------------------------------------------

def test_filter_box_narrows_the_minerals(qtbot, window_for):
    window = window_for(FakeCore())
    load_and_wait(qtbot, window, ["a.xlsx"])
    panel = window.results.panels["minerals"]
    qtbot.keyClicks(panel.filter_edit, "GERM")
    assert minerals_shown(window) == ["germanium"]
    assert panel.count_label.text() == "1 of 3 minerals"
    panel.filter_edit.clear()
    assert minerals_shown(window) == ["gallium", "germanium", "cobalt"]
    assert panel.count_label.text() == "3 minerals"


def test_clicking_a_header_sorts_with_nan_last(qtbot, window_for):
    window = window_for(FakeCore())
    load_and_wait(qtbot, window, ["a.xlsx"])
    table = window.results.panels["minerals"].table
    header = table.horizontalHeader()
    column = table.frame_model().column_of("group_share")
    where = QPoint(header.sectionViewportPosition(column) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert table.frame_model().sort_state()[0] == column
    first = minerals_shown(window)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=where)
    second = minerals_shown(window)
    assert {tuple(first), tuple(second)} == {("germanium", "gallium", "cobalt"),
                                             ("gallium", "germanium", "cobalt")}


def test_ctrl_c_copies_the_selected_cells_as_tsv(qtbot, window_for):
    window = window_for(FakeCore())
    load_and_wait(qtbot, window, ["a.xlsx"])
    table = window.results.panels["minerals"].table
    model = table.frame_model()
    share = model.column_of("group_share")
    block = QItemSelection(model.index(0, 0), model.index(2, 0))
    block.select(model.index(0, share), model.index(2, share))
    table.selectionModel().select(block, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "gallium\t63.2%\ngermanium\t50.0%\ncobalt\tn/a"
    assert window.statusBar().currentMessage() == "Copied 3 rows"


def test_copy_leaves_gaps_for_unselected_cells_and_defuses_formulas(qtbot, window_for):
    result = fake_result()
    result.minerals["top_supplier"] = ["=HYPERLINK(1)", "Belgium", "-x"]
    window = window_for(FakeCore(result))
    load_and_wait(qtbot, window, ["a.xlsx"])
    table = window.results.panels["minerals"].table
    model = table.frame_model()
    supplier = model.column_of("top_supplier")
    picked = QItemSelection(model.index(0, supplier), model.index(0, supplier))
    picked.select(model.index(2, 0), model.index(2, 0))
    table.selectionModel().select(picked, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    window.window_actions.copy.trigger()
    # only rows and columns holding a selected cell are copied; a formula-like text is defused
    assert QGuiApplication.clipboard().text() == "\t'=HYPERLINK(1)\ncobalt\t"


def test_tables_use_fixed_row_heights(qtbot, window_for):
    window = window_for(FakeCore())
    for panel in window.results.panels.values():
        rows = panel.table.verticalHeader()
        assert rows.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
        assert rows.defaultSectionSize() > 0


def test_views_switch_tabs(qtbot, window_for):
    window = window_for(FakeCore())
    window.results.select_view("sectors")
    assert window.results.current_view_name() == "sectors"
    with pytest.raises(ValueError, match="unknown view"):
        window.results.select_view("charts")


def test_ctrl_q_quits(qtbot, window_for):
    window = window_for(FakeCore())
    assert window.window_actions.quit.shortcut().toString() == "Ctrl+Q"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window.results.panels["minerals"].table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_a_malformed_result_is_reported_and_the_previous_one_kept(qtbot, window_for, dialogs):
    window = window_for(FakeCore())
    load_and_wait(qtbot, window, ["good.xlsx"])
    window._analyze = FakeCore(result=SimpleNamespace(minerals="not a frame"))
    with qtbot.waitSignal(window.load_failed, timeout=WAIT_MS):
        window.load(["odd.xlsx"])
    assert [kind for kind, _, _ in dialogs] == ["critical"]
    assert minerals_shown(window) == ["gallium", "germanium", "cobalt"]
    assert window.current.files == (Path("good.xlsx"),)


def test_window_title_shortens_long_file_lists():
    files = [Path(f"/data/f{i}.xlsx") for i in range(5)]
    assert window_title(files) == "Mineral Exposure Workbench — f0.xlsx, f1.xlsx, f2.xlsx + 2 more"
    assert window_title([]) == "Mineral Exposure Workbench"


def test_summary_for_one_file_and_one_year():
    result = fake_result(minerals=("nickel",), shares=(0.1,))
    result.inputs = {"years": [2023, 2023], "group": {"id": "feoc_covered_nations"}}
    assert summary_text(result, [Path("a.csv")]) == "1 mineral · 1 file · year 2023 · group: feoc covered nations"


# --- screenshot mode -----------------------------------------------------------------------

def test_run_gui_screenshot_renders_the_loaded_window(qapp, tmp_path, monkeypatch):
    core = FakeCore()
    monkeypatch.setattr(core_bridge, "analyze", core)
    out = tmp_path / "shot.png"
    assert run_gui([Path("a.xlsx")], screenshot=out, view="sectors") == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)
    assert core.calls == [[Path("a.xlsx")]]


def test_run_gui_screenshot_uses_the_bundled_sample_without_files(qapp, tmp_path, monkeypatch):
    core = FakeCore()
    monkeypatch.setattr(core_bridge, "analyze", core)
    assert run_gui([], screenshot=tmp_path / "shot.png") == 0
    assert core.calls[0][0].name == "sample_dataweb_imports_2020_2024.xlsx"


def test_run_gui_screenshot_reports_refused_input(qapp, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(core_bridge, "analyze", FakeCore(error=InputError("bad.csv", "empty file")))
    out = tmp_path / "shot.png"
    assert run_gui([Path("bad.csv")], screenshot=out) == 2
    assert capsys.readouterr().err.strip() == "bad.csv: empty file"
    assert not out.exists()


def test_run_gui_rejects_an_unknown_view(qapp, tmp_path, capsys):
    assert run_gui([], screenshot=tmp_path / "x.png", view="charts") == 2
    assert "unknown view 'charts'" in capsys.readouterr().err


def test_screenshot_of_the_real_core_on_the_bundled_sample(qapp, tmp_path):
    """Smoke test through the real core; skipped until the sample workbook and core exist."""
    from mineral_workbench.core.resources import sample_workbook

    if not sample_workbook().is_file():
        pytest.skip("the bundled sample workbook has not been generated yet")
    pytest.importorskip("mineral_workbench.core.analysis")
    out = tmp_path / "sample.png"
    assert run_gui([], screenshot=out) == 0
    assert QImage(str(out)).width() == 1600
