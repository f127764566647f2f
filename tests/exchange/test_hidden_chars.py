"""Issue 15: names and IDs carrying bidi overrides, zero-width or control characters, or digits other
than 0-9, are refused with their row by the class-list, staff and grid imports (one validator:
domain/text.hidden_char_problem); honest Vietnamese names still pass."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from hocbaso_desktop.domain.identity import check_personal_id, restore_leading_zeros
from hocbaso_desktop.domain.text import hidden_char_problem, reveal
from hocbaso_desktop.domain.typed_dates import parse_date
from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.class_list_values import parse_class_name, parse_personal_id
from hocbaso_desktop.exchange.staff_list import read_staff_list
from tests.staff_fixtures import PEOPLE, write_csdl_giaovien

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp", "Nơi ở hiện nay"]
GOOD = ["Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A", "Số 1 Trần Phú"]
ARABIC = "٠٠١٢١٩٠١٢٣٤٦"  # 001219012346 in Arabic-Indic digits: int() and isdigit() accept it
FULLWIDTH = "００１２１９０１２３４７"

HOSTILE_NAMES = {
    "rlo": "Trần Thị \u202eBình",
    "lri": "Lê \u2066Văn\u2069 Cường",
    "zwsp": "Phạm\u200b Văn Dũng",
    "zwj": "Hoàng\u200d Thu",
    "bom": "\ufeffĐỗ Minh Khoa",
    "ctrl": "Vũ\x7f Thị Mai",  # DEL: a control character an .xlsx can hold (\x07 it cannot)
    "digit": "Bùi Văn ٣",
}
HOSTILE_IDS = {"arabic": ARABIC, "fullwidth": FULLWIDTH, "zwsp": "0012190123\u200b48", "rlm": "\u200f001219012349"}


def test_validator_refuses_hidden_and_foreign_digits_and_accepts_vietnamese() -> None:
    for text in [*HOSTILE_NAMES.values(), *HOSTILE_IDS.values(), "x\u00ady", "\ue000"]:
        assert hidden_char_problem(text), repr(text)
    for text in ("Nguyễn Thị Ánh Tuyết", "Đặng Hữu Phước", "H'Hen Niê", "Nguyễn  Văn\tAn\n", "001219012345",
                 "Số 12/3 Lê Lợi, P. 4", "Ê-đê", ""):
        assert hidden_char_problem(text) == "", repr(text)
    assert hidden_char_problem("Bùi Văn ٣", digits=False) == ""
    assert "U+202E" in hidden_char_problem(HOSTILE_NAMES["rlo"])
    assert reveal("A\u202eB\x07C") == "A<U+202E>B<U+0007>C"


def test_ascii_digits_only_in_ids_classes_and_dates() -> None:
    assert parse_personal_id(ARABIC)[0] is None and parse_personal_id(FULLWIDTH)[0] is None
    assert not check_personal_id(ARABIC).ok and restore_leading_zeros("١٢١٩٠١٢٣٤٥") is None
    assert parse_class_name("٣A")[0] is None and parse_class_name("3A")[0] == ("3A", 3)
    assert parse_date("٠٥/٠٩/٢٠١٨")[0] is None and parse_date("05/09/2018")[0] == date(2018, 9, 5)


def _class_list(tmp_path: Path, rows: list[list], name: str = "ds.xlsx") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for i, r in enumerate(rows, start=1):
        ws.append([i, *r])
    p = tmp_path / name
    wb.save(p)
    return p


@pytest.mark.parametrize("key", sorted(HOSTILE_NAMES))
def test_class_list_refuses_a_hidden_character_in_a_name(tmp_path: Path, key: str) -> None:
    bad = [HOSTILE_NAMES[key], date(2019, 6, 5), "Nữ", "079319000002", "Kinh", "1A", ""]
    cl = read_class_list(_class_list(tmp_path, [GOOD, bad]), "2025-2026")
    assert [r.student is not None for r in cl.rows] == [True, False]  # the row is refused, the other kept
    (err,) = [p for p in cl.problems if p.is_error]
    assert err.row == 3 and err.field == "full_name" and "U+" in err.reason
    assert "<U+" in err.value or key == "digit"  # the hidden character is shown where it sits (a digit is visible)


@pytest.mark.parametrize("key", sorted(HOSTILE_IDS))
def test_class_list_refuses_foreign_digits_or_hidden_characters_in_an_id(tmp_path: Path, key: str) -> None:
    bad = ["Trần Thị Bình", date(2019, 6, 5), "Nữ", HOSTILE_IDS[key], "Kinh", "1A", ""]
    cl = read_class_list(_class_list(tmp_path, [GOOD, bad]), "2025-2026")
    assert [r.student is not None for r in cl.rows] == [True, False]
    assert any(p.is_error and p.field == "personal_id" and p.row == 3 for p in cl.problems)


def test_class_list_refuses_hidden_characters_in_any_text_column(tmp_path: Path) -> None:
    bad = ["Trần Thị Bình", date(2019, 6, 5), "Nữ", "079319000002", "Kinh", "1A", "Số 2 \u202eLê Lợi"]
    cl = read_class_list(_class_list(tmp_path, [bad]), "2025-2026")
    assert cl.rows[0].student is None
    assert any(p.is_error and p.field == "address" for p in cl.problems)


def test_class_list_with_names_split_over_two_columns(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ đệm", "Tên", "Ngày sinh", "Giới tính", "Mã định danh", "Lớp"])
    ws.append([1, "Nguyễn Văn", "An", date(2019, 3, 4), "Nam", "001219012345", "1A"])
    ws.append([2, "Trần\u200b Thị", "Bình", date(2019, 6, 5), "Nữ", "079319000002", "1A"])
    p = tmp_path / "parts.xlsx"
    wb.save(p)
    cl = read_class_list(p, "2025-2026")
    assert [r.student is not None for r in cl.rows] == [True, False]


def test_class_list_sheet_named_with_foreign_digits_is_no_class(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "٣A"
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh"])
    ws.append([1, "Nguyễn Văn An", date(2017, 3, 4), "Nam", "001217012345"])
    p = tmp_path / "sheet.xlsx"
    wb.save(p)
    cl = read_class_list(p, "2025-2026")
    assert all(r.student is None for r in cl.rows)


def test_staff_import_refuses_hidden_characters_and_foreign_digits(tmp_path: Path) -> None:
    people = list(PEOPLE[:4])
    people[1] = (people[1][0], "Nguyễn Văn \u202eHòa", *people[1][2:])
    people[2] = (people[2][0], people[2][1], people[2][2], people[2][3], "٠٠١١٨٨٠٠٣٤٥٦", *people[2][5:])
    sl = read_staff_list(write_csdl_giaovien(tmp_path / "gv.xlsx", people))
    names = [r.full_name for r in sl.rows]
    assert PEOPLE[0][1] in names and PEOPLE[3][1] in names
    assert not any("Hòa" in n for n in names) and PEOPLE[2][1] not in names
    rows_with_errors = {p.row for p in sl.problems if p.severity == "error"}
    assert len(rows_with_errors) == 2
