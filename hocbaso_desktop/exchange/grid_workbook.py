"""The offline-entry workbook: write a class + period shaped like the grid, and read it back.

Layout of each visible sheet (Môn học, Phẩm chất – Năng lực, Tổng hợp): row 1 a title, row 2 the
group headers (subject, quality group), row 3 the leaf headers, students from row 4. Identity cells
are locked under sheet protection, rating cells unlocked with drop-downs.

Two things make the import safe, both in very hidden sheets behind workbook-structure protection:
- `_hocbaso`: what the file is (format, version, class id/name, year, grade, period) and each sheet's
  column keys, so the import can refuse a file for another class or a sheet whose columns moved;
- `_goc1.._goc3`: a copy of every exported value, so the import applies only the cells the teacher
  actually changed in Excel — never "clears" what a colleague entered in the program meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.catalogue import EXEMPT, QUALITY_LEVELS, RESULT_LEVELS, SUBJECT_LEVELS, catalogue
from ..domain.errors import InputFileError
from .grid_layout import V_QUALITY, V_RESULT, V_SCORE, V_SUBJECT, SheetColumn, SheetLayout, grid_layout
from .xlsx_guard import damaged, open_xlsx
from .xlsx_write import cell_text, save_atomic

FORMAT = "hocbaso-grid"
FORMAT_VERSION = 1
META_SHEET = "_hocbaso"
TITLE_ROW, GROUP_ROW, LEAF_ROW, FIRST_DATA_ROW = 1, 2, 3, 4
META_KEYS = ("format", "version", "class_id", "class_name", "year", "grade", "period", "optional", "school", "exported_at")


@dataclass(frozen=True)
class GridMeta:
    class_id: int
    class_name: str
    year: str
    grade: int
    period: str
    optional: frozenset[str] = frozenset()
    school: str = ""
    exported_at: str = ""

    @property
    def period_name(self) -> str:
        return catalogue().periods.get(self.period, self.period)


@dataclass(frozen=True)
class WorkbookRow:
    """One student as written: identity plus {column key: value} (None = empty cell)."""

    personal_id: str
    full_name: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedRow:
    sheet: str
    excel_row: int
    personal_id: str
    full_name: str
    values: dict[str, Any]  # editable columns only, as the cell holds them now
    original: dict[str, Any] | None  # as exported (None: the student was not in the exported file)
    stray: tuple[tuple[str, Any], ...] = ()  # (column letter, value) typed right of the table: never silently dropped


@dataclass(frozen=True)
class ParsedWorkbook:
    meta: GridMeta
    layouts: tuple[SheetLayout, ...]
    rows: tuple[ParsedRow, ...]

    def column(self, sheet: str, key: str) -> SheetColumn:
        for lay in self.layouts:
            if lay.title == sheet:
                for c in lay.columns:
                    if c.key == key:
                        return c
        raise KeyError((sheet, key))


# --- writing -------------------------------------------------------------------------------------------
_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_UNLOCKED = Protection(locked=False)


def _twin(i: int) -> str:
    return f"_goc{i + 1}"


def _validation(kind: str) -> DataValidation:
    cat = catalogue()
    if kind == V_SUBJECT:
        dv = DataValidation(type="list", formula1='"' + ",".join((*SUBJECT_LEVELS, EXEMPT)) + '"', allow_blank=True)
        dv.prompt, dv.error = "T: Hoàn thành tốt · H: Hoàn thành · C: Chưa hoàn thành · M: Miễn", "Môn học chỉ nhận T, H, C (M nếu miễn)."
    elif kind == V_QUALITY:
        dv = DataValidation(type="list", formula1='"' + ",".join(QUALITY_LEVELS) + '"', allow_blank=True)
        dv.prompt, dv.error = "T: Tốt · Đ: Đạt · C: Cần cố gắng", "Phẩm chất, năng lực chỉ nhận T, Đ hoặc C."
    elif kind == V_RESULT:
        dv = DataValidation(type="list", formula1='"' + ",".join(RESULT_LEVELS) + '"', allow_blank=True)
        dv.prompt, dv.error = "HTXS, HTT, HT hoặc CHT; khác đề xuất thì ghi lý do", "Kết quả chỉ nhận HTXS, HTT, HT hoặc CHT."
    elif kind == V_SCORE:
        dv = DataValidation(type="whole", operator="between", formula1=str(cat.score_min), formula2=str(cat.score_max), allow_blank=True)
        dv.prompt = f"Điểm kiểm tra định kì: số nguyên {cat.score_min}-{cat.score_max}"
        dv.error = f"Điểm phải là số nguyên từ {cat.score_min} đến {cat.score_max}."
    else:  # days
        dv = DataValidation(type="whole", operator="between", formula1="0", formula2="366", allow_blank=True)
        dv.prompt, dv.error = "Số ngày nghỉ: số nguyên không âm", "Số ngày nghỉ phải là số nguyên không âm."
    dv.errorTitle, dv.promptTitle = "Giá trị không hợp lệ", "Nhập liệu"
    dv.showErrorMessage = dv.showInputMessage = True
    return dv


def _write_sheet(ws: Worksheet, layout: SheetLayout, meta: GridMeta, rows: Sequence[WorkbookRow]) -> None:
    cols = layout.columns
    ncol = len(cols)
    ws.cell(TITLE_ROW, 1, f"Lớp {meta.class_name} — {meta.period_name} — Năm học {meta.year} — {layout.title}").font = Font(bold=True, size=13)
    ws.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=max(ncol, 1))
    head_font, head_align = Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True)
    i = 0
    while i < ncol:  # runs of equal group headers become one merged cell
        c = cols[i]
        j = i
        while c.group and j + 1 < ncol and cols[j + 1].group == c.group:
            j += 1
        if c.group:
            ws.cell(GROUP_ROW, i + 1, c.group)
            if j > i:
                ws.merge_cells(start_row=GROUP_ROW, start_column=i + 1, end_row=GROUP_ROW, end_column=j + 1)
        i = j + 1
    for ci, c in enumerate(cols, start=1):
        if c.group:
            ws.cell(LEAF_ROW, ci, c.leaf)
        else:
            ws.cell(GROUP_ROW, ci, c.leaf)
            ws.merge_cells(start_row=GROUP_ROW, start_column=ci, end_row=LEAF_ROW, end_column=ci)
        for r in (GROUP_ROW, LEAF_ROW):
            cell = ws.cell(r, ci)
            cell.font, cell.alignment, cell.fill, cell.border = head_font, head_align, _HEAD_FILL, _BORDER
        ws.column_dimensions[get_column_letter(ci)].width = c.width
    ws.row_dimensions[LEAF_ROW].height = 32

    last = FIRST_DATA_ROW + len(rows) - 1
    for n, student in enumerate(rows):
        r = FIRST_DATA_ROW + n
        for ci, c in enumerate(cols, start=1):
            if c.kind == "stt":
                v: Any = n + 1
            elif c.kind == "pid":
                v = student.personal_id
            elif c.kind == "name":
                v = student.full_name
            else:
                v = student.values.get(c.key)
            cell = ws.cell(r, ci, cell_text(v) if v not in ("",) else None)
            cell.border = _BORDER
            if c.kind == "pid":
                cell.number_format = "@"  # twelve digits with leading zeros stay text
            if c.editable:
                cell.protection = _UNLOCKED
                wrap = c.kind.endswith("comment") or c.kind in ("reason", "awards", "adhoc_awards")
                cell.alignment = Alignment(wrap_text=wrap, vertical="top", horizontal=None if wrap else "center")
            else:
                cell.fill = _LOCKED_FILL
                cell.alignment = Alignment(vertical="top", horizontal="center" if c.kind in ("stt", "proposal") else None)
    if rows:
        by_kind: dict[str, list[str]] = {}
        for ci, c in enumerate(cols, start=1):
            if c.validation:
                letter = get_column_letter(ci)
                by_kind.setdefault(c.validation, []).append(f"{letter}{FIRST_DATA_ROW}:{letter}{last}")
        for kind, ranges in by_kind.items():
            dv = _validation(kind)
            ws.add_data_validation(dv)
            for rng in ranges:
                dv.add(rng)
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 4)  # headers and STT / mã định danh / họ tên stay visible
    p = ws.protection
    p.sheet = True
    # Let teachers widen columns and rows; nothing structural (no inserting, deleting, sorting).
    p.formatColumns = p.formatRows = False
    ws.sheet_view.zoomScale = 100


def _write_twin(ws: Worksheet, layout: SheetLayout, rows: Sequence[WorkbookRow]) -> None:
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True
    for ci, c in enumerate(layout.columns, start=1):
        ws.cell(LEAF_ROW, ci, c.key)
    for n, student in enumerate(rows):
        for ci, c in enumerate(layout.columns, start=1):
            v = student.personal_id if c.kind == "pid" else student.values.get(c.key) if c.editable else None
            ws.cell(FIRST_DATA_ROW + n, ci, cell_text(v) if v != "" else None)


def write_grid_workbook(path: str | Path, meta: GridMeta, rows: Sequence[WorkbookRow]) -> Path:
    layouts = grid_layout(meta.grade, meta.optional, meta.period)
    wb = Workbook()
    wb.remove(wb.active)
    for lay in layouts:
        _write_sheet(wb.create_sheet(lay.title), lay, meta, rows)
    ms = wb.create_sheet(META_SHEET)
    values = {
        "format": FORMAT, "version": FORMAT_VERSION, "class_id": meta.class_id, "class_name": meta.class_name,
        "year": meta.year, "grade": meta.grade, "period": meta.period, "optional": ",".join(sorted(meta.optional)),
        "school": meta.school, "exported_at": meta.exported_at or datetime.now().isoformat(timespec="seconds"),
    }
    for i, k in enumerate(META_KEYS, start=1):
        ms.cell(i, 1, k)
        ms.cell(i, 2, values[k])
    r = len(META_KEYS) + 1
    for si, lay in enumerate(layouts):
        ms.cell(r, 1, "sheet")
        ms.cell(r, 2, lay.title)
        ms.cell(r, 3, _twin(si))
        ms.cell(r, 4, "|".join(c.key for c in lay.columns))
        r += 1
    ms.sheet_state = "veryHidden"
    ms.protection.sheet = True
    for si, lay in enumerate(layouts):
        _write_twin(wb.create_sheet(_twin(si)), lay, rows)
    wb.active = 0
    wb.security.lockStructure = True  # hidden sheets cannot be unhidden, none added or renamed
    return save_atomic(wb, path)


# --- reading -------------------------------------------------------------------------------------------
def _not_ours(name: str, why: str) -> InputFileError:
    return InputFileError(f"Tệp {name} không phải bảng nhập liệu xuất từ phần mềm Học bạ số ({why}). "
                          "Hãy dùng lệnh «grid export» (hoặc Xuất Excel trong phần mềm) để lấy đúng tệp.")


def _rows(ws: Any, path: Path) -> Iterator[tuple[Any, ...]]:
    try:
        yield from ws.iter_rows(values_only=True)
    except InputFileError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet XML surfaces only while streaming
        raise damaged(path) from None


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _read_meta(wb: Any, path: Path) -> tuple[GridMeta, list[tuple[str, str, list[str]]]]:
    if META_SHEET not in wb.sheetnames:
        raise _not_ours(path.name, "thiếu trang thông tin ẩn")
    kv: dict[str, Any] = {}
    sheets: list[tuple[str, str, list[str]]] = []
    for row in _rows(wb[META_SHEET], path):
        if not row or row[0] is None:
            continue
        if row[0] == "sheet" and len(row) >= 4:
            sheets.append((_text(row[1]), _text(row[2]), _text(row[3]).split("|")))
        elif len(row) >= 2:
            kv[str(row[0])] = row[1]
    if kv.get("format") != FORMAT:
        raise _not_ours(path.name, "trang thông tin không đúng định dạng")
    try:
        version = int(kv.get("version"))  # type: ignore[arg-type]
        meta = GridMeta(int(kv["class_id"]), _text(kv["class_name"]), _text(kv["year"]), int(kv["grade"]), _text(kv["period"]),
                        frozenset(x for x in _text(kv.get("optional")).split(",") if x), _text(kv.get("school")), _text(kv.get("exported_at")))
    except (KeyError, TypeError, ValueError):
        raise _not_ours(path.name, "trang thông tin bị sửa hoặc thiếu") from None
    if version > FORMAT_VERSION:
        raise InputFileError(f"Tệp {path.name} được xuất từ phiên bản phần mềm mới hơn (định dạng {version}). Hãy cập nhật phần mềm.")
    if version < 1:
        raise _not_ours(path.name, "phiên bản định dạng không hợp lệ")
    return meta, sheets


def read_grid_workbook(path: str | Path) -> ParsedWorkbook:
    """Parse an exported-then-edited workbook; any unreadable or foreign file → InputFileError (exit 2)."""
    p = Path(path)
    wb = open_xlsx(p)
    try:
        meta, sheets = _read_meta(wb, p)
        if meta.period not in catalogue().periods:
            raise _not_ours(p.name, f"kì đánh giá «{meta.period}» không hợp lệ")
        layouts = grid_layout(meta.grade, meta.optional, meta.period)
        if [(s[0], s[2]) for s in sheets] != [(lay.title, [c.key for c in lay.columns]) for lay in layouts]:
            raise InputFileError(f"Tệp {p.name} có cột khác với danh mục môn học hiện tại của lớp {meta.class_name} "
                                 "(tệp cũ hoặc đã bị sửa cấu trúc). Hãy xuất lại tệp mới.")
        out: list[ParsedRow] = []
        for (title, twin, _keys), lay in zip(sheets, layouts):
            if title not in wb.sheetnames or twin not in wb.sheetnames:
                raise _not_ours(p.name, f"thiếu trang «{title}»")
            out += _read_sheet(wb, p, lay, twin)
        return ParsedWorkbook(meta, layouts, tuple(out))
    finally:
        wb.close()


def _read_sheet(wb: Any, path: Path, lay: SheetLayout, twin: str) -> list[ParsedRow]:
    cols = lay.columns
    pid_i = next(i for i, c in enumerate(cols) if c.kind == "pid")
    name_i = next(i for i, c in enumerate(cols) if c.kind == "name")
    editable = [(i, c) for i, c in enumerate(cols) if c.editable]
    originals: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(_rows(wb[twin], path), start=1):
        if n >= FIRST_DATA_ROW and row and len(row) > pid_i and row[pid_i] is not None:
            originals[_text(row[pid_i])] = {c.key: (row[i] if i < len(row) else None) for i, c in editable}
    out: list[ParsedRow] = []
    header_seen = False
    group_row: tuple[Any, ...] = ()
    for n, row in enumerate(_rows(wb[lay.title], path), start=1):
        row = tuple(row or ()) + (None,) * max(0, len(cols) - len(row or ()))
        if n == GROUP_ROW:
            group_row = row
        if n == LEAF_ROW:
            header_seen = True
            # A column without a group header is merged over both rows: its text sits in the group row.
            got = [_text(row[i] if c.group else group_row[i] if i < len(group_row) else None) for i, c in enumerate(cols)]
            if got != [c.leaf for c in cols]:
                raise InputFileError(f"Trang «{lay.title}» của tệp {path.name}: dòng tiêu đề đã bị sửa hoặc cột bị di chuyển. "
                                     "Hãy xuất lại tệp và nhập lại.")
        if n < FIRST_DATA_ROW or all(v is None or _text(v) == "" for v in row):
            continue
        pid = _text(row[pid_i])
        values = {c.key: row[i] for i, c in editable}
        stray = tuple((get_column_letter(i + 1), v) for i, v in enumerate(row) if i >= len(cols) and _text(v))
        out.append(ParsedRow(lay.title, n, pid, _text(row[name_i]), values, originals.get(pid), stray))
    if not header_seen:
        raise InputFileError(f"Trang «{lay.title}» của tệp {path.name} trống: thiếu dòng tiêu đề. Hãy xuất lại tệp.")
    return out


__all__ = ["FORMAT", "FORMAT_VERSION", "GridMeta", "META_SHEET", "ParsedRow", "ParsedWorkbook", "WorkbookRow",
           "read_grid_workbook", "write_grid_workbook"]
