"""Items that paint many small things themselves: data labels and the legend.

pyqtgraph's TextItem and LegendItem build a QGraphicsTextItem (an HTML document) per text
and a widget per legend swatch, and re-lay them out on every change: about 0.3-1 ms each,
tens of milliseconds per chart. These items keep plain lists and draw with QPainter, like
the axes do, so they cost almost nothing to build and scale with the painter in PNG and
SVG exports (text sizes are in points, strokes follow the chart's cosmetic pens).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen
from PySide6.QtWidgets import QSizePolicy

ALIGN = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    color: QColor
    anchor: tuple[float, float] = (0.5, 0.5)
    bold: bool = False


class TextLabels(pg.GraphicsObject):
    """Short texts at data points of a plot, all painted by this one item.

    Each label keeps its size in pixels whatever the axes' scales (like a TextItem): it is
    drawn in scene units at the scene point of its data point. `anchor` follows TextItem:
    (0, 0) puts the text box's top-left corner on the point, (0.5, 0.5) centres it; the box
    has TextItem's 4-pixel margin, so labels land where TextItems did.
    """

    MARGIN = 4.0

    def __init__(self, font: QFont, labels=()):
        super().__init__()
        self._fonts = {False: QFont(font), True: QFont(font)}
        self._fonts[True].setBold(True)
        self._labels: list[Label] = []
        self._bounds: QRectF | None = None
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.set_labels(labels)

    def set_labels(self, labels) -> None:
        self._labels = list(labels)
        self.update()

    def add(self, x: float, y: float, text: str, color, anchor=(0.5, 0.5), bold: bool = False) -> None:
        self._labels.append(Label(float(x), float(y), str(text), QColor(color), tuple(anchor), bool(bold)))
        self.update()

    def labels(self) -> list[Label]:
        return list(self._labels)

    def texts(self) -> list[str]:
        return [label.text for label in self._labels]

    # --- geometry: the labels may fall anywhere in the view box (which clips them) ---------
    def dataBounds(self, axis, frac=1.0, orthoRange=None):
        return None   # labels never widen an auto range

    def viewTransformChanged(self):
        self.prepareGeometryChange()
        super().viewTransformChanged()
        self._bounds = None

    def boundingRect(self) -> QRectF:
        if self._bounds is None:
            view = self.viewRect()
            self._bounds = QRectF(view) if view is not None else QRectF()
        return self._bounds

    def text_box(self, label: Label, metrics: QFontMetricsF, scene_point: QPointF) -> QRectF:
        """The label's box (margin included) in scene units, anchored at `scene_point`."""
        w = metrics.horizontalAdvance(label.text) + 2 * self.MARGIN
        h = metrics.height() + 2 * self.MARGIN
        return QRectF(scene_point.x() - label.anchor[0] * w, scene_point.y() - label.anchor[1] * h, w, h)

    def scene_boxes(self) -> list[QRectF]:
        """Every label's box in scene coordinates, as painted next (for tests and tools)."""
        view = self.getViewBox()
        if hasattr(view, "updateMatrix"):
            view.updateMatrix()   # a view box applies range changes lazily, before it paints
        to_scene = self.sceneTransform()
        metrics = {b: QFontMetricsF(f) for b, f in self._fonts.items()}
        return [self.text_box(lb, metrics[lb.bold], to_scene.map(QPointF(lb.x, lb.y))) for lb in self._labels]

    def paint(self, p, *args) -> None:
        if not self._labels:
            return
        to_scene = self.sceneTransform()
        inverse, invertible = to_scene.inverted()
        if not invertible:   # a view box with no size yet
            return
        # draw in scene units: the painter keeps only the scene -> device part (export scaling)
        p.setWorldTransform(inverse * p.worldTransform())
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        device = p.device()
        metrics = {b: QFontMetricsF(f, device) if device is not None else QFontMetricsF(f)
                   for b, f in self._fonts.items()}
        m = self.MARGIN
        current = None
        for label in self._labels:
            if current != label.bold:
                p.setFont(self._fonts[label.bold])
                current = label.bold
            box = self.text_box(label, metrics[label.bold], to_scene.map(QPointF(label.x, label.y)))
            p.setPen(label.color)
            p.drawText(box.adjusted(m, m, -m, -m), int(ALIGN), label.text)


