"""The Lưu trữ menu follows the rights matrix as the acting person changes: the principal may lock and
export, the office (Văn phòng + Lưu trữ) exports but may not lock, a teacher does neither — and a
disabled item triggered anyway writes nothing."""

from __future__ import annotations

import pytest

from hocbaso_desktop.domain import rights
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.services.year_lock import year_status
from hocbaso_desktop.storage.engine import Store


@pytest.mark.parametrize("code, export, lock", [("HT", True, True), ("VP01", True, False), ("GV001", False, False),
                                                ("QT01", True, False)])
def test_archive_menu_follows_the_matrix(qtbot, demo_store: Store, code: str, export: bool, lock: bool) -> None:
    win = MainWindow(demo_store, "HT")
    qtbot.addWidget(win)
    ui = win.archive_ui
    win.set_acting(code)
    assert win.actor.code == code
    assert rights.allowed(win.actor, rights.EXPORT_ARCHIVE) == export  # the matrix says so…
    assert ui.export_action.isEnabled() == export  # …and the menu shows it
    assert ui.lock_action.isEnabled() == ui.unlock_action.isEnabled() == lock
    if not lock:
        ui.lock_action.trigger()  # greyed out: nothing asked, nothing locked
        assert not year_status(demo_store, win.year).locked


def test_the_viewer_may_do_nothing_in_the_archive_menu(qtbot, demo_store: Store) -> None:
    win = MainWindow(demo_store, None)
    qtbot.addWidget(win)
    assert not win.archive_ui.export_action.isEnabled() and not win.archive_ui.lock_action.isEnabled()
    assert win.archive_ui.browse_action.isEnabled()  # opening an archive read-only needs no right
