"""The idle lock on a real main window: locks after the idle time, opens with the right password only."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hocbaso_desktop.gui.fonts import install_ui_font
from hocbaso_desktop.gui.idle_lock import install_idle_lock
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.services import account_admin, accounts
from hocbaso_desktop.storage.engine import Store

PW = "mật-khẩu-GV-1"
IDLE = 0.2 / 60  # 200 ms, in minutes


@pytest.fixture
def window(qtbot, demo_store: Store):
    QApplication.instance().setFont(install_ui_font())
    accounts.change_own_password(demo_store, "GV001", None, PW)
    w = MainWindow(demo_store, "GV001")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w, timeout=60_000)
    return w


def test_locks_when_idle_and_opens_with_the_right_password(qtbot, window: MainWindow, demo_store: Store,
                                                          tmp_path: Path) -> None:
    actor = accounts.authenticate(demo_store, "GV001", PW)
    lock = install_idle_lock(window, demo_store, actor, IDLE)
    try:
        with qtbot.waitSignal(lock.locked, timeout=60_000):
            pass
        screen = lock.screen
        assert lock.is_locked and screen is not None and screen.isVisible()
        assert screen.geometry().contains(window.geometry().center())  # the data is covered
        assert window.isVisible()  # nothing closed
        assert "Trần Thị Mai" in screen.findChild(type(screen.error), "whoLabel").text()
        # Esc does not get past the lock
        qtbot.keyClick(screen, Qt.Key.Key_Escape)
        assert screen.isVisible()
        screen.close()
        assert screen.isVisible()
        # a wrong password is refused
        qtbot.keyClicks(screen.password_edit, "sai-mat-khau")
        qtbot.mouseClick(screen.unlock_button, Qt.MouseButton.LeftButton)
        assert lock.is_locked and screen.error.text() == "Sai mã cán bộ hoặc mật khẩu."
        qtbot.keyClicks(screen.password_edit, "matkhau")
        p = tmp_path / "lock-screen.png"
        assert screen.grab().save(str(p))
        if os.environ.get("HOCBASO_SHOTS"):
            shutil.copy(p, Path(os.environ["HOCBASO_SHOTS"]) / p.name)
        # the right one opens it, and the idle timer starts again
        screen.password_edit.setText(PW)
        with qtbot.waitSignal(lock.unlocked, timeout=60_000) as sig:
            qtbot.keyClick(screen.password_edit, Qt.Key.Key_Return)
        assert sig.args[0].code == "GV001" and not lock.is_locked and lock.timer.isActive()
        # and after another idle spell it locks again
        with qtbot.waitSignal(lock.locked, timeout=60_000):
            pass
    finally:
        if lock.screen is not None:
            lock.screen._finish(actor)
        lock.uninstall()


def test_activity_postpones_the_lock(qtbot, window: MainWindow, demo_store: Store) -> None:
    actor = accounts.authenticate(demo_store, "GV001", PW)
    # Typing keeps it open for well over the idle time (30 × ≥100 ms against 2 s); a gap between two
    # keys would have to stall for 2 s on a loaded machine to let it lock.
    lock = install_idle_lock(window, demo_store, actor, 2 / 60)
    try:
        for _ in range(30):
            qtbot.wait(100)
            qtbot.keyClick(window, Qt.Key.Key_Shift)
        assert not lock.is_locked
        qtbot.waitUntil(lambda: lock.is_locked, timeout=60_000)
    finally:
        if lock.screen is not None:
            lock.screen._finish(actor)
        lock.uninstall()


def test_lock_out_on_the_lock_screen(qtbot, window: MainWindow, demo_store: Store) -> None:
    actor = accounts.authenticate(demo_store, "GV001", PW)
    lock = install_idle_lock(window, demo_store, actor, 60)
    try:
        lock.lock_now()
        screen = lock.screen
        for i in range(5):
            screen.password_edit.setText(f"sai {i}")
            screen.try_unlock()
        assert not screen.unlock_button.isEnabled() and "Thử lại sau 30 giây" in screen.error.text()
        assert lock.is_locked
    finally:
        account_admin.unlock_account(demo_store, accounts.authenticate(demo_store, "QT01", ""), "GV001")
        if lock.screen is not None:
            lock.screen._finish(actor)
        lock.uninstall()


def test_setting_gives_the_default(demo_store: Store) -> None:
    assert account_admin.idle_lock_minutes(demo_store) == 10
