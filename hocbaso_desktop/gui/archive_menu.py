"""`install_archive_ui(window)`: the "Lưu trữ" menu — year lock/unlock, export to a removable drive,
open an archive read-only. Call once after the main window is built (it needs `window.store` and
`window.actor`); the returned object is also kept as `window.archive_ui`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from .dialogs import show_error, show_info
from .operations import WindowContext, run_blocking

if TYPE_CHECKING:  # the dialogs (and the signing and archive code they use) load when first opened
    from .archive_browser import ArchiveBrowser
    from .archive_export_dialog import ArchiveExportDialog


class ArchiveUi(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        menu = window.menuBar().addMenu("Lưu &trữ")
        self.menu = menu
        self.export_action = QAction("Xuất kho lưu trữ năm học ra ổ ngoài…", window)
        self.browse_action = QAction("Mở kho lưu trữ…", window)
        self.lock_action = QAction("Khóa năm học…", window)
        self.unlock_action = QAction("Mở khóa năm học…", window)
        self.export_action.triggered.connect(self.open_export)
        self.browse_action.triggered.connect(lambda: self.open_browser().choose())
        self.lock_action.triggered.connect(lambda _checked=False: self.lock_year())  # triggered(bool) is not a PIN prompt
        self.unlock_action.triggered.connect(self.unlock_year)
        for a in (self.export_action, self.browse_action):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(self.lock_action)
        menu.addAction(self.unlock_action)
        context = WindowContext.for_window(window)
        self.update_actions(context.actor)
        context.actor_changed.connect(self.update_actions)

    def update_actions(self, actor: Actor) -> None:
        """Greyed out for whoever the rights matrix does not let act (the services refuse them anyway)."""
        self.export_action.setEnabled(rights.allowed(actor, rights.EXPORT_ARCHIVE) and not actor.is_system)
        for a in (self.lock_action, self.unlock_action):
            a.setEnabled(rights.allowed(actor, rights.LOCK_YEAR))

    @property
    def _actor_code(self) -> str:
        return WindowContext.for_window(self.window).actor.code

    def _year(self) -> str | None:
        return WindowContext.for_window(self.window).year

    def open_export(self) -> ArchiveExportDialog:
        from .archive_export_dialog import ArchiveExportDialog

        dlg = ArchiveExportDialog(self.window, self.window.store, self._actor_code)  # type: ignore[attr-defined]
        dlg.show()
        self.export_dialog = dlg
        return dlg

    def open_browser(self) -> ArchiveBrowser:
        from ..services.signing_setup import trust_store_for
        from .archive_browser import ArchiveBrowser

        dlg = ArchiveBrowser(self.window, trust_store_for(self.window.store))  # type: ignore[attr-defined]
        dlg.show()
        self.browser = dlg
        return dlg

    def lock_year(self, prompt: object = None) -> None:
        """Lock the year; the lock is confirmed with the school's seal (its PIN asked by the PIN dialog),
        so it runs on a worker thread while this window keeps answering (services/year_lock.py)."""
        from ..services.archive_service import SealWith
        from ..services.signing_setup import provider_for, settings_service
        from ..services.year_lock import lock_year

        year = self._year()
        if not year:
            return
        if QMessageBox.question(self.window, "Khóa năm học", f"Khóa năm học {year}? Sau khi khóa, dữ liệu chỉ sửa được "
                                "qua quy trình đính chính. Cần thiết bị ký số chứa con dấu nhà trường.") != QMessageBox.StandardButton.Yes:
            return
        store = self.window.store  # type: ignore[attr-defined]
        try:
            provider = provider_for(store)
        except HocbasoError:
            seal = None  # lock_year then says the seal is needed, after its own checks
        else:
            if prompt is None:
                from .pin_prompt import QtPinPrompt

                prompt = QtPinPrompt(self.window)  # made here on the GUI thread, asked from the worker
            self._pin_prompt = prompt
            seal = SealWith(provider, prompt, settings_service.signing_settings(store).token_label)  # type: ignore[arg-type]
        outcome = run_off_gui_thread(lambda: lock_year(store, year, self._actor_code, seal))
        if isinstance(outcome, HocbasoError):
            self.last_message = show_error(self.window, "Khóa năm học", outcome.message)
            return
        if isinstance(outcome, BaseException):
            raise outcome
        self.last_message = show_info(self.window, "Khóa năm học",
                                      f"Đã khóa năm học {outcome.name}; đầu chuỗi nhật ký đã được ký bằng con dấu nhà trường.")

    def unlock_year(self) -> None:
        from ..services.year_lock import unlock_year

        year = self._year()
        if not year:
            return
        reason, ok = QInputDialog.getText(self.window, "Mở khóa năm học", f"Lý do mở khóa năm học {year}:")
        if not ok:
            return
        try:
            unlock_year(self.window.store, year, self._actor_code, reason)  # type: ignore[attr-defined]
        except HocbasoError as e:
            self.last_message = show_error(self.window, "Mở khóa năm học", e.message)
            return
        self.last_message = show_info(self.window, "Mở khóa năm học", f"Đã mở khóa năm học {year}; lý do đã ghi vào nhật ký.")


def run_off_gui_thread(work):  # noqa: ANN001, ANN201 - () -> T; returns T or the exception raised
    """Run `work` on the token lane while the GUI's event loop keeps running (the PIN dialog is shown
    from it); returns its result or the exception it raised (operations.run_blocking)."""
    return run_blocking(None, work, lane="token")


def install_archive_ui(window: QMainWindow) -> ArchiveUi:
    ui = ArchiveUi(window)
    window.archive_ui = ui  # type: ignore[attr-defined]
    return ui
