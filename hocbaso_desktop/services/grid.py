"""The class grid snapshot: one class, one period, every student's ratings (read side)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..domain.catalogue import FINAL_PERIOD, Quality, Subject, catalogue
from ..domain.results import Proposal, SubjectFinal, YearInputs, propose_result
from ..storage.engine import Store
from ..storage.models import (
    Enrolment,
    PeriodSummary,
    QualityEvaluation,
    SchoolClass,
    Student,
    SubjectEvaluation,
    YearResult,
)
from .directory import ClassInfo, _name_key, class_by_id


@dataclass(frozen=True)
class SubjectCell:
    level: str | None = None
    score: int | None = None
    comment: str = ""


@dataclass(frozen=True)
class QualityCell:
    level: str | None = None
    comment: str = ""


@dataclass(frozen=True)
class SummaryCell:
    days_excused: int | None = None
    days_unexcused: int | None = None
    comment_pc: str = ""
    comment_nlc: str = ""
    comment_nld: str = ""
    teacher_comment: str = ""


@dataclass(frozen=True)
class YearCell:
    confirmed_result: str | None = None
    change_reason: str = ""
    awards: str = ""
    adhoc_awards: str = ""
    pending_supplementary: bool = False
    promoted: bool | None = None


@dataclass(frozen=True)
class GridRow:
    enrolment_id: int
    student_id: int
    personal_id: str
    full_name: str
    not_assessed: bool
    subjects: dict[str, SubjectCell] = field(hash=False)
    qualities: dict[str, QualityCell] = field(hash=False)
    summary: SummaryCell = SummaryCell()
    year: YearCell = YearCell()
    proposal: Proposal | None = None  # from the CN ratings (Điều 9)


@dataclass(frozen=True)
class ClassGrid:
    info: ClassInfo
    period: str
    subjects: tuple[Subject, ...]
    qualities: tuple[Quality, ...]
    rows: tuple[GridRow, ...]

    def tested(self, subject_code: str) -> bool:
        return catalogue().subject(subject_code).is_tested(self.info.grade, self.period)


def year_inputs(grade: int, optional: frozenset[str], not_assessed: bool,
                subjects: dict[str, SubjectCell], qualities: dict[str, QualityCell]) -> YearInputs:
    return YearInputs(
        grade=grade,
        subjects={k: SubjectFinal(v.level, v.score) for k, v in subjects.items()},
        qualities={k: v.level for k, v in qualities.items()},
        optional_subjects=optional,
        not_assessed=not_assessed,
    )


def load_grid(store: Store, class_id: int, period: str, only: set[int] | None = None, info: ClassInfo | None = None) -> ClassGrid:
    """The whole class, or only some enrolments (after an edit, to refresh just those rows)."""
    info = info or class_by_id(store, class_id)
    cat = catalogue()
    subjects = tuple(cat.subjects_for(info.grade, info.optional_subjects))
    qualities = tuple(cat.qualities_for(info.grade))
    with store.read() as s:
        enrol = s.execute(
            select(Enrolment.id, Student.id, Student.personal_id, Student.full_name, Student.not_assessed)
            .join(Student, Enrolment.student_id == Student.id)
            .where(Enrolment.class_id == class_id, Enrolment.status == "active")
        ).all()
        if only is not None:
            enrol = [e for e in enrol if e[0] in only]
        ids = [e[0] for e in enrol]
        subj: dict[int, dict[str, SubjectCell]] = {i: {} for i in ids}
        qual: dict[int, dict[str, QualityCell]] = {i: {} for i in ids}
        final_subj: dict[int, dict[str, SubjectCell]] = {i: {} for i in ids}
        final_qual: dict[int, dict[str, QualityCell]] = {i: {} for i in ids}
        periods = {period, FINAL_PERIOD}
        for e_id, p, code, level, score, comment in s.execute(
            select(SubjectEvaluation.enrolment_id, SubjectEvaluation.period, SubjectEvaluation.subject_code,
                   SubjectEvaluation.level, SubjectEvaluation.score, SubjectEvaluation.comment)
            .join(Enrolment, SubjectEvaluation.enrolment_id == Enrolment.id)
            .where(Enrolment.class_id == class_id, SubjectEvaluation.period.in_(periods),
                   *([SubjectEvaluation.enrolment_id.in_(ids)] if only is not None else []))
        ):
            if e_id not in subj:
                continue
            cell = SubjectCell(level, score, comment or "")
            if p == period:
                subj[e_id][code] = cell
            if p == FINAL_PERIOD:
                final_subj[e_id][code] = cell
        for e_id, p, code, level, comment in s.execute(
            select(QualityEvaluation.enrolment_id, QualityEvaluation.period, QualityEvaluation.quality_code,
                   QualityEvaluation.level, QualityEvaluation.comment)
            .join(Enrolment, QualityEvaluation.enrolment_id == Enrolment.id)
            .where(Enrolment.class_id == class_id, QualityEvaluation.period.in_(periods),
                   *([QualityEvaluation.enrolment_id.in_(ids)] if only is not None else []))
        ):
            if e_id not in qual:
                continue
            cell = QualityCell(level, comment or "")
            if p == period:
                qual[e_id][code] = cell
            if p == FINAL_PERIOD:
                final_qual[e_id][code] = cell
        summaries: dict[int, SummaryCell] = {}
        for ps in s.execute(
            select(PeriodSummary).join(Enrolment, PeriodSummary.enrolment_id == Enrolment.id)
            .where(Enrolment.class_id == class_id, PeriodSummary.period == period)
        ).scalars():
            summaries[ps.enrolment_id] = SummaryCell(ps.days_excused, ps.days_unexcused, ps.comment_pc, ps.comment_nlc, ps.comment_nld, ps.teacher_comment)
        years: dict[int, YearCell] = {}
        for yr in s.execute(
            select(YearResult).join(Enrolment, YearResult.enrolment_id == Enrolment.id).where(Enrolment.class_id == class_id)
        ).scalars():
            years[yr.enrolment_id] = YearCell(yr.confirmed_result, yr.change_reason, yr.awards, yr.adhoc_awards, yr.pending_supplementary, yr.promoted)
    rows = []
    for e_id, st_id, pid, name, not_assessed in enrol:
        prop = propose_result(year_inputs(info.grade, info.optional_subjects, not_assessed, final_subj[e_id], final_qual[e_id]), cat)
        rows.append(GridRow(e_id, st_id, pid, name, not_assessed, subj[e_id], qual[e_id],
                            summaries.get(e_id, SummaryCell()), years.get(e_id, YearCell()), prop))
    rows.sort(key=lambda r: _name_key(r.full_name))
    return ClassGrid(info, period, subjects, qualities, tuple(rows))


@dataclass(frozen=True)
class ResultLine:
    personal_id: str
    full_name: str
    result: str | None  # the record's result: confirmed by the GVCN, else the proposal
    proposed: str | None
    explanation: str


def class_results(store: Store, class_id: int) -> list[ResultLine]:
    grid = load_grid(store, class_id, FINAL_PERIOD)
    out = []
    for r in grid.rows:
        assert r.proposal is not None
        prop = r.proposal
        result = r.year.confirmed_result or prop.result
        text = prop.explanation
        if r.year.confirmed_result and r.year.confirmed_result != prop.result:
            text += f" | GVCN xác nhận {r.year.confirmed_result} thay cho đề xuất {prop.result or '-'}: {r.year.change_reason}"
        out.append(ResultLine(r.personal_id, r.full_name, result, prop.result, text))
    return out


def class_row_count(store: Store, class_id: int) -> int:
    with store.read() as s:
        return len(s.execute(select(Enrolment.id).where(Enrolment.class_id == class_id)).all())


__all__ = ["ClassGrid", "GridRow", "QualityCell", "ResultLine", "SubjectCell", "SummaryCell", "YearCell",
           "class_results", "load_grid", "year_inputs", "SchoolClass"]
