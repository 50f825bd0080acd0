"""Light and dark themes, following the system's colour scheme unless the analyst picks one.

The themes are palettes on the Fusion style, deliberately without style sheets: a style
sheet puts every widget behind QStyleSheetStyle, which slows big tables. Colours that must
keep their meaning (the sector matrix, the charts) carry their own contrast.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("system", "light", "dark")
_ROLE = QPalette.ColorRole
_GROUP = QPalette.ColorGroup


def system_scheme() -> str:
    """'dark' or 'light' as the desktop reports it (Qt 6.5+), light when unknown."""
    try:
        scheme = QGuiApplication.styleHints().colorScheme()
    except AttributeError:  # Qt < 6.5
        return "light"
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def effective_theme(name: str) -> str:
    return system_scheme() if name == "system" else ("dark" if name == "dark" else "light")


def dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        _ROLE.Window: "#2b2d30", _ROLE.WindowText: "#e6e6e6", _ROLE.Base: "#1e1f22",
        _ROLE.AlternateBase: "#27292c", _ROLE.ToolTipBase: "#3c3f41", _ROLE.ToolTipText: "#e6e6e6",
        _ROLE.PlaceholderText: "#8c8c8c", _ROLE.Text: "#e6e6e6", _ROLE.Button: "#3a3d41",
        _ROLE.ButtonText: "#e6e6e6", _ROLE.BrightText: "#ff6b6b", _ROLE.Highlight: "#2f65ca",
        _ROLE.HighlightedText: "#ffffff", _ROLE.Link: "#6ea8fe", _ROLE.LinkVisited: "#b39ddb",
        _ROLE.Light: "#4a4d52", _ROLE.Midlight: "#3f4246", _ROLE.Mid: "#34363a",
        _ROLE.Dark: "#1a1b1d", _ROLE.Shadow: "#000000",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))
    for role in (_ROLE.WindowText, _ROLE.Text, _ROLE.ButtonText):
        palette.setColor(_GROUP.Disabled, role, QColor("#7a7a7a"))
    return palette


def light_palette(app: QApplication) -> QPalette:
    return app.style().standardPalette()


def apply_theme(name: str) -> str:
    """Apply theme `name` ('system', 'light', 'dark') app-wide; return 'light' or 'dark'."""
    app = QApplication.instance()
    effective = effective_theme(name)
    if app is None:
        return effective
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(dark_palette() if effective == "dark" else light_palette(app))
    return effective


def is_dark(widget=None) -> bool:
    """Whether the current palette is dark (for colours that must keep their contrast)."""
    palette = widget.palette() if widget is not None else QGuiApplication.palette()
    return palette.color(_ROLE.Window).lightnessF() < 0.5
