"""Issued means frozen (issue 15): the pupil, enrolment, class, school and staff rows an issued record
was built from cannot change — not by a class import, not by a service, not by someone with the file
and sqlite3 — until a correction opens the record; nothing imports into a locked year.

Reproduced first: "an import renamed an issued pupil and moved him to another class"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hocbaso_desktop.domain.errors import HocbasoError, RecordLocked
from hocbaso_desktop.services import class_import, directory
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Enrolment, SchoolClass, Student
from tests.services.test_class_import import AN, BINH, xlsx

AN_ID, BINH_ID = AN[3], BINH[3]


def _enrolment(store: Store, pid: str) -> tuple[int, int, int]:
    with store.read() as s:
        return s.execute(select(Enrolment.id, Enrolment.student_id, Enrolment.year_id).join(Student, Student.id == Enrolment.student_id)
                         .where(Student.personal_id == pid)).one()


def issue(store: Store, pid: str) -> int:
    """An issued record of the pupil's year, as the seal's transaction leaves it (the content does not matter here)."""
    eid, sid, yid = _enrolment(store, pid)
    store.execute_raw(f"INSERT INTO record (enrolment_id, student_id, year_id, version, status, created_at, issued_at, "
                      f"status_reason) VALUES ({eid}, {sid}, {yid}, 1, 'issued', '2026-05-30 10:00:00', "
                      f"'2026-05-30 10:00:00', '')")
    return eid


def open_for_correction(store: Store, eid: int) -> None:
    store.execute_raw(f"INSERT INTO record_unlock (enrolment_id, correction_id, active, opened_at) "
                      f"VALUES ({eid}, NULL, 1, '2026-06-01 08:00:00')")


def pupil(store: Store, pid: str) -> tuple[str, str]:
    with store.read() as s:
        return s.execute(select(Student.full_name, SchoolClass.name).join(Enrolment, Enrolment.student_id == Student.id)
                         .join(SchoolClass, SchoolClass.id == Enrolment.class_id).where(Student.personal_id == pid)).one()


def audit_count(store: Store) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar()


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> Store:
    class_import.apply_import(empty_store, class_import.plan_import(empty_store, xlsx(tmp_path, [AN, BINH], "v1.xlsx")))
    return empty_store


def test_an_import_cannot_rename_or_move_an_issued_pupil(school: Store, tmp_path: Path) -> None:
    issue(school, AN_ID)
    before = audit_count(school)
    an2 = ["Nguyễn Văn Ân", *AN[1:5], "1B", ""]  # renamed and moved to 1B
    binh2 = ["Trần Thị Bình Minh", *BINH[1:]]  # not issued: would be fine alone, but the file is all or nothing
    plan = class_import.plan_import(school, xlsx(tmp_path, [an2, binh2], "v2.xlsx"))
    assert not plan.ok
    (err,) = plan.errors
    assert (err.sheet, err.row) == (plan.class_list.rows[0].sheet, plan.class_list.rows[0].row)
    text = err.message()
    assert "đã phát hành" in text and "đính chính" in text and "Nguyễn Văn An" in text and "1B" in text
    with pytest.raises(HocbasoError):
        class_import.apply_import(school, plan)
    assert pupil(school, AN_ID) == ("Nguyễn Văn An", "1A") and pupil(school, BINH_ID) == ("Trần Thị Bình", "1A")
    assert audit_count(school) == before  # nothing written, not even the 1B class


def test_the_same_file_again_and_untouched_fields_still_import(school: Store, tmp_path: Path) -> None:
    issue(school, AN_ID)
    again = class_import.plan_import(school, xlsx(tmp_path, [AN, BINH], "v1b.xlsx"))
    assert again.ok and len(again.unchanged) == 2
    binh2 = ["Trần Thị Bình Minh", *BINH[1:]]
    res = class_import.apply_import(school, class_import.plan_import(school, xlsx(tmp_path, [AN, binh2], "v3.xlsx")))
    assert res.updated == 1 and pupil(school, BINH_ID) == ("Trần Thị Bình Minh", "1A")


def test_a_correction_opening_lets_the_change_through(school: Store, tmp_path: Path) -> None:
    open_for_correction(school, issue(school, AN_ID))
    an2 = ["Nguyễn Văn Ân", *AN[1:]]
    res = class_import.apply_import(school, class_import.plan_import(school, xlsx(tmp_path, [an2, BINH], "v4.xlsx")))
    assert res.updated == 1 and pupil(school, AN_ID) == ("Nguyễn Văn Ân", "1A")


def test_nothing_imports_into_a_locked_year(school: Store, tmp_path: Path) -> None:
    school.execute_raw("UPDATE school_year SET locked = 1")
    cuong = ["Lê Văn Cường", date(2019, 1, 9), "Nam", "031219000003", "Kinh", "1A", ""]
    with pytest.raises(RecordLocked, match="đã khóa"):
        class_import.plan_import(school, xlsx(tmp_path, [AN, BINH, cuong], "v5.xlsx"))
    assert len(directory.students(school, year="2025-2026")) == 2


@pytest.mark.parametrize("sql", [
    "UPDATE student SET full_name = 'Tên Giả Mạo' WHERE personal_id = '{an}'",
    "UPDATE student SET birth_date = '2019-01-01' WHERE personal_id = '{an}'",
    "UPDATE enrolment SET class_id = (SELECT id FROM school_class WHERE name = '1B') "
    "WHERE student_id = (SELECT id FROM student WHERE personal_id = '{an}')",
    "UPDATE enrolment SET exempt_subjects = 'TV' WHERE student_id = (SELECT id FROM student WHERE personal_id = '{an}')",
    "UPDATE school_class SET name = '1Z' WHERE name = '1A'",
    "UPDATE school_class SET grade = 2 WHERE name = '1A'",
    "UPDATE school SET name = 'Trường Khác'",
    "DELETE FROM enrolment WHERE student_id = (SELECT id FROM student WHERE personal_id = '{an}')",
    "DELETE FROM student WHERE personal_id = '{an}'",
])
def test_the_database_refuses_whoever_has_the_file(school: Store, sql: str) -> None:
    school.execute_raw("INSERT INTO school (name, moet_code, province, district, commune, address) "
                       "VALUES ('Trường Tiểu học Thử', '', 'Hà Nội', '', '', '')")
    school.execute_raw("INSERT INTO school_class (year_id, name, grade, optional_subjects) "
                       "SELECT year_id, '1B', 1, '' FROM school_class WHERE name = '1A'")
    issue(school, AN_ID)
    with pytest.raises(IntegrityError, match="issued rows are frozen"):
        school.execute_raw(sql.format(an=AN_ID))
    # the pupil next to him, never issued, still changes; so do columns no record prints
    school.execute_raw(f"UPDATE student SET full_name = 'Trần Thị Bình Minh' WHERE personal_id = '{BINH_ID}'")
    school.execute_raw(f"UPDATE student SET register_no = 'ĐB-12' WHERE personal_id = '{AN_ID}'")


def test_services_say_why_in_vietnamese(demo_store: Store) -> None:
    """A homeroom teacher and the school named in an issued record: the staff and school screens
    are refused with the reason (the trigger's abort translated), not a database error."""
    from hocbaso_desktop.services import staff_admin
    from hocbaso_desktop.services.school_settings import save_school_details

    first = directory.students(demo_store, "1A")[0]
    issue(demo_store, first.personal_id)
    ht = directory.actor(demo_store, "HT")
    homeroom = directory.find_class(demo_store, "1A").homeroom_code
    info = staff_admin.get_staff(demo_store, homeroom)
    with pytest.raises(RecordLocked, match="đã phát hành"):
        staff_admin.edit_staff(demo_store, ht, homeroom, staff_admin.StaffInput(
            "Người Khác", info.code, info.sex, info.birth_date, info.personal_id, info.position, info.email,
            info.roles, info.subjects_text))
    with pytest.raises(RecordLocked, match="đã phát hành"):
        save_school_details(demo_store, ht, {"name": "Trường Khác"})
    assert staff_admin.get_staff(demo_store, homeroom).full_name == info.full_name


@pytest.mark.parametrize("sql", [
    "INSERT INTO school_class (year_id, name, grade, optional_subjects) SELECT year_id, '1C', 1, '' "
    "FROM school_class WHERE name = '1A'",
    "UPDATE school_class SET homeroom_id = NULL WHERE name = '1A'",
    "DELETE FROM school_class WHERE name = '1E'",  # an empty class (a pupil's class is held by its key too)
    "INSERT INTO enrolment (student_id, year_id, class_id, status, optional_subjects, exempt_subjects) "
    "SELECT s.id, c.year_id, c.id, 'active', '', '' FROM student s, school_class c "
    "WHERE s.personal_id = '{binh}' AND c.name = '1A'",
    "UPDATE enrolment SET exempt_subjects = 'TV' WHERE student_id = (SELECT id FROM student WHERE personal_id = '{binh}')",
    "DELETE FROM enrolment WHERE student_id = (SELECT id FROM student WHERE personal_id = '{binh}')",
    "INSERT INTO teaching_assignment (staff_id, class_id, subject_code) SELECT st.id, c.id, 'TOAN' "
    "FROM staff st, school_class c WHERE c.name = '1A' LIMIT 1",
])
def test_a_locked_years_class_list_is_refused_to_whoever_has_the_file(school: Store, sql: str) -> None:
    """Not one row of Bình's was issued: the lock alone (migration 0013) refuses the change."""
    from tests.assign_school import add_staff

    add_staff(school, [("GV01", "Trần Thị Mai", ["homeroom", "subject"], True)])
    school.execute_raw("INSERT INTO school_class (year_id, name, grade, optional_subjects) "
                       "SELECT year_id, '1E', 1, '' FROM school_class WHERE name = '1A'")
    school.execute_raw("UPDATE school_year SET locked = 1")
    with pytest.raises(IntegrityError, match="school year is locked"):
        school.execute_raw(sql.format(binh=BINH_ID))
    # a pupil may still leave after the year closed (a later event); unlocking lets the rest through
    school.execute_raw(f"UPDATE enrolment SET status = 'left', left_on = '2026-07-01' "
                       f"WHERE student_id = (SELECT id FROM student WHERE personal_id = '{BINH_ID}')")
    school.execute_raw("UPDATE school_year SET locked = 0")
    school.execute_raw(f"UPDATE enrolment SET exempt_subjects = 'TV' "
                       f"WHERE student_id = (SELECT id FROM student WHERE personal_id = '{BINH_ID}')")


def test_a_locked_year_refusal_reads_in_vietnamese(school: Store) -> None:
    school.execute_raw("UPDATE school_year SET locked = 1")
    with pytest.raises(RecordLocked, match="Năm học đã khóa"):
        with school.transaction("system") as tx:
            tx.session.execute(select(SchoolClass)).scalars().first().name = "1Z"
