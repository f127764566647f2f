"""Account management for the admin team: list, create, reset a password, disable, enable, unlock.

Every button calls services.account_admin with the logged-in actor; a refusal (for example Ban
quản trị resetting the principal's password, Điều 9) comes back from the core and is shown as is.
"""

from __future__ import annotations

from html import escape
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import HocbasoError
from ..domain.roles import ROLE_NAMES, Actor
from ..services import account_admin
from ..storage.engine import Store
from .login import POLICY_HINT, error_label, password_edit, show_error

COLUMNS = ("Mã", "Họ và tên", "Vai trò", "Trạng thái", "Đăng nhập lần cuối")


class NewAccountDialog(QDialog):
    """Code, name, roles and a temporary password (asked twice)."""

    def __init__(self, parent: QWidget | None = None,
                 submit: Callable[[str, str, list[str], str], str | None] | None = None) -> None:
        """`submit(code, name, roles, password)` creates the account and returns None, or the refusal:
        then the form stays open with the refusal under it and everything typed kept (issue 18)."""
        super().__init__(parent)
        self.submit = submit
        self.setWindowTitle("Tạo tài khoản")
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.code_edit = QLineEdit()
        self.name_edit = QLineEdit()
        form.addRow("Mã cán bộ:", self.code_edit)
        form.addRow("Họ và tên:", self.name_edit)
        roles = QWidget()
        rl = QVBoxLayout(roles)
        rl.setContentsMargins(0, 0, 0, 0)
        self.role_boxes = {r: QCheckBox(n) for r, n in ROLE_NAMES.items()}
        for box in self.role_boxes.values():
            rl.addWidget(box)
        form.addRow("Vai trò:", roles)
        self.new_edit, self.repeat_edit = password_edit(), password_edit()
        form.addRow("Mật khẩu tạm:", self.new_edit)
        form.addRow("Nhập lại:", self.repeat_edit)
        lay.addLayout(form)
        hint = QLabel(POLICY_HINT + " Người dùng phải đổi mật khẩu ở lần đăng nhập đầu.")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.error = error_label()
        self.error.setObjectName("newAccountError")
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Tạo")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.try_create)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def roles(self) -> list[str]:
        return [r for r, box in self.role_boxes.items() if box.isChecked()]

    def try_create(self) -> None:
        if self.new_edit.text() != self.repeat_edit.text():
            show_error(self.error, "Hai lần nhập mật khẩu không giống nhau; chưa tạo tài khoản.")
            self.repeat_edit.clear()
            self.repeat_edit.setFocus()
            return
        refusal = self.submit(self.code_edit.text(), self.name_edit.text(), self.roles(), self.new_edit.text()) \
            if self.submit is not None else None
        if refusal:
            show_error(self.error, refusal)  # the form stays: nothing typed is lost
            return
        self.accept()


