"""Read a class list (.xlsx) into typed rows plus every problem found, as data.

Handles what real files carry: a title block above the header, a header found by its column names
(also split over two rows, or with the name in "Họ đệm" + "Tên"), merged cells, a "Lớp" column or
one sheet per class, section rows "Lớp 3A" inside one sheet, signature lines below the data, dates
as Excel dates or text, identity numbers stored as numbers. Nothing here touches the database.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from ..domain.errors import HocbasoError, InputFileError
from ..domain.progress import CancelCheck as Cancel
from ..domain.progress import Progress
from ..domain.school_years import year_start
from ..domain.text import clean
from ..domain.typed_dates import parse_date
from .class_list_columns import FIELD_LABELS, HeaderMap, classify, header_key, header_score
from .class_list_model import ClassList, ImportCancelled, ListRow, Problem, StudentData
from .class_list_rows import RowParser
from .class_list_values import age_problem, display, parse_class_name
from .problems import ERROR, WARNING
from .xlsx_guard import SheetExtras, damaged, open_xlsx, sheet_scan

MAX_ROWS = 20_000  # students per file: a whole district, not a school, lives above this
MAX_COLS = 60
HEADER_SCAN = 40  # title blocks are a few rows; a header further down is not a class list
MAX_BLANK_RUN = 1_000  # formatted-but-empty rows after the data: stop instead of walking a million


_FOOTER = re.compile(r"nguoilapbieu|hieutruong|ngay\d*thang\d*nam|kyghiro|kyten|xacnhan|tongso|tongcong|"
                     r"danhsachnaygom|giaovienchunhiem|thutruongdonvi|nguoilap|kytenvadongdau")
_YEAR = re.compile(r"namhoc(\d{4})(\d{4})")
_SECTION = re.compile(r"(?i)\s*l[ớo]p\b")
_COLUMN_NUMBER = re.compile(r"\(?\d{1,2}\)?")
_PID12 = re.compile(r"\d{12}")


def read_class_list(
    path: str | Path,
    year: str | None = None,
    *,
    fallback_year: str = "2025-2026",
    max_rows: int = MAX_ROWS,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ClassList:
    """Read and validate. The school year (for ages) is `year`, else the file's title, else fallback_year."""
    if year is not None:
        year_start(year)
    p = Path(path)
    wb = open_xlsx(p, sized=False)
    try:
        result = ClassList(p, year or fallback_year)
        sheets = list(wb.worksheets)
        # one pass over each sheet's XML answers both the row count and what read-only mode hides
        scans = [sheet_scan(wb, ws) for ws in sheets]
        total = sum(n for n, _extras in scans) or 1
        for ws in sheets:
            # read-only mode stops at the <dimension> tag's last row: a stale tag (A1:H500 over 3,000
            # rows) would drop every pupil after it without a word; read to the sheet's real end
            reset = getattr(ws, "reset_dimensions", None)
            if callable(reset):
                reset()
        done = 0
        for ws, (_n, extras) in zip(sheets, scans):
            reader = _SheetReader(wb, ws, result, max_rows, progress, cancel, done, total, extras)
            try:
                reader.read()
            except (HocbasoError, MemoryError):
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, TypeError, AttributeError,
                    IndexError, SyntaxError, NotImplementedError, zlib.error) as e:
                raise damaged(p) from e
            done = reader.done
    finally:
        wb.close()
    if not result.column_labels:
        raise InputFileError(
            f"Không tìm thấy danh sách học sinh trong tệp {p.name}: cần một dòng tiêu đề có các cột "
            "Họ và tên, Ngày sinh, Giới tính, Mã định danh (và Lớp, nếu một trang có nhiều lớp).", path=str(p))
    if not result.rows:
        raise InputFileError(f"Tệp {p.name} không có học sinh nào (chỉ có dòng tiêu đề).", path=str(p))
    if year is None and result.title_year:
        result.year = result.title_year
    elif year and result.title_year and year != result.title_year:
        first = result.rows[0] if result.rows else None
        result.problems.append(Problem(WARNING, first.sheet if first else "", 1, "", "", "", result.title_year,
                                       f"tiêu đề tệp ghi năm học {result.title_year}, đang nhập vào năm học {year}"))
    _check_across_rows(result)
    if progress:
        progress(total, total, "Đã đọc xong")
    return result


