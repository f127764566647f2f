"""The statistics report's numbers (Thống kê chất lượng giáo dục, issue 10) as plain data.

services/reports.py counts them from the tables; exchange/report_xlsx.py and exchange/report_pdf.py
draw them. They live here, below both, so the renderers never import the service that fills them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalogue import EXEMPT, FINAL_PERIOD

NOT_SET = "-"  # the column for students without a level yet


@dataclass
class Count:
    """How many students, of which girls, of which ethnic minority."""

    total: int = 0
    female: int = 0
    minority: int = 0

    def add(self, female: bool, minority: bool) -> None:
        self.total += 1
        self.female += female
        self.minority += minority

    def pct(self, of: Count | int) -> float:
        base = of.total if isinstance(of, Count) else of
        return round(100.0 * self.total / base, 2) if base else 0.0


@dataclass
class ItemStats:
    """One subject or quality: students it applies to, and a Count per level (NOT_SET = not yet rated)."""

    code: str
    name: str
    group: str  # "subject" or the quality group PC / NLC / NLD
    levels: tuple[str, ...]
    students: Count = field(default_factory=Count)
    by_level: dict[str, Count] = field(default_factory=dict)

    def level(self, code: str) -> Count:
        return self.by_level.setdefault(code, Count())


@dataclass(frozen=True)
class SupportLine:
    class_name: str
    personal_id: str
    full_name: str
    reasons: tuple[str, ...]


@dataclass
class ClassLine:
    name: str
    grade: int
    students: Count = field(default_factory=Count)
    results: dict[str, int] = field(default_factory=dict)
    support: int = 0


@dataclass
class Report:
    school: str
    year: str
    period: str
    period_name: str
    scope: str  # "Lớp 3A", "Khối 3", "Toàn trường"
    students: Count
    subjects: list[ItemStats]
    qualities: list[ItemStats]
    results: ItemStats | None  # CN only
    awards: dict[str, Count]
    completed_grade: Count | None
    completed_primary: Count | None
    grade5_students: Count | None
    support: list[SupportLine]
    classes: list[ClassLine]

    @property
    def is_final(self) -> bool:
        return self.period == FINAL_PERIOD


QUALITY_GROUP_TITLES = {"PC": "Phẩm chất chủ yếu", "NLC": "Năng lực chung", "NLD": "Năng lực đặc thù"}
SUBJECT_LEVEL_TITLES = {"T": "Hoàn thành tốt", "H": "Hoàn thành", "C": "Chưa hoàn thành", EXEMPT: "Miễn",
                        NOT_SET: "Chưa đánh giá"}
QUALITY_LEVEL_TITLES = {"T": "Tốt", "Đ": "Đạt", "C": "Cần cố gắng", NOT_SET: "Chưa đánh giá"}
RESULT_TITLES = {"HTXS": "Hoàn thành xuất sắc", "HTT": "Hoàn thành tốt", "HT": "Hoàn thành", "CHT": "Chưa hoàn thành",
                 NOT_SET: "Chưa xác nhận"}
