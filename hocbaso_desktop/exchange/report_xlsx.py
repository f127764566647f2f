"""The statistics report (domain/report_data.py, counted by services/reports.py) as a print-ready .xlsx.

One sheet per table: Môn học, Phẩm chất – năng lực, Kết quả cuối năm (CN), Theo lớp, HS cần hỗ trợ.
Landscape A4 fitted to the page width, header rows repeated on every printed page, two header
rows with the level merged over its four columns (Số lượng, Tỉ lệ, Nữ, DTTS). Percentages are
stored as fractions with a percent format, so a spreadsheet sums and charts them correctly.
(The class summary table's count rows, exchange/class_summary.py, count one class's columns of
ticks; this report aggregates many classes, so it counts in services/reports.py instead.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.report_data import (
    NOT_SET,
    QUALITY_GROUP_TITLES,
    QUALITY_LEVEL_TITLES,
    RESULT_TITLES,
    SUBJECT_LEVEL_TITLES,
    Count,
    ItemStats,
    Report,
)
from .xlsx_write import cell_text, save_atomic

FONT = "Times New Roman"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
SUB = ("Số lượng", "Tỉ lệ", "Nữ", "DTTS")
TITLE_ROWS = 4  # authority/school, title, scope line, blank


def _font(size: float = 11, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=FONT, size=size, bold=bold, italic=italic)


def _titles(ws: Worksheet, r: Report, title: str, width: int) -> None:
    ws.cell(1, 1, cell_text(r.school.upper())).font = _font(11, True)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    c = ws.cell(2, 1, f"{title} — {r.period_name.upper()}")
    c.font, c.alignment = _font(14, True), CENTER
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
    s = r.students
    c = ws.cell(3, 1, f"Năm học {r.year} — {r.scope} — Tổng số học sinh: {s.total} (nữ: {s.female}; dân tộc thiểu số: {s.minority})")
    c.font, c.alignment = _font(11, italic=True), CENTER


def _page(ws: Worksheet, header_last_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{TITLE_ROWS + 1}:{header_last_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.print_options.horizontalCentered = True
    ws.freeze_panes = f"C{header_last_row + 1}"


def _head(ws: Worksheet, row: int, col: int, text: str, *, rows: int = 1, cols: int = 1) -> None:
    if rows > 1 or cols > 1:
        ws.merge_cells(start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + cols - 1)
    for rr in range(row, row + rows):
        for cc in range(col, col + cols):
            cell = ws.cell(rr, cc)
            cell.border, cell.fill, cell.alignment, cell.font = BOX, HEAD_FILL, CENTER, _font(10, True)
    ws.cell(row, col).value = text


def _put(ws: Worksheet, row: int, col: int, value: object, *, pct: bool = False, bold: bool = False,
         left: bool = False, fill: PatternFill | None = None) -> None:
    cell = ws.cell(row, col, cell_text(value))
    cell.border, cell.font = BOX, _font(10, bold)
    cell.alignment = LEFT if left else CENTER
    if pct:
        cell.number_format = "0.00%"
    if fill is not None:
        cell.fill = fill


def _count_cells(ws: Worksheet, row: int, col: int, c: Count, base: Count, bold: bool = False) -> int:
    _put(ws, row, col, c.total, bold=bold)
    _put(ws, row, col + 1, (c.total / base.total) if base.total else 0, pct=True, bold=bold)
    _put(ws, row, col + 2, c.female, bold=bold)
    _put(ws, row, col + 3, c.minority, bold=bold)
    return col + 4


def _level_sheet(wb: Workbook, r: Report, sheet: str, title: str, first: str,
                 rows: Iterable[tuple[str, ItemStats | None]], levels: tuple[str, ...], names: dict[str, str]) -> Worksheet:
    ws = wb.create_sheet(sheet)
    width = 3 + 4 * len(levels)
    _titles(ws, r, title, width)
    h = TITLE_ROWS + 1
    _head(ws, h, 1, "STT", rows=2)
    _head(ws, h, 2, first, rows=2)
    _head(ws, h, 3, "Tổng số HS", rows=2)
    col = 4
    for lv in levels:
        label = names[lv] + (f" ({lv})" if lv != NOT_SET else "")
        _head(ws, h, col, label, cols=4)
        for i, sub in enumerate(SUB):
            _head(ws, h + 1, col + i, sub)
        col += 4
    row, n = h + 2, 0
    for label, it in rows:
        if it is None:  # a group line (Phẩm chất chủ yếu, Năng lực chung…)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
            _put(ws, row, 1, label, bold=True, left=True, fill=GROUP_FILL)
            row += 1
            continue
        n += 1
        _put(ws, row, 1, n)
        _put(ws, row, 2, label, left=True)
        _put(ws, row, 3, it.students.total)
        col = 4
        for lv in levels:
            col = _count_cells(ws, row, col, it.by_level.get(lv, Count()), it.students)
        row += 1
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 9
    for i in range(4, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 8 if (i - 4) % 4 == 0 else 7
    _page(ws, h + 1)
    return ws


def _results_sheet(wb: Workbook, r: Report) -> None:
    assert r.results is not None and r.completed_grade is not None and r.completed_primary is not None
    levels = ("HTXS", "HTT", "HT", "CHT", NOT_SET)
    ws = _level_sheet(wb, r, "Kết quả cuối năm", "THỐNG KÊ KẾT QUẢ GIÁO DỤC, KHEN THƯỞNG, HOÀN THÀNH CHƯƠNG TRÌNH",
                      "Nội dung", [("Kết quả giáo dục cuối năm", r.results)], levels, RESULT_TITLES)
    row = ws.max_row + 2
    _head(ws, row, 1, "STT")
    _head(ws, row, 2, "Khen thưởng / hoàn thành chương trình")
    _head(ws, row, 3, "Tổng số HS")
    for i, sub in enumerate(SUB):
        _head(ws, row, 4 + i, sub)
    row += 1
    lines: list[tuple[str, Count, Count]] = [(name, c, r.students) for name, c in r.awards.items()]
    lines.append(("Hoàn thành chương trình lớp học", r.completed_grade, r.students))
    if r.grade5_students and r.grade5_students.total:
        lines.append(("Hoàn thành chương trình tiểu học (lớp 5)", r.completed_primary, r.grade5_students))
    for n, (name, c, base) in enumerate(lines, 1):
        _put(ws, row, 1, n)
        _put(ws, row, 2, name, left=True)
        _put(ws, row, 3, base.total)
        _count_cells(ws, row, 4, c, base)
        row += 1


def _classes_sheet(wb: Workbook, r: Report) -> None:
    ws = wb.create_sheet("Theo lớp")
    res = ("HTXS", "HTT", "HT", "CHT") if r.is_final else ()
    width = 6 + len(res)
    _titles(ws, r, "SĨ SỐ VÀ KẾT QUẢ THEO LỚP", width)
    h = TITLE_ROWS + 1
    for i, t in enumerate(("STT", "Lớp", "Sĩ số", "Nữ", "DTTS", "HS cần hỗ trợ", *res)):
        _head(ws, h, i + 1, t)
    row = h + 1
    for n, c in enumerate(r.classes, 1):
        for i, v in enumerate((n, c.name, c.students.total, c.students.female, c.students.minority, c.support,
                               *(c.results.get(x, 0) for x in res))):
            _put(ws, row, i + 1, v)
        row += 1
    _put(ws, row, 2, "Cộng", bold=True)
    for i, v in enumerate((r.students.total, r.students.female, r.students.minority, len(r.support),
                           *(sum(c.results.get(x, 0) for c in r.classes) for x in res))):
        _put(ws, row, 3 + i, v, bold=True)
    for i in range(1, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 6 if i == 1 else 11
    _page(ws, h)


def _support_sheet(wb: Workbook, r: Report) -> None:
    ws = wb.create_sheet("HS cần hỗ trợ")
    _titles(ws, r, "DANH SÁCH HỌC SINH CẦN HỖ TRỢ (mức C hoặc Chưa hoàn thành)", 5)
    h = TITLE_ROWS + 1
    for i, t in enumerate(("STT", "Lớp", "Mã định danh", "Họ và tên", "Nội dung cần hỗ trợ")):
        _head(ws, h, i + 1, t)
    for n, s in enumerate(r.support, 1):
        for i, v in enumerate((n, s.class_name, s.personal_id, s.full_name, "; ".join(s.reasons))):
            _put(ws, h + n, i + 1, v, left=i >= 3)
    if not r.support:
        _put(ws, h + 1, 4, "Không có học sinh nào", left=True)
    for col, w in zip("ABCDE", (5, 7, 15, 26, 90)):
        ws.column_dimensions[col].width = w
    _page(ws, h)


def write_report_xlsx(report: Report, path: str | Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    _level_sheet(wb, report, "Môn học", "THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ CÁC MÔN HỌC VÀ HOẠT ĐỘNG GIÁO DỤC", "Môn học và HĐGD",
                 [(it.name, it) for it in report.subjects], ("T", "H", "C", "M", NOT_SET), SUBJECT_LEVEL_TITLES)
    rows: list[tuple[str, ItemStats | None]] = []
    for group in ("PC", "NLC", "NLD"):
        items = [it for it in report.qualities if it.group == group]
        if items:
            rows.append((QUALITY_GROUP_TITLES[group], None))
            rows += [(it.name, it) for it in items]
    _level_sheet(wb, report, "Phẩm chất, năng lực", "THỐNG KÊ KẾT QUẢ ĐÁNH GIÁ PHẨM CHẤT, NĂNG LỰC", "Phẩm chất, năng lực",
                 rows, ("T", "Đ", "C", NOT_SET), QUALITY_LEVEL_TITLES)
    if report.is_final:
        _results_sheet(wb, report)
    _classes_sheet(wb, report)
    _support_sheet(wb, report)
    return save_atomic(wb, path)
