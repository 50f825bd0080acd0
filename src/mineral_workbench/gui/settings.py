"""The window's persistent settings: one typed defaults table, one accessor, an INI file.

Settings live in `settings.ini` under `MINERAL_WORKBENCH_SETTINGS_DIR` when it is set (tests
point it at a temp dir), else under Qt's AppConfigLocation. Values are stored as JSON text or
Qt byte arrays, never pickled, and the file carries a version for later migrations
(STYLE pattern 7). Nothing is read at import time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

ENV_DIR = "MINERAL_WORKBENCH_SETTINGS_DIR"
FILE_NAME = "settings.ini"
VERSION = 1
MAX_RECENT = 10
THEMES = ("system", "light", "dark")

# key -> default; the type of the default is the type the accessor returns
DEFAULTS: dict[str, Any] = {
    "window/geometry": QByteArray(),
    "window/state": QByteArray(),
    "files/recent": [],
    "files/last_folder": "",
    "appearance/theme": "system",
    "reports/open_after_load": True,
    "export/folder": "",
    "export/prepared_by": "",
}


def settings_dir() -> Path:
    """The folder that holds the settings file and the log (created on demand)."""
    folder = os.environ.get(ENV_DIR)
    if not folder:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    if not folder:  # no home directory at all: keep working, in the current folder
        folder = os.path.join(os.getcwd(), ".mineral-workbench")
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


class Settings:
    """Typed access to the settings file; `get`/`set` only accept keys of DEFAULTS."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or settings_dir()
        self._qs = QSettings(str(self.folder / FILE_NAME), QSettings.Format.IniFormat)
        stored = self._qs.value("meta/version")
        if stored is None:
            self._qs.setValue("meta/version", VERSION)
        # migrations go here when VERSION grows

    @property
    def path(self) -> Path:
        return Path(self._qs.fileName())

    def get(self, key: str) -> Any:
        default = DEFAULTS[key]
        raw = self._qs.value(key)
        if raw is None:
            return _copy(default)
        if isinstance(default, QByteArray):
            return raw if isinstance(raw, QByteArray) else QByteArray()
        if isinstance(default, (list, dict, bool)):
            try:
                value = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError:
                return _copy(default)
            return value if isinstance(value, type(default)) else _copy(default)
        return raw if isinstance(raw, type(default)) else type(default)(raw)

    def set(self, key: str, value: Any) -> None:
        default = DEFAULTS[key]
        if isinstance(default, (list, dict, bool)):
            self._qs.setValue(key, json.dumps(value))
        else:
            self._qs.setValue(key, value)

    def sync(self) -> None:
        self._qs.sync()

    # --- recent files -----------------------------------------------------------------------

    def recent_files(self) -> list[str]:
        return [str(f) for f in self.get("files/recent") if isinstance(f, str)][:MAX_RECENT]

    def add_recent(self, files) -> list[str]:
        """Put `files` first (newest first, no duplicates) and return the new list."""
        new = [str(Path(f).resolve()) for f in files]
        recent = list(dict.fromkeys(new + self.recent_files()))[:MAX_RECENT]
        self.set("files/recent", recent)
        return recent

    def clear_recent(self) -> None:
        self.set("files/recent", [])

    def theme(self) -> str:
        theme = self.get("appearance/theme")
        return theme if theme in THEMES else "system"


def _copy(value: Any) -> Any:
    if isinstance(value, QByteArray):
        return QByteArray(value)
    if isinstance(value, (list, dict)):
        return json.loads(json.dumps(value))
    return value