@dataclass(frozen=True)
class Swatch:
    """What a legend entry shows: a filled box (bars), a line with a marker, or a marker."""

    kind: str                    # "bar", "line" or "symbol"
    brush: QBrush | None = None
    pen: QPen | None = None
    symbol: str | None = None
    size: float = 10.0
    symbol_pen: QPen | None = None

    @classmethod
    def bar(cls, brush, pen=None) -> "Swatch":
        return cls("bar", pg.mkBrush(brush), pg.mkPen(pen))

    @classmethod
    def line(cls, pen, symbol: str | None = None, size: float = 7.0, brush=None, symbol_pen=None) -> "Swatch":
        return cls("line", pg.mkBrush(brush), pg.mkPen(pen), symbol, float(size), pg.mkPen(symbol_pen))

    @classmethod
    def marker(cls, symbol: str, size: float, brush, pen=None) -> "Swatch":
        return cls("symbol", pg.mkBrush(brush), pg.mkPen(pen), symbol, float(size))

    @classmethod
    def of(cls, item) -> "Swatch":
        """The swatch pyqtgraph's legend would draw for a plot item."""
        if isinstance(item, Swatch):
            return item
        opts = item.opts
        if isinstance(item, pg.BarGraphItem):
            return cls.bar(opts["brush"], opts["pen"])
        if isinstance(item, pg.ScatterPlotItem):
            return cls.marker(opts["symbol"], opts["size"], opts["brush"], opts["pen"])
        return cls("line", pg.mkBrush(opts.get("symbolBrush")), pg.mkPen(opts.get("pen")),
                   opts.get("symbol"), float(opts.get("symbolSize") or 7), pg.mkPen(opts.get("symbolPen")))

    @property
    def width(self) -> float:
        """Width of the swatch in the legend (a line needs room to read as a line), px."""
        return 22.0 if self.kind == "line" else 12.0

    def paint(self, p, box: QRectF) -> None:
        center = box.center()
        if self.kind == "bar":
            p.setPen(self.pen)
            p.setBrush(self.brush)
            p.drawRect(box)
            return
        p.setRenderHint(p.RenderHint.Antialiasing, True)
        if self.kind == "line":
            p.setPen(self.pen)
            p.drawLine(QPointF(box.left(), center.y()), QPointF(box.right(), center.y()))
        if self.symbol is not None:
            p.save()
            p.translate(center)
            drawSymbol(p, self.symbol, self.size, self.symbol_pen if self.kind == "line" else self.pen,
                       self.brush)
            p.restore()


class SwatchLegend(pg.GraphicsWidget):
    """A legend in its own layout cell: a swatch and a name per entry, row by row in as many
    columns as the width holds, painted by this one item."""

    SWATCH = 12.0       # height of a swatch, px (its width: `Swatch.width`)
    TEXT_GAP = 8.0      # swatch to name
    COLUMN_GAP = 14.0   # a name to the next column's swatch
    PAD_X, PAD_Y = 14.0, 3.0

    def __init__(self, color, points: float = 8.0, font: QFont | None = None):
        super().__init__()
        self._font = QFont(font) if font is not None else QFont()
        self._font.setPointSizeF(points)
        self._color = QColor(color)
        self._entries: list[tuple[Swatch, str]] = []
        self._columns = 1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(40)
        self._fix_height()

    def clear(self) -> None:
        """No entries (the height follows at the next `fit`)."""
        self._entries = []
        self.update()

    def add(self, item, name: str) -> None:
        """An entry for `item` (a bar, line or scatter item, or a `Swatch`) called `name`;
        call `fit` once the entries are in (it sets the columns and the height)."""
        self._entries.append((Swatch.of(item), str(name)))
        self.update()

    def set_color(self, color) -> None:
        """The names' colour (the theme's text colour)."""
        if QColor(color) != self._color:
            self._color = QColor(color)
            self.update()

    def names(self) -> list[str]:
        return [name for _swatch, name in self._entries]

    def swatches(self) -> list[Swatch]:
        return [swatch for swatch, _name in self._entries]

    @property
    def columns(self) -> int:
        return self._columns

    def _row_height(self, metrics: QFontMetricsF) -> float:
        return max(self.SWATCH + 3.0, metrics.height() + 2.0)

    def _swatch_width(self) -> float:
        return max((s.width for s, _n in self._entries), default=self.SWATCH)

    def column_width(self) -> float:
        metrics = QFontMetricsF(self._font)
        widest = max((metrics.horizontalAdvance(n) for _s, n in self._entries), default=0.0)
        return self._swatch_width() + self.TEXT_GAP + widest + self.COLUMN_GAP

    def fit(self, width: float) -> None:
        """As many columns as `width` holds (at least one, at most one per entry), and the
        height of that many rows."""
        fits = int((width - 2 * self.PAD_X) // self.column_width())
        columns = max(1, min(len(self._entries), fits))
        if columns != self._columns:
            self._columns = columns
            self.update()
        self._fix_height()

    def _fix_height(self) -> None:
        rows = math.ceil(len(self._entries) / self._columns) if self._entries else 0
        height = rows * self._row_height(QFontMetricsF(self._font)) + 2 * self.PAD_Y if rows else 0.0
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setMinimumHeight(height)
            self.setMaximumHeight(height)
            self.updateGeometry()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self.size().width(), self.size().height())

    def entry_boxes(self) -> list[tuple[QRectF, QRectF]]:
        """(swatch box, text box) of every entry in item coordinates."""
        metrics = QFontMetricsF(self._font)
        row_h = self._row_height(metrics)
        width = self.size().width() - 2 * self.PAD_X
        pitch = max(self.column_width(), width / max(self._columns, 1))
        s, sw = self.SWATCH, self._swatch_width()
        boxes = []
        for i, (_swatch, name) in enumerate(self._entries):
            row, col = divmod(i, self._columns)
            left, top = self.PAD_X + col * pitch, self.PAD_Y + row * row_h
            swatch = QRectF(left, top + (row_h - s) / 2, sw, s)
            text = QRectF(left + sw + self.TEXT_GAP, top, metrics.horizontalAdvance(name) + 2, row_h)
            boxes.append((swatch, text))
        return boxes

    def paint(self, p, *args) -> None:
        if not self._entries:
            return
        p.setFont(self._font)
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        for (swatch, name), (box, text) in zip(self._entries, self.entry_boxes()):
            p.save()
            swatch.paint(p, box)
            p.restore()
            p.setPen(self._color)
            p.drawText(text, int(ALIGN), name)