class TempPasswordDialog(QDialog):
    def __init__(self, who: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Đặt lại mật khẩu")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Mật khẩu tạm cho <b>{escape(who)}</b> (người dùng phải đổi ở lần đăng nhập tới):"))
        form = QFormLayout()
        self.new_edit, self.repeat_edit = password_edit(), password_edit()
        form.addRow("Mật khẩu tạm:", self.new_edit)
        form.addRow("Nhập lại:", self.repeat_edit)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class AccountsDialog(QDialog):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("Quản lý tài khoản")
        self.resize(820, 480)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Người thao tác: <b>{escape(actor.name)}</b> ({escape(actor.code)})"))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("accountsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):  # states like "phải đổi mật khẩu" must not be cut
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.table)
        self.message = error_label()
        lay.addWidget(self.message)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("create", "Tạo tài khoản…", self.create_clicked),
                                ("reset", "Đặt lại mật khẩu…", self.reset_clicked),
                                ("unlock", "Mở khóa", lambda: self.unlock_selected()),
                                ("disable", "Vô hiệu hóa…", self.disable_clicked),
                                ("enable", "Kích hoạt lại", lambda: self.enable_selected())):
            b = QPushButton(text)
            b.setObjectName(f"{key}Button")
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[key] = b
        row.addStretch(1)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        lay.addLayout(row)
        self.refresh()

    # --- list ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        rows = account_admin.list_accounts(self.store)
        self.table.setRowCount(len(rows))
        for i, a in enumerate(rows):
            last = a.last_login_at.strftime("%d/%m/%Y %H:%M") if a.last_login_at else ""
            for j, text in enumerate((a.code, a.name, a.role_names, account_admin.state_text(a), last)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, a.code)
                if not a.active:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(i, j, item)

    def codes(self) -> list[str]:
        return [self._text(i, 0) for i in range(self.table.rowCount())]

    def state_of(self, code: str) -> str:
        return self._text(self.codes().index(code), 3)

    def _text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def select(self, code: str) -> None:
        self.table.selectRow(self.codes().index(code))

    def selected_code(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _run(self, action, done: str) -> bool:  # noqa: ANN001
        try:
            action()
        except HocbasoError as e:
            self.message.setStyleSheet("color: #b00020;")
            show_error(self.message, e.message)
            return False
        self.message.setStyleSheet("color: #1b5e20;")
        show_error(self.message, done)
        self.refresh()
        return True

    def _need_selection(self) -> str | None:
        code = self.selected_code()
        if code is None:
            show_error(self.message, "Chọn một tài khoản trong danh sách.")
        return code

    # --- actions (the *_clicked slots ask; the others do, and are what tests call) ---------------
    def create_clicked(self) -> None:
        def submit(code: str, name: str, roles: list[str], password: str) -> str | None:
            return None if self.create_account(code, name, roles, password) else self.message.text()

        NewAccountDialog(self, submit=submit).exec()

    def create_account(self, code: str, name: str, roles: list[str], password: str) -> bool:
        return self._run(lambda: account_admin.create_account(self.store, self.actor, code, password,
                                                              full_name=name, roles=roles),
                         f"Đã tạo tài khoản {code.strip().upper()}.")

    def reset_clicked(self) -> None:
        code = self._need_selection()
        if code is None:
            return
        d = TempPasswordDialog(code, self)
        if d.exec() != QDialog.DialogCode.Accepted:
            return
        if d.new_edit.text() != d.repeat_edit.text():
            show_error(self.message, "Hai lần nhập mật khẩu không giống nhau; chưa đổi gì.")
            return
        self.reset_selected(d.new_edit.text())

    def reset_selected(self, password: str) -> bool:
        code = self._need_selection()
        return code is not None and self._run(
            lambda: account_admin.reset_password(self.store, self.actor, code, password),
            f"Đã đặt lại mật khẩu của {code}; người dùng phải đổi ở lần đăng nhập tới.")

    def disable_clicked(self) -> None:
        code = self._need_selection()
        if code is None:
            return
        reason, ok = QInputDialog.getText(self, "Vô hiệu hóa tài khoản",
                                          f"Lý do vô hiệu hóa {code} (ví dụ: chuyển công tác):")
        if ok:
            self.disable_selected(reason)

    def disable_selected(self, reason: str = "") -> bool:
        code = self._need_selection()
        return code is not None and self._run(
            lambda: account_admin.disable_account(self.store, self.actor, code, reason),
            f"Đã vô hiệu hóa tài khoản {code}. Dữ liệu và nhật ký được giữ nguyên.")

    def enable_selected(self) -> bool:
        code = self._need_selection()
        return code is not None and self._run(lambda: account_admin.enable_account(self.store, self.actor, code),
                                              f"Đã kích hoạt lại tài khoản {code}.")

    def unlock_selected(self) -> bool:
        code = self._need_selection()
        return code is not None and self._run(lambda: account_admin.unlock_account(self.store, self.actor, code),
                                              f"Đã mở khóa tài khoản {code}.")
