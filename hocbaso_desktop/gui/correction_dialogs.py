"""Dialogs of the correction workflow: the request form (phiếu đề nghị sửa), the approval with its
witnesses, and the inbox the admin team reads and the principal decides in. Thin over
services/corrections.py: every rule and every Vietnamese refusal comes from there."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.roles import Actor
from ..services import corrections
from ..services.corrections import CorrectionInfo, Witness
from ..storage.correction_models import MAX_EVIDENCE_BYTES
from .dialogs import ask_open_path, ask_save_path

ROLE_CHOICES = list(corrections.WITNESS_ROLES.values())


def _plain(text: str = "") -> QLabel:
    """A label for users' text (names, reasons, file names): shown as typed, never rendered as HTML —
    a reason like <h1>ĐÃ ĐƯỢC PHÒNG GD&ĐT PHÊ DUYỆT</h1> must not paint a banner."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _item(text: object) -> QTableWidgetItem:
    it = QTableWidgetItem("" if text is None else str(text))
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return it


class RequestDialog(QDialog):
    """Phiếu đề nghị sửa dữ liệu for one student's issued record."""

    filed = Signal(int)

    def __init__(self, store: Any, actor: Actor, enrolment_id: int, student_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor, self.enrolment_id = store, actor, enrolment_id
        self.setWindowTitle("Phiếu đề nghị sửa dữ liệu học bạ")
        self.evidence: tuple[str, bytes] | None = None
        form = QFormLayout()
        form.addRow("Học sinh:", _plain(student_label))
        form.addRow("Người đề nghị:", _plain(f"{actor.name} ({actor.code})"))
        self.fields_edit = QPlainTextEdit()
        self.fields_edit.setPlaceholderText("Mỗi dòng một nội dung cần sửa, ví dụ: Tiếng Việt — nhận xét")
        self.fields_edit.setFixedHeight(70)
        form.addRow("Nội dung cần sửa:", self.fields_edit)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText("Lý do, sai sót phát hiện được, căn cứ…")
        self.reason_edit.setFixedHeight(70)
        form.addRow("Lý do:", self.reason_edit)
        row = QHBoxLayout()
        self.evidence_label = _plain("chưa chọn tệp")
        pick = QPushButton("Chọn tệp minh chứng…")
        pick.clicked.connect(self._pick_evidence)
        row.addWidget(self.evidence_label, 1)
        row.addWidget(pick)
        form.addRow("Minh chứng:", row)
        self.error = _plain()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Gửi phiếu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addStretch(1)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(560, 380)

    def _pick_evidence(self) -> None:
        path = ask_open_path(self, "Tệp minh chứng", "", "Mọi tệp (*)")
        if path:
            self.set_evidence(Path(path))

    def set_evidence(self, path: Path) -> bool:
        if path.stat().st_size > MAX_EVIDENCE_BYTES:
            self.error.setText(f"Tệp minh chứng lớn hơn {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB")
            return False
        self.evidence = (path.name, path.read_bytes())
        self.evidence_label.setText(f"{path.name} ({len(self.evidence[1]) // 1024 + 1} KB)")
        return True

    def submit(self) -> int | None:
        fields = [x for x in self.fields_edit.toPlainText().splitlines() if x.strip()]
        name, data = self.evidence or ("", None)
        try:
            cid = corrections.request_correction(self.store, self.actor, self.enrolment_id,
                                                 self.reason_edit.toPlainText(), fields=fields,
                                                 evidence_name=name, evidence=data)
        except HocbasoError as e:
            self.error.setText(e.message)
            return None
        self.filed.emit(cid)
        self.accept()
        return cid


class ApproveDialog(QDialog):
    """Who witnessed the opening (Điều 8): role, staff code or name, and — for staff — an optional
    password so the witness proves being at this PC (accounts.authenticate, audited as a login)."""

    def __init__(self, store: Any, info: CorrectionInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store, self.info = store, info
        self.setWindowTitle(f"Duyệt phiếu số {info.id}")
        lay = QVBoxLayout(self)
        head = QLabel(f"<b>{escape(info.student_name)}</b> — lớp {escape(info.class_name)}, năm học {escape(info.year)}<br>"
                      f"Người đề nghị: {escape(info.requester_name)} ({escape(info.requester_code)})<br>"
                      f"Lý do: {escape(info.reason)}")
        head.setTextFormat(Qt.TextFormat.RichText)  # our bold and line breaks; every user part escaped
        lay.addWidget(head)
        lay.addWidget(QLabel("Người chứng kiến (Hiệu trưởng và người đề nghị được ghi tự động):"))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Thành phần", "Mã cán bộ hoặc họ tên", "Mật khẩu (nếu là cán bộ)"])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 160)
        self.table.setColumnWidth(2, 210)
        lay.addWidget(self.table)
        add = QPushButton("Thêm người chứng kiến")
        add.clicked.connect(lambda: self.add_witness())
        lay.addWidget(add, alignment=Qt.AlignmentFlag.AlignLeft)
        self.note = QLineEdit()
        self.note.setPlaceholderText("Ghi chú của Hiệu trưởng (không bắt buộc)")
        lay.addWidget(self.note)
        self.error = _plain()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Duyệt và mở khóa học bạ")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self._ok)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        self.result_witnesses: list[Witness] = []
        for role in ("Ban quản trị", "Ban TTND"):
            self.add_witness(role)
        self.resize(720, 420)

    def add_witness(self, role: str = "", who: str = "", password: str = "") -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        combo = QComboBox()
        combo.addItems(["", *ROLE_CHOICES])
        combo.setCurrentText(role)
        self.table.setCellWidget(r, 0, combo)
        self.table.setCellWidget(r, 1, QLineEdit(who))
        pw = QLineEdit(password)
        pw.setEchoMode(QLineEdit.EchoMode.Password)
        self.table.setCellWidget(r, 2, pw)

    def witnesses(self) -> list[Witness]:
        """The rows as witnesses; a staff member with a password typed is authenticated here."""
        from ..services import accounts

        out: list[Witness] = []
        for r in range(self.table.rowCount()):
            role_box, who_edit, pw_edit = (self.table.cellWidget(r, c) for c in range(3))
            assert isinstance(role_box, QComboBox) and isinstance(who_edit, QLineEdit) and isinstance(pw_edit, QLineEdit)
            role = role_box.currentText()
            who = who_edit.text().strip()
            password = pw_edit.text()
            if not who:
                continue
            w = corrections.resolve_witness(self.store, who)
            w = Witness(w.name, role or w.role, w.code)
            if w.code and password:
                accounts.authenticate(self.store, w.code, password, via="witness")  # raises when wrong
                w = Witness(w.name, w.role, w.code, True)
            out.append(w)
        return out

    def _ok(self) -> None:
        try:
            self.result_witnesses = self.witnesses()
        except HocbasoError as e:
            self.error.setText(e.message)
            return
        self.accept()


class CorrectionsInbox(QDialog):
    """Hộp phiếu đề nghị: the admin team reads every request; the principal approves or rejects."""

    changed = Signal()

    def __init__(self, store: Any, actor: Actor, parent: QWidget | None = None, *,
                 ask_witnesses: Callable[[CorrectionInfo], list[Witness] | None] | None = None,
                 ask_reason: Callable[[str], str | None] | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.ask_witnesses = ask_witnesses or self._ask_witnesses
        self.ask_reason = ask_reason or self._ask_reason
        self.setWindowTitle("Hộp phiếu đề nghị sửa dữ liệu")
        self.show_all = QComboBox()
        self.show_all.addItems(["Đang chờ duyệt hoặc đang sửa", "Tất cả các phiếu"])
        self.show_all.currentIndexChanged.connect(self.refresh)
        self.table = QTableWidget(0, 8)
        self.table.setHorizontalHeaderLabels(["Số", "Trạng thái", "Học sinh", "Lớp", "Năm học", "Người đề nghị",
                                              "Ngày lập", "Lý do"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._selected)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self.approve_button = QPushButton("Duyệt…")
        self.reject_button = QPushButton("Từ chối…")
        self.minute_button = QPushButton("Biên bản (PDF)…")
        self.approve_button.clicked.connect(lambda: self.approve_selected())
        self.reject_button.clicked.connect(lambda: self.reject_selected())
        self.minute_button.clicked.connect(self._save_minute)
        self.message = _plain()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.approve_button, self.reject_button, self.minute_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.show_all, alignment=Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.detail)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.can_decide = rights.allowed(actor, rights.APPROVE_CORRECTION)
        if not self.can_decide:
            self.approve_button.setToolTip("Chỉ Hiệu trưởng duyệt hoặc từ chối phiếu")
            self.reject_button.setToolTip("Chỉ Hiệu trưởng duyệt hoặc từ chối phiếu")
        self.rows: list[CorrectionInfo] = []
        self.resize(900, 520)
        self.refresh()

    def refresh(self) -> None:
        states = None if self.show_all.currentIndex() == 1 else ("open", "approved")
        self.rows = corrections.list_corrections(self.store, self.actor, states=states)
        self.table.setRowCount(len(self.rows))
        for r, c in enumerate(self.rows):
            for col, v in enumerate((c.id, c.state_text, f"{c.student_name} ({c.personal_id})", c.class_name, c.year,
                                     f"{c.requester_name} ({c.requester_code})", c.created_at.strftime("%d/%m/%Y %H:%M"),
                                     c.reason)):
                self.table.setItem(r, col, _item(v))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(7, QHeaderView.ResizeMode.Stretch)
        if self.rows:
            self.table.selectRow(0)
        self._selected()

    def selected(self) -> CorrectionInfo | None:
        r = self.table.currentRow()
        return self.rows[r] if 0 <= r < len(self.rows) else None

    def select_id(self, correction_id: int) -> None:
        for r, c in enumerate(self.rows):
            if c.id == correction_id:
                self.table.selectRow(r)

    def _selected(self) -> None:
        c = self.selected()
        is_open = c is not None and c.state == "open"
        self.approve_button.setEnabled(self.can_decide and is_open)
        self.reject_button.setEnabled(self.can_decide and is_open)
        self.minute_button.setEnabled(c is not None)
        if c is None:
            self.detail.setText("<i>Không có phiếu nào.</i>")
            return
        # Rich text for our own bold title only: every part a user typed is escaped (issue 15).
        lines = [f"<b>Phiếu số {c.id}</b> — {escape(c.state_text)}; học bạ phiên bản {c.record_version}"]
        if c.fields:
            lines.append("Nội dung cần sửa: " + escape("; ".join(c.fields)))
        lines.append(f"Minh chứng: {escape(c.evidence_name)} ({c.evidence_size // 1024 + 1} KB)" if c.evidence_name
                     else "Minh chứng: không có")
        if c.decided_by_code:
            lines.append(f"Quyết định: {escape(c.decided_by_name or '')}, {c.decided_at:%d/%m/%Y %H:%M}"
                         + (f" — {escape(c.decision_reason)}" if c.decision_reason else ""))
        if c.witnesses:
            lines.append("Chứng kiến: " + escape("; ".join(w.text + (" ✓" if w.confirmed else "") for w in c.witnesses)))
        self.detail.setText("<br>".join(lines))

    # --- decisions (callable from tests without the modal dialogs) ---------------------------
    def approve_selected(self, witnesses: list[Witness | str] | None = None) -> CorrectionInfo | None:
        c = self.selected()
        if c is None:
            return None
        if witnesses is None:
            asked = self.ask_witnesses(c)
            if asked is None:
                return None
            witnesses = list(asked)
        try:
            info = corrections.approve(self.store, self.actor, c.id, witnesses)
        except HocbasoError as e:
            self.message.setText(e.message)
            return None
        self.message.setText(f"Đã duyệt phiếu số {info.id}: học bạ của {info.student_name} mở để sửa; "
                             f"sau khi sửa, ký lại GVCN → Hiệu trưởng → con dấu.")
        self.refresh()
        self.select_id(info.id)
        self.changed.emit()
        return info

    def reject_selected(self, reason: str | None = None) -> CorrectionInfo | None:
        c = self.selected()
        if c is None:
            return None
        reason = reason if reason is not None else self.ask_reason(f"Lý do từ chối phiếu số {c.id}:")
        if reason is None:
            return None
        try:
            info = corrections.reject(self.store, self.actor, c.id, reason)
        except HocbasoError as e:
            self.message.setText(e.message)
            return None
        self.message.setText(f"Đã từ chối phiếu số {info.id}.")
        self.refresh()
        self.changed.emit()
        return info

    def _ask_witnesses(self, c: CorrectionInfo) -> list[Witness] | None:
        dlg = ApproveDialog(self.store, c, self)
        return dlg.result_witnesses if dlg.exec() == QDialog.DialogCode.Accepted else None

    def _ask_reason(self, label: str) -> str | None:
        text, ok = QInputDialog.getText(self, "Từ chối phiếu", label)
        return text if ok else None

    def _save_minute(self) -> None:
        from ..services.correction_minute import write_minute

        c = self.selected()
        if c is None:
            return
        path = ask_save_path(self, "Lưu biên bản", f"bien-ban-dinh-chinh-{c.id}.pdf", "PDF (*.pdf)")
        if not path:
            return
        try:
            write_minute(self.store, c.id, path)
        except HocbasoError as e:
            QMessageBox.warning(self, "Biên bản", e.message)
            return
        self.message.setText(f"Đã lưu biên bản: {path}")
