"""A chart's layout cells (title, plot, legend, footer) kept from one drawing to the next.

Building a pyqtgraph PlotItem costs about 10 ms (four axes, a view box, an options menu
that the charts never show), a wrapped title or footer about 1 ms; a what-if edit redraws
the chart on show each time its numbers move. A redraw therefore reuses the items the last
drawing put in the same cells: the plot drops its data items and is set up again, labels
re-lay out their text only when it changed. Whatever a drawing does not ask for again is
removed when it finishes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import partial

import pyqtgraph as pg
from PySide6.QtGui import QGuiApplication

from .items import SlantedAxis, WrappingLabel, forget_category_font
from .painted import SwatchLegend

AXES = ("left", "bottom", "right", "top")


@dataclass
class Cell:
    kind: object
    item: object
    row: int
    col: int
    colspan: int

    def overlaps(self, row: int, col: int, colspan: int) -> bool:
        return self.row == row and self.col < col + colspan and col < self.col + self.colspan


class LayoutCells:
    """The items of one chart's pyqtgraph GraphicsLayout, by kind and cell."""

    def __init__(self, layout: pg.GraphicsLayout):
        self.layout = layout
        self._kept: list[Cell] = []   # placed or reused by the current drawing
        self._old: list[Cell] = []    # the last drawing's, not (yet) reused

    def begin(self) -> None:
        """A drawing starts: every item becomes available for reuse."""
        self._old, self._kept = self._old + self._kept, []

    def reuse(self, kind, row: int, col: int = 0, colspan: int = 1):
        """The last drawing's item of `kind` in exactly this cell, or None."""
        for cell in self._old:
            if cell.kind == kind and (cell.row, cell.col, cell.colspan) == (row, col, colspan):
                self._old.remove(cell)
                self._kept.append(cell)
                return cell.item
        return None

    def place(self, item, kind, row: int, col: int = 0, colspan: int = 1):
        """Put a new item in a cell, first removing the last drawing's items there."""
        for cell in [c for c in self._old if c.overlaps(row, col, colspan)]:
            self._old.remove(cell)
            self.layout.removeItem(cell.item)
        self.layout.addItem(item, row=row, col=col, colspan=colspan)
        self._kept.append(Cell(kind, item, row, col, colspan))
        return item

    def finish(self) -> None:
        """The drawing is done: remove what it did not reuse."""
        for cell in self._old:
            self.layout.removeItem(cell.item)
        self._old = []

    def items(self) -> list:
        return [cell.item for cell in self._old + self._kept]


def show_text(label: pg.LabelItem, text: str, **style) -> None:
    """Set a LabelItem's text unless it already shows exactly this (setHtml re-lays it out)."""
    shown = (text, tuple(sorted(style.items())))
    if getattr(label, "_shown_text", None) != shown:
        label.setText(text, **style)
        label._shown_text = shown


def reuse_label(cells: LayoutCells, kind: str, row: int, col: int, colspan: int, make, text: str,
                **style) -> pg.LabelItem:
    """The label of `kind` in this cell showing `text`: the last drawing's, or `make(text, **style)`."""
    label = cells.reuse(kind, row, col, colspan)
    if label is None:
        label = cells.place(make(text, **style), kind, row, col, colspan)
        label._shown_text = (text, tuple(sorted(style.items())))
    else:
        show_text(label, text, **style)
    return label


def new_plot(axis_types: dict | None) -> pg.PlotItem:
    """A PlotItem without the view box's context menu (charts are static; the menu costs ~3 ms)."""
    axis_items = {name: make() for name, make in (axis_types or {}).items()}
    plot = pg.PlotItem(axisItems=axis_items or None, enableMenu=False)
    plot.hideButtons()
    plot.getViewBox().setMouseEnabled(False, False)
    return plot


def clear_plot(plot: pg.PlotItem) -> None:
    """Back to a fresh plot's state, keeping the item: no data items, default ticks, upright,
    no grid (a drawing sets its ranges, ticks and labels again)."""
    plot.clear()
    vb = plot.getViewBox()
    for name in AXES:
        forget_category_font(plot.getAxis(name), vb)   # or a resize brings old labels back
        plot.getAxis(name).setTicks(None)
    if vb.state["yInverted"]:
        vb.invertY(False)
    if vb.state["xInverted"]:
        vb.invertX(False)
    if plot.ctrl.xGridCheck.isChecked() or plot.ctrl.yGridCheck.isChecked():
        plot.showGrid(False, False)


def set_axis_label(axis: pg.AxisItem, text: str, **style) -> None:
    """Show `text` beside the axis ("" hides the label); untouched when already shown."""
    if not text:
        if axis.label.isVisible():
            axis.showLabel(False)
        return
    if axis.labelText != text or axis.labelStyle != style or not axis.label.isVisible():
        axis.setLabel(text, **style)


