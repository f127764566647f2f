"""The phân công workbook: written as a template (one row per class of the year, the year's current
assignments filled in) and read back, with every problem named by row and column. No database here:
services/assignment_import.py checks the cells against the school and applies them.

Layout of the sheet «Phân công»: a title row naming the school year, then the header
Lớp | Khối | GVCN | <one column per catalogue subject, by its name>, then one row per class. Cells hold
staff codes (several GVBM separated by commas), written as text so Excel keeps them as typed.
Subjects the class's grade does not have are greyed and marked «—»; the grade's optional subjects
(Ngoại ngữ 1 in grades 1-2, Tiếng dân tộc) are tinted. Sheet «Cán bộ» lists the codes and names that
the drop-downs offer. The reader finds the header by its names (code or name of a subject, case and
spacing ignored), so a school may reorder, drop or add columns.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..domain.assignment_columns import GVCN, column_key
from ..domain.catalogue import catalogue
from ..domain.errors import InputFileError
from .xlsx_guard import damaged, open_xlsx
from .xlsx_write import cell_text, save_atomic

SHEET = "Phân công"
STAFF_SHEET = "Cán bộ"
HELP_SHEET = "Hướng dẫn"
NOT_OFFERED = "—"
CLASS_HEADER = "Lớp"
GRADE_HEADER = "Khối"
HEADER_SCAN = 10
MAX_ROWS = 500  # classes of one school year: a very large school has ~80
MAX_COLS = 60
_YEAR = re.compile(r"(\d{4})\s*[-–]\s*(\d{4})")


@dataclass(frozen=True)
class TemplateClass:
    name: str
    grade: int
    subjects: frozenset[str]  # codes that may be assigned in this class
    cells: dict[str, list[str]] = field(hash=False, compare=False)  # current: "GVCN" | code → staff codes


@dataclass(frozen=True)
class TemplateStaff:
    code: str
    full_name: str
    note: str = ""  # e.g. "GVCN, GVBM"


def title(key: str) -> str:
    return GVCN if key == GVCN else catalogue().subject(key).name


# ---- writing --------------------------------------------------------------------------------


def write_template(path: str | Path, year: str, classes: Sequence[TemplateClass], staff: Sequence[TemplateStaff]) -> Path:
    cat = catalogue()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    staff_ws = wb.create_sheet(STAFF_SHEET)
    help_ws = wb.create_sheet(HELP_SHEET)

    subjects = [s for s in cat.subjects if any(s.code in c.subjects for c in classes)] or list(cat.subjects)
    headers = [CLASS_HEADER, GRADE_HEADER, GVCN, *(s.name for s in subjects)]
    keys = [None, None, GVCN, *(s.code for s in subjects)]
    ws.cell(row=1, column=1, value=f"PHÂN CÔNG GIÁO VIÊN CHỦ NHIỆM, GIÁO VIÊN BỘ MÔN — NĂM HỌC {year}").font = Font(bold=True, size=13)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    grey = PatternFill("solid", fgColor="D9D9D9")
    optional_fill = PatternFill("solid", fgColor="FFF2CC")
    thin = Side(style="thin", color="999999")
    box = Border(top=thin, bottom=thin, left=thin, right=thin)
    for i, h in enumerate(headers, start=1):
        c = ws.cell(row=2, column=i, value=h)
        c.font, c.fill, c.border = Font(bold=True), head_fill, box
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = 7 if i == 2 else (8 if i == 1 else 13)
        key = keys[i - 1]
        if key and key != GVCN:
            subj = cat.subject(key)
            opt = sorted(subj.optional_grades)
            if opt:
                c.comment = Comment(f"Tự chọn ở khối {', '.join(map(str, opt))}. Mã môn: {key}.", "Học bạ số")
            else:
                c.comment = Comment(f"Mã môn: {key}.", "Học bạ số")
    ws.cell(row=2, column=3).comment = Comment("Mã cán bộ của giáo viên chủ nhiệm (một người mỗi lớp).", "Học bạ số")
    ws.row_dimensions[2].height = 32
    for r, cls in enumerate(classes, start=3):
        ws.cell(row=r, column=1, value=cls.name).font = Font(bold=True)
        ws.cell(row=r, column=2, value=cls.grade)
        for i, key in enumerate(keys[2:], start=3):
            c = ws.cell(row=r, column=i)
            c.border = box
            c.number_format = "@"
            if key != GVCN and key not in cls.subjects:
                c.value, c.fill = NOT_OFFERED, grey
                c.alignment = Alignment(horizontal="center")
                continue
            codes = cls.cells.get(key, [])
            c.value = ", ".join(codes) if codes else None
            if key != GVCN and cls.grade in cat.subject(key).optional_grades:
                c.fill = optional_fill
        ws.cell(row=r, column=1).border = ws.cell(row=r, column=2).border = box
    ws.freeze_panes = "D3"  # the class, its grade and its GVCN stay in view
    last = 2 + max(len(classes), 1)

    staff_ws.append(["Mã cán bộ", "Họ và tên", "Có thể phân công"])
    for h in staff_ws[1]:
        h.font, h.fill = Font(bold=True), head_fill
    for st in staff:
        staff_ws.append([cell_text(st.code), cell_text(st.full_name), cell_text(st.note)])
    for row in staff_ws.iter_rows(min_row=2, max_col=1):
        for c in row:
            c.number_format = "@"
    staff_ws.column_dimensions["A"].width, staff_ws.column_dimensions["B"].width = 12, 30
    staff_ws.column_dimensions["C"].width = 18
    if staff:
        source = f"'{STAFF_SHEET}'!$A$2:$A${len(staff) + 1}"
        # GVCN: one code from the list. Subjects: the list helps, but several codes "GV001, GV002" must
        # stay possible, so a value not in the list only informs instead of refusing.
        for cols, style in (((3, 3), "stop"), ((4, len(headers)), "information")):
            dv = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False)
            dv.errorStyle, dv.showErrorMessage = style, True
            dv.errorTitle = "Mã cán bộ"
            dv.error = ("Chọn một mã trong trang «Cán bộ»." if style == "stop"
                        else "Không có trong danh sách: nếu là nhiều mã, hãy cách nhau bằng dấu phẩy (GV001, GV002).")
            ws.add_data_validation(dv)
            if cols[1] >= cols[0]:
                dv.add(f"{get_column_letter(cols[0])}3:{get_column_letter(cols[1])}{last}")

    help_ws.column_dimensions["A"].width = 110
    lines = [
        f"HƯỚNG DẪN PHÂN CÔNG — NĂM HỌC {year}",
        "",
        "1. Mỗi lớp một dòng trên trang «Phân công». Không sửa tên lớp; không cần xóa các cột không dùng.",
        "2. Cột GVCN: mã cán bộ của giáo viên chủ nhiệm (mỗi lớp một người).",
        "3. Cột môn học: mã cán bộ của giáo viên dạy môn đó ở lớp; nhiều giáo viên thì cách nhau bằng dấu phẩy: GV001, GV002.",
        "4. Ô «—» màu xám: khối của lớp không học môn này. Ô màu vàng: môn tự chọn của khối.",
        "5. Ô để trống nghĩa là chưa phân công: khi nhập, phân công cũ của ô đó bị bỏ.",
        "6. Mã cán bộ xem ở trang «Cán bộ». Nhập tệp: hocbaso assign import TỆP.xlsx --as MÃ hoặc "
        "Nhà trường › Phân công GVCN, GVBM… › Nhập từ Excel. Có lỗi thì không ghi gì.",
    ]
    for i, line in enumerate(lines, start=1):
        help_ws.cell(row=i, column=1, value=line).font = Font(bold=(i == 1))
    return save_atomic(wb, path)


# ---- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetProblem:
    row: int  # 0 = the file / the header
    column: str  # the header as written in the file ("" for a whole row)
    message: str

    def line(self) -> str:
        where = f"dòng {self.row}" if self.row else "tiêu đề"
        return f"{where}, cột «{self.column}»: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass(frozen=True)
class SheetRow:
    row: int
    class_name: str
    cells: dict[str, tuple[str, list[str]]] = field(hash=False, compare=False)  # key → (raw text, codes)


@dataclass(frozen=True)
class AssignmentSheet:
    path: Path
    year: str  # from the title, "" when it has none
    headers: dict[str, str]  # key → header text as written
    rows: tuple[SheetRow, ...]
    problems: tuple[SheetProblem, ...]
    ignored_columns: tuple[str, ...]


def split_codes(text: object) -> list[str]:
    raw = str(text if text is not None else "").replace(";", ",").replace("\n", ",")
    return list(dict.fromkeys(c.strip().upper() for c in raw.split(",") if c.strip()))


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(str(v).split())


def read_sheet(path: str | Path) -> AssignmentSheet:
    """Read the workbook (hostile files end as InputFileError); problems are data, not exceptions."""
    p = Path(path)
    wb = open_xlsx(p)
    try:
        ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
        try:
            grid = [tuple(r[:MAX_COLS]) for r in ws.iter_rows(max_row=MAX_ROWS + HEADER_SCAN, max_col=MAX_COLS, values_only=True)]
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, TypeError, AttributeError,
                IndexError, SyntaxError, NotImplementedError, zlib.error) as e:
            raise damaged(p) from e
        too_long = (getattr(ws, "max_row", 0) or 0) > MAX_ROWS + HEADER_SCAN
    finally:
        wb.close()
    if too_long:
        raise InputFileError(f"Tệp {p.name} có quá nhiều dòng cho một bảng phân công (tối đa {MAX_ROWS} lớp).", path=str(p))
    year = ""
    head_at = None
    for i, row in enumerate(grid[:HEADER_SCAN]):
        texts = [_text(v) for v in row]
        if not year:
            m = _YEAR.search(" ".join(texts))
            if m and int(m.group(2)) == int(m.group(1)) + 1:
                year = f"{m.group(1)}-{m.group(2)}"
        keys = {_text(v).casefold() for v in row}
        if CLASS_HEADER.casefold() in keys and any(column_key(v) for v in row):
            head_at = i
            break
    if head_at is None:
        raise InputFileError(f"Tệp {p.name} không có bảng phân công: cần dòng tiêu đề có cột «Lớp», «GVCN» và "
                             "các môn học (tạo mẫu bằng lệnh «hocbaso template-assign»).", path=str(p))
    problems: list[SheetProblem] = []
    headers: dict[str, str] = {}
    cols: dict[int, str] = {}
    class_col = None
    ignored: list[str] = []
    for j, v in enumerate(grid[head_at]):
        h = _text(v)
        if not h:
            continue
        if h.casefold() == CLASS_HEADER.casefold():
            class_col = j
            continue
        if h.casefold() == GRADE_HEADER.casefold():
            continue  # shown for the reader; the school's classes carry their grade
        k = column_key(h)
        if k is None:
            ignored.append(h)
        elif k in headers:
            problems.append(SheetProblem(head_at + 1, h, f"cột trùng với cột «{headers[k]}» (cùng môn {title(k)})"))
        else:
            headers[k], cols[j] = h, k
    rows: list[SheetRow] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(grid[head_at + 1:], start=head_at + 2):
        values = [_text(v) for v in row]
        if not any(values):
            continue
        cname = values[class_col].upper() if class_col is not None and class_col < len(values) else ""
        if not cname:
            problems.append(SheetProblem(i, CLASS_HEADER, "thiếu tên lớp"))
            continue
        if cname in seen:
            problems.append(SheetProblem(i, CLASS_HEADER, f"lớp {cname} đã có ở dòng {seen[cname]}"))
            continue
        seen[cname] = i
        cells: dict[str, tuple[str, list[str]]] = {}
        for j, k in cols.items():
            raw = values[j] if j < len(values) else ""
            codes = [] if raw in (NOT_OFFERED, "-", "–") else split_codes(raw)
            bad = [c for c in codes if not re.fullmatch(r"[A-Z0-9_.\-]{1,20}", c)]
            if bad:
                problems.append(SheetProblem(i, headers[k], f"«{bad[0]}» không phải mã cán bộ (nhiều mã cách nhau bằng dấu phẩy)"))
                continue
            cells[k] = (raw, codes)
        rows.append(SheetRow(i, cname, cells))
    if not rows and not problems:
        problems.append(SheetProblem(0, "", "bảng phân công không có lớp nào"))
    return AssignmentSheet(p, year, headers, tuple(rows), tuple(problems), tuple(ignored))
