"""A primary school set up from nothing, the way its staff would: shared by the CLI and GUI walks.

Nothing here calls services/demo.py. The people, pupils and the year are made up but realistic; the
school year is the one running today (the class-list import's default), so the walk passes on any date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from hocbaso_desktop.domain.identity import century_sex_digit


def school_year_today(today: date | None = None) -> str:
    t = today or date.today()
    y = t.year if t.month >= 8 else t.year - 1
    return f"{y}-{y + 1}"


def _pid(province: str, birth_year: int, sex: str, serial: int) -> str:
    return f"{province}{century_sex_digit(birth_year, sex)}{birth_year % 100:02d}{serial:06d}"


SCHOOL = {"name": "Trường Tiểu học Kim Đồng", "moet_code": "01000123", "province": "Hà Nội",
          "address": "Số 5 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội"}


@dataclass(frozen=True)
class Person:
    code: str
    name: str
    sex: str
    born: int
    position: str
    pid: str


STAFF = [
    Person("HT", "Nguyễn Thị Thanh Hương", "Nữ", 1975, "Hiệu trưởng", _pid("001", 1975, "Nữ", 100001)),
    Person("GV101", "Trần Minh Khoa", "Nam", 1988, "Giáo viên", _pid("001", 1988, "Nam", 100002)),
    Person("GV201", "Phạm Thu Trang", "Nữ", 1992, "Giáo viên", _pid("030", 1992, "Nữ", 100003)),
    Person("VP01", "Đỗ Văn Bình", "Nam", 1985, "Văn thư", _pid("001", 1985, "Nam", 100004)),
]
LEFT = Person("GV199", "Lê Văn Nghỉ", "Nam", 1965, "Giáo viên", _pid("001", 1965, "Nam", 100005))

CLASS = "3A"
GRADE = 3


def pupils(year: str) -> list[tuple[str, str, date, str, str]]:
    """(personal id, name, birth date, sex, ethnic group) of class 3A: born grade + 5 years before the year starts."""
    by = int(year[:4]) - GRADE - 5
    names = [("Nguyễn Hoàng An", "Nam"), ("Lê Thị Bảo Châu", "Nữ"), ("Vũ Đức Dũng", "Nam"), ("Hà Thị Giang", "Nữ")]
    return [(_pid("001", by, sex, 200001 + i), name, date(by, 2 + i, 10 + i), sex, "Kinh" if i != 3 else "Tày")
            for i, (name, sex) in enumerate(names)]


def header_map(ws: Any, max_rows: int = 15) -> tuple[int, dict[str, int]]:
    """The header row of a template (the first row naming «Họ và tên» or «Họ tên») and its columns by
    lower-cased text."""
    for r in range(1, max_rows + 1):
        texts = {str(c.value).strip().lower(): c.column for c in ws[r] if c.value is not None}
        if any(t.startswith("họ và tên") or t.startswith("họ tên") for t in texts):
            return r, texts
    raise AssertionError("no header row")


def fill_rows(template: Path, out: Path, rows: list[dict[str, Any]]) -> None:
    """Fill a template's first sheet: each row's keys are header prefixes (lower case)."""
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    hr, cols = header_map(ws)
    for i, values in enumerate(rows, start=1):
        for prefix, value in values.items():
            col = next((c for t, c in cols.items() if t.startswith(prefix)), None)
            assert col is not None, (prefix, list(cols))
            ws.cell(hr + i, col).value = value
    wb.save(out)
