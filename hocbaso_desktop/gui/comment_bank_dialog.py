"""Edit the school's comment bank (ngân hàng nhận xét): suggestions per subject / group and level."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from ..domain.catalogue import catalogue
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services import comment_bank
from ..storage.engine import Store


class CommentBankDialog(QDialog):
    def __init__(self, store: Store, actor: Actor, parent=None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("Ngân hàng nhận xét")
        self.resize(720, 480)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.target = QComboBox()
        self.target.setObjectName("bankTarget")
        self.target.addItem("Mọi môn học", comment_bank.ANY_SUBJECT)
        for s in catalogue().subjects:
            self.target.addItem(s.print_name, s.code)
        for code, name in catalogue().quality_groups.items():
            self.target.addItem(name, code)
        self.level = QComboBox()
        self.level.setObjectName("bankLevel")
        for lv in ("T", "H", "Đ", "C"):
            self.level.addItem(lv, lv)
        top.addWidget(self.target, 2)
        top.addWidget(self.level)
        lay.addLayout(top)
        self.list = QListWidget()
        self.list.setObjectName("bankList")
        lay.addWidget(self.list)
        row = QHBoxLayout()
        self.text = QLineEdit()
        self.text.setObjectName("bankText")
        self.text.setPlaceholderText("Nhận xét mới…")
        add = QPushButton("Thêm")
        add.clicked.connect(self.add)
        rm = QPushButton("Xóa mục chọn")
        rm.clicked.connect(self.remove)
        row.addWidget(self.text, 1)
        row.addWidget(add)
        row.addWidget(rm)
        lay.addLayout(row)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)
        self.target.currentIndexChanged.connect(self.refresh)
        self.level.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for s in comment_bank.suggestions(self.store, self.target.currentData(), self.level.currentData()):
            general = s.target == comment_bank.ANY_SUBJECT and self.target.currentData() != comment_bank.ANY_SUBJECT
            it = QListWidgetItem(f"(chung) {s.text}" if general else s.text)
            it.setData(Qt.ItemDataRole.UserRole, s.id)
            self.list.addItem(it)

    def add(self) -> None:
        try:
            comment_bank.add(self.store, self.actor, self.target.currentData(), self.level.currentData(), self.text.text())
        except HocbasoError as e:
            QMessageBox.warning(self, "Ngân hàng nhận xét", e.message)
            return
        self.text.clear()
        self.refresh()

    def remove(self) -> None:
        it = self.list.currentItem()
        if it is None:
            return
        try:
            comment_bank.remove(self.store, self.actor, int(it.data(Qt.ItemDataRole.UserRole)))
        except HocbasoError as e:
            QMessageBox.warning(self, "Ngân hàng nhận xét", e.message)
            return
        self.refresh()
