"""Chuyển trường in the GUI: export (student, destination, file → PIN → progress) and import (file →
verification report → class choice → receive). Both run the service on a worker thread (gui/operations.Op);
the PIN is asked by QtPinPrompt from that thread, like the signing dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import HocbasoError
from ..services import directory
from ..storage.engine import Store
from .dialogs import ask_open_path, ask_save_path
from .operations import Changes, Op


def _file_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    w = QWidget()
    h = QHBoxLayout(w)
    h.setContentsMargins(0, 0, 0, 0)
    h.addWidget(edit, 1)
    h.addWidget(button)
    return w


class TransferExportDialog(QDialog):
    completed = Signal(object, object)  # TransferOut | None, error | None

    def __init__(self, parent: QWidget | None, store: Store, actor_code: str, year: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transfer_export_dialog")
        self.setWindowTitle("Chuyển trường: xuất học bạ")
        self.resize(640, 300)
        self.store, self.actor_code = store, actor_code
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Xuất toàn bộ học bạ số (mọi năm, mọi phiên bản) và quá trình học tập của học sinh thành "
                             "một gói đã ký số niêm phong. Sau khi xuất, học sinh được ghi nhận chuyển đi; học bạ vẫn lưu "
                             "tại trường.", wordWrap=True))
        form = QFormLayout()
        self.student = QComboBox()
        self.student.setEditable(True)
        for st in directory.students(store, None, year):
            self.student.addItem(f"{st.full_name} — lớp {st.class_name} — {st.personal_id}", st.personal_id)
        form.addRow("Học sinh:", self.student)
        self.destination = QLineEdit()
        self.destination.setPlaceholderText("Tên trường chuyển đến")
        form.addRow("Chuyển đến:", self.destination)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("dd/MM/yyyy")
        from PySide6.QtCore import QDate

        self.date.setDate(QDate.currentDate())
        form.addRow("Ngày chuyển:", self.date)
        self.out = QLineEdit()
        browse = QPushButton("Chọn…")
        browse.clicked.connect(self._browse)
        form.addRow("Lưu gói vào:", _file_row(self.out, browse))
        lay.addLayout(form)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton("Xuất gói (cần mã PIN)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(lambda: self.start())
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.job: Op | None = None
        self.result: Any = None
        self.error: str | None = None

    def personal_id(self) -> str:
        data = self.student.currentData()
        return str(data) if data else self.student.currentText().strip()

    def _browse(self) -> None:
        path = ask_save_path(self, "Lưu gói chuyển trường", f"chuyen-truong-{self.personal_id()}.zip",
                              "Gói chuyển trường (*.zip)")
        if path:
            self.out.setText(path)

    def start(self, prompt: Any = None) -> Op | None:
        from ..services import signing_setup
        from ..services.archive_service import SealWith
        from ..services.transfer import export_transfer
        from .pin_prompt import QtPinPrompt

        if not self.out.text().strip():
            self._browse()
            if not self.out.text().strip():
                return None
        try:
            provider = signing_setup.provider_for(self.store)
            label = signing_setup.settings_service.signing_settings(self.store).token_label or None
        except HocbasoError as e:
            self._finished(None, e.message)
            return None
        self.prompt = prompt or QtPinPrompt(self)
        seal = SealWith(provider, self.prompt, label)
        pid, out, dest = self.personal_id(), self.out.text().strip(), self.destination.text().strip()
        day = self.date.date().toPython()
        self.export_button.setEnabled(False)
        self.status.setText("Đang xuất…")

        def work(ctx):  # noqa: ANN001, ANN202
            return export_transfer(self.store, pid, out, self.actor_code, seal, destination=dest, on_date=day,
                                   progress=ctx.progress)

        # the seal asks the token's PIN: the token lane; the pupil leaves the class (school and grid change)
        self.job = Op(self, work, lane="token", title="Đang xuất gói chuyển trường",
                      changes=Changes(school=True, grid=0)).outcome(self._finished).run_in_background()
        return self.job

    def _finished(self, result: Any, error: str | None) -> None:
        self.result, self.error = result, error
        self.export_button.setEnabled(True)
        if error:
            self.status.setText(f"<span style='color:#C62828'>Không xuất được: {error}</span>")
        else:
            self.status.setText(f"<span style='color:#2E7D32'>Đã xuất {result.records} học bạ và {result.paper_copies} "
                                f"bản giấy của {result.student_name} vào {result.path}; niêm phong bởi «{result.sealed_by}». "
                                "Học sinh đã được ghi nhận chuyển đi.</span>")
        self.completed.emit(result, error)


class TransferImportDialog(QDialog):
    completed = Signal(object, object)  # TransferIn | None, error | None

    def __init__(self, parent: QWidget | None, store: Store, actor_code: str, year: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transfer_import_dialog")
        self.setWindowTitle("Chuyển trường: nhận học bạ")
        self.resize(780, 520)
        self.store, self.actor_code, self.year = store, actor_code, year
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        browse = QPushButton("Chọn tệp…")
        browse.clicked.connect(self._browse)
        form.addRow("Gói chuyển trường:", _file_row(self.path, browse))
        self.class_box = QComboBox()
        for c in directory.classes(store, year):
            self.class_box.addItem(f"{c.name} (khối {c.grade}, {c.student_count} HS)", c.name)
        form.addRow("Nhận vào lớp:", self.class_box)
        lay.addLayout(form)
        lay.addWidget(QLabel("Kết quả kiểm tra chữ ký số và niêm phong:"))
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.report.setObjectName("transfer_report")
        lay.addWidget(self.report, 1)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        lay.addWidget(self.verdict)
        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Nhận học sinh", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(lambda: self.start())
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.check: Any = None
        self.job: Op | None = None
        self.result: Any = None
        self.error: str | None = None

    def _browse(self) -> None:
        path = ask_open_path(self, "Chọn gói chuyển trường", "", "Gói chuyển trường (*.zip);;Mọi tệp (*)")
        if path:
            self.load(path)

    def _paint_verdict(self, ok: bool, text: str) -> None:
        pal = self.verdict.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor("#2E7D32" if ok else "#C62828"))
        self.verdict.setPalette(pal)
        self.verdict.setText(text)

    def load(self, path: str | Path) -> None:
        """Verify the package (no database write) and show the report; enable import only if valid."""
        from ..services.transfer import verify_package

        self.path.setText(str(path))
        try:
            self.check = verify_package(self.store, path)
        except HocbasoError as e:
            self.check = None
            self.report.setPlainText(e.message)
            self._paint_verdict(False, "Gói bị từ chối: không thể nhận.")
            self.import_button.setEnabled(False)
            return
        self.report.setPlainText("\n".join(self.check.lines()))
        ok = self.check.ok
        self._paint_verdict(ok, "Mọi chữ ký và niêm phong hợp lệ: có thể nhận học sinh." if ok else
                            "Gói KHÔNG hợp lệ (xem các dòng LỖI ở trên): không thể nhận.")
        self.import_button.setEnabled(ok)

    def start(self) -> Op | None:
        from ..services.transfer import import_transfer

        if self.check is None or not self.check.ok:
            return None
        path, cls = self.path.text(), self.class_box.currentData()
        self.import_button.setEnabled(False)

        def work(_ctx):  # noqa: ANN001, ANN202
            return import_transfer(self.store, path, cls, self.actor_code, year=self.year)

        self.job = Op(self, work, lane="db", title="Đang nhận học sinh chuyển đến",
                      changes=Changes(school=True, grid=0)).outcome(self._finished).run_in_background()
        return self.job

    def _finished(self, result: Any, error: str | None) -> None:
        self.result, self.error = result, error
        if error:
            self._paint_verdict(False, f"Không nhận được: {error}")
        elif result.already:
            self._paint_verdict(True, "Gói này đã được nhận trước đó: không có gì thay đổi.")
        else:
            carried = (f" Các kì đã đánh giá ở trường cũ được giữ, chỉ xem: {', '.join(result.periods)}."
                       if result.periods else "")
            self._paint_verdict(True, f"Đã nhận {result.student_name} vào lớp {result.class_name}: {result.records} học bạ "
                                f"từ {result.source_school}, giữ nguyên chữ ký số (chỉ đọc).{carried}")
        self.completed.emit(result, error)
