"""The principal's decision after the supplementary evaluation (TT27 Điều 11 khoản 1 điểm c).

A pupil who has not completed the grade (CHT) gets support and a supplementary evaluation; the GVCN
reports, and the PRINCIPAL decides "được lên lớp" or "chưa được lên lớp" (ở lại lớp). The decision is
stored on the year result (promoted, who, when, a note), clears "pending supplementary", and from then
on fills `duoclenlop` in the record XML and the paper copy; the signing plan no longer holds the
record back. Only for such pupils: a pupil who completed the grade needs no decision, and nobody may
override that with one. Refused in a locked year and once the record is issued (corrections only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select

from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..domain.rights import DECIDE_PROMOTION, require
from ..domain.roles import Actor
from ..domain.vn_collation import name_key
from ..storage.engine import Store
from ..storage.models import Enrolment, SchoolClass, SchoolYear, Staff, Student, YearResult
from .accounts import find_staff
from .locks import ensure_editable

MAX_NOTE = 1000
DECISION_TEXT = {True: "được lên lớp", False: "chưa được lên lớp (ở lại lớp)"}


@dataclass(frozen=True)
class Decision:
    personal_id: str
    full_name: str
    class_name: str
    year: str
    promoted: bool
    note: str
    decided_by: str  # staff code
    decided_at: datetime
    previous: bool | None  # the earlier decision, when this one replaced it

    @property
    def text(self) -> str:
        return DECISION_TEXT[self.promoted]


@dataclass(frozen=True)
class Waiting:
    """A pupil of the class whose year result calls for the principal's decision."""

    enrolment_id: int
    personal_id: str
    full_name: str
    result: str | None
    pending_supplementary: bool
    promoted: bool | None  # None: not decided yet
    note: str


def _needs_decision(yr: YearResult | None) -> bool:
    return yr is not None and (yr.confirmed_result == "CHT" or bool(yr.pending_supplementary))


def decide(store: Store, actor: Actor, personal_id: str, promoted: bool, note: str = "",
           year: str | None = None, *, now: datetime | None = None) -> Decision:
    require(actor, DECIDE_PROMOTION)
    pid = (personal_id or "").strip()
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise InvalidValue("Ghi chú", note[:40] + "…", f"dài quá {MAX_NOTE} ký tự")
    if not isinstance(promoted, bool):
        raise InvalidValue("Quyết định", promoted, "chỉ có lên lớp hoặc ở lại lớp")
    moment = now or datetime.now(timezone.utc).replace(tzinfo=None)
    with store.transaction(actor.code) as tx:
        s = tx.session
        q = (select(Enrolment, Student, SchoolClass, SchoolYear)
             .join(Student, Enrolment.student_id == Student.id)
             .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
             .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
             .where(Student.personal_id == pid))
        if year:
            q = q.where(SchoolYear.name == year.strip())
        row = s.execute(q.order_by(SchoolYear.name.desc()).limit(1)).first()
        if row is None:
            raise NotFound(f"Không có học sinh mã định danh «{pid}»" + (f" trong năm học {year}" if year else ""))
        enrol, st, cls, yr_row = row
        yr = s.execute(select(YearResult).where(YearResult.enrolment_id == enrol.id)).scalars().first()
        if yr is None or not _needs_decision(yr):
            result = yr.confirmed_result if yr is not None else None
            why = (f"kết quả cuối năm là {result}: đã hoàn thành chương trình lớp học, không cần quyết định lên lớp"
                   if result else "GVCN chưa xác nhận kết quả cuối năm «Chưa hoàn thành» (CHT)")
            raise HocbasoError(f"{st.full_name} (lớp {cls.name}, {yr_row.name}): {why}. Quyết định lên lớp / ở lại lớp "
                               "chỉ dành cho học sinh chưa hoàn thành, sau đánh giá bổ sung (Điều 11).")
        ensure_editable(s, enrol, yr_row)
        principal = find_staff(s, actor.code)
        if principal is None and not actor.is_system:
            raise NotFound(f"Không có cán bộ mã {actor.code}")
        previous = yr.promoted
        old = {"promoted": yr.promoted, "pending_supplementary": yr.pending_supplementary, "note": yr.promotion_note}
        yr.promoted = promoted
        yr.promotion_decided_by = principal.id if principal is not None else None
        yr.promotion_decided_at = moment
        yr.promotion_note = note
        yr.pending_supplementary = False
        tx.audit("year_result.promote", "student", st.personal_id, {
            "year": yr_row.name, "class": cls.name, "old": old,
            "new": {"promoted": promoted, "pending_supplementary": False, "note": note}})
        return Decision(st.personal_id, st.full_name, cls.name, yr_row.name, promoted, note,
                        principal.code if principal is not None else actor.code, moment, previous)


def waiting(store: Store, class_id: int) -> list[Waiting]:
    """Pupils of the class (active enrolments) whose result is CHT or pending the supplementary
    evaluation, decided or not, in name order."""
    with store.read() as s:
        rows = s.execute(
            select(Enrolment.id, Student.personal_id, Student.full_name, YearResult)
            .join(Student, Enrolment.student_id == Student.id)
            .join(YearResult, YearResult.enrolment_id == Enrolment.id)
            .where(Enrolment.class_id == class_id, Enrolment.status == "active")
        ).all()
        out = [Waiting(eid, pid, name, yr.confirmed_result, bool(yr.pending_supplementary), yr.promoted,
                       yr.promotion_note or "")
               for eid, pid, name, yr in rows if _needs_decision(yr)]
    out.sort(key=lambda w: name_key(w.full_name))
    return out


def decided_by_name(store: Store, staff_id: int | None) -> str:
    if staff_id is None:
        return ""
    with store.read() as s:
        st = s.get(Staff, staff_id)
        return st.full_name if st is not None else ""
