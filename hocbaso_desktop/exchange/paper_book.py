"""The paper copy of the whole primary record (học bạ cả cấp) as one A4 PDF, from RecordData only.

The identity pages (cover, HỌC BẠ, QUÁ TRÌNH HỌC TẬP) once, a contents page listing every year the
pupil has (printed or not, and why not), then each printed year's block — the same page code as a
yearly copy (paper_copy.identity_pages / year_pages), so book and yearly copy cannot drift apart.
Each year's pages carry that year's own lookup code, version and signatures in the footer band; the
pages are numbered "Trang X/Y" of the whole book, Y known only at the end (a canvas that holds its
pages until save). Which years, and that their signed XML is genuine, is services/record_book.py's
business: this module prints what it is given.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from datetime import date
from typing import BinaryIO

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Table

from ..domain.errors import HocbasoError
from ..domain.record_data import HistoryRow, RecordData
from .paper_copy import PAGE_NUMBER_X, _HocbaDoc, identity_pages, year_pages
from .paper_pages import _e, _grid_style, _p
from .paper_style import MARGIN_B, TEXT_W, styles
from .pdf_fonts import REGULAR, register_fonts

CONTENTS_TITLE = "CÁC NĂM HỌC TRONG HỌC BẠ"
CONTENTS_COLS = ("Năm học", "Lớp", "Trường", "Trong bản in này")
CONTENTS_WIDTHS = (0.16, 0.08, 0.38, 0.38)


@dataclass(frozen=True)
class BookPart:
    """One printed year: its record as signed, and what the footer adds (e.g. where it came from)."""

    data: RecordData
    note: str = ""


@dataclass(frozen=True)
class ContentsLine:
    school_year: str
    class_name: str
    school_name: str
    text: str  # "Phát hành tại trường, phiên bản 2", "Chưa phát hành — không in", …


def book_history(parts: list[RecordData]) -> tuple[HistoryRow, ...]:
    """Every learning-history line the printed years state, plus each year's own line, once each,
    in year order: a year's history stops at its own year, so no single record holds them all."""
    seen: dict[tuple[str, str, str], HistoryRow] = {}
    for d in parts:
        own = HistoryRow(d.school_year, d.class_name, d.school.name, d.school.province)
        for h in (*d.history, own):
            key = (h.school_year, h.class_name.strip().upper(), h.school_name.strip().casefold())
            kept = seen.get(key)
            if kept is None or (kept.transfer_in_date is None and h.transfer_in_date is not None):
                seen[key] = h
    return tuple(sorted(seen.values(), key=lambda h: (h.school_year, h.transfer_in_date or date.min)))


def contents_page(lines: list[ContentsLine]) -> list[Flowable]:
    st = styles()
    rows = [[_p(_e(h), st.cell_head) for h in CONTENTS_COLS]]
    for ln in lines:
        rows.append([_p(_e(ln.school_year.replace("-", " - ")), st.cell_center), _p(_e(ln.class_name), st.cell_center),
                     _p(_e(ln.school_name), st.cell), _p(_e(ln.text), st.cell)])
    t = Table(rows, colWidths=[TEXT_W * f for f in CONTENTS_WIDTHS], repeatRows=1)
    t.setStyle(_grid_style())
    return [_p(CONTENTS_TITLE, st.title), t]


class _Section(Flowable):
    """Marks where the next printed year begins (never drawn): the pages after it are that year's."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:  # pragma: no cover - never laid out
        return 0, 0

    def draw(self) -> None:  # pragma: no cover
        pass


class _NumberedCanvas(Canvas):
    """Holds every page until save, then writes "Trang X/Y" on the pages that asked for a number."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - reportlab's own signature
        super().__init__(*args, **kwargs)
        self._held: list[dict] = []
        self.book_numbered = False

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()
        self.book_numbered = False

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            if self.book_numbered:
                self.setFont(REGULAR, 8)
                self.drawRightString(PAGE_NUMBER_X, MARGIN_B + 6, f"Trang {number}/{total}")
            Canvas.showPage(self)
        Canvas.save(self)


class _BookDoc(_HocbaDoc):
    def __init__(self, target: BinaryIO, identity: RecordData, parts: list[BookPart]) -> None:
        super().__init__(target, [identity, *(p.data for p in parts)], None, None,
                         f"Học bạ cả cấp tiểu học — {identity.student.full_name}")
        self.notes = ["", *(p.note for p in parts)]

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        # reached while the previous page is still open, so the next page's footer is the new year's
        if flowables and isinstance(flowables[0], _Section):
            self.index = flowables.pop(0).index
            return
        super().handle_flowable(flowables)

    def _decorate_body(self, canvas: Canvas, doc) -> None:  # noqa: ANN001 - reportlab's doc
        super()._decorate_body(canvas, doc)
        canvas.book_numbered = True

    def footer_line(self, d: RecordData) -> str:
        if self.index == 0:
            return f"{d.student.full_name} · Học bạ cả cấp tiểu học"
        note = self.notes[self.index]
        return super().footer_line(d) + (f" · {note}" if note else "")

    def page_label(self) -> str:
        return ""  # the canvas writes "Trang X/Y" once Y is known


def book_bytes(parts: list[BookPart], contents: list[ContentsLine]) -> bytes:
    """The book of `parts` (in print order) with `contents`; identity pages from the latest part
    issued as an original (a trích lục's identity pages say TRÍCH LỤC: only when every year is one)."""
    if not parts:
        raise HocbasoError("Không có năm học nào đã phát hành để in học bạ cả cấp")
    register_fonts()
    originals = [p.data for p in parts if not p.data.transcribed]
    last = (originals or [parts[-1].data])[-1]
    identity = replace(last, history=book_history([p.data for p in parts]))
    flow: list[Flowable] = [*identity_pages(identity), PageBreak(), *contents_page(contents)]
    for i, part in enumerate(parts, start=1):
        flow += [_Section(i), PageBreak(), *year_pages(part.data)]
    buf = io.BytesIO()
    _BookDoc(buf, identity, parts).build(flow, canvasmaker=_NumberedCanvas)
    return buf.getvalue()
