"""TT27 end-of-year consolidation (Điều 9), completion (Điều 11) and award proposals (Điều 13).

The software proposes and explains; the GVCN confirms. Thresholds and the subject list come from the
catalogue, so only the reasoning lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalogue import EXEMPT, FINAL_PERIOD, Catalogue, ResultLevel, catalogue


@dataclass(frozen=True)
class SubjectFinal:
    level: str | None = None  # T/H/C or M (exempt)
    score: int | None = None  # end-of-year test score (last retake)


@dataclass(frozen=True)
class YearInputs:
    """A student's end-of-year (CN) ratings: the only data Điều 9 looks at."""

    grade: int
    subjects: dict[str, SubjectFinal]
    qualities: dict[str, str | None]
    optional_subjects: frozenset[str] = frozenset()
    not_assessed: bool = False  # assessed by an individual education plan: ratings optional, no computed result


@dataclass(frozen=True)
class Proposal:
    result: str | None  # HTXS/HTT/HT/CHT, None while data is missing
    explanation: str
    failures: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return self.result is not None


def _fmt_levels(levels: frozenset[str]) -> str:
    order = ["T", "H", "Đ", "C"]
    ls = [x for x in order if x in levels]
    return " hoặc ".join(ls)


def missing_items(inp: YearInputs, cat: Catalogue | None = None) -> list[str]:
    cat = cat or catalogue()
    if inp.not_assessed:
        return []
    out: list[str] = []
    for s in cat.subjects_for(inp.grade, inp.optional_subjects):
        f = inp.subjects.get(s.code) or SubjectFinal()
        if f.level is None:
            out.append(f"Thiếu mức đạt được môn {s.name}")
        elif f.level != EXEMPT and s.is_tested(inp.grade, FINAL_PERIOD) and f.score is None:
            out.append(f"Thiếu điểm KTĐK cuối năm môn {s.name}")
    for q in cat.qualities_for(inp.grade):
        if inp.qualities.get(q.code) is None:
            out.append(f"Thiếu mức {_quality_label(q.group)} {q.name}")
    return out


def _quality_label(group: str) -> str:
    return {"PC": "phẩm chất", "NLC": "năng lực", "NLD": "năng lực"}.get(group, "")


def level_failures(inp: YearInputs, level: ResultLevel, cat: Catalogue | None = None) -> list[str]:
    """Every condition of `level` that the student does not meet, worded for the teacher."""
    cat = cat or catalogue()
    out: list[str] = []
    for s in cat.subjects_for(inp.grade, inp.optional_subjects):
        f = inp.subjects.get(s.code) or SubjectFinal()
        if f.level is None or f.level == EXEMPT:
            continue
        if f.level not in level.subject_levels:
            out.append(f"{s.name}: {f.level} (cần {_fmt_levels(level.subject_levels)})")
        if s.is_tested(inp.grade, FINAL_PERIOD) and f.score is not None and f.score < level.min_final_score:
            out.append(f"{s.name} cuối năm {f.score} điểm < {level.min_final_score}")
    for q in cat.qualities_for(inp.grade):
        lv = inp.qualities.get(q.code)
        if lv is None:
            continue
        if lv not in level.quality_levels:
            label = _quality_label(q.group).capitalize()
            out.append(f"{label} {q.name}: {lv} (cần {_fmt_levels(level.quality_levels)})")
    return out


INDIVIDUAL_PLAN_TEXT = "Học sinh được đánh giá theo kế hoạch giáo dục cá nhân: GVCN nhập kết quả kèm lý do"


def propose_result(inp: YearInputs, cat: Catalogue | None = None) -> Proposal:
    """Điều 9 khoản 2: the highest level whose every condition holds, with the reason it is not higher.

    A pupil assessed by an individual education plan gets no proposal at all: the TT27 thresholds do
    not apply to a plan, and an empty record must never come out as HTXS. The GVCN enters the result
    with a reason (evaluation_edit), and signing waits for it (signing_plan)."""
    cat = cat or catalogue()
    if inp.not_assessed:
        return Proposal(None, INDIVIDUAL_PLAN_TEXT)
    missing = missing_items(inp, cat)
    if missing:
        return Proposal(None, "Chưa đủ dữ liệu cuối năm: " + "; ".join(missing), missing=tuple(missing))
    previous: ResultLevel | None = None
    previous_failures: list[str] = []
    for level in cat.result_levels:
        failures = level_failures(inp, level, cat)
        if not failures:
            if previous is None:
                text = f"Đạt mọi điều kiện {level.name} (Điều 9)"
            else:
                text = f"Không đạt {previous.code} vì: " + "; ".join(previous_failures)
            return Proposal(level.code, text, tuple(previous_failures))
        previous, previous_failures = level, failures
    assert previous is not None
    return Proposal(
        cat.fallback_result.code,
        f"Không đạt {previous.code} vì: " + "; ".join(previous_failures),
        tuple(previous_failures),
    )


@dataclass(frozen=True)
class Completion:
    completed_grade: bool
    completed_primary: bool
    needs_supplementary: bool
    text: str


def completion(grade: int, result: str | None, cat: Catalogue | None = None) -> Completion:
    """Điều 11: HTXS/HTT/HT complete the grade (and primary school in grade 5); CHT waits for đánh giá bổ sung."""
    cat = cat or catalogue()
    if result is None:
        return Completion(False, False, False, "")
    if result in cat.completing_results:
        primary = grade == cat.final_grade
        return Completion(True, primary, False, cat.primary_completion_text if primary else cat.grade_completion_text)
    return Completion(False, False, True, "Chưa hoàn thành chương trình lớp học, cần đánh giá bổ sung")


def proposed_awards(result: str | None, cat: Catalogue | None = None) -> tuple[list[str], list[str]]:
    """Điều 13: (awards due by result, awards the class may propose). The second list needs a human decision."""
    cat = cat or catalogue()
    if result is None:
        return [], []
    due = [cat.award_by_result[result]] if result in cat.award_by_result else []
    cand = [cat.award_candidate_by_result[result]] if result in cat.award_candidate_by_result else []
    return due, cand
