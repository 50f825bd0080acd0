"""The Export menu, present from the start; the export machinery behind it loads on first use.

The controller (`export_controller.ExportController`) imports the workbook and memo writers,
the export dialog and the memo editor: about 30 ms the window need not spend before it
shows its first analysis. `ExportMenu` builds the menu's actions at once and the controller
when an action is used or the workspace asks for the memo drafts; until then it keeps the
drafts itself.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMenu

MENU = (("xlsx", "Analysis workbook (&Excel)…", ("xlsx",)), ("docx", "Memo (&Word)…", ("docx",)),
        ("pdf", "Memo (&PDF)…", ("pdf",)), ("all", "Memo &and workbook…", ("xlsx", "docx", "pdf")))


class ExportMenu(QObject):
    """`window.exporter`: the Export menu's actions and, once built, the controller behind them."""

    finished = Signal(list)    # the written paths (forwarded from the controller)
    message = Signal(str)      # for the status bar

    def __init__(self, window, get_inputs, settings=None):
        super().__init__(window)
        self._window, self._get_inputs, self._settings = window, get_inputs, settings
        self._controller = None
        self._drafts: dict = {}
        self.actions: dict = {}

    def build_menu(self, menu: QMenu) -> None:
        for key, text, formats in MENU:
            action = menu.addAction(text)
            action.triggered.connect(lambda _=False, f=formats: self.controller.open_export(f))
            self.actions[key] = action
        menu.addSeparator()
        self.actions["edit_memo"] = menu.addAction("Edit &memo…")
        self.actions["edit_memo"].triggered.connect(lambda _=False: self.controller.edit_memo_draft())

    @property
    def controller(self):
        """The ExportController (built now if it was not yet)."""
        if self._controller is None:
            from .export_controller import ExportController  # noqa: PLC0415 - deferred on purpose

            controller = ExportController(self._window, self._get_inputs, settings=self._settings)
            controller.actions = self.actions   # it enables/disables them while busy
            controller.set_memo_drafts(self._drafts)
            controller.finished.connect(self.finished)
            controller.message.connect(self.message)
            self._controller = controller
        return self._controller

    @property
    def memo_drafts(self) -> dict:
        return self._controller.memo_drafts if self._controller else copy.deepcopy(self._drafts)

    def set_memo_drafts(self, drafts: dict | None) -> None:
        if self._controller is not None:
            self._controller.set_memo_drafts(drafts)
        else:
            self._drafts = copy.deepcopy(dict(drafts or {}))

    def is_busy(self) -> bool:
        return self._controller is not None and self._controller.is_busy()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        return self._controller is None or self._controller.shutdown(timeout_ms)

    def __getattr__(self, name: str):
        """Anything else (open_export, edit_memo_draft, dialog, last_timings...) is the controller's."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.controller, name)
