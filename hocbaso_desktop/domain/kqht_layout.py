"""The layouts of the CSDL ngành results upload "KQHT" (csdl-nganh.md §3), as data.

One JSON file per grade group and period (domain/data/kqht/khoi12-CN.json …). Only the grades 1-2
year-end template is known exactly; the others are reasoned assumptions, marked "assumption": true
column by column, so a school that has the portal's real template corrects a file, not the program:
a file of the same name in the user's data folder (…/hocbaso/kqht/) wins over the bundled one.
A file is checked completely when loaded, and a wrong one is refused naming the file and the key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .catalogue import FINAL_PERIOD, PERIODS, Catalogue, catalogue
from .errors import HocbasoError

FORMAT = "hocbaso-kqht-layout/1"
# What a column holds; the ones in YEAR_END exist only in the year-end (CN) upload.
KINDS = frozenset({"stt", "class_name", "moet_code", "full_name", "birth_date", "subject_level", "subject_score",
                   "quality", "completed", "promoted", "result", "empty"})
SUBJECT_KINDS = frozenset({"subject_level", "subject_score"})
YEAR_END = frozenset({"completed", "promoted", "result"})
_COL = re.compile(r"^[A-Z]{1,3}$")
_RANGE = re.compile(r"^([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)$")


class LayoutError(HocbasoError):
    """A layout file that cannot be used: the message names the file and the key."""

    exit_code = 2


@dataclass(frozen=True)
class Column:
    col: str  # A, B, … AI
    header: tuple[str | None, ...]  # one text per header row; None: a blank (or merged-over) cell
    value: str  # one of KINDS
    code: str = ""  # subject or quality code for subject_* / quality
    assumption: bool = False

    @property
    def index(self) -> int:
        return col_index(self.col)


@dataclass(frozen=True)
class Layout:
    path: str  # where it was read from: shown to the user, so they know which file to correct
    title: str
    template: str
    grades: frozenset[int]
    period: str
    sheet: str
    header_rows: int
    merges: tuple[str, ...]
    columns: tuple[Column, ...]
    user_file: bool = False

    @property
    def assumed(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.assumption)


def col_index(col: str) -> int:
    n = 0
    for ch in col:
        n = n * 26 + (ord(ch) - 64)
    return n


def _fail(path: str, key: str, reason: str) -> LayoutError:
    return LayoutError(f"Tệp mẫu KQHT {path}: khóa «{key}» {reason}", file=path, key=key)


def parse_layout(text: str, path: str, cat: Catalogue | None = None, *, user_file: bool = False) -> Layout:
    cat = cat or catalogue()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise LayoutError(f"Tệp mẫu KQHT {path} không phải JSON hợp lệ (dòng {e.lineno}, cột {e.colno}): {e.msg}",
                          file=path, key="") from None
    if not isinstance(data, dict):
        raise _fail(path, "(gốc)", "phải là một đối tượng JSON { … }")

    def get(key: str, kind: type | tuple[type, ...], what: str) -> Any:
        if key not in data:
            raise _fail(path, key, "bị thiếu")
        v = data[key]
        if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
            raise _fail(path, key, f"phải là {what}")
        return v

    if get("format", str, "chuỗi") != FORMAT:
        raise _fail(path, "format", f"phải là «{FORMAT}»")
    grades = get("grades", list, "danh sách khối, ví dụ [1, 2]")
    if not grades or any(not isinstance(g, int) or isinstance(g, bool) or g not in range(1, 6) for g in grades):
        raise _fail(path, "grades", "phải là danh sách khối từ 1 đến 5, ví dụ [1, 2]")
    period = get("period", str, "chuỗi")
    if period not in PERIODS:
        raise _fail(path, "period", f"phải là một trong {', '.join(PERIODS)} (đang là «{period}»)")
    sheet = get("sheet", str, "tên trang tính")
    if not sheet.strip() or len(sheet) > 31 or any(ch in sheet for ch in "[]:*?/\\"):
        raise _fail(path, "sheet", "phải là tên trang tính Excel hợp lệ (tối đa 31 ký tự, không có []:*?/\\)")
    header_rows = get("header_rows", int, "số nguyên")
    if not 1 <= header_rows <= 10:
        raise _fail(path, "header_rows", "phải từ 1 đến 10")
    raw_cols = get("columns", list, "danh sách cột")
    if not raw_cols:
        raise _fail(path, "columns", "không được rỗng")
    columns: list[Column] = []
    seen: set[str] = set()
    quality_codes = {q.code for q in cat.qualities}
    subject_codes = {s.code for s in cat.subjects}
    for i, c in enumerate(raw_cols):
        where = f"columns[{i}]"
        if not isinstance(c, dict):
            raise _fail(path, where, "phải là một đối tượng { \"col\": …, \"header\": …, \"value\": … }")
        col = c.get("col")
        if not isinstance(col, str) or not _COL.match(col):
            raise _fail(path, f"{where}.col", f"phải là tên cột Excel như «A» hoặc «AI» (đang là «{col}»)")
        if col in seen:
            raise _fail(path, f"{where}.col", f"cột {col} đã được mô tả ở trên")
        seen.add(col)
        header = c.get("header")
        if (not isinstance(header, list) or len(header) != header_rows
                or any(h is not None and not isinstance(h, str) for h in header)):
            raise _fail(path, f"{where}.header", f"phải là danh sách {header_rows} chữ tiêu đề (null cho ô trống)")
        value = c.get("value")
        if value not in KINDS:
            raise _fail(path, f"{where}.value", f"«{value}» không phải loại giá trị đã biết ({', '.join(sorted(KINDS))})")
        if value in YEAR_END and period != FINAL_PERIOD:
            raise _fail(path, f"{where}.value", f"«{value}» chỉ có ở tệp cuối năm (period CN)")
        code = c.get("code", "")
        if value in SUBJECT_KINDS and code not in subject_codes:
            raise _fail(path, f"{where}.code", f"«{code}» không phải mã môn học ({', '.join(sorted(subject_codes))})")
        if value == "quality" and code not in quality_codes:
            raise _fail(path, f"{where}.code", f"«{code}» không phải mã phẩm chất/năng lực ({', '.join(sorted(quality_codes))})")
        if value not in SUBJECT_KINDS and value != "quality" and code:
            raise _fail(path, f"{where}.code", f"không dùng cho loại giá trị «{value}»")
        assumption = c.get("assumption", False)
        if not isinstance(assumption, bool):
            raise _fail(path, f"{where}.assumption", "phải là true hoặc false")
        columns.append(Column(col, tuple(header), value, code or "", assumption))
    merges = get("merges", list, "danh sách vùng gộp ô, ví dụ [\"A1:A3\"]") if "merges" in data else []
    for i, m in enumerate(merges):
        r = _RANGE.match(m) if isinstance(m, str) else None
        if r is None:
            raise _fail(path, f"merges[{i}]", f"phải là vùng ô như «A1:A3» (đang là «{m}»)")
        c1, r1, c2, r2 = col_index(r[1]), int(r[2]), col_index(r[3]), int(r[4])
        if not (1 <= r1 <= r2 <= header_rows and c1 <= c2) or (c1, r1) == (c2, r2):
            raise _fail(path, f"merges[{i}]", f"vùng «{m}» phải nằm trong {header_rows} dòng tiêu đề và gồm hơn một ô")
    return Layout(path, str(data.get("title", "")), str(data.get("template", "")), frozenset(grades), period, sheet,
                  header_rows, tuple(merges), tuple(sorted(columns, key=lambda c: c.index)), user_file)


def group_name(grade: int) -> str:
    """The portal's templates go by grade group: Khoi12 (grades 1-2) and, assumed, grades 3-5."""
    return "khoi12" if grade in (1, 2) else "khoi345"


