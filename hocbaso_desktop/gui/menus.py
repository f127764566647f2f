"""The main window's menus found by object name, so an extension adds its actions to a menu without
reaching into the window's attributes (and whatever language the titles are shown in)."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu

FILE_MENU = "file_menu"
EDIT_MENU = "edit_menu"
RECORDS_MENU = "records_menu"
TOOLS_MENU = "tools_menu"
OUTBOX_MENU = "outbox_menu"


def menu_named(window: QMainWindow, object_name: str) -> QMenu | None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.objectName() == object_name:
            return menu
    return None


def menu_or_new(window: QMainWindow, object_name: str, title: str) -> QMenu:
    """The menu of that object name, or a new one with `title` at the end of the menu bar."""
    menu = menu_named(window, object_name)
    if menu is None:
        menu = window.menuBar().addMenu(title)
        menu.setObjectName(object_name)
    return menu
