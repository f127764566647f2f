"""The paper copy: text and order read back with poppler, draft mark, signatures, QR, progress/cancel."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path

import pytest

from hocbaso_desktop.domain.record_data import SignatureInfo
from hocbaso_desktop.exchange.paper_copy import (
    PaperCopyCancelled,
    paper_copy_bytes,
    render_paper_copy,
    render_student_paper_copy,
)
from hocbaso_desktop.exchange.paper_style import MARGIN_B, MARGIN_R, PAGE_H, PAGE_W, QR_SIZE
from hocbaso_desktop.exchange.pdf_fonts import BOLD, ITALIC, REGULAR, missing_glyphs
from hocbaso_desktop.exchange.qr import QUIET_ZONE, qr_matrix
from tests.tools import requires

from .records import LONG_COMMENT, PC_COMMENT, SIGNATURES, make_record

pytestmark = requires("pdftotext", "pdftoppm")

VIETNAMESE = "ữ ỗ ặ ẫ ằ Đ đ ơ ư Ư Ơ ỹ ỷ ỵ ỳ ẻ ẽ ẹ ể ễ ệ ỉ ĩ ị ỏ õ ọ ổ ộ ớ ờ ở ỡ ợ ủ ũ ụ ứ ừ ử ự Ắ Ằ Ẳ Ẵ Ặ Ấ Ầ Ẩ Ẫ Ậ"

HEADINGS = [
    "BỘ GIÁO DỤC VÀ ĐÀO TẠO", "TIỂU HỌC", "Xã (Phường, Đặc khu):", "Tỉnh (Thành phố):",
    "HỌC BẠ", "Họ và tên học sinh:", "Giới tính:", "Ngày, tháng, năm sinh:", "Dân tộc:", "Quốc tịch:", "Nơi sinh:",
    "Quê quán:", "Nơi ở hiện nay:", "Họ và tên cha:", "Họ và tên mẹ:", "Người giám hộ (nếu có):",
    "HIỆU TRƯỞNG", "(Ký, ghi rõ họ tên và đóng dấu)",
    "QUÁ TRÌNH HỌC TẬP", "Năm học", "Tên trường", "Số đăng bộ",
    "Chiều cao:", "Cân nặng:", "Số ngày nghỉ có phép:", "Số ngày nghỉ không phép:",
    "1. Các môn học và hoạt động giáo dục", "Mức đạt", "KTĐK",
    "2. Những phẩm chất chủ yếu", "Phẩm chất",
    "Trường:", "Năm học:", "3. Những năng lực cốt lõi", "3.1. Những năng lực chung", "3.2. Những năng lực đặc thù",
    "4. Đánh giá kết quả giáo dục:", "5. Khen thưởng:", "6. Hoàn thành chương trình lớp học/chương trình tiểu học:",
    "Xác nhận của Hiệu trưởng", "Giáo viên chủ nhiệm", "(Ký và ghi rõ họ tên)",
]


def pdftext(pdf: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-layout", *args, str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def pages(pdf: Path) -> list[str]:
    return pdftext(pdf).split("\f")[:-1]


def assert_in_order(text: str, needles: list[str]) -> None:
    pos = 0
    for n in needles:
        i = text.find(n, pos)
        assert i >= 0, f"«{n}» not found after offset {pos}"
        pos = i + len(n)


def assert_words_in_order(text: str, passage: str) -> None:
    """A wrapped comment: its words appear in order (other cells' words may sit in between)."""
    words = text.split()
    it = iter(words)
    for w in passage.split():
        assert any(x == w for x in it), f"word «{w}» of «{passage[:40]}…» missing or out of order"


@pytest.fixture(scope="module")
def class_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "lop.pdf"
    return render_paper_copy([make_record(1), make_record(5)], out)


def test_bundled_font_covers_vietnamese():
    for font in (REGULAR, BOLD, ITALIC):
        assert missing_glyphs("ữ", font) == set()
        assert missing_glyphs(VIETNAMESE, font) == set()


def test_one_section_of_five_pages_per_student(class_pdf: Path):
    ps = pages(class_pdf)
    assert len(ps) == 10
    assert all("Nguyễn Thị Ánh Tuyết" in p for p in ps[:5])
    assert all("Lò Văn Dũng" in p for p in ps[5:])
    assert "Trang 2" in ps[1] and "Trang 5" in ps[9]  # page numbers restart per student


def test_headings_labels_and_values_in_form_order(class_pdf: Path):
    first = "\f".join(pages(class_pdf)[:5])
    assert_in_order(first, HEADINGS)
    assert_in_order(first, ["Nguyễn Thị Ánh Tuyết", "Trường Tiểu học Nguyễn Bỉnh Khiêm", "Phường Hà Đông",
                            "Giới tính: Nữ", "03/02/2019", "Dân tộc: Kinh", "Việt Nam",
                            "Bệnh viện Phụ sản Hà Nội", "Xã Đông Hưng, tỉnh Thái Bình", "Nguyễn Văn Đức",
                            "Trần Thị Mỹ Hạnh", "Phạm Thị Hằng", "2025 - 2026", "118,5 cm", "21,3 kg",
                            "Tiếng Việt", "Toán", "Ngoại ngữ 1", "Đạo đức", "Tự nhiên và Xã hội", "Giáo dục thể chất",
                            "Nghệ thuật (Âm nhạc)", "Nghệ thuật (Mĩ thuật)", "Hoạt động trải nghiệm",
                            "Yêu nước", "Nhân ái", "Chăm chỉ", "Trung thực", "Trách nhiệm",
                            "Tự chủ và tự học", "Giao tiếp và hợp tác", "Giải quyết vấn đề và sáng tạo",
                            "Ngôn ngữ", "Tính toán", "Khoa học", "Thẩm mĩ", "Thể chất",
                            "Hoàn thành xuất sắc.", "- Học sinh Xuất sắc", "- Hoàn thành chương trình lớp học",
                            "Hà Đông, ngày 29 tháng 05 năm 2026", "Phạm Thị Hằng", "Đỗ Thị Ngọc Ánh"])
    assert_words_in_order(first, LONG_COMMENT)
    assert_words_in_order(first, PC_COMMENT)
    assert "Công nghệ" not in pages(class_pdf)[4]  # grade 1: five năng lực đặc thù only


def test_grade5_pages(class_pdf: Path):
    g5 = "\f".join(pages(class_pdf)[5:])
    assert_in_order(g5, ["Lò Văn Dũng", "Giới tính: Nam", "Dân tộc: Thái", "Lò Thị Bưởi", "2021 - 2022", "05/09/2021",
                         "2025 - 2026", "5C", "Lịch sử và Địa lí", "Khoa học", "Tin học và Công nghệ",
                         "Công nghệ", "Tin học", "Hoàn thành tốt.",
                         "- Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện",
                         "- Giải Nhì Hội khỏe Phù Đổng cấp phường, môn cờ vua (tháng 3/2026)",
                         "- Hoàn thành chương trình tiểu học"])
    assert "Tự nhiên và Xã hội" not in g5


def test_draft_mark_until_signed_then_signers(tmp_path: Path):
    draft = render_student_paper_copy(make_record(1), tmp_path / "draft.pdf")
    assert all("BẢN NHÁP" in p for p in pages(draft))
    signed_rec = dataclasses.replace(make_record(1), signatures=SIGNATURES + (
        SignatureInfo("seal", "Trường Tiểu học Nguyễn Bỉnh Khiêm", "CN=Trường Tiểu học Nguyễn Bỉnh Khiêm, O=Ban Cơ yếu",
                      SIGNATURES[1].signed_at),))
    signed = render_student_paper_copy(signed_rec, tmp_path / "signed.pdf")
    text = pdftext(signed)
    assert "BẢN NHÁP" not in text
    year_b = pages(signed)[4]
    assert_in_order(year_b, ["Đã ký số: Phạm Thị Hằng", "Đã ký số: Đỗ Thị Ngọc Ánh"])
    assert "CN=Phạm Thị Hằng, T=Hiệu trưởng, C=VN" in year_b
    assert "29/05/2026 10:01:44" in year_b and "29/05/2026 08:15:02" in year_b
    assert "Đã ký số: Trường Tiểu học Nguyễn Bỉnh Khiêm" in year_b  # the seal, under the principal
    assert "Đã ký số: Phạm Thị Hằng" in pages(signed)[1]  # identity page: principal's block


def test_long_comments_wrap_inside_the_page(tmp_path: Path):
    huge = (LONG_COMMENT + " ") * 4  # ≈ 1,000 characters in one subject
    rec = make_record(5)
    rec = dataclasses.replace(rec, subjects=tuple(dataclasses.replace(s, comment=huge) for s in rec.subjects),
                              group_comments={k: v * 2 for k, v in rec.group_comments.items()})
    pdf = render_student_paper_copy(rec, tmp_path / "long.pdf")
    text = pdftext(pdf)
    assert_words_in_order(text, huge)
    bbox = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    right_edge = PAGE_W - MARGIN_R + 1
    for m in re.finditer(r'xMax="([\d.]+)" yMax="([\d.]+)"', bbox):
        assert float(m.group(1)) <= right_edge and float(m.group(2)) <= PAGE_H
    assert len(pages(pdf)) > 5  # the subjects table continued on another page instead of overflowing


def test_same_records_give_identical_pdf_bytes():
    assert paper_copy_bytes(make_record(5)) == paper_copy_bytes([make_record(5)])


def test_progress_and_cancel_between_students(tmp_path: Path):
    seen: list[tuple[int, int]] = []
    out = render_paper_copy([make_record(1), make_record(5), make_record(1)], tmp_path / "a.pdf",
                            progress=lambda d, t, _label: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)] and out.exists()

    seen.clear()
    target = tmp_path / "b.pdf"
    with pytest.raises(PaperCopyCancelled):
        render_paper_copy([make_record(1), make_record(5), make_record(1)], target,
                          progress=lambda d, t, _label: seen.append((d, t)), cancel=lambda: len(seen) >= 1)
    assert seen == [(1, 3)]
    assert not target.exists() and list(tmp_path.glob(".hocba-*")) == []


