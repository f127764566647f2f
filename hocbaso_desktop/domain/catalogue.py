"""The TT27 catalogue (subjects per grade, tested periods, qualities, result thresholds) loaded from data.

A change of regulation is a new JSON file under domain/data/, not a code change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

PERIODS: tuple[str, ...] = ("GK1", "CK1", "GK2", "CN")
FINAL_PERIOD = "CN"
SUBJECT_LEVELS: tuple[str, ...] = ("T", "H", "C")
EXEMPT = "M"
QUALITY_LEVELS: tuple[str, ...] = ("T", "Đ", "C")
RESULT_LEVELS: tuple[str, ...] = ("HTXS", "HTT", "HT", "CHT")
GRADES: tuple[int, ...] = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class Subject:
    code: str
    name: str
    print_name: str
    grades: frozenset[int]
    optional_grades: frozenset[int]
    tested: dict[int, frozenset[str]] = field(hash=False, compare=False)

    def offered_in(self, grade: int) -> bool:
        return grade in self.grades or grade in self.optional_grades

    def is_tested(self, grade: int, period: str) -> bool:
        return period in self.tested.get(grade, frozenset())


@dataclass(frozen=True)
class Quality:
    """A phẩm chất (group PC) or a năng lực chung (NLC) / đặc thù (NLD)."""

    code: str
    group: str
    name: str
    national: str
    grades: frozenset[int]


@dataclass(frozen=True)
class ResultLevel:
    code: str
    name: str
    subject_levels: frozenset[str]
    quality_levels: frozenset[str]
    min_final_score: int


@dataclass(frozen=True)
class Catalogue:
    regulation: str
    periods: dict[str, str]
    subjects: tuple[Subject, ...]
    qualities: tuple[Quality, ...]
    quality_groups: dict[str, str]
    quality_group_comment_fields: dict[str, str]
    result_levels: tuple[ResultLevel, ...]
    fallback_result: ResultLevel
    score_min: int
    score_max: int
    award_by_result: dict[str, str]
    award_candidate_by_result: dict[str, str]
    completing_results: frozenset[str]
    grade_completion_text: str
    primary_completion_text: str
    final_grade: int
    subject_level_names: dict[str, str]
    quality_level_names: dict[str, str]

    def subject(self, code: str) -> Subject:
        for s in self.subjects:
            if s.code == code:
                return s
        raise KeyError(code)

    def quality(self, code: str) -> Quality:
        for q in self.qualities:
            if q.code == code:
                return q
        raise KeyError(code)

    def subjects_for(self, grade: int, optional: frozenset[str] | set[str] = frozenset()) -> list[Subject]:
        """Compulsory subjects of the grade plus the optional ones the class takes, in học bạ order."""
        return [s for s in self.subjects if grade in s.grades or (grade in s.optional_grades and s.code in optional)]

    def qualities_for(self, grade: int) -> list[Quality]:
        return [q for q in self.qualities if grade in q.grades]

    def result_name(self, code: str) -> str:
        for lvl in (*self.result_levels, self.fallback_result):
            if lvl.code == code:
                return lvl.name
        raise KeyError(code)


def _load(data: dict[str, Any]) -> Catalogue:
    subjects = tuple(
        Subject(
            code=s["code"],
            name=s["name"],
            print_name=s.get("print", s["name"]),
            grades=frozenset(s.get("grades", [])),
            optional_grades=frozenset(s.get("optional_grades", [])),
            tested={int(g): frozenset(p) for g, p in s.get("tested", {}).items()},
        )
        for s in data["subjects"]
    )
    qualities = tuple(
        Quality(q["code"], q["group"], q["name"], q["national"], frozenset(q["grades"])) for q in data["qualities"]
    )
    res = data["results"]
    levels = tuple(
        ResultLevel(r["code"], r["name"], frozenset(r["subject_levels"]), frozenset(r["quality_levels"]), r["min_final_score"])
        for r in res["levels"]
    )
    fb = res["fallback"]
    comp = data["completion"]
    return Catalogue(
        regulation=data["regulation"],
        periods={p["code"]: p["name"] for p in data["periods"]},
        subjects=subjects,
        qualities=qualities,
        quality_groups={g["code"]: g["name"] for g in data["quality_groups"]},
        quality_group_comment_fields={g["code"]: g["national_comment"] for g in data["quality_groups"]},
        result_levels=levels,
        fallback_result=ResultLevel(fb["code"], fb["name"], frozenset(), frozenset(), 0),
        score_min=data["score_range"][0],
        score_max=data["score_range"][1],
        award_by_result=dict(data["awards"]["by_result"]),
        award_candidate_by_result=dict(data["awards"]["candidate_by_result"]),
        completing_results=frozenset(comp["completing_results"]),
        grade_completion_text=comp["grade_text"],
        primary_completion_text=comp["primary_text"],
        final_grade=comp["final_grade"],
        subject_level_names=dict(data["subject_levels"]),
        quality_level_names=dict(data["quality_levels"]),
    )


@lru_cache(maxsize=None)
def catalogue(name: str = "tt27-2020") -> Catalogue:
    text = resources.files("hocbaso_desktop.domain").joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return _load(json.loads(text))


def load_catalogue_from_dict(data: dict[str, Any]) -> Catalogue:
    """For tests and for a school that ships an amended regulation file."""
    return _load(data)