class _SheetReader:
    """One pass over one sheet's rows: find the header, then turn data rows into ListRows."""

    def __init__(self, wb: object, ws: object, out: ClassList, max_rows: int, progress: Progress | None,
                 cancel: Cancel | None, done: int, total: int, extras: SheetExtras) -> None:
        self.wb, self.ws, self.out = wb, ws, out
        self.extras = extras
        self.sheet = clean(getattr(ws, "title", "")) or "?"
        self.max_rows, self.progress, self.cancel = max_rows, progress, cancel
        self.done, self.total = done, total
        self.header: HeaderMap | None = None
        self.pending_subheader = False
        self.section_class: str | None = None
        self.sheet_class = parse_class_name(self.sheet)[0]
        self.anchor_of: dict[tuple[int, int], tuple[int, int]] = {}
        self.anchor_values: dict[tuple[int, int], object] = {}
        self.formula_missing: set[tuple[int, int]] = set()
        self.header_texts: list[tuple[int, str]] = []
        self.reported_no_class = False
        self.name_header_key = ""
        self._letters: tuple[HeaderMap | None, dict[str, str]] = (None, {})

    # --- the pass --------------------------------------------------------------------------
    def read(self) -> None:
        merges, self.formula_missing = self.extras
        for r1, c1, r2, c2 in merges:
            if (r2 - r1 + 1) * (c2 - c1 + 1) > 200_000:
                continue  # a whole-sheet merge says nothing about our columns
            for r in range(r1, r2 + 1):
                for c in range(c1, min(c2, MAX_COLS) + 1):  # columns past MAX_COLS are never read
                    if (r, c) != (r1, c1):
                        self.anchor_of[(r, c)] = (r1, c1)
        anchors = set(self.anchor_of.values())
        blank_run = 0
        data_rows_before = len(self.out.rows)
        rows: Iterable[tuple] = self.ws.iter_rows(values_only=True, max_col=MAX_COLS)  # type: ignore[attr-defined]
        for idx, values in enumerate(rows, start=1):
            self.done += 1
            if self.done % 250 == 0:
                if self.cancel and self.cancel():
                    raise ImportCancelled()
                if self.progress:
                    # past the counted total (a sheet too big to count): no total rather than a full bar
                    total = self.total if self.done < self.total else 0
                    self.progress(self.done if total else 0, total, f"Đang đọc trang {self.sheet}, dòng {idx}")
            if anchors:
                for c, v in enumerate(values, start=1):
                    if (idx, c) in anchors:
                        self.anchor_values[(idx, c)] = v
            if self.header is None:
                if idx > HEADER_SCAN:
                    break
                self._look_for_header(idx, values)
                continue
            if self.pending_subheader:
                self.pending_subheader = False
                if self._merge_subheader(idx, values):
                    continue
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                blank_run += 1
                if blank_run > MAX_BLANK_RUN:
                    break
                continue
            blank_run = 0
            if self._is_footer(values):
                break
            self._data_row(idx, values)
            if len(self.out.rows) > self.max_rows:
                raise InputFileError(
                    f"Tệp có hơn {self.max_rows:,} học sinh".replace(",", ".")
                    + ": quá lớn cho một trường. Hãy tách theo khối hoặc theo lớp rồi nhập từng tệp.",
                    path=str(self.out.path))
        if self.header is None:
            self.out.skipped_sheets.append(self.sheet)
        elif len(self.out.rows) == data_rows_before:
            self.out.problems.append(Problem(WARNING, self.sheet, self.header.row, "", "", "", "",
                                             "trang có dòng tiêu đề nhưng không có học sinh nào"))

    # --- header --------------------------------------------------------------------------
    def _look_for_header(self, idx: int, values: tuple) -> None:
        texts = [(c, clean(str(v))) for c, v in enumerate(values) if isinstance(v, str) and v.strip()]
        for _c, t in texts:
            m = _YEAR.search(header_key(t))
            if m and int(m.group(2)) == int(m.group(1)) + 1 and self.out.title_year is None:
                self.out.title_year = f"{m.group(1)}-{m.group(2)}"
        fields, parts, unknown = classify(texts)
        if header_score(fields, parts) == 0:
            return
        self.header_texts = texts
        self.header = HeaderMap(idx, fields, tuple(parts), dict(texts), tuple(unknown))
        self._remember_name_header()
        self.pending_subheader = True
        self._check_columns()

    def _merge_subheader(self, idx: int, values: tuple) -> bool:
        """A second header row under the first ("Họ và tên" above "Họ đệm" | "Tên")."""
        texts = [(c, clean(str(v))) for c, v in enumerate(values) if isinstance(v, str) and v.strip()]
        if not texts:
            return False
        fields, parts, unknown = classify(texts)
        if not fields and not parts or len(unknown) > len(texts) // 2:
            return False
        h = self.header
        assert h is not None
        cols = dict(h.columns)
        labels = dict(h.labels)
        for f, c in fields.items():
            cols.setdefault(f, c)
        new_parts = tuple(parts) or h.name_parts
        if parts and "full_name" in cols:
            del cols["full_name"]  # the merged parent title above the parts
        labels.update(dict(texts))
        used = set(cols.values()) | {c for _p, c in new_parts}
        ignored = tuple(sorted({(c, labels[c]) for c in labels if c not in used}))
        self.header = HeaderMap(idx, cols, new_parts, labels, ignored)
        self._remember_name_header()
        self.out.problems[:] = [p for p in self.out.problems if not (p.sheet == self.sheet and p.row == h.row)]
        self.out.ignored_columns[:] = [x for x in self.out.ignored_columns if x[0] != self.sheet]
        self._check_columns()
        return True

    def _remember_name_header(self) -> None:
        h = self.header
        assert h is not None
        c = h.columns.get("full_name", h.name_parts[-1][1] if h.name_parts else None)
        self.name_header_key = header_key(h.labels.get(c, "")) if c is not None else ""

    def _check_columns(self) -> None:
        h = self.header
        assert h is not None
        for _c, text in h.ignored:
            self.out.ignored_columns.append((self.sheet, text))
        self.out.column_labels[self.sheet] = {f: self.label(f) for f in list(h.columns) + ["full_name"]}
        required = [("birth_date", "Ngày sinh"), ("personal_id", "Mã định danh")]
        if "sex" not in h.columns and "female_mark" not in h.columns:
            required.append(("sex", "Giới tính"))
        for f, label in required:
            if f not in h.columns:
                self.out.problems.append(Problem(ERROR, self.sheet, h.row, label, "", f, "",
                                                 f"thiếu cột «{label}» (bắt buộc)"))
        if "ethnicity" not in h.columns:
            self.out.problems.append(Problem(WARNING, self.sheet, h.row, "Dân tộc", "", "ethnicity", "",
                                             "không có cột Dân tộc: học sinh mới được ghi là Kinh, "
                                             "học sinh đã có giữ nguyên"))

    # --- rows ----------------------------------------------------------------------------
    def _is_footer(self, values: tuple) -> bool:
        """Signature lines ("Người lập biểu", "Hiệu trưởng", "Ngày … tháng … năm"): the table ends there.

        A row with a readable birth date is a pupil whatever else it says, so only rows without one
        are folded and searched (folding every cell of every row would double the reading time).
        """
        h = self.header
        assert h is not None
        c = h.columns.get("birth_date")
        dob = values[c] if c is not None and c < len(values) else None
        if dob is not None and parse_date(dob)[0] is not None:
            return False
        return any(isinstance(v, str) and len(v) < 200 and _FOOTER.search(header_key(v)) for v in values)

    def _value(self, idx: int, values: tuple, col: int) -> object:
        v = values[col] if col < len(values) else None
        if v is None or (isinstance(v, str) and not v.strip()):
            anchor = self.anchor_of.get((idx, col + 1))
            if anchor is not None and anchor[0] > (self.header.row if self.header else 0):
                v = self.anchor_values.get(anchor)
        return v

    def _data_row(self, idx: int, values: tuple) -> None:
        h = self.header
        assert h is not None
        raw: dict[str, object] = {f: self._value(idx, values, c) for f, c in h.columns.items()}
        parts = [(p, self._value(idx, values, c)) for p, c in h.name_parts]
        if "class_name" not in h.columns:
            # A section row "LỚP 3A" (often merged across the table) names the class of the rows below it.
            filled = [v for v in values if v is not None and not (isinstance(v, str) and not v.strip())]
            only = filled[0] if len(filled) == 1 else None
            if isinstance(only, str) and _SECTION.match(clean(only)):
                section = parse_class_name(only)[0]
                if section:
                    self.section_class = section[0]
                    return
        # each cell as shown, worked out once for the row: the checks below and the preview all need it
        shown = {f: display(v) for f, v in raw.items()}
        present = [(v, t) for v, t in zip(raw.values(), shown.values()) if v is not None and t != ""]
        present += [(v, t) for _p, v in parts if v is not None and (t := display(v)) != ""]
        if not present:
            return  # only STT or other ignored columns: a prefilled template row
        if len(present) > 2 and all(isinstance(v, (int, float)) or _COLUMN_NUMBER.fullmatch(t) for v, t in present) \
                and not any(isinstance(v, (int, float)) and v > 999 for v, _t in present):
            return  # the "(1) (2) (3)…" column-numbering row of printed forms
        if self._repeated_header(values):
            return  # the header repeated on each printed page
        RowParser(self, idx, raw, parts, shown).parse()

    def _repeated_header(self, values: tuple) -> bool:
        """The name column holds its own header again (printed pages repeat it). One cell, not all: speed."""
        h = self.header
        assert h is not None
        c = h.columns.get("full_name", h.name_parts[-1][1] if h.name_parts else None)
        v = values[c] if c is not None and c < len(values) else None
        return isinstance(v, str) and len(v) < 40 and header_key(v) == self.name_header_key

    def coordinate(self, idx: int, field_key: str) -> str:
        letter = self.column_letters().get(field_key)
        return f"{letter}{idx}" if letter is not None else ""

    def column_letters(self) -> dict[str, str]:
        """field → column letter ("C") under the current header, worked out once per header."""
        h = self.header
        assert h is not None
        held, letters = self._letters
        if held is not h:
            from openpyxl.utils import get_column_letter

            letters = {f: get_column_letter(c + 1) for f, c in h.columns.items()}
            if "full_name" not in letters and h.name_parts:
                letters["full_name"] = get_column_letter(h.name_parts[-1][1] + 1)
            self._letters = (h, letters)
        return letters

    def label(self, field_key: str) -> str:
        h = self.header
        assert h is not None
        col = h.columns.get(field_key)
        if col is None and field_key == "full_name" and h.name_parts:
            return " + ".join(h.labels.get(c, "") for _p, c in h.name_parts)
        return h.labels.get(col, FIELD_LABELS.get(field_key, field_key)) if col is not None else FIELD_LABELS.get(field_key, field_key)


