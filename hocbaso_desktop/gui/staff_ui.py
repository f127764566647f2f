"""Nhà trường › Cán bộ, giáo viên…: the staff list, the add/edit form, marking someone as left,
importing CSDL_GiaoVien or our template, exporting the blank template.

Thin over services/staff_admin and services/staff_import: they check the rights (MANAGE_STAFF,
and the Điều 9 rule for high-level roles) and every value; a refusal comes back as a message
shown in the dialog as it is. Methods taking a path skip the file chooser (tests, drag and drop).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.roles import ROLE_NAMES, Actor
from ..domain.typed_dates import parse_date
from ..services import staff_admin
from ..storage.engine import Store
from .dialogs import ask_open_path, ask_save_path
from .operations import WindowContext
from .school_menu import school_menu

if TYPE_CHECKING:  # reading a staff list needs openpyxl: loaded when a list is imported
    from ..services import staff_import

TITLE = "Cán bộ, giáo viên"
COLUMNS = ("Mã", "Họ và tên", "Chức vụ", "Vai trò", "Số định danh", "Trạng thái")
XLSX_FILTER = "Bảng tính Excel (*.xlsx)"
POSITIONS = ("Hiệu trưởng", "Phó hiệu trưởng", "Giáo viên", "Tổng phụ trách Đội", "Văn thư", "Kế toán",
             "Nhân viên văn phòng", "Nhân viên thư viện", "Nhân viên")
ERROR_STYLE, OK_STYLE = "color: #b00020;", "color: #1b5e20;"


class StaffModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[staff_admin.StaffInfo] = []

    def set_rows(self, rows: list[staff_admin.StaffInfo]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201, N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def text(self, row: int, col: int) -> str:
        r = self.rows[row]
        return (r.code, r.full_name, r.position, r.role_names, r.personal_id, r.state_text)[col]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.ForegroundRole and not r.active:
            return QBrush(QColor(120, 120, 120))  # a brush: Qt ignores a bare GlobalColor here
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4 and not r.personal_id:
            return "Chưa có số định danh: cần cho GVCN và Ban giám hiệu (ghi trong học bạ)."
        return None


class StaffFormDialog(QDialog):
    """Add or edit one person. OK saves through `save`; on a refusal the message is shown here and
    everything typed stays, so the user corrects one field instead of typing all again."""

    def __init__(self, save: Callable[[staff_admin.StaffInput], staff_admin.SaveResult],
                 info: staff_admin.StaffInfo | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.save = save
        self.result_value: staff_admin.SaveResult | None = None
        self.setObjectName("staffForm")
        self.setWindowTitle("Sửa thông tin cán bộ" if info else "Thêm cán bộ, giáo viên")
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        form = QFormLayout()
        self.code_edit = QLineEdit(info.code if info else "")
        self.code_edit.setObjectName("codeEdit")
        self.code_edit.setPlaceholderText("để trống: phần mềm tự đặt (HT, PHT, GV001…)")
        if info:
            self.code_edit.setReadOnly(True)
            self.code_edit.setToolTip("Mã dùng để đăng nhập và trong nhật ký: không đổi được.")
        self.name_edit = QLineEdit(info.full_name if info else "")
        self.name_edit.setObjectName("nameEdit")
        self.sex_combo = QComboBox()
        self.sex_combo.setObjectName("sexCombo")
        self.sex_combo.addItems(["", "Nam", "Nữ"])
        self.sex_combo.setCurrentText(info.sex if info else "")
        self.birth_edit = QLineEdit(info.birth_date.strftime("%d/%m/%Y") if info and info.birth_date else "")
        self.birth_edit.setObjectName("birthEdit")
        self.birth_edit.setPlaceholderText("ngày/tháng/năm, ví dụ 05/09/1985")
        self.pid_edit = QLineEdit(info.personal_id if info else "")
        self.pid_edit.setObjectName("personalIdEdit")
        self.pid_edit.setPlaceholderText("12 chữ số (số căn cước)")
        self.pid_edit.setMaxLength(14)
        self.position_combo = QComboBox()
        self.position_combo.setObjectName("positionCombo")
        self.position_combo.setEditable(True)
        self.position_combo.addItems(["", *POSITIONS])
        self.position_combo.setCurrentText(info.position if info else "")
        self.email_edit = QLineEdit(info.email if info else "")
        self.email_edit.setObjectName("emailEdit")
        self.subjects_edit = QLineEdit(info.subjects_text if info else "")
        self.subjects_edit.setObjectName("subjectsEdit")
        roles = QWidget()
        grid = QGridLayout(roles)
        grid.setContentsMargins(0, 0, 0, 0)
        self.role_boxes: dict[str, QCheckBox] = {}
        for i, (r, n) in enumerate(ROLE_NAMES.items()):
            box = QCheckBox(n)
            box.setObjectName(f"role_{r}")
            box.setChecked(bool(info and r in info.roles))
            grid.addWidget(box, i // 3, i % 3)
            self.role_boxes[r] = box
        form.addRow("Mã cán bộ:", self.code_edit)
        form.addRow("Họ và tên:", self.name_edit)
        form.addRow("Giới tính:", self.sex_combo)
        form.addRow("Ngày sinh:", self.birth_edit)
        form.addRow("Số định danh:", self.pid_edit)
        form.addRow("Chức vụ:", self.position_combo)
        form.addRow("Email:", self.email_edit)
        form.addRow("Vai trò:", roles)
        form.addRow("Môn dạy:", self.subjects_edit)
        lay.addLayout(form)
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Lưu")
        self.ok_button.setObjectName("saveButton")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def value(self) -> staff_admin.StaffInput:
        birth: date | None = None
        text = self.birth_edit.text().strip()
        if text:
            birth, reason = parse_date(text)
            if birth is None:
                raise HocbasoError(f"Ngày sinh: giá trị «{text}» không hợp lệ — {reason}")
        return staff_admin.StaffInput(
            self.name_edit.text(), self.code_edit.text(), self.sex_combo.currentText(), birth, self.pid_edit.text(),
            self.position_combo.currentText(), self.email_edit.text(),
            tuple(r for r, b in self.role_boxes.items() if b.isChecked()), self.subjects_edit.text())

    def accept(self) -> None:  # noqa: D102 - save first; close only when the service took it
        try:
            self.result_value = self.save(self.value())
        except HocbasoError as e:
            self.message.setText(e.message)
            return
        super().accept()


class LeaveDialog(QDialog):
    def __init__(self, info: staff_admin.StaffInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("leaveDialog")
        self.setWindowTitle("Cho nghỉ")
        self.setMinimumWidth(460)
        lay = QVBoxLayout(self)
        intro = QLabel(f"Ghi <b>{info.full_name}</b> ({info.code}) là đã nghỉ. Người đã nghỉ không đăng nhập và "
                       "không được phân công; dữ liệu, chữ ký và nhật ký giữ nguyên.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setObjectName("leftOnEdit")
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setCalendarPopup(True)
        self.reason_edit = QComboBox()
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setEditable(True)
        self.reason_edit.addItems(["", "Nghỉ hưu", "Chuyển công tác", "Nghỉ việc"])
        form.addRow("Ngày nghỉ:", self.date_edit)
        form.addRow("Lý do:", self.reason_edit)
        lay.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Cho nghỉ")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)

    def left_on(self) -> date:
        return self.date_edit.date().toPython()  # type: ignore[return-value]


class StaffDialog(QDialog):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setObjectName("staffDialog")
        self.setWindowTitle(TITLE)
        self.resize(980, 520)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"Người thao tác: <b>{actor.name}</b> ({actor.code}). Cán bộ không bao giờ bị xóa: "
                             "người đã nghỉ vẫn ở trong danh sách (chữ xám)."))
        self.model = StaffModel(self)
        self.table = QTableView()
        self.table.setObjectName("staffTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.edit_clicked())
        lay.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setObjectName("staffMessage")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("importProblems")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(130)
        self.problems.hide()
        lay.addWidget(self.problems)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("add", "Thêm…", self.add_clicked), ("edit", "Sửa…", self.edit_clicked),
                                ("leave", "Cho nghỉ…", self.leave_clicked),
                                ("back", "Cho làm việc lại", lambda: self.reactivate_selected()),
                                ("import", "Nhập từ Excel…", lambda: self.import_file()),
                                ("template", "Xuất mẫu…", lambda: self.export_template())):
            b = QPushButton(text)
            b.setObjectName(f"staff_{key}")
            b.clicked.connect(slot)
            row.addWidget(b)
            self.buttons[key] = b
        row.addStretch(1)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        lay.addLayout(row)
        if not rights.allowed(actor, rights.MANAGE_STAFF):
            self._say(f"Chỉ {rights.needed_roles_text(rights.RIGHTS[rights.MANAGE_STAFF].roles)} sửa được danh sách "
                      "cán bộ; bạn chỉ xem.", ok=False)
        self.refresh()

    # --- list ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.model.set_rows(staff_admin.list_staff(self.store))

    def codes(self) -> list[str]:
        return [r.code for r in self.model.rows]

    def row_texts(self, code: str) -> tuple[str, ...]:
        i = self.codes().index(code)
        return tuple(self.model.text(i, c) for c in range(len(COLUMNS)))

    def select(self, code: str) -> None:
        self.table.selectRow(self.codes().index(code))

    def selected(self) -> staff_admin.StaffInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()] if rows else None

    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)

    def _need_selection(self) -> staff_admin.StaffInfo | None:
        info = self.selected()
        if info is None:
            self._say("Chọn một người trong danh sách.", ok=False)
        return info

    # --- add / edit (the form saves through the service and stays open on a refusal) ------------
    def form(self, info: staff_admin.StaffInfo | None = None) -> StaffFormDialog:
        if info is None:
            save = lambda d: staff_admin.add_staff(self.store, self.actor, d)  # noqa: E731
        else:
            save = lambda d: staff_admin.edit_staff(self.store, self.actor, info.code, d)  # noqa: E731
        d = StaffFormDialog(save, info, self)
        d.accepted.connect(lambda: self._saved(d))
        return d

    def _saved(self, d: StaffFormDialog) -> None:
        self.refresh()
        if d.result_value is not None:
            self._say(d.result_value.summary(), ok=True)
            self.select(d.result_value.staff.code)

    def add_clicked(self) -> None:
        self.form().exec()

    def edit_clicked(self) -> None:
        info = self._need_selection()
        if info is not None:
            self.form(info).exec()

    # --- leaving, coming back ----------------------------------------------------------------
    def leave_clicked(self) -> None:
        info = self._need_selection()
        if info is None:
            return
        d = LeaveDialog(info, self)
        if d.exec() == QDialog.DialogCode.Accepted:
            self.deactivate_selected(d.left_on(), d.reason_edit.currentText())

    def _run(self, action: Callable[[], object], done: str) -> bool:
        try:
            action()
        except HocbasoError as e:
            self._say(e.message, ok=False)
            return False
        self.refresh()
        self._say(done, ok=True)
        return True

    def deactivate_selected(self, left_on: date, reason: str) -> bool:
        info = self._need_selection()
        return info is not None and self._run(
            lambda: staff_admin.deactivate_staff(self.store, self.actor, info.code, left_on, reason),
            f"Đã ghi {info.code} ({info.full_name}) nghỉ từ {left_on:%d/%m/%Y}: không đăng nhập, không phân công được.")

    def reactivate_selected(self) -> bool:
        info = self._need_selection()
        return info is not None and self._run(
            lambda: staff_admin.reactivate_staff(self.store, self.actor, info.code),
            f"{info.code} ({info.full_name}) làm việc lại.")

    # --- files -----------------------------------------------------------------------------
    def import_file(self, path: str | Path | None = None) -> staff_import.StaffImportResult | None:
        """Read, check, and write only when no row has an error (all or nothing); the problems of
        every row are listed here."""
        from ..services import staff_import

        if path is None:
            path = ask_open_path(self, "Nhập danh sách cán bộ (CSDL_GiaoVien hoặc tệp mẫu)", "",
                                 XLSX_FILTER)
            if path is None:
                return None
        self.problems.clear()
        try:
            plan = staff_import.plan_staff_import(self.store, path, self.actor)
            lines = [p.message() for p in plan.problems]
            if not plan.ok:
                self.problems.setPlainText("\n".join(lines))
                self.problems.show()
                self._say(f"Không nhập: {len(plan.errors)} lỗi trong tệp {Path(path).name} (xem các dòng dưới). "
                          "Chưa ghi gì; sửa tệp rồi nhập lại.", ok=False)
                return None
            result = staff_import.apply_staff_import(self.store, plan, self.actor)
        except HocbasoError as e:
            self._say(e.message, ok=False)
            return None
        self.refresh()
        lines = result.generated_lines() + lines
        self.problems.setPlainText("\n".join(lines))
        self.problems.setVisible(bool(lines))
        self._say(result.summary(), ok=True)
        return result

    def export_template(self, path: str | Path | None = None) -> Path | None:
        from ..services.import_sheets import write_staff_list_template

        if path is None:
            path = ask_save_path(self, "Xuất mẫu danh sách cán bộ", "mau-danh-sach-can-bo.xlsx", XLSX_FILTER)
            if path is None:
                return None
        p = Path(path)
        if p.suffix.lower() != ".xlsx":
            p = p.with_suffix(".xlsx")
        try:
            write_staff_list_template(p)
        except OSError as e:
            self._say(f"Không ghi được tệp {p}: {e.strerror or e}", ok=False)
            return None
        self._say(f"Đã tạo mẫu danh sách cán bộ: {p}", ok=True)
        return p


class StaffUi:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.dialog: StaffDialog | None = None
        self.action = QAction("Cán bộ, giáo viên…", window)
        self.action.setObjectName("action_staff")
        self.action.triggered.connect(lambda: self.open().exec())
        school_menu(window).addAction(self.action)

    def open(self) -> StaffDialog:
        w = self.window
        self.dialog = StaffDialog(w.store, WindowContext.for_window(w).actor, w)  # type: ignore[attr-defined]
        return self.dialog


def install_staff_ui(window: QMainWindow) -> StaffUi:
    return StaffUi(window)
