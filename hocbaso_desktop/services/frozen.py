"""Issued means frozen (issue 15): which pupil, enrolment, class, school and staff rows an issued
record was built from, so a service can refuse a change with a clear reason before the database's
triggers (migration 0011) abort it.

A row is frozen while a record built from it is issued and not opened for a correction (an active
record_unlock, given by the principal's approval): the correction workflow is the one way to change
it. storage.engine turns the triggers' abort into RecordLocked(ROWS_TEXT) for any service that
reaches it (staff, school details, homeroom changes); the class import names the refused row.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..storage.engine import FROZEN_ABORT, FROZEN_TEXT

# The pupil identity columns a record prints (migration 0011's student trigger).
STUDENT_FIELDS = frozenset({"personal_id", "moet_code", "lookup_code", "full_name", "birth_date", "sex", "ethnicity_code",
                            "nationality", "birthplace", "hometown", "address", "father_name", "mother_name",
                            "guardian_name", "not_assessed"})
# What a class import may change on the year's enrolment (class_name stands for class_id).
ENROLMENT_FIELDS = frozenset({"class_name", "status", "optional_subjects", "exempt_subjects"})

PUPIL_TEXT = ("học bạ của học sinh đã phát hành: thông tin này không đổi được (chỉ sửa qua phiếu đính chính "
              "đã được Hiệu trưởng duyệt)")
ROWS_TEXT = FROZEN_TEXT

_OPEN = "NOT EXISTS (SELECT 1 FROM record_unlock u WHERE u.enrolment_id = r.enrolment_id AND u.active = 1)"


def frozen_students(s: Session) -> set[int]:
    """Pupils with an issued record, none of whose enrolments is opened for a correction."""
    return {r[0] for r in s.execute(text(
        "SELECT DISTINCT r.student_id FROM record r WHERE r.status = 'issued' AND NOT EXISTS "
        "(SELECT 1 FROM record_unlock u JOIN enrolment e ON e.id = u.enrolment_id "
        "WHERE e.student_id = r.student_id AND u.active = 1)"))}


def frozen_enrolments(s: Session, year_id: int | None = None) -> set[int]:
    """Enrolments (of one year, or all) whose issued record is not opened for a correction."""
    sql = ("SELECT DISTINCT r.enrolment_id FROM record r JOIN enrolment e ON e.id = r.enrolment_id "
           f"WHERE r.status = 'issued' AND {_OPEN}" + (" AND e.year_id = :y" if year_id is not None else ""))
    return {r[0] for r in s.execute(text(sql), {"y": year_id} if year_id is not None else {})}

__all__ = ["ENROLMENT_FIELDS", "FROZEN_ABORT", "PUPIL_TEXT", "ROWS_TEXT", "STUDENT_FIELDS", "frozen_enrolment_students",
           "frozen_enrolments", "frozen_students"]


def frozen_enrolment_students(s: Session, year_id: int) -> set[int]:
    """Pupils whose enrolment of that year has an issued record not opened for a correction."""
    return {r[0] for r in s.execute(text(
        "SELECT DISTINCT e.student_id FROM record r JOIN enrolment e ON e.id = r.enrolment_id "
        f"WHERE r.status = 'issued' AND e.year_id = :y AND {_OPEN}"), {"y": year_id})}
