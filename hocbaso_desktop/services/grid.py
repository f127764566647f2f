"""The class grid snapshot: one class, one period, every student's ratings (read side)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.catalogue import EXEMPT, FINAL_PERIOD, Quality, Subject, catalogue
from ..domain.pupil_subjects import parse_codes
from ..domain.results import Proposal, SubjectFinal, YearInputs, propose_result
from ..domain.vn_collation import name_key
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
from .directory import ClassInfo, class_by_id
from .received_periods import carried_periods, origin_text


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
    # The pupil's own subjects (grade + class optional + pupil optional) and exemptions (rated M).
    # An empty `taken` means "every column of the grid" (a row built by hand in a test).
    taken: frozenset[str] = frozenset()
    exempt: frozenset[str] = frozenset()
    # this period was evaluated at the old school (mid-year transfer): the mark to show, "" otherwise;
    # every cell of the row is then read-only (services/received_periods.refuse_edit)
    carried_from: str = ""
    # class optional ∪ the pupil's optional subjects: what the TT27 proposal is computed over
    optional: frozenset[str] = frozenset()

    def takes(self, subject_code: str) -> bool:
        """Does the pupil take this subject? A cell of a subject they do not take is not applicable."""
        return not self.taken or subject_code in self.taken

    def is_exempt(self, subject_code: str) -> bool:
        return subject_code in self.exempt


@dataclass(frozen=True)
class ClassGrid:
    info: ClassInfo
    period: str
    subjects: tuple[Subject, ...]
    qualities: tuple[Quality, ...]
    rows: tuple[GridRow, ...]
    # class optional ∪ every pupil's optional: the grid's columns (and the workbook's) are the union
    optional: frozenset[str] = frozenset()

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


def load_grid(store: Store, class_id: int, period: str, only: set[int] | None = None, info: ClassInfo | None = None,
              *, session: Session | None = None) -> ClassGrid:
    """The whole class, or only some enrolments (after an edit, to refresh just those rows).

    `session`: read inside a caller's open transaction (with `info` given), so a batch that changes
    ratings and confirms the result in one go sees its own ratings."""
    info = info or class_by_id(store, class_id)
    cat = catalogue()
    qualities = tuple(cat.qualities_for(info.grade))
    with (nullcontext(session) if session is not None else store.read()) as s:
        enrol_all = s.execute(
            select(Enrolment.id, Student.id, Student.personal_id, Student.full_name, Student.not_assessed,
                   Enrolment.optional_subjects, Enrolment.exempt_subjects)
            .join(Student, Enrolment.student_id == Student.id)
            .where(Enrolment.class_id == class_id, Enrolment.status == "active")
        ).all()
        # Columns: the union over the whole class, also when only some rows are refreshed.
        union = frozenset(info.optional_subjects).union(*(parse_codes(e[5]) for e in enrol_all))
        subjects = tuple(cat.subjects_for(info.grade, union))
        own: dict[int, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}  # optional, taken, exempt
        for e in enrol_all:
            opt = frozenset(info.optional_subjects) | parse_codes(e[5])
            taken = frozenset(x.code for x in cat.subjects_for(info.grade, opt))
            own[e[0]] = (opt, taken, parse_codes(e[6]) & taken)
        enrol = [e[:5] for e in enrol_all if only is None or e[0] in only]
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
            q_cell = QualityCell(level, comment or "")
            if p == period:
                qual[e_id][code] = q_cell
            if p == FINAL_PERIOD:
                final_qual[e_id][code] = q_cell
        summaries: dict[int, SummaryCell] = {}
        # columns, not ORM rows: a snapshot needs the values only (and building 45 ORM objects per table
        # was a third of opening a grid)
        for ps in s.execute(
            select(PeriodSummary.enrolment_id, PeriodSummary.days_excused, PeriodSummary.days_unexcused, PeriodSummary.comment_pc,
                   PeriodSummary.comment_nlc, PeriodSummary.comment_nld, PeriodSummary.teacher_comment)
            .join(Enrolment, PeriodSummary.enrolment_id == Enrolment.id)
            .where(Enrolment.class_id == class_id, PeriodSummary.period == period)
        ):
            summaries[ps[0]] = SummaryCell(ps[1], ps[2], ps[3], ps[4], ps[5], ps[6])
        years: dict[int, YearCell] = {}
        for yr in s.execute(
            select(YearResult.enrolment_id, YearResult.confirmed_result, YearResult.change_reason, YearResult.awards,
                   YearResult.adhoc_awards, YearResult.pending_supplementary, YearResult.promoted)
            .join(Enrolment, YearResult.enrolment_id == Enrolment.id).where(Enrolment.class_id == class_id)
        ):
            years[yr[0]] = YearCell(yr[1], yr[2], yr[3], yr[4], yr[5], yr[6])
        carried = {e: origin_text(r.school_name, r.class_name) for (e, _p), r in carried_periods(s, ids, period).items()}
    rows = []
    for e_id, st_id, pid, name, not_assessed in enrol:
        opt, taken, exempt = own[e_id]
        cells = _pupil_cells(subj[e_id], taken, exempt)
        final_cells = _pupil_cells(final_subj[e_id], taken, exempt)
        prop = propose_result(year_inputs(info.grade, opt, not_assessed, final_cells, final_qual[e_id]), cat)
        rows.append(GridRow(e_id, st_id, pid, name, not_assessed, cells, qual[e_id],
                            summaries.get(e_id, SummaryCell()), years.get(e_id, YearCell()), prop, taken, exempt,
                            carried.get(e_id, ""), opt))
    rows.sort(key=lambda r: name_key(r.full_name))
    return ClassGrid(info, period, subjects, qualities, tuple(rows), union)


def _pupil_cells(cells: dict[str, SubjectCell], taken: frozenset[str], exempt: frozenset[str]) -> dict[str, SubjectCell]:
    """Only the pupil's subjects; an exempt subject reads M with no score in every period, whatever an
    older row says (an exemption set after ratings were entered wins while it holds)."""
    out = {k: v for k, v in cells.items() if k in taken}
    for code in exempt:
        out[code] = SubjectCell(EXEMPT, None, out[code].comment if code in out else "")
    return out


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
