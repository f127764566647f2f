"""Periods evaluated at the old school (mid-year transfer, issue 17): read for the package, written on
import, and the rule that keeps them as received.

The sending school's package carries the active enrolment's GK1/CK1/GK2 (exchange/carried_periods.py);
the receiving school writes them into the ordinary evaluation tables, with one ReceivedPeriod row
per period naming the old school (migration 0016: those rows and their evaluations never change).
The grid shows them read-only and `refuse_edit` stops any edit in the service; the year-end CN is
evaluated here, so the record built at year end uses it like any pupil's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.catalogue import catalogue
from ..domain.errors import HocbasoError, RecordLocked
from ..domain.pupil_subjects import join_codes, parse_codes
from ..exchange.carried_periods import CARRIED, CarriedYear, PeriodValues, QualityValue, SubjectValue
from ..storage.models import Enrolment, PeriodSummary, QualityEvaluation, Record, SchoolClass, SchoolYear, Student, SubjectEvaluation
from ..storage.transfer_models import ReceivedPeriod

SUMMARY_COLUMNS = ("days_excused", "days_unexcused", "comment_pc", "comment_nlc", "comment_nld", "teacher_comment")


def origin_text(school_name: str, class_name: str = "") -> str:
    """The mark every screen shows on a carried period."""
    where = f"{school_name}" + (f", lớp {class_name}" if class_name else "")
    return f"Đánh giá tại trường cũ: {where} (nhận khi chuyển đến, chỉ xem)"


# ---- sending school -----------------------------------------------------------------------------------


def carried_for_package(s: Session, enrolment_id: int, school_name: str) -> CarriedYear | None:
    """The periods the active enrolment has evaluated so far, or None when the year is already a record
    (issued records travel as records) or nothing was evaluated yet."""
    enrol = s.get(Enrolment, enrolment_id)
    # transferred_out: a re-export (the first package lost) carries the same periods
    if enrol is None or enrol.status not in ("active", "transferred_out"):
        return None
    if s.execute(select(Record.id).where(Record.enrolment_id == enrolment_id, Record.status == "issued")).first():
        return None
    cls = s.get(SchoolClass, enrol.class_id)
    year = s.get(SchoolYear, enrol.year_id)
    assert cls is not None and year is not None
    received_here = carried_periods(s, [enrolment_id])
    periods: list[PeriodValues] = []
    for period in CARRIED:
        subjects = tuple(SubjectValue(r.subject_code, r.level, r.score, r.comment or "") for r in s.execute(
            select(SubjectEvaluation).where(SubjectEvaluation.enrolment_id == enrolment_id, SubjectEvaluation.period == period)
            .order_by(SubjectEvaluation.subject_code)).scalars())
        qualities = tuple(QualityValue(r.quality_code, r.level, r.comment or "") for r in s.execute(
            select(QualityEvaluation).where(QualityEvaluation.enrolment_id == enrolment_id, QualityEvaluation.period == period)
            .order_by(QualityEvaluation.quality_code)).scalars())
        ps = s.execute(select(PeriodSummary).where(PeriodSummary.enrolment_id == enrolment_id,
                                                   PeriodSummary.period == period)).scalars().first()
        summary = {c: getattr(ps, c) for c in SUMMARY_COLUMNS} if ps is not None else None
        evaluated = any(v.level or v.score is not None or v.comment for v in subjects) or \
            any(v.level or v.comment for v in qualities) or bool(summary and any(v not in (None, "") for v in summary.values()))
        if evaluated:
            earlier = received_here.get((enrolment_id, period))
            periods.append(PeriodValues(period, subjects, qualities, summary, earlier.school_name if earlier else ""))
    if not periods:
        return None
    return CarriedYear(year.name, cls.grade, cls.name, school_name, tuple(periods))


# ---- receiving school ---------------------------------------------------------------------------------


def store_carried(s: Session, carried: CarriedYear, enrolment: Enrolment, class_grade: int, year_name: str,
                  transfer_id: int, package_sha256: str, now: datetime) -> tuple[list[str], list[str]]:
    """Write the carried periods for the new enrolment, in the import's transaction.
    Returns (periods written, notes). A class of another grade is refused (its subjects differ);
    a period the enrolment already has values for here keeps this school's values and is noted."""
    notes: list[str] = []
    if carried.school_year != year_name:
        return [], [f"Các kì đã đánh giá ở trường cũ thuộc năm học {carried.school_year}, không phải năm học "
                    f"{year_name}: không đưa vào."]
    if carried.grade != class_grade:
        raise HocbasoError(f"Ở trường cũ học sinh học khối {carried.grade} (lớp {carried.class_name}) và đã được đánh giá "
                           f"{', '.join(p.period for p in carried.periods)}; lớp đã chọn thuộc khối {class_grade}. Hãy "
                           f"chọn một lớp khối {carried.grade} để giữ các kì đã đánh giá — chưa ghi gì.")
    # an optional subject the pupil took there (e.g. Tiếng Anh in grade 2) stays the pupil's own here,
    # so its carried periods show in the grid; the class's optional subjects are unchanged
    cat = catalogue()
    cls = s.get(SchoolClass, enrolment.class_id)
    class_optional = parse_codes(cls.optional_subjects if cls is not None else "")
    took = {v.code for p in carried.periods for v in p.subjects
            if class_grade in cat.subject(v.code).optional_grades and (v.level or v.score is not None or v.comment)}
    extra = took - class_optional - parse_codes(enrolment.optional_subjects)
    if extra:
        enrolment.optional_subjects = join_codes(parse_codes(enrolment.optional_subjects) | extra)
        notes.append("Môn tự chọn học ở trường cũ được giữ cho học sinh: "
                     + ", ".join(cat.subject(c).name for c in sorted(extra)) + ".")
    written: list[str] = []
    for p in carried.periods:
        have = any(s.execute(select(t.id).where(t.enrolment_id == enrolment.id, t.period == p.period)).first()
                   for t in (SubjectEvaluation, QualityEvaluation, PeriodSummary))
        if have:
            notes.append(f"Kì {p.period} đã có đánh giá ở trường này: giữ nguyên, không lấy đánh giá của trường cũ.")
            continue
        for v in p.subjects:
            s.add(SubjectEvaluation(enrolment_id=enrolment.id, period=p.period, subject_code=v.code, level=v.level,
                                    score=v.score, comment=v.comment))
        for q in p.qualities:
            s.add(QualityEvaluation(enrolment_id=enrolment.id, period=p.period, quality_code=q.code, level=q.level,
                                    comment=q.comment))
        if p.summary is not None:
            s.add(PeriodSummary(enrolment_id=enrolment.id, period=p.period, **p.summary))
        s.flush()  # the values first: once the marker exists the database refuses rows of that period
        s.add(ReceivedPeriod(transfer_id=transfer_id, enrolment_id=enrolment.id, period=p.period,
                             school_name=(p.school_name or carried.school_name)[:150],
                             class_name="" if p.school_name else carried.class_name[:10],
                             package_sha256=package_sha256, received_at=now))
        s.flush()
        written.append(p.period)
    return written, notes


