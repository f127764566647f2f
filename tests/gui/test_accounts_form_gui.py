"""Tạo tài khoản (issue 18): a refused account keeps the form open with the reason under it and
everything typed — the person fixes one field and presses Tạo again; mismatched passwords and Hủy
write nothing. Driven through the «Tạo tài khoản…» button and the form's own buttons."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from hocbaso_desktop.gui.accounts_dialog import AccountsDialog, NewAccountDialog
from hocbaso_desktop.services import account_admin, accounts, directory
from hocbaso_desktop.storage.engine import Store

PW = "Hòa Bình 2025!"
TEMP = "tạm-thời-123"


def _in_form(steps: list[Callable[[NewAccountDialog], None]]) -> list[str]:
    """Run `steps` one after another on the open form, each once it is visible again."""
    log: list[str] = []

    def poll() -> None:
        forms = [w for w in QApplication.topLevelWidgets() if isinstance(w, NewAccountDialog) and w.isVisible()]
        if not forms:
            QTimer.singleShot(20, poll)
            return
        step = steps.pop(0)
        step(forms[0])
        log.append(forms[0].error.text())
        if steps:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return log


def _button(form: NewAccountDialog, which: QDialogButtonBox.StandardButton) -> None:
    QTest.mouseClick(form.findChild(QDialogButtonBox).button(which), Qt.MouseButton.LeftButton)


def _fill(code: str, name: str, pw: str, again: str) -> Callable[[NewAccountDialog], None]:
    def do(form: NewAccountDialog) -> None:
        form.code_edit.clear()
        QTest.keyClicks(form.code_edit, code)
        form.name_edit.setText(name)  # Vietnamese letters as an input method commits them
        form.role_boxes["subject"].setChecked(True)
        form.new_edit.setText(pw)
        form.repeat_edit.setText(again)
        _button(form, QDialogButtonBox.StandardButton.Ok)
    return do


def test_a_refused_account_keeps_the_form_and_what_was_typed(qtbot, empty_store: Store) -> None:  # noqa: ANN001
    admin = accounts.create_first_admin(empty_store, "QT", "Phạm Minh Tuấn", PW)
    account_admin.create_account(empty_store, admin, "GV01", TEMP, full_name="Trần Thị Mai", roles=["homeroom"])
    d = AccountsDialog(empty_store, admin)
    qtbot.addWidget(d)
    d.show()
    before = [r.code for r in directory.staff(empty_store)]
    seen: dict[str, object] = {}

    def look(form: NewAccountDialog) -> None:
        seen.update(code=form.code_edit.text(), name=form.name_edit.text(), subject=form.role_boxes["subject"].isChecked(),
                    pw=form.new_edit.text())
        form.resize(640, form.sizeHint().height())
        form.grab().save("/tmp/shots/new_account_refused.png")
        form.code_edit.selectAll()
        QTest.keyClicks(form.code_edit, "GV05")
        _button(form, QDialogButtonBox.StandardButton.Ok)

    log = _in_form([_fill("GV01", "Đỗ Văn Đức", TEMP, TEMP), look])
    QTest.mouseClick(d.buttons["create"], Qt.MouseButton.LeftButton)
    assert log[0] and "GV01" in log[0], log  # the refusal names the code, under the form
    assert seen == {"code": "GV01", "name": "Đỗ Văn Đức", "subject": True, "pw": TEMP}  # nothing lost
    assert "GV05" in d.codes() and d.message.text() == "Đã tạo tài khoản GV05."
    assert sorted(r.code for r in directory.staff(empty_store)) == sorted([*before, "GV05"])


def test_mismatched_passwords_and_cancel_write_nothing(qtbot, empty_store: Store) -> None:  # noqa: ANN001
    admin = accounts.create_first_admin(empty_store, "QT", "Phạm Minh Tuấn", PW)
    d = AccountsDialog(empty_store, admin)
    qtbot.addWidget(d)
    d.show()
    before = d.codes()
    log = _in_form([_fill("GV07", "Lê Thị Ánh", TEMP, TEMP + "x"),
                    lambda form: _button(form, QDialogButtonBox.StandardButton.Cancel)])
    QTest.mouseClick(d.buttons["create"], Qt.MouseButton.LeftButton)
    assert log[0] == "Hai lần nhập mật khẩu không giống nhau; chưa tạo tài khoản.", log
    assert d.codes() == before and "GV07" not in [r.code for r in directory.staff(empty_store)]
