"""Học bạ › Nhập trích lục từ học bạ giấy…: a year the school kept on paper, entered from the paper book.

The form asks what the paper book says (pupil, school year, grade, class, the book's số/ký hiệu) and
the grid workbook copied from it; «Tạo bảng trống…» writes that workbook for the pupil. The service
(services/transcription.py, the same as `hocbaso transcribe`) runs on a worker thread: the whole
year is written or, with every reason listed in the form, nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..domain.school_years import year_name, year_start
from ..services import directory
from ..storage.engine import Store
from .dialogs import ask_open_path, ask_save_path
from .operations import Changes, Op

if TYPE_CHECKING:  # services.transcription reads workbooks (openpyxl): loaded when the dialog works
    from ..services.transcription import TranscriptionResult
    from .main_window import MainWindow

TITLE = "Nhập trích lục từ học bạ giấy"


class TranscriptionDialog(QDialog):
    transcribed = Signal(object)  # TranscriptionResult
    failed = Signal(str)

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None, *, personal_id: str = "") -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.job: Op | None = None
        self.transcription: TranscriptionResult | None = None  # not "result": that is QDialog.result()
        self.setWindowTitle(TITLE)
        self.resize(720, 520)

        intro = QLabel("Chép trang cuối năm của học bạ giấy vào bảng nhập liệu (Tạo bảng trống…), rồi nhập tại đây. "
                       "Học bạ được đánh dấu «Trích lục» kèm số sổ, không có chữ ký giáo viên: Hiệu trưởng ký và "
                       "đóng dấu như mọi học bạ.")
        intro.setWordWrap(True)
        self.pid_edit = QLineEdit(personal_id)
        self.pid_edit.setObjectName("transcribe_pid")
        self.pid_edit.setPlaceholderText("12 chữ số")
        self.year_edit = QLineEdit(self._default_year())
        self.year_edit.setObjectName("transcribe_year")
        self.year_edit.setPlaceholderText("ví dụ 2023-2024")
        self.grade_spin = QSpinBox()
        self.grade_spin.setObjectName("transcribe_grade")
        self.grade_spin.setRange(1, 5)
        self.class_edit = QLineEdit()
        self.class_edit.setObjectName("transcribe_class")
        self.class_edit.setPlaceholderText("lớp ghi trong học bạ giấy, ví dụ 1A (để trống: lớp ghi trong bảng)")
        self.ref_edit = QLineEdit()
        self.ref_edit.setObjectName("transcribe_ref")
        self.ref_edit.setPlaceholderText("số / ký hiệu sổ học bạ giấy (in trên mọi trang bản trích lục)")
        self.file_edit = QLineEdit()
        self.file_edit.setObjectName("transcribe_file")
        self.file_edit.setPlaceholderText("bảng nhập liệu (.xlsx) đã điền theo học bạ giấy")
        browse = QPushButton("Chọn tệp…")
        browse.clicked.connect(self._browse)
        self.template_button = QPushButton("Tạo bảng trống…")
        self.template_button.setObjectName("transcribe_template")
        self.template_button.clicked.connect(self._ask_template)
        row = QHBoxLayout()
        row.addWidget(self.file_edit, 1)
        row.addWidget(browse)
        row.addWidget(self.template_button)

        form = QFormLayout()
        form.addRow("Mã định danh học sinh:", self.pid_edit)
        form.addRow("Năm học (trên giấy):", self.year_edit)
        form.addRow("Khối:", self.grade_spin)
        form.addRow("Lớp:", self.class_edit)
        form.addRow("Sổ học bạ giấy:", self.ref_edit)
        form.addRow("Bảng nhập liệu:", row)
        # unticked by default: entering the same year twice by mistake must not silently overwrite it
        self.replace_box = QCheckBox("Thay bản trích lục chưa ký")
        self.replace_box.setObjectName("transcribe_replace")
        self.replace_box.setToolTip("Sửa ô chép nhầm: thay toàn bộ đánh giá của bản trích lục đã nhập nhưng chưa ai ký "
                                    "bằng bảng mới (giữ số sổ và lớp). Đã có chữ ký thì phải đính chính.")
        form.addRow("", self.replace_box)

        self.status = QPlainTextEdit()
        self.status.setObjectName("transcribe_status")
        self.status.setReadOnly(True)  # plain text: a pupil's name or a cell value is never HTML
        self.status.setPlaceholderText("Kết quả hoặc lý do từ chối hiện ở đây.")

        self.buttons = QDialogButtonBox()
        self.run_button = self.buttons.addButton("Nhập trích lục", QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setObjectName("transcribe_run")
        self.run_button.clicked.connect(self.start)
        self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(self.reject)

        lay = QVBoxLayout(self)
        who = QLabel(f"Người nhập: {actor.name} ({actor.code})")
        who.setTextFormat(Qt.TextFormat.PlainText)
        lay.addWidget(intro)
        lay.addWidget(who)
        lay.addLayout(form)
        lay.addWidget(self.status, 1)
        lay.addWidget(self.buttons)

    def _default_year(self) -> str:
        """The year before the school's first year in học bạ số: where trích lục usually start."""
        live = directory.years(self.store)
        try:
            return year_name(year_start(live[0]) - 1) if live else ""
        except HocbasoError:
            return ""

    # --- inputs --------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        return {"personal_id": self.pid_edit.text().strip(), "school_year": self.year_edit.text().strip(),
                "grade": self.grade_spin.value(), "class_name": self.class_edit.text().strip() or None,
                "paper_book_ref": self.ref_edit.text(), "workbook": self.file_edit.text().strip(),
                "replace": self.replace_box.isChecked()}

    def _browse(self) -> None:
        path = ask_open_path(self, "Chọn bảng nhập liệu đã điền", "", "Bảng tính Excel (*.xlsx)")
        if path:
            self.file_edit.setText(path)

    def _ask_template(self) -> None:
        path = ask_save_path(self, "Lưu bảng trống", "trich-luc.xlsx", "Bảng tính Excel (*.xlsx)")
        if path:
            self.write_template(path)

    def write_template(self, path: str) -> bool:
        from ..services.transcription import transcription_template

        v = self.values()
        try:
            out = transcription_template(self.store, self.actor, v["personal_id"], v["school_year"], v["grade"], path,
                                         class_name=v["class_name"])
        except HocbasoError as e:
            self._show(e.message)
            return False
        self.file_edit.setText(str(out))
        self._show(f"Đã tạo bảng trống {out}. Điền theo học bạ giấy, lưu, rồi bấm «Nhập trích lục».")
        return True

    # --- the work ------------------------------------------------------------------------------------
    def start(self) -> Op | None:
        from ..services.transcription import transcribe

        if self.job is not None and not self.job.finished_flag:
            return None
        v = self.values()
        if not v["personal_id"] or not v["school_year"] or not v["workbook"]:
            self._show("Cần nhập mã định danh học sinh, năm học và chọn bảng nhập liệu.")
            return None
        store, actor = self.store, self.actor

        def work(_ctx):  # noqa: ANN001, ANN202 - on the db lane
            return transcribe(store, actor, v["personal_id"], v["school_year"], v["grade"], v["workbook"],
                              paper_book_ref=v["paper_book_ref"], class_name=v["class_name"], replace=v["replace"])

        self.run_button.setEnabled(False)
        self._show("Đang kiểm tra và ghi…")
        self.job = Op(self, work, lane="db", title=TITLE, changes=Changes(records=True)).outcome(self._done) \
            .run_in_background()
        return self.job

    def _done(self, result: TranscriptionResult | None, error: str | None) -> None:
        self.run_button.setEnabled(True)
        if error is not None or result is None:
            self._show(error or "Không nhập được trích lục.")
            self.failed.emit(error or "")
            return
        self.transcription = result
        self._show(result.summary())
        self.transcribed.emit(result)

    def _show(self, text: str) -> None:
        self.status.setPlainText(text)


