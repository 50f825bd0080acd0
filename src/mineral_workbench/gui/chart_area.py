"""The chart area: the registered charts in tabs, fed every new analysis, with export.

Charts come from the `gui.charts` registry: `make_charts(selection, parent)` returns
`{chart_id: widget}` and each widget has `title`, `set_data(result, loaded)`,
`export_png(path, dpi=, size_inches=)`, `export_svg(path)` and `copy_to_clipboard()`.
While that package is absent (or fails to import) the area says so and the rest of the
window works; a chart that fails to draw is logged and never takes the window down.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QInputDialog, QLabel, QTabWidget, QVBoxLayout,
                               QWidget)

log = logging.getLogger(__name__)

ChartFactory = Callable[..., dict]
DPI_CHOICES = (96, 150, 300, 600)
DEFAULT_DPI = 150


def default_chart_factory() -> ChartFactory | None:
    """`make_charts` from the charts package, or None when it is not available."""
    try:
        from . import charts  # noqa: PLC0415 - heavy (pyqtgraph); imported with the window
    except ModuleNotFoundError as exc:
        log.info("charts unavailable: %s", exc)
        return None
    except Exception:  # noqa: BLE001 - a broken chart package must not stop the window
        log.exception("the charts package failed to import")
        return None
    return getattr(charts, "make_charts", None)


class ChartArea(QWidget):
    exported = Signal(str)  # a message for the status bar

    def __init__(self, selection, factory: ChartFactory | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Charts")
        self.charts: dict[str, QWidget] = {}
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        factory = factory if factory is not None else default_chart_factory()
        if factory is not None:
            try:
                self.charts = dict(factory(selection, self))
            except Exception:  # noqa: BLE001
                log.exception("building the charts failed")
                self.charts = {}
        for chart_id, chart in self.charts.items():
            chart.setObjectName(f"chart_{chart_id}")
            title = str(getattr(chart, "title", chart_id))
            chart.setAccessibleName(f"{title} chart")
            self.tabs.addTab(chart, title)
        self.message.setText("" if self.charts else
                             "Charts are not available in this build; the tables show every number.")
        self.message.setVisible(not self.charts)
        self.tabs.setVisible(bool(self.charts))
        self._pending: dict[str, tuple] = {}  # chart id -> analysis it has not drawn yet
        self.tabs.currentChanged.connect(self._tab_changed)

    # --- data ---------------------------------------------------------------------------------

    def show_analysis(self, analysis) -> None:
        """Feed the chart on show now and the others when their tab is opened (each chart
        draws in tens of milliseconds; five on every keystroke would make typing lag)."""
        self._pending = {chart_id: (analysis.result, analysis.loaded) for chart_id in self.charts}
        self._feed(self.current_id())

    def clear(self) -> None:
        self._pending = {chart_id: (None, None) for chart_id in self.charts}
        self._feed(self.current_id())

    def _feed(self, chart_id: str | None) -> None:
        if chart_id is None or chart_id not in self._pending:
            return
        result, loaded = self._pending.pop(chart_id)
        try:
            self.charts[chart_id].set_data(result, loaded)
        except Exception:  # noqa: BLE001
            log.exception("chart %s could not show the analysis", chart_id)

    def _tab_changed(self, _index: int) -> None:
        self._feed(self.current_id())

    def is_current(self, chart_id: str) -> bool:
        """Whether the chart holds the latest analysis (False: it gets it when shown)."""
        return chart_id not in self._pending

    def refresh_theme(self) -> None:
        """Redraw the charts in the new palette's colours."""
        for chart in self.charts.values():
            redraw = getattr(chart, "redraw", None)
            if callable(redraw):
                try:
                    redraw()
                except Exception:  # noqa: BLE001
                    log.exception("chart could not redraw for the new theme")

    # --- which chart --------------------------------------------------------------------------

    def chart_ids(self) -> list[str]:
        return list(self.charts)

    def select_chart(self, chart_id: str) -> None:
        self.tabs.setCurrentWidget(self.charts[chart_id])

    def current_chart(self):
        widget = self.tabs.currentWidget()
        return widget if widget in self.charts.values() else None

    def current_id(self) -> str | None:
        widget = self.current_chart()
        return next((k for k, v in self.charts.items() if v is widget), None)

    # --- export (the dialogs ask; the chart writes) -------------------------------------------

    def export_png(self, path: str | Path, dpi: int = DEFAULT_DPI) -> Path:
        chart = self._require_chart()
        chart.export_png(str(path), dpi=int(dpi))
        self.exported.emit(f"Chart saved to {path} at {dpi} dpi")
        return Path(path)

    def export_svg(self, path: str | Path) -> Path:
        chart = self._require_chart()
        chart.export_svg(str(path))
        self.exported.emit(f"Chart saved to {path}")
        return Path(path)

    def copy_chart(self) -> None:
        self._require_chart().copy_to_clipboard()
        self.exported.emit("Chart copied to the clipboard")

    def ask_export_png(self, folder: str = "") -> Path | None:
        chart = self.current_chart()
        if chart is None:
            return None
        name, _ = QFileDialog.getSaveFileName(self, "Export chart as PNG",
                                              str(Path(folder) / f"{self.current_id()}.png"),
                                              "PNG image (*.png)")
        if not name:
            return None
        choices = [str(d) for d in DPI_CHOICES]
        dpi, ok = QInputDialog.getItem(self, "PNG resolution", "Dots per inch:", choices,
                                       choices.index(str(DEFAULT_DPI)), True)
        if not ok:
            return None
        try:
            dpi_value = max(36, min(int(str(dpi).strip()), 1200))
        except ValueError:
            dpi_value = DEFAULT_DPI
        return self.export_png(_with_suffix(name, ".png"), dpi_value)

    def ask_export_svg(self, folder: str = "") -> Path | None:
        if self.current_chart() is None:
            return None
        name, _ = QFileDialog.getSaveFileName(self, "Export chart as SVG",
                                              str(Path(folder) / f"{self.current_id()}.svg"),
                                              "SVG image (*.svg)")
        return self.export_svg(_with_suffix(name, ".svg")) if name else None

    def _require_chart(self):
        chart = self.current_chart()
        if chart is None:
            raise RuntimeError("no chart to export")
        return chart


def _with_suffix(name: str, suffix: str) -> str:
    return name if name.lower().endswith(suffix) else name + suffix
