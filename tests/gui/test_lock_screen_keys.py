"""The lock screen as a keyboard user meets it (issue 18): a wrong password and Enter shows the refusal
and stays on the lock screen (it once opened «Đổi người dùng»); the right one and Enter opens it; the
«Đổi người dùng» login on the lock screen has readable (not white-on-grey) labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from hocbaso_desktop.gui.app import open_main_window
from hocbaso_desktop.gui.idle_lock import install_idle_lock
from hocbaso_desktop.gui.login import LoginDialog
from hocbaso_desktop.services import account_admin, accounts, directory
from hocbaso_desktop.storage.engine import Store
from tests.pupil_school import new_school

PW = "mat-khau-cua-co-giao-1"
SHOTS = Path("/tmp/shots")


def locked_window(qtbot, db: Path, code: str, admin: str | None = None):
    with Store.open(db) as store:
        if admin is None:
            accounts.change_own_password(store, code, None, PW)  # the demo's password-less accounts
        else:  # a real school: the principal sets the teacher's password
            account_admin.reset_password(store, directory.actor(store, admin), code, PW)
    w = open_main_window(db=db, actor=code)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    lock = install_idle_lock(w, w.store, accounts.authenticate(w.store, code, PW), 60)
    lock.lock_now()
    screen = lock.screen
    assert screen is not None and screen.isVisible()
    return w, lock, screen


@pytest.fixture(params=["demo", "new"])
def locked(request, qtbot, tmp_path: Path):
    if request.param == "demo":
        db = request.getfixturevalue("demo_db")
        code = "GV001"
    else:
        db = tmp_path / "new.sqlite3"
        with Store.open(db) as store:
            new_school(store, tmp_path)
        code = "GV1"
    return locked_window(qtbot, db, code, admin=None if request.param == "demo" else "HT")


def no_dialog_opens(qtbot, action) -> list[str]:
    """Run `action`; report (and close) any dialog that opens on top of the lock screen meanwhile."""
    opened: list[str] = []

    def watch() -> None:
        d = QApplication.activeModalWidget()
        if isinstance(d, QDialog) and d.objectName() != "lockScreen":
            opened.append(d.windowTitle())
            d.reject()

    t = QTimer()
    t.timeout.connect(watch)
    t.start(10)
    try:
        action()
        qtbot.wait(150)
    finally:
        t.stop()
    return opened


def test_wrong_password_and_enter_stays_with_the_refusal(qtbot, locked) -> None:
    _w, lock, screen = locked
    screen.password_edit.setFocus()
    QTest.keyClicks(screen.password_edit, "sai-mat-khau")

    def enter() -> None:
        QTest.keyClick(screen.password_edit, Qt.Key.Key_Return)

    assert no_dialog_opens(qtbot, enter) == []
    assert lock.is_locked and screen.isVisible()
    assert screen.error.text() == "Sai mã cán bộ hoặc mật khẩu."
    assert screen.password_edit.text() == "" and QApplication.focusWidget() is screen.password_edit
    # Enter on an empty box is refused the same way, still nothing opens
    assert no_dialog_opens(qtbot, lambda: QTest.keyClick(screen.password_edit, Qt.Key.Key_Enter)) == []
    assert lock.is_locked
    # the right password and Enter opens it
    QTest.keyClicks(screen.password_edit, PW)
    with qtbot.waitSignal(lock.unlocked, timeout=10_000):
        QTest.keyClick(screen.password_edit, Qt.Key.Key_Return)
    assert not lock.is_locked


def test_switch_user_on_the_lock_screen_is_readable(qtbot, locked) -> None:
    _w, lock, screen = locked
    seen: dict = {}

    def look() -> None:
        d = QApplication.activeModalWidget()
        if not isinstance(d, LoginDialog):
            QTimer.singleShot(20, look)
            return
        seen["title"] = d.windowTitle()
        labels = [lb for lb in d.findChildren(QLabel) if lb.isVisible() and lb.text().strip()]
        seen["colours"] = {lb.text(): (lb.palette().color(QPalette.ColorRole.WindowText).name(),
                                       d.palette().color(QPalette.ColorRole.Window).name()) for lb in labels}
        SHOTS.mkdir(parents=True, exist_ok=True)
        d.grab().save(str(SHOTS / "lock-switch-user.png"))
        d.reject()

    QTimer.singleShot(20, look)
    QTest.mouseClick(screen.switch_button, Qt.MouseButton.LeftButton)
    assert seen.get("title") == "Đổi người dùng — Học bạ số"
    assert seen["colours"]
    for text, (fg, bg) in seen["colours"].items():
        assert fg != "#ffffff", f"white label «{text}» on {bg}"
    assert lock.is_locked and screen.isVisible()  # cancelled: still locked