def _render_png(pdf: Path, page: int, dpi: int, tmp_path: Path) -> Path:
    prefix = tmp_path / f"p{page}"
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", "-singlefile",
                    str(pdf), str(prefix)], check=True)
    return prefix.with_suffix(".png")


def test_drawn_qr_equals_the_encoders_matrix(class_pdf: Path, tmp_path: Path):
    """Sample every module of the printed code and compare with qrcode's matrix for the mã tra cứu."""
    from PIL import Image  # pillow is a dependency of the program

    dpi = 300
    img = Image.open(_render_png(class_pdf, 2, dpi, tmp_path)).convert("L")
    k = dpi / 72
    matrix = qr_matrix(make_record(1).lookup_hex)
    n = len(matrix)
    module = QR_SIZE / (n + 2 * QUIET_ZONE)
    x0 = PAGE_W - MARGIN_R - QR_SIZE
    top = PAGE_H - (MARGIN_B + QR_SIZE)
    for r in range(n):
        for c in range(n):
            px = (x0 + (QUIET_ZONE + c + 0.5) * module) * k
            py = (top + (QUIET_ZONE + r + 0.5) * module) * k
            assert (img.getpixel((int(px), int(py))) < 128) == matrix[r][c], (r, c)


@pytest.mark.parametrize("page", [2, 4, 5, 7])
def test_qr_decodes_to_the_lookup_code(class_pdf: Path, tmp_path: Path, page: int):
    import zxingcpp  # a test dependency (pyproject [test])
    from PIL import Image

    img = Image.open(_render_png(class_pdf, page, 150, tmp_path))
    found = [r.text for r in zxingcpp.read_barcodes(img)]
    expected = make_record(1 if page <= 5 else 5).lookup_hex
    assert found == [expected]
    assert re.fullmatch(r"[0-9a-f]{32}", found[0])
    assert expected in pdftext(class_pdf).split("\f")[page - 1]  # and printed as text beside it


def test_old_school_year_cover_has_district_line_and_vice_principal_signs_kt(tmp_path: Path):
    from hocbaso_desktop.domain.record_data import Person

    rec = make_record(1, school_year="2023-2024", status="2",
                      principal=Person("Vũ Minh Khôi", "001180099999", "Phó hiệu trưởng"),
                      school=dataclasses.replace(make_record(1).school, district="Quận Hà Đông"))
    ps = pages(render_student_paper_copy(rec, tmp_path / "old.pdf"))
    assert_in_order(ps[0], ["Xã (Phường, Thị trấn):", "Huyện (Thành phố, Quận, Thị xã): Quận Hà Đông", "Tỉnh (Thành phố):"])
    assert "Đặc khu" not in ps[0]
    assert_in_order(ps[1], ["KT. HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG", "Vũ Minh Khôi"])
    assert_in_order(ps[4], ["Xác nhận của Hiệu trưởng", "KT. HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG", "Vũ Minh Khôi"])
    assert all("ĐÃ THU HỒI" in p for p in ps)
