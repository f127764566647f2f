"""45-pupil classes for the grid tests (issue 19), built through the services: the new school's 3A
(tests/e2e/new_school.py: the year running today, its staff, GV201 its GVCN) and the demo's 5A, each
grown to 45 by importing a class list that keeps the class's pupils and adds new ones."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from hocbaso_desktop.domain.roles import SYSTEM_ACTOR
from hocbaso_desktop.exchange.class_list_sample import sample_pupils
from hocbaso_desktop.services import assignments, class_import, directory
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import School, Staff, StaffRole
from tests.e2e.new_school import CLASS, SCHOOL, STAFF, pupils, school_year_today

SIZE = 45


def grow_class(store: Store, folder: Path, name: str, year: str | None = None, size: int = SIZE) -> None:
    info = directory.find_class(store, name, year)
    have = [(p.personal_id, p.full_name, p.birth_date, p.sex, p.ethnicity) for p in directory.students(store, name, info.year)]
    taken = {r[0] for r in have}
    for p in sample_pupils(600, seed=45, year_start=int(info.year[:4])):
        if len(have) >= size:
            break
        if p.class_name.startswith(str(info.grade)) and p.personal_id not in taken:
            have.append((p.personal_id, p.full_name, p.birth_date, p.sex, p.ethnicity))
            taken.add(p.personal_id)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([f"DANH SÁCH HỌC SINH NĂM HỌC {info.year}"])
    ws.append(["STT", "Mã định danh", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Lớp"])
    for i, r in enumerate(have, start=1):
        ws.append([i, *r, name])
    path = folder / f"ds-{name}.xlsx"
    wb.save(path)
    plan = class_import.plan_import(store, path, info.year)
    assert plan.ok, [p.message() for p in plan.errors]
    class_import.apply_import(store, plan, SYSTEM_ACTOR)
    assert directory.find_class(store, name, info.year).student_count == size


def new_school_3a(store: Store, folder: Path) -> str:
    """The new school from nothing: its staff, 3A imported (its four pupils), GV201 GVCN teaching every
    subject, then 3A grown to 45. Returns the year."""
    year = school_year_today()
    with store.transaction("system") as tx:
        tx.session.add(School(**SCHOOL))
        roles = {"HT": ["principal"], "VP01": ["clerk"]}
        for p in STAFF:
            st = Staff(code=p.code, full_name=p.name, sex=p.sex, personal_id=p.pid, position=p.position)
            st.roles = [StaffRole(role=r) for r in roles.get(p.code, ["homeroom", "subject"])]
            tx.session.add(st)
        tx.audit("test.staff", "staff", "all", {})
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([f"DANH SÁCH HỌC SINH NĂM HỌC {year}"])
    ws.append(["STT", "Mã định danh", "Họ và tên", "Ngày sinh", "Giới tính", "Dân tộc", "Lớp"])
    for i, (pid, name, born, sex, ethnic) in enumerate(pupils(year), start=1):
        ws.append([i, pid, name, born, sex, ethnic, CLASS])
    path = folder / "ds-3A-dau-nam.xlsx"
    wb.save(path)
    plan = class_import.plan_import(store, path, year)
    assert plan.ok, [p.message() for p in plan.errors]
    class_import.apply_import(store, plan, SYSTEM_ACTOR)
    assignments.set_homeroom(store, SYSTEM_ACTOR, CLASS, "GV201", year=year, teach_unassigned=True)
    grow_class(store, folder, CLASS, year)
    return year