# ---- the rule -----------------------------------------------------------------------------------------


def carried_periods(s: Session, enrolment_ids: list[int] | set[int], period: str | None = None) -> dict[tuple[int, str], ReceivedPeriod]:
    if not enrolment_ids:
        return {}
    q = select(ReceivedPeriod).where(ReceivedPeriod.enrolment_id.in_(list(enrolment_ids)))
    if period is not None:
        q = q.where(ReceivedPeriod.period == period)
    return {(r.enrolment_id, r.period): r for r in s.execute(q).scalars()}


def refuse_edit(s: Session, enrolment_id: int, period: str) -> None:
    """Raise RecordLocked, naming the pupil, the period and the old school, if the period was carried."""
    row = carried_periods(s, [enrolment_id], period).get((enrolment_id, period))
    if row is None:
        return
    name = s.execute(select(Student.full_name).join(Enrolment, Enrolment.student_id == Student.id)
                     .where(Enrolment.id == enrolment_id)).scalar() or "?"
    raise RecordLocked(f"Kì {period} của học sinh {name} đã được đánh giá tại trường cũ ({row.school_name}"
                       + (f", lớp {row.class_name}" if row.class_name else "")
                       + ") và nhận khi chuyển đến: giữ nguyên như đã nhận, không sửa được.")
