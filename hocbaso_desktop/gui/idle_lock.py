"""Lock the desktop program after an idle time (shared lab PC, seed 004 Điều 2), without closing anything.

An application-wide event filter restarts a timer on every key, click, wheel or touch; when it
fires, an opaque frameless screen covers the main window (children's data must not stay on show)
and asks the same user's password again — or lets someone else log in ("Đổi người dùng"). Nothing
is closed or lost: every edit is already saved when it is made.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..domain.accounts import AccountLocked
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services import accounts
from ..services.account_admin import idle_lock_minutes
from ..storage.engine import Store
from .login import LockCountdown, LoginDialog, error_label, finish_login, password_edit, show_error

ACTIVITY = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress, QEvent.Type.Shortcut,
})


class LockScreen(QDialog):
    """Covers the window; only the right password (or a full login of someone else) opens it."""

    unlocked = Signal(object)  # the Actor now at the keyboard (the same, or who switched in)

    def __init__(self, store: Store, actor: Actor, window: QWidget) -> None:
        super().__init__(window, Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.store, self.actor, self.window_ = store, actor, window
        self._open = False
        self.setObjectName("lockScreen")
        self.setWindowTitle("Học bạ số — đã khóa")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setAutoFillBackground(True)
        # white text only inside the panel: a bare "QLabel" rule would reach the «Đổi người dùng» login
        # opened from here (a child dialog) and draw its labels white on grey
        self.setStyleSheet("#lockScreen { background: #243447; } #panel QLabel { color: white; }"
                           " #panel { background: #2f4359; border-radius: 8px; }")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        panel = QWidget()
        panel.setObjectName("panel")
        panel.setFixedWidth(440)
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(24, 20, 24, 20)
        title = QLabel("<span style='font-size:16pt'><b>Màn hình đã khóa</b></span>")
        lay.addWidget(title)
        who = QLabel(f"Đang đăng nhập: <b>{actor.name}</b> ({actor.code})")
        who.setObjectName("whoLabel")
        lay.addWidget(who)
        note = QLabel("Máy để lâu không dùng nên đã tự khóa. Dữ liệu đã nhập đều được lưu; "
                      "nhập lại mật khẩu để làm tiếp.")
        note.setWordWrap(True)
        lay.addWidget(note)
        self.password_edit = password_edit("Mật khẩu")
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.returnPressed.connect(self.try_unlock)
        lay.addWidget(self.password_edit)
        self.error = error_label()
        self.error.setStyleSheet("color: #ffc9c9; font-weight: bold;")  # the login's dark red is unreadable on blue
        lay.addWidget(self.error)
        row = QHBoxLayout()
        self.switch_button = QPushButton("Đổi người dùng…")
        self.switch_button.setObjectName("switchButton")
        self.switch_button.clicked.connect(self.switch_user)
        self.unlock_button = QPushButton("Mở khóa")
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.clicked.connect(self.try_unlock)
        # Enter is the password box's (returnPressed), never a button's: as QDialog's auto-default the
        # first button («Đổi người dùng…») took the Enter after a wrong password and opened the login
        for b in (self.switch_button, self.unlock_button):
            b.setAutoDefault(False)
            b.setDefault(False)
        row.addWidget(self.switch_button)
        row.addStretch(1)
        row.addWidget(self.unlock_button)
        lay.addLayout(row)
        h = QHBoxLayout()
        h.addStretch(1)
        h.addWidget(panel)
        h.addStretch(1)
        outer.addLayout(h)
        outer.addStretch(2)
        self.countdown = LockCountdown(self, self.error, self.unlock_button)

    def cover(self) -> None:
        """Over the whole main window (its frame included), in front of everything of ours."""
        self.setGeometry(self.window_.frameGeometry())
        self.show()
        self.raise_()
        self.activateWindow()
        self.password_edit.setFocus()

    def try_unlock(self) -> None:
        if self.countdown.running:
            return
        try:
            actor = accounts.authenticate(self.store, self.actor.code, self.password_edit.text(), via="unlock")
        except AccountLocked as e:
            self.password_edit.clear()
            self.countdown.start(e.seconds)
            return
        except HocbasoError as e:
            self.password_edit.clear()
            show_error(self.error, e.message)
            return
        self._finish(actor)

    def switch_user(self) -> None:
        dialog = LoginDialog(self.store, self)
        dialog.setWindowTitle("Đổi người dùng — Học bạ số")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        actor = finish_login(self.store, dialog, self)
        if actor is not None:
            self._finish(actor)

    def _finish(self, actor: Actor) -> None:
        self.password_edit.clear()
        self._open = True
        self.accept()
        self.unlocked.emit(actor)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if not self.password_edit.hasFocus():
                self.password_edit.setFocus()
            return  # the password box already tried it; nothing else answers Enter here
        super().keyPressEvent(event)

    # Esc and Alt+F4 do not get past the lock
    def reject(self) -> None:
        if self._open:
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self._open:
            super().closeEvent(event)
        else:
            event.ignore()


class IdleLock(QObject):
    """Installed on the QApplication; locks `window` after `minutes` without keyboard or mouse."""

    locked = Signal()
    unlocked = Signal(object)  # Actor
    user_switched = Signal(object)  # Actor: someone else logged in on the lock screen

    def __init__(self, window: QWidget, store: Store, actor: Actor, minutes: float) -> None:
        super().__init__(window)
        self.window, self.store, self.actor = window, store, actor
        self.screen: LockScreen | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock_now)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:  # every key and click of the application restarts the countdown
            app.installEventFilter(self)
        self.timer.start()

    @property
    def is_locked(self) -> bool:
        return self.screen is not None

    def set_minutes(self, minutes: float) -> None:
        self.timer.setInterval(max(50, int(minutes * 60_000)))
        if self.timer.isActive():
            self.timer.start()

    def set_actor(self, actor: Actor) -> None:
        """The main window changed who is logged in (logout/login): lock for that person from now on."""
        self.actor = actor

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not self.is_locked and event.type() in ACTIVITY:
            self.timer.start()  # restart: activity postpones the lock
        return False  # never swallow the user's input

    def lock_now(self) -> None:
        if self.is_locked or not self.window.isVisible():
            if not self.is_locked:
                self.timer.start()
            return
        self.timer.stop()
        self.screen = LockScreen(self.store, self.actor, self.window)
        self.screen.unlocked.connect(self._on_unlocked)
        self.screen.cover()
        self.locked.emit()

    def _on_unlocked(self, actor: Actor) -> None:
        previous, self.actor = self.actor, actor
        screen, self.screen = self.screen, None
        if screen is not None:
            screen.deleteLater()
        self.timer.start()
        self.unlocked.emit(actor)
        if actor.code != previous.code:
            self.user_switched.emit(actor)

    def uninstall(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


def install_idle_lock(window: QWidget, store: Store, actor: Actor, minutes: float | None = None) -> IdleLock:
    """Lock `window` after `minutes` idle (None: the school's setting, default 10). Keep the returned
    object (it is parented to the window); connect `user_switched` to change the acting person."""
    return IdleLock(window, store, actor, idle_lock_minutes(store) if minutes is None else minutes)
