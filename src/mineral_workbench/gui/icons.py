"""The bundled SVG icons as QIcons, built on first use (STYLE pattern 8)."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon

from mineral_workbench.core.resources import data_dir

NAMES = ("app", "open", "add", "analyze", "close", "copy", "export", "help", "report")


@lru_cache(maxsize=None)
def icon(name: str) -> QIcon:
    """The icon `name` (one of NAMES); an empty icon if the file is missing, never an error."""
    if not name:
        return QIcon()
    try:
        path = data_dir("icons") / f"{name}.svg"
    except FileNotFoundError:
        return QIcon()
    return QIcon(str(path)) if path.is_file() else QIcon()
