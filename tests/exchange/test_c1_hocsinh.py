"""The portal's C1-HocSinh export: title rows, headers with line breaks and NFD text, two column orders."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from hocbaso_desktop.exchange.c1_statuses import C1_STATUSES, STUDYING, status_of
from hocbaso_desktop.exchange.class_list import read_class_list

VER2 = ["STT", "Mã lớp", "Mã học sinh", "Họ tên", "Ngày sinh", "Giới tính", "Trạng thái\nHS",
        "Ngày nhập\ntrạng thái", "Dân tộc", "Loại\nkhuyết tật", "Số định danh\ncá nhân"]
VER3 = ["STT", "Số ĐDCN", "Họ tên", "Mã học sinh", "Mã lớp", "Ngày sinh", "Giới tính", "Dân tộc",
        "Trạng thái HS", "Ngày nhập trạng thái", "Loại khuyết tật"]


def c1_book(tmp_path: Path, header: list[str], rows: list[dict], name: str = "C1-HocSinh.xlsx") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "HocSinh"
    ws.append(["SỞ GIÁO DỤC VÀ ĐÀO TẠO"])
    ws.append(["DANH SÁCH HỌC SINH NĂM HỌC 2025-2026"])
    ws.append([])
    ws.append([unicodedata.normalize("NFD", h) for h in header])
    keys = {"STT": "stt", "Mã lớp": "cls", "Mã học sinh": "moet", "Họ tên": "name", "Ngày sinh": "dob",
            "Giới tính": "sex", "Dân tộc": "eth", "Loại khuyết tật": "dis", "Số định danh cá nhân": "pid",
            "Số ĐDCN": "pid", "Trạng thái HS": "status", "Ngày nhập trạng thái": "on"}
    for i, r in enumerate(rows, start=1):
        ws.append([i if h == "STT" else r.get(keys[h.replace("\n", " ")]) for h in header])
    codes = wb.create_sheet("DanhMuc")
    codes.append(["Mã", "Tên dân tộc"])
    codes.append(["01", "Kinh"])
    p = tmp_path / name
    wb.save(p)
    return p


PUPIL = {"cls": "1A", "moet": "7900000001", "name": "Nguyễn Văn An", "dob": "04/03/2019", "sex": "Nam",
         "eth": "Kinh", "dis": "Khuyết tật vận động", "pid": "001219012345", "status": "Đang học",
         "on": "05/09/2025"}


@pytest.mark.parametrize("header", [VER2, VER3], ids=["ver2", "ver3"])
def test_c1_headers_are_matched_in_both_versions(tmp_path: Path, header: list[str]) -> None:
    cl = read_class_list(c1_book(tmp_path, header, [PUPIL]), "2025-2026")
    assert cl.ok, [p.message() for p in cl.errors]
    (st,) = cl.students()
    assert st.personal_id == "001219012345"
    assert st.moet_code == "7900000001"  # Mã học sinh is the ministry's code, never the personal number
    assert (st.class_name, st.grade) == ("1A", 1)
    assert st.disability == "Khuyết tật vận động"
    assert st.birth_date == date(2019, 3, 4)
    assert "DanhMuc" in cl.skipped_sheets


def test_c1_without_personal_id_does_not_take_the_student_code_for_it(tmp_path: Path) -> None:
    # Hostile/accidental: a 10-digit Mã học sinh must not become the match key of another pupil.
    header = [h for h in VER2 if "định danh" not in h]
    cl = read_class_list(c1_book(tmp_path, header, [PUPIL]), "2025-2026")
    assert not cl.students()
    assert any("Mã định danh" in p.message() for p in cl.errors)


def test_status_table_has_twelve_and_unknown_is_none() -> None:
    assert len(C1_STATUSES) == 12
    assert status_of("Nghỉ học xin học lại")[1] == STUDYING
    assert status_of(unicodedata.normalize("NFD", "chuyển ĐẾN"))[1] == STUDYING
    assert status_of("Chuyển đi")[1] != STUDYING
    assert status_of("Đi du lịch") is None


def test_every_status_studying_placed_others_reported(tmp_path: Path) -> None:
    rows = []
    for i, label in enumerate(C1_STATUSES):
        rows.append(PUPIL | {"status": label, "name": f"Học Sinh {chr(65 + i)}", "moet": f"79000000{i:02d}",
                             "pid": f"0012190{i:05d}"})
    cl = read_class_list(c1_book(tmp_path, VER2, rows), "2025-2026")
    assert cl.ok, [p.message() for p in cl.errors]
    placed = {s.moet_code for s in cl.students()}
    studying = {f"79000000{i:02d}" for i, k in enumerate(C1_STATUSES.values()) if k == STUDYING}
    assert placed == studying and len(placed) == 3
    reported = [p.message() for p in cl.warnings if p.field == "c1_status"]
    assert len(reported) == 9 and any("dòng" in m and "Chuyển đi" in m for m in reported)


@pytest.mark.parametrize("bad, field, needle", [
    ({"status": "Đi du lịch"}, "c1_status", "Đi du lịch"),
    ({"cls": "XYZ"}, "class_name", "XYZ"),
])
def test_bad_c1_cells_are_errors_naming_row_and_column(tmp_path: Path, bad: dict, field: str, needle: str) -> None:
    cl = read_class_list(c1_book(tmp_path, VER3, [PUPIL, PUPIL | {"pid": "001219000002", "moet": "7900000002"} | bad]),
                         "2025-2026")
    errs = [p for p in cl.errors if p.field == field]
    assert errs and errs[0].row == 6 and needle in errs[0].message()


def test_duplicate_student_code_is_an_error(tmp_path: Path) -> None:
    cl = read_class_list(c1_book(tmp_path, VER2, [PUPIL, PUPIL | {"pid": "001219000002", "name": "Trần Văn Bình"}]),
                         "2025-2026")
    assert {p.row for p in cl.errors if p.field == "moet_code"} == {5, 6}
