"""The window's dock layout: where each panel starts, how big, and how to get back there.

Sources on the left (full height), charts on the right, the sector matrix and the defense
uses tabbed along the bottom, the minerals table in the middle. Every dock and toolbar has
an object name, so QMainWindow.saveState/restoreState can persist the analyst's layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

_AREA = Qt.DockWidgetArea
# default sizes, as fractions of the window (width for side docks, height for the bottom)
SOURCES_WIDTH, CHARTS_WIDTH, BOTTOM_HEIGHT = 0.17, 0.36, 0.42


@dataclass(frozen=True)
class Docks:
    sources: QDockWidget
    charts: QDockWidget
    sectors: QDockWidget
    defense: QDockWidget

    def by_name(self) -> dict[str, QDockWidget]:
        return {"sources": self.sources, "charts": self.charts, "sectors": self.sectors,
                "defense": self.defense}


def make_dock(window: QMainWindow, title: str, name: str, content: QWidget) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setAccessibleName(f"{title} panel")
    dock.setWidget(content)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                     | QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    dock.toggleViewAction().setToolTip(f"Show or hide the {title.lower()} panel")
    return dock


def build_docks(window: QMainWindow, *, sources: QWidget, charts: QWidget, sectors: QWidget,
                defense: QWidget) -> Docks:
    window.setCorner(Qt.Corner.TopLeftCorner, _AREA.LeftDockWidgetArea)
    window.setCorner(Qt.Corner.BottomLeftCorner, _AREA.LeftDockWidgetArea)
    window.setDockOptions(QMainWindow.DockOption.AnimatedDocks
                          | QMainWindow.DockOption.AllowTabbedDocks
                          | QMainWindow.DockOption.AllowNestedDocks)
    docks = Docks(sources=make_dock(window, "Sources", "dock_sources", sources),
                  charts=make_dock(window, "Charts", "dock_charts", charts),
                  sectors=make_dock(window, "Sectors", "dock_sectors", sectors),
                  defense=make_dock(window, "Defense uses", "dock_defense", defense))
    window.addDockWidget(_AREA.LeftDockWidgetArea, docks.sources)
    window.addDockWidget(_AREA.RightDockWidgetArea, docks.charts)
    window.addDockWidget(_AREA.BottomDockWidgetArea, docks.sectors)
    window.tabifyDockWidget(docks.sectors, docks.defense)
    docks.sectors.raise_()
    return docks


def apply_default_sizes(window: QMainWindow, docks: Docks) -> None:
    """Size the docks for the window's current size (call once it has its size)."""
    width, height = max(window.width(), 800), max(window.height(), 600)
    window.resizeDocks([docks.sources, docks.charts],
                       [int(width * SOURCES_WIDTH), int(width * CHARTS_WIDTH)],
                       Qt.Orientation.Horizontal)
    window.resizeDocks([docks.sectors], [int(height * BOTTOM_HEIGHT)], Qt.Orientation.Vertical)


def reveal(dock: QDockWidget) -> None:
    """Show a dock and bring its tab to the front."""
    dock.show()
    dock.raise_()
