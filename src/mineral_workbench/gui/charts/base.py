"""What every chart shares: data in, theme, hover text, click-to-select, export.

A chart is a QWidget around a pyqtgraph GraphicsLayoutWidget. Subclasses draw from the
core's `AnalysisResult` in `_draw()` and answer three questions about a point in data
coordinates: which key is there (`_hit`), what to say about it (`_hover_text`) and which
mineral it stands for (`_mineral_for`). Hover, clicks and the shared selection are wired
here once. A redraw keeps the layout's title, plot, legend and footer (`layout.ChartParts`)
and replaces only what they show, so redraws after what-if edits stay cheap. Exports render
a fresh off-screen copy ("twin") of the chart at the requested size, so the chart on screen
is never resized and strokes scale with the DPI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QCursor, QFont, QGuiApplication, QImage
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy,
                               QToolTip, QVBoxLayout, QWidget)

from . import export
from .export import LOGICAL_DPI
from .layout import ChartParts, LayoutCells
from .painted import SwatchLegend
from .palette import Theme
from .text import source_note


ROW_PIXELS = 12   # the least height of a category row on screen (7.4 pt labels)


class ChartWidget(ChartParts, QWidget):
    """Base of every chart: set_data, hover, click-to-select and exports."""

    chart_id = "chart"
    title = "Chart"
    default_size_inches = (6.0, 4.0)

    hovered = Signal(str)   # the hover text (also shown as a tooltip), for a status bar

    def __init__(self, selection=None, parent: QWidget | None = None, *, line_scale: float = 1.0):
        super().__init__(parent)
        self._selection = selection
        self._line_scale = float(line_scale)
        self._result = None
        self._loaded = None
        self._selected: list[str] = list(selection.minerals) if selection is not None else []
        self._plot: pg.PlotItem | None = None
        self.theme = Theme.from_palette(self.palette())
        self.hover_text = ""
        self._message = ""
        self._stale = True
        self._for_export = False   # a twin laid out for an export: no on-screen minimum sizes
        self._vector = False       # a twin for SVG: prefer vector items to scaled bitmaps

        self.controls = QWidget(self)
        self.controls_layout = QHBoxLayout(self.controls)
        self.controls_layout.setContentsMargins(4, 2, 4, 2)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setAccessibleName(f"{self.title} chart")
        self.view.setMinimumSize(120, 90)
        self.scroll = QScrollArea(self)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.controls)
        layout.addWidget(self.scroll, 1)
        self.setAccessibleName(self.title)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self._legend: SwatchLegend | None = None
        self.cells = LayoutCells(self.view.ci)   # title, plot, legend...: reused by redraws
        self.view.installEventFilter(self)
        scene = self.view.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)
        if selection is not None:
            selection.changed.connect(self._on_selection_changed)
        self._build_controls()
        self.controls.setVisible(self.controls_layout.count() > 0)
        self.redraw()

    # --- data -------------------------------------------------------------------------
    def set_data(self, result, loaded=None) -> None:
        """Show `result` (core AnalysisResult); `loaded` (LoadedData) carries the yearly cube.

        A what-if edit that leaves what this chart plots unchanged (its `_data_key`) costs no
        redraw: hover texts read the new result, the drawing stays."""
        key = self._data_key(result) if result is not None and result.minerals is not None else None
        unchanged = (key is not None and key == getattr(self, "_drawn_key", None)
                     and loaded is self._loaded and not self._stale)
        self._result = result
        self._loaded = loaded
        self._drawn_key = key
        if not unchanged:
            self.redraw()

    def _data_key(self, result):
        """A cheap comparable of everything `_draw` reads from `result`; None: always redraw."""
        return None

    @property
    def selected(self) -> list[str]:
        return list(self._selected)

    def redraw(self) -> None:
        """Rebuild from the stored result now if the chart is on screen, else when it is shown.

        Charts in hidden tabs or docks cost nothing when the analysis is recomputed.
        """
        if self.isVisible() or self._for_export:
            self._redraw_now()
        else:
            self._stale = True

    def ensure_drawn(self) -> None:
        """Bring a hidden chart up to date (before reading its items or exporting it)."""
        if self._stale:
            self._redraw_now()

    @property
    def message(self) -> str:
        """What the chart says instead of plotting ("" when it plots)."""
        self.ensure_drawn()
        return self._message

    @message.setter
    def message(self, text: str) -> None:
        self._message = text

    def showEvent(self, event) -> None:
        self.ensure_drawn()
        super().showEvent(event)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.PaletteChange:   # light/dark theme switch
            self.redraw()
        super().changeEvent(event)

    def _redraw_now(self) -> None:
        self._stale = False
        self.theme = Theme.from_palette(self.palette())
        self.view.setBackground(self.theme.background)
        self.cells.begin()
        self.view.ci.layout.setContentsMargins(8, 6, 18, 6)  # room for the last x tick label
        self._plot = None
        self._legend = None
        self.message = ""
        if not self._for_export:
            self.view.setMinimumHeight(90)
        self._readable_rows = 0
        self._reset()
        try:
            if self._result is None or self._result.minerals is None or self._result.minerals.empty:
                self._draw_message("No data loaded: open trade exports to see this chart")
                return
            self._draw()
        finally:
            self.cells.finish()
        self._fit_legend()
        self._relayout()

    def _relayout(self) -> None:
        """Fit the layout back into the view: pyqtgraph grows it while items are added, never shrinks it."""
        self.view.ci.layout.activate()
        self.view.ci.setGeometry(QRectF(0, 0, self.view.width(), self.view.height()))
        self._keep_rows_readable()

    def keep_rows_readable(self, rows: int) -> None:
        """On screen, give each of `rows` categories at least ROW_PIXELS: a short dock then
        scrolls the chart instead of squeezing bars and labels together (exports keep their size)."""
        self._readable_rows = rows

    def _keep_rows_readable(self) -> None:
        if self._for_export or not getattr(self, "_readable_rows", 0) or self._plot is None:
            return
        around = self.view.height() - self._plot.getViewBox().height()   # titles, axes, legend
        wanted = int(around + self._readable_rows * ROW_PIXELS)
        if wanted > self.view.minimumHeight():
            self.view.setMinimumHeight(wanted)

    def _reset(self) -> None:
        """Forget what the last drawing plotted (before every redraw)."""

    def _draw(self) -> None:  # pragma: no cover - every chart overrides
        raise NotImplementedError

    def chart_data(self) -> dict:
        """The numbers the chart plots (for tests and exports)."""
        self.ensure_drawn()
        return self._chart_data()

    def _chart_data(self) -> dict:  # pragma: no cover - every chart overrides
        raise NotImplementedError

    # --- options (toggles) -----------------------------------------------------------------
    def _build_controls(self) -> None:
        """Subclasses add their toggles to `controls_layout`."""

    def add_choice(self, label: str, choices: dict[str, str], option: str, accessible: str) -> QComboBox:
        """A labelled combo box in the control row that sets option `option` to a key of `choices`."""
        text = QLabel(label, self.controls)
        box = QComboBox(self.controls)
        for key, title in choices.items():
            box.addItem(title, key)
        box.setAccessibleName(accessible)
        text.setBuddy(box)
        box.currentIndexChanged.connect(lambda _i: self.set_options(**{option: box.currentData()}))
        self.controls_layout.addWidget(text)
        self.controls_layout.addWidget(box)
        self.controls_layout.addStretch(1)
        return box

    def options(self) -> dict[str, Any]:
        return {}

    def set_options(self, **options) -> None:
        if options:
            raise TypeError(f"{type(self).__name__} has no options {sorted(options)}")

    # --- building blocks -------------------------------------------------------------------
    def pen(self, color, width: float = 1.0, style: Qt.PenStyle | None = None):
        """A cosmetic pen whose width follows the export DPI (cosmetic pens ignore scaling)."""
        pen = pg.mkPen(color, width=width * self._line_scale)
        if style is not None:
            pen.setStyle(style)
        return pen

    def font(self, points: float = 9.0, bold: bool = False) -> QFont:
        font = QFont(QGuiApplication.font())
        font.setPointSizeF(points)
        font.setBold(bold)
        return font

    def eventFilter(self, obj, event) -> bool:
        if obj is self.view and event.type() == QEvent.Type.Resize:
            self._fit_legend()
            self._relayout()
        return super().eventFilter(obj, event)

    def source(self) -> str:
        return source_note(self._result.inputs if self._result is not None else {})

    # --- hover and click -------------------------------------------------------------------
    def _hit(self, x: float, y: float):
        """Key of the thing under data point (x, y), or None."""
        return None

    def _hover_text(self, key) -> str:
        return ""

    def _mineral_for(self, key) -> str | None:
        return None

    def text_at(self, x: float, y: float) -> str:
        """Hover text at data point (x, y) of the main plot ("" for nothing)."""
        self.ensure_drawn()
        key = self._hit(x, y)
        return self._hover_text(key) if key is not None else ""

    def scene_pos_of(self, x: float, y: float) -> QPointF:
        """Scene position of data point (x, y) of the main plot (for tests and tools)."""
        self.ensure_drawn()
        return self._plot.getViewBox().mapViewToScene(QPointF(x, y))

    def viewport_pos_of(self, x: float, y: float) -> QPoint:
        return self.view.mapFromScene(self.scene_pos_of(x, y))

    def _data_pos(self, scene_pos: QPointF) -> QPointF | None:
        if self._plot is None:
            return None
        vb = self._plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        return vb.mapSceneToView(scene_pos)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        pos = self._data_pos(scene_pos)
        text = self.text_at(pos.x(), pos.y()) if pos is not None else ""
        if text == self.hover_text:
            return
        self.hover_text = text
        self.hovered.emit(text)
        if text:
            QToolTip.showText(QCursor.pos(), text, self.view)
        else:
            QToolTip.hideText()

    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = self._data_pos(event.scenePos())
        if pos is None:
            return
        key = self._hit(pos.x(), pos.y())
        mineral = self._mineral_for(key) if key is not None else None
        if mineral:
            self.select_mineral(mineral)

    def select_mineral(self, mineral: str) -> None:
        """Make `mineral` the selection everywhere (or here only, without a shared selection)."""
        if self._selection is not None:
            self._selection.select([mineral], origin=self)
        else:
            self._on_selection_changed([mineral], self)

    def _on_selection_changed(self, minerals: list, origin: object) -> None:
        self._selected = list(minerals)
        self._selection_changed(from_self=origin is self)

    def _selection_changed(self, from_self: bool) -> None:
        """Default: redraw (highlights follow the selection)."""
        if self._result is not None:
            self.redraw()

    # --- export ----------------------------------------------------------------------------
    def _export_state(self) -> dict:
        """Extra state a twin needs to look like this chart (besides options and selection)."""
        return {}

    def _restore_export_state(self, state: dict) -> None:
        pass

    def _twin(self, line_scale: float, width: int, height: int, vector: bool = False) -> "ChartWidget":
        """An off-screen copy of this chart, laid out at width x height logical pixels."""
        return export.make_twin(self, line_scale, width, height, vector)

    @staticmethod
    def _dispose(twin: "ChartWidget") -> None:
        export.dispose(twin)

    def render_image(self, width_px: int, height_px: int, dpi: float = LOGICAL_DPI) -> QImage:
        """The chart as an image of exactly width_px x height_px, fonts and strokes scaled to `dpi`."""
        return export.render_image(self, width_px, height_px, dpi)

    def export_png(self, path, dpi: float = 200, size_inches: tuple[float, float] | None = None) -> Path:
        """Write a PNG of size_inches (default: the chart's) at `dpi`; no dialogs (no path: ValueError)."""
        return export.export_png(self, path, dpi, size_inches or self.default_size_inches)

    def export_svg(self, path, size_inches: tuple[float, float] | None = None) -> Path:
        """Write an SVG of size_inches (default: the chart's); no dialogs (no path: ValueError)."""
        return export.export_svg(self, path, size_inches or self.default_size_inches)

    def copy_to_clipboard(self, dpi: float = 192) -> QImage:
        """Put the chart, as sized on screen, on the clipboard at `dpi` (sharp in documents)."""
        return export.copy_to_clipboard(self, dpi)
