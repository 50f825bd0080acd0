"""The memo's figures, drawn by the same chart code as the screen, at print size.

`render_figures(memo, bundle)` fills each `MemoFigure.png` with a PNG of the chart at the
figure's size in inches and DPI (>= 200), on a light print palette whatever the desktop
theme. Charts are widgets, so this runs on the GUI thread; the Word and PDF writers can
then run in a worker. `export_memo_docx` is the Word exporter for the registry: it draws
the figures (creating an offscreen QApplication when run headless) and writes the .docx.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ..core.export.bundle import ExportBundle
from ..core.export.memo import Memo, MemoFigure, build_memo

MIN_PRINT_DPI = 200
ProgressFn = Callable[[float, str], None]


def ensure_app() -> QApplication:
    """The running QApplication, or an offscreen one for headless exports (CLI)."""
    app = QApplication.instance()
    if app is None:
        if not os.environ.get("QT_QPA_PLATFORM") and not (os.environ.get("DISPLAY")
                                                          or os.environ.get("WAYLAND_DISPLAY")) \
                and sys.platform.startswith("linux"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication([sys.argv[0] if sys.argv else "mineral-workbench"])
    return app


def print_palette() -> QPalette:
    """Black on white, for paper, whatever the desktop theme."""
    palette = QPalette()
    for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
        palette.setColor(role, QColor("white"))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        palette.setColor(role, QColor("black"))
    return palette


def chart_class(chart_id: str):
    from .charts import CHARTS
    from .charts.sector_compare import SectorCompareChart
    classes = {cid: cls for cid, _title, cls in CHARTS}
    classes[SectorCompareChart.chart_id] = SectorCompareChart
    if chart_id not in classes:
        raise ValueError(f"memo figure asks for unknown chart '{chart_id}'; known: {sorted(classes)}")
    return classes[chart_id]


def render_figure(figure: MemoFigure, bundle: ExportBundle) -> bytes:
    """PNG bytes of one figure at its print size."""
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("memo figures are drawn by Qt widgets: call render_figures on the GUI "
                           "thread before writing the memo in a worker")
    ensure_app()
    dpi = max(int(figure.dpi or 0), MIN_PRINT_DPI)
    result = bundle.scenario.result if figure.which == "scenario" and bundle.scenario else bundle.baseline
    chart = chart_class(figure.chart_id)(selection=None)
    try:
        chart.setPalette(print_palette())
        if figure.options:
            chart.set_options(**figure.options)
        if figure.chart_id == "sector_compare":
            chart.set_baseline(bundle.baseline, bundle.scenario.scenario.name if bundle.scenario else "")
        if figure.minerals:   # shown as a selection: the export twin copies it
            chart._on_selection_changed(list(figure.minerals), None)
        chart.set_data(result, bundle.loaded)
        w_in, h_in = figure.size_inches
        image = chart.render_image(round(w_in * dpi), round(h_in * dpi), dpi)
    finally:
        chart.deleteLater()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"could not encode figure '{figure.id}' as PNG")
    buffer.close()
    return bytes(data.data())


def render_figures(memo: Memo, bundle: ExportBundle, *, progress: ProgressFn | None = None,
                   force: bool = False) -> Memo:
    """Draw every figure that has no image yet (all of them with force=True)."""
    todo = [f for f in memo.figures if force or not f.png]
    for i, figure in enumerate(todo):
        if progress:
            progress(i / max(len(todo), 1), f"Drawing figure {memo.figure_number(figure)}")
        figure.png = figure.render(figure) if figure.render else render_figure(figure, bundle)
    return memo


def export_memo_docx(bundle: ExportBundle, path, *, memo: Memo | None = None,
                     progress: ProgressFn | None = None, cancel=None) -> Path:
    """Registry entry for `.docx`: draw the figures (GUI thread) and write the Word memo."""
    from ..core.export.memo_docx import write_memo_docx
    memo = memo if memo is not None else build_memo(bundle)
    if any(not f.png for f in memo.figures):
        render_figures(memo, bundle, progress=_part(progress, 0.0, 0.6))
    return write_memo_docx(bundle, path, memo=memo, progress=_part(progress, 0.6, 1.0), cancel=cancel)


def _part(progress: ProgressFn | None, start: float, end: float) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda f, msg: progress(start + (end - start) * f, msg)
