"""Read-only views: a record's history (versions, who signed when, corrections — one window) and the
audit viewer (filters by student, staff, action; the chain's state from Store.verify_audit)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.errors import HocbasoError
from ..services import corrections, directory, received_records
from ..services.audit_text import action_label, actor_label, changes_text, entity_label, group_label
from ..services.record_history import audit_actions, audit_entries, versions

STATUS_COLOURS = {"issued": "#1b5e20", "replaced": "#6d4c41", "withdrawn": "#b00020"}


def _ro(text: object) -> QTableWidgetItem:
    it = QTableWidgetItem("" if text is None else str(text))
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return it


class RecordHistoryDialog(QDialog):
    """Lịch sử học bạ: every version with its signatures, then the correction requests."""

    def __init__(self, store: Any, enrolment_id: int, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.enrolment_id = store, enrolment_id
        self.setWindowTitle(f"Lịch sử học bạ — {title}")
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("<b>Các phiên bản</b> (phiên bản thay thế, thu hồi vẫn được giữ nguyên, đọc và xác minh được)"))
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Phiên bản / chữ ký", "Trạng thái", "Thời điểm", "SHA-256 bản đã ký / số sê-ri", "Ghi chú"])
        self.tree.header().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        lay.addWidget(self.tree, 2)
        lay.addWidget(QLabel("<b>Học bạ nhận khi chuyển đến</b> (do trường cũ phát hành và ký: chỉ xem, in và xác minh)"))
        self.received = QTableWidget(0, 6)
        self.received.setObjectName("received_records")
        self.received.setHorizontalHeaderLabels(["Nguồn", "Năm học", "Lớp", "Phiên bản", "Trạng thái", "Ngày nhận"])
        self.received.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.received.verticalHeader().hide()
        self.received.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.received.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.received.doubleClicked.connect(lambda _i: self.open_received_paper())
        lay.addWidget(self.received, 1)
        buttons = QHBoxLayout()
        self.paper_btn = QPushButton("Xem bản giấy…")
        self.paper_btn.clicked.connect(lambda: self.open_received_paper())
        self.verify_btn = QPushButton("Xác minh chữ ký…")
        self.verify_btn.clicked.connect(lambda: self.verify_received())
        buttons.addWidget(self.paper_btn)
        buttons.addWidget(self.verify_btn)
        buttons.addStretch(1)
        lay.addLayout(buttons)
        lay.addWidget(QLabel("<b>Phiếu đề nghị sửa dữ liệu</b>"))
        self.corrections = QTableWidget(0, 6)
        self.corrections.setHorizontalHeaderLabels(["Số", "Trạng thái", "Người đề nghị", "Lý do", "Quyết định", "Chứng kiến"])
        self.corrections.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.corrections.verticalHeader().hide()
        lay.addWidget(self.corrections, 1)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        lay.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        self.resize(980, 560)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        self.versions = versions(self.store, self.enrolment_id)
        for v in self.versions:
            when = v.issued_at or v.created_at
            top = QTreeWidgetItem([f"Phiên bản {v.version}", v.status_text, when.strftime("%d/%m/%Y %H:%M"),
                                   v.sha256 or "—", v.status_reason])
            colour = STATUS_COLOURS.get(v.status)
            if colour:
                top.setForeground(1, QBrush(QColor(colour)))
            for sig in v.signatures:
                top.addChild(QTreeWidgetItem([f"  {sig.seq}. {sig.role}: {sig.signer_name}", "đã ký",
                                              sig.signed_at.strftime("%d/%m/%Y %H:%M:%S"), sig.cert_serial, ""]))
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        if not self.versions:
            self.tree.addTopLevelItem(QTreeWidgetItem(["Chưa có phiên bản nào được ký", "nháp", "", "", ""]))
        for i in range(4):
            self.tree.resizeColumnToContents(i)
        self._fill_received()
        rows = corrections.list_corrections(self.store, None, states=None, enrolment_id=self.enrolment_id)
        self.correction_rows = rows
        self.corrections.setRowCount(len(rows))
        for r, c in enumerate(rows):
            decision = (f"{c.decided_by_name}, {c.decided_at:%d/%m/%Y %H:%M}" if c.decided_at else "") + (
                f" — {c.decision_reason}" if c.decision_reason else "")
            for col, val in enumerate((c.id, c.state_text, f"{c.requester_name} ({c.requester_code})", c.reason,
                                       decision, "; ".join(w.text for w in c.witnesses))):
                self.corrections.setItem(r, col, _ro(val))
        self.corrections.resizeColumnsToContents()
        self.corrections.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)


    def _fill_received(self) -> None:
        self.received_rows = received_records.for_enrolment(self.store, self.enrolment_id)
        self.received.setRowCount(len(self.received_rows))
        grey = QBrush(QColor("#5f6368"))
        for r, x in enumerate(self.received_rows):
            for col, val in enumerate((x.origin, x.school_year, x.class_name, x.version, x.status_text,
                                       x.received_at.strftime("%d/%m/%Y"))):
                it = _ro(val)
                it.setForeground(grey)
                it.setToolTip(f"{x.origin}: học bạ do trường cũ ký, được giữ nguyên từng byte — chỉ đọc")
                self.received.setItem(r, col, it)
            colour = STATUS_COLOURS.get(x.status)
            status_item = self.received.item(r, 4)
            if colour and status_item is not None:
                status_item.setForeground(QBrush(QColor(colour)))
        if self.received_rows:
            self.received.selectRow(0)
        for b in (self.paper_btn, self.verify_btn):
            b.setEnabled(bool(self.received_rows))
        self.received.resizeColumnsToContents()
        self.received.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def _picked_received(self) -> received_records.ReceivedInfo | None:
        row = self.received.currentRow()
        return self.received_rows[row] if 0 <= row < len(self.received_rows) else None

    def open_received_paper(self, *, modal: bool = True) -> QDialog | None:
        from .paper_preview import PaperPreviewDialog

        picked = self._picked_received()
        if picked is None:
            return None
        dlg = PaperPreviewDialog(self.store, self.enrolment_id, self, received_id=picked.id)
        if modal:
            dlg.exec()
        return dlg

    def verify_received(self, *, modal: bool = True) -> QDialog | None:
        from .verify_dialog import VerifyDialog

        picked = self._picked_received()
        if picked is None:
            return None
        dlg = VerifyDialog(self, self.store)
        try:
            dlg.show_received(received_records.verify(self.store, picked.id))
        except HocbasoError as e:
            dlg._error(e.message)
        if modal:
            dlg.exec()
        return dlg


class AuditViewer(QDialog):
    """Nhật ký hệ thống: the hash chain's entries, newest first, filtered; its state on top."""

    LIMIT = 2000  # newest entries shown; filters narrow further

    def __init__(self, store: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Nhật ký hệ thống")
        self.chain = QLabel()
        self.chain.setWordWrap(True)
        self.student = QLineEdit()
        self.student.setPlaceholderText("Mã định danh học sinh")
        self.staff = QComboBox()
        self.staff.addItem("Mọi người", "")
        self.staff.addItem("Hệ thống", "system")
        for st in directory.staff(store):
            self.staff.addItem(f"{st.code} — {st.full_name}", st.code)
        self.action = QComboBox()
        self.action.addItem("Mọi thao tác", "")
        known = audit_actions(store)
        for group in sorted({a.split(".")[0] for a in known if "." in a}):  # a whole area: "correction", "record"…
            self.action.addItem(group_label(group), group)
        for a in known:
            self.action.addItem(action_label(a), a)
        apply = QPushButton("Lọc")
        apply.clicked.connect(self.refresh)
        self.student.returnPressed.connect(self.refresh)
        self.staff.currentIndexChanged.connect(self.refresh)
        self.action.currentIndexChanged.connect(self.refresh)
        verify = QPushButton("Kiểm tra chuỗi")
        verify.clicked.connect(self.check_chain)
        filters = QHBoxLayout()
        for label, w in (("Học sinh:", self.student), ("Cán bộ:", self.staff), ("Thao tác:", self.action)):
            filters.addWidget(QLabel(label))
            filters.addWidget(w, 1)
        filters.addWidget(apply)
        filters.addWidget(verify)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["#", "Thời điểm", "Người thao tác", "Thao tác", "Đối tượng", "Nội dung"])
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.count = QLabel()
        lay = QVBoxLayout(self)
        lay.addWidget(self.chain)
        lay.addLayout(filters)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.count)
        self.resize(1100, 600)
        self.check_chain()
        self.refresh()

    def check_chain(self) -> bool:
        from ..services.audit_heads import audit_state  # the chain and the heads signed with the seal

        ok, text = audit_state(self.store)
        self.chain.setText(("✔ " if ok else "✖ ") + text)
        self.chain.setStyleSheet("color: #1b5e20; font-weight: bold" if ok else "color: #b00020; font-weight: bold")
        return ok

    def set_filters(self, *, student: str = "", staff: str = "", action: str = "") -> None:
        self.student.setText(student)
        for combo, value in ((self.staff, staff), (self.action, action)):
            combo.blockSignals(True)
            i = combo.findData(value)
            combo.setCurrentIndex(i if i >= 0 else 0)
            combo.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        try:
            rows = audit_entries(self.store, student=self.student.text().strip() or None,
                                 staff=self.staff.currentData() or None, action=self.action.currentData() or None,
                                 limit=self.LIMIT, newest_first=True)
        except HocbasoError as e:
            rows = []
            self.count.setText(e.message)
        else:
            self.count.setText(f"{len(rows)} mục" + (f" (mới nhất {self.LIMIT})" if len(rows) >= self.LIMIT else ""))
        self.rows = rows
        self.table.setRowCount(len(rows))
        for r, entry in enumerate(rows):
            row = (entry.seq, entry.local_time, actor_label(entry.actor), action_label(entry.action),
                   entity_label(entry.entity, entry.entity_id),
                   changes_text(entry.action, entry.entity, entry.entity_id, entry.changes))
            for col, val in enumerate(row):
                self.table.setItem(r, col, _ro(val))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
