"""A school whose pupils have two years here, for the whole-book tests (issue 17): the archive tests'
small school (demo school trimmed, 2025-2026 issued GVCN → principal → seal on the SoftHSM2 school
token; one pupil's v1 replaced by an issued v2, one record withdrawn), then the next school year built
directly — class 2A of grade 2 with the same homeroom teacher, two pupils of 1A enrolled in it with
their year-end evaluations carried over — and one of them signed and issued through the real signing
service. Not the year rollover (another helper's): only what the book needs.

Built once per process; copy before writing (tests/transfer_schools.copy_db).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from tests.archive.school import YEAR, _sign, build_small_school
from tests.school_token import SchoolToken, school_token

NEXT_YEAR = f"{int(YEAR[:4]) + 1}-{int(YEAR[:4]) + 2}"
NEXT_CLASS = "2A"
_COPIED = {
    "subject_evaluation": "period, subject_code, level, score, comment",
    "quality_evaluation": "period, quality_code, level, comment",
    "period_summary": "period, days_excused, days_unexcused, comment_pc, comment_nlc, comment_nld, teacher_comment",
    "year_result": ("confirmed_result, confirmed_by, confirmed_at, change_reason, awards, adhoc_awards, "
                    "pending_supplementary, promoted, promotion_decided_by, promotion_decided_at, promotion_note, "
                    "height_cm, weight_kg"),
}


@dataclass
class BookSchool:
    token: SchoolToken
    db: Path  # template: copy before writing
    two_years_pid: str  # v1 replaced by v2 in YEAR, issued again in NEXT_YEAR
    draft_pid: str  # issued in YEAR, NEXT_YEAR enrolled but never signed
    withdrawn_pid: str  # YEAR's record withdrawn, nothing else


def _next_year(store: Store, pids: list[str]) -> None:
    first = directory.find_class(store, "1A", YEAR)
    today = date.today()
    with store.engine.begin() as c:
        start = date(int(NEXT_YEAR[:4]), 9, 5)
        c.execute(text("INSERT INTO school_year (name, start_date, end_date, lock_date, locked) "
                       "VALUES (:n, :s, :e, :l, 0)"),
                  {"n": NEXT_YEAR, "s": start, "e": date(start.year + 1, 5, 31), "l": today + timedelta(days=200)})
        year_id = c.execute(text("SELECT id FROM school_year WHERE name = :n"), {"n": NEXT_YEAR}).scalar()
        c.execute(text("INSERT INTO school_class (year_id, name, grade, homeroom_id, optional_subjects) "
                       "SELECT :y, :n, 2, homeroom_id, optional_subjects FROM school_class WHERE id = :c"),
                  {"y": year_id, "n": NEXT_CLASS, "c": first.id})
        class_id = c.execute(text("SELECT id FROM school_class WHERE year_id = :y AND name = :n"),
                             {"y": year_id, "n": NEXT_CLASS}).scalar()
        c.execute(text("INSERT INTO teaching_assignment (staff_id, class_id, subject_code) "
                       "SELECT staff_id, :c, subject_code FROM teaching_assignment WHERE class_id = :old"),
                  {"c": class_id, "old": first.id})
        for pid in pids:
            old = c.execute(text("SELECT e.id, e.student_id, e.optional_subjects FROM enrolment e JOIN student s "
                                 "ON s.id = e.student_id WHERE s.personal_id = :p"), {"p": pid}).one()
            c.execute(text("INSERT INTO enrolment (student_id, year_id, class_id, status, joined_on, optional_subjects, "
                           "exempt_subjects) VALUES (:s, :y, :c, 'active', :j, :o, '')"),
                      {"s": old[1], "y": year_id, "c": class_id, "j": start, "o": old[2]})
            new = c.execute(text("SELECT id FROM enrolment WHERE student_id = :s AND year_id = :y"),
                            {"s": old[1], "y": year_id}).scalar()
            for table, cols in _COPIED.items():
                c.execute(text(f"INSERT INTO {table} (enrolment_id, {cols}) SELECT :new, {cols} FROM {table} "
                               "WHERE enrolment_id = :old"), {"new": new, "old": old[0]})


def _build(demo_template: Path, base: Path, token: SchoolToken) -> BookSchool:
    db = build_small_school(demo_template, base / "book.sqlite3", token)
    with Store.open(db) as store:
        with store.read() as s:
            rows = s.execute(text(
                "SELECT st.personal_id, max(r.version), group_concat(r.status) FROM record r "
                "JOIN student st ON st.id = r.student_id JOIN enrolment e ON e.id = r.enrolment_id "
                "JOIN school_class c ON c.id = e.class_id WHERE c.name = '1A' GROUP BY st.personal_id "
                "ORDER BY st.personal_id")).all()
        two = next(pid for pid, v, _st in rows if v == 2)
        withdrawn = next(pid for pid, _v, st in rows if st == "withdrawn")
        draft = next(pid for pid, v, st in rows if v == 1 and st == "issued")
        _next_year(store, [two, draft])
        # sign only the first pupil's new record: the other stays a draft of NEXT_YEAR
        info = directory.find_class(store, NEXT_CLASS, NEXT_YEAR)
        with store.engine.begin() as c:
            c.execute(text("UPDATE enrolment SET status = 'left' WHERE class_id = :c AND student_id = "
                           "(SELECT id FROM student WHERE personal_id = :p)"), {"c": info.id, "p": draft})
        _sign(store, token, info.homeroom_code, [NEXT_CLASS])
        _sign(store, token, "HT", [NEXT_CLASS])
        _sign(store, token, "VP01", [NEXT_CLASS], seal=True)
        with store.engine.begin() as c:
            c.execute(text("UPDATE enrolment SET status = 'active' WHERE class_id = :c"), {"c": info.id})
    return BookSchool(token, db, two, draft, withdrawn)


_cached: BookSchool | None = None


def book_school(demo_template: Path) -> BookSchool:
    global _cached
    token = school_token(demo_template)
    if _cached is None:
        _cached = _build(demo_template, Path(tempfile.mkdtemp(prefix="hocbaso-book-")), token)
    token.activate()
    return _cached
