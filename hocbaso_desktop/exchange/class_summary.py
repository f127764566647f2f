"""Bảng tổng hợp kết quả đánh giá giáo dục của lớp (paper-form.md §5) as a print-ready .xlsx.

Landscape A4 fitted to the page width, header rows repeated on every printed page. Three header
rows: group → sub-group → leaf (§5.2); năng lực before phẩm chất in this table (unlike the học bạ);
Điểm KTĐK only for the subjects tested in that period for that grade (§5.3, from the catalogue);
in CN the four result tick columns, awards and completion. Count rows under the students give the
per-column totals a school reports upward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.catalogue import FINAL_PERIOD, catalogue
from .grid_layout import SUBJECT_SHORT
from .xlsx_write import cell_text, save_atomic

TICK = "x"


@dataclass(frozen=True)
class SummaryStudent:
    personal_id: str
    full_name: str
    birth_date: date | None
    female: bool
    subjects: dict[str, tuple[str | None, int | None]]  # code → (level, score)
    qualities: dict[str, str | None]
    result: str | None = None  # CN: confirmed by the GVCN, else the TT27 proposal
    awards: str = ""
    adhoc_awards: str = ""
    completed: bool = False
    note: str = ""


@dataclass(frozen=True)
class SummaryTable:
    school: str
    authority: str  # the line above the school: "PHÒNG GD&ĐT …" or, without districts, "UBND …"
    year: str
    class_name: str
    grade: int
    period: str
    optional: frozenset[str] = frozenset()
    homeroom_name: str = ""
    principal_name: str = ""
    students: tuple[SummaryStudent, ...] = field(default_factory=tuple)
    place_date: str = ""  # "…, ngày … tháng … năm …" line above the signatures


@dataclass(frozen=True)
class SumCol:
    key: str  # info:stt | subject_level:TV | subject_score:TV | quality:YN | result:HTXS | award:CN | completed: | note:
    g1: str  # group (row 1)
    g2: str  # sub-group (row 2); "" → leaf spans rows 2-3
    leaf: str
    width: float


def period_title(period: str) -> str:
    return catalogue().periods[period].upper()


def summary_columns(grade: int, optional: frozenset[str], period: str) -> list[SumCol]:
    cat = catalogue()
    g_info = "Thông tin học sinh"
    cols = [SumCol("info:stt", g_info, "", "STT", 4.5), SumCol("info:pid", g_info, "", "Mã định danh", 14),
            SumCol("info:name", g_info, "", "Họ và tên", 24), SumCol("info:birth", g_info, "", "Ngày sinh", 10.5),
            SumCol("info:female", g_info, "", "Nữ", 4)]
    g_subj = "Môn học và hoạt động giáo dục"
    for s in cat.subjects_for(grade, optional):
        name = SUBJECT_SHORT.get(s.code, s.name)
        cols.append(SumCol(f"subject_level:{s.code}", g_subj, name, "Mức đạt được", 6.5))
        if s.is_tested(grade, period):
            cols.append(SumCol(f"subject_score:{s.code}", g_subj, name, "Điểm KTĐK", 6.5))
    g_nl = "Những năng lực cốt lõi"
    for q in cat.qualities_for(grade):
        if q.group in ("NLC", "NLD"):
            cols.append(SumCol(f"quality:{q.code}", g_nl, "Năng lực chung" if q.group == "NLC" else "Năng lực đặc thù", q.name, 8))
    for q in cat.qualities_for(grade):
        if q.group == "PC":
            cols.append(SumCol(f"quality:{q.code}", "Những phẩm chất chủ yếu", "", q.name, 7.5))
    if period == FINAL_PERIOD:
        for lvl in (*cat.result_levels, cat.fallback_result):
            cols.append(SumCol(f"result:{lvl.code}", "Đánh giá kết quả giáo dục", "", lvl.name, 8.5))
        cols.append(SumCol("award:CN", "Khen thưởng", "", "Cuối năm", 18))
        cols.append(SumCol("award:DX", "Khen thưởng", "", "Đột xuất", 14))
        done = cat.primary_completion_text if grade == cat.final_grade else cat.grade_completion_text
        cols.append(SumCol("completed:", done, "", "Hoàn thành", 10))
    cols.append(SumCol("note:", "Ghi chú", "", "", 16))
    return cols


def cell_value(st: SummaryStudent, n: int, key: str) -> Any:
    kind, _, code = key.partition(":")
    if kind == "info":
        return {"stt": n, "pid": st.personal_id, "name": st.full_name,
                "birth": st.birth_date.strftime("%d/%m/%Y") if st.birth_date else "", "female": TICK if st.female else ""}[code]
    if kind == "subject_level":
        return st.subjects.get(code, (None, None))[0]
    if kind == "subject_score":
        return st.subjects.get(code, (None, None))[1]
    if kind == "quality":
        return st.qualities.get(code)
    if kind == "result":
        return TICK if st.result == code else ""
    if kind == "award":
        return st.awards if code == "CN" else st.adhoc_awards
    if kind == "completed":
        return TICK if st.completed else ""
    return st.note


# Count rows: label, and which cell values each counts in level columns.
COUNT_ROWS = (("Cộng mức T (Hoàn thành tốt / Tốt)", "T", "T"), ("Cộng mức H / Đ (Hoàn thành / Đạt)", "H", "Đ"),
              ("Cộng mức C (Chưa hoàn thành / Cần cố gắng)", "C", "C"))


def column_count(table: SummaryTable, col: SumCol, level_index: int) -> int | None:
    """The number in a count row; None where the column has no count (scores, names, comments)."""
    kind = col.key.split(":", 1)[0]
    values = [cell_value(s, i + 1, col.key) for i, s in enumerate(table.students)]
    _label, subj_level, qual_level = COUNT_ROWS[level_index]
    if kind == "subject_level":
        return sum(1 for v in values if v == subj_level)
    if kind == "quality":
        return sum(1 for v in values if v == qual_level)
    if kind in ("result", "completed", "award") and level_index == 0:
        return sum(1 for v in values if v)  # ticks and awards counted once, on the first count row
    return None


_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _merge(ws: Worksheet, r1: int, c1: int, r2: int, c2: int, value: Any, **style: Any) -> None:
    cell = ws.cell(r1, c1, cell_text(value))
    for k, v in style.items():
        setattr(cell, k, v)
    if (r1, c1) != (r2, c2):
        ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)


def _header(ws: Worksheet, cols: list[SumCol], top: int) -> None:
    """Rows top..top+2: runs of equal g1 merged across, then g2, leaves; a missing g2 merges the leaf down."""
    n = len(cols)
    i = 0
    while i < n:
        j = i
        while j + 1 < n and cols[j + 1].g1 == cols[i].g1:
            j += 1
        if i == j and not cols[i].leaf:  # a lone column without a leaf (Ghi chú) spans all three rows
            _merge(ws, top, i + 1, top + 2, i + 1, cols[i].g1)
            i = j + 1
            continue
        _merge(ws, top, i + 1, top, j + 1, cols[i].g1)
        k = i
        while k <= j:
            m = k
            if cols[k].g2:
                while m + 1 <= j and cols[m + 1].g2 == cols[k].g2:
                    m += 1
                _merge(ws, top + 1, k + 1, top + 1, m + 1, cols[k].g2)
                for x in range(k, m + 1):
                    ws.cell(top + 2, x + 1, cols[x].leaf)
            else:
                _merge(ws, top + 1, k + 1, top + 2, k + 1, cols[k].leaf or cols[k].g1)
            k = m + 1
        i = j + 1
    for r in range(top, top + 3):
        for c in range(1, n + 1):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border = Font(bold=True, size=9), _CENTER, _BORDER
    ws.row_dimensions[top + 2].height = 62  # names of competencies wrap on three lines


def write_class_summary(path: str | Path, table: SummaryTable) -> Path:
    cols = summary_columns(table.grade, table.optional, table.period)
    n = len(cols)
    wb = Workbook()
    ws = wb.active
    ws.title = f"Lớp {table.class_name}"
    half = max(n // 2, 1)
    bold = Font(bold=True)
    _merge(ws, 1, 1, 1, half, table.authority.upper(), alignment=_CENTER)
    _merge(ws, 2, 1, 2, half, f"TRƯỜNG {table.school.upper()}".replace("TRƯỜNG TRƯỜNG", "TRƯỜNG"), font=bold, alignment=_CENTER)
    _merge(ws, 1, half + 1, 1, n, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=bold, alignment=_CENTER)
    _merge(ws, 2, half + 1, 2, n, "Độc lập - Tự do - Hạnh phúc", font=Font(bold=True, underline="single"), alignment=_CENTER)
    _merge(ws, 4, 1, 4, n, f"BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC {period_title(table.period)}",
           font=Font(bold=True, size=14), alignment=_CENTER)
    _merge(ws, 5, 1, 5, n, f"Năm học {table.year} — Lớp {table.class_name}", font=bold, alignment=_CENTER)
    top = 7
    _header(ws, cols, top)
    for ci, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(ci)].width = c.width
    first = top + 3
    small = Font(size=9)
    for i, st in enumerate(table.students):
        r = first + i
        for ci, c in enumerate(cols, start=1):
            v = cell_value(st, i + 1, c.key)
            cell = ws.cell(r, ci, cell_text(v) if v != "" else None)
            cell.border, cell.font = _BORDER, small
            left = c.key in ("info:name", "award:CN", "award:DX", "note:")
            cell.alignment = Alignment(horizontal="left" if left else "center", vertical="center", wrap_text=left)
            if c.key == "info:pid":
                cell.number_format = "@"
    r = first + len(table.students)
    for li, (label, _s, _q) in enumerate(COUNT_ROWS):
        _merge(ws, r, 1, r, 5, label, font=Font(bold=True, size=9), alignment=Alignment(horizontal="left", vertical="center"))
        for ci, c in enumerate(cols, start=1):
            if ci > 5:
                ws.cell(r, ci, column_count(table, c, li))
            cell = ws.cell(r, ci)
            cell.border = _BORDER
            if ci > 5:
                cell.font, cell.alignment = Font(bold=True, size=9), _CENTER
        r += 1
    _footer(ws, table, r + 1, n)
    _print_setup(ws, top, n)
    return save_atomic(wb, path)


def _footer(ws: Worksheet, table: SummaryTable, r: int, n: int) -> None:
    half = max(n // 2, 1)
    italic = Font(italic=True)
    _merge(ws, r, half + 1, r, n, table.place_date or "…………, ngày …… tháng …… năm ……", font=italic, alignment=_CENTER)
    _merge(ws, r + 1, 1, r + 1, half, "GIÁO VIÊN CHỦ NHIỆM", font=Font(bold=True), alignment=_CENTER)
    _merge(ws, r + 1, half + 1, r + 1, n, "HIỆU TRƯỞNG", font=Font(bold=True), alignment=_CENTER)
    _merge(ws, r + 2, 1, r + 2, half, "(Kí và ghi rõ họ tên)", font=italic, alignment=_CENTER)
    _merge(ws, r + 2, half + 1, r + 2, n, "(Kí, ghi rõ họ tên và đóng dấu)", font=italic, alignment=_CENTER)
    # ≈ 45 mm left blank for the signatures and the seal (paper-form.md §7.4).
    for x in range(r + 3, r + 7):
        ws.row_dimensions[x].height = 30
    _merge(ws, r + 7, 1, r + 7, half, table.homeroom_name, font=Font(bold=True), alignment=_CENTER)
    _merge(ws, r + 7, half + 1, r + 7, n, table.principal_name, font=Font(bold=True), alignment=_CENTER)


def _print_setup(ws: Worksheet, top: int, n: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the class needs
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{top + 2}"  # the three header rows on every page
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_options.horizontalCentered = True
    ws.freeze_panes = ws.cell(top + 3, 4)
    ws.print_area = f"A1:{get_column_letter(n)}{ws.max_row}"


__all__ = ["COUNT_ROWS", "SumCol", "SummaryStudent", "SummaryTable", "column_count", "period_title", "summary_columns",
           "write_class_summary"]
