"""The window's menu and toolbar actions, built in one place and wired by the window."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow

from .icons import icon


@dataclass(frozen=True)
class WindowActions:
    open: QAction
    reload: QAction
    quit: QAction
    copy: QAction


def build_actions(window: QMainWindow) -> WindowActions:
    """Create the actions, the File and Edit menus and the toolbar; the caller connects them."""
    open_action = QAction(icon("open"), "&Open…", window)
    open_action.setShortcut(QKeySequence.StandardKey.Open)
    open_action.setToolTip("Open trade exports (.xlsx, .csv, .json) and analyze them")
    reload_action = QAction(icon("analyze"), "&Reanalyze", window)
    reload_action.setShortcut(QKeySequence.StandardKey.Refresh)
    reload_action.setToolTip("Read the open files again and recompute the results")
    reload_action.setEnabled(False)
    quit_action = QAction("&Quit", window)
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))
    copy_action = QAction("&Copy cells", window)
    copy_action.setToolTip("Copy the selected cells as tab-separated text (Ctrl+C in a table)")

    file_menu = window.menuBar().addMenu("&File")
    file_menu.addAction(open_action)
    file_menu.addAction(reload_action)
    file_menu.addSeparator()
    file_menu.addAction(quit_action)
    edit_menu = window.menuBar().addMenu("&Edit")
    edit_menu.addAction(copy_action)

    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("main_toolbar")
    toolbar.setMovable(False)
    toolbar.addAction(open_action)
    toolbar.addAction(reload_action)
    return WindowActions(open=open_action, reload=reload_action, quit=quit_action, copy=copy_action)
