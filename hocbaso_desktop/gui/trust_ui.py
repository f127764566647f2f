"""Nhà trường › Chứng thư số gốc tin cậy…: list, add and remove the school's trust anchors.

Thin over services/trust_anchors: the service checks the right (MANAGE_TRUST), refuses leaf
certificates and bundled removals; this dialog only shows and asks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..storage.engine import Store
from .dialogs import ask_directory, ask_open_path
from .operations import WindowContext
from .row_table import row_table
from .school_menu import school_menu

if TYPE_CHECKING:  # the service reads certificates (cryptography, the token library): loaded with the dialog
    from ..services import trust_anchors

TITLE = "Chứng thư số gốc tin cậy"
COLUMNS = ("Chủ thể", "Do tổ chức cấp", "Hiệu lực từ", "Hiệu lực đến", "Nguồn", "Thử nghiệm", "SHA-256")
CERT_FILTER = "Chứng thư số (*.pem *.crt *.cer *.der);;Mọi tệp (*)"


class TrustDialog(QDialog):
    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("trustDialog")
        self.resize(900, 380)
        self.store, self.actor = store, actor
        self.rows: list[trust_anchors.Anchor] = []
        lay = QVBoxLayout(self)
        intro = QLabel("Chữ ký số trên học bạ, gói chuyển trường và kho lưu trữ chỉ được tin cậy khi chuỗi chứng thư "
                       "dẫn tới một chứng thư gốc dưới đây. Chỉ thêm chứng thư của tổ chức chứng thực (CA) lấy từ "
                       "nguồn chính thức (NEAC, Ban Cơ yếu Chính phủ) và so dấu vân tay SHA-256 trước khi thêm.")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = row_table(COLUMNS, "trustTable")
        lay.addWidget(self.table, 1)
        self.empty_label = QLabel()
        self.empty_label.setObjectName("trustEmpty")
        self.empty_label.setStyleSheet("color: #666")
        lay.addWidget(self.empty_label)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Thêm…")
        self.add_button.setObjectName("trustAdd")
        self.add_button.clicked.connect(lambda: self.add())
        self.add_dir_button = QPushButton("Thêm cả thư mục…")
        self.add_dir_button.setObjectName("trustAddDir")
        self.add_dir_button.clicked.connect(lambda: self.add(folder=True))
        self.remove_button = QPushButton("Gỡ bỏ")
        self.remove_button.setObjectName("trustRemove")
        self.remove_button.clicked.connect(lambda: self.remove())
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        for b in (self.add_button, self.add_dir_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        lay.addLayout(buttons)
        if not rights.allowed(actor, rights.MANAGE_TRUST):
            note = QLabel(f"Chỉ {rights.needed_roles_text(rights.RIGHTS[rights.MANAGE_TRUST].roles)} "
                          "thêm hoặc gỡ được chứng thư gốc; bạn chỉ xem danh sách.")
            note.setWordWrap(True)
            lay.insertWidget(lay.count() - 1, note)
            for b in (self.add_button, self.add_dir_button, self.remove_button):
                b.setEnabled(False)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.refresh()

    def refresh(self) -> None:
        from ..services import trust_anchors

        self.rows = trust_anchors.list_anchors(self.store)
        self.table.setRowCount(len(self.rows))
        for i, a in enumerate(self.rows):
            cells = (a.subject_cn, a.issuer, f"{a.valid_from:%d/%m/%Y}", f"{a.valid_to:%d/%m/%Y}", a.origin_text,
                     "có (không có giá trị pháp lý)" if a.demo else "", a.fingerprint)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{a.folder}/{a.file}" if j != 6 else a.fingerprint)
                self.table.setItem(i, j, item)
        self.empty_label.setText("" if self.rows else "Kho tin cậy đang trống: chưa kiểm tra được chữ ký số nào. "
                                                      "Bấm «Thêm…» để thêm chứng thư gốc của tổ chức chứng thực.")
        self._selection_changed()

    def _selection_changed(self) -> None:
        a = self.selected()
        may = rights.allowed(self.actor, rights.MANAGE_TRUST)
        self.remove_button.setEnabled(may and a is not None and a.school)
        if a is not None and not a.school:
            self.remove_button.setToolTip("Chứng thư kèm chương trình hoặc trong thư mục của Cài đặt: không gỡ ở đây.")
        else:
            self.remove_button.setToolTip("")

    def selected(self) -> trust_anchors.Anchor | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rows[rows[0].row()] if rows else None

    def select_fingerprint(self, fingerprint: str) -> bool:
        for i, a in enumerate(self.rows):
            if a.fingerprint.startswith(fingerprint.lower()):
                self.table.selectRow(i)
                return True
        return False

    def add(self, path: str | Path | None = None, *, folder: bool = False) -> trust_anchors.AddResult | None:
        """Add a file (or folder); `path` skips the chooser (tests, drag and drop)."""
        if path is None:
            if folder:
                path = ask_directory(self, "Thư mục chứng thư gốc tin cậy")
            else:
                path = ask_open_path(self, "Chứng thư gốc tin cậy", "", CERT_FILTER)
            if path is None:
                return None
        from ..services import trust_anchors

        try:
            res = trust_anchors.add(self.store, self.actor, path)
        except HocbasoError as e:
            QMessageBox.warning(self, TITLE, e.message)
            return None
        self.refresh()
        lines = [f"Đã thêm {len(res.added)} chứng thư, {len(res.already)} đã có sẵn."]
        lines += [f"• {a.subject_cn} — SHA-256 {a.fingerprint}" for a in res.added]
        QMessageBox.information(self, TITLE, "\n".join(lines))
        return res

    def remove(self, fingerprint: str | None = None) -> trust_anchors.Anchor | None:
        if fingerprint is not None:
            self.select_fingerprint(fingerprint)
        a = self.selected()
        if a is None:
            return None
        answer = QMessageBox.question(
            self, TITLE, f"Gỡ bỏ chứng thư «{a.subject_cn}» khỏi kho tin cậy của trường?\n\n"
            f"SHA-256 {a.fingerprint}\n\nCác chữ ký số dẫn tới chứng thư này sẽ không còn được tin cậy.")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        from ..services import trust_anchors

        try:
            gone = trust_anchors.remove(self.store, self.actor, a.fingerprint)
        except HocbasoError as e:
            QMessageBox.warning(self, TITLE, e.message)
            return None
        self.refresh()
        return gone


class TrustUi:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.dialog: TrustDialog | None = None
        self.action = QAction("Chứng thư số gốc tin cậy…", window)
        self.action.setObjectName("action_trust")
        self.action.triggered.connect(lambda: self.open().exec())
        school_menu(window).addAction(self.action)

    def open(self) -> TrustDialog:
        w = self.window
        self.dialog = TrustDialog(w.store, WindowContext.for_window(w).actor, w)  # type: ignore[attr-defined]
        return self.dialog


def install_trust_ui(window: QMainWindow) -> TrustUi:
    return TrustUi(window)