def candidate_names(grade: int, period: str) -> list[str]:
    """A school may add a file for one grade (khoi3-CN.json) beside the group's (khoi345-CN.json)."""
    return [f"khoi{grade}-{period}.json", f"{group_name(grade)}-{period}.json"]


def bundled_text(name: str) -> str | None:
    f = resources.files("hocbaso_desktop.domain").joinpath("data", "kqht", name)
    return f.read_text(encoding="utf-8") if f.is_file() else None


def find_layout(grade: int, period: str, user_dir: Path | None = None, cat: Catalogue | None = None) -> Layout:
    """The layout for `grade` and `period`: the user's folder first, then the bundled files."""
    for name in candidate_names(grade, period):
        if user_dir is not None and (user_dir / name).is_file():
            p = user_dir / name
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as e:
                raise LayoutError(f"Tệp mẫu KQHT {p}: không đọc được ({e})", file=str(p), key="") from None
            return _checked(parse_layout(text, str(p), cat, user_file=True), grade, period)
        bundled = bundled_text(name)
        if bundled is not None:
            return _checked(parse_layout(bundled, f"(có sẵn) kqht/{name}", cat), grade, period)
    raise LayoutError(f"Không có mẫu KQHT cho khối {grade}, kì {period} (tệp {' hoặc '.join(candidate_names(grade, period))})",
                      file="", key="")


def _checked(layout: Layout, grade: int, period: str) -> Layout:
    if grade not in layout.grades:
        raise _fail(layout.path, "grades", f"không có khối {grade} mà tên tệp chỉ đến")
    if layout.period != period:
        raise _fail(layout.path, "period", f"là «{layout.period}», tên tệp chỉ đến kì {period}")
    return layout


def bundled_layouts(cat: Catalogue | None = None) -> list[Layout]:
    """Every bundled layout (the user guide lists their assumed columns from these)."""
    out = []
    for f in sorted(resources.files("hocbaso_desktop.domain").joinpath("data", "kqht").iterdir(), key=lambda f: f.name):
        if f.name.endswith(".json"):
            out.append(parse_layout(f.read_text(encoding="utf-8"), f"(có sẵn) kqht/{f.name}", cat))
    return out
