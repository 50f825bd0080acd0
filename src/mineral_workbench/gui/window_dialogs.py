"""The window's non-modal dialogs (import report, methods, about, log), made on first use and
reused, so asking twice raises the open one instead of stacking copies."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from .applog import LogViewer
from .help_pages import about_dialog, methods_dialog
from .report_view import ImportReportDialog


class WindowDialogs:
    def __init__(self, parent: QWidget):
        self._parent = parent
        self._open: dict[str, QWidget] = {}

    def get(self, key: str):
        """An already made dialog ('report', 'methods', 'about', 'log') or None."""
        return self._open.get(key)

    def _make(self, key: str, factory):
        if key not in self._open:
            self._open[key] = factory()
        return self._open[key]

    @staticmethod
    def _front(dialog):
        dialog.show()
        dialog.raise_()
        return dialog

    def import_report(self, reports, index: int = 0) -> ImportReportDialog:
        dialog = self._make("report", lambda: ImportReportDialog(self._parent))
        dialog.show_reports(reports, index)
        return dialog

    def methods(self, weights=None):
        return self._front(self._make("methods", lambda: methods_dialog(self._parent, weights)))

    def about(self):
        return self._front(self._make("about", lambda: about_dialog(self._parent)))

    def log(self, path: Path) -> LogViewer:
        dialog = self._make("log", lambda: LogViewer(path, self._parent))
        dialog.reload()
        return self._front(dialog)

    def close_all(self) -> None:
        for dialog in self._open.values():
            dialog.close()
