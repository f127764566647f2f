"""Assembling a student's yearly record (RecordData) from the store, and building its XML / paper copy."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.catalogue import EXEMPT, FINAL_PERIOD, catalogue
from ..domain.errors import HocbasoError, NotFound
from ..domain.ethnic import ETHNIC_GROUPS
from ..domain.pupil_subjects import parse_codes
from ..domain.record_data import (
    HistoryRow,
    Person,
    QualityRow,
    RecordData,
    SchoolInfo,
    SignatureInfo,
    StudentInfo,
    SubjectRow,
)
from ..domain.results import completion
from ..domain.vn_collation import name_key
from ..storage.engine import Store
from ..storage.models import (
    Enrolment,
    PeriodSummary,
    QualityEvaluation,
    Record,
    RecordSignature,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
    SubjectEvaluation,
    YearResult,
)
from ..storage.transcription_models import Transcription
from ..storage.transfer_models import LearningHistory
from .directory import find_class

NATIONAL_STATUS = {"draft": "1", "signing": "1", "issued": "1", "replaced": "1", "withdrawn": "2"}


def _cached(s: Session, key: str, make):  # noqa: ANN001, ANN202
    """Per-session memo for what every record of a batch shares (school, principal, teachers):
    signing a class builds ~35 records in one session, and these lookups were a third of the cost."""
    cache = s.info.setdefault("record_data_cache", {})
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _principal(s: Session) -> Person | None:
    return _cached(s, "principal", lambda: _load_principal(s))


def _load_principal(s: Session) -> Person | None:
    # the principal, or the vice-principal the principal authorised (services/board_signer.py)
    from .board_signer import board_signer_in

    signer = board_signer_in(s)
    return signer.person if signer is not None else None


@dataclass
class RecordRows:
    """What one record's content is built from, as read from the store (`record_data` assembles it).
    Read per record by `_record_rows`, or for a whole batch in a few queries by `prefetch_record_rows`:
    the same rows either way, so the same bytes."""

    enrol: Enrolment
    student: Student
    cls: SchoolClass
    year: SchoolYear
    subj: dict[str, tuple[str | None, int | None, str]]  # final period: code → (level, score, comment)
    qual: dict[str, str | None]  # final period: code → level
    summaries: dict[str, PeriodSummary]
    year_result: YearResult | None
    paper_book_ref: tuple[str, ...] | None  # the trích lục's row, when the year was entered from the paper book
    learning: list[LearningHistory]  # years at earlier schools, by seq
    enrolments: list[tuple[Enrolment, SchoolClass, SchoolYear]]  # the pupil's enrolments here, by year name


def _record_rows(s: Session, enrolment_id: int) -> RecordRows:
    row = s.execute(
        select(Enrolment, Student, SchoolClass, SchoolYear)
        .join(Student, Enrolment.student_id == Student.id)
        .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
        .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
        .where(Enrolment.id == enrolment_id)
    ).first()
    if row is None:
        raise NotFound(f"Không có học sinh (ghi danh #{enrolment_id})")
    enrol, st, cls, year = row
    # Plain column tuples, not ORM objects: these two queries run for every record of a batch.
    subj = {code: (level, score, comment) for code, level, score, comment in s.execute(
        select(SubjectEvaluation.subject_code, SubjectEvaluation.level, SubjectEvaluation.score, SubjectEvaluation.comment)
        .where(SubjectEvaluation.enrolment_id == enrolment_id, SubjectEvaluation.period == FINAL_PERIOD))}
    qual = {code: level for code, level in s.execute(
        select(QualityEvaluation.quality_code, QualityEvaluation.level)
        .where(QualityEvaluation.enrolment_id == enrolment_id, QualityEvaluation.period == FINAL_PERIOD))}
    summaries = {p.period: p for p in s.execute(select(PeriodSummary).where(PeriodSummary.enrolment_id == enrolment_id)).scalars()}
    yr = s.execute(select(YearResult).where(YearResult.enrolment_id == enrolment_id).order_by(YearResult.id)).scalars().first()
    paper = s.execute(select(Transcription.paper_book_ref).where(Transcription.enrolment_id == enrolment_id)).first()
    learning = list(s.execute(select(LearningHistory).where(LearningHistory.student_id == st.id)
                              .order_by(LearningHistory.seq)).scalars())
    enrolments = [(r[0], r[1], r[2]) for r in s.execute(
        select(Enrolment, SchoolClass, SchoolYear)
        .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
        .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
        .where(Enrolment.student_id == st.id).order_by(SchoolYear.name))]  # one enrolment a year (unique)
    return RecordRows(enrol, st, cls, year, subj, qual, summaries, yr, tuple(paper) if paper is not None else None,
                      learning, enrolments)


def prefetch_record_rows(s: Session, enrolment_ids: Sequence[int]) -> dict[int, RecordRows]:
    """The rows of every record of a batch (a class being signed) in nine queries, whatever its
    size, instead of nine per record. Enrolments that do not exist are left out."""
    ids = sorted(set(enrolment_ids))
    if not ids:
        return {}
    out: dict[int, RecordRows] = {}
    for enrol, st, cls, year in s.execute(
        select(Enrolment, Student, SchoolClass, SchoolYear)
        .join(Student, Enrolment.student_id == Student.id)
        .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
        .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
        .where(Enrolment.id.in_(ids))
    ):
        out[enrol.id] = RecordRows(enrol, st, cls, year, {}, {}, {}, None, None, [], [])
    for eid, code, level, score, comment in s.execute(
        select(SubjectEvaluation.enrolment_id, SubjectEvaluation.subject_code, SubjectEvaluation.level,
               SubjectEvaluation.score, SubjectEvaluation.comment)
        .where(SubjectEvaluation.enrolment_id.in_(ids), SubjectEvaluation.period == FINAL_PERIOD)):
        if eid in out:
            out[eid].subj[code] = (level, score, comment)
    for eid, code, level in s.execute(
        select(QualityEvaluation.enrolment_id, QualityEvaluation.quality_code, QualityEvaluation.level)
        .where(QualityEvaluation.enrolment_id.in_(ids), QualityEvaluation.period == FINAL_PERIOD)):
        if eid in out:
            out[eid].qual[code] = level
    for p in s.execute(select(PeriodSummary).where(PeriodSummary.enrolment_id.in_(ids))).scalars():
        if p.enrolment_id in out:
            out[p.enrolment_id].summaries[p.period] = p
    for yr in s.execute(select(YearResult).where(YearResult.enrolment_id.in_(ids)).order_by(YearResult.id)).scalars():
        if yr.enrolment_id in out and out[yr.enrolment_id].year_result is None:
            out[yr.enrolment_id].year_result = yr
    for eid, ref in s.execute(select(Transcription.enrolment_id, Transcription.paper_book_ref)
                              .where(Transcription.enrolment_id.in_(ids))):
        if eid in out and out[eid].paper_book_ref is None:
            out[eid].paper_book_ref = (ref,)
    by_student: dict[int, list[RecordRows]] = {}
    for r in out.values():
        by_student.setdefault(r.student.id, []).append(r)
    students = sorted(by_student)
    for h in s.execute(select(LearningHistory).where(LearningHistory.student_id.in_(students))
                       .order_by(LearningHistory.student_id, LearningHistory.seq)).scalars():
        for r in by_student[h.student_id]:
            r.learning.append(h)
    for e2, c2, y2 in s.execute(
        select(Enrolment, SchoolClass, SchoolYear)
        .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
        .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
        .where(Enrolment.student_id.in_(students)).order_by(SchoolYear.name)):
        for r in by_student[e2.student_id]:
            r.enrolments.append((e2, c2, y2))
    return out


def record_data(s: Session, enrolment_id: int, record: Record | None = None, *, rows: RecordRows | None = None,
                with_signatures: bool = True) -> RecordData:
    """The record's content as the store holds it now (and the version/status of `record`, if given).
    `rows`: read beforehand (prefetch_record_rows); `with_signatures=False` when the caller drops them
    (the content the signatures cover)."""
    cat = catalogue()
    r = rows if rows is not None else _record_rows(s, enrolment_id)
    enrol, st, cls, year = r.enrol, r.student, r.cls, r.year
    school = _cached(s, "school", lambda: _school_info(s))
    grade = cls.grade
    # the pupil's subjects: class optional ∪ the pupil's own; an exempt subject is printed M (no score)
    optional = parse_codes(cls.optional_subjects) | parse_codes(enrol.optional_subjects)
    exempt = parse_codes(enrol.exempt_subjects)
    subj = dict(r.subj)
    for code in exempt:
        subj[code] = (EXEMPT, None, subj[code][2] if code in subj else "")
    subjects = tuple(
        SubjectRow(x.code, x.name, x.print_name, *(subj[x.code][:2] if x.code in subj else (None, None)),
                   (subj[x.code][2] or "") if x.code in subj else "", x.is_tested(grade, FINAL_PERIOD))
        for x in cat.subjects_for(grade, optional)
    )
    qual = r.qual
    qualities = tuple(QualityRow(q.code, q.group, q.name, q.national, qual.get(q.code)) for q in cat.qualities_for(grade))

    summaries = r.summaries
    final = summaries.get(FINAL_PERIOD)
    yr = r.year_result
    result = yr.confirmed_result if yr else None
    comp = completion(grade, result, cat)
    # a trích lục (a year entered from the paper book) names no GVCN: that year's teacher signs nothing here
    paper = r.paper_book_ref
    homeroom = None if paper is not None else _cached(
        s, f"staff:{cls.homeroom_id}", lambda: _person(s, cls.homeroom_id, "Giáo viên chủ nhiệm"))

    # Years at earlier schools first (brought by a transfer package), then this school's enrolments.
    history = [HistoryRow(h.school_year, h.class_name, h.school_name, h.province, h.transfer_in_date)
               for h in r.learning if h.school_year <= year.name]
    # a record states the history up to its own year: the grade-2 record signed in 2027 must not change
    # (nor its signed content differ from a re-export) because the pupil was later enrolled in grade 3
    for e2, c2, y2 in r.enrolments:
        if y2.name > year.name:
            continue
        joined = e2.joined_on if e2.joined_on and e2.joined_on != y2.start_date else None
        history.append(HistoryRow(y2.name, c2.name, school.name, school.province, joined))

    signatures: tuple[SignatureInfo, ...] = ()
    if record is not None and with_signatures:
        signatures = tuple(
            SignatureInfo(sig.role, sig.signer_name, sig.cert_subject, sig.signed_at)
            for sig in s.execute(select(RecordSignature).where(RecordSignature.record_id == record.id).order_by(RecordSignature.seq)).scalars()
        )
    return RecordData(
        lookup_code=uuid.UUID(hex=st.lookup_code),
        school=school,
        school_year=year.name,
        grade=grade,
        class_name=cls.name,
        student=StudentInfo(
            personal_id=st.personal_id, full_name=st.full_name, birth_date=st.birth_date, sex=st.sex,
            ethnicity_code=st.ethnicity_code, ethnicity_name=ETHNIC_GROUPS.get(st.ethnicity_code, ""),
            nationality=st.nationality, moet_code=st.moet_code, birthplace=st.birthplace, hometown=st.hometown,
            address=st.address, father_name=st.father_name, mother_name=st.mother_name, guardian_name=st.guardian_name,
            not_assessed=st.not_assessed,
        ),
        subjects=subjects,
        qualities=qualities,
        group_comments={"PC": final.comment_pc, "NLC": final.comment_nlc, "NLD": final.comment_nld} if final else {},
        days_absent_excused=sum(p.days_excused or 0 for p in summaries.values()),
        days_absent_unexcused=sum(p.days_unexcused or 0 for p in summaries.values()),
        result=result,
        result_name=cat.result_name(result) if result else "",
        awards=tuple(x for x in (yr.awards.splitlines() if yr else []) if x.strip()),
        adhoc_awards=tuple(x for x in (yr.adhoc_awards.splitlines() if yr else []) if x.strip()),
        completed_grade=comp.completed_grade,
        completed_primary=comp.completed_primary,
        # after the supplementary evaluation the principal's decision is what the record states (Điều 11)
        completion_text=(comp.text if not yr or yr.promoted is None else
                         "Được lên lớp" if yr.promoted else "Chưa được lên lớp, ở lại lớp"),
        promoted=yr.promoted if yr else None,
        teacher_comment=final.teacher_comment if final else "",
        height_cm=yr.height_cm if yr else None,
        weight_kg=yr.weight_kg if yr else None,
        homeroom_teacher=homeroom,
        principal=_principal(s),
        history=tuple(history),
        version=record.version if record else 1,
        status=NATIONAL_STATUS.get(record.status, "1") if record else "1",
        valid_from=record.valid_from if record else None,
        place_of_issue=school.province,
        created_on=record.created_at.date() if record and record.created_at else None,
        signatures=signatures,
        transcribed=paper is not None,
        paper_book_ref=paper[0] if paper is not None else "",
    )


def _school_info(s: Session) -> SchoolInfo:
    sc = s.execute(select(School).order_by(School.id)).scalars().first()
    return SchoolInfo(sc.name, sc.moet_code, sc.province, sc.district, sc.commune, sc.address) if sc else SchoolInfo("")


def _person(s: Session, staff_id: int | None, position: str) -> Person | None:
    if staff_id is None:
        return None
    st = s.get(Staff, staff_id)
    return Person(st.full_name, st.personal_id, position) if st else None


@dataclass(frozen=True)
class StudentRef:
    enrolment_id: int
    personal_id: str
    full_name: str


def class_students(store: Store, class_name: str, year: str | None = None) -> list[StudentRef]:
    c = find_class(store, class_name, year)
    with store.read() as s:
        rows = s.execute(
            select(Enrolment.id, Student.personal_id, Student.full_name)
            .join(Student, Enrolment.student_id == Student.id)
            .where(Enrolment.class_id == c.id, Enrolment.status == "active")
        ).all()
    out = [StudentRef(*r) for r in rows]
    out.sort(key=lambda r: name_key(r.full_name))
    return out


def find_student(store: Store, personal_id: str, year: str | None = None) -> StudentRef:
    with store.read() as s:
        q = (select(Enrolment.id, Student.personal_id, Student.full_name, SchoolYear.name)
             .join(Student, Enrolment.student_id == Student.id)
             .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
             .where(Student.personal_id == personal_id.strip()))
        if year:
            q = q.where(SchoolYear.name == year)
        rows = s.execute(q.order_by(SchoolYear.name.desc())).all()
    if not rows:
        raise NotFound(f"Không có học sinh mã định danh {personal_id}" + (f" trong năm học {year}" if year else ""))
    return StudentRef(rows[0][0], rows[0][1], rows[0][2])


def latest_record(s: Session, enrolment_id: int) -> Record | None:
    return s.execute(select(Record).where(Record.enrolment_id == enrolment_id).order_by(Record.version.desc()).limit(1)).scalars().first()


def load_record_data(store: Store, enrolment_id: int) -> RecordData:
    """Current content, carrying the latest version's number, status and signatures."""
    with store.read() as s:
        rec = latest_record(s, enrolment_id)
        return record_data(s, enrolment_id, rec)


def iter_record_data(store: Store, refs: list[StudentRef]) -> Iterator[RecordData]:
    """One at a time, so a class of PDFs never holds every record in memory."""
    for r in refs:
        yield load_record_data(store, r.enrolment_id)


@dataclass(frozen=True)
class BuildFailure:
    personal_id: str
    full_name: str
    reason: str


def build_class_xml(store: Store, refs: list[StudentRef], out_dir: Path,
                    progress: Callable[[int, int, str], None] | None = None) -> tuple[list[Path], list[BuildFailure]]:
    """One validated `<mã tra cứu>.xml` per student (the issued bytes when the record is issued)."""
    from ..exchange.record_xml import write_record_xml

    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    failures: list[BuildFailure] = []
    for i, r in enumerate(refs):
        try:
            written.append(write_record_xml(load_record_data(store, r.enrolment_id), out_dir))
        except HocbasoError as e:
            failures.append(BuildFailure(r.personal_id, r.full_name, e.message))
        if progress:
            progress(i + 1, len(refs), r.full_name)
    return written, failures


def today() -> date:
    return date.today()
