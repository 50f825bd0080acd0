"""Chart exports without dialogs: PNG at a chosen DPI, SVG, clipboard.

Each export lays out a fresh off-screen copy ("twin") of the chart at the target size in
logical pixels (1/96 inch), so the chart on screen is never resized and the page layout
matches the requested aspect. For PNG the twin is rendered scaled to the pixel size; its
cosmetic pens are built `dpi / 96` times wider, because Qt keeps cosmetic strokes one
device pixel wide under any scaling (text and markers scale on their own).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage

LOGICAL_DPI = 96.0  # one logical pixel of the chart layout is 1/96 inch in exports


def require_path(path, what: str) -> Path:
    if path is None or str(path).strip() == "":
        raise ValueError(f"{what} needs a file path (export code never opens a dialog)")
    return Path(path)


def make_twin(chart, line_scale: float, width: int, height: int, vector: bool = False):
    """An off-screen copy of `chart` (same data, options and selection) laid out at width x height."""
    twin = type(chart)(selection=None, line_scale=line_scale)
    twin._for_export = True
    twin._vector = vector
    twin.setPalette(chart.palette())
    twin.set_options(**chart.options())
    twin._selected = list(chart._selected)
    twin._restore_export_state(chart._export_state())
    view = twin.view
    twin.scroll.takeWidget()
    view.setParent(None)
    view.setMinimumSize(1, 1)
    view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    view.resize(width, height)
    view.show()
    twin.set_data(chart._result, chart._loaded)
    QGuiApplication.sendPostedEvents()
    twin._relayout()
    view.scene().prepareForPaint()   # view boxes apply pending transforms (the SVG exporter does not)
    return twin


def dispose(twin) -> None:
    twin.view.close()
    twin.view.deleteLater()
    twin.deleteLater()


def render_image(chart, width_px: int, height_px: int, dpi: float = LOGICAL_DPI) -> QImage:
    """`chart` as an image of exactly width_px x height_px with fonts and strokes sized for `dpi`."""
    from pyqtgraph.exporters import ImageExporter

    if width_px < 1 or height_px < 1 or dpi <= 0:
        raise ValueError(f"image size must be positive (got {width_px}x{height_px} at {dpi} dpi)")
    scale = dpi / LOGICAL_DPI
    twin = make_twin(chart, scale, max(1, round(width_px / scale)), max(1, round(height_px / scale)))
    try:
        exporter = ImageExporter(twin.view.scene())
        params = exporter.parameters()
        params.param("width").setValue(int(width_px), blockSignal=exporter.widthChanged)
        params.param("height").setValue(int(height_px), blockSignal=exporter.heightChanged)
        image = exporter.export(toBytes=True)
    finally:
        dispose(twin)
    dots_per_metre = round(dpi / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


def export_png(chart, path, dpi: float, size_inches: tuple[float, float]) -> Path:
    path = require_path(path, "export_png")
    w_in, h_in = size_inches
    image = render_image(chart, round(w_in * dpi), round(h_in * dpi), dpi)
    if not image.save(str(path), "PNG"):
        raise OSError(f"{path}: could not write the PNG image")
    return path


def export_svg(chart, path, size_inches: tuple[float, float]) -> Path:
    from pyqtgraph.exporters import SVGExporter

    path = require_path(path, "export_svg")
    w_in, h_in = size_inches
    twin = make_twin(chart, 1.0, round(w_in * LOGICAL_DPI), round(h_in * LOGICAL_DPI), vector=True)
    try:
        SVGExporter(twin.view.scene()).export(fileName=str(path))
    finally:
        dispose(twin)
    if not path.is_file() or path.stat().st_size == 0:
        raise OSError(f"{path}: could not write the SVG image")
    return path


def copy_to_clipboard(chart, dpi: float = 192) -> QImage:
    size = chart.view.size()
    scale = dpi / LOGICAL_DPI
    width, height = max(size.width(), 320), max(size.height(), 240)
    image = render_image(chart, round(width * scale), round(height * scale), dpi)
    QGuiApplication.clipboard().setImage(image)
    return image
