"""exchange/paper_book (issue 17) on hand-built records: five years in order, the identity pages once,
"Trang X/Y" of the book, every history line once, a trích lục year marked and never the identity
source while an original year exists; five years well under 10 s."""

from __future__ import annotations

import dataclasses
import subprocess
import time
import uuid
from datetime import date, datetime
from pathlib import Path

from hocbaso_desktop.domain.record_data import HistoryRow, SignatureInfo
from hocbaso_desktop.exchange.paper_book import BookPart, ContentsLine, book_bytes, book_history
from tests.exchange.records import SCHOOL, make_record

FIRST = date.today().year - 5  # five past school years, whatever today is
OTHER_SCHOOL = "Trường Tiểu học Lê Lợi"


def five_years() -> list[BookPart]:
    parts = []
    for grade in range(1, 6):
        year = f"{FIRST + grade - 1}-{FIRST + grade}"
        school = SCHOOL if grade != 2 else dataclasses.replace(SCHOOL, name=OTHER_SCHOOL)
        d = make_record(1 if grade < 5 else 5)
        d = dataclasses.replace(
            d, school_year=year, grade=grade, class_name=f"{grade}A", school=school, version=grade,
            lookup_code=uuid.UUID(int=grade), history=(), transcribed=grade == 1,
            signatures=(SignatureInfo("principal", f"Giáo viên năm {grade}", f"CN=Giáo viên năm {grade}",
                                      datetime(FIRST + grade, 5, 30, 10)),))
        note = "Nhận khi chuyển trường" if grade == 2 else "Trích lục từ học bạ giấy" if grade == 1 else ""
        parts.append(BookPart(d, note))
    return parts


def pages_of(pdf: bytes, tmp_path: Path) -> list[str]:
    f = tmp_path / "b.pdf"
    f.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(f), "-"], check=True, capture_output=True).stdout.decode().split("\f")[:-1]


def test_five_years_in_order_fast(tmp_path: Path) -> None:
    parts = five_years()
    contents = [ContentsLine(p.data.school_year, p.data.class_name, p.data.school.name, "x") for p in parts]
    t0 = time.perf_counter()
    pdf = book_bytes(parts, contents)
    assert time.perf_counter() - t0 < 5  # "well under 10 s", even on a loaded machine
    pages = pages_of(pdf, tmp_path)
    assert len(pages) == 4 + 2 * 5
    assert sum("QUÁ TRÌNH HỌC TẬP" in p for p in pages) == 1 and sum("Họ và tên cha" in p for p in pages) == 1
    assert all(f"Trang {n}/{len(pages)}" in p for n, p in enumerate(pages[1:], start=2))
    for i, part in enumerate(parts):
        d = part.data
        a, b = pages[4 + 2 * i], pages[5 + 2 * i]
        assert f"Năm học {d.school_year} · Phiên bản {d.version}" in a and d.lookup_hex in a and d.lookup_hex in b
        assert f"Giáo viên năm {d.grade}" in b and all(f"Giáo viên năm {g}" not in b for g in range(1, 6) if g != d.grade)
        if part.note:
            assert part.note in a
    assert "TRÍCH LỤC" in pages[4] and "TRÍCH LỤC" not in pages[6]  # only the transcribed year says so
    # identity pages from the latest original year, not from the trích lục
    assert "TRÍCH LỤC" not in pages[0] and "TRÍCH LỤC" not in pages[1]
    history = pages[2]
    for p in parts:
        assert history.count(p.data.school_year.replace("-", " - ")) == 1
    assert OTHER_SCHOOL in history


def test_history_lines_merged_once_with_the_transfer_date() -> None:
    a = dataclasses.replace(make_record(1), school_year=f"{FIRST}-{FIRST + 1}")
    moved = date(FIRST + 1, 1, 15)
    b = dataclasses.replace(a, school_year=f"{FIRST + 1}-{FIRST + 2}", history=(
        HistoryRow(a.school_year, a.class_name, a.school.name, "Hà Nội"),
        HistoryRow(f"{FIRST + 1}-{FIRST + 2}", a.class_name, a.school.name, "Hà Nội", moved)))
    rows = book_history([dataclasses.replace(a, history=()), b])
    assert [(h.school_year, h.transfer_in_date) for h in rows] == [(a.school_year, None), (b.school_year, moved)]
