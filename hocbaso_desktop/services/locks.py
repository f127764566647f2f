"""When a student's evaluations may change: not in a locked year, not once the record is issued.

The database enforces the same with triggers for issued records (signing issue); this check gives
the user a clear Vietnamese reason before the trigger would have to refuse.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..domain.errors import RecordLocked
from ..storage.models import Enrolment, SchoolYear


def ensure_editable(s: Session, enrolment: Enrolment, year: SchoolYear) -> None:
    issued = s.execute(
        text("SELECT 1 FROM record WHERE enrolment_id = :e AND status = 'issued' "
             "AND NOT EXISTS (SELECT 1 FROM record_unlock u WHERE u.enrolment_id = :e AND u.active = 1) LIMIT 1"),
        {"e": enrolment.id},
    ).first() if not year.locked else None
    refuse_locked(year.name, bool(year.locked), issued is not None)


def refuse_locked(year_name: str, year_locked: bool, issued: bool) -> None:
    """The reason, once the facts are known (the grid's batch reads them for all its pupils at once)."""
    if year_locked:
        raise RecordLocked(f"Năm học {year_name} đã khóa: chỉ sửa được qua quy trình đính chính đã được duyệt")
    if issued:
        raise RecordLocked("Học bạ của học sinh này đã phát hành: chỉ sửa được qua phiếu đính chính đã được Hiệu trưởng duyệt")


def locked_enrolments(store, class_id: int) -> tuple[bool, set[int]]:
    """(year locked?, enrolments whose issued record is not open for a correction) for the grid."""
    from sqlalchemy import select

    from ..storage.models import SchoolClass, SchoolYear
    from .signing_plan import issued_enrolments

    with store.read() as s:
        locked = bool(s.execute(select(SchoolYear.locked).join(SchoolClass, SchoolClass.year_id == SchoolYear.id)
                                .where(SchoolClass.id == class_id)).scalar())
    return locked, issued_enrolments(store, class_id)
