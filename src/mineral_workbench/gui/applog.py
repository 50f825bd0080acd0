"""The application log: Python logging to a file in the settings folder, and a viewer for it.

Support staff ask for the log first; Help → Show log opens it read-only inside the app, so
an analyst on a locked-down workstation never has to find the file.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QTextCursor
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

LOG_NAME = "workbench.log"
LOGGER = "mineral_workbench"
MAX_BYTES = 2_000_000
SHOWN_BYTES = 1_000_000  # the viewer shows the end of a long log
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(folder: Path) -> Path:
    """Send the package's log records to `folder/workbench.log` (once per folder)."""
    path = Path(folder) / LOG_NAME
    logger = logging.getLogger(LOGGER)
    for handler in logger.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path:
            return path
    for handler in [h for h in logger.handlers if getattr(h, "_workbench_log", False)]:
        logger.removeHandler(handler)  # a new settings folder (tests): log there instead
        handler.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=1,
                                                   encoding="utf-8", delay=False)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._workbench_log = True
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return path


def flush_log() -> None:
    for handler in logging.getLogger(LOGGER).handlers:
        handler.flush()


def read_log_tail(path: Path, limit: int = SHOWN_BYTES) -> str:
    """The last `limit` bytes of the log as text ('' when there is no log yet)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    if size > limit:
        text = "… (earlier lines omitted)\n" + text.split("\n", 1)[-1]
    return text


class LogViewer(QDialog):
    """Read-only view of the log file, with Reload; non-modal."""

    def __init__(self, path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = Path(path)
        self.setWindowTitle("Application log")
        self.resize(900, 520)
        self.location = QLabel(f"Log file: {self.path}", self)
        self.location.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setAccessibleName("Application log text")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        reload_button = QPushButton("&Reload", self)
        buttons.addButton(reload_button, QDialogButtonBox.ButtonRole.ActionRole)
        reload_button.clicked.connect(self.reload)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.location)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        flush_log()
        text = read_log_tail(self.path)
        self.text.setPlainText(text or "(the log is empty)")
        self.text.moveCursor(QTextCursor.MoveOperation.End)
