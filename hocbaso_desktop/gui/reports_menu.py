"""`install_reports_ui(window)`: the "Báo cáo" menu — Bảng điều khiển, Báo cáo thống kê…, Chuyển trường:
xuất…, nhận…. Call once after the main window is built (it reads `window.store`, `window.actor`,
`window.year` when an item is chosen); the returned object is also kept as `window.reports_ui`.
Also holds the report dialog (period, scope, format → file on a worker thread)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.catalogue import PERIODS, catalogue
from ..domain.errors import PermissionDenied
from ..domain.rights import TRANSFER_STUDENT, VIEW_REPORTS, require
from ..fileio import require_folder
from ..services import directory
from ..storage.engine import Store
from .dashboard import DashboardDialog
from .dialogs import ask_save_path, path_row
from .operations import Op, WindowContext
from .transfer_dialogs import TransferExportDialog, TransferImportDialog


class ReportDialog(QDialog):
    completed = Signal(object, object)

    def __init__(self, parent: QWidget | None, store: Store, year: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("report_dialog")
        self.setWindowTitle("Báo cáo thống kê kết quả đánh giá")
        self.resize(560, 280)
        self.store, self.year = store, year
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.period = QComboBox()
        for p in PERIODS:
            self.period.addItem(catalogue().periods[p], p)
        self.period.setCurrentIndex(len(PERIODS) - 1)
        form.addRow("Kì đánh giá:", self.period)
        scope = QWidget()
        h = QHBoxLayout(scope)
        h.setContentsMargins(0, 0, 0, 0)
        self.scope_school, self.scope_grade, self.scope_class = (QRadioButton("Toàn trường"), QRadioButton("Khối"),
                                                                 QRadioButton("Lớp"))
        self.scope_school.setChecked(True)
        self.group = QButtonGroup(self)
        self.grade = QComboBox()
        self.grade.addItems([str(g) for g in range(1, 6)])
        self.class_box = QComboBox()
        self.class_box.addItems([c.name for c in directory.classes(store, year)])
        for w in (self.scope_school, self.scope_grade, self.grade, self.scope_class, self.class_box):
            h.addWidget(w)
            if isinstance(w, QRadioButton):
                self.group.addButton(w)
        form.addRow("Phạm vi:", scope)
        self.fmt = QComboBox()
        self.fmt.addItem("Excel (.xlsx) — in được", ".xlsx")
        self.fmt.addItem("PDF có biểu đồ (.pdf)", ".pdf")
        form.addRow("Định dạng:", self.fmt)
        self.out = path_row(form, self._browse)
        lay.addLayout(form)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        buttons = QDialogButtonBox()
        self.run_button = buttons.addButton("Lập báo cáo", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(lambda: self.start())
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.job: Op | None = None
        self.result: Any = None
        self.error: str | None = None

    def _browse(self) -> None:
        suffix = self.fmt.currentData()
        path = ask_save_path(self, "Lưu báo cáo", f"bao-cao-{self.period.currentData()}{suffix}",
                                   f"Báo cáo (*{suffix})")
        if path:
            self.out.setText(path)

    def start(self) -> Op | None:
        from ..services.reports import build_report, write_report

        out = self.out.text().strip()
        if not out:
            self._browse()
            out = self.out.text().strip()
            if not out:
                return None
        path = Path(out)
        if path.suffix.lower() not in (".xlsx", ".pdf"):
            path = path.with_suffix(self.fmt.currentData())
        period = self.period.currentData()
        class_name = self.class_box.currentText() if self.scope_class.isChecked() else None
        grade = int(self.grade.currentText()) if self.scope_grade.isChecked() else None
        self.run_button.setEnabled(False)

        def work(ctx):  # noqa: ANN001, ANN202
            progress = ctx.progress
            require_folder(path)  # a folder gone since it was chosen (a pulled USB drive) is not re-created
            progress(0, 2, "đếm số liệu")
            report = build_report(self.store, period, class_name=class_name, grade=grade, year=self.year)
            progress(1, 2, "ghi tệp")
            return write_report(report, path)

        self.job = Op(self, work, lane="cpu", title="Đang lập báo cáo").outcome(self._finished).run_in_background()
        return self.job

    def _finished(self, result: Any, error: str | None) -> None:
        self.result, self.error = result, error
        self.run_button.setEnabled(True)
        self.status.setText(f"Không lập được báo cáo: {error}" if error else f"Đã lưu báo cáo: {result}")
        self.completed.emit(result, error)


class ReportsUi(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.menu = window.menuBar().addMenu("&Báo cáo")
        self.dashboard_action = QAction("Bảng điều khiển", window)
        self.report_action = QAction("Báo cáo thống kê…", window)
        self.export_action = QAction("Chuyển trường: xuất…", window)
        self.import_action = QAction("Chuyển trường: nhận…", window)
        self.dashboard_action.triggered.connect(self.open_dashboard)
        self.report_action.triggered.connect(self.open_report)
        self.export_action.triggered.connect(self.open_export)
        self.import_action.triggered.connect(self.open_import)
        self.menu.addAction(self.dashboard_action)
        self.menu.addAction(self.report_action)
        self.menu.addSeparator()
        self.menu.addAction(self.export_action)
        self.menu.addAction(self.import_action)
        self.dialog: QDialog | None = None

    @property
    def _store(self) -> Store:
        return self.window.store  # type: ignore[attr-defined]

    @property
    def _year(self) -> str | None:
        return WindowContext.for_window(self.window).year

    def _allowed(self, action: str, title: str) -> bool:
        try:
            require(WindowContext.for_window(self.window).actor, action)
        except PermissionDenied as e:
            QMessageBox.warning(self.window, title, e.message)
            return False
        return True

    def _show(self, dlg: QDialog) -> QDialog:
        self.dialog = dlg
        dlg.show()
        return dlg

    def open_dashboard(self) -> QDialog | None:
        if not self._allowed(VIEW_REPORTS, "Bảng điều khiển"):
            return None
        return self._show(DashboardDialog(self.window, self._store, self._year))

    def open_report(self) -> QDialog | None:
        if not self._allowed(VIEW_REPORTS, "Báo cáo thống kê"):
            return None
        return self._show(ReportDialog(self.window, self._store, self._year))

    def _actor_code(self) -> str:
        return WindowContext.for_window(self.window).actor.code

    def open_export(self) -> QDialog | None:
        if not self._allowed(TRANSFER_STUDENT, "Chuyển trường"):
            return None
        return self._show(TransferExportDialog(self.window, self._store, self._actor_code(), self._year))

    def open_import(self) -> QDialog | None:
        if not self._allowed(TRANSFER_STUDENT, "Chuyển trường"):
            return None
        return self._show(TransferImportDialog(self.window, self._store, self._actor_code(), self._year))


def install_reports_ui(window: QMainWindow) -> ReportsUi:
    ui = ReportsUi(window)
    window.reports_ui = ui  # type: ignore[attr-defined]
    return ui
