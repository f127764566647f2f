"""Class lists in Vietnamese order (domain/vn_collation used by services/directory): a school
set up from nothing and the demo — by given name, Đ after every D, tones after letters."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook

from hocbaso_desktop.domain.vn_collation import name_key
from hocbaso_desktop.services import class_import, directory, records
from hocbaso_desktop.storage.engine import Store
from tests.e2e.new_school import school_year_today

NAMES = ["Trần Văn Đức", "Nguyễn Thị Dung", "Lê Minh Anh", "Phạm Thu Ánh", "Đỗ Văn An", "Vũ Thị Ân", "Hồ Văn Ăn"]


def _class_list(tmp_path: Path, year: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append([f"DANH SÁCH HỌC SINH NĂM HỌC {year}"])
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"])
    birth = int(year[:4]) - 8
    for i, name in enumerate(NAMES, start=1):
        ws.append([i, name, date(birth, 1 + i, 3), "Nam" if i % 2 else "Nữ", f"0012{birth % 100:02d}0{i:05d}", "Kinh", "3A"])
    p = tmp_path / "ds-3A.xlsx"
    wb.save(p)
    return p


def test_a_new_school_lists_its_class_in_vietnamese_order(tmp_path: Path) -> None:
    year = school_year_today()
    with Store.open(tmp_path / "school.sqlite3") as store:
        plan = class_import.plan_import(store, _class_list(tmp_path, year))
        assert plan.ok, [p.message() for p in plan.errors]
        class_import.apply_import(store, plan)
        listed = [r.full_name for r in directory.students(store, "3A", year)]
        refs = [r.full_name for r in records.class_students(store, "3A", year)]
    # a-words before ă and â (letters of their own), Ánh beside Anh (a tone), Đức after Dung
    expected = ["Đỗ Văn An", "Lê Minh Anh", "Phạm Thu Ánh", "Hồ Văn Ăn", "Vũ Thị Ân", "Nguyễn Thị Dung", "Trần Văn Đức"]
    assert listed == expected
    assert refs == expected


def test_the_demo_class_lists_follow_the_same_order(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        for info in directory.classes(store):
            names = [r.full_name for r in directory.students(store, info.name, info.year)]
            assert names == sorted(names, key=name_key), info.name
            given = [n.split()[-1] for n in names]
            d_done = False
            for g in given:  # once a given name starts with Đ, no plain D comes after it
                d_done = d_done or g.startswith("Đ")
                assert not (d_done and g.startswith("D")), (info.name, given)
