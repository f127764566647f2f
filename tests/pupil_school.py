"""A small school set up from nothing (class-list import, staff rows): no demo. Shared by the pupil tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook

from hocbaso_desktop.services import class_import, directory
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import School, SchoolClass, Staff, StaffRole, TeachingAssignment

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"]
AN = ["Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A"]  # grade 1, 2025-2026
BINH = ["Trần Thị Bình", date(2019, 6, 5), "Nữ", "079319000002", "Tày", "1A"]
CHI = ["Lê Thị Chi", date(2018, 2, 1), "Nữ", "031318000004", "Kinh", "2A"]
DUNG = ["Phạm Văn Dũng", date(2016, 8, 9), "Nam", "001216000005", "Kinh", "4A"]
YEAR = "2025-2026"


def class_list(tmp_path: Path, rows: list[list], header: list[str] = HEADER, name: str = "ds.xlsx") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append([f"DANH SÁCH HỌC SINH NĂM HỌC {YEAR}"])
    ws.append(header)
    for i, r in enumerate(rows, start=1):
        ws.append([i, *r])
    p = tmp_path / name
    wb.save(p)
    return p


def new_school(store: Store, tmp_path: Path) -> dict[str, int]:
    """Pupils of 1A, 2A, 4A imported from a file; HT, clerk VP01, GVCN GV1 (1A, all subjects),
    GV2 (4A), GVBM GV3 (English in 4A). Returns class name → id."""
    plan = class_import.plan_import(store, class_list(tmp_path, [AN, BINH, CHI, DUNG]))
    assert plan.ok, [p.message() for p in plan.errors]
    class_import.apply_import(store, plan)
    with store.transaction("system") as tx:
        s = tx.session
        s.add(School(name="Trường Tiểu học Thử Nghiệm", moet_code="31000777", province="Hải Phòng"))
        staff = {}
        for code, name, roles in (("HT", "Nguyễn Hiệu Trưởng", ["principal"]), ("VP01", "Văn Phòng", ["clerk"]),
                                  ("GV1", "Cô Một", ["homeroom", "subject"]), ("GV2", "Cô Hai", ["homeroom", "subject"]),
                                  ("GV3", "Thầy Ba", ["subject"])):
            st = Staff(code=code, full_name=name, personal_id="", sex="", active=True)
            st.roles = [StaffRole(role=r) for r in roles]
            s.add(st)
            s.flush()
            staff[code] = st.id
        classes = {c.name: c for c in s.query(SchoolClass).all()}
        classes["1A"].homeroom_id = staff["GV1"]
        classes["4A"].homeroom_id = staff["GV2"]
        from hocbaso_desktop.domain.catalogue import catalogue

        for cname, gv in (("1A", "GV1"), ("4A", "GV2"), ("2A", "GV1")):
            c = classes[cname]
            for subj in catalogue().subjects:
                if subj.offered_in(c.grade) and not (cname == "4A" and subj.code == "NN1"):
                    s.add(TeachingAssignment(staff_id=staff[gv], class_id=c.id, subject_code=subj.code))
        s.add(TeachingAssignment(staff_id=staff["GV3"], class_id=classes["4A"].id, subject_code="NN1"))
        tx.audit("test.setup", "school", 0, {"staff": list(staff)})
    return {c.name: c.id for c in directory.classes(store, YEAR)}
