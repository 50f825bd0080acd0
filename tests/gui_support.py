"""Shared helpers for the window tests: a window factory, a slow/failing backend over the
real core, a fake chart registry and comparisons against the core's own numbers."""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QMessageBox, QWidget

from mineral_workbench.core.errors import OperationCancelled
from mineral_workbench.core.resources import sample_workbook
from mineral_workbench.gui.core_bridge import CoreBackend
from mineral_workbench.gui.formatters import display_formatter
from mineral_workbench.gui.main_window import MainWindow

SAMPLE = sample_workbook()
WAIT_MS = 30_000


class CountingBackend(CoreBackend):
    """The real core, counting reads and computes; `load` can wait on a gate or fail."""

    def __init__(self, *, gated: bool = False, error: Exception | None = None):
        super().__init__()
        self.gate = threading.Event() if gated else None
        self.error = error
        self.loads: list[list[Path]] = []
        self.computes = 0
        self.waiting = threading.Event()
        self.saw_cancel = threading.Event()
        self.ended = threading.Event()

    def load(self, paths, *, progress=None, cancel=None):
        self.loads.append(list(paths))
        try:
            if progress is not None:
                progress(0.25, f"Reading {Path(paths[0]).name}")
            if self.gate is not None:
                self.waiting.set()
                while not self.gate.wait(0.005):
                    if cancel():
                        self.saw_cancel.set()
                        raise OperationCancelled("cancelled")
            if self.error is not None:
                raise self.error
            return super().load(paths, progress=progress, cancel=cancel)
        finally:
            self.ended.set()

    def compute(self, loaded, options):
        self.computes += 1
        return super().compute(loaded, options)


class FakeChart(QWidget):
    """Implements the chart interface and records what the window asks of it."""

    def __init__(self, chart_id: str, title: str, selection, parent=None):
        super().__init__(parent)
        self.chart_id, self.title, self.selection = chart_id, title, selection
        self.data: list = []
        self.exports: list[tuple] = []

    def set_data(self, result, loaded=None) -> None:
        self.data.append((result, loaded))

    def export_png(self, path, dpi: float = 200, size_inches=None):
        width, height = size_inches or (6.0, 4.0)
        image = QImage(int(width * dpi), int(height * dpi), QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.white)
        image.save(str(path))
        self.exports.append(("png", str(path), dpi))
        return Path(path)

    def export_svg(self, path, size_inches=None):
        Path(path).write_text("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>")
        self.exports.append(("svg", str(path), None))
        return Path(path)

    def copy_to_clipboard(self, dpi: float = 96):
        image = QImage(12, 8, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.red)
        QGuiApplication.clipboard().setImage(image)
        self.exports.append(("copy", "", None))
        return image


def fake_charts(selection, parent=None) -> dict[str, FakeChart]:
    return {"bars": FakeChart("bars", "Supplier bars", selection, parent),
            "heat": FakeChart("heat", "Heat map", selection, parent)}


@pytest.fixture
def make_window(qtbot):
    """Build shown MainWindows (fake charts unless told); workers are joined after the test."""
    made: list[MainWindow] = []

    def make(backend=None, *, charts=fake_charts, interactive: bool = True,
             open_report: bool = False, show: bool = True) -> MainWindow:
        window = MainWindow(backend=backend, charts=charts, interactive=interactive)
        window.open_report_after_load = open_report
        window.ask_to_save = False   # no modal unsaved-changes prompt when the test closes it
        qtbot.addWidget(window)
        if not window.geometry_restored:
            window.resize(1400, 900)
        if show:
            window.show()
            qtbot.waitExposed(window)
        made.append(window)
        return window

    yield make
    for window in made:
        assert window.session.shutdown(WAIT_MS)


@pytest.fixture
def dialogs(monkeypatch) -> list[tuple[str, str, str]]:
    """Record QMessageBox calls instead of blocking on a modal dialog."""
    shown: list[tuple[str, str, str]] = []
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(
            lambda parent, title, text, *a, kind=kind, **k: shown.append((kind, title, text))))
    return shown


def load_and_wait(qtbot, window: MainWindow, files) -> None:
    with qtbot.waitSignal(window.analysis_shown, timeout=WAIT_MS):
        window.load(files)


def minerals_shown(window: MainWindow) -> list[str]:
    model = window.minerals.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return (math.isnan(a) and math.isnan(b)) or a == b
        except TypeError:
            return False
    return a == b


def assert_table_matches(model, frame) -> None:
    """Every shown cell holds exactly the frame's value and shows its formatted text."""
    frame = frame.reset_index() if frame.index.name else frame
    keys = [spec.key for spec in model.column_specs()]
    assert model.rowCount() == len(frame)
    for column, spec in enumerate(model.column_specs()):
        fmt = display_formatter(spec)
        for row in range(model.rowCount()):
            expected = frame[spec.key].iloc[model.source_row(row)]
            if spec.numeric:
                expected = float(expected)
            elif expected is None or (isinstance(expected, float) and math.isnan(expected)):
                expected = None
            raw = model.raw_value(row, column)
            assert same(raw, expected), (spec.key, row, raw, expected)
            assert model.display_text(row, column) == fmt(expected), (spec.key, row)
    assert keys  # the table showed something


def click_row(qtbot, view, row: int, column: int = 0, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    view.scrollTo(view.model().index(row, column))
    rect = view.visualRect(view.model().index(row, column))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def selected_rows(view) -> list[int]:
    rows = set()
    for r in view.selectionModel().selection():
        rows.update(range(r.top(), r.bottom() + 1))
    return sorted(rows)
