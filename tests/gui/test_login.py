"""Login dialog, forced password change, first-start admin and account management, on real widgets."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from hocbaso_desktop.gui.accounts_dialog import AccountsDialog
from hocbaso_desktop.gui.fonts import install_ui_font
from hocbaso_desktop.gui.login import BULLET, ChangePasswordDialog, FirstAdminDialog, LoginDialog, login_flow
from hocbaso_desktop.services import account_admin, accounts
from hocbaso_desktop.storage.engine import Store

PW = "Hòa Bình 2025!"
TEMP = "tạm-thời-123"


def shot(widget, tmp_path: Path, name: str) -> Path:
    """Saved next to the test; copied to $HOCBASO_SHOTS when set, to look at."""
    widget.repaint()
    QApplication.processEvents()
    p = tmp_path / name
    assert widget.grab().save(str(p))
    if os.environ.get("HOCBASO_SHOTS"):
        shutil.copy(p, Path(os.environ["HOCBASO_SHOTS"]) / name)
    return p


@pytest.fixture(autouse=True)
def ui_font(qapp) -> None:
    qapp.setFont(install_ui_font())


@pytest.fixture
def school(empty_store: Store) -> Store:
    admin = accounts.create_first_admin(empty_store, "QT", "Phạm Minh Tuấn", PW)
    account_admin.create_account(empty_store, admin, "GV01", TEMP, full_name="Trần Thị Mai", roles=["homeroom"])
    return empty_store


def test_login_dialog_wrong_then_right(qtbot, school: Store, tmp_path: Path) -> None:
    d = LoginDialog(school)
    qtbot.addWidget(d)
    d.show()
    assert d.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert f"lineedit-password-character: {BULLET}" in d.password_edit.styleSheet()
    qtbot.keyClicks(d.code_edit, "qt")
    assert d.name_label.text() == ""  # a typed code reveals no one's name before login (issue 18)
    assert d.code_edit.completer() is None
    qtbot.keyClicks(d.password_edit, "sai-mat-khau")
    qtbot.mouseClick(d.login_button, Qt.MouseButton.LeftButton)
    assert d.result() != QDialog.DialogCode.Accepted and d.actor is None
    assert d.error.isVisible() and d.error.text() == "Sai mã cán bộ hoặc mật khẩu."
    assert d.password_edit.text() == ""  # cleared after a failure
    qtbot.keyClicks(d.password_edit, "matkhau")
    shot(d, tmp_path, "login-dialog.png")
    d.password_edit.setText(PW)
    qtbot.keyClick(d.password_edit, Qt.Key.Key_Return)
    assert d.result() == QDialog.DialogCode.Accepted and d.actor is not None and d.actor.code == "QT"


def test_login_dialog_counts_down_a_lock(qtbot, school: Store, tmp_path: Path) -> None:
    d = LoginDialog(school, code="QT")
    qtbot.addWidget(d)
    d.show()
    for i in range(5):
        d.password_edit.setText(f"sai {i}")
        d.try_login()
    assert not d.login_button.isEnabled()
    assert "tạm khóa" in d.error.text() and "Thử lại sau 30 giây" in d.error.text()
    shot(d, tmp_path, "login-locked.png")
    # it counts down (how far it got depends on the machine's speed: any second below 30 will do)
    qtbot.waitUntil(lambda: _seconds_left(d.error.text()) < 30, timeout=60_000)
    assert not d.login_button.isEnabled()
    d.countdown.left = 1  # skip the wait: the database lock itself is tested in the services
    qtbot.waitUntil(d.login_button.isEnabled, timeout=60_000)


def _seconds_left(text: str) -> int:
    m = re.search(r"Thử lại sau (\d+) giây", text)
    return int(m.group(1)) if m else 10**6


def test_demo_logs_in_without_password(qtbot, demo_store: Store) -> None:
    d = LoginDialog(demo_store)
    qtbot.addWidget(d)
    d.show()
    d.code_edit.setText("GV001")
    d.try_login()
    assert d.actor is not None and d.actor.code == "GV001"


def test_forced_change_after_reset(qtbot, school: Store, tmp_path: Path) -> None:
    d = ChangePasswordDialog(school, "GV01", current_password=TEMP, forced=True)
    qtbot.addWidget(d)
    d.show()
    assert d.current_edit.isHidden()  # just typed at the login: not asked twice
    d.new_edit.setText("mật-khẩu-riêng-1")
    d.repeat_edit.setText("mật-khẩu-riêng-2")
    d.try_change()
    assert "không giống nhau" in d.error.text()
    d.new_edit.setText("ngắn")
    d.repeat_edit.setText("ngắn")
    d.try_change()
    assert "ít nhất 8 ký tự" in d.error.text()
    shot(d, tmp_path, "forced-change.png")
    d.new_edit.setText("mật-khẩu-riêng-1")
    d.repeat_edit.setText("mật-khẩu-riêng-1")
    d.try_change()
    assert d.result() == QDialog.DialogCode.Accepted
    assert not accounts.account_info(school, "GV01").must_change
    accounts.authenticate(school, "GV01", "mật-khẩu-riêng-1")


def _answer_modals(qtbot, steps: list) -> None:  # noqa: ANN001
    """Each step runs on the next modal dialog that opens (login_flow uses exec())."""
    pending = list(steps)

    def poll() -> None:
        w = QApplication.activeModalWidget()
        if w is not None and pending and w.isVisible() and getattr(w, "_seen", None) is None:
            w._seen = True  # type: ignore[attr-defined]
            pending.pop(0)(w)
        if pending:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_login_flow_with_forced_change(qtbot, school: Store) -> None:
    def login(w: LoginDialog) -> None:
        w.code_edit.setText("GV01")
        w.password_edit.setText(TEMP)
        w.try_login()

    def change(w: ChangePasswordDialog) -> None:
        assert isinstance(w, ChangePasswordDialog)
        w.new_edit.setText("mật-khẩu-riêng-1")
        w.repeat_edit.setText("mật-khẩu-riêng-1")
        w.try_change()

    _answer_modals(qtbot, [login, change])
    actor = login_flow(school)
    assert actor is not None and actor.code == "GV01" and "homeroom" in actor.roles


def test_login_flow_refusing_the_change_logs_nobody_in(qtbot, school: Store) -> None:
    def login(w: LoginDialog) -> None:
        w.code_edit.setText("GV01")
        w.password_edit.setText(TEMP)
        w.try_login()

    _answer_modals(qtbot, [login, lambda w: w.reject()])
    assert login_flow(school) is None


def test_first_start_creates_the_admin(qtbot, empty_store: Store, tmp_path: Path) -> None:
    def fill(w: FirstAdminDialog) -> None:
        assert isinstance(w, FirstAdminDialog)
        shot(w, tmp_path, "first-admin.png")
        w.code_edit.setText("qt01")
        w.name_edit.setText("Phạm Minh Tuấn")
        w.new_edit.setText(PW)
        w.repeat_edit.setText(PW)
        w.try_create()

    _answer_modals(qtbot, [fill])
    actor = login_flow(empty_store)
    assert actor is not None and actor.code == "QT01" and actor.roles == {"admin"}
    assert not accounts.needs_first_admin(empty_store)


def test_accounts_dialog(qtbot, school: Store, tmp_path: Path) -> None:
    qt = accounts.authenticate(school, "QT", PW)
    d = AccountsDialog(school, qt)
    qtbot.addWidget(d)
    d.show()
    assert d.codes() == ["GV01", "QT"] and d.state_of("GV01") == "phải đổi mật khẩu"
    assert d.create_account("gv02", "Vũ Thị Lan Anh", ["subject"], TEMP)
    assert "GV02" in d.codes()
    # first start: nobody of the board has an account yet, so Ban quản trị creates the principal's …
    assert d.create_account("ht", "Đỗ Thị Thanh Hương", ["principal"], TEMP), d.message.text()
    accounts.change_own_password(school, "HT", TEMP, "mật-khẩu-của-hiệu-trưởng-1")
    # … and once the principal has taken it, Điều 9 holds: high-level accounts are the board's
    assert not d.create_account("gv03", "Nguyễn Văn Hòa", ["vice_principal"], TEMP)
    assert "tài khoản cấp cao" in d.message.text()
    d.select("GV02")
    assert d.disable_selected("chuyển công tác") and d.state_of("GV02") == "vô hiệu hóa"
    d.select("GV02")
    assert d.enable_selected() and d.state_of("GV02") == "phải đổi mật khẩu"
    d.select("GV01")
    assert d.reset_selected("mới-tạm-456")
    shot(d, tmp_path, "accounts-dialog.png")
