"""The "Ký số" menu and the token status in the status bar: the GUI's entry point to signing.

`install_signing_actions(window)` needs only `window.store`, `window.actor`, `menuBar()` and
`statusBar()`; after a batch the sign dialog announces what changed on the window context (the grid
reloads, showing the newly issued records locked). The token watcher polls on its own thread (calls go through the token
lane) and reports through a Qt signal; it is stopped while a batch signs and restarted afterwards. It starts once the
window is shown (a zero timer): the PKCS#11, cryptography and XML libraries load then, not before the first window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox

from ..domain.errors import HocbasoError
from .operations import Op

if TYPE_CHECKING:  # the dialogs, the signing service (reportlab for paper copies) and the token library load when first used
    from ..signing import Pkcs11Provider, TokenChange, TokenWatcher
    from .sign_dialog import SignDialog
    from .verify_dialog import VerifyDialog


class TokenStatus(QObject):
    """Status-bar label fed by a TokenWatcher; `pause()`/`resume()` around a batch."""

    changed = Signal(object)  # TokenChange, emitted from the watcher thread, delivered queued

    def __init__(self, label: QLabel, provider: Pkcs11Provider | None, interval: float = 1.0) -> None:
        super().__init__(label)
        self.label = label
        self.provider = provider
        self.interval = interval
        self.watcher: TokenWatcher | None = None
        self.present: tuple = ()
        self.changed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.show_provider()

    def show_provider(self) -> None:
        if self.provider is None:
            self.label.setText("Thiết bị ký số: chưa cài đặt thư viện PKCS#11")
        else:
            self.label.setText("Thiết bị ký số: đang tìm…")

    def resume(self) -> None:
        if self.provider is None or self.watcher is not None:
            return
        from ..signing import TokenWatcher

        # A stopped TokenWatcher cannot restart: a fresh one, which reports the present tokens again.
        self.watcher = TokenWatcher(self.provider, self.changed.emit, self.interval)
        self.watcher.start()

    def pause(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    @Slot(object)
    def _show(self, change: TokenChange) -> None:
        self.present = change.present
        if not change.present:
            self.label.setText("Thiết bị ký số: chưa cắm")
        else:
            names = ", ".join(t.label for t in change.present if not t.label.endswith("-CA"))
            self.label.setText(f"Thiết bị ký số: {names or change.present[0].label}")
        if change.removed and not change.present:
            self.label.setToolTip("Thiết bị ký số vừa được rút ra.")


def _list_tokens(provider: Pkcs11Provider, school: str) -> str:
    """On the token lane: every token and its signing certificates, as lines for a message box."""
    from ..services.signing_service import is_organisation_certificate

    try:
        lines = []
        for t in provider.list_tokens():
            lines.append(f"«{t.label}» — sê-ri {t.serial} — {t.manufacturer} {t.model}")
            for c in provider.list_certificates(t.label, t.serial):
                if c.is_ca or not c.has_private_key:
                    continue
                kind = "tổ chức" if is_organisation_certificate(c.certificate(), school) else "cá nhân"
                lines.append(f"    • {c.common_name} ({kind}), hết hạn {c.not_after:%d/%m/%Y}")
        return "\n".join(lines) or "Không có thiết bị ký số nào đang cắm."
    except HocbasoError as e:
        return e.message


class SigningActions(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._provider: Pkcs11Provider | None = None
        self._provider_read = False
        self._watch_pending = True  # until the zero timer, or a menu that needs the token first, starts it
        menu = window.menuBar().addMenu("&Ký số")
        self.menu = menu
        self.sign_action = QAction("Ký và phát hành…", window)
        self.sign_action.triggered.connect(self.open_sign_dialog)
        self.verify_action = QAction("Xác minh tệp học bạ…", window)
        self.verify_action.triggered.connect(self.open_verify_dialog)
        self.token_action = QAction("Token…", window)
        self.token_action.triggered.connect(self.show_tokens)
        for a in (self.sign_action, self.verify_action, self.token_action):
            menu.addAction(a)
        self.status_label = QLabel()
        self.status_label.setObjectName("token_status")
        window.statusBar().addPermanentWidget(self.status_label)
        self.token_status = TokenStatus(self.status_label, None)
        self.status_label.setText("Thiết bị ký số: đang tìm…")
        QTimer.singleShot(0, self, self._start_watching)  # after the window is shown and painted
        self.sign_dialog: SignDialog | None = None
        self._lister: Op | None = None

    @property
    def provider(self) -> Pkcs11Provider | None:
        """The token library of Cài đặt › Ký số, read when first needed; None when none is set up."""
        if not self._provider_read:
            from ..services import signing_setup

            try:
                self._provider = signing_setup.provider_for(self.window.store)  # type: ignore[attr-defined]
            except HocbasoError:
                self._provider = None
            self._provider_read = True
        return self._provider

    @provider.setter
    def provider(self, provider: Pkcs11Provider | None) -> None:
        self._provider, self._provider_read = provider, True

    @property
    def watching_started(self) -> bool:
        """Has the status bar begun watching the token (or found none set up)? False until the window
        has been shown and its events run."""
        return not self._watch_pending

    def _start_watching(self) -> None:
        if not self._watch_pending:  # started already (a menu came first), or the window closed
            return
        self._watch_pending = False
        self.token_status.provider = self.provider
        self.token_status.show_provider()
        self.token_status.resume()

    def sync_provider(self) -> None:
        """Follow Cài đặt › Ký số: a module path saved after the window opened is used from the next
        signing on, without a restart (the watcher moves to the new module)."""
        from ..services import signing_setup

        self._start_watching()
        store = self.window.store  # type: ignore[attr-defined]
        try:
            wanted = signing_setup.module_path(signing_setup.settings_service.signing_settings(store))
        except HocbasoError:
            return
        if self.provider is not None and self.provider.module_path == wanted:
            return
        try:
            provider = signing_setup.provider_for(store)
        except HocbasoError:
            return
        self.token_status.pause()
        self.provider = provider
        self.token_status.provider = provider
        self.token_status.label.setText("Thiết bị ký số: đang tìm…")
        self.token_status.resume()

    def open_sign_dialog(self) -> SignDialog:
        from .sign_dialog import SignDialog

        self.sync_provider()
        actor = self.window.actor  # type: ignore[attr-defined]
        dlg = SignDialog(self.window, self.window.store, actor, provider=self.provider)  # type: ignore[attr-defined]
        dlg.batch_started.connect(self.token_status.pause)
        dlg.batch_finished.connect(self._batch_finished)
        self.sign_dialog = dlg
        dlg.setModal(True)
        dlg.show()
        return dlg

    def _batch_finished(self, _result: Any) -> None:
        self.token_status.resume()

    def open_verify_dialog(self, path: str | None = None) -> VerifyDialog:
        from .verify_dialog import VerifyDialog

        dlg = VerifyDialog(self.window, self.window.store)  # type: ignore[attr-defined]
        dlg.show()
        if path:
            dlg.open_file(path)
        else:
            dlg.choose_file()
        return dlg

    def show_tokens(self) -> None:
        from ..services.signing_service import school_name

        self.sync_provider()
        if self.provider is None:
            QMessageBox.information(self.window, "Thiết bị ký số", "Chưa chọn thư viện PKCS#11 của thiết bị ký số.")
            return
        provider, school = self.provider, school_name(self.window.store)  # type: ignore[attr-defined]
        self._lister = Op(self.window, lambda _ctx: _list_tokens(provider, school), lane="token",
                          title="Đang đọc thiết bị ký số").success(self._tokens_listed).run_in_background()

    def _tokens_listed(self, text: str) -> None:
        self._lister = None
        QMessageBox.information(self.window, "Thiết bị ký số", text)

    def shutdown(self) -> None:
        self._watch_pending = False
        self.token_status.pause()


def install_signing_actions(window: QMainWindow) -> SigningActions:
    """Add the "Ký số" menu and the token status label; keep the returned object (or find it as
    `window.signing_actions`)."""
    actions = SigningActions(window)
    window.signing_actions = actions  # type: ignore[attr-defined]
    window.destroyed.connect(lambda *_: actions.shutdown())
    return actions
