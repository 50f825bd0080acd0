"""The Export menu end to end: the real dialog, the worker, the files it writes, Cancel,
the source-file guard, the memo editor and memo drafts."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget

from mineral_workbench.core.analysis import AnalysisOptions, load_sources
from mineral_workbench.core.importing.report import file_sha256
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.core.whatif import load_presets
from mineral_workbench.gui import export_controller as ec
from mineral_workbench.gui.export_controller import ExportController, ExportInputs
from mineral_workbench.gui.export_menu import ExportMenu
from mineral_workbench.core.export import ExportError
from mineral_workbench.gui.export_dialog import default_base_name, refuse_source_overwrite
from mineral_workbench.gui.memo_editor import MemoEditor

from gui_support import SAMPLE, load_and_wait, make_window  # noqa: F401 (fixture)

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the bundled sample: a guard failure must never touch the repository's file."""
    folder = tmp_path_factory.mktemp("sources")
    return Path(shutil.copy(sample_workbook(), folder / "imports.xlsx"))


@pytest.fixture(scope="module")
def loaded(source):
    return load_sources([source])


@pytest.fixture(scope="module")
def preset():
    return next(p for p in load_presets() if p.preset_id == "cn_ga_ge_licensing_2023")


@pytest.fixture
def boxes(monkeypatch):
    """QMessageBox static calls recorded, never shown; `answer` is what question() says."""
    shown = {"calls": [], "answer": QMessageBox.StandardButton.Yes}
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda parent, title, text, *a, kind=kind, **k: shown["calls"].append((kind, title, text))))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda parent, title, text, *a, **k: shown["calls"].append(("question", title, text))
        or shown["answer"]))
    return shown


@pytest.fixture
def opened(monkeypatch):
    urls = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: urls.append(url) or True))
    return urls


@pytest.fixture
def make(qtbot, loaded, source, boxes):
    made = []

    def factory(scenario=None, inputs="default"):
        window = QWidget()
        qtbot.addWidget(window)
        window.show()
        given = ExportInputs(loaded, AnalysisOptions(), scenario, (source,)) if inputs == "default" else inputs
        controller = ExportController(window, lambda: given)
        made.append(controller)
        return controller

    yield factory
    for controller in made:
        assert controller.shutdown(WAIT_MS)


def fill(dialog, folder: Path, formats=None, name=None, **values) -> None:
    dialog.folder.setText(str(folder))
    if formats is not None:
        for fmt, box in dialog.format_boxes.items():
            box.setChecked(fmt in formats)
    if name is not None:
        dialog.base_name.setText(name)
    for attr, value in values.items():
        widget = getattr(dialog, attr)
        widget.setCurrentText(value) if hasattr(widget, "setCurrentText") else \
            widget.setChecked(value) if isinstance(value, bool) else widget.setText(value)


def click_export(qtbot, controller, dialog) -> list[Path]:
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as done:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    return done.args[0]


def docx_text(path: Path) -> str:
    import docx
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [s.header.paragraphs[0].text for s in document.sections]
    return "\n".join(parts)


def sheet_text(path: Path, sheet: str = "Summary") -> str:
    import openpyxl
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return "\n".join(str(v) for row in book[sheet].iter_rows(values_only=True) for v in row if v)
    finally:
        book.close()


def test_menu_has_the_export_actions(make):
    made = make()
    controller = ExportMenu(made.parent(), made._get_inputs)   # the window's Export menu
    menu = QMenu()
    controller.build_menu(menu)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Analysis workbook (&Excel)…", "Memo (&Word)…", "Memo (&PDF)…",
                     "Memo &and workbook…", "Edit &memo…"]
    controller.actions["docx"].trigger()
    dialog = controller.dialog
    assert [f for f, box in dialog.format_boxes.items() if box.isChecked()] == ["docx"]
    assert dialog.edit_memo.isEnabled()
    dialog.format_boxes["docx"].setChecked(False)
    assert not dialog.export_button.isEnabled() and not dialog.edit_memo.isEnabled()
    dialog.reject()
    assert controller.shutdown(WAIT_MS)


