"""The pupil form (Hồ sơ học sinh): identity and per-year facts of the pupil selected in the grid.

Thin over services.pupil_profile: the dialog shows a snapshot, "Lưu" sends the whole form as ONE
update_pupil call (the service audits only what changed); a refusal is shown inside the dialog in
Vietnamese and what was typed stays. Reached from Nhà trường › Hồ sơ học sinh…, Ctrl+Shift+H, or a
double-click on a pupil's name in the grid.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain import rights
from ..domain.catalogue import catalogue
from ..domain.errors import HocbasoError
from ..domain.ethnic import ETHNIC_GROUPS
from ..services.pupil_profile import PupilProfile, profile_of_enrolment, update_pupil
from .school_menu import school_menu

if TYPE_CHECKING:
    from .main_window import MainWindow

NO_DATE = QDate(1900, 1, 1)  # QDateEdit cannot be empty: its minimum reads as "chưa có"


def _qdate(d: date | None) -> QDate:
    return NO_DATE if d is None else QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date | None:
    return None if q == NO_DATE else date(q.year(), q.month(), q.day())


def _date_edit(name: str, optional: bool) -> QDateEdit:
    w = QDateEdit()
    w.setObjectName(name)
    w.setDisplayFormat("dd/MM/yyyy")
    w.setCalendarPopup(True)
    if optional:
        w.setMinimumDate(NO_DATE)
        w.setSpecialValueText("chưa có")
    return w


class PupilDialog(QDialog):
    """One pupil, one school year. `saved` is True after a successful Lưu."""

    def __init__(self, store, actor, profile: PupilProfile, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.store, self.actor, self.profile = store, actor, profile
        self.saved = False
        self.warnings: tuple[str, ...] = ()
        self.setObjectName("pupil_dialog")
        self.setWindowTitle(f"Hồ sơ học sinh — {profile.full_name} — lớp {profile.class_name}, năm học {profile.year}")
        self.fields: dict[str, QWidget] = {}
        outer = QVBoxLayout(self)
        head = QLabel(f"<b>{escape(profile.full_name)}</b> — lớp {escape(profile.class_name)} (khối {profile.grade}), "
                      f"năm học {escape(profile.year)}")
        head.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(head)
        grid = QGridLayout()
        outer.addLayout(grid)
        grid.addWidget(self._identity_box(), 0, 0, 2, 1)
        grid.addWidget(self._school_box(), 0, 1)
        grid.addWidget(self._subjects_box(), 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.received_label = self._received_box()
        if self.received_label is not None:
            outer.addWidget(self.received_label)
        self.error_label = QLabel()
        self.error_label.setObjectName("pupil_error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # users' text is never rich text
        self.error_label.setStyleSheet("color: #b00020")
        outer.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Lưu")
        self.save_button.setObjectName("pupil_save")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Đóng")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self._load(profile)
        self._apply_lock()
        self.resize(960, 600)

    # --- layout ------------------------------------------------------------------------------
    def _received_box(self) -> QLabel | None:
        """The years another school issued (transfer in): read-only here, opened from Lịch sử học bạ."""
        from ..services.received_records import for_enrolment

        rows = for_enrolment(self.store, self.profile.enrolment_id)
        if not rows:
            return None
        lines = [f"• Năm học {escape(r.school_year)}, lớp {escape(r.class_name)}, phiên bản {r.version} "
                 f"({escape(r.status_text)}) — <i>{escape(r.origin)}</i>" for r in rows]
        label = QLabel("<b>Học bạ nhận khi chuyển đến</b> (chỉ đọc; xem, in, xác minh trong «Lịch sử học bạ»):<br>"
                       + "<br>".join(lines))
        label.setObjectName("pupil_received")
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setStyleSheet("color: #5f6368")
        label.setWordWrap(True)
        return label

    def _line(self, key: str, form: QFormLayout, label: str, maxlen: int = 150) -> QLineEdit:
        w = QLineEdit()
        w.setObjectName(f"pupil_{key}")
        w.setMaxLength(maxlen + 20)  # the service names the limit; do not cut silently
        form.addRow(label, w)
        self.fields[key] = w
        return w

    def _identity_box(self) -> QGroupBox:
        box = QGroupBox("Thông tin học sinh (theo giấy khai sinh)")
        f = QFormLayout(box)
        self._line("full_name", f, "Họ và tên")
        self.fields["birth_date"] = bd = _date_edit("pupil_birth_date", optional=False)
        f.addRow("Ngày sinh", bd)
        sex = QComboBox()
        sex.setObjectName("pupil_sex")
        sex.addItems(["Nam", "Nữ"])
        self.fields["sex"] = sex
        f.addRow("Giới tính", sex)
        eth = QComboBox()
        eth.setObjectName("pupil_ethnicity")
        for code, name in ETHNIC_GROUPS.items():
            eth.addItem(name, code)
        self.fields["ethnicity"] = eth
        f.addRow("Dân tộc", eth)
        self._line("personal_id", f, "Mã định danh", 12)
        self._line("nationality", f, "Quốc tịch", 50)
        self._line("birthplace", f, "Nơi sinh", 250)
        self._line("hometown", f, "Quê quán", 250)
        self._line("address", f, "Nơi ở hiện nay", 250)
        self._line("father_name", f, "Họ tên cha")
        self._line("mother_name", f, "Họ tên mẹ")
        self._line("guardian_name", f, "Người giám hộ")
        return box

    def _school_box(self) -> QGroupBox:
        box = QGroupBox("Hồ sơ nhà trường")
        f = QFormLayout(box)
        self._line("moet_code", f, "Mã học sinh (CSDL ngành)", 20)
        self._line("register_no", f, "Số đăng bộ", 30)
        self.fields["enrolled_on"] = eo = _date_edit("pupil_enrolled_on", optional=True)
        f.addRow("Ngày vào trường", eo)
        self._line("policy_group", f, "Đối tượng chính sách", 100)
        self._line("disability", f, "Khuyết tật (loại)", 100).setPlaceholderText("để trống nếu không")
        na = QCheckBox("Đánh giá theo kế hoạch giáo dục cá nhân")
        na.setObjectName("pupil_not_assessed")
        na.setToolTip("Không tính kết quả từ các mức đánh giá: GVCN nhập kết quả cuối năm kèm lý do")
        self.fields["not_assessed"] = na
        f.addRow("", na)
        return box

    def _subjects_box(self) -> QGroupBox:
        box = QGroupBox(f"Môn học năm {self.profile.year}")
        v = QVBoxLayout(box)
        cat = catalogue()
        self.optional_boxes: dict[str, QCheckBox] = {}
        row = QHBoxLayout()
        row.addWidget(QLabel("Môn tự chọn:"))
        for c in self.profile.optional_choices:
            cb = QCheckBox(c.name)
            cb.setObjectName(f"pupil_optional_{c.code}")
            if c.code in self.profile.class_optional:
                cb.setChecked(True)
                cb.setEnabled(False)
                cb.setToolTip("Cả lớp học môn này")
            else:
                cb.toggled.connect(self._optional_toggled)
            self.optional_boxes[c.code] = cb
            row.addWidget(cb)
        row.addStretch(1)
        v.addLayout(row)
        v.addWidget(QLabel("Miễn môn (ghi M ở mọi kì, không tính vào kết quả):"))
        ex = QGridLayout()
        self.exempt_boxes: dict[str, QCheckBox] = {}
        offered = [s for s in cat.subjects if s.offered_in(self.profile.grade)]
        for i, s in enumerate(offered):
            cb = QCheckBox(s.name)
            cb.setObjectName(f"pupil_exempt_{s.code}")
            self.exempt_boxes[s.code] = cb
            ex.addWidget(cb, i // 3, i % 3)
        v.addLayout(ex)
        return box

    # --- values ------------------------------------------------------------------------------
    def _load(self, p: PupilProfile) -> None:
        for key in ("full_name", "personal_id", "nationality", "birthplace", "hometown", "address", "father_name",
                    "mother_name", "guardian_name", "moet_code", "register_no", "policy_group", "disability"):
            self.fields[key].setText(getattr(p, key))  # type: ignore[attr-defined]
        self.fields["birth_date"].setDate(_qdate(p.birth_date))  # type: ignore[attr-defined]
        self.fields["enrolled_on"].setDate(_qdate(p.enrolled_on))  # type: ignore[attr-defined]
        self.fields["sex"].setCurrentText(p.sex)  # type: ignore[attr-defined]
        eth: QComboBox = self.fields["ethnicity"]  # type: ignore[assignment]
        eth.setCurrentIndex(max(0, eth.findData(p.ethnicity_code)))
        self.fields["not_assessed"].setChecked(p.not_assessed)  # type: ignore[attr-defined]
        for code, cb in self.optional_boxes.items():
            if cb.isEnabled():
                cb.setChecked(code in p.optional_subjects)
        for code, cb in self.exempt_boxes.items():
            cb.setChecked(code in p.exempt_subjects)
        self._optional_toggled()

    def _optional_toggled(self, *_args: object) -> None:
        """An optional subject nobody chose cannot be exempted: its box follows the choice."""
        for code, cb in self.optional_boxes.items():
            ex = self.exempt_boxes.get(code)
            if ex is not None:
                ex.setEnabled(cb.isChecked() and not self.profile.locked_reason)
                if not cb.isChecked():
                    ex.setChecked(False)

    def _apply_lock(self) -> None:
        may = rights.allowed(self.actor, rights.EDIT_PUPIL)
        reason = self.profile.locked_reason or ("" if may else "Chỉ xem: " + "không có quyền sửa hồ sơ học sinh")
        if reason:
            for w in [*self.fields.values(), *self.optional_boxes.values(), *self.exempt_boxes.values()]:
                w.setEnabled(False)
            self.save_button.setEnabled(False)
            self.error_label.setText(reason)

    def changes(self) -> dict[str, object]:
        f = self.fields
        out: dict[str, object] = {k: f[k].text() for k in (  # type: ignore[attr-defined]
            "full_name", "personal_id", "nationality", "birthplace", "hometown", "address", "father_name",
            "mother_name", "guardian_name", "moet_code", "register_no", "policy_group", "disability")}
        out["birth_date"] = _pydate(f["birth_date"].date())  # type: ignore[attr-defined]
        out["enrolled_on"] = _pydate(f["enrolled_on"].date())  # type: ignore[attr-defined]
        out["sex"] = f["sex"].currentText()  # type: ignore[attr-defined]
        out["ethnicity"] = f["ethnicity"].currentData()  # type: ignore[attr-defined]
        out["not_assessed"] = f["not_assessed"].isChecked()  # type: ignore[attr-defined]
        out["optional_subjects"] = [c for c, cb in self.optional_boxes.items() if cb.isChecked() and cb.isEnabled()]
        out["exempt_subjects"] = [c for c, cb in self.exempt_boxes.items() if cb.isChecked()]
        return out

    def save(self) -> None:
        try:
            res = update_pupil(self.store, self.actor, self.profile.personal_id, self.changes(), self.profile.year)
        except HocbasoError as e:
            self.error_label.setText(e.message)  # what was typed stays in the fields
            return
        self.profile = res.profile
        self.warnings = res.warnings
        self.saved = True
        self.accept()


class PupilUi:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.dialog: PupilDialog | None = None
        self.action = QAction("Hồ sơ học sinh…", window)
        self.action.setObjectName("action_pupil_profile")
        self.action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.action.setToolTip("Sửa hồ sơ của học sinh đang chọn trong bảng (nhấp đúp vào tên cũng mở được)")
        self.action.triggered.connect(self.open_current)
        school_menu(window).addAction(self.action)
        window.addAction(self.action)  # the shortcut works from the grid too
        for tv in window.views.values():
            tv.doubleClicked.connect(self._double_clicked)

    def _double_clicked(self, index) -> None:  # noqa: ANN001 - QModelIndex
        model = index.model()
        columns = getattr(model, "columns", None)
        if columns and columns[index.column()].kind == "name":
            self.open_current()

    def open_current(self) -> PupilDialog | None:
        w = self.window
        eid = w.current_enrolment_id()
        if eid is None:
            w.show_message("Chọn một lớp và một học sinh trong bảng trước")
            return None
        try:
            profile = profile_of_enrolment(w.store, eid)
        except HocbasoError as e:
            w.show_message(e.message)
            return None
        self.dialog = PupilDialog(w.store, w.actor, profile, w)
        self.dialog.finished.connect(self._finished)
        self.dialog.open()  # window-modal, not a nested event loop: tests and the idle lock keep running
        return self.dialog

    def _finished(self, _result: int) -> None:
        d = self.dialog
        if d is not None and d.saved:
            self.window.load_class()  # columns and cells follow the new facts
            text = f"Đã lưu hồ sơ học sinh {d.profile.full_name}"
            if d.warnings:
                text += " — cảnh báo: " + "; ".join(d.warnings)
            self.window.show_message(text)


def install_pupil_ui(window: MainWindow) -> PupilUi:
    return PupilUi(window)
