"""The error report of a class-list import, as .xlsx: the rows as read with bad cells marked, plus the list.

A new workbook rather than a marked copy of the user's file: their file may be huge or odd, and
the report must always be writable. Each row keeps its sheet and Excel row number so the clerk
finds it in the original.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .class_list_columns import FIELD_LABELS
from .class_list_model import ClassList, Problem
from .xlsx_write import cell_text, save_atomic

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")
REPORT_FIELDS = ("class_name", "full_name", "birth_date", "sex", "personal_id", "moet_code", "ethnicity",
                 "birthplace", "hometown", "address", "father_name", "mother_name", "guardian_name")


def write_report(class_list: ClassList, path: str | Path) -> Path:
    p = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách đã đọc"
    headers = ["Trang", "Dòng"] + [FIELD_LABELS[f] for f in REPORT_FIELDS] + ["Lỗi / cảnh báo"]
    ws.append(headers)
    for c in ws[1]:
        c.font = Font(bold=True)
    by_row: dict[tuple[str, int], list[Problem]] = {}
    for pr in class_list.problems:
        by_row.setdefault((pr.sheet, pr.row), []).append(pr)
    for r in class_list.rows:
        problems = by_row.get((r.sheet, r.row), [])
        ws.append([cell_text(v) for v in [r.sheet, r.row] + [r.raw.get(f, "") for f in REPORT_FIELDS]
                   + ["\n".join(pr.message() for pr in problems)]])  # the file's own text: control characters shown
        excel_row = ws.max_row
        for pr in problems:
            if pr.field not in REPORT_FIELDS:
                continue
            cell = ws.cell(row=excel_row, column=3 + REPORT_FIELDS.index(pr.field))
            # An error colour is never downgraded by a later warning on the same cell.
            if pr.is_error or cell.fill != ERROR_FILL:
                cell.fill = ERROR_FILL if pr.is_error else WARNING_FILL
            text = cell_text((cell.comment.text + "\n" if cell.comment else "") + pr.reason)
            cell.comment = Comment(text, "Học bạ số")
    for i, w in enumerate([12, 7] + [16] * len(REPORT_FIELDS) + [70], start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C2"

    lst = wb.create_sheet("Lỗi và cảnh báo")
    lst.append(["Mức", "Trang", "Dòng", "Cột", "Ô", "Giá trị", "Lý do"])
    for c in lst[1]:
        c.font = Font(bold=True)
    for pr in class_list.problems:
        lst.append([cell_text(v) for v in ("Lỗi" if pr.is_error else "Cảnh báo", pr.sheet, pr.row, pr.column, pr.cell,
                                            pr.value, pr.reason)])
        lst.cell(row=lst.max_row, column=1).fill = ERROR_FILL if pr.is_error else WARNING_FILL
    for i, w in enumerate([10, 12, 7, 20, 7, 24, 80], start=1):
        lst.column_dimensions[get_column_letter(i)].width = w
    if not class_list.rows:
        wb.active = 1

    return save_atomic(wb, p)  # formula-looking text stays text; owner-only file
