"""Học bạ › Quyết định lên lớp / ở lại lớp…: the principal's decision for the pupils of the class shown
who have not completed the grade (CHT) or wait for the supplementary evaluation (Điều 11 khoản 1 điểm c).

Thin over services/promotion: the service checks the right (principal only), the eligibility and the
locks; this dialog lists, offers the two choices and a note, and shows the refusal when there is one.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services import directory, promotion
from ..storage.engine import Store
from .menus import RECORDS_MENU, menu_or_new
from .operations import Changes, WindowContext
from .row_table import row_table

TITLE = "Quyết định lên lớp / ở lại lớp"
COLUMNS = ("Họ và tên", "Mã định danh", "Kết quả", "Quyết định", "Ghi chú")


def _state(w: promotion.Waiting) -> str:
    if w.promoted is None:
        return "chờ quyết định" + (" (đang đánh giá bổ sung)" if w.pending_supplementary else "")
    return promotion.DECISION_TEXT[w.promoted]


class PromotionDialog(QDialog):
    def __init__(self, store: Store, actor: Actor, class_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor, self.class_id = store, actor, class_id
        info = directory.class_by_id(store, class_id)
        self.setWindowTitle(f"{TITLE} — lớp {info.name}")
        self.setObjectName("promotionDialog")
        self.resize(760, 420)
        self.rows: list[promotion.Waiting] = []
        lay = QVBoxLayout(self)
        intro = QLabel(f"Lớp {info.name}, năm học {info.year}: học sinh chưa hoàn thành chương trình lớp học. Sau đánh giá "
                       "bổ sung, Hiệu trưởng quyết định được lên lớp hoặc ở lại lớp (Thông tư 27, Điều 11); quyết định "
                       "được ghi vào học bạ (được lên lớp) và nhật ký.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = row_table(COLUMNS, "promotionTable")
        self.table.itemSelectionChanged.connect(self._selected)
        lay.addWidget(self.table, 1)
        self.empty_label = QLabel()
        self.empty_label.setStyleSheet("color: #666")
        lay.addWidget(self.empty_label)
        form = QFormLayout()
        choice = QHBoxLayout()
        self.promote_radio = QRadioButton("Được lên lớp")
        self.promote_radio.setObjectName("promoteYes")
        self.retain_radio = QRadioButton("Ở lại lớp (chưa được lên lớp)")
        self.retain_radio.setObjectName("promoteNo")
        self.group = QButtonGroup(self)
        self.group.addButton(self.promote_radio)
        self.group.addButton(self.retain_radio)
        choice.addWidget(self.promote_radio)
        choice.addWidget(self.retain_radio)
        choice.addStretch(1)
        form.addRow("Quyết định:", choice)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("promotionNote")
        self.note_edit.setPlaceholderText("ví dụ: kết quả đánh giá bổ sung môn Toán đạt")
        form.addRow("Ghi chú:", self.note_edit)
        lay.addLayout(form)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Ghi quyết định")
        self.save_button.setObjectName("promotionSave")
        self.save_button.clicked.connect(lambda: self.decide())
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        self.may = rights.allowed(actor, rights.DECIDE_PROMOTION)
        if not self.may:
            note = QLabel(f"Chỉ {rights.needed_roles_text(rights.RIGHTS[rights.DECIDE_PROMOTION].roles)} quyết định "
                          "lên lớp / ở lại lớp; bạn chỉ xem danh sách.")
            note.setWordWrap(True)
            lay.insertWidget(lay.count() - 1, note)
            for w in (self.promote_radio, self.retain_radio, self.note_edit):
                w.setEnabled(False)
        self.refresh()

    def refresh(self) -> None:
        self.rows = promotion.waiting(self.store, self.class_id)
        self.table.setRowCount(len(self.rows))
        for i, w in enumerate(self.rows):
            for j, text in enumerate((w.full_name, w.personal_id, w.result or "", _state(w), w.note)):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.empty_label.setText("" if self.rows else "Lớp này không có học sinh nào cần quyết định lên lớp.")
        if self.rows and not self.table.selectionModel().selectedRows():
            self.table.selectRow(0)
        self._selected()

    def selected(self) -> promotion.Waiting | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def select(self, personal_id: str) -> bool:
        for i, w in enumerate(self.rows):
            if w.personal_id == personal_id:
                self.table.selectRow(i)
                return True
        return False

    def _selected(self) -> None:
        w = self.selected()
        self.save_button.setEnabled(self.may and w is not None)
        if w is None:
            return
        self.group.setExclusive(False)
        self.promote_radio.setChecked(w.promoted is True)
        self.retain_radio.setChecked(w.promoted is False)
        self.group.setExclusive(True)
        self.note_edit.setText(w.note)

    def decide(self, personal_id: str | None = None, promoted: bool | None = None,
               note: str | None = None) -> promotion.Decision | None:
        """Record the decision for the selected pupil (or `personal_id`), from the widgets unless given."""
        if personal_id is not None:
            self.select(personal_id)
        if promoted is not None:
            (self.promote_radio if promoted else self.retain_radio).setChecked(True)
        if note is not None:
            self.note_edit.setText(note)
        w = self.selected()
        if w is None:
            return None
        if not (self.promote_radio.isChecked() or self.retain_radio.isChecked()):
            QMessageBox.warning(self, TITLE, "Hãy chọn «Được lên lớp» hoặc «Ở lại lớp».")
            return None
        try:
            d = promotion.decide(self.store, self.actor, w.personal_id, self.promote_radio.isChecked(),
                                 self.note_edit.text())
        except HocbasoError as e:
            QMessageBox.warning(self, TITLE, e.message)
            return None
        self.refresh()
        self.select(d.personal_id)
        return d


class PromotionUi:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.dialog: PromotionDialog | None = None
        self.action = QAction("Quyết định lên lớp / ở lại lớp…", window)
        self.action.setObjectName("action_promotion")
        self.action.triggered.connect(self._open_and_run)
        menu = menu_or_new(window, RECORDS_MENU, "&Học bạ")
        menu.addSeparator()
        menu.addAction(self.action)

    def open(self) -> PromotionDialog | None:
        w, ctx = self.window, WindowContext.for_window(self.window)
        class_id = ctx.class_id
        if class_id is None:
            QMessageBox.information(w, TITLE, "Hãy chọn một lớp trước.")
            return None
        self.dialog = PromotionDialog(w.store, ctx.actor, class_id, w)  # type: ignore[attr-defined]
        return self.dialog

    def _open_and_run(self) -> None:
        dlg = self.open()
        if dlg is not None:
            dlg.exec()
            # the grid shows the decision's effect (pending cleared)
            WindowContext.for_window(self.window).announce(Changes(grid=dlg.class_id))


def install_promotion_ui(window: QMainWindow) -> PromotionUi:
    return PromotionUi(window)
