"""Nhà trường › Mở năm học mới…: open the next school year from the previous one (kết chuyển, issue 17).

Thin over services.year_rollover, the same as `hocbaso year open`: the dialog picks the old year,
shows the new one (always the next year), lets the user edit where each class goes (2A or 2A, 2B),
previews the plan — the service's dry run, the real write rolled back — in tables, and applies it;
both run on the database lane (gui/operations.py). The principal's confirmation appears only when the old
year has records neither issued nor waiting for the supplementary evaluation, and only the principal
may tick it; the service checks the same again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain import rights
from ..domain.errors import HocbasoError, PermissionDenied
from ..domain.roles import Actor
from ..domain.school_years import next_year
from ..services import directory
from ..services.rollover_plan import RolloverPlan, RolloverRow, default_target
from ..storage.engine import Store
from .operations import Changes, Op, WindowContext
from .row_table import row_table
from .school_menu import school_menu

TITLE = "Mở năm học mới"
ROW_COLUMNS = ("Mã định danh", "Họ và tên", "Lớp cũ", "Lớp mới", "Ghi chú")
MAP_COLUMNS = ("Lớp cũ", "Khối", "Sĩ số", "Lên lớp (lớp mới; tách lớp: 2A, 2B)")
TARGET_COLUMN = 3


class YearRolloverDialog(QDialog):
    completed = Signal(object, object)  # RolloverPlan | None, error text | None (after a preview or the apply)

    def __init__(self, parent: QWidget | None, store: Store, actor: Actor) -> None:
        super().__init__(parent)
        self.setObjectName("year_rollover_dialog")
        self.setWindowTitle(TITLE)
        self.resize(900, 640)
        self.store, self.actor = store, actor
        self.plan: RolloverPlan | None = None
        self.error: str | None = None
        self.job: Op | None = None
        self._edited = False
        lay = QVBoxLayout(self)
        intro = QLabel("Học sinh hoàn thành chương trình lớp học lên lớp của khối trên; học sinh Hiệu trưởng quyết định "
                       "ở lại lớp vẫn học lớp cùng tên; học sinh lớp 5 hoàn thành chương trình tiểu học không kết chuyển. "
                       "Học sinh lớp 1 mới và học sinh chuyển đến: nhập danh sách lớp như thường lệ. Chạy lại không "
                       "làm thay đổi những gì đã kết chuyển.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        form = QFormLayout()
        self.from_year = QComboBox()
        self.from_year.setObjectName("rollover_from_year")
        for y in directory.years(store):
            self.from_year.addItem(y)
        self.from_year.setCurrentIndex(self.from_year.count() - 1)
        form.addRow("Từ năm học:", self.from_year)
        self.new_year = QLineEdit()
        self.new_year.setObjectName("rollover_new_year")
        self.new_year.setReadOnly(True)  # always the year after: the service refuses any other
        form.addRow("Năm học mới:", self.new_year)
        lay.addLayout(form)
        self.mapping = QTableWidget(0, len(MAP_COLUMNS))
        self.mapping.setObjectName("rollover_mapping")
        self.mapping.setHorizontalHeaderLabels(list(MAP_COLUMNS))
        self.mapping.verticalHeader().setVisible(False)
        self.mapping.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.mapping.horizontalHeader().setStretchLastSection(True)
        self.mapping.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.mapping.setMaximumHeight(160)
        self.mapping.itemChanged.connect(self._mapping_edited)
        lay.addWidget(self.mapping)
        options = QHBoxLayout()
        self.copy_box = QCheckBox("Sao chép phân công (GVCN, GVBM theo lớp)")
        self.copy_box.setObjectName("rollover_copy_assignments")
        self.copy_box.setEnabled(rights.allowed(actor, rights.ASSIGN_TEACHING))
        self.confirm_box = QCheckBox("Xác nhận của Hiệu trưởng: mở năm học mới khi còn học bạ chưa hoàn tất")
        self.confirm_box.setObjectName("rollover_confirm_incomplete")
        self.confirm_box.setVisible(False)
        self.confirm_box.setEnabled(rights.allowed(actor, rights.CONFIRM_INCOMPLETE_ROLLOVER))
        options.addWidget(self.copy_box)
        options.addWidget(self.confirm_box)
        options.addStretch(1)
        lay.addLayout(options)
        self.summary = QPlainTextEdit()  # plain text: pupils' names are never rendered as markup
        self.summary.setObjectName("rollover_summary")
        self.summary.setReadOnly(True)
        self.summary.setMinimumHeight(120)
        self.summary.setMaximumHeight(170)
        lay.addWidget(self.summary)
        self.tabs = QTabWidget()
        self.tables: dict[str, QTableWidget] = {}
        for key, title in (("promoted", "Lên lớp"), ("repeating", "Ở lại lớp"), ("graduated", "Hoàn thành CT tiểu học"),
                           ("not_carried", "Không kết chuyển"), ("waiting", "Chờ"), ("incomplete", "Học bạ chưa hoàn tất")):
            table = row_table(ROW_COLUMNS, f"rollover_{key}")
            self.tables[key] = table
            self.tabs.addTab(table, title)
        lay.addWidget(self.tabs, 1)
        buttons = QHBoxLayout()
        self.preview_button = QPushButton("Xem trước")
        self.preview_button.setObjectName("rollover_preview")
        self.apply_button = QPushButton("Mở năm học")
        self.apply_button.setObjectName("rollover_apply")
        close = QPushButton("Đóng")
        self.preview_button.clicked.connect(lambda: self.start(dry_run=True))
        self.apply_button.clicked.connect(lambda: self.start(dry_run=False))
        close.clicked.connect(self.reject)
        buttons.addStretch(1)
        for b in (self.preview_button, self.apply_button, close):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.from_year.currentTextChanged.connect(lambda _t: self._year_changed())
        self.copy_box.toggled.connect(lambda _c: self.start(dry_run=True))
        self._year_changed(preview=False)

    # ---- the mapping ------------------------------------------------------------------------
    def _year_changed(self, preview: bool = True) -> None:
        source = self.from_year.currentText()
        try:
            self.new_year.setText(next_year(source) if source else "")
        except HocbasoError:
            self.new_year.setText("")
        self._fill_mapping({})
        if preview:
            self.start(dry_run=True)

    def _fill_mapping(self, used: dict[str, tuple[str, ...]]) -> None:
        source = self.from_year.currentText()
        classes = [c for c in directory.classes(self.store, source) if c.grade < 5] if source else []
        self.mapping.blockSignals(True)
        self.mapping.setRowCount(len(classes))
        for i, c in enumerate(classes):
            targets = used.get(c.name) or ((default_target(c.name.upper(), c.grade) or ""),)
            for j, text in enumerate((c.name, str(c.grade), str(c.student_count), ", ".join(targets))):
                item = QTableWidgetItem(text)
                if j != TARGET_COLUMN:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.mapping.setItem(i, j, item)
        self.mapping.blockSignals(False)
        self._edited = False

    def _mapping_edited(self, item: QTableWidgetItem) -> None:
        if item.column() == TARGET_COLUMN:
            self._edited = True

    def set_target(self, old_class: str, targets: str) -> None:
        """Type `targets` ("2A" or "2A, 2B") into the row of `old_class`, as the user would."""
        for i in range(self.mapping.rowCount()):
            target = self.mapping.item(i, TARGET_COLUMN)
            if self._cell(i, 0) == old_class and target is not None:
                target.setText(targets)
                return
        raise KeyError(old_class)

    def mapping_value(self) -> dict[str, list[str]] | None:
        """None until the user edits a cell (the service then keeps a first run's classes)."""
        from ..services.year_rollover import parse_mapping

        if not self._edited:
            return None
        items = [f"{self._cell(i, 0)}={self._cell(i, TARGET_COLUMN)}" for i in range(self.mapping.rowCount())]
        return parse_mapping(items)

    def _cell(self, row: int, column: int) -> str:
        item = self.mapping.item(row, column)
        return item.text() if item is not None else ""

    # ---- running ----------------------------------------------------------------------------
    def start(self, dry_run: bool) -> Op | None:
        from ..services.year_rollover import open_year

        if self.job is not None and not self.job.finished_flag:
            return None
        source, target = self.from_year.currentText(), self.new_year.text()
        if not source or not target:
            return None
        try:
            mapping = self.mapping_value()
        except HocbasoError as e:
            self._show_error(e.message)
            return None
        store, code = self.store, self.actor.code
        copy = self.copy_box.isChecked() and self.copy_box.isEnabled()
        confirm = self.confirm_box.isVisible() and self.confirm_box.isChecked() and self.confirm_box.isEnabled()
        for b in (self.preview_button, self.apply_button):
            b.setEnabled(False)

        def work(_ctx) -> RolloverPlan:  # noqa: ANN001
            return open_year(store, code, target, source, mapping=mapping, copy_assignments=copy, dry_run=dry_run,
                             confirm_incomplete=confirm)

        title = "Đang xem trước việc mở năm học mới" if dry_run else "Đang mở năm học mới"
        # the new year's classes and pupils: the window's year list and tree follow the school change
        self.job = Op(self, work, lane="db", title=title, changes=None if dry_run else Changes(school=True)) \
            .outcome(self._finished).run_in_background()
        return self.job

    def _finished(self, plan: Any, error: str | None) -> None:
        for b in (self.preview_button, self.apply_button):
            b.setEnabled(True)
        self.plan, self.error = plan, error
        if error:
            self._show_error(error)
        else:
            self._show(plan)
        self.completed.emit(plan, error)

    def _show_error(self, text: str) -> None:
        self.summary.setPlainText(f"Không mở được năm học mới: {text}")
        self.summary.setStyleSheet("color: #a00")

    def _show(self, plan: RolloverPlan) -> None:
        lines = plan.lines()
        self.summary.setStyleSheet("color: #060" if plan.applied else "")
        self.summary.setPlainText("\n".join(x for x in lines if not x.startswith("  ")))
        for key, table in self.tables.items():
            rows: tuple[RolloverRow, ...] = getattr(plan, key)
            table.setRowCount(len(rows))
            for i, r in enumerate(rows):
                for j, text in enumerate((r.personal_id, r.name, r.from_class, r.to_class, r.note)):
                    table.setItem(i, j, QTableWidgetItem(text))
            self.tabs.setTabText(self.tabs.indexOf(table), f"{self.tabs.tabText(self.tabs.indexOf(table)).split(' (')[0]} "
                                 f"({len(rows)})")
        if not self._edited:
            self._fill_mapping(dict(plan.mapping))
        needs = bool(plan.incomplete)
        self.confirm_box.setVisible(needs)
        if needs and not rights.allowed(self.actor, rights.CONFIRM_INCOMPLETE_ROLLOVER):
            self.confirm_box.setToolTip("Chỉ Hiệu trưởng xác nhận được")


class YearRolloverUi:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.dialog: YearRolloverDialog | None = None
        self.action = QAction("Mở năm học mới…", window)
        self.action.setObjectName("action_year_open")
        self.action.setStatusTip("Kết chuyển: lên lớp, ở lại lớp, hoàn thành chương trình tiểu học; sao chép phân công")
        self.action.triggered.connect(lambda _checked=False: self.open())
        school_menu(window).addAction(self.action)

    def open(self) -> YearRolloverDialog | None:
        actor = WindowContext.for_window(self.window).actor  # nobody chosen: VIEWER, no right at all
        try:
            rights.require(actor, rights.IMPORT_CLASSES)
        except PermissionDenied as e:
            QMessageBox.warning(self.window, TITLE, e.message)
            return None
        if not directory.years(self.window.store):  # type: ignore[attr-defined]
            QMessageBox.information(self.window, TITLE, "Chưa có năm học nào: hãy nhập danh sách lớp trước.")
            return None
        self.dialog = YearRolloverDialog(self.window, self.window.store, actor)  # type: ignore[attr-defined]
        self.dialog.show()
        self.dialog.start(dry_run=True)
        return self.dialog


def install_year_rollover_ui(window: QMainWindow) -> YearRolloverUi:
    return YearRolloverUi(window)
