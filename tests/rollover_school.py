"""A school set up from nothing for the rollover tests (service, CLI, GUI): the year running today,
classes 1A, 3A (tests/e2e/new_school.py's pupils) and 5A imported from a class list, the new-school
staff plus a GVCN for 5A, every class rated for the final period by its own teachers and the results
confirmed; one 1A pupil did not complete the grade (CHT, waiting for the supplementary evaluation),
one 5A pupil was kept in grade 5 by the principal, one 3A pupil left during the year, and a teacher
who taught Mĩ thuật in 3A has left the school. Nothing here calls services/demo.py."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select

from hocbaso_desktop.domain.identity import century_sex_digit
from hocbaso_desktop.domain.roles import SYSTEM_ACTOR
from hocbaso_desktop.services import assignments, class_import, directory, promotion
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import School, Staff, StaffRole
from tests.e2e.five_years import fill_final
from tests.e2e.new_school import LEFT, SCHOOL, STAFF, pupils, school_year_today

YEAR = school_year_today()
NEXT = f"{int(YEAR[:4]) + 1}-{int(YEAR[:4]) + 2}"
START = int(YEAR[:4])
GV301 = ("GV301", "Hoàng Thị Năm", "Nữ")  # the 5A GVCN (the new-school walk has only 3A)


def _pid(birth_year: int, sex: str, serial: int) -> str:
    return f"001{century_sex_digit(birth_year, sex)}{birth_year % 100:02d}{serial:06d}"


def _rows() -> list[list]:
    g1, g5 = START - 6, START - 10
    one = [("Trần Minh Anh", "Nữ"), ("Lê Gia Bảo", "Nam"), ("Phạm Ngọc Diệp", "Nữ"), ("Vũ Đức Huy", "Nam"),
           ("Đỗ Thị Yến", "Nữ")]
    five = [("Nguyễn Văn Cường", "Nam"), ("Bùi Thị Hoa", "Nữ"), ("Ngô Quang Vinh", "Nam")]
    rows = [[n, date(g1, 3 + i, 2), s, _pid(g1, s, 300001 + i), "Kinh", "1A"] for i, (n, s) in enumerate(one)]
    rows += [[n, b, s, pid, e, "3A"] for pid, n, b, s, e in pupils(YEAR)]
    rows += [[n, date(g5, 4 + i, 5), s, _pid(g5, s, 500001 + i), "Kinh", "5A"] for i, (n, s) in enumerate(five)]
    return rows


ROWS = _rows()
WEAK_1A = ROWS[3][3]  # Vũ Đức Huy: CHT, waiting for the supplementary evaluation
KEPT_5A = ROWS[-1][3]  # Ngô Quang Vinh: kept in grade 5 by the principal
LEFT_3A = pupils(YEAR)[2][0]  # Vũ Đức Dũng left during the year
EXEMPT_3A = pupils(YEAR)[0][0]  # Nguyễn Hoàng An: exempt from GDTC, carried to grade 4


def _workbook(folder: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append([f"DANH SÁCH HỌC SINH NĂM HỌC {YEAR}"])
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp", "Miễn môn"])
    for i, r in enumerate(ROWS, start=1):
        ws.append([i, *r, "Giáo dục thể chất" if r[3] == EXEMPT_3A else ""])
    p = folder / "ds-lop.xlsx"
    wb.save(p)
    return p


def build(folder: Path) -> Path:
    db = folder / "rollover-school.sqlite3"
    with Store.open(db) as store:
        with store.transaction("system") as tx:
            tx.session.add(School(**SCHOOL))
            roles = {"HT": ["principal"], "VP01": ["clerk"]}
            for p in [*STAFF, LEFT]:
                st = Staff(code=p.code, full_name=p.name, sex=p.sex, personal_id=p.pid, position=p.position)
                st.roles = [StaffRole(role=r) for r in roles.get(p.code, ["homeroom", "subject"])]
                tx.session.add(st)
            code, name, sex = GV301
            tx.session.add(Staff(code=code, full_name=name, sex=sex, roles=[StaffRole(role="homeroom"),
                                                                         StaffRole(role="subject")]))
            tx.audit("test.staff", "staff", "all", {})
        plan = class_import.plan_import(store, _workbook(folder))
        assert plan.ok, [p.message() for p in plan.errors]
        class_import.apply_import(store, plan, SYSTEM_ACTOR)
        for cls, gvcn in (("1A", "GV101"), ("3A", "GV201"), ("5A", "GV301")):
            assignments.set_homeroom(store, SYSTEM_ACTOR, cls, gvcn, teach_unassigned=True)
        assignments.add_subject_teacher(store, SYSTEM_ACTOR, "3A", "MT", LEFT.code)
        fill_final(store, "1A", YEAR, weak={WEAK_1A})
        fill_final(store, "3A", YEAR)
        fill_final(store, "5A", YEAR, weak={KEPT_5A})
        promotion.decide(store, directory.actor(store, "HT", YEAR), KEPT_5A, False, "chưa đạt sau đánh giá bổ sung", YEAR)
        with store.engine.begin() as c:  # the leaving itself is another work item: its outcome, written as stored
            left_on = date(START + 1, 1, 15).isoformat()
            c.exec_driver_sql("UPDATE enrolment SET status='left', left_on=? WHERE student_id=(SELECT id FROM student "
                              "WHERE personal_id=?)", (left_on, LEFT_3A))
            c.exec_driver_sql("UPDATE staff SET active=0, left_on=? WHERE code=?",
                              ((date.today() - timedelta(days=1)).isoformat(), LEFT.code))
    return db


def copy(template: Path, folder: Path, name: str = "school.sqlite3") -> Path:
    dst = folder / name
    shutil.copyfile(template, dst)
    anchor = Path(str(template) + ".audit-head")
    if anchor.exists():
        shutil.copyfile(anchor, Path(str(dst) + ".audit-head"))
    return dst


TABLES = ("school_year", "school_class", "enrolment", "teaching_assignment", "subject_evaluation", "audit_log",
          "year_result", "student")


def counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def enrolled(store: Store, pid: str) -> list[tuple[str, str, str]]:
    from hocbaso_desktop.storage.models import Enrolment, SchoolClass, SchoolYear, Student

    with store.read() as s:
        return [tuple(r) for r in s.execute(
            select(SchoolYear.name, SchoolClass.name, Enrolment.status)
            .join(Enrolment, Enrolment.year_id == SchoolYear.id).join(SchoolClass, Enrolment.class_id == SchoolClass.id)
            .join(Student, Enrolment.student_id == Student.id).where(Student.personal_id == pid)
            .order_by(SchoolYear.name))]
