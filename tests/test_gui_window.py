"""Getting data in: the real open path, background loading, cancel, errors, sources, reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mineral_workbench import __version__
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from gui_support import (SAMPLE, WAIT_MS, CountingBackend, assert_table_matches, dialogs,  # noqa: F401
                         load_and_wait, make_window, minerals_shown)
from mineral_workbench.core.analysis import compute, load_sources
from mineral_workbench.core.errors import InputError
from mineral_workbench.gui.core_bridge import default_options
from mineral_workbench.gui.settings import Settings


@pytest.fixture(scope="module")
def sample_result():
    return compute(load_sources([SAMPLE]), default_options())


def open_through_dialog(qtbot, window, monkeypatch, files) -> None:
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(
        lambda *a, **k: (asked.append(a) or [str(f) for f in files], "Trade exports")))
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.window_actions.open.trigger()
    assert asked, "the open action did not ask for files"


def test_file_open_shows_exactly_the_cores_numbers(qtbot, make_window, monkeypatch, sample_result):
    window = make_window()
    open_through_dialog(qtbot, window, monkeypatch, [SAMPLE])
    assert_table_matches(window.minerals.model, sample_result.minerals)
    assert_table_matches(window.sectors.rollup.model, sample_result.sectors)
    assert_table_matches(window.defense.categories.model, sample_result.defense)
    assert window.windowTitle() == f"Mineral Exposure Workbench {__version__} — {SAMPLE.name}[*]"
    assert window.summary_label.text() == ("47 minerals · 1 file · years 2020–2024 · group: Foreign "
                                           "adversaries (15 CFR 791.4) · NIR 2024 data")
    assert window.settings.get("files/last_folder") == str(SAMPLE.parent)
    assert not window.progress.isVisible()
    assert window.window_actions.reload.isEnabled() and window.controls.isEnabled()
    charts = window.charts.charts
    assert [len(c.data) for c in charts.values()] == [1, 0]  # hidden tabs draw when opened
    assert charts["bars"].data[0] == (window.current.result, window.current.loaded)
    window.show_view("heat")
    assert charts["heat"].data == [(window.current.result, window.current.loaded)]
    assert window.charts.is_current("bars") and window.charts.is_current("heat")


def test_progress_shows_while_loading_and_cancel_keeps_the_previous_state(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    before = window.current
    shown_before = minerals_shown(window)

    slow = CountingBackend(gated=True)
    window.session.backend = slow
    window.load(["big.xlsx"])
    qtbot.waitUntil(slow.waiting.is_set, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.progress.message_label.text() == "Reading big.xlsx", timeout=WAIT_MS)
    assert window.progress.isVisible() and window.progress.cancel_button.isVisible()
    assert window.progress.bar.value() == 250
    with qtbot.waitSignal(window.session.cancelled, timeout=WAIT_MS):
        qtbot.mouseClick(window.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(slow.ended.is_set, timeout=WAIT_MS)
    assert slow.saw_cancel.is_set()
    assert window.current is before
    assert minerals_shown(window) == shown_before
    assert window.windowTitle().endswith(f"{SAMPLE.name}[*]")
    assert not window.progress.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()
    assert window.sources.facts(0)["Rows kept"] == "13,304 of 13,306"


def test_a_new_load_supersedes_a_running_one(qtbot, make_window):
    slow = CountingBackend(gated=True)
    window = make_window(slow)
    window.load(["slow.xlsx"])
    qtbot.waitUntil(slow.waiting.is_set, timeout=WAIT_MS)
    window.session.backend = CountingBackend()
    load_and_wait(qtbot, window, [SAMPLE])
    qtbot.waitUntil(slow.ended.is_set, timeout=WAIT_MS)
    assert slow.saw_cancel.is_set()
    assert window.current.files == (SAMPLE,)


def test_a_broken_file_shows_an_error_dialog_and_the_app_keeps_working(qtbot, make_window, dialogs,
                                                                       tmp_path, sample_result):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    before = window.current
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a workbook" * 10)
    with qtbot.waitSignal(window.load_failed, timeout=WAIT_MS):
        window.load([broken])
    assert len(dialogs) == 1
    kind, title, text = dialogs[0]
    assert kind == "warning" and "could not load" in title
    assert text.startswith("broken.xlsx: corrupt .xlsx") and "previous results are still shown" in text
    assert window.current is before
    assert not window.progress.isVisible()

    load_and_wait(qtbot, window, [SAMPLE])  # still usable
    assert_table_matches(window.minerals.model, sample_result.minerals)
    assert len(dialogs) == 1


def test_an_unexpected_error_shows_a_critical_dialog_naming_the_log(qtbot, make_window, dialogs):
    window = make_window(CountingBackend(error=RuntimeError("boom")))
    with qtbot.waitSignal(window.load_failed, timeout=WAIT_MS):
        window.load(["x.xlsx"])
    (kind, _, text), = dialogs
    assert kind == "critical" and text.startswith("RuntimeError: boom")
    assert str(window.log_path) in text
    assert window.current is None


def test_input_error_from_the_backend_is_a_warning(qtbot, make_window, dialogs):
    window = make_window(CountingBackend(error=InputError("bad.csv", "no header row found", row=3)))
    with qtbot.waitSignal(window.load_failed, timeout=WAIT_MS):
        window.load(["bad.csv"])
    assert dialogs == [("warning", "Mineral Exposure Workbench: could not load",
                        "bad.csv: row 3: no header row found")]


def test_the_import_report_opens_after_a_load_without_blocking(qtbot, make_window, tmp_path):
    window = make_window(open_report=True)
    load_and_wait(qtbot, window, [SAMPLE])
    assert window.dialog("report") is None  # not for the bundled sample the app opens on
    copy = tmp_path / "imports.xlsx"
    shutil.copy(SAMPLE, copy)
    load_and_wait(qtbot, window, [copy])
    dialog = window.dialog("report")
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    text = dialog.summary.toPlainText()
    assert "13,306 read · 13,304 kept · 2 not kept as data" in text
    assert "✓ matches the file's 2 totals" in text
    assert "USITC DataWeb workbook (.xlsx)" in text
    assert "accessed 2025-03-14" in text
    codes = dialog.tables["codes"].model
    assert [codes.display_text(r, 0) for r in range(codes.rowCount())] == ["9999950000", "2836992000"]
    assert dialog.tabs.tabText(1) == "Unmapped codes (2)"
    assert window.isEnabled()  # the window keeps working beside it


def test_sources_panel_lists_the_report_and_opens_it_on_double_click(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    facts = window.sources.facts(0)
    assert facts["Format"] == "USITC DataWeb workbook (.xlsx)"
    assert (facts["Layout"], facts["Flow"]) == ("long", "imports_consumption")
    assert facts["Measures"] == "customs_value, quantity_1"
    assert facts["Rows kept"] == "13,304 of 13,306" and facts["Rows dropped"] == "2"
    assert facts["Checksum"] == "✓ matches the file's 2 totals"
    assert facts["Unmapped"] == "codes $34.0 M (2) · partners $0 (0)"
    assert facts["Warnings"] == "0"
    tree = window.sources.tree
    item = window.sources.file_items()[0].child(9)  # the checksum line
    tree.scrollToItem(item)
    where = tree.visualItemRect(item).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.dialog("report") is None
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert window.dialog("report") is not None and window.dialog("report").isVisible()
    assert window.dialog("report").current_report().file == str(SAMPLE)


def test_dropping_files_on_the_window_loads_them(qtbot, make_window, tmp_path):
    window = make_window()
    copy = tmp_path / "dropped.xlsx"
    shutil.copy(SAMPLE, copy)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(copy))])
    enter = QDragEnterEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPoint(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        QApplication.sendEvent(window, drop)
    assert window.current.files == (copy,)


def test_recent_files_are_remembered_and_reopen(qtbot, make_window, tmp_path):
    copy = tmp_path / "imports.xlsx"
    shutil.copy(SAMPLE, copy)
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    assert window.window_actions.recent_menu.files() == []  # the bundled sample is not "recent"
    load_and_wait(qtbot, window, [copy])
    assert window.window_actions.recent_menu.files() == [str(copy.resolve())]
    window.close()

    again = make_window()
    menu = again.window_actions.recent_menu
    assert menu.files() == [str(copy.resolve())] == Settings().recent_files()
    entry = next(a for a in menu.actions() if a.data())
    assert entry.text().startswith("&1 imports.xlsx")
    with qtbot.waitSignal(again.analysis_shown, timeout=WAIT_MS):
        entry.trigger()
    assert again.current.files == (copy.resolve(),)
    next(a for a in menu.actions() if a.text() == "&Clear Menu").trigger()
    assert menu.files() == [] and Settings().recent_files() == []


def test_add_files_joins_the_loaded_files_and_the_report_says_duplicates_are_read_once(
        qtbot, make_window, tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    shutil.copy(SAMPLE, first)
    shutil.copy(SAMPLE, second)
    window = make_window()
    load_and_wait(qtbot, window, [first])
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.add_files([second])
    assert window.current.files == (first, second)
    assert any("same file" in w for w in window.current.reports[0].warnings)
    assert window.sources.facts(0)["Warnings"] == "1"


def test_close_all_empties_every_view(qtbot, make_window):
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    window.selection.select(["gallium"])
    window.window_actions.close_all.trigger()
    assert window.current is None
    assert window.minerals.model.rowCount() == 0
    assert window.sectors.model.rowCount() == 0 and window.sectors.rollup.model.rowCount() == 0
    assert window.defense.categories.model.rowCount() == 0
    assert window.sources.tree.topLevelItemCount() == 0
    assert window.selection.minerals == []
    assert not window.controls.isEnabled() and not window.window_actions.reload.isEnabled()
    assert window.windowTitle() == f"Mineral Exposure Workbench {__version__}[*]"
    load_and_wait(qtbot, window, [SAMPLE])
    assert window.minerals.model.rowCount() == 47


def test_reanalyze_reads_the_files_again(qtbot, make_window):
    backend = CountingBackend()
    window = make_window(backend)
    load_and_wait(qtbot, window, [SAMPLE])
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.window_actions.reload.trigger()
    assert backend.loads == [[SAMPLE], [SAMPLE]]


def test_real_sample_files_give_a_result_or_a_clear_message(qtbot, make_window, dialogs, real_samples):
    window = make_window()
    for path in sorted(real_samples.iterdir()):
        window.load([path])
        qtbot.waitUntil(lambda: not window.session.is_busy(), timeout=WAIT_MS)
        if window.last_error is None:
            assert window.current.files == (Path(path),), path
        else:
            kind, _, text = dialogs[-1]
            assert kind == "warning", (path, text)
            assert path.name in text
