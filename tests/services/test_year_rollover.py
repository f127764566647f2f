"""Opening a new school year from the previous one (issue 17): a school set up from nothing
(tests/rollover_school.py) and the demo school; the honest walk and the hostile ones (wrong grade,
year made by an import, not the next year, a teacher, incomplete records without the principal,
re-runs) — a refusal writes nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError, InvalidValue, NotFound, PermissionDenied
from hocbaso_desktop.domain.school_years import year_dates
from hocbaso_desktop.domain.vn_collation import name_key
from hocbaso_desktop.services import assignments, class_import, directory, promotion
from hocbaso_desktop.services.year_rollover import (
    IncompleteRecords,
    RolloverRefused,
    open_year,
    parse_mapping,
)
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Enrolment, SchoolClass, SchoolYear, Student
from tests import rollover_school as rs
from tests.rollover_school import KEPT_5A, LEFT_3A, NEXT, WEAK_1A, YEAR


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return rs.build(tmp_path_factory.mktemp("rollover"))


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return rs.copy(template, tmp_path)


def _opens(db: Path) -> list[dict]:
    con = sqlite3.connect(db)
    try:
        return [json.loads(x) for x, in con.execute("SELECT changes FROM audit_log WHERE action='year.open' ORDER BY id")]
    finally:
        con.close()


def test_a_school_from_nothing_rolls_over(db: Path) -> None:
    before = rs.counts(db)
    with Store.open(db) as store:
        # the clerk may open a year, but not past records that are not issued
        with pytest.raises(IncompleteRecords) as e:
            open_year(store, "VP01", NEXT, YEAR)
        assert "1A (4)" in e.value.message and "--confirm-incomplete" in e.value.message
        with pytest.raises(PermissionDenied, match="Hiệu trưởng"):
            open_year(store, "VP01", NEXT, YEAR, confirm_incomplete=True)
        assert rs.counts(db) == before

        preview = open_year(store, "HT", NEXT, YEAR, copy_assignments=True, dry_run=True)
        assert rs.counts(db) == before and not preview.applied and preview.dry_run
        assert any("cần Hiệu trưởng xác nhận" in line for line in preview.lines())

        plan = open_year(store, "HT", NEXT, YEAR, copy_assignments=True, confirm_incomplete=True)
        assert plan.applied and plan.year_made
        assert [(r.personal_id, r.from_class, r.to_class) for r in plan.promoted] == [
            (r[3], "1A", "2A") for r in sorted(rs.ROWS[:5], key=lambda r: name_key(r[0])) if r[3] != WEAK_1A
        ] + [(p[0], "3A", "4A") for p in sorted(rs.pupils(YEAR), key=lambda p: name_key(p[1])) if p[0] != LEFT_3A]
        assert [(r.personal_id, r.to_class) for r in plan.repeating] == [(KEPT_5A, "5A")]
        assert {r.personal_id for r in plan.graduated} == {r[3] for r in rs.ROWS[-3:-1]}
        assert [(r.personal_id, r.note) for r in plan.not_carried] == [(LEFT_3A, "đã thôi học")]
        assert [r.personal_id for r in plan.waiting] == [WEAK_1A]
        assert plan.classes_made == (("2A", 2), ("4A", 4), ("5A", 5))
        assert len(plan.incomplete) == 10  # nothing signed yet; the pupil who left and the one pending are not counted
        text = "\n".join(plan.lines())
        assert "Lên lớp: 7 học sinh" in text and "Hiệu trưởng đã xác nhận" in text and "5A → 5A" in text

        # what the lists say is what the database holds
        assert [r.personal_id for r in directory.students(store, "2A", NEXT)] == [
            r.personal_id for r in plan.promoted if r.to_class == "2A"]
        assert rs.enrolled(store, LEFT_3A) == [(YEAR, "3A", "left")]
        assert rs.enrolled(store, KEPT_5A) == [(YEAR, "5A", "active"), (NEXT, "5A", "active")]
        for r in plan.graduated:
            assert rs.enrolled(store, r.personal_id) == [(YEAR, "5A", "active")]
        with store.read() as s:
            y = s.execute(select(SchoolYear).where(SchoolYear.name == NEXT)).scalar_one()
            dates = year_dates(NEXT)
            assert (y.start_date, y.end_date, y.lock_date, y.locked) == (dates.start, dates.end, dates.lock, False)
            joined = set(s.execute(select(Enrolment.joined_on).where(Enrolment.year_id == y.id)).scalars())
            assert joined == {dates.start}
            ex = s.execute(select(Enrolment.exempt_subjects).join(Student, Enrolment.student_id == Student.id)
                           .where(Enrolment.year_id == y.id, Student.personal_id == rs.EXEMPT_3A)).scalar_one()
            assert ex == "GDTC"

        # assignments followed the pupils: the GVCN, new grade-4 subjects to the GVCN, the teacher who left not
        table = assignments.current_table(store, NEXT)
        assert table["2A"]["GVCN"] == ["GV101"] and table["2A"]["TOAN"] == ["GV101"]
        assert table["4A"]["GVCN"] == ["GV201"] and table["4A"]["KH"] == ["GV201"] and "TNXH" not in table["4A"]
        assert table["4A"]["MT"] == ["GV201"] and table["5A"]["GVCN"] == []  # a repeaters' class gets none
        assert any("GV199" in x and "nghỉ" in x for x in plan.assignments_skipped)
        assert directory.actor(store, "GV201", NEXT).can_edit_subject(directory.find_class(store, "4A", NEXT).id, "KH")

        opens = _opens(db)
        assert len(opens) == 1 and opens[0]["from"] == YEAR and opens[0]["confirmed_incomplete"] is True
        assert opens[0]["promoted"][plan.promoted[0].personal_id] == plan.promoted[0].to_class

        # a second run adds nothing and writes nothing, not even an audit entry
        after = rs.counts(db)
        again = open_year(store, "HT", NEXT, YEAR, copy_assignments=True, confirm_incomplete=True)
        assert not again.changes and not again.applied and again.already == 11
        assert "Không có gì mới" in "\n".join(again.lines()) and [r.personal_id for r in again.waiting] == [WEAK_1A]
        assert rs.counts(db) == after

        # the principal's decision for the waiting pupil, then a re-run carries her — and only her
        promotion.decide(store, directory.actor(store, "HT", YEAR), WEAK_1A, True, "đạt sau đánh giá bổ sung", YEAR)
        with pytest.raises(IncompleteRecords):  # her record is still not issued
            open_year(store, "VP01", NEXT, YEAR)
        last = open_year(store, "HT", NEXT, YEAR, confirm_incomplete=True)
        assert [(r.personal_id, r.to_class) for r in last.promoted] == [(WEAK_1A, "2A")]
        assert not (last.graduated or last.not_carried or last.classes_made or last.repeating)
        assert rs.enrolled(store, WEAK_1A)[-1] == (NEXT, "2A", "active")
        assert len(_opens(db)) == 2


def test_bad_mappings_are_refused_and_nothing_is_written(db: Path) -> None:
    before = rs.counts(db)
    with Store.open(db) as store:
        cases = [
            ({"1A": ["3A"]}, "lớp 3A thuộc khối 3, còn học sinh lớp 1A (khối 1) lên khối 2"),
            ({"1B": ["2B"]}, "không có lớp 1B"),
            ({"5A": ["6A"]}, "hoàn thành chương trình tiểu học"),
            ({"3A": ["X9"]}, "tên lớp «X9» không hợp lệ"),
            ({"1A": ["2A"], "3A": ["2A"]}, "lớp 2A thuộc khối 2, còn học sinh lớp 3A (khối 3) lên khối 4"),
        ]
        for mapping, message in cases:
            for dry in (True, False):
                with pytest.raises(RolloverRefused) as e:
                    open_year(store, "HT", NEXT, YEAR, mapping=mapping, confirm_incomplete=True, dry_run=dry)
                assert message in e.value.message and "Chưa ghi gì" in e.value.message
    assert rs.counts(db) == before
    for text, why in (("1A", "LỚP_CŨ=LỚP_MỚI"), ("1A=", "LỚP_CŨ=LỚP_MỚI"), ("1A=2A,2A", "hai lần")):
        with pytest.raises(InvalidValue, match=why):
            parse_mapping([text])
    with pytest.raises(InvalidValue, match="ánh xạ khác"):
        parse_mapping(["1A=2A", "1a=2B"])
    assert parse_mapping(["1a=2a, 2b", "3A=4A"]) == {"1A": ["2A", "2B"], "3A": ["4A"]}


def test_years_that_are_not_the_next_or_already_exist_are_refused(db: Path, tmp_path: Path) -> None:
    with Store.open(db) as store:
        later = f"{int(YEAR[:4]) + 2}-{int(YEAR[:4]) + 3}"
        earlier = f"{int(YEAR[:4]) - 1}-{YEAR[:4]}"
        for new, old, why in ((later, YEAR, f"liền sau {YEAR}, tức {NEXT}"), (YEAR, YEAR, "liền sau"),
                              ("2026/2027", YEAR, "không hợp lệ"), (YEAR, earlier, f"Không có năm học {earlier}")):
            with pytest.raises(HocbasoError, match=why):
                open_year(store, "HT", new, old, confirm_incomplete=True)
        # the new year made by a class-list import (year.create), not by a rollover
        wb = rs._workbook(tmp_path)
        plan = class_import.plan_import(store, wb, NEXT)
        assert plan.ok, [p.message() for p in plan.errors]
        class_import.apply_import(store, plan)
    before = rs.counts(db)
    with Store.open(db) as store:
        assert NEXT in directory.years(store)
        with pytest.raises(RolloverRefused, match=f"Năm học {NEXT} đã có"):
            open_year(store, "HT", NEXT, YEAR, confirm_incomplete=True)
    assert rs.counts(db) == before


def test_who_may_open_a_year(db: Path) -> None:
    before = rs.counts(db)
    with Store.open(db) as store:
        with pytest.raises(PermissionDenied, match="nhập danh sách học sinh"):
            open_year(store, "GV101", NEXT, YEAR, confirm_incomplete=False)
        with pytest.raises(PermissionDenied, match="phân công"):  # the clerk may not assign teachers
            open_year(store, "VP01", NEXT, YEAR, copy_assignments=True)
        with pytest.raises(NotFound):
            open_year(store, "GV199", NEXT, YEAR)  # left the school: no account any more
        with pytest.raises(NotFound):
            open_year(store, "KHONGCO", NEXT, YEAR)
    assert rs.counts(db) == before


def test_demo_school_split_and_merge(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        year = directory.years(store)[-1]
        nxt = f"{int(year[:4]) + 1}-{int(year[:4]) + 2}"
        ones = {c: [r.personal_id for r in directory.students(store, c, year)] for c in ("1A", "1B")}
        plan = open_year(store, "HT", nxt, year, mapping={"1A": ["2A", "2C"], "1B": ["2A"], "2A": ["3A"], "2B": ["3A"]},
                         dry_run=True, confirm_incomplete=True)
        assert plan.dry_run and directory.years(store) == [year]
        plan = open_year(store, "HT", nxt, year, mapping=parse_mapping(["1A=2A,2C", "1B=2A", "2A=3A", "2B=3A"]),
                         confirm_incomplete=True)
        assert ("2C", 2) in plan.classes_made and ("2B", 2) not in plan.classes_made and ("3B", 3) not in plan.classes_made
        from_1a = [r for r in plan.promoted if r.from_class == "1A"]
        to_a = [r for r in from_1a if r.to_class == "2A"]
        to_c = [r for r in from_1a if r.to_class == "2C"]
        assert abs(len(to_a) - len(to_c)) <= 1 and to_a and to_c
        assert max(name_key(r.name) for r in to_a) < min(name_key(r.name) for r in to_c)  # alphabetical halves
        in_2a = {r.personal_id for r in directory.students(store, "2A", nxt)}
        assert set(ones["1B"]) - {r.personal_id for r in plan.waiting} <= in_2a
        assert {r.personal_id for r in to_a} <= in_2a
        assert {c.name for c in directory.classes(store, nxt)} == {"2A", "2C", "3A", "4A", "4B", "5A", "5B"} | {
            r.to_class for r in plan.repeating}
        with store.read() as s:
            opts = dict(s.execute(select(SchoolClass.name, SchoolClass.optional_subjects)
                                  .join(SchoolYear, SchoolClass.year_id == SchoolYear.id).where(SchoolYear.name == nxt)).all())
        assert opts["2C"] == "NN1" and opts["3A"] == ""  # English is compulsory from grade 3: no longer a choice
        # waiting pupils of the demo (CHT, pending) are listed, not carried
        assert len(plan.waiting) == 18 and all("đánh giá bổ sung" in r.note for r in plan.waiting)
        # re-run without the mapping keeps the first run's classes (no 2B appears)
        again = open_year(store, "HT", nxt, year, confirm_incomplete=True)
        assert not again.changes and "2B" not in {c.name for c in directory.classes(store, nxt)}
        with store.read() as s:
            assert s.execute(select(AuditEntry.id).where(AuditEntry.action == "year.open")).scalars().all().__len__() == 1


@pytest.mark.slow
def test_demo_issued_class_needs_no_confirmation(demo_template: Path, tmp_path: Path) -> None:
    """1A issued on the school's token; every other pupil left: the clerk opens the year alone."""
    from tests.correction_school import issue_class
    from tests.school_token import school_token

    token = school_token(demo_template)
    db = rs.copy(demo_template, tmp_path)
    with Store.open(db) as store:
        token.attach(store)
        issue_class(store, token, "1A")
        year = directory.years(store)[-1]
        nxt = f"{int(year[:4]) + 1}-{int(year[:4]) + 2}"
        ones = [r.personal_id for r in directory.students(store, "1A", year)]
        plan = open_year(store, "HT", nxt, year, dry_run=True)
        assert not {r.personal_id for r in plan.incomplete} & set(ones) and plan.incomplete
        with pytest.raises(IncompleteRecords):
            open_year(store, "VP01", nxt, year)
        with store.engine.begin() as c:
            c.exec_driver_sql("UPDATE enrolment SET status='left' WHERE class_id IN (SELECT id FROM school_class "
                              "WHERE name != '1A')")
        plan = open_year(store, "VP01", nxt, year)
        assert plan.applied and not plan.incomplete
        assert {r.personal_id for r in plan.promoted} == set(ones) and len(plan.not_carried) > 200
        assert [r.personal_id for r in directory.students(store, "2A", nxt)] == [
            r.personal_id for r in plan.promoted]


def test_a_locked_old_year_rolls_over_and_a_locked_new_year_takes_nothing(db: Path) -> None:
    """The old year is normally locked by August (records issued); the new one, once locked, is closed."""
    con = sqlite3.connect(db)
    con.execute("UPDATE school_year SET locked = 1")  # the lock itself (with the seal) is year_lock's business
    con.commit()
    con.close()
    with Store.open(db) as store:
        plan = open_year(store, "HT", NEXT, YEAR, confirm_incomplete=True)
        assert plan.applied and len(plan.promoted) == 7
        with store.engine.begin() as c:
            c.exec_driver_sql("UPDATE school_year SET locked = 1 WHERE name = ?", (NEXT,))
        locked_state = rs.counts(db)
        with pytest.raises(RolloverRefused, match=f"Năm học {NEXT} đã khóa"):
            open_year(store, "HT", NEXT, YEAR, confirm_incomplete=True)
    assert rs.counts(db) == locked_state
