"""The class summary table (Bảng tổng hợp kết quả đánh giá giáo dục của lớp) from the grid snapshot."""

from __future__ import annotations

from pathlib import Path

from ..domain.catalogue import FINAL_PERIOD, PERIODS
from ..domain.errors import InvalidValue
from ..domain.results import completion
from ..exchange.class_summary import SummaryStudent, SummaryTable, write_class_summary
from ..storage.engine import Store
from . import directory
from .board_signer import principal_name
from .grid import load_grid


def summary_table(store: Store, class_id: int, period: str) -> SummaryTable:
    if period not in PERIODS:
        raise InvalidValue("Kì đánh giá", period, "phải là GK1, CK1, GK2 hoặc CN")
    grid = load_grid(store, class_id, period)
    info = grid.info
    people = {s.enrolment_id: s for s in directory.students(store, info.name, info.year)}
    sc = directory.school(store)
    principal = principal_name(store)
    out = []
    for r in grid.rows:
        person = people.get(r.enrolment_id)
        result = None
        completed = False
        note = "Không đánh giá" if r.not_assessed else ""
        if period == FINAL_PERIOD:
            # The record's result: what the GVCN confirmed, else the TT27 proposal (as `hocbaso results`).
            result = r.year.confirmed_result or (r.proposal.result if r.proposal else None)
            comp = completion(info.grade, result)
            completed = comp.completed_grade
            if comp.needs_supplementary:
                note = "Cần đánh giá bổ sung"
        out.append(SummaryStudent(
            personal_id=r.personal_id,
            full_name=r.full_name,
            birth_date=person.birth_date if person else None,
            female=bool(person and person.sex == "Nữ"),
            subjects={code: (c.level, c.score) for code, c in r.subjects.items()},
            qualities={code: q.level for code, q in r.qualities.items()},
            result=result,
            awards=r.year.awards.replace("\n", "; ") if period == FINAL_PERIOD else "",
            adhoc_awards=r.year.adhoc_awards if period == FINAL_PERIOD else "",
            completed=completed,
            note=note,
        ))
    return SummaryTable(
        school=sc.name if sc else "", authority=_authority(sc), year=info.year, class_name=info.name,
        grade=info.grade, period=period, optional=grid.optional or info.optional_subjects, homeroom_name=info.homeroom_name,
        principal_name=principal, students=tuple(out),
    )


def _authority(sc: directory.SchoolSnapshot | None) -> str:
    """Who the school answers to: the district office, or the commune since districts were abolished (2025)."""
    if sc is None:
        return ""
    if sc.district:
        return f"PHÒNG GD&ĐT {sc.district}"
    return f"UBND {sc.commune}" if sc.commune else ""


def export_class_summary(store: Store, class_id: int, period: str, path: str | Path) -> Path:
    return write_class_summary(path, summary_table(store, class_id, period))


__all__ = ["export_class_summary", "summary_table"]