def test_exports_all_three_for_the_baseline(qtbot, make, tmp_path, boxes, opened):
    controller = make()
    dialog = controller.open_export(("xlsx", "docx", "pdf"))
    assert dialog.base_name.text() == default_base_name(None)
    assert dialog.marking.currentText() == "UNCLASSIFIED"
    assert not dialog.with_scenario.isEnabled() and dialog.baseline_only.isChecked()
    fill(dialog, tmp_path, name="baseline", prepared_by="A. Analyst, OSI")
    started = time.perf_counter()
    paths = click_export(qtbot, controller, dialog)
    elapsed = time.perf_counter() - started
    assert [p.name for p in paths] == ["baseline.xlsx", "baseline.docx", "baseline.pdf"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # no .partial
    assert "Baseline (no scenario)" in sheet_text(paths[0])
    text = docx_text(paths[1])
    assert "UNCLASSIFIED" in text and "A. Analyst, OSI" in text
    assert paths[2].read_bytes().startswith(b"%PDF") and paths[2].stat().st_size > 10_000
    assert set(controller.last_timings) == {"bundle", "figures", "files"}
    print(f"\nexport of the sample, 3 files: {elapsed:.2f}s; "
          + ", ".join(f"{k} {v:.2f}s" for k, v in controller.last_timings.items()))
    assert controller.done_box.text() == f"Exported 3 files to {tmp_path}"
    assert not controller.is_busy() and all(a.isEnabled() for a in controller.actions.values())
    qtbot.mouseClick(controller.open_folder_button, Qt.MouseButton.LeftButton)
    assert [Path(u.toLocalFile()) for u in opened] == [tmp_path]
    assert not [c for c in boxes["calls"] if c[0] == "warning"]


def test_scenario_export_names_the_scenario(qtbot, make, tmp_path, preset):
    controller = make(scenario=preset)
    dialog = controller.open_export(("xlsx", "docx", "pdf"))
    assert dialog.with_scenario.isChecked()
    assert dialog.base_name.text().startswith("China-gallium-germanium-export-licensing-Aug-2023-")
    fill(dialog, tmp_path, marking="CUI")
    paths = click_export(qtbot, controller, dialog)
    assert preset.name in sheet_text(paths[0])
    text = docx_text(paths[1])
    assert preset.name in text and "CUI" in text
    assert paths[2].read_bytes().startswith(b"%PDF")
    # baseline only: the radio resets the default name and leaves the scenario out
    dialog = controller.open_export(("xlsx",))
    dialog.baseline_only.setChecked(True)
    assert dialog.base_name.text() == default_base_name(None)
    fill(dialog, tmp_path)
    [path] = click_export(qtbot, controller, dialog)
    assert preset.name not in sheet_text(path)


def test_refuses_to_write_over_a_source_file(qtbot, make, source, loaded, tmp_path, boxes):
    controller = make()
    before = file_sha256(source)
    dialog = controller.open_export(("xlsx",))
    fill(dialog, source.parent, name=source.stem)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and not controller.is_busy()
    assert "refusing to overwrite the source file imports.xlsx" in dialog.error.text()
    # a copy of the source under another name is refused by its SHA-256
    shutil.copy(source, tmp_path / "copy.xlsx")
    fill(dialog, tmp_path, name="copy")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "same SHA-256" in dialog.error.text()
    assert file_sha256(source) == before and file_sha256(tmp_path / "copy.xlsx") == before
    assert not [c for c in boxes["calls"] if c[0] == "question"]
    # loaded files without an import report (a workspace) are guarded the same way
    other = tmp_path / "other.xlsx"
    other.write_bytes(b"workspace-like")
    twin = tmp_path / "twin.xlsx"
    twin.write_bytes(b"workspace-like")
    with pytest.raises(ExportError, match="source file other.xlsx"):
        refuse_source_overwrite(other, loaded, [other])
    with pytest.raises(ExportError, match="same SHA-256"):
        refuse_source_overwrite(twin, loaded, [other])
    assert refuse_source_overwrite(tmp_path / "new.xlsx", loaded, [other]) == tmp_path / "new.xlsx"
    dialog.reject()


def test_asks_before_replacing_an_existing_file(qtbot, make, tmp_path, boxes):
    controller = make()
    old = tmp_path / "report.pdf"
    old.write_bytes(b"old report")
    dialog = controller.open_export(("pdf",))
    fill(dialog, tmp_path, name="report")
    boxes["answer"] = QMessageBox.StandardButton.No
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and old.read_bytes() == b"old report"
    assert boxes["calls"][-1][0] == "question" and "report.pdf" in boxes["calls"][-1][2]
    boxes["answer"] = QMessageBox.StandardButton.Yes
    [path] = click_export(qtbot, controller, dialog)
    assert path == old and old.read_bytes().startswith(b"%PDF")


def test_validates_folder_and_name(qtbot, make, tmp_path):
    controller = make()
    dialog = controller.open_export(("xlsx",))
    fill(dialog, tmp_path / "missing")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "does not exist" in dialog.error.text() and dialog.isVisible()
    fill(dialog, tmp_path, name="a/b")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert "must not contain" in dialog.error.text()
    fill(dialog, tmp_path, name="typed.xlsx")
    assert dialog.request().targets() == [("xlsx", tmp_path / "typed.xlsx")]
    dialog.reject()
    assert not list(tmp_path.iterdir())


def test_cancel_stops_the_export_and_leaves_no_partial_file(qtbot, make, tmp_path, monkeypatch):
    writing, real_export = threading.Event(), ec.export

    def gated_export(bundle, target, fmt, options=None, *, progress=None, cancel=None):
        def held(fraction, message):          # first report: the temp file exists; hold it
            if not writing.is_set():
                writing.set()
                while not cancel():
                    time.sleep(0.005)
            progress(fraction, message)
        return real_export(bundle, target, fmt, options, progress=held, cancel=cancel)

    monkeypatch.setattr(ec, "export", gated_export)
    controller = make()
    messages, finished = [], []
    controller.message.connect(messages.append)
    controller.finished.connect(finished.append)
    dialog = controller.open_export(("pdf", "xlsx"))
    fill(dialog, tmp_path, name="out")
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(writing.is_set, timeout=WAIT_MS)
    assert [p.name for p in tmp_path.iterdir() if ".out.xlsx" in p.name]   # half-written
    progress = controller.progress_dialog
    cancel_button = progress.findChild(type(dialog.export_button))
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    assert not controller.is_busy() and controller.progress_dialog is None
    qtbot.waitUntil(lambda: controller.runner.running_jobs() == 0, timeout=WAIT_MS)
    assert list(tmp_path.iterdir()) == []
    assert messages[-1] == "Export cancelled; no files were written" and finished == []


def test_files_are_written_off_the_gui_thread(qtbot, make, tmp_path, monkeypatch):
    threads, real_export = [], ec.export
    monkeypatch.setattr(ec, "export", lambda *a, **k: threads.append(threading.current_thread())
                        or real_export(*a, **k))
    controller = make()
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    dialog = controller.open_export(("xlsx", "pdf"))
    fill(dialog, tmp_path, name="responsive")
    click_export(qtbot, controller, dialog)
    timer.stop()
    assert threads and all(t is not threading.main_thread() for t in threads)
    writing = controller.last_timings["files"]
    assert writing > 0.2 and len(ticks) >= writing / 0.02 / 4   # the GUI kept ticking meanwhile
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert max(gaps) < 0.5 + controller.last_timings["figures"]


def test_a_failure_is_reported_and_leaves_nothing(qtbot, make, tmp_path, boxes, monkeypatch):
    def broken(bundle, target, fmt, options=None, **_):
        Path(target).write_bytes(b"half")
        raise OSError(28, "No space left on device", str(target))

    monkeypatch.setattr(ec, "export", broken)
    controller = make()
    failed = []
    controller.failed.connect(failed.append)
    dialog = controller.open_export(("xlsx",))
    fill(dialog, tmp_path, name="full")
    with qtbot.waitSignal(controller.failed, timeout=WAIT_MS):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert failed[0].startswith("No space left on device")
    assert boxes["calls"][-1][:2] == ("warning", "Export failed")
    assert "No files were written" in boxes["calls"][-1][2]
    assert not controller.is_busy() and list(tmp_path.iterdir()) == []


def test_nothing_loaded_says_so(make, boxes):
    controller = make(inputs=None)
    assert controller.open_export(("xlsx",)) is None and not controller.edit_memo_draft()
    assert boxes["calls"][0][:2] == ("information", "Nothing to export")


def _accept_editor(qtbot, change) -> None:
    """Edit and accept the modal memo editor once it shows (the controller runs it with exec)."""
    def poll():
        editor = QApplication.activeModalWidget()
        if isinstance(editor, MemoEditor):
            change(editor)
            editor.ok_button.click()
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(20, poll)


def test_memo_drafts_round_trip_and_reach_the_export(qtbot, make, tmp_path, preset):
    controller = make(scenario=preset)
    _accept_editor(qtbot, lambda e: e.subject.setText("Gallium: what the licensing costs us"))
    with qtbot.waitSignal(controller.message, timeout=WAIT_MS,
                          check_params_cb=lambda m: m.startswith("Memo draft saved")):
        assert controller.edit_memo_draft()
    drafts = controller.memo_drafts
    assert drafts["memo"]["header"]["subject"] == "Gallium: what the licensing costs us"
    saved = json.loads(json.dumps(drafts))        # as the workspace file keeps it
    other = make(scenario=preset)
    other.set_memo_drafts(saved)
    assert other.memo_drafts == drafts
    other.memo_drafts["memo"]["bluf"] = "changed"  # a copy: the controller's draft is its own
    assert other.memo_drafts == drafts
    dialog = other.open_export(("docx",))
    fill(dialog, tmp_path, name="memo")
    [path] = click_export(qtbot, other, dialog)
    assert "Gallium: what the licensing costs us" in docx_text(path)


def test_edit_before_export_uses_the_edited_memo(qtbot, make, tmp_path, monkeypatch):
    seen = []

    def edit(memo, parent):
        seen.append((memo.marking.banner, memo.marking.cui, memo.prepared_by))
        memo.bluf = "Analyst's bottom line."
        return memo

    monkeypatch.setattr(ec, "edit_memo", edit)
    controller = make()
    dialog = controller.open_export(("docx",))
    fill(dialog, tmp_path, name="edited", marking="CUI", prepared_by="B. Analyst",
         edit_memo=True)
    [path] = click_export(qtbot, controller, dialog)
    assert seen == [("CUI", True, "B. Analyst")]
    assert "Analyst's bottom line." in docx_text(path)
    assert controller.memo_drafts["memo"]["bluf"] == "Analyst's bottom line."
    # the editor's Cancel cancels the export
    monkeypatch.setattr(ec, "edit_memo", lambda memo, parent: None)
    dialog = controller.open_export(("pdf",))
    fill(dialog, tmp_path, name="never", edit_memo=True)
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not controller.is_busy(), timeout=WAIT_MS)
    assert not (tmp_path / "never.pdf").exists()
    dialog = controller.open_export(("pdf",))      # the next dialog starts from the draft's marking
    assert dialog.marking.currentText() == "CUI" and dialog.prepared_by.text() == "B. Analyst"
    dialog.reject()


def test_the_windows_export_menu_builds_its_controller_on_first_use(qtbot, make_window, tmp_path):
    """The export code loads when the menu is first used; drafts restored before that (a
    workspace opened at start-up) reach the controller, and the menu's action opens the dialog."""
    window = make_window()
    load_and_wait(qtbot, window, [SAMPLE])
    exporter = window.exporter
    assert exporter._controller is None
    exporter.set_memo_drafts({"memo": {"bluf": "Kept."}})
    assert exporter.memo_drafts == {"memo": {"bluf": "Kept."}}
    menu = window.findChild(QMenu, "export_menu")
    assert [a.text() for a in menu.actions() if a.text()][:2] == ["Analysis workbook (&Excel)…",
                                                                  "Memo (&Word)…"]
    exporter.actions["xlsx"].trigger()
    dialog = exporter.dialog
    assert dialog is not None and dialog.isVisible()
    assert exporter.controller.memo_drafts == {"memo": {"bluf": "Kept."}}
    with qtbot.waitSignal(dialog.finished, timeout=WAIT_MS):
        dialog.reject()
    assert exporter.shutdown(WAIT_MS)
