"""Reporting deadlines per school year and province: defaults from the seeds, overridable in settings.

Two deadlines per class (seed 001, Hà Nội pilot plan §1.2): the main one for students confirmed to
have completed the grade (30/6), and the final one for students still waiting for a supplementary
assessment and for corrections (15/8). Local plans move them:
  seed 002 (Ninh Bình, 2025-2026): 25/6/2026 and 10/8/2026;
  seed 004 (Hải Phòng, An Hồng school rules): everything by 20/8/2026 at the latest;
  seed 000 (TP Hồ Chí Minh, 2024-2025): grade 5 linked up by 18/6/2025, grades 1-4 by 13/8/2025.
The public record confirms none of them nationally (tt27.md), hence configuration, not code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ..domain.text import fold

MAIN, FINAL = "main", "final"
KIND_TITLES = {MAIN: "học sinh hoàn thành chương trình lớp học", FINAL: "đánh giá bổ sung và sửa sai"}
WARN_DAYS = 14
ALL_GRADES = frozenset({1, 2, 3, 4, 5})


@dataclass(frozen=True)
class DeadlineRule:
    kind: str  # main | final
    month: int
    day: int
    province: str = ""  # "" = everywhere (fold()-compared: "TP. Hồ Chí Minh" == "tp hồ chí minh")
    school_year: str = ""  # "" = every year
    grades: frozenset[int] = ALL_GRADES
    source: str = ""

    def specificity(self) -> int:
        return (2 if self.province else 0) + (1 if self.school_year else 0)


DEFAULT_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule(MAIN, 6, 30, source="seed 001: trước ngày 30/6 hằng năm"),
    DeadlineRule(FINAL, 8, 15, source="seed 001: trước ngày 15/8 hằng năm"),
    DeadlineRule(MAIN, 6, 25, "Ninh Bình", "2025-2026", source="seed 002: trước ngày 25/6/2026"),
    DeadlineRule(FINAL, 8, 10, "Ninh Bình", "2025-2026", source="seed 002: trước ngày 10/8/2026"),
    DeadlineRule(FINAL, 8, 20, "Hải Phòng", "2025-2026", source="seed 004: chậm nhất ngày 20/8/2026"),
    DeadlineRule(MAIN, 6, 18, "Hồ Chí Minh", "2024-2025", frozenset({5}), source="seed 000: khối 5 trước 18/6/2025"),
    DeadlineRule(MAIN, 8, 13, "Hồ Chí Minh", "2024-2025", frozenset({1, 2, 3, 4}),
                 source="seed 000: khối 1-4 trước 13/8/2025"),
    DeadlineRule(FINAL, 8, 13, "Hồ Chí Minh", "2024-2025", source="seed 000: trước 13/8/2025"),
)


def _province_key(name: str) -> str:
    key = fold(name)
    for prefix in ("thanhpho", "tp", "tinh"):
        if key.startswith(prefix) and len(key) > len(prefix) + 2:
            key = key[len(prefix):]
            break
    return key


def end_year(school_year: str) -> int:
    """ "2025-2026" → 2026: the deadlines fall in the summer that ends the school year."""
    return int(school_year.split("-")[-1])


def resolve(rules: tuple[DeadlineRule, ...] | list[DeadlineRule], province: str, school_year: str, grade: int,
            kind: str) -> tuple[date, DeadlineRule] | None:
    pkey = _province_key(province)
    best: DeadlineRule | None = None
    for r in rules:
        if r.kind != kind or grade not in r.grades:
            continue
        if r.province and _province_key(r.province) != pkey:
            continue
        if r.school_year and r.school_year != school_year:
            continue
        if best is None or r.specificity() >= best.specificity():  # later rules win ties: overrides go last
            best = r
    if best is None:
        return None
    return date(end_year(school_year), best.month, best.day), best


def rules_from_json(value: str | None) -> list[DeadlineRule]:
    """Settings override: a JSON list of {"kind", "due": "DD/MM", "province"?, "school_year"?, "grades"?}."""
    if not value:
        return []
    out: list[DeadlineRule] = []
    for item in json.loads(value):
        day, month = (int(x) for x in str(item["due"]).split("/")[:2])
        date(2024, month, day)  # validates (a leap year allows 29/2)
        kind = item.get("kind", MAIN)
        if kind not in (MAIN, FINAL):
            raise ValueError(f"kind {kind!r}")
        grades = frozenset(int(g) for g in item.get("grades", sorted(ALL_GRADES)))
        out.append(DeadlineRule(kind, month, day, str(item.get("province", "")), str(item.get("school_year", "")),
                                grades, str(item.get("source", "cài đặt của trường"))))
    return out


def rules_to_json(rules: list[DeadlineRule]) -> str:
    return json.dumps([{"kind": r.kind, "due": f"{r.day:02d}/{r.month:02d}", "province": r.province,
                        "school_year": r.school_year, "grades": sorted(r.grades), "source": r.source} for r in rules],
                      ensure_ascii=False)


@dataclass(frozen=True)
class Warning:
    level: str  # "overdue" | "soon" | "ok"
    text: str


def warning_for(unsent: int, main: date | None, final: date | None, today: date, warn_days: int = WARN_DAYS) -> Warning:
    """What to tell the school about a class with `unsent` records not yet acknowledged."""
    if unsent == 0:
        return Warning("ok", "đã gửi đủ")
    missed = f"đã quá hạn chính {main:%d/%m/%Y}; " if main is not None and today > main else ""
    for due, title in ((main, "hạn chính"), (final, "hạn cuối")):
        if due is None or today > due:
            continue
        left = (due - today).days
        if left <= warn_days:
            return Warning("soon", f"{missed}còn {left} ngày đến {title} {due:%d/%m/%Y}: {unsent} học bạ chưa gửi")
        return Warning("soon" if missed else "ok", f"{missed}{unsent} học bạ chưa gửi; {title} {due:%d/%m/%Y}")
    last = final or main
    return Warning("overdue", f"đã quá hạn {last:%d/%m/%Y}: {unsent} học bạ chưa gửi" if last else f"{unsent} học bạ chưa gửi")
