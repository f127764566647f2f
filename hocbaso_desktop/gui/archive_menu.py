"""`install_archive_ui(window)`: the "Lưu trữ" menu — year lock/unlock, export to a removable drive,
open an archive read-only. Call once after the main window is built (it needs `window.store` and
`window.actor`); the returned object is also kept as `window.archive_ui`."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox

from ..domain.errors import HocbasoError
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
        self.lock_action.triggered.connect(self.lock_year)
        self.unlock_action.triggered.connect(self.unlock_year)
        for a in (self.export_action, self.browse_action):
            menu.addAction(a)
        menu.addSeparator()
        menu.addAction(self.lock_action)
        menu.addAction(self.unlock_action)

    @property
    def _actor_code(self) -> str:
        return getattr(getattr(self.window, "actor", None), "code", "-")

    def _year(self) -> str | None:
        return getattr(self.window, "year", None) or None

    def open_export(self) -> ArchiveExportDialog:
        dlg = ArchiveExportDialog(self.window, self.window.store, self._actor_code)  # type: ignore[attr-defined]
        dlg.show()
        self.export_dialog = dlg
        return dlg

    def open_browser(self) -> ArchiveBrowser:
        from ..services.signing_setup import trust_store_for

        dlg = ArchiveBrowser(self.window, trust_store_for(self.window.store))  # type: ignore[attr-defined]
        dlg.show()
        self.browser = dlg
        return dlg

    def lock_year(self) -> None:
        from ..services.year_lock import lock_year

        year = self._year()
        if not year:
            return
        if QMessageBox.question(self.window, "Khóa năm học", f"Khóa năm học {year}? Sau khi khóa, dữ liệu chỉ sửa được "
                                "qua quy trình đính chính.") != QMessageBox.StandardButton.Yes:
            return
        try:
            st = lock_year(self.window.store, year, self._actor_code)  # type: ignore[attr-defined]
        except HocbasoError as e:
            QMessageBox.warning(self.window, "Khóa năm học", e.message)
            return
        QMessageBox.information(self.window, "Khóa năm học", f"Đã khóa năm học {st.name}.")

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
            QMessageBox.warning(self.window, "Mở khóa năm học", e.message)
            return
        QMessageBox.information(self.window, "Mở khóa năm học", f"Đã mở khóa năm học {year}; lý do đã ghi vào nhật ký.")


def install_archive_ui(window: QMainWindow) -> ArchiveUi:
    ui = ArchiveUi(window)
    window.archive_ui = ui  # type: ignore[attr-defined]
    return ui
