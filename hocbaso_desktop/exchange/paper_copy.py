"""The paper copy (bản giấy Học bạ số) as one A4 PDF: one section per student.

Input is RecordData only, so the GUI can run this off its thread. Each student's pages are made
only when the layout reaches them (a marker flowable expands into the next student), which keeps
memory flat for a whole school and gives natural points to report progress and honour a cancel
request between students.

Every page but the cover carries the mã tra cứu as text and QR code in the footer band; until the
record carries signatures every page is stamped BẢN NHÁP.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, NextPageTemplate, PageBreak, PageTemplate

from ..domain.errors import HocbasoError
from ..domain.progress import CancelCheck, Cancelled, Progress
from ..domain.record_data import RecordData
from ..fileio import require_folder
from .paper_pages import cover_page, history_page, identity_page, year_page_a, year_page_b
from .paper_style import (
    FOOTER_H,
    LABELS,
    MARGIN_B,
    MARGIN_L,
    MARGIN_R,
    MARGIN_T,
    PAGE_H,
    PAGE_W,
    QR_SIZE,
    TEXT_W,
)
from .pdf_fonts import BOLD, REGULAR, register_fonts
from .qr import draw_qr_form
from .transcript_band import draw_transcription_band
from .watermark import draw_draft_stamp

PAGE_NUMBER_X = PAGE_W - MARGIN_R - QR_SIZE - 6  # right end of the page number, left of the QR code


class PaperCopyCancelled(Cancelled):
    """The user cancelled; no file was written."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"Đã hủy in học bạ ({done}/{total} học sinh); không tạo tệp PDF", done=done, total=total)


def identity_pages(d: RecordData) -> list[Flowable]:
    """Cover, identity page and QUÁ TRÌNH HỌC TẬP: printed once per book (exchange/paper_book.py)
    or once per yearly copy; starts on the cover template and ends on the history page."""
    return [
        *cover_page(d), NextPageTemplate("body"), PageBreak(),
        *identity_page(d), PageBreak(),
        *history_page(d),
    ]


def year_pages(d: RecordData) -> list[Flowable]:
    """The year block (pages A and B), on the body template: the same in a yearly copy and a book."""
    return [*year_page_a(d), PageBreak(), *year_page_b(d)]


def student_pages(d: RecordData) -> list[Flowable]:
    """One student's section, starting on the cover template and ending after the year block."""
    return [*identity_pages(d), PageBreak(), *year_pages(d)]


class _NextStudent(Flowable):
    """Placeholder the document replaces by the next student's pages (never drawn)."""

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:  # pragma: no cover - never laid out
        return 0, 0

    def draw(self) -> None:  # pragma: no cover
        pass


