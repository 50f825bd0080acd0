"""Graphics items the charts share: slanted category axis, shrinking tick fonts, wrapping labels."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QGuiApplication, QTextOption

from .painted import TextLabels

MIN_POINTS, MAX_POINTS = 6.5, 9.0


def category_points(pixels_per_category: float) -> float:
    """Tick font size (pt) for categories `pixels_per_category` apart (96 logical dpi)."""
    return max(MIN_POINTS, min(MAX_POINTS, pixels_per_category * 0.62))


def fit_category_font(axis: pg.AxisItem, viewbox: pg.ViewBox, labels: list[str]) -> None:
    """Category ticks that never overlap: the font shrinks as rows get denser, and below
    the smallest readable size only every k-th category keeps its label."""
    vertical = axis.orientation in ("left", "right")
    count = len(labels)

    def refit(*_):
        length = viewbox.height() if vertical else viewbox.width()
        if count <= 0 or length <= 0:
            return
        spacing = length / count
        points = category_points(spacing)
        font = QFont(QGuiApplication.font())
        font.setPointSizeF(points)
        axis.setStyle(tickFont=font)
        step = max(1, math.ceil(points / 0.62 / spacing - 1e-9))
        major = [(i, text) for i, text in enumerate(labels) if i % step == 0]
        minor = [(i, "") for i in range(count) if i % step]
        axis.setTicks([major, minor] if minor else [major])

    forget_category_font(axis, viewbox)   # the plot is reused by a redraw: one refit per axis
    axis._category_refit = refit
    viewbox.sigResized.connect(refit)
    refit()


def forget_category_font(axis: pg.AxisItem, viewbox: pg.ViewBox) -> None:
    """Stop re-applying an earlier drawing's category ticks when the view box resizes."""
    previous = getattr(axis, "_category_refit", None)
    if previous is not None:
        try:
            viewbox.sigResized.disconnect(previous)
        except (RuntimeError, TypeError):
            pass
        axis._category_refit = None


class SlantedAxis(pg.AxisItem):
    """A bottom axis whose tick labels are written at an angle (long category names).

    The axis height follows the longest label; labels may run left past the plot into
    the empty corner under the left axis.
    """

    def __init__(self, angle: float = 45.0, **kwargs):
        super().__init__("bottom", **kwargs)
        self.angle = angle
        self.setStyle(hideOverlappingLabels=600)

    def fit_height(self, labels: list[str]) -> None:
        font = self.style["tickFont"] or QFont(QGuiApplication.font())
        fm = QFontMetricsF(font)
        widest = max((fm.horizontalAdvance(t) for t in labels), default=0.0)
        a = math.radians(self.angle)
        label_height = 0 if self.label is None or not self.label.isVisible() else 20
        self.setHeight(int(widest * math.sin(a) + fm.height() * math.cos(a) + 14 + label_height))

    def drawPicture(self, p, axisSpec, tickSpecs, textSpecs):
        super().drawPicture(p, axisSpec, tickSpecs, [])
        if self.style["tickFont"] is not None:
            p.setFont(self.style["tickFont"])
        p.setPen(self.textPen())
        p.setRenderHint(p.RenderHint.TextAntialiasing, True)
        fm = QFontMetricsF(p.font())
        h = fm.height()
        for rect, _flags, text in textSpecs:
            w = fm.horizontalAdvance(text) + 2
            p.save()
            p.translate(rect.center().x() + h * 0.25, rect.top() + h * 0.1)
            p.rotate(-self.angle)
            p.drawText(QRectF(-w, -h * 0.5, w, h),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text)
            p.restore()


class WrappingLabel(pg.LabelItem):
    """A LabelItem that wraps to the width the layout gives it instead of forcing the layout wider.

    pyqtgraph's LabelItem makes its one-line text width the minimum width, so a long title
    or source line would push the chart out of its dock or an export canvas.
    """

    MIN_WIDTH = 40.0

    def __init__(self, text: str = " ", *, center: bool = False, **kwargs):
        self._center = center
        super().__init__(text, **kwargs)
        if center:
            option = QTextOption(Qt.AlignmentFlag.AlignHCenter)
            option.setWrapMode(QTextOption.WrapMode.WordWrap)
            self.item.document().setDefaultTextOption(option)

    def resizeEvent(self, ev):
        width = self.size().width()
        if width > self.MIN_WIDTH:
            self.item.setTextWidth(width)
        super().resizeEvent(ev)

    def updateMin(self):
        height = self.itemRect().height()
        if getattr(self, "_sizeHint", {}).get(Qt.SizeHint.MinimumSize) == (self.MIN_WIDTH, height):
            return   # unchanged: skip the layout invalidation (resizes call this often)
        self.setMinimumWidth(self.MIN_WIDTH)
        self.setMinimumHeight(height)
        self._sizeHint = {
            Qt.SizeHint.MinimumSize: (self.MIN_WIDTH, height),
            Qt.SizeHint.PreferredSize: (self.MIN_WIDTH, height),
            Qt.SizeHint.MaximumSize: (-1, -1),
            Qt.SizeHint.MinimumDescent: (0, 0),
        }
        self.updateGeometry()


def paired_bars(chart, plot, old, new, colors, bar: float, min_change: float):
    """Two horizontal bars per category (old above new, values in %) with the change written
    beside each pair that moved by at least `min_change` points; returns (old_item, new_item,
    largest value). Shared by the memo's baseline-vs-scenario chart and the Compare dock's."""
    import numpy as np  # noqa: PLC0415

    n = len(old)
    y = np.arange(n, dtype=float)
    edge = chart.pen(chart.theme.background, 0.5)
    items = []
    for values, offset, color in ((old, -bar / 2, colors[0]), (new, bar / 2, colors[1])):
        item = pg.BarGraphItem(x0=np.zeros(n), y=y + offset, width=np.nan_to_num(values),
                               height=bar, brush=color, pen=edge)
        plot.addItem(item)
        items.append(item)
    labels = TextLabels(chart.font(7.5, bold=True))
    for i in range(n):
        if math.isnan(old[i]) or math.isnan(new[i]) or abs(new[i] - old[i]) < min_change:
            continue
        labels.add(max(old[i], new[i]), i + bar / 2, f" {new[i] - old[i]:+.1f} pts", chart.theme.foreground,
                   anchor=(0, 0.5))
    plot.addItem(labels)
    chart.change_labels = labels
    return items[0], items[1], float(np.nanmax(np.r_[old, new, [1.0]]))
