"""Editing the class grid: one validated, rights-checked, audited transaction per accepted edit.

The GUI grid, paste, undo/redo and the Excel round trip all go through `apply_edits`, so a value
refused here is refused everywhere, with the same Vietnamese reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.catalogue import EXEMPT, FINAL_PERIOD, PERIODS, RESULT_LEVELS, catalogue
from ..domain.errors import HocbasoError, InvalidValue, PermissionDenied
from ..domain.pupil_subjects import parse_codes
from ..domain.ratings import parse_days, parse_quality_level, parse_score, parse_subject_level
from ..domain.roles import Actor
from ..domain.text import clean, hidden_char_problem, reveal
from ..storage.engine import Store, Tx
from ..storage.models import (
    Enrolment,
    PeriodSummary,
    QualityEvaluation,
    SubjectEvaluation,
    YearResult,
)
from .directory import class_by_id
from .edit_batch import EditBatch, EditContext
from .locks import refuse_locked
from .received_periods import refuse_edit

SUBJECT_KINDS = {"subject_level": "level", "subject_score": "score", "subject_comment": "comment"}
QUALITY_KINDS = {"quality_level": "level", "quality_comment": "comment"}
SUMMARY_KINDS = {
    "days_excused": "days_excused", "days_unexcused": "days_unexcused", "teacher_comment": "teacher_comment",
    "group_comment:PC": "comment_pc", "group_comment:NLC": "comment_nlc", "group_comment:NLD": "comment_nld",
}
YEAR_KINDS = {"confirmed": "confirmed_result", "awards": "awards", "adhoc_awards": "adhoc_awards"}
MAX_COMMENT = 2000  # national dictionary: VARCHAR(2000) for comments and awards


@dataclass(frozen=True)
class CellEdit:
    enrolment_id: int
    period: str
    # subject_level | subject_score | subject_comment | quality_level | quality_comment | group_comment | days_* | teacher_comment
    # | confirmed | awards | adhoc_awards
    kind: str
    code: str = ""  # subject / quality code, or group PC/NLC/NLD
    value: Any = None  # raw input: text as typed/pasted, number from Excel, None to clear
    reason: str = ""  # required when the GVCN's result differs from the proposal


@dataclass(frozen=True)
class EditOutcome:
    edit: CellEdit
    ok: bool
    old: Any = None
    new: Any = None
    message: str = ""  # Vietnamese reason when refused


def _check_rights(actor: Actor, ctx: EditContext, e: CellEdit) -> None:
    cid = ctx.class_id
    if e.kind.startswith("subject_"):
        if not actor.can_edit_subject(cid, e.code):
            name = catalogue().subject(e.code).name
            raise PermissionDenied(f"sửa môn {name} của lớp {ctx.class_name}", "GVBM dạy môn này ở lớp")
    elif not actor.can_edit_class_summary(cid):
        raise PermissionDenied(f"sửa phẩm chất, năng lực, chuyên cần, kết quả của lớp {ctx.class_name}", "GVCN của lớp")


def _record(tx: Tx, batch: EditBatch, own_batch: bool, action: str, entity: str, entity_id: str,
            changes: dict[str, Any]) -> None:
    if own_batch:
        batch.write()  # a caller's own savepoint (transcription) must hold the row before the entry
        tx.audit(action, entity, entity_id, changes)
    else:
        batch.events.append((action, entity, entity_id, changes))  # appended, chained, before the commit


def _apply_one(tx: Tx, actor: Actor, e: CellEdit, proposal_of: Any, batch: EditBatch | None = None) -> EditOutcome:
    """One cell: validated in full before anything is written, so a refused cell leaves no trace.

    `batch`: the rows and facts read once for a whole batch (apply_edits); its audit entries are then
    appended by the caller. Without it (transcription, inside its own savepoints) the cell reads what
    it needs and appends its audit entry at once."""
    own_batch = batch is None
    b = batch if batch is not None else EditBatch(tx.session)
    s = tx.session
    cat = catalogue()
    if e.period not in PERIODS:
        raise InvalidValue("Kì đánh giá", e.period, "phải là GK1, CK1, GK2 hoặc CN")
    ctx = b.context(e.enrolment_id, e.period, e.kind, e.code)
    _check_rights(actor, ctx, e)
    refuse_locked(ctx.year_name, ctx.year_locked, ctx.issued)
    if e.period in ctx.carried:
        refuse_edit(s, e.enrolment_id, e.period)  # a period evaluated at the old school stays as received
    grade = ctx.grade
    # the pupil's own subjects: the class's optional ones plus the pupil's (Enrolment.optional_subjects)
    optional = parse_codes(ctx.class_optional) | parse_codes(ctx.optional_subjects)
    exempt = parse_codes(ctx.exempt_subjects)
    audit_base = {"hs": ctx.personal_id, "ky": e.period}
    new: str | int | None  # a level or comment, or a score / number of days

    if e.kind in SUBJECT_KINDS:
        try:
            subj = cat.subject(e.code)
        except KeyError:
            raise InvalidValue("Môn học", e.code, "không có trong danh mục") from None
        if subj not in cat.subjects_for(grade, optional):
            if grade in subj.optional_grades:  # an optional subject others of the class take, not this pupil
                raise InvalidValue(subj.name, e.value, f"học sinh {ctx.full_name} không học môn tự chọn này")
            raise InvalidValue(subj.name, e.value, f"lớp {ctx.class_name} không học môn này")
        if subj.code in exempt and e.kind != "subject_comment":
            typed = "" if e.value is None else clean(str(e.value)).upper()
            harmless = (e.kind == "subject_level" and typed == EXEMPT) or (e.kind == "subject_score" and typed == "")
            if not harmless:  # M, or no score: what an exempt subject reads anyway
                raise InvalidValue(subj.name, e.value, "học sinh được miễn môn này (M) ở mọi kì: bỏ miễn trong "
                                                      "Hồ sơ học sinh trước khi nhập mức hoặc điểm")
        key = (e.enrolment_id, e.period, e.code)
        row = b.subjects.get(key)
        field = SUBJECT_KINDS[e.kind]
        old = None if row is None else getattr(row, field)
        if row is None and field == "comment":
            old = ""
        changes: dict[str, Any] = {}
        if field == "level":
            new = parse_subject_level(e.value, subj.name)
            if new == EXEMPT and row is not None and row.score is not None:
                changes["score"] = [row.score, None]  # an exempt subject carries no score
        elif field == "score":
            if row is not None and row.level == EXEMPT and e.value not in (None, ""):
                raise InvalidValue(f"Điểm {subj.name}", e.value, "học sinh được miễn môn này (M), không nhập điểm")
            new = parse_score(e.value, subj.name, subj.is_tested(grade, e.period), cat)
        else:
            new = _comment(e.value, f"Nhận xét {subj.name}")
        if old == new and not changes:
            return EditOutcome(e, True, old, new)
        if row is None:
            row = b.subjects[key] = SubjectEvaluation(enrolment_id=e.enrolment_id, period=e.period, subject_code=e.code,
                                                      level=None, score=None, comment="")
            b.new_row(row)
        if "score" in changes:
            row.score = None
        setattr(row, field, new)
        changes[field] = [old, new]
        _record(tx, b, own_batch, "evaluation.subject", "subject_evaluation", f"{e.enrolment_id}/{e.period}/{e.code}",
                {**audit_base, "mon": e.code, **changes})
        return EditOutcome(e, True, old, new)

    if e.kind in QUALITY_KINDS:
        try:
            q = cat.quality(e.code)
        except KeyError:
            raise InvalidValue("Phẩm chất/năng lực", e.code, "không có trong danh mục") from None
        if grade not in q.grades:
            raise InvalidValue(q.name, e.value, f"khối {grade} không đánh giá năng lực này")
        key = (e.enrolment_id, e.period, e.code)
        row_q = b.qualities.get(key)
        field = QUALITY_KINDS[e.kind]
        old = getattr(row_q, field) if row_q is not None else (None if field == "level" else "")
        new = parse_quality_level(e.value, q.name) if field == "level" else _comment(e.value, f"Nhận xét {q.name}")
        if old == new:
            return EditOutcome(e, True, old, new)
        if row_q is None:
            row_q = b.qualities[key] = QualityEvaluation(enrolment_id=e.enrolment_id, period=e.period, quality_code=e.code,
                                                         level=None, comment="")
            b.new_row(row_q)
        setattr(row_q, field, new)
        _record(tx, b, own_batch, "evaluation.quality", "quality_evaluation", f"{e.enrolment_id}/{e.period}/{e.code}",
                {**audit_base, "pcnl": e.code, field: [old, new]})
        return EditOutcome(e, True, old, new)

    summary_key = f"{e.kind}:{e.code}" if e.kind == "group_comment" else e.kind
    if summary_key in SUMMARY_KINDS:
        field = SUMMARY_KINDS[summary_key]
        row_p = b.summaries.get((e.enrolment_id, e.period))
        old = getattr(row_p, field) if row_p is not None else (None if field.startswith("days_") else "")
        if field.startswith("days_"):
            new = parse_days(e.value, "Số ngày nghỉ có phép" if field == "days_excused" else "Số ngày nghỉ không phép")
        else:
            new = _comment(e.value, "Nhận xét")
        if old == new:
            return EditOutcome(e, True, old, new)
        if row_p is None:
            row_p = b.summaries[(e.enrolment_id, e.period)] = PeriodSummary(
                enrolment_id=e.enrolment_id, period=e.period, comment_pc="", comment_nlc="", comment_nld="", teacher_comment="")
            b.new_row(row_p)
        setattr(row_p, field, new)
        _record(tx, b, own_batch, "evaluation.summary", "period_summary", f"{e.enrolment_id}/{e.period}",
                {**audit_base, field: [old, new]})
        return EditOutcome(e, True, old, new)

    if e.kind in YEAR_KINDS:
        if e.period != FINAL_PERIOD:
            raise InvalidValue("Kết quả cuối năm", e.value, "chỉ nhập ở kì Cuối năm học (CN)")
        field = YEAR_KINDS[e.kind]
        row_y = b.years.get(e.enrolment_id)
        old = getattr(row_y, field) if row_y is not None else (None if field == "confirmed_result" else "")
        extra: dict[str, Any] = {}
        if field == "confirmed_result":
            v = clean(e.value).upper() if e.value not in (None, "") else None
            if v is not None and v not in RESULT_LEVELS:
                raise InvalidValue("Kết quả giáo dục", e.value, "phải là HTXS, HTT, HT hoặc CHT")
            proposed = proposal_of(e.enrolment_id)
            reason = clean(e.reason)
            if v is not None and v != proposed and not reason:
                if ctx.not_assessed:
                    raise InvalidValue("Kết quả giáo dục", v, "học sinh được đánh giá theo kế hoạch giáo dục cá nhân: "
                                                             "cần ghi lý do (kết quả không tính từ các mức đánh giá)")
                raise InvalidValue("Kết quả giáo dục", v, f"khác đề xuất theo TT27 ({proposed or 'chưa đủ dữ liệu'}): cần ghi lý do")
            new = v
            change_reason = reason if (v is not None and v != proposed) else ""
            extra = {"de_xuat": proposed, "ly_do": change_reason}
            if old == new:
                # The same result typed again is a decision too: on a stale row (confirmed when the levels
                # said so, levels changed since) it is what lets signing through, so it is stored and audited.
                extra["xac_nhan_lai"] = True
            row_y = _year_row(b, e.enrolment_id)
            row_y.change_reason = change_reason
            row_y.confirmed_by = None if actor.is_system else _staff_id(s, actor.code)
            row_y.confirmed_at = datetime.now()
            row_y.pending_supplementary = v == "CHT"
        else:
            new = _comment(e.value, "Khen thưởng")
            if old == new:
                return EditOutcome(e, True, old, new)
            row_y = _year_row(b, e.enrolment_id)
        setattr(row_y, field, new)
        _record(tx, b, own_batch, "evaluation.year", "year_result", str(e.enrolment_id), {**audit_base, field: [old, new], **extra})
        return EditOutcome(e, True, old, new)

    raise InvalidValue("Ô", e.kind, "không sửa được")


def _year_row(b: EditBatch, enrolment_id: int) -> YearResult:
    row = b.years.get(enrolment_id)
    if row is None:
        row = b.years[enrolment_id] = YearResult(enrolment_id=enrolment_id, awards="", adhoc_awards="", change_reason="",
                                                 pending_supplementary=False)
        b.session.add(row)
    return row


def _staff_id(s: Session, code: str) -> int | None:
    from ..storage.models import Staff

    return s.execute(select(Staff.id).where(Staff.code == code)).scalar()


def _comment(raw: Any, label: str) -> str:
    text = "" if raw is None else clean(str(raw))
    if len(text) > MAX_COMMENT:
        raise InvalidValue(label, text[:30] + "…", f"tối đa {MAX_COMMENT} kí tự")
    why = hidden_char_problem(text, digits=False)  # a comment may quote any digit; never hide or reorder text
    if why:
        raise InvalidValue(label, reveal(text)[:60], why)
    return text


def _proposal_lookup(store: Store, class_ids: dict[int, int]):  # noqa: ANN202
    """The TT27 proposal of an enrolment, read through the batch's own session (`tx.session`): the
    ratings a batch has just written count, so an Excel workbook that fills the year and confirms
    the result in one import is judged on what it brings, not on the empty grid before it."""
    from .grid import load_grid

    infos = {cid: class_by_id(store, cid) for cid in set(class_ids.values())}

    def proposal_of(session: Session, enrolment_id: int) -> str | None:
        class_id = class_ids.get(enrolment_id)
        if class_id is None:
            return None
        session.flush()
        g = load_grid(store, class_id, FINAL_PERIOD, only={enrolment_id}, info=infos[class_id], session=session)
        return g.rows[0].proposal.result if g.rows and g.rows[0].proposal else None

    return proposal_of


class _RollBack(Exception):
    """Raised inside the transaction to undo the whole batch; never escapes apply_edits."""


def apply_edits(store: Store, actor: Actor, edits: list[CellEdit], *,
                all_or_nothing: bool = False, dry_run: bool = False) -> list[EditOutcome]:
    """Apply a batch (one keystroke, or a pasted block) as ONE transaction of the valid cells.

    Each cell is validated on its own: invalid ones are refused with their reason and the others kept,
    which is what a teacher pasting from Excel expects.

    all_or_nothing: if any cell is refused, the whole batch is rolled back (an Excel import must not
    half-apply a teacher's file). dry_run: validate every cell exactly as a real run would, then roll
    back whatever happened; the outcomes still carry old → new. In both cases every outcome is
    returned, and a rolled-back batch leaves no audit entry.
    """
    confirmations = [e.enrolment_id for e in edits if e.kind == "confirmed"]
    lookup = None
    if confirmations:
        with store.read() as s:
            class_ids = dict(s.execute(select(Enrolment.id, Enrolment.class_id)
                                       .where(Enrolment.id.in_(set(confirmations)))).all())
        lookup = _proposal_lookup(store, class_ids)
    # Ratings first, confirmations last: a result is checked against the proposal that the batch's
    # own ratings make (outcomes still come back in the order of `edits`).
    order = sorted(range(len(edits)), key=lambda i: edits[i].kind == "confirmed")
    by_index: dict[int, EditOutcome] = {}
    try:
        with store.transaction(actor.code) as tx:
            proposals: dict[int, str | None] = {}
            batch = EditBatch(tx.session)

            def proposal_of(enrolment_id: int) -> str | None:
                if enrolment_id not in proposals:
                    batch.write()  # the ratings this batch brings count
                    proposals[enrolment_id] = lookup(tx.session, enrolment_id) if lookup else None
                return proposals[enrolment_id]

            batch.load((e.enrolment_id, e.period, e.kind, e.code) for e in edits)
            for i in order:
                e = edits[i]
                try:
                    # no SAVEPOINT per cell: _apply_one validates everything before it writes anything
                    by_index[i] = _apply_one(tx, actor, e, proposal_of, batch)
                except HocbasoError as err:
                    by_index[i] = EditOutcome(e, False, message=err.message)
            outcomes = [by_index[i] for i in range(len(edits))]
            batch.write()  # the rows first: a trigger refusing one aborts the batch (a dry run too) before its entries
            if dry_run or (all_or_nothing and not all(o.ok for o in outcomes)):
                raise _RollBack  # store.transaction rolls back and skips anchoring the audit head
            tx.audit_many(batch.events)
    except _RollBack:
        pass
    return [by_index[i] for i in range(len(edits))]


def apply_edit(store: Store, actor: Actor, edit: CellEdit) -> EditOutcome:
    return apply_edits(store, actor, [edit])[0]