class _HocbaDoc(BaseDocTemplate):
    def __init__(self, target: str | BinaryIO, records: list[RecordData], progress: Progress | None,
                 cancel: CancelCheck | None, title: str) -> None:
        super().__init__(target, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_L, rightMargin=MARGIN_R,
                         topMargin=MARGIN_T, bottomMargin=MARGIN_B, title=title, author="Học bạ số",
                         subject="Bản giấy Học bạ số tiểu học", creator="hocbaso_desktop",
                         invariant=True)  # no creation date/ID: the same records give the same bytes
        self.records = records
        self.progress = progress
        self.cancel = cancel
        self.index = 0  # student whose pages are being laid out
        self.section_start = 1  # page number of that student's cover
        full = Frame(MARGIN_L, MARGIN_B, TEXT_W, PAGE_H - MARGIN_T - MARGIN_B, id="full", leftPadding=0,
                     rightPadding=0, topPadding=0, bottomPadding=0)
        body = Frame(MARGIN_L, MARGIN_B + FOOTER_H, TEXT_W, PAGE_H - MARGIN_T - MARGIN_B - FOOTER_H, id="body",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("cover", [full], onPage=self._decorate_cover),
                               PageTemplate("body", [body], onPage=self._decorate_body)])

    @property
    def current(self) -> RecordData:
        return self.records[self.index]

    # The marker is handled when layout reaches it, i.e. while the previous student's last page is
    # still open: switching `index` here makes the next page's decorations belong to the new student.
    def handle_flowable(self, flowables: list[Flowable]) -> None:
        if flowables and isinstance(flowables[0], _NextStudent):
            flowables.pop(0)
            done = self.index + 1
            if self.progress is not None:
                self.progress(done, len(self.records), f"Học sinh {done}/{len(self.records)}")
            if done >= len(self.records):
                return
            if self.cancel is not None and self.cancel():
                raise PaperCopyCancelled(done, len(self.records))
            self.index = done
            self.section_start = self.page + 1
            flowables[0:0] = [NextPageTemplate("cover"), PageBreak(), *student_pages(self.current), _NextStudent()]
            return
        super().handle_flowable(flowables)

    def _decorate_cover(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        # a double rule around the cover, as on the printed book
        canvas.saveState()
        canvas.setLineWidth(1.6)
        canvas.rect(MARGIN_L - 8, MARGIN_B - 4, TEXT_W + 16, PAGE_H - MARGIN_T - MARGIN_B + 8)
        canvas.setLineWidth(0.5)
        canvas.rect(MARGIN_L - 4, MARGIN_B, TEXT_W + 8, PAGE_H - MARGIN_T - MARGIN_B)
        canvas.restoreState()
        self._draft_mark(canvas)

    def _decorate_body(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        d = self.current
        self._draft_mark(canvas)
        canvas.saveState()
        y0 = MARGIN_B
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN_L, y0 + FOOTER_H - 3, PAGE_W - MARGIN_R, y0 + FOOTER_H - 3)
        canvas.setFont(REGULAR, 9)
        canvas.drawString(MARGIN_L, y0 + 30, LABELS["lookup"])
        canvas.setFont(BOLD, 10)
        canvas.drawString(MARGIN_L, y0 + 18, d.lookup_hex)
        canvas.setFont(REGULAR, 8)
        canvas.drawString(MARGIN_L, y0 + 6, self.footer_line(d))
        label = self.page_label()
        if label:
            canvas.drawRightString(PAGE_NUMBER_X, y0 + 6, label)
        canvas.restoreState()
        draw_qr_form(canvas, d.lookup_hex, PAGE_W - MARGIN_R - QR_SIZE, y0, QR_SIZE)

    def footer_line(self, d: RecordData) -> str:
        return f"{d.student.full_name} · Lớp {d.class_name} · Năm học {d.school_year} · Phiên bản {d.version}"

    def page_label(self) -> str:
        """Numbered within the student's section (a class print is many yearly copies in one file)."""
        return f"Trang {self.page - self.section_start + 1}"

    def _draft_mark(self, canvas: Canvas) -> None:
        draw_transcription_band(canvas, self.current)  # every page of a trích lục, cover included
        if self.current.status == "2":  # national code 2 = Thu hồi: a withdrawn version must say so
            canvas.saveState()
            canvas.setFillColor(colors.Color(0.75, 0, 0))
            canvas.setFont(BOLD, 9)
            canvas.drawString(MARGIN_L, PAGE_H - MARGIN_T + 10, LABELS["withdrawn"])
            canvas.restoreState()
        if self.current.signatures:
            return
        draw_draft_stamp(canvas, LABELS["draft"], PAGE_W / 2, PAGE_H / 2, TEXT_W * 0.92)
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.75, 0, 0))
        canvas.setFont(BOLD, 9)
        canvas.drawRightString(PAGE_W - MARGIN_R, PAGE_H - MARGIN_T + 10, LABELS["draft_note"])  # above the cover rule
        canvas.restoreState()


def _build(target: str | BinaryIO, records: list[RecordData], progress: Progress | None,
           cancel: CancelCheck | None) -> None:
    register_fonts()
    if not records:
        raise HocbasoError("Không có học sinh nào để in học bạ")
    if cancel is not None and cancel():
        raise PaperCopyCancelled(0, len(records))
    first = records[0]
    title = f"Học bạ {first.student.full_name}" if len(records) == 1 else f"Học bạ lớp {first.class_name} — {first.school_year}"
    doc = _HocbaDoc(target, records, progress, cancel, title)
    doc.build([*student_pages(first), _NextStudent()])


def render_paper_copy(records: Iterable[RecordData], out_path: str | os.PathLike[str],
                      progress: Progress | None = None, cancel: CancelCheck | None = None, *,
                      make_folder: bool = True) -> Path:
    """Write one PDF with a section per student (a class, or a single student).

    `progress(done, total, label)` is called after each student; `cancel()` is asked between students and,
    when true, stops with PaperCopyCancelled and leaves no file behind. The PDF is written to a
    temporary file beside `out_path` and renamed into place, so a crash never leaves half a PDF.
    `make_folder=False` (the GUI, whose user chose an existing folder) refuses a folder that is gone.
    """
    items = list(records)
    out = require_folder(out_path) if not make_folder else Path(out_path)
    if make_folder:
        out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".hocba-", suffix=".pdf.tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            _build(f, items, progress, cancel)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def render_student_paper_copy(record: RecordData, out_path: str | os.PathLike[str]) -> Path:
    """One student's paper copy (the CLI's --student, the GUI's print of one record)."""
    return render_paper_copy([record], out_path)


def paper_copy_bytes(records: Iterable[RecordData] | RecordData) -> bytes:
    """The PDF in memory, for the GUI's preview (QPdfDocument) and for tests."""
    items = [records] if isinstance(records, RecordData) else list(records)
    buf = io.BytesIO()
    _build(buf, items, None, None)
    return buf.getvalue()
