"""Gửi CSDL › Xuất tệp KQHT cho CSDL ngành…: grade, period, file; the export runs on a worker thread
(services.kqht_export, the same as `hocbaso export-kqht`). When pupils lack data the list is shown as
plain text and the user may still export with those cells empty ("Vẫn xuất (để trống ô thiếu)")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain.catalogue import PERIODS, catalogue
from ..domain.errors import PermissionDenied
from ..domain.rights import SYNC, require
from ..domain.roles import Actor
from ..fileio import require_folder
from ..storage.engine import Store
from .dialogs import ask_save_path, path_row
from .menus import OUTBOX_MENU, menu_or_new
from .operations import Op, WindowContext


class KqhtDialog(QDialog):
    completed = Signal(object, object)  # KqhtResult | None, error text | None

    def __init__(self, parent: QWidget | None, store: Store, actor: Actor, year: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kqht_dialog")
        self.setWindowTitle("Xuất tệp KQHT cho CSDL ngành")
        self.resize(640, 420)
        self.store, self.actor, self.year = store, actor, year
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.grade = QComboBox()
        for g in range(1, 6):
            self.grade.addItem(f"Khối {g}", g)
        form.addRow("Khối:", self.grade)
        self.period = QComboBox()
        for p in PERIODS:
            self.period.addItem(catalogue().periods[p], p)
        self.period.setCurrentIndex(len(PERIODS) - 1)
        form.addRow("Thời điểm:", self.period)
        self.out = path_row(form, self._browse)
        lay.addLayout(form)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.missing = QPlainTextEdit()  # pupils' names: plain text, never rendered
        self.missing.setObjectName("kqht_missing")
        self.missing.setReadOnly(True)
        self.missing.setVisible(False)
        lay.addWidget(self.missing, 1)
        buttons = QDialogButtonBox()
        self.run_button = buttons.addButton("Xuất tệp", QDialogButtonBox.ButtonRole.AcceptRole)
        self.anyway_button = buttons.addButton("Vẫn xuất (để trống ô thiếu)", QDialogButtonBox.ButtonRole.ActionRole)
        self.anyway_button.setVisible(False)
        buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.run_button.clicked.connect(lambda: self.start())
        self.anyway_button.clicked.connect(lambda: self.start(allow_missing=True))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.job: Op | None = None
        self.result: Any = None
        self.error: str | None = None

    def _suggested(self) -> str:
        return f"KQHT-khoi{self.grade.currentData()}-{self.period.currentData()}.xlsx"

    def _browse(self) -> None:
        path = ask_save_path(self, "Lưu tệp KQHT", self._suggested(), "Excel (*.xlsx)")
        if path:
            self.out.setText(path)

    def start(self, allow_missing: bool = False) -> Op | None:
        from ..services.kqht_export import KqhtIncomplete, export_kqht

        if not self.out.text().strip():
            self._browse()
            if not self.out.text().strip():
                return None
        path = Path(self.out.text().strip())
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        grade, period = self.grade.currentData(), self.period.currentData()
        store, actor, year = self.store, self.actor, self.year
        self.run_button.setEnabled(False)
        self.anyway_button.setEnabled(False)

        def work(ctx):  # noqa: ANN001, ANN202
            require_folder(path)  # a folder gone since it was chosen (a pulled USB drive) is not re-created
            try:
                return export_kqht(store, actor, grade, period, path, year=year, allow_missing=allow_missing,
                                   progress=ctx.progress)
            except KqhtIncomplete as e:
                return e  # not a failure of the job: the dialog shows the list and offers to go on

        self.job = Op(self, work, lane="cpu", title="Đang xuất tệp KQHT").outcome(self._finished).run_in_background()
        return self.job

    def _finished(self, result: Any, error: str | None) -> None:
        from ..services.kqht_export import KqhtIncomplete

        self.run_button.setEnabled(True)
        self.anyway_button.setEnabled(True)
        if isinstance(result, KqhtIncomplete):
            self.result, self.error = None, None
            self.status.setText(f"{len(result.missing)} học sinh thiếu dữ liệu — chưa ghi tệp. Nhập đủ rồi xuất lại, "
                                "hoặc chọn «Vẫn xuất (để trống ô thiếu)».")
            self.missing.setPlainText("\n".join(m.text for m in result.missing))
            self.missing.setVisible(True)
            self.anyway_button.setVisible(True)
            self.completed.emit(None, None)
            return
        self.result, self.error = result, error
        if error:
            self.status.setText(f"Không xuất được tệp KQHT: {error}")
        else:
            sheet = result.sheet
            text = f"Đã lưu tệp KQHT khối {sheet.grade}, {catalogue().periods[sheet.period]}: {result.path} ({result.pupils} học sinh)"
            if sheet.missing:
                text += f"; {len(sheet.missing)} học sinh có ô để trống"
            if sheet.layout.assumed:
                text += f". Mẫu có {len(sheet.layout.assumed)} cột giả định — xem hướng dẫn «Tệp KQHT cho CSDL ngành»"
            self.status.setText(text)
            self.anyway_button.setVisible(False)
            self.missing.setVisible(bool(sheet.missing))
        self.completed.emit(result, error)


class KqhtUi(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.action = QAction("Xuất tệp KQHT cho CSDL ngành…", window)
        self.action.setObjectName("kqht_export_action")
        self.action.triggered.connect(lambda _checked=False: self.open())
        menu = menu_or_new(window, OUTBOX_MENU, "Gửi &CSDL")
        menu.addSeparator()
        menu.addAction(self.action)
        self.menu = menu
        self.dialog: KqhtDialog | None = None

    def open(self) -> KqhtDialog | None:
        context = WindowContext.for_window(self.window)
        actor = context.actor  # nobody chosen: VIEWER, no right at all
        try:
            require(actor, SYNC)
        except PermissionDenied as e:
            QMessageBox.warning(self.window, "Xuất tệp KQHT", e.message)
            return None
        year = context.year
        self.dialog = KqhtDialog(self.window, self.window.store, actor, year)  # type: ignore[attr-defined]
        self.dialog.show()
        return self.dialog


def install_kqht_ui(window: QMainWindow) -> KqhtUi:
    ui = KqhtUi(window)
    window.kqht_ui = ui  # type: ignore[attr-defined]
    return ui
