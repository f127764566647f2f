"""The periods already evaluated this year, as a transfer package carries them (issue 17).

A pupil who moves mid-year brings GK1, CK1, GK2 — whatever the old school evaluated so far, never the
year-end CN, which the new school evaluates and records. They travel in data/hocba.json under
"evaluations", so the package's manifest and seal cover them: a byte changed after sealing breaks the
seal. The receiver still reads them as hostile input: every period, code and value goes through the
same rules as a cell typed in the grid, and one bad value refuses the whole package.

    {"school_year": "2025-2026", "grade": 2, "class_name": "2B", "school_name": "...",
     "periods": [{"period": "GK1",
                  "subjects": [{"code": "TV", "level": "T", "score": 9, "comment": "..."}],
                  "qualities": [{"code": "PC_YN", "level": "Đ", "comment": ""}],
                  "summary": {"days_excused": 1, "days_unexcused": 0, "comment_pc": "", ...} | null,
                  "school_name": ""}]}     (non-empty: the period came to the sender by an earlier transfer)

Qt-free and database-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..domain.catalogue import FINAL_PERIOD, PERIODS, catalogue
from ..domain.errors import InvalidValue
from ..domain.ratings import parse_days, parse_quality_level, parse_score, parse_subject_level

CARRIED = tuple(p for p in PERIODS if p != FINAL_PERIOD)  # the year-end period is evaluated where the year ends
SUMMARY_TEXT = ("comment_pc", "comment_nlc", "comment_nld", "teacher_comment")
SUMMARY_DAYS = {"days_excused": "Số ngày nghỉ có phép", "days_unexcused": "Số ngày nghỉ không phép"}
MAX_COMMENT = 2000
_YEAR = re.compile(r"\d{4}-\d{4}")


@dataclass(frozen=True)
class SubjectValue:
    code: str
    level: str | None
    score: int | None
    comment: str


@dataclass(frozen=True)
class QualityValue:
    code: str
    level: str | None
    comment: str


@dataclass(frozen=True)
class PeriodValues:
    period: str
    subjects: tuple[SubjectValue, ...]
    qualities: tuple[QualityValue, ...]
    summary: dict[str, Any] | None  # PeriodSummary columns, or None when the old school kept none
    # where the period was evaluated when not at the sending school (a pupil moving twice in a year)
    school_name: str = ""


@dataclass(frozen=True)
class CarriedYear:
    school_year: str
    grade: int
    class_name: str
    school_name: str
    periods: tuple[PeriodValues, ...]

    def to_json(self) -> dict[str, Any]:
        return {"school_year": self.school_year, "grade": self.grade, "class_name": self.class_name,
                "school_name": self.school_name,
                "periods": [{"period": p.period,
                             "subjects": [vars(v) for v in p.subjects],
                             "qualities": [vars(v) for v in p.qualities],
                             "summary": p.summary, "school_name": p.school_name} for p in self.periods]}


class BadCarried(ValueError):
    """`message`: which period, which field, which value, in Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _text(raw: object, where: str) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise BadCarried(f"{where}: nhận xét phải là chữ")
    if len(raw) > MAX_COMMENT:
        raise BadCarried(f"{where}: nhận xét dài quá {MAX_COMMENT} ký tự")
    return raw


def parse_carried(raw: object) -> CarriedYear | None:
    """The package's "evaluations", validated cell by cell (None when the package carries none)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("periods"), list):
        raise BadCarried("mục «evaluations» sai định dạng")
    year, grade = raw.get("school_year"), raw.get("grade")
    if not isinstance(year, str) or not _YEAR.fullmatch(year):
        raise BadCarried(f"năm học «{year}» của các kì đã đánh giá không hợp lệ")
    if not isinstance(grade, int) or isinstance(grade, bool) or not 1 <= grade <= 5:
        raise BadCarried(f"khối «{grade}» của các kì đã đánh giá không hợp lệ")
    cat = catalogue()
    subjects = {s.code: s for s in cat.subjects if grade in s.grades or grade in s.optional_grades}
    qualities = {q.code: q for q in cat.qualities_for(grade)}
    periods: list[PeriodValues] = []
    seen: set[str] = set()
    for p in raw["periods"]:
        if not isinstance(p, dict) or p.get("period") not in CARRIED or p["period"] in seen:
            got = p.get("period") if isinstance(p, dict) else p
            raise BadCarried(f"kì «{got}» không mang theo được (chỉ GK1, CK1, GK2, mỗi kì một lần)")
        period = p["period"]
        seen.add(period)
        try:
            subj_vals = []
            for v in p.get("subjects") or []:
                code = v.get("code") if isinstance(v, dict) else None
                if code not in subjects:
                    raise BadCarried(f"kì {period}: môn «{code}» không có ở khối {grade}")
                s = subjects[code]
                subj_vals.append(SubjectValue(code, parse_subject_level(v.get("level"), s.name),
                                              parse_score(v.get("score"), s.name, s.is_tested(grade, period), cat),
                                              _text(v.get("comment"), f"kì {period}, môn {s.name}")))
            qual_vals = []
            for v in p.get("qualities") or []:
                code = v.get("code") if isinstance(v, dict) else None
                if code not in qualities:
                    raise BadCarried(f"kì {period}: phẩm chất, năng lực «{code}» không có ở khối {grade}")
                q = qualities[code]
                qual_vals.append(QualityValue(code, parse_quality_level(v.get("level"), q.name),
                                              _text(v.get("comment"), f"kì {period}, {q.name}")))
            summary = p.get("summary")
            if summary is not None:
                if not isinstance(summary, dict):
                    raise BadCarried(f"kì {period}: mục chuyên cần, nhận xét sai định dạng")
                summary = {**{k: parse_days(summary.get(k), label) for k, label in SUMMARY_DAYS.items()},
                           **{k: _text(summary.get(k), f"kì {period}, nhận xét") for k in SUMMARY_TEXT}}
        except InvalidValue as e:
            raise BadCarried(f"kì {period}: {e.message}") from None
        if len({v.code for v in subj_vals}) != len(subj_vals) or len({v.code for v in qual_vals}) != len(qual_vals):
            raise BadCarried(f"kì {period}: một môn hoặc phẩm chất được ghi hai lần")
        origin = p.get("school_name") or ""
        if not isinstance(origin, str):
            raise BadCarried(f"kì {period}: tên trường đánh giá sai định dạng")
        periods.append(PeriodValues(period, tuple(subj_vals), tuple(qual_vals), summary, origin[:150]))
    periods.sort(key=lambda pv: CARRIED.index(pv.period))
    return CarriedYear(year, grade, str(raw.get("class_name") or "")[:10], str(raw.get("school_name") or "")[:150],
                       tuple(periods))
