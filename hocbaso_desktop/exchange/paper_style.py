"""Page geometry, type styles and printed labels of the paper học bạ (shared/docs/paper-form.md).

Labels are data, not layout code (paper-form.md §7.1): a change of wording — like the 2025 switch to
"Xã (Phường, Đặc khu)" — is an edit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from .pdf_fonts import BOLD, FAMILY, ITALIC, register_fonts

PAGE_W, PAGE_H = A4
# S2 prints with 15 mm top/right/bottom and 20 mm left (§2.6); the footer band holds the QR code.
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 20 * mm, 15 * mm, 14 * mm, 12 * mm
FOOTER_H = 22 * mm
QR_SIZE = 20 * mm
TEXT_W = PAGE_W - MARGIN_L - MARGIN_R
SIGN_SPACE = 45 * mm  # room for a handwritten signature and the seal (§2.3, §2.5.7)

# Column shares (of TEXT_W) measured from a real export (§2.5.3-2.5.5), widened a little for the
# wrapped subject labels.
SUBJECT_COLS = (0.25, 0.11, 0.09, 0.55)
QUALITY_COLS = (0.27, 0.12, 0.61)
HISTORY_COLS = (0.20, 0.10, 0.32, 0.16, 0.22)
HISTORY_MIN_ROWS = 7  # S2 pre-prints 7 rows "20.... - 20...." (§2.4)

LABELS: dict[str, str] = {
    "ministry": "BỘ GIÁO DỤC VÀ ĐÀO TẠO",
    "book": "HỌC BẠ",
    # trích lục (services/transcription.py): a year entered from the paper học bạ, never the original
    "book_transcribed": "TRÍCH LỤC HỌC BẠ",
    "transcribed_band": "TRÍCH LỤC TỪ HỌC BẠ GIẤY — Sổ: {ref}",
    "transcribed_no_ref": "không ghi số",
    "transcribed_teacher_note": "(Trích lục từ học bạ giấy: chữ ký của giáo viên ở học bạ giấy)",
    "transcribed_teacher_box": "Bản trích lục không có chữ ký của giáo viên; Hiệu trưởng xác nhận bản trích lục "
                               "đúng với học bạ giấy.",
    "level": "TIỂU HỌC",
    "student": "Họ và tên học sinh:",
    "school": "Trường:",
    "sex": "Giới tính:",
    "birth": "Ngày, tháng, năm sinh:",
    "ethnicity": "Dân tộc:",
    "nationality": "Quốc tịch:",
    "birthplace": "Nơi sinh:",
    "hometown": "Quê quán:",
    "address": "Nơi ở hiện nay:",
    "father": "Họ và tên cha:",
    "mother": "Họ và tên mẹ:",
    "guardian": "Người giám hộ (nếu có):",
    "principal_title": "HIỆU TRƯỞNG",
    "principal_note": "(Ký, ghi rõ họ tên và đóng dấu)",
    "history_title": "QUÁ TRÌNH HỌC TẬP",
    "history_cols": "Năm học|Lớp|Tên trường|Số đăng bộ|Ngày nhập học/chuyển đến",
    "history_blank_year": "20.... - 20....",
    "class": "Lớp:",
    "height": "Chiều cao:",
    "weight": "Cân nặng:",
    "absent_excused": "Số ngày nghỉ có phép:",
    "absent_unexcused": "Số ngày nghỉ không phép:",
    "school_year": "Năm học:",
    "s1": "1. Các môn học và hoạt động giáo dục",
    "s1_cols": "Môn học và hoạt động giáo dục|Mức đạt được|Điểm KTĐK|Nhận xét",
    "s2": "2. Những phẩm chất chủ yếu",
    "s2_cols": "Phẩm chất|Mức đạt được|Nhận xét",
    "s3": "3. Những năng lực cốt lõi",
    "s31": "3.1. Những năng lực chung",
    "s32": "3.2. Những năng lực đặc thù",
    "s3_cols": "Năng lực|Mức đạt được|Nhận xét",
    "s4": "4. Đánh giá kết quả giáo dục:",
    "s5": "5. Khen thưởng:",
    "s6": "6. Hoàn thành chương trình lớp học/chương trình tiểu học:",
    "year_principal": "Xác nhận của Hiệu trưởng",
    "year_teacher": "Giáo viên chủ nhiệm",
    "teacher_note": "(Ký và ghi rõ họ tên)",
    "gvbm": "Chữ ký số của giáo viên bộ môn:",
    "lookup": "Mã tra cứu học bạ:",
    "draft": "BẢN NHÁP",
    "draft_note": "BẢN NHÁP — chưa ký số, không có giá trị pháp lý",
    "withdrawn": "ĐÃ THU HỒI — phiên bản này không còn hiệu lực",
    "signed_by": "Đã ký số:",
    "cert": "Chứng thư:",
    "signed_at": "Thời gian ký:",
}


@dataclass(frozen=True)
class AddressLabels:
    commune: str
    district: str | None  # None: the line is not printed (two-level local government)
    province: str


# Until 1 July 2025 the cover had a district line; exports since use "Xã (Phường, Đặc khu)" and drop it
# (§2.1). Keyed on the school year, so reprinting an old year gives that year's form.
ADDRESS_LABELS_OLD = AddressLabels("Xã (Phường, Thị trấn):", "Huyện (Thành phố, Quận, Thị xã):", "Tỉnh (Thành phố):")
ADDRESS_LABELS_2025 = AddressLabels("Xã (Phường, Đặc khu):", None, "Tỉnh (Thành phố):")


def address_labels(school_year: str) -> AddressLabels:
    try:
        start = int(school_year[:4])
    except ValueError:
        return ADDRESS_LABELS_2025
    return ADDRESS_LABELS_2025 if start >= 2025 else ADDRESS_LABELS_OLD


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    value: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    cell_head: ParagraphStyle
    comment: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    title: ParagraphStyle
    cover_ministry: ParagraphStyle
    cover_title: ParagraphStyle
    cover_sub: ParagraphStyle
    cover_field: ParagraphStyle
    sign_date: ParagraphStyle
    sign_title: ParagraphStyle
    sign_note: ParagraphStyle
    sign_name: ParagraphStyle
    sign_info: ParagraphStyle
    bullet: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    """Times-like 12 pt text, 10.5 pt tables, italic 10 pt notes (§2.7)."""
    register_fonts()

    def ps(name: str, size: float, *, font: str = FAMILY, align: int = TA_LEFT, leading: float | None = None,
           **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, fontName=font, fontSize=size, leading=leading or size * 1.22,
                              alignment=align, **kw)

    return Styles(
        body=ps("body", 12),
        value=ps("value", 12),
        cell=ps("cell", 10.5),
        cell_center=ps("cell_center", 10.5, align=TA_CENTER),
        cell_head=ps("cell_head", 10.5, font=BOLD, align=TA_CENTER),
        comment=ps("comment", 10, leading=12),
        heading=ps("heading", 12, font=BOLD, spaceBefore=6, spaceAfter=4),
        subheading=ps("subheading", 11.5, font=BOLD, spaceBefore=3, spaceAfter=3),
        title=ps("title", 16, font=BOLD, align=TA_CENTER, spaceAfter=14),
        cover_ministry=ps("cover_ministry", 14, font=BOLD, align=TA_CENTER),
        cover_title=ps("cover_title", 30, font=BOLD, align=TA_CENTER, leading=36),
        cover_sub=ps("cover_sub", 18, font=BOLD, align=TA_CENTER, leading=24),
        cover_field=ps("cover_field", 13),
        sign_date=ps("sign_date", 12, font=ITALIC, align=TA_CENTER),
        sign_title=ps("sign_title", 12, font=BOLD, align=TA_CENTER),
        sign_note=ps("sign_note", 10, font=ITALIC, align=TA_CENTER),
        sign_name=ps("sign_name", 12, font=BOLD, align=TA_CENTER),
        sign_info=ps("sign_info", 8.5, align=TA_LEFT, leading=10.5),
        bullet=ps("bullet", 12, leftIndent=18),
    )

