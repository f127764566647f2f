"""Nhà trường › Phân công GVCN, GVBM…: a table classes × [GVCN, subjects…] of one school year.

Each cell is edited with a delegate: the GVCN cell with a drop-down of the staff who may be GVCN, a
subject cell with a check list of the staff who may teach (several GVBM per subject). Cells of
subjects the class's grade does not have are disabled and read «—». Nothing is written until Lưu,
which sends the whole table through services.assignments.apply_assignments (one audited
transaction, all or nothing); a refusal is shown in the dialog, the cells it names turn red and the
edits stay. Thin over the services: every rule and right is checked there.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QAction, QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain import rights
from ..domain.catalogue import catalogue
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services import assignments as A
from ..services import directory
from ..storage.engine import Store
from .dialogs import ask_open_path, ask_save_path
from .operations import WindowContext
from .school_menu import school_menu

TITLE = "Phân công GVCN, GVBM"
XLSX_FILTER = "Bảng tính Excel (*.xlsx)"
GREY, OPTIONAL, PROBLEM = QColor("#e0e0e0"), QColor("#fff7d6"), QColor("#ffd6d6")
ERROR_STYLE, OK_STYLE = "color: #b00020;", "color: #1b5e20;"
CODES_ROLE = Qt.ItemDataRole.UserRole + 1


def _header(key: str) -> str:
    """Column titles on two lines at most, broken at the space nearest the middle, so fifteen
    columns fit a 1366-pixel screen."""
    if key == A.GVCN:
        return A.GVCN
    name = catalogue().subject(key).name
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    if len(name) <= 11 or not spaces:
        return name
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return name[:cut] + "\n" + name[cut + 1:]


class AssignmentModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes: list[A.ClassColumns] = []
        self.keys: list[str] = [A.GVCN]
        self.table: dict[str, dict[str, list[str]]] = {}
        self.names: dict[str, str] = {}
        self.problems: dict[tuple[str, str], str] = {}
        self.editable = False
        self.dirty = False

    def load(self, classes: list[A.ClassColumns], table: dict[str, dict[str, list[str]]], names: dict[str, str],
             editable: bool) -> None:
        self.beginResetModel()
        self.classes = classes
        offered = {s for c in classes for s in c.subjects}
        self.keys = [A.GVCN, *(s.code for s in catalogue().subjects if s.code in offered)]
        self.table = {c.name: {k: list(v) for k, v in table.get(c.name, {}).items()} for c in classes}
        self.names, self.editable, self.dirty, self.problems = names, editable, False, {}
        self.endResetModel()

    # -- what a cell is --
    def key(self, index: QModelIndex | QPersistentModelIndex) -> str:
        return self.keys[index.column()]

    def info(self, index: QModelIndex | QPersistentModelIndex) -> A.ClassColumns:
        return self.classes[index.row()]

    def offered(self, index: QModelIndex | QPersistentModelIndex) -> bool:
        k = self.key(index)
        return k == A.GVCN or k in self.info(index).subjects

    def codes(self, index: QModelIndex | QPersistentModelIndex) -> list[str]:
        return list(self.table.get(self.info(index).name, {}).get(self.key(index), []))

    def cell(self, class_name: str, key: str) -> QModelIndex:
        row = next(i for i, c in enumerate(self.classes) if c.name == class_name)
        return self.index(row, self.keys.index(key))

    # -- Qt --
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.classes)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.keys)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201, N802
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                c = self.classes[section]
                return f" {c.name} "
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"Lớp {self.classes[section].name}, khối {self.classes[section].grade}"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _header(self.keys[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            k = self.keys[section]
            return "Giáo viên chủ nhiệm (mỗi lớp một người)" if k == A.GVCN else f"{A.column_title(k)} ({k})"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if not self.offered(index):
            return Qt.ItemFlag.NoItemFlags  # disabled: the grade has no such subject
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f | Qt.ItemFlag.ItemIsEditable if self.editable else f

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        offered = self.offered(index)
        codes = self.codes(index)
        problem = self.problems.get((self.info(index).name, self.key(index)))
        if role == Qt.ItemDataRole.DisplayRole:
            return ", ".join(codes) if offered else "—"
        if role == CODES_ROLE:
            return codes
        if role == Qt.ItemDataRole.ToolTipRole:
            if problem:
                return problem
            if not offered:
                return f"Khối {self.info(index).grade} không học môn này"
            return "\n".join(f"{c} – {self.names.get(c, '?')}" for c in codes) or "Chưa phân công"
        if role == Qt.ItemDataRole.BackgroundRole:
            if problem:
                return QBrush(PROBLEM)
            if not offered:
                return QBrush(GREY)
            k = self.key(index)
            if k != A.GVCN and self.info(index).grade in catalogue().subject(k).optional_grades:
                return QBrush(OPTIONAL)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or not self.offered(index) or not self.editable:
            return False
        items: list[object] = list(value) if isinstance(value, (list, tuple)) else []
        codes = list(dict.fromkeys(str(x) for x in items if str(x)))
        if codes == self.codes(index):
            return False
        name, key = self.info(index).name, self.key(index)
        self.table.setdefault(name, {})[key] = codes
        self.problems.pop((name, key), None)
        self.dirty = True
        self.dataChanged.emit(index, index)
        return True

    def replace_table(self, table: dict[str, dict[str, list[str]]]) -> None:
        self.beginResetModel()
        self.table = table
        self.dirty = True
        self.endResetModel()

    def save_table(self) -> dict[str, dict[str, list[str]]]:
        """Every class, GVCN and every offered subject: the whole year as the dialog shows it."""
        return {c.name: {k: list(self.table.get(c.name, {}).get(k, [])) for k in (A.GVCN, *c.subjects)}
                for c in self.classes}


class CheckList(QListWidget):
    """The editor of a subject cell: tick one or more teachers."""

    def __init__(self, choices: list[A.StaffChoice], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("assignmentCheckList")
        for ch in choices:
            it = QListWidgetItem(ch.label, self)
            it.setData(Qt.ItemDataRole.UserRole, ch.code)
            it.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            it.setCheckState(Qt.CheckState.Unchecked)
        # a click anywhere on the line ticks it (not only on the little box)
        self.itemClicked.connect(lambda it: it.setCheckState(
            Qt.CheckState.Unchecked if it.checkState() == Qt.CheckState.Checked else Qt.CheckState.Checked))

    def set_codes(self, codes: list[str]) -> None:
        want = set(codes)
        for i in range(self.count()):
            it = self.item(i)
            it.setCheckState(Qt.CheckState.Checked if it.data(Qt.ItemDataRole.UserRole) in want else Qt.CheckState.Unchecked)

    def codes(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def check(self, code: str, on: bool = True) -> None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == code:
                self.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


class StaffDelegate(QStyledItemDelegate):
    NONE_LABEL = "— chưa phân công —"

    def __init__(self, dialog: AssignmentsDialog) -> None:
        super().__init__(dialog)
        self.dialog = dialog

    def _choices(self, key: str, current: list[str]) -> list[A.StaffChoice]:
        pool = [c for c in self.dialog.choices if (c.may_homeroom if key == A.GVCN else c.may_teach)]
        known = {c.code for c in pool}
        # someone assigned who can no longer be (left, role taken away) stays visible, marked
        extra = [A.StaffChoice(c, f"{self.dialog.model.names.get(c, '?')} (không còn phân công được)", False, False)
                 for c in current if c not in known]
        return [*extra, *pool]

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QWidget:  # noqa: N802
        model = self.dialog.model
        key, current = model.key(index), model.codes(index)
        if key == A.GVCN:
            box = QComboBox(parent)
            box.setObjectName("homeroomCombo")
            box.addItem(self.NONE_LABEL, "")
            for ch in self._choices(key, current):
                box.addItem(ch.label, ch.code)
            # a choice is final: commit at once, like a spreadsheet's drop-down
            box.activated.connect(lambda _i: self._commit_and_close(box))
            return box
        return CheckList(self._choices(key, current), parent)

    def _commit_and_close(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        codes = self.dialog.model.codes(index)
        if isinstance(editor, QComboBox):
            i = editor.findData(codes[0] if codes else "")
            editor.setCurrentIndex(max(i, 0))
        elif isinstance(editor, CheckList):
            editor.set_codes(codes)

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            code = editor.currentData()
            model.setData(index, [code] if code else [])
        elif isinstance(editor, CheckList):
            model.setData(index, editor.codes())

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        if not isinstance(editor, CheckList):
            super().updateEditorGeometry(editor, option, index)
            return
        # the list floats over the cells below, wide enough for "GV001 – Trần Thị Mai"
        host = editor.parentWidget()
        if host is None:
            return
        area = host.rect()
        w = max(option.rect.width(), 260)
        h = min(max(editor.sizeHintForRow(0), 18) * editor.count() + 8, 280, area.height())
        x = min(option.rect.left(), area.right() - w)
        y = option.rect.top() if option.rect.top() + h <= area.bottom() else max(area.bottom() - h, 0)
        editor.setGeometry(QRect(max(x, 0), y, w, h))


class AssignmentsDialog(QDialog):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None, year: str | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setObjectName("assignmentsDialog")
        self.setWindowTitle(TITLE)
        self.choices: list[A.StaffChoice] = []
        self.may_assign = rights.allowed(actor, rights.ASSIGN_TEACHING)

        top = QHBoxLayout()
        top.addWidget(QLabel("Năm học:"))
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("assignYearCombo")
        self.year_combo.addItems(list(reversed(directory.years(store))))
        if year and self.year_combo.findText(year) >= 0:
            self.year_combo.setCurrentText(year)
        self._year = self.year_combo.currentText()
        self.year_combo.currentTextChanged.connect(self._year_chosen)
        top.addWidget(self.year_combo)
        self.note = QLabel()
        self.note.setObjectName("assignNote")
        self.note.setWordWrap(True)
        top.addWidget(self.note, 1)

        self.model = AssignmentModel(self)
        self.view = QTableView()
        self.view.setObjectName("assignmentTable")
        self.view.setModel(self.model)
        self.view.setItemDelegate(StaffDelegate(self))
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.SelectedClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(True)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setDefaultSectionSize(80)
        hh.setMinimumHeight(44)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        vh = self.view.verticalHeader()  # the class names: stay in view while scrolling sideways
        vh.setDefaultSectionSize(28)
        vh.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        vh.setMinimumWidth(44)

        self.message = QLabel()
        self.message.setObjectName("assignMessage")
        self.message.setWordWrap(True)
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("assignProblems")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(110)
        self.problems.hide()
        self.cell_info = QLabel()
        self.cell_info.setObjectName("assignCellInfo")
        self.cell_info.setStyleSheet("color: #333;")
        self.view.selectionModel().currentChanged.connect(lambda cur, _prev: self._show_cell(cur))
        self.model.dataChanged.connect(lambda *_a: self._show_cell(self.view.currentIndex()))
        self.model.modelReset.connect(lambda: self._show_cell(self.view.currentIndex()))
        legend = QLabel("Nháy đúp vào ô để chọn giáo viên (môn học: tích một hay nhiều người). "
                        "Ô xám «—»: khối không học môn này; ô vàng: môn tự chọn của khối.")
        legend.setWordWrap(True)
        legend.setStyleSheet("color: #555;")

        buttons = QHBoxLayout()
        self.fill_button = QPushButton("Giao môn còn trống cho GVCN")
        self.fill_button.setObjectName("assignFillButton")
        self.fill_button.setToolTip("Mỗi môn của lớp chưa có giáo viên dạy được giao cho GVCN của lớp (chưa lưu)")
        self.fill_button.clicked.connect(self.give_unassigned)
        self.import_button = QPushButton("Nhập từ Excel…")
        self.import_button.setObjectName("assignImportButton")
        self.import_button.clicked.connect(lambda: self.import_excel())
        self.export_button = QPushButton("Xuất mẫu…")
        self.export_button.setObjectName("assignExportButton")
        self.export_button.clicked.connect(lambda: self.export_template())
        self.save_button = QPushButton("Lưu")
        self.save_button.setObjectName("assignSaveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        close = QPushButton("Đóng")
        close.setObjectName("assignCloseButton")
        close.clicked.connect(self.close)
        for b in (self.fill_button, self.import_button, self.export_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(legend)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.cell_info)
        lay.addWidget(self.message)
        lay.addWidget(self.problems)
        lay.addLayout(buttons)
        self.reload()
        self._fit_screen()

    # -- loading --
    def _fit_screen(self) -> None:
        screen = self.screen().availableGeometry() if self.screen() else QRect(0, 0, 1366, 768)
        self.resize(min(1320, screen.width() - 40), min(680, screen.height() - 60))

    @property
    def year(self) -> str:
        return self._year

    def reload(self) -> None:
        year = self._year
        if not year:
            self.model.load([], {}, {}, False)
            self._say("Chưa có năm học nào: hãy nhập danh sách lớp trước (Tệp › Nhập danh sách lớp).", ok=False)
            self._enable(False)
            return
        locked, names = A.year_locked(self.store, year), A.staff_names(self.store)
        self.choices = A.staff_choices(self.store)
        editable = self.may_assign and not locked
        self.model.load(A.class_columns(self.store, year), A.current_table(self.store, year), names, editable)
        self.problems.hide()
        if not self.may_assign:
            need = rights.needed_roles_text(rights.RIGHTS[rights.ASSIGN_TEACHING].roles)
            self.note.setText(f"Chỉ xem: phân công cần vai trò {need}.")
        elif locked:
            self.note.setText(f"Năm học {year} đã khóa: chỉ xem.")
        else:
            self.note.setText(f"{len(self.model.classes)} lớp, {len(self.choices)} cán bộ có thể phân công.")
        self._enable(editable)
        self.message.clear()
        self._fit_columns()

    def _enable(self, editable: bool) -> None:
        for b in (self.save_button, self.fill_button, self.import_button):
            b.setEnabled(editable)

    def _fit_columns(self) -> None:
        self.view.resizeColumnsToContents()
        hh = self.view.horizontalHeader()
        for i in range(self.model.columnCount()):
            hh.resizeSection(i, min(max(hh.sectionSize(i), 64), 160))

    def _show_cell(self, index: QModelIndex) -> None:
        """The names behind the codes of the current cell, under the table."""
        if not index.isValid():
            self.cell_info.clear()
            return
        info, key = self.model.info(index), self.model.key(index)
        where = f"Lớp {info.name} · {A.column_title(key)}: "
        if not self.model.offered(index):
            self.cell_info.setText(where + f"khối {info.grade} không học môn này")
            return
        codes = self.model.codes(index)
        self.cell_info.setText(where + ("; ".join(f"{c} – {self.model.names.get(c, '?')}" for c in codes) or "chưa phân công"))

    def _year_chosen(self, text: str) -> None:
        if text == self._year:
            return
        if self.model.dirty and QMessageBox.question(
                self, TITLE, f"Các thay đổi phân công năm học {self._year} chưa lưu sẽ bị bỏ. Tiếp tục?") != QMessageBox.StandardButton.Yes:
            self.year_combo.blockSignals(True)
            self.year_combo.setCurrentText(self._year)
            self.year_combo.blockSignals(False)
            return
        self._year = text
        self.reload()

    def _say(self, text: str, ok: bool) -> None:
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)
        self.message.setText(text)

    # -- actions --
    def give_unassigned(self) -> None:
        before = self.model.save_table()
        after = A.give_unassigned_to_homeroom(before, self.model.classes)
        given = sum(1 for c, cells in after.items() for k, v in cells.items() if v and not before.get(c, {}).get(k))
        no_homeroom = [c.name for c in self.model.classes if not before.get(c.name, {}).get(A.GVCN)]
        if given:
            self.model.replace_table(after)
        text = f"Đã giao {given} ô môn học còn trống cho GVCN (chưa lưu: bấm Lưu)."
        if no_homeroom:
            text += " Lớp chưa có GVCN: " + ", ".join(no_homeroom) + "."
        self._say(text, ok=True)

    def save(self) -> A.ApplyResult | None:
        try:
            result = A.apply_assignments(self.store, self.actor, self._year, self.model.save_table())
        except A.AssignmentsRefused as e:
            self.model.beginResetModel()
            self.model.problems = {(p.class_name, p.column): p.message for p in e.problems}
            self.model.endResetModel()
            self.problems.setPlainText("\n".join(
                f"Lớp {p.class_name}" + (f", {A.column_title(p.column)}" if p.column else "") + f": {p.message}"
                for p in e.problems))
            self.problems.show()
            self._say(f"Không lưu: {len(e.problems)} ô chưa đúng (tô đỏ). Sửa rồi bấm Lưu lại; chưa có gì bị ghi.", ok=False)
            return None
        except HocbasoError as e:
            self._say(e.message, ok=False)
            return None
        self.reload()
        self._say(result.summary(), ok=True)
        self._refresh_window()
        return result

    def _refresh_window(self) -> None:
        """The acting teacher's rights come from these rows: the window rebuilds its actor."""
        context = WindowContext.of(self)
        if context is not None:
            context.rights_changed.emit()

    def import_excel(self, path: str | Path | None = None):  # noqa: ANN201
        from ..services.assignment_import import import_sheet

        if self.model.dirty:
            self._say("Có thay đổi chưa lưu: bấm Lưu (hoặc chọn lại năm học để bỏ) trước khi nhập từ Excel.", ok=False)
            return None
        if path is None:
            path = ask_open_path(self, "Nhập bảng phân công", "", XLSX_FILTER)
            if path is None:
                return None
        try:
            report = import_sheet(self.store, self.actor, path, year=self._year)
        except HocbasoError as e:
            self._say(e.message, ok=False)
            return None
        if not report.ok:
            self.problems.setPlainText("\n".join(report.problem_lines()))
            self.problems.show()
            self._say(report.summary(), ok=False)
            return report
        self.reload()
        self._say(report.summary(), ok=True)
        self._refresh_window()
        return report

    def export_template(self, path: str | Path | None = None) -> Path | None:
        from ..services.assignment_import import export_template

        if path is None:
            path = ask_save_path(self, "Xuất mẫu phân công", f"phan-cong-{self._year}.xlsx", XLSX_FILTER)
            if path is None:
                return None
        p = Path(path)
        if p.suffix.lower() != ".xlsx":
            p = p.with_suffix(".xlsx")
        try:
            export_template(self.store, p, self._year)
        except (OSError, HocbasoError) as e:
            self._say(getattr(e, "message", None) or f"Không ghi được tệp {p}: {getattr(e, 'strerror', None) or e}", ok=False)
            return None
        self._say(f"Đã tạo mẫu phân công năm học {self._year}: {p}"
                  + (" (mẫu theo dữ liệu đã lưu, chưa gồm thay đổi chưa lưu)" if self.model.dirty else ""), ok=True)
        return p

    def closeEvent(self, event) -> None:  # noqa: ANN001, N802
        if self.model.dirty and QMessageBox.question(
                self, TITLE, "Các thay đổi phân công chưa lưu sẽ bị bỏ. Đóng cửa sổ?") != QMessageBox.StandardButton.Yes:
            event.ignore()
            return
        super().closeEvent(event)


class AssignmentsUi:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.dialog: AssignmentsDialog | None = None
        self.action = QAction("Phân công GVCN, GVBM…", window)
        self.action.setObjectName("action_assignments")
        self.action.setStatusTip("Mỗi lớp một GVCN, mỗi môn một hay nhiều GVBM: quyền nhập đánh giá và ký theo phân công")
        self.action.triggered.connect(self.open)
        school_menu(window).addAction(self.action)

    def open(self) -> AssignmentsDialog:
        w = self.window
        context = WindowContext.for_window(w)
        self.dialog = AssignmentsDialog(w.store, context.actor, w, context.year)  # type: ignore[attr-defined]
        self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog.open()  # window-modal, does not block: the main window's rights refresh after Lưu
        return self.dialog


def install_assignments_ui(window: QMainWindow) -> AssignmentsUi:
    return AssignmentsUi(window)
