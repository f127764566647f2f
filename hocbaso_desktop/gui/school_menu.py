"""The "Nhà trường" menu: setting the school up (staff, class lists, assignments, pupils, trust).

Each capability's install_*_ui adds its own actions here, so the menu has one owner per action and
the order follows the steps a new school takes (school details → staff → class lists → assignments).
Actions carry object names (action_staff, action_assignments, …) that the empty main window's
"what to do first" panel and the tests find them by.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu

MENU_OBJECT_NAME = "school_menu"


def school_menu(window: QMainWindow) -> QMenu:
    """The window's "Nhà trường" menu, made on first use right after "Tệp"."""
    bar = window.menuBar()
    for action in bar.actions():
        menu = action.menu()
        if isinstance(menu, QMenu) and menu.objectName() == MENU_OBJECT_NAME:
            return menu
    menu = QMenu("&Nhà trường", window)
    menu.setObjectName(MENU_OBJECT_NAME)
    actions = bar.actions()
    if len(actions) > 1:
        bar.insertMenu(actions[1], menu)  # after Tệp
    else:
        bar.addMenu(menu)
    return menu
