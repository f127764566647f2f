"""`install_backup_ui(window)`: Công cụ › Sao lưu dữ liệu (back up now, restore, open the folder) and
the daily backup, checked by a timer and run off the GUI thread.

Restore flow: pick a backup (the list of this database's backups, or any file) → confirm → the
core checks it (integrity_check + foreign_key_check), backs up the current data, restores, audits
→ the program restarts, because every open view still shows the data from before. The restore
itself runs on the GUI thread behind a wait cursor: it takes about a second and nothing else may
touch the database meanwhile anyway.
"""

from __future__ import annotations

import sys
from typing import Callable

from PySide6.QtCore import QObject, QProcess, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from ..domain import rights
from ..domain.errors import HocbasoError
from ..services import backup
from ..storage.engine import Store
from .dialogs import ask_open_path
from .operations import Op, WindowContext
from .settings_dialog import tools_menu

FIRST_CHECK_MS = 60_000  # not during start-up and login; a short test window never backs up
CHECK_EVERY_MS = 3_600_000  # a PC left on overnight backs up on the new day


class RestoreDialog(QDialog):
    def __init__(self, store: Store, parent: QMainWindow) -> None:
        super().__init__(parent)
        self.setWindowTitle("Khôi phục dữ liệu từ bản sao lưu")
        self.setObjectName("restoreDialog")
        self.resize(640, 380)
        self.chosen: str | None = None
        lay = QVBoxLayout(self)
        cfg = backup.backup_settings(store)
        lay.addWidget(QLabel(f"Các bản sao lưu của tệp dữ liệu này trong {cfg.folder}:"))
        self.list = QListWidget()
        self.list.setObjectName("backupList")
        for b in backup.list_backups(store):
            item = QListWidgetItem(f"{b.taken_at:%d/%m/%Y %H:%M}  —  {backup.reason_title(b.reason)}  —  {b.size / 1e6:.1f} MB")
            item.setData(Qt.ItemDataRole.UserRole, str(b.path))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        lay.addWidget(self.list)
        other = QPushButton("Chọn tệp sao lưu khác…")
        other.clicked.connect(self._browse)
        lay.addWidget(other)
        warn = QLabel("Dữ liệu hiện tại sẽ được thay bằng bản sao lưu (sau khi kiểm tra toàn vẹn). Dữ liệu hiện tại "
                      "được sao lưu trước, nên có thể quay lại. Chương trình sẽ khởi động lại.")
        warn.setWordWrap(True)
        lay.addWidget(warn)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Khôi phục")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def _browse(self) -> None:
        path = ask_open_path(self, "Tệp sao lưu", "", "Sao lưu Học bạ số (*.sqlite3);;Mọi tệp (*)")
        if path:
            self.chosen = path
            self.accept()

    def _accept(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()


class BackupUi(QObject):
    done = Signal(object, object)  # BackupFile | None, error | None (for tests and the status bar)

    def __init__(self, window: QMainWindow, first_check_ms: int = FIRST_CHECK_MS, every_ms: int = CHECK_EVERY_MS) -> None:
        super().__init__(window)
        self.window = window
        self.op: Op | None = None
        self.restart: Callable[[], None] = self._restart_program
        menu = tools_menu(window).addMenu("Sao &lưu dữ liệu")
        self.menu = menu
        self.now_action = QAction("Sao lưu ngay", window)
        self.restore_action = QAction("Khôi phục từ bản sao lưu…", window)
        self.folder_action = QAction("Mở thư mục sao lưu", window)
        self.now_action.triggered.connect(lambda: self.start(backup.MANUAL))
        self.restore_action.triggered.connect(self.choose_and_restore)
        self.folder_action.triggered.connect(self.open_folder)
        for a in (self.now_action, self.restore_action, self.folder_action):
            menu.addAction(a)
        self.timer = QTimer(self)
        self.timer.setInterval(every_ms)
        self.timer.timeout.connect(lambda: self.start(backup.DAILY))
        QTimer.singleShot(first_check_ms, self, self._first_check)

    @property
    def store(self) -> Store:
        return self.window.store  # type: ignore[attr-defined]

    def _first_check(self) -> None:
        self.start(backup.DAILY)
        self.timer.start()

    def start(self, reason: str) -> bool:
        """Run one backup (daily: only if none today) on the database lane (queued behind a write, so the
        copy is of a settled database); False if one is running."""
        if self.op is not None and self.op.running:
            return False
        store = self.store

        def work(_ctx):  # noqa: ANN001, ANN202
            return backup.run_daily(store) if reason == backup.DAILY else backup.backup_now(store, reason)

        # quiet: the status bar says when it is done; an error is shown there too, not in a box
        self.op = Op(self, work, lane="db").without_dialog().outcome(self._finished).run_in_background()
        return True

    def wait(self, ms: int = 30_000) -> bool:
        return self.op is None or self.op.wait(ms / 1000)

    def _finished(self, made, error) -> None:  # noqa: ANN001
        bar = self.window.statusBar()
        if error:
            bar.showMessage(error, 30_000)
        elif made is not None:
            bar.showMessage(f"Đã sao lưu dữ liệu ({backup.reason_title(made.reason)}): {made.path}", 10_000)
        self.done.emit(made, error)

    def open_folder(self) -> None:
        folder = backup.backup_settings(self.store).folder
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def choose_and_restore(self) -> None:
        actor = WindowContext.for_window(self.window).actor
        if not rights.allowed(actor, rights.EDIT_SETTINGS):
            QMessageBox.information(self.window, "Khôi phục dữ liệu", "Chỉ " + rights.needed_roles_text(
                rights.RIGHTS[rights.EDIT_SETTINGS].roles) + " được khôi phục dữ liệu từ bản sao lưu.")
            return
        dlg = RestoreDialog(self.store, self.window)
        if dlg.exec() != QDialog.DialogCode.Accepted or not dlg.chosen:
            return
        if QMessageBox.question(self.window, "Khôi phục dữ liệu",
                                f"Thay toàn bộ dữ liệu hiện tại bằng bản sao lưu\n{dlg.chosen}?") != QMessageBox.StandardButton.Yes:
            return
        self.restore(dlg.chosen)

    def restore(self, path: str) -> backup.RestoreResult | None:
        if not self.wait():
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = backup.restore(self.store, path, WindowContext.for_window(self.window).actor)
        except HocbasoError as e:
            QApplication.restoreOverrideCursor()
            QMessageBox.warning(self.window, "Không khôi phục được", e.message)
            return None
        QApplication.restoreOverrideCursor()
        QMessageBox.information(
            self.window, "Đã khôi phục dữ liệu",
            f"Đã khôi phục dữ liệu từ {result.restored_from.name} (kiểm tra toàn vẹn: tốt).\n"
            f"Dữ liệu trước khi khôi phục được giữ ở {result.previous_saved_as}.\n\n"
            "Chương trình sẽ khởi động lại để hiển thị dữ liệu đã khôi phục.")
        self.restart()
        return result

    def _restart_program(self) -> None:
        """Close this copy (releasing the database's lock first), then start a new one."""
        self.window.hide()
        self.store.close()  # idempotent; app.py closes it again on the way out
        args = sys.argv[1:] if getattr(sys, "frozen", False) else sys.argv
        QProcess.startDetached(sys.executable, args)
        QApplication.quit()


def install_backup_ui(window: QMainWindow, **kw: int) -> BackupUi:
    ui = BackupUi(window, **kw)
    window.backup_ui = ui  # type: ignore[attr-defined]
    return ui
