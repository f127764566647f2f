"""Login, first-start admin account and forced password change: the dialogs in front of the main window.

All decisions are the core's (services.accounts): these dialogs only ask, show the Vietnamese
answer, and count down a temporary lock. `login_flow(store)` runs the whole sequence.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.accounts import MIN_PASSWORD, AccountLocked, duration_text
from ..domain.errors import HocbasoError
from ..domain.rights import FIRST_ACCOUNT_ROLES
from ..domain.roles import ROLE_NAMES, Actor
from ..services import accounts, directory
from ..storage.engine import Store

BULLET = 0x25CF  # ●: the bundled DejaVu Sans has it; some styles fall back to '*'
POLICY_HINT = f"Ít nhất {MIN_PASSWORD} ký tự, không chứa mã cán bộ. Có thể dùng chữ có dấu."


def password_edit(placeholder: str = "") -> QLineEdit:
    e = QLineEdit()
    e.setEchoMode(QLineEdit.EchoMode.Password)
    e.setStyleSheet(f"QLineEdit {{ lineedit-password-character: {BULLET}; }}")
    e.setPlaceholderText(placeholder)
    e.setMaxLength(128)
    return e


def error_label() -> QLabel:
    lab = QLabel()
    lab.setObjectName("errorLabel")
    lab.setWordWrap(True)
    lab.setStyleSheet("color: #b00020;")
    lab.hide()
    return lab


def show_error(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


class LockCountdown:
    """After AccountLocked: keeps a button disabled and a label saying how long is left, every second."""

    def __init__(self, owner: QWidget, label: QLabel, button: QPushButton) -> None:
        self.label, self.button = label, button
        self.left = 0
        self.timer = QTimer(owner)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)

    def start(self, seconds: int) -> None:
        self.left = max(1, seconds)
        self.button.setEnabled(False)
        self._show()
        self.timer.start()

    def _show(self) -> None:
        show_error(self.label, f"Tài khoản đang tạm khóa vì nhập sai mật khẩu nhiều lần. "
                               f"Thử lại sau {duration_text(self.left)}.")

    def _tick(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.timer.stop()
            self.button.setEnabled(True)
            show_error(self.label, "Có thể thử đăng nhập lại.")
            return
        self._show()

    @property
    def running(self) -> bool:
        return self.timer.isActive()


class LoginDialog(QDialog):
    """Staff code + password. On success `actor` is set and the dialog is accepted."""

    def __init__(self, store: Store, parent: QWidget | None = None, code: str = "") -> None:
        super().__init__(parent)
        self.store = store
        self.actor: Actor | None = None
        self._password = ""
        self.setWindowTitle("Đăng nhập — Học bạ số")
        self.setMinimumWidth(420)
        lay = QVBoxLayout(self)
        title = QLabel("<b style='font-size:14pt'>Học bạ số tiểu học</b>")
        lay.addWidget(title)
        sc = directory.school(store)
        if sc is not None:
            lay.addWidget(QLabel(sc.name))
        form = QFormLayout()
        self.code_edit = QLineEdit(code)
        self.code_edit.setObjectName("codeEdit")
        self.code_edit.setPlaceholderText("ví dụ GV001")
        # Before anyone has logged in the dialog tells nothing about who works here: no completer
        # listing staff codes, and no name shown for a typed code (that would answer "does GV007
        # exist, and who is it?" to anyone at the keyboard, which the refusal message is careful not
        # to). Only a code the program filled in itself (the locked-in user) shows its name.
        self._names: dict[str, str] = {}
        if code:
            self._names = {r.code.upper(): r.full_name for r in directory.staff(store)
                           if r.active and r.code.upper() == code.strip().upper()}
        self.code_edit.textChanged.connect(self._code_changed)
        self.name_label = QLabel()
        self.name_label.setObjectName("nameLabel")
        self.name_label.setStyleSheet("color: #555;")
        self._code_changed(code)
        self.password_edit = password_edit()
        self.password_edit.setObjectName("passwordEdit")
        form.addRow("Mã cán bộ:", self.code_edit)
        form.addRow("", self.name_label)
        form.addRow("Mật khẩu:", self.password_edit)
        lay.addLayout(form)
        if accounts.is_demo(store):
            hint = QLabel("Trường mẫu: tài khoản chưa đặt mật khẩu thì để trống ô mật khẩu. Thử các mã "
                          "HT (Hiệu trưởng), GV001 (GVCN lớp 1A), GV011 (GVBM Tiếng Anh), VP01 (Văn phòng, lưu trữ), "
                          "QT01 (Ban quản trị) — danh sách đủ: lệnh «hocbaso staff».")
            hint.setWordWrap(True)
            hint.setStyleSheet("color: #555;")
            lay.addWidget(hint)
        self.error = error_label()
        lay.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.login_button = buttons.addButton("Đăng nhập", QDialogButtonBox.ButtonRole.AcceptRole)
        self.login_button.setObjectName("loginButton")
        buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.login_button.setDefault(True)
        self.countdown = LockCountdown(self, self.error, self.login_button)
        self._code_changed(code)
        (self.password_edit if code else self.code_edit).setFocus()

    def _code_changed(self, text: str) -> None:
        self.name_label.setText(self._names.get(text.strip().upper(), ""))

    def try_login(self) -> None:
        if self.countdown.running:
            return
        code = self.code_edit.text().strip()
        if not code:
            show_error(self.error, "Nhập mã cán bộ.")
            self.code_edit.setFocus()
            return
        password = self.password_edit.text()
        try:
            self.actor = accounts.authenticate(self.store, code, password, via="login")
        except AccountLocked as e:
            self.password_edit.clear()
            self.countdown.start(e.seconds)
            return
        except HocbasoError as e:
            self.password_edit.clear()
            self.password_edit.setFocus()
            show_error(self.error, e.message)
            return
        self._password = password
        self.password_edit.clear()
        self.accept()

    def take_password(self) -> str:
        """The password just typed, once (for the forced change right after); then forgotten."""
        p, self._password = self._password, ""
        return p


class ChangePasswordDialog(QDialog):
    """Change one's own password; `forced` after a reset by the admin team (no way round it)."""

    def __init__(self, store: Store, code: str, parent: QWidget | None = None, *,
                 current_password: str | None = None, forced: bool = False) -> None:
        super().__init__(parent)
        self.store, self.code = store, code
        self._current = current_password
        self.setWindowTitle("Đổi mật khẩu")
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        info = accounts.account_info(store, code)
        head = (f"<b>{info.name} ({info.code})</b>: mật khẩu hiện tại do Ban quản trị đặt. "
                "Hãy đặt mật khẩu của riêng mình trước khi làm việc.") if forced else f"<b>{info.name} ({info.code})</b>"
        top = QLabel(head)
        top.setWordWrap(True)
        lay.addWidget(top)
        form = QFormLayout()
        self.current_edit = password_edit()
        self.current_edit.setObjectName("currentEdit")
        if current_password is None and (info.has_password or not info.passwordless_demo):
            form.addRow("Mật khẩu hiện tại:", self.current_edit)
        else:
            self.current_edit.hide()
        self.new_edit = password_edit()
        self.new_edit.setObjectName("newEdit")
        self.repeat_edit = password_edit()
        self.repeat_edit.setObjectName("repeatEdit")
        form.addRow("Mật khẩu mới:", self.new_edit)
        form.addRow("Nhập lại:", self.repeat_edit)
        lay.addLayout(form)
        hint = QLabel(POLICY_HINT)
        hint.setStyleSheet("color: #555;")
        hint.setWordWrap(True)
        lay.addWidget(hint)
        self.error = error_label()
        lay.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Đổi mật khẩu", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("okButton")
        buttons.addButton("Đăng xuất" if forced else "Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_change)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.countdown = LockCountdown(self, self.error, self.ok_button)
        (self.new_edit if self.current_edit.isHidden() else self.current_edit).setFocus()

    def try_change(self) -> None:
        if self.new_edit.text() != self.repeat_edit.text():
            show_error(self.error, "Hai lần nhập mật khẩu mới không giống nhau.")
            self.repeat_edit.clear()
            self.repeat_edit.setFocus()
            return
        current = self._current if self._current is not None else self.current_edit.text()
        try:
            accounts.change_own_password(self.store, self.code, current, self.new_edit.text())
        except AccountLocked as e:
            self.countdown.start(e.seconds)
            return
        except HocbasoError as e:
            show_error(self.error, e.message)
            return
        self._current = None
        for edit in (self.current_edit, self.new_edit, self.repeat_edit):
            edit.clear()
        self.accept()


class FirstAdminDialog(QDialog):
    """First start of a real school's install: the account that will create all the others."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.actor: Actor | None = None
        self.setWindowTitle("Tạo tài khoản đầu tiên")
        self.setMinimumWidth(480)
        lay = QVBoxLayout(self)
        top = QLabel("Đây là lần chạy đầu tiên. Hãy tạo tài khoản đầu tiên — của Hiệu trưởng hoặc của Ban quản trị: "
                     "tài khoản này sẽ tạo tài khoản cho các cán bộ, giáo viên khác (Quy chế Học bạ số, Điều 9).")
        top.setWordWrap(True)
        lay.addWidget(top)
        form = QFormLayout()
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("codeEdit")
        self.code_edit.setPlaceholderText("ví dụ QT01")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("nameEdit")
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("roleCombo")
        for r in FIRST_ACCOUNT_ROLES:
            self.role_combo.addItem(ROLE_NAMES[r], r)
        self.new_edit = password_edit()
        self.new_edit.setObjectName("newEdit")
        self.repeat_edit = password_edit()
        self.repeat_edit.setObjectName("repeatEdit")
        form.addRow("Mã cán bộ:", self.code_edit)
        form.addRow("Họ và tên:", self.name_edit)
        form.addRow("Vai trò:", self.role_combo)
        form.addRow("Mật khẩu:", self.new_edit)
        form.addRow("Nhập lại:", self.repeat_edit)
        lay.addLayout(form)
        hint = QLabel(POLICY_HINT)
        hint.setStyleSheet("color: #555;")
        lay.addWidget(hint)
        self.error = error_label()
        lay.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Tạo tài khoản", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setObjectName("okButton")
        buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.try_create)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def try_create(self) -> None:
        if self.new_edit.text() != self.repeat_edit.text():
            show_error(self.error, "Hai lần nhập mật khẩu không giống nhau.")
            return
        try:
            self.actor = accounts.create_first_admin(self.store, self.code_edit.text(), self.name_edit.text(),
                                                     self.new_edit.text(), self.role_combo.currentData())
        except HocbasoError as e:
            show_error(self.error, e.message)
            return
        self.new_edit.clear()
        self.repeat_edit.clear()
        self.accept()


def finish_login(store: Store, dialog: LoginDialog, parent: QWidget | None) -> Actor | None:
    """After a good password: the forced change when the admin team set it; None if refused."""
    actor = dialog.actor
    if actor is None:
        return None
    password = dialog.take_password()
    if accounts.account_info(store, actor.code).must_change:
        change = ChangePasswordDialog(store, actor.code, parent, current_password=password, forced=True)
        if change.exec() != QDialog.DialogCode.Accepted:
            return None
    return actor


def login_flow(store: Store, parent: QWidget | None = None) -> Actor | None:
    """First start → create the admin account; else log in (and change a reset password).
    Returns who is at the keyboard, or None when the user gave up (then quit the program)."""
    if accounts.needs_first_admin(store):
        first = FirstAdminDialog(store, parent)
        if first.exec() != QDialog.DialogCode.Accepted:
            return None
        return first.actor
    dialog = LoginDialog(store, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return finish_login(store, dialog, parent)
