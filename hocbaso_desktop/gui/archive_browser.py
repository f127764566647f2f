"""Open an archive read-only: verify it (off the GUI thread), browse classes → students → record
versions from its index, and view / print a paper copy from the PDFs inside. Nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.vn_dates import vn_date
from ..services.archive_reading import archive_file, archive_index, verify_archive_on_drive
from ..signing.trust import TrustStore
from .dialogs import ask_directory
from .operations import Op
from .screen_fit import fit_to_screen

STATUS = {"issued": "đang hiệu lực", "replaced": "bị thay thế", "withdrawn": "thu hồi"}


class PdfViewer(QDialog):
    def __init__(self, parent: QWidget | None, title: str, pdf: bytes) -> None:
        from .paper_preview import pdf_page_images

        super().__init__(parent)
        self.setObjectName("archive_pdf_viewer")
        self.setWindowTitle(title)
        fit_to_screen(self, 860, 1000)  # a page preview: as tall as the screen allows (issue 18)
        self.pdf = pdf
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.print_btn = QPushButton("In…")
        bar.addWidget(QLabel("Bản giấy trong kho lưu trữ (chỉ đọc)"))
        bar.addStretch(1)
        bar.addWidget(self.print_btn)
        lay.addLayout(bar)
        self.images = pdf_page_images(pdf, scale=1.2)
        inner = QWidget()
        col = QVBoxLayout(inner)
        for img in self.images:
            lbl = QLabel()
            lbl.setPixmap(QPixmap.fromImage(img))
            col.addWidget(lbl)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        lay.addWidget(scroll)
        self.print_btn.clicked.connect(self.print_pages)

    def print_pages(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        from .paper_preview import pdf_page_images, print_images

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            print_images(printer, pdf_page_images(self.pdf, scale=300 / 72))


class ArchiveBrowser(QDialog):
    def __init__(self, parent: QWidget | None, trust: TrustStore) -> None:
        super().__init__(parent)
        self.setObjectName("archive_browser")
        self.setWindowTitle("Kho lưu trữ (chỉ đọc)")
        fit_to_screen(self, 1100, 700)
        self.trust = trust
        self.root: Path | None = None
        self.report: Any = None
        self.job: Op | None = None
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.open_btn = QPushButton("Mở kho lưu trữ…")
        self.pdf_btn = QPushButton("Xem / in bản giấy…")
        self.pdf_btn.setEnabled(False)
        self.verdict = QLabel("Chưa mở kho nào.")
        self.verdict.setObjectName("archive_verdict")
        bar.addWidget(self.open_btn)
        bar.addWidget(self.pdf_btn)
        bar.addWidget(self.verdict, 1)
        lay.addLayout(bar)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget()
        self.tree.setObjectName("archive_tree")
        self.tree.setHeaderLabels(["Lớp / học sinh / phiên bản", "Ngày sinh / trạng thái", "Mã tra cứu"])
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, 170)
        self.report_view = QPlainTextEdit()
        self.report_view.setObjectName("archive_report")
        self.report_view.setReadOnly(True)
        split.addWidget(self.tree)
        split.addWidget(self.report_view)
        split.setSizes([620, 480])
        lay.addWidget(split, 1)  # the tree and report take the height, not the button row
        self.open_btn.clicked.connect(self.choose)
        self.pdf_btn.clicked.connect(self.show_pdf)
        self.tree.currentItemChanged.connect(lambda cur, _p: self.pdf_btn.setEnabled(bool(self._pdf_of(cur))))

    def choose(self) -> None:
        path = ask_directory(self, "Chọn thư mục kho lưu trữ")
        if path:
            self.open_archive(path)

    def open_archive(self, path: str | Path) -> None:
        self.root = Path(path)
        self.tree.clear()
        self.report_view.setPlainText("Đang kiểm tra kho lưu trữ…")
        self.verdict.setText("Đang kiểm tra…")
        root, trust = self.root, self.trust
        self.job = Op(self, lambda ctx: verify_archive_on_drive(root, trust, progress=ctx.progress), lane="cpu",
                      title="Đang kiểm tra kho lưu trữ").outcome(self._verified).run_in_background()

    def _verified(self, report: Any, error: str | None) -> None:
        self.report = report
        if error or report is None:
            self.report_view.setPlainText(error or "")
            return
        self.report_view.setPlainText("\n".join(report.lines()))
        self.verdict.setStyleSheet("color: #1b5e20; font-weight: bold" if report.ok else "color: #b00020; font-weight: bold")
        self.verdict.setText("Kho NGUYÊN VẸN, đã xác minh niêm phong và chữ ký." if report.ok
                             else f"Kho KHÔNG ĐẠT ({len(report.problems)} lỗi): chỉ xem để tham khảo.")
        if self.root is None:
            return
        try:
            self._fill(archive_index(self.root))
        except (OSError, ValueError) as e:
            self.tree.addTopLevelItem(QTreeWidgetItem([f"Không đọc được mục lục: {e}"]))

    def _fill(self, index: dict) -> None:
        for c in index.get("classes", []):
            top = QTreeWidgetItem([f"Lớp {c.get('name')}", f"{len(c.get('students', []))} học sinh", ""])
            self.tree.addTopLevelItem(top)
            for s in c.get("students", []):
                st = QTreeWidgetItem([str(s.get("full_name")), vn_date(s.get("birth_date")), str(s.get("lookup_code"))])
                top.addChild(st)
                for r in s.get("records", []):
                    label = STATUS.get(r.get("status"), str(r.get("status")))
                    item = QTreeWidgetItem([f"Phiên bản {r.get('version')}", label, vn_date(r.get("valid_from"))])
                    item.setData(0, Qt.ItemDataRole.UserRole, r.get("pdf"))
                    st.addChild(item)
                if not s.get("records"):
                    st.addChild(QTreeWidgetItem(["(chưa có học bạ phát hành)",
                                                 "chờ đánh giá bổ sung" if s.get("pending_supplementary") else "", ""]))
            top.setExpanded(True)
        received = index.get("received") or []
        if received:  # another school's records, received by transfer: their own branch, never mixed with ours
            top = QTreeWidgetItem(["Học bạ nhận khi chuyển đến", f"{len(received)} bản (trường cũ ký)", ""])
            self.tree.addTopLevelItem(top)
            for r in received:
                label = STATUS.get(r.get("status"), str(r.get("status")))
                item = QTreeWidgetItem([f"{r.get('full_name')} — năm học {r.get('school_year')}, phiên bản {r.get('version')}",
                                        label, f"Nhận khi chuyển đến — {r.get('school_name')}"])
                item.setData(0, Qt.ItemDataRole.UserRole, r.get("pdf"))
                top.addChild(item)
            top.setExpanded(True)

    def _pdf_of(self, item: QTreeWidgetItem | None) -> Path | None:
        if item is None or self.root is None:
            return None
        return archive_file(self.root, item.data(0, Qt.ItemDataRole.UserRole))

    def show_pdf(self) -> PdfViewer | None:
        item = self.tree.currentItem()
        pdf = self._pdf_of(item)
        if pdf is None or item is None:
            return None
        owner = item.parent()
        viewer = PdfViewer(self, f"Bản giấy — {owner.text(0) if owner is not None else ''}", pdf.read_bytes())
        viewer.show()
        self.viewer = viewer
        return viewer
