"""The window's actions, menus and main toolbar, built in one place; the window connects them.

Standard shortcuts come from QKeySequence's standard keys, so they follow the platform
(Ctrl+O, Ctrl+C, Ctrl+Q, F1 for help).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from .icons import icon
from .theme import THEMES

_KEY = QKeySequence.StandardKey


@dataclass(frozen=True)
class WindowActions:
    open: QAction
    add_files: QAction
    import_mapping: QAction
    add_mapping: QAction
    close_all: QAction
    reload: QAction
    show_report: QAction
    export_png: QAction
    export_svg: QAction
    copy_chart: QAction
    quit: QAction
    copy: QAction
    find: QAction
    reset_layout: QAction
    report_after_load: QAction
    themes: dict
    methods: QAction
    show_log: QAction
    about: QAction
    recent_menu: "RecentMenu"
    file_menu: QMenu
    edit_menu: QMenu
    view_menu: QMenu
    docks_menu: QMenu
    toolbar: QToolBar


class RecentMenu(QMenu):
    """File → Open Recent: newest first, numbered for the keyboard, with Clear Menu."""

    open_file = Signal(str)
    clear_requested = Signal()

    def __init__(self, parent=None):
        super().__init__("Open &Recent", parent)
        self.setObjectName("recent_menu")
        self.set_files([])

    def set_files(self, files: list[str]) -> None:
        self.clear()
        for number, name in enumerate(files, start=1):
            path = Path(name)
            prefix = f"&{number} " if number < 10 else ""
            action = self.addAction(f"{prefix}{path.name}  —  {path.parent}")
            action.setData(str(path))
            action.setToolTip(str(path))
            action.triggered.connect(lambda _=False, p=str(path): self.open_file.emit(p))
        if files:
            self.addSeparator()
        clear = self.addAction("&Clear Menu")
        clear.setEnabled(bool(files))
        clear.triggered.connect(self.clear_requested)
        self.setEnabled(True)

    def files(self) -> list[str]:
        return [a.data() for a in self.actions() if a.data()]


def _action(window, text: str, *, icon_name: str | None = None, shortcut=None, tip: str = "",
            enabled: bool = True) -> QAction:
    action = QAction(icon(icon_name) if icon_name else icon(""), text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.setEnabled(enabled)
    return action


def build_actions(window: QMainWindow) -> WindowActions:
    """Create the actions, the menus and the main toolbar."""
    a = {
        "open": _action(window, "&Open…", icon_name="open", shortcut=_KEY.Open,
                        tip="Open trade exports (replaces the files loaded now)"),
        "add_files": _action(window, "&Add Files…", icon_name="add", shortcut="Ctrl+Shift+O",
                             tip="Add trade exports to the files loaded now"),
        "import_mapping": _action(window, "Import with Column &Mapping…",
                                  tip="Map the columns of any spreadsheet to trade data "
                                      "(replaces the files loaded now)"),
        "add_mapping": _action(window, "A&dd with Column Mapping…",
                               tip="Map the columns of a spreadsheet and add it to the files "
                                   "loaded now"),
        "close_all": _action(window, "&Close All", icon_name="close", shortcut="Ctrl+Shift+W",
                             tip="Close every loaded file"),
        "reload": _action(window, "&Reanalyze", icon_name="analyze", shortcut=_KEY.Refresh,
                          tip="Read the open files again and recompute", enabled=False),
        "show_report": _action(window, "Import &Report…", icon_name="report", shortcut="Ctrl+I",
                               tip="Show the import report of the loaded files", enabled=False),
        "export_png": _action(window, "Export Chart as &PNG…", icon_name="export",
                              tip="Save the chart shown as a PNG image at a chosen resolution"),
        "export_svg": _action(window, "Export Chart as &SVG…",
                              tip="Save the chart shown as an SVG drawing"),
        "copy_chart": _action(window, "Copy C&hart", tip="Copy the chart shown to the clipboard"),
        "quit": _action(window, "&Quit", shortcut="Ctrl+Q", tip="Quit the workbench"),
        "copy": _action(window, "&Copy", icon_name="copy", shortcut=_KEY.Copy,
                        tip="Copy the selected cells as tab-separated text"),
        "find": _action(window, "&Find Mineral…", shortcut=_KEY.Find,
                        tip="Filter the minerals table by name"),
        "reset_layout": _action(window, "&Reset Layout", tip="Put every panel back where it started"),
        "report_after_load": _action(window, "Show Import &Report After Loading",
                                     tip="Open the import report each time files are loaded"),
        "methods": _action(window, "&Methods", icon_name="help", shortcut=_KEY.HelpContents,
                           tip="Every formula the workbench uses"),
        "show_log": _action(window, "Show &Log", tip="Open the application log"),
        "about": _action(window, "&About Mineral Exposure Workbench"),
    }
    a["report_after_load"].setCheckable(True)
    a["quit"].setMenuRole(QAction.MenuRole.QuitRole)
    a["about"].setMenuRole(QAction.MenuRole.AboutRole)
    themes = QActionGroup(window)
    themes.setExclusive(True)
    theme_actions = {}
    for name in THEMES:
        action = QAction({"system": "Follow &System", "light": "&Light", "dark": "&Dark"}[name], window)
        action.setCheckable(True)
        action.setData(name)
        themes.addAction(action)
        theme_actions[name] = action

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addAction(a["open"])
    file_menu.addAction(a["add_files"])
    recent = RecentMenu(file_menu)
    file_menu.addMenu(recent)
    file_menu.addAction(a["import_mapping"])
    file_menu.addAction(a["add_mapping"])
    file_menu.addSeparator()
    file_menu.addAction(a["reload"])
    file_menu.addAction(a["show_report"])
    export_menu = file_menu.addMenu("&Export Chart")
    for key in ("export_png", "export_svg", "copy_chart"):
        export_menu.addAction(a[key])
    file_menu.addSeparator()
    file_menu.addAction(a["close_all"])
    file_menu.addAction(a["quit"])

    edit_menu = bar.addMenu("&Edit")
    edit_menu.addAction(a["copy"])
    edit_menu.addAction(a["find"])

    view_menu = bar.addMenu("&View")
    docks_menu = view_menu.addMenu("&Panels")
    theme_menu = view_menu.addMenu("&Theme")
    for action in theme_actions.values():
        theme_menu.addAction(action)
    view_menu.addAction(a["report_after_load"])
    view_menu.addSeparator()
    view_menu.addAction(a["reset_layout"])

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a["methods"])
    help_menu.addAction(a["show_log"])
    help_menu.addSeparator()
    help_menu.addAction(a["about"])

    toolbar = window.addToolBar("Main toolbar")
    toolbar.setObjectName("main_toolbar")
    for key in ("open", "add_files", "reload", None, "show_report", "export_png", "copy", None, "methods"):
        if key is None:
            toolbar.addSeparator()
        else:
            toolbar.addAction(a[key])
    return WindowActions(**a, themes=theme_actions, recent_menu=recent, file_menu=file_menu,
                         edit_menu=edit_menu, view_menu=view_menu,
                         docks_menu=docks_menu, toolbar=toolbar)
