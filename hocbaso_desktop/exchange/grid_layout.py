"""The columns of the offline-entry workbook, one sheet per grid view, derived from the catalogue.

Mirrors gui/models/grid_columns.py (Môn học / Phẩm chất – Năng lực / Tổng hợp) so a teacher finds in
Excel what they see in the program. Kept here, Qt-free and service-free, because exchange/ must not
import the GUI; a column's `key` is what the import turns back into a CellEdit (kind + code).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.catalogue import FINAL_PERIOD, Catalogue, catalogue

# Short enough for a column header; same wording as the grid.
SUBJECT_SHORT = {
    "TV": "Tiếng Việt", "TOAN": "Toán", "NN1": "Ngoại ngữ 1", "LSDL": "Lịch sử và Địa lí", "KH": "Khoa học",
    "TIN": "Tin học", "CN": "Công nghệ", "DD": "Đạo đức", "TNXH": "TN và XH", "GDTC": "GDTC", "AN": "Âm nhạc",
    "MT": "Mĩ thuật", "HDTN": "HĐTN", "TDT": "Tiếng DT",
}
GROUP_TITLES = {"PC": "Phẩm chất chủ yếu", "NLC": "Năng lực chung", "NLD": "Năng lực đặc thù"}
GROUP_SHORT = {"PC": "phẩm chất", "NLC": "NL chung", "NLD": "NL đặc thù"}

SHEET_SUBJECTS = "Môn học"
SHEET_QUALITIES = "Phẩm chất – Năng lực"
SHEET_SUMMARY = "Tổng hợp"

# Validation families (the workbook writer turns them into Excel data validations).
V_SUBJECT = "subject_level"
V_QUALITY = "quality_level"
V_SCORE = "score"
V_DAYS = "days"
V_RESULT = "result"

IDENTITY_KEYS = ("stt", "pid", "name")


@dataclass(frozen=True)
class SheetColumn:
    key: str  # "subject_level:TOAN", "group_comment:PC", "days_excused:", "confirmed:", "reason:", "pid:"…
    group: str  # row-2 header (subject or quality group); "" → the leaf header spans both rows
    leaf: str  # row-3 header
    width: float
    editable: bool = True
    validation: str | None = None

    @property
    def kind(self) -> str:
        return self.key.split(":", 1)[0]

    @property
    def code(self) -> str:
        return self.key.split(":", 1)[1]

    @property
    def header(self) -> str:
        """The name used in error lines: «Toán – Điểm KTĐK»."""
        return f"{self.group} – {self.leaf}" if self.group else self.leaf


@dataclass(frozen=True)
class SheetLayout:
    title: str
    columns: tuple[SheetColumn, ...]


def _identity() -> list[SheetColumn]:
    return [
        SheetColumn("stt:", "", "STT", 5, editable=False),
        SheetColumn("pid:", "", "Mã định danh", 15, editable=False),
        SheetColumn("name:", "", "Họ và tên", 28, editable=False),
    ]


def grid_layout(grade: int, optional: frozenset[str], period: str, cat: Catalogue | None = None) -> tuple[SheetLayout, ...]:
    cat = cat or catalogue()
    subj_cols = _identity()
    for s in cat.subjects_for(grade, optional):
        short = SUBJECT_SHORT.get(s.code, s.name)
        subj_cols.append(SheetColumn(f"subject_level:{s.code}", short, "Mức", 7, validation=V_SUBJECT))
        if s.is_tested(grade, period):
            subj_cols.append(SheetColumn(f"subject_score:{s.code}", short, "Điểm KTĐK", 8, validation=V_SCORE))
        subj_cols.append(SheetColumn(f"subject_comment:{s.code}", short, "Nhận xét", 30))

    qual_cols = _identity()
    qualities = cat.qualities_for(grade)
    for i, q in enumerate(qualities):
        qual_cols.append(SheetColumn(f"quality_level:{q.code}", GROUP_TITLES[q.group], q.name, 11, validation=V_QUALITY))
        last_of_group = i + 1 == len(qualities) or qualities[i + 1].group != q.group
        if last_of_group:
            qual_cols.append(SheetColumn(f"group_comment:{q.group}", GROUP_TITLES[q.group], f"Nhận xét {GROUP_SHORT[q.group]}", 36))

    sum_cols = _identity() + [
        SheetColumn("days_excused:", "Số ngày nghỉ", "Có phép", 9, validation=V_DAYS),
        SheetColumn("days_unexcused:", "Số ngày nghỉ", "Không phép", 10, validation=V_DAYS),
    ]
    if period == FINAL_PERIOD:
        sum_cols += [
            # The proposal is shown to help the GVCN; it is computed, never imported.
            SheetColumn("proposal:", "Kết quả giáo dục", "Đề xuất (TT27)", 10, editable=False),
            SheetColumn("confirmed:", "Kết quả giáo dục", "GVCN xác nhận", 11, validation=V_RESULT),
            SheetColumn("reason:", "Kết quả giáo dục", "Lý do (nếu khác đề xuất)", 30),
            SheetColumn("awards:", "Khen thưởng", "Cuối năm", 34),
            SheetColumn("adhoc_awards:", "Khen thưởng", "Đột xuất", 30),
        ]
    return (
        SheetLayout(SHEET_SUBJECTS, tuple(subj_cols)),
        SheetLayout(SHEET_QUALITIES, tuple(qual_cols)),
        SheetLayout(SHEET_SUMMARY, tuple(sum_cols)),
    )


__all__ = ["GROUP_TITLES", "SHEET_QUALITIES", "SHEET_SUBJECTS", "SHEET_SUMMARY", "SUBJECT_SHORT", "SheetColumn", "SheetLayout",
           "V_DAYS", "V_QUALITY", "V_RESULT", "V_SCORE", "V_SUBJECT", "grid_layout"]