def _check_across_rows(result: ClassList) -> None:
    """Duplicates within the file (both rows named) and ages against the school year."""
    start = year_start(result.year)
    by_pid: dict[str, list[ListRow]] = {}
    by_moet: dict[str, list[ListRow]] = {}
    for r in result.rows:
        pid = r.raw.get("personal_id", "")
        if r.student is not None or (pid and _PID12.fullmatch(pid)):
            by_pid.setdefault(pid, []).append(r)
        if r.student is not None and r.student.moet_code:
            by_moet.setdefault(r.student.moet_code, []).append(r)
        if r.student is not None:
            ap = age_problem(r.student.birth_date, r.student.grade, start)
            if ap:
                result.problems.append(Problem(ap[0], r.sheet, r.row, _label(result, r, "birth_date"), r.cells.get("birth_date", ""),
                                               "birth_date", r.raw.get("birth_date", ""), ap[1]))
                if ap[0] == ERROR:
                    _drop_student(result, r)
    for pid, rows in by_pid.items():
        if len(rows) < 2:
            continue
        for r in rows:
            others = ", ".join(f"dòng {o.row}" + (f" trang «{o.sheet}»" if o.sheet != r.sheet else "")
                               for o in rows if o is not r)
            result.problems.append(Problem(ERROR, r.sheet, r.row, _label(result, r, "personal_id"), r.cells.get("personal_id", ""),
                                           "personal_id", pid, f"mã định danh trùng với {others}"))
    for code, rows in by_moet.items():
        if len(rows) < 2:
            continue
        for r in rows:
            others = ", ".join(f"dòng {o.row}" for o in rows if o is not r)
            # Two pupils cannot share the ministry's code: refused, nothing is written.
            result.problems.append(Problem(ERROR, r.sheet, r.row, _label(result, r, "moet_code"), r.cells.get("moet_code", ""),
                                           "moet_code", code, f"mã học sinh trùng với {others}"))
    order: dict[str, int] = {}
    for r in result.rows:
        order.setdefault(r.sheet, len(order))
    result.problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row, len(p.cell), p.cell))


__all__ = ["ClassList", "ImportCancelled", "ListRow", "Problem", "StudentData", "ERROR", "WARNING", "MAX_ROWS",
           "read_class_list", "year_start"]


def _label(result: ClassList, r: ListRow, field_key: str) -> str:
    return result.column_labels.get(r.sheet, {}).get(field_key) or FIELD_LABELS.get(field_key, field_key)


def _drop_student(result: ClassList, r: ListRow) -> None:
    i = result.rows.index(r)
    result.rows[i] = replace(r, student=None)
