"""Xác minh tệp học bạ: open any record XML (also one from outside the app) and read the report.

Verification needs no token and no database row: only the file and the trust store (bundled anchors,
the school's CA folders from the settings, the demo CA when present). It is CPU work of a few
milliseconds, so it runs on the GUI thread.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from ..domain.errors import HocbasoError
from ..services import settings as settings_service
from ..services.signing_setup import default_trust_dirs, trust_store_for
from ..signing import VerificationReport, verify_record
from ..signing.policy import issued_policy
from ..storage.engine import Store
from .dialogs import ask_open_path

MAX_FILE = 50 * 1024 * 1024  # a record is ~20-60 KB; anything this large is not one


class VerifyDialog(QDialog):
    def __init__(self, parent: QWidget | None, store: Store | None) -> None:
        super().__init__(parent)
        self.setObjectName("verify_dialog")
        self.setWindowTitle("Xác minh chữ ký số học bạ")
        self.resize(760, 520)
        self.store = store
        self.report: VerificationReport | None = None
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.file_label = QLabel("Chưa chọn tệp.")
        self.file_label.setObjectName("file_label")
        self.file_label.setWordWrap(True)
        top.addWidget(self.file_label, 1)
        choose = QPushButton("Chọn tệp XML…")
        choose.clicked.connect(self.choose_file)
        top.addWidget(choose)
        lay.addLayout(top)
        self.verdict = QLabel()
        self.verdict.setObjectName("verdict")
        self.verdict.setWordWrap(True)
        self.verdict.setMinimumHeight(2 * self.verdict.fontMetrics().height() + 6)  # verdict + demo note
        lay.addWidget(self.verdict)
        self.view = QTextBrowser()
        self.view.setObjectName("report")
        lay.addWidget(self.view, 1)
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)

    def choose_file(self) -> None:
        path = ask_open_path(self, "Chọn tệp học bạ", "", "Học bạ XML (*.xml);;Mọi tệp (*)")
        if path:
            self.open_file(path)

    def open_file(self, path: str | Path) -> VerificationReport | None:
        p = Path(path)
        self.file_label.setText(f"Tệp: {p}")
        try:
            if p.stat().st_size > MAX_FILE:
                raise HocbasoError(f"Tệp {p.name} quá lớn để là một học bạ.")
            data = p.read_bytes()
            trust = trust_store_for(self.store, *default_trust_dirs())
            # the record claims to be issued: the signature policy applies (signing/policy.py)
            gvbm = settings_service.signing_settings(self.store).gvbm_signs if self.store is not None else False
            report = verify_record(data, trust, policy=issued_policy(gvbm_signs=gvbm), source=f"Tệp {p.name}")
        except OSError as e:
            self._error(f"Không đọc được tệp: {e.strerror or e}")
            return None
        except HocbasoError as e:
            self._error(e.message)
            return None
        self.report = report
        self._show(report)
        return report

    def show_received(self, check) -> None:  # noqa: ANN001 - services.received_records.ReceivedCheck
        """A record received by transfer, verified from the bytes kept in the database."""
        self.file_label.setText(f"Học bạ nhận khi chuyển đến: {check.info.origin}, năm học {check.info.school_year}, "
                                f"phiên bản {check.info.version}")
        self.report = check.report
        self._show(check.report)
        if not check.stored_hash_ok:
            self.verdict.setText("<b style='color:#b00020'>✗ Học bạ nhận khi chuyển đến đã bị thay đổi sau khi nhận "
                                 "(mã SHA-256 khác với lúc nhận gói).</b>")

    def _error(self, message: str) -> None:
        self.report = None
        self.verdict.setText(f"<b style='color:#b00020'>{escape(message)}</b>")
        self.view.clear()
        return None

    def _show(self, report: VerificationReport) -> None:
        if report.ok:
            extra = "<br>(chứng thư thử nghiệm — không có giá trị pháp lý)" if report.demo else ""
            self.verdict.setText(f"<b style='color:#1b5e20'>✓ Học bạ hợp lệ: mọi chữ ký số đều đúng và tin cậy.{extra}</b>")
        else:
            rule = f": {escape(report.policy_problems[0])}" if report.policy_problems else "."
            self.verdict.setText(f"<b style='color:#b00020'>✗ Học bạ KHÔNG hợp lệ{rule}</b>")
        parts = []
        for line in report.lines():
            color = "#1b5e20" if line.startswith("✓") else "#b00020" if line.startswith("✗") else "#222"
            weight = "bold" if not line.startswith(" ") else "normal"
            indent = "1.5em" if line.startswith(" ") else "0"
            parts.append(f"<div style='color:{color};font-weight:{weight};margin-left:{indent}'>{escape(line.strip())}</div>")
        self.view.setHtml("".join(parts))