def plot_message(plot: pg.PlotItem, text: str, color) -> None:
    """`text` in the middle of an otherwise empty plot."""
    plot.addItem(pg.TextItem(text, color=color, anchor=(0.5, 0.5)))
    plot.getViewBox().setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)


class ChartParts:
    """The parts a chart's `_draw` builds its layout from (mixed into ChartWidget, which
    provides `cells`, `theme`, `view`, `pen()` and `font()`). Each asks the last drawing
    for the same part in the same cell before making a new one."""

    def add_header(self, title: str, subtitle: str = "", colspan: int = 1) -> WrappingLabel:
        """Chart title (and a smaller line under it) across the top, wrapped to the width."""
        text = f"<b>{html.escape(title)}</b>"
        if subtitle:
            text += f"<br><span style='font-size: 8.5pt; font-weight: normal'>{html.escape(subtitle)}</span>"
        return reuse_label(self.cells, "header", 0, 0, colspan, partial(WrappingLabel, center=True), text,
                           color=self.theme.foreground.name(), size="11pt")

    def add_plot(self, row: int = 1, col: int = 0, *, left: str = "", bottom: str = "",
                 axis_types: dict | None = None) -> pg.PlotItem:
        """A themed plot with mouse pan/zoom and the context menu off (charts are static).

        `axis_types` maps axis names to factories of custom axes (e.g. {"bottom": SlantedAxis});
        the last drawing's plot in this cell is reused when its axes are of the same kinds."""
        kind = ("plot", tuple(sorted((axis_types or {}).items(), key=lambda kv: kv[0])))
        plot = self.cells.reuse(kind, row, col)
        if plot is None:
            plot = self.cells.place(new_plot(axis_types), kind, row, col)
        else:
            clear_plot(plot)
        themed = (self.theme.foreground.name(), self._line_scale)
        for name in AXES:
            axis = plot.getAxis(name)
            axis.setStyle(tickFont=self.font(9))
            if getattr(plot, "_themed", None) == themed:
                continue   # a reused plot in the same theme (each of these re-lays out the label)
            axis.setPen(self.pen(self.theme.foreground))
            axis.setTextPen(self.theme.foreground)
            if not isinstance(axis, SlantedAxis):
                axis.setStyle(hideOverlappingLabels=False)  # keep the end ticks' labels
            axis.enableAutoSIPrefix(False)  # units are in the labels; never "(x0.001)"
        plot._themed = themed
        label_style = {"color": self.theme.foreground.name(), "font-size": "9pt"}
        set_axis_label(plot.getAxis("left"), left, **label_style)
        set_axis_label(plot.getAxis("bottom"), bottom, **label_style)
        return plot

    def add_footer(self, text: str, row: int, colspan: int = 1) -> WrappingLabel:
        """Small source line under the plot, so exported images carry their source."""
        return reuse_label(self.cells, "footer", row, 0, colspan, WrappingLabel, html.escape(text),
                           color=self.theme.foreground.name(), size="7.5pt", justify="left")

    def add_item(self, item, row: int, col: int = 0, colspan: int = 1, kind=None):
        """Put another layout item (a colour bar...) in a cell; `kind` lets the next drawing
        find it again with `reuse_item`."""
        return self.cells.place(item, kind or ("item", type(item)), row, col, colspan)

    def reuse_item(self, kind, row: int, col: int = 0, colspan: int = 1):
        """The last drawing's item added with this `kind` in this cell (None: make a new one)."""
        return self.cells.reuse(kind, row, col, colspan)

    def add_legend(self, row: int, col: int = 0, colspan: int = 1) -> SwatchLegend:
        """A legend in its own layout cell (below the plot: columns follow the chart width)."""
        legend = self.cells.reuse("legend", row, col, colspan)
        if legend is None:
            legend = self.cells.place(SwatchLegend(self.theme.foreground, 8.0, QGuiApplication.font()),
                                      "legend", row, col, colspan)
        else:
            legend.clear()
            legend.set_color(self.theme.foreground)
        self._legend = legend
        return legend

    def legend_entry(self, item, name: str) -> None:
        """Add `item` (a plot item or a `Swatch`) to the legend under `name`."""
        if self._legend is not None:
            self._legend.add(item, name)

    def _fit_legend(self) -> None:
        if self._legend is not None:
            self._legend.fit(self.view.width() - 26)   # the layout's side margins

    def _draw_message(self, text: str) -> None:
        """Say `text` instead of drawing the chart."""
        self.message = text
        reuse_label(self.cells, "message", 0, 0, 1, pg.LabelItem, text, color=self.theme.foreground.name(),
                    size="10pt")
