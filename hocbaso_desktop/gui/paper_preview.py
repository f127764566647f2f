"""Preview, print and save a student's paper copy (bản giấy học bạ)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
)

from ..storage.engine import Store
from .dialogs import ask_save_path
from .operations import Op
from .screen_fit import fit_to_screen


def pdf_page_images(pdf: bytes, scale: float = 1.4) -> list[QImage]:
    """Rasterise with pdfium (pypdfium2): QtPdf is not in PySide6-Essentials."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    out = []
    for i in range(len(doc)):
        pil = doc[i].render(scale=scale).to_pil().convert("RGB")
        data = pil.tobytes("raw", "RGB")
        img = QImage(data, pil.width, pil.height, pil.width * 3, QImage.Format.Format_RGB888).copy()
        out.append(img)
    doc.close()
    return out


class PaperPreviewDialog(QDialog):
    def __init__(self, store: Store, enrolment_id: int, parent=None, *, received_id: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Xem trước bản giấy học bạ")
        fit_to_screen(self, 900, 1000)  # an A4 page is tall: as tall as the screen allows, never taller
        # received_id: a record another school issued (transfer in), shown as it travelled
        self.store, self.enrolment_id, self.received_id = store, enrolment_id, received_id
        self.pdf: bytes = b""
        self.pages: list[QImage] = []
        self.page = 0
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.prev_btn = QPushButton("◀ Trang trước")
        self.next_btn = QPushButton("Trang sau ▶")
        self.page_label = QLabel("Đang tạo bản giấy…")
        self.print_btn = QPushButton("In…")
        self.save_btn = QPushButton("Lưu PDF…")
        for w in (self.prev_btn, self.next_btn, self.page_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.print_btn)
        bar.addWidget(self.save_btn)
        lay.addLayout(bar)
        self.view = QLabel()
        self.view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.view)
        scroll.setWidgetResizable(True)
        lay.addWidget(scroll)
        self.prev_btn.clicked.connect(lambda: self.show_page(self.page - 1))
        self.next_btn.clicked.connect(lambda: self.show_page(self.page + 1))
        self.print_btn.clicked.connect(self.print_pages)
        self.save_btn.clicked.connect(self.save_pdf)
        for b in (self.prev_btn, self.next_btn, self.print_btn, self.save_btn):
            b.setEnabled(False)
        self.job = Op(self, self._render, lane="cpu", title="Đang tạo bản giấy").outcome(self._rendered) \
            .run_in_background()

    def _render(self, _ctx):  # noqa: ANN001, ANN202 - on the cpu lane
        from ..services.paper_copies import preview_pdf

        if self.received_id is not None:
            from ..services.received_records import paper_pdf

            title, pdf = paper_pdf(self.store, self.received_id)
            return title, pdf, pdf_page_images(pdf)
        name, pdf = preview_pdf(self.store, self.enrolment_id)  # an issued record: the PDF stored at issue
        return name, pdf, pdf_page_images(pdf)

    def _rendered(self, result, error) -> None:
        if error:
            QMessageBox.warning(self, "Bản giấy học bạ", error)
            self.page_label.setText(error)
            return
        name, self.pdf, self.pages = result
        self.setWindowTitle(f"Bản giấy học bạ — {name}")
        for b in (self.print_btn, self.save_btn):
            b.setEnabled(True)
        self.show_page(0)

    def show_page(self, i: int) -> None:
        if not self.pages:
            return
        self.page = max(0, min(i, len(self.pages) - 1))
        self.view.setPixmap(QPixmap.fromImage(self.pages[self.page]))
        self.page_label.setText(f"Trang {self.page + 1}/{len(self.pages)}")
        self.prev_btn.setEnabled(self.page > 0)
        self.next_btn.setEnabled(self.page < len(self.pages) - 1)

    def save_pdf(self) -> None:
        path = ask_save_path(self, "Lưu bản giấy", "hocba.pdf", "PDF (*.pdf)")
        if path:
            Path(path).write_bytes(self.pdf)

    def print_pages(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        print_images(printer, pdf_page_images(self.pdf, scale=300 / 72))


def print_images(printer: QPrinter, images: list[QImage]) -> None:
    painter = QPainter(printer)
    try:
        for i, img in enumerate(images):
            if i:
                printer.newPage()
            rect = painter.viewport()
            size = img.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.setViewport(rect.x(), rect.y(), size.width(), size.height())
            painter.setWindow(img.rect())
            painter.drawImage(0, 0, img)
            painter.setViewport(rect)
    finally:
        painter.end()
