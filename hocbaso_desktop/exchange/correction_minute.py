"""The biên bản of a correction (seed 004, Điều 8: "Lập biên bản hoàn tất việc sửa") as an A4 PDF.

Pure layout over a MinuteData snapshot: the service gathers the facts (record, fields old → new from
the versions' content XML, reason, decision, witnesses, times); this module only draws them, with the
bundled Liberation Serif so every diacritic prints the same on every PC.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..fileio import write_atomic
from .pdf_fonts import BOLD, FAMILY, register_fonts
from .record_diff import FieldChange


@dataclass(frozen=True)
class MinuteData:
    correction_id: int
    school_name: str
    place: str
    student_name: str
    personal_id: str
    class_name: str
    school_year: str
    lookup_code: str
    old_version: int
    new_version: int | None  # None while the new version is not issued yet
    state_text: str
    requester: str  # "Trần Thị Mai (GV001)"
    requested_at: datetime
    fields: tuple[str, ...]  # what the requester said would change
    reason: str
    evidence_name: str
    approver: str
    decided_at: datetime | None
    decision_reason: str
    witnesses: tuple[tuple[str, str], ...]  # (who, role)
    changes: tuple[FieldChange, ...]
    changes_note: str  # where the changes come from (issued versions, or the data still being signed)
    completed_at: datetime | None
    printed_at: datetime


def _t(dt: datetime | None) -> str:
    return dt.strftime("%H:%M ngày %d/%m/%Y") if dt else "—"


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle("base", fontName=FAMILY, fontSize=11.5, leading=15)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=10, leading=12.5),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontName=BOLD, fontSize=15, leading=20, alignment=TA_CENTER,
                                spaceBefore=6, spaceAfter=2),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "h": ParagraphStyle("h", parent=base, fontName=BOLD, spaceBefore=8, spaceAfter=3),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _story(d: MinuteData) -> list:
    st = _styles()
    w = A4[0] - 40 * mm
    story: list = []
    head = Table([[_p(d.school_name.upper(), st["head"]), _p("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", st["head"])],
                  [_p(f"Số: {d.correction_id}/BB-ĐCHB", st["center"]),
                   _p(f"{d.place}, ngày {d.printed_at:%d} tháng {d.printed_at:%m} năm {d.printed_at:%Y}", st["center"])]],
                 colWidths=[w * 0.42, w * 0.58])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [head, _p("BIÊN BẢN", st["title"]), _p("Đính chính dữ liệu Học bạ số", st["head"]), Spacer(0, 4 * mm)]

    story.append(_p("1. Học bạ được đính chính", st["h"]))
    story.append(_p(f"Học sinh: {d.student_name} — mã định danh {d.personal_id}\n"
                    f"Lớp: {d.class_name} — năm học {d.school_year}\n"
                    f"Mã tra cứu học bạ: {d.lookup_code}\n"
                    f"Phiên bản được thay thế: {d.old_version}"
                    + (f" — phiên bản mới: {d.new_version}" if d.new_version else " — phiên bản mới: chưa phát hành"),
                    st["base"]))

    story.append(_p("2. Đề nghị sửa", st["h"]))
    lines = [f"Người đề nghị: {d.requester}, lúc {_t(d.requested_at)}", f"Lý do: {d.reason}"]
    if d.fields:
        lines.append("Nội dung đề nghị sửa: " + "; ".join(d.fields))
    lines.append(f"Minh chứng: {d.evidence_name}" if d.evidence_name else "Minh chứng: không kèm tệp")
    story.append(_p("\n".join(lines), st["base"]))

    story.append(_p("3. Phê duyệt và chứng kiến", st["h"]))
    story.append(_p(f"Trạng thái phiếu: {d.state_text}\nNgười phê duyệt: {d.approver or '—'}, lúc {_t(d.decided_at)}"
                    + (f"\nGhi chú: {d.decision_reason}" if d.decision_reason else ""), st["base"]))
    if d.witnesses:
        rows = [[_p("Người chứng kiến", st["head"]), _p("Thành phần", st["head"])]]
        rows += [[_p(who, st["small"]), _p(role or "—", st["small"])] for who, role in d.witnesses]
        t = Table(rows, colWidths=[w * 0.6, w * 0.4], repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(0, 2 * mm), t]

    story.append(_p("4. Nội dung đã sửa (cũ → mới)", st["h"]))
    story.append(_p(d.changes_note, st["small"]))
    if d.changes:
        rows = [[_p("Mục", st["head"]), _p("Giá trị cũ", st["head"]), _p("Giá trị mới", st["head"])]]
        rows += [[_p(c.label, st["small"]), _p(c.old or "(trống)", st["small"]), _p(c.new or "(trống)", st["small"])]
                 for c in d.changes]
        t = Table(rows, colWidths=[w * 0.3, w * 0.35, w * 0.35], repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story += [Spacer(0, 2 * mm), t]
    else:
        story.append(_p("Không có mục nào thay đổi.", st["base"]))
    story.append(_p(f"Hoàn tất: {_t(d.completed_at)}" if d.completed_at else "Hoàn tất: chưa", st["base"]))

    story.append(Spacer(0, 8 * mm))
    sign = Table([[_p("NGƯỜI ĐỀ NGHỊ", st["head"]), _p("ĐẠI DIỆN BAN QUẢN TRỊ", st["head"]), _p("HIỆU TRƯỞNG", st["head"])],
                  [_p("(Ký, ghi rõ họ tên)", st["center"])] * 2 + [_p("(Ký, ghi rõ họ tên và đóng dấu)", st["center"])],
                  ["", "", ""],
                  [_p(d.requester.split(" (")[0], st["center"]), "", _p(d.approver.split(" (")[0], st["center"])]],
                 colWidths=[w / 3] * 3, rowHeights=[None, None, 24 * mm, None])
    story.append(sign)
    return story


def minute_bytes(d: MinuteData) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"Biên bản đính chính học bạ số {d.correction_id}",
                            author=d.school_name, creator="Học bạ số")
    doc.build(_story(d))
    return buf.getvalue()


def render_minute(d: MinuteData, out_path: str | os.PathLike[str]) -> Path:
    """Write the PDF safely (temp → fsync → rename → read back)."""
    return write_atomic(out_path, minute_bytes(d))
