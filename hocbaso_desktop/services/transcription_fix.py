"""Correcting a trích lục before anyone signs it: the office mistyped a cell copied from the paper book.

Nobody holds grid rights on a paper class, and the transcription row is immutable, so the only way
to fix a cell is to transcribe the year again from the corrected workbook (`transcribe(…, replace=
True)`). These helpers decide whether that is still allowed and what it changed: the cells the new
workbook leaves empty are cleared (the year then reads exactly as the workbook), and the audit names
each changed cell old → new. Once a signature exists the content is what someone vouched for:
from then on only the correction procedure (Đính chính) may change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.catalogue import FINAL_PERIOD
from ..exchange.grid_workbook import ParsedWorkbook
from ..storage.models import (
    Enrolment,
    PeriodSummary,
    QualityEvaluation,
    Record,
    RecordSignature,
    SchoolClass,
    SubjectEvaluation,
    YearResult,
)
from ..storage.transcription_models import Transcription

ROLE_NAMES = {"principal": "Hiệu trưởng", "seal": "con dấu nhà trường", "gvcn": "GVCN", "gvbm": "GVBM"}
# layout key → (table, column) of the year-end values a trích lục holds
_SUBJECT = {"subject_level": "level", "subject_score": "score", "subject_comment": "comment"}
_QUALITY = {"quality_level": "level", "quality_comment": "comment"}
_SUMMARY = {"days_excused": "days_excused", "days_unexcused": "days_unexcused", "teacher_comment": "teacher_comment",
            "group_comment:PC": "comment_pc", "group_comment:NLC": "comment_nlc", "group_comment:NLD": "comment_nld"}
_YEAR = {"confirmed": "confirmed_result", "reason": "change_reason", "awards": "awards", "adhoc_awards": "adhoc_awards"}
NOT_CELLS = ("stt", "pid", "name", "proposal")


@dataclass(frozen=True)
class Existing:
    """The pupil's trích lục of the year, as the database holds it."""

    enrolment_id: int
    transcription_id: int
    class_id: int
    class_name: str
    grade: int
    paper_book_ref: str


def existing_transcription(s: Session, student_id: int, year_id: int) -> Existing | None:
    row = s.execute(
        select(Enrolment.id, Transcription.id, SchoolClass.id, SchoolClass.name, SchoolClass.grade,
               Transcription.paper_book_ref)
        .join(Transcription, Transcription.enrolment_id == Enrolment.id)
        .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
        .where(Enrolment.student_id == student_id, Enrolment.year_id == year_id)).first()
    return Existing(*row) if row else None


def signed_by(s: Session, enrolment_id: int) -> list[str]:
    """Who has signed any version of the enrolment's record (empty: nobody yet, it may be replaced)."""
    roles = list(s.execute(select(RecordSignature.role).join(Record, Record.id == RecordSignature.record_id)
                           .where(Record.enrolment_id == enrolment_id).order_by(Record.version, RecordSignature.seq))
                 .scalars())
    # a record past draft without signature rows would be a tampered database: treat it as signed
    beyond_draft = s.execute(select(Record.status).where(Record.enrolment_id == enrolment_id,
                                                         Record.status != "draft")).scalars().first()
    if not roles and beyond_draft:
        roles = [beyond_draft]
    return [ROLE_NAMES.get(r, r) for r in dict.fromkeys(roles)]


def replacement_problems(old: Existing, signers: list[str], grade: int, ref: str, class_name: str | None,
                         year: str) -> list[str]:
    out: list[str] = []
    if signers:
        out.append(f"bản trích lục năm học {year} đã có chữ ký ({', '.join(signers)}): không thay được nữa — "
                   "sửa theo quy trình đính chính (menu Đính chính, lệnh «hocbaso correction request»)")
    if grade != old.grade:
        out.append(f"trích lục năm học {year} đã nhập là khối {old.grade} (lớp {old.class_name}), không phải khối {grade}")
    if ref and ref != old.paper_book_ref:
        out.append(f"số/ký hiệu sổ học bạ giấy đã ghi là «{old.paper_book_ref or 'không ghi số'}»: ghi một lần, không "
                   f"đổi thành «{ref}» khi thay bản trích lục")
    if class_name and class_name != old.class_name.upper():
        out.append(f"lớp năm học {year} đã ghi là {old.class_name}: không đổi thành {class_name} khi thay bản trích lục")
    return out


def headers(parsed: ParsedWorkbook) -> dict[str, str]:
    """Layout key → column header, for every cell of the year-end workbook."""
    return {c.key: c.header for lay in parsed.layouts for c in lay.columns if c.kind not in NOT_CELLS}


def cell_values(s: Session, enrolment_id: int, keys: list[str]) -> dict[str, Any]:
    """The stored year-end value behind each layout key (None or "" when empty)."""
    subj = {r.subject_code: r for r in s.execute(select(SubjectEvaluation).where(
        SubjectEvaluation.enrolment_id == enrolment_id, SubjectEvaluation.period == FINAL_PERIOD)).scalars()}
    qual = {r.quality_code: r for r in s.execute(select(QualityEvaluation).where(
        QualityEvaluation.enrolment_id == enrolment_id, QualityEvaluation.period == FINAL_PERIOD)).scalars()}
    summary = s.execute(select(PeriodSummary).where(PeriodSummary.enrolment_id == enrolment_id,
                                                    PeriodSummary.period == FINAL_PERIOD)).scalars().first()
    year = s.execute(select(YearResult).where(YearResult.enrolment_id == enrolment_id)).scalars().first()
    out: dict[str, Any] = {}
    for key in keys:
        kind, _, code = key.partition(":")
        if kind in _SUBJECT:
            row = subj.get(code)
            out[key] = getattr(row, _SUBJECT[kind]) if row is not None else None
        elif kind in _QUALITY:
            row_q = qual.get(code)
            out[key] = getattr(row_q, _QUALITY[kind]) if row_q is not None else None
        elif (key if kind == "group_comment" else kind) in _SUMMARY:
            field = _SUMMARY[key if kind == "group_comment" else kind]
            out[key] = getattr(summary, field) if summary is not None else None
        elif kind in _YEAR:
            out[key] = getattr(year, _YEAR[kind]) if year is not None else None
    return out


def empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_clear(before: dict[str, Any], written: set[str]) -> list[str]:
    """Keys filled before that the corrected workbook leaves empty (the reason goes with the result)."""
    return [k for k, v in before.items() if not empty(v) and k not in written and not k.startswith("reason:")]


def changed_cells(before: dict[str, Any], after: dict[str, Any], names: dict[str, str]) -> dict[str, list[Any]]:
    """Header → [old, new] of every cell whose stored value changed (empty reads as None)."""
    norm = lambda v: None if empty(v) else v  # noqa: E731
    return {names.get(k, k): [norm(before.get(k)), norm(after.get(k))]
            for k in after if norm(before.get(k)) != norm(after.get(k))}


__all__ = ["Existing", "cell_values", "changed_cells", "existing_transcription", "headers", "replacement_problems",
           "signed_by", "to_clear"]