class TranscriptionUi:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: TranscriptionDialog | None = None
        self.action = QAction(TITLE + "…", window)
        self.action.setObjectName("action_transcribe")
        self.action.setToolTip("Nhập một năm học trước khi trường dùng học bạ số, chép từ học bạ giấy")
        self.action.triggered.connect(self.open)
        window.records_menu.addAction(self.action)

    def _current_pid(self) -> str:
        w = self.window
        session = w.session
        if session is None:
            return ""
        idx = w.current_view().currentIndex()
        rows = session.rows
        return rows[idx.row()].personal_id if idx.isValid() and idx.row() < len(rows) else ""

    def open(self) -> TranscriptionDialog | None:
        w = self.window
        if not rights.allowed(w.actor, rights.TRANSCRIBE_RECORD) or w.actor.code == "-":
            w.show_message(f"Không có quyền {rights.RIGHTS[rights.TRANSCRIBE_RECORD].name}: cần vai trò "
                           + rights.needed_roles_text(rights.RIGHTS[rights.TRANSCRIBE_RECORD].roles))
            return None
        self.dialog = TranscriptionDialog(w.store, w.actor, w, personal_id=self._current_pid())
        self.dialog.open()
        return self.dialog


def install_transcription_ui(window: MainWindow) -> TranscriptionUi:
    return TranscriptionUi(window)
