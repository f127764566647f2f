"""Which columns each view of the class grid has, derived from the catalogue (Qt-free on purpose)."""

from __future__ import annotations

from dataclasses import dataclass

from ...domain.catalogue import EXEMPT
from ...services.grid import ClassGrid, GridRow

VIEW_SUBJECTS = "subjects"
VIEW_QUALITIES = "qualities"
VIEW_SUMMARY = "summary"
VIEW_TITLES = {VIEW_SUBJECTS: "Môn học", VIEW_QUALITIES: "Phẩm chất – Năng lực", VIEW_SUMMARY: "Tổng hợp"}
GROUP_SHORT = {"PC": "phẩm chất", "NLC": "NL chung", "NLD": "NL đặc thù"}
# Header labels short enough for a column; the tooltip carries the full printed name.
SUBJECT_SHORT = {
    "TV": "Tiếng Việt", "TOAN": "Toán", "NN1": "Ngoại ngữ 1", "LSDL": "LS và ĐL", "KH": "Khoa học", "TIN": "Tin học",
    "CN": "Công nghệ", "DD": "Đạo đức", "TNXH": "TN và XH", "GDTC": "GDTC", "AN": "Âm nhạc", "MT": "Mĩ thuật",
    "HDTN": "HĐTN", "TDT": "Tiếng DT",
}


@dataclass(frozen=True)
class Column:
    # name | missing | subject_level | subject_score | subject_comment | quality_level | group_comment
    # | days_excused | days_unexcused | proposal | confirmed | awards | completion
    kind: str
    code: str = ""  # subject / quality / group code
    header: str = ""
    tooltip: str = ""
    width: int = 48

    @property
    def is_level(self) -> bool:
        return self.kind in ("subject_level", "quality_level")


def columns_for(grid: ClassGrid, view: str) -> list[Column]:
    cols = [Column("name", header="Họ và tên", width=190),
            Column("missing", header="Thiếu", tooltip="Số ô bắt buộc còn trống của học sinh ở kì này", width=48)]
    if view == VIEW_SUBJECTS:
        for s in grid.subjects:
            short = SUBJECT_SHORT.get(s.code, s.name)
            cols.append(Column("subject_level", s.code, f"{short}\nMức", f"{s.print_name}: mức đạt được (T/H/C, M nếu miễn)", 78))
            if s.is_tested(grid.info.grade, grid.period):
                cols.append(Column("subject_score", s.code, f"{short}\nĐiểm", f"{s.print_name}: điểm kiểm tra định kì (1-10)", 78))
            cols.append(Column("subject_comment", s.code, f"{short}\nNhận xét", f"{s.print_name}: nhận xét", 170))
    elif view == VIEW_QUALITIES:
        current = None
        for q in grid.qualities:
            if current is not None and q.group != current:
                cols.append(Column("group_comment", current, f"Nhận xét\n{GROUP_SHORT[current]}", f"Nhận xét chung: {current}", 220))
            current = q.group
            cols.append(Column("quality_level", q.code, q.name.replace(" và ", "\nvà "), f"{q.name}: T (Tốt) / Đ (Đạt) / C (Cần cố gắng)", 84))
        if current is not None:
            cols.append(Column("group_comment", current, f"Nhận xét\n{GROUP_SHORT[current]}", f"Nhận xét chung: {current}", 220))
    else:
        cols += [
            Column("days_excused", header="Nghỉ\ncó phép", tooltip="Số ngày nghỉ có phép trong kì", width=80),
            Column("days_unexcused", header="Nghỉ\nkhông phép", tooltip="Số ngày nghỉ không phép trong kì", width=90),
            Column("proposal", header="Đề xuất\n(TT27)", tooltip="Kết quả do phần mềm đề xuất theo Điều 9; di chuột để xem giải thích", width=100),
            Column("confirmed", header="GVCN\nxác nhận", tooltip="Kết quả giáo viên chủ nhiệm xác nhận", width=100),
            Column("awards", header="Khen thưởng", width=260),
            Column("completion", header="Hoàn thành\nchương trình", width=230),
        ]
    return cols


def applies(row: GridRow, col: Column) -> bool:
    """False for a cell of a subject the pupil does not take (an optional subject others chose)."""
    return not col.kind.startswith("subject_") or row.takes(col.code)


def is_required(grid: ClassGrid, row: GridRow, col: Column) -> bool:
    if row.not_assessed:
        return False
    if col.kind.startswith("subject_") and (not row.takes(col.code) or row.is_exempt(col.code)):
        return False  # not applicable, or rated M in every period
    if col.kind == "subject_level":
        return True
    if col.kind == "subject_score":
        cell = row.subjects.get(col.code)
        return not (cell and cell.level == EXEMPT)
    return col.kind == "quality_level"


def is_missing(grid: ClassGrid, row: GridRow, col: Column) -> bool:
    if not is_required(grid, row, col):
        return False
    if col.kind == "subject_level":
        c = row.subjects.get(col.code)
        return c is None or c.level is None
    if col.kind == "subject_score":
        c = row.subjects.get(col.code)
        return c is None or c.score is None
    if col.kind == "quality_level":
        q = row.qualities.get(col.code)
        return q is None or q.level is None
    return False


def required_columns_all_views(grid: ClassGrid) -> list[Column]:
    return [c for v in (VIEW_SUBJECTS, VIEW_QUALITIES) for c in columns_for(grid, v) if c.kind in ("subject_level", "subject_score", "quality_level")]


def missing_count(grid: ClassGrid, row: GridRow, required: list[Column] | None = None) -> int:
    """`required`: required_columns_all_views(grid), when the caller counts many rows of one grid."""
    return sum(1 for c in (required if required is not None else required_columns_all_views(grid)) if is_missing(grid, row, c))
