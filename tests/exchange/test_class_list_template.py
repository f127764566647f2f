"""The blank template: expected columns, text-formatted identity column, drop-downs, and it reads back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.class_list_template import DATA_SHEET, LIST_SHEET, write_template


def test_template_columns_and_drop_downs(tmp_path: Path) -> None:
    p = write_template(tmp_path / "mau.xlsx", ["1A", "1B", "2A"], "2025-2026")
    wb = load_workbook(p)
    ws = wb[DATA_SHEET]
    header = [c.value for c in ws[1]]
    for name in ("Lớp", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc"):
        assert name in header
    assert wb[LIST_SHEET].sheet_state == "hidden"
    validations = {str(dv.sqref).split(":")[0][0]: dv for dv in ws.data_validations.dataValidation}
    col = {name: chr(ord("A") + i) for i, name in enumerate(header)}
    assert validations[col["Giới tính"]].formula1 == f"'{LIST_SHEET}'!$A$2:$A$3"
    assert validations[col["Dân tộc"]].formula1 == f"'{LIST_SHEET}'!$B$2:$B$56"
    assert validations[col["Lớp"]].formula1 == f"'{LIST_SHEET}'!$C$2:$C$4"
    assert validations[col["Lớp"]].errorStyle == "warning"
    lists = wb[LIST_SHEET]
    assert [lists[f"A{i}"].value for i in (2, 3)] == ["Nam", "Nữ"]
    assert lists["B2"].value == "Kinh" and lists["B56"].value == "Người nước ngoài"
    assert [lists[f"C{i}"].value for i in (2, 3, 4)] == ["1A", "1B", "2A"]
    assert ws[f"{col['Mã định danh']}2"].number_format == "@"


def test_filled_template_reads_back(tmp_path: Path) -> None:
    p = write_template(tmp_path / "mau.xlsx")
    wb = load_workbook(p)
    ws = wb[DATA_SHEET]
    header = [c.value for c in ws[1]]
    values = {"STT": 1, "Lớp": "1A", "Họ và tên": "Nguyễn Văn An", "Ngày sinh": date(2019, 3, 4), "Giới tính": "Nam",
              "Mã định danh": "001219012345", "Dân tộc": "Kinh", "Nơi sinh": "Hải Phòng"}
    for name, v in values.items():
        ws.cell(row=2, column=header.index(name) + 1, value=v)
    wb.save(p)
    cl = read_class_list(p, "2025-2026")
    assert cl.ok, [x.message() for x in cl.errors]
    (s,) = cl.students()
    assert (s.full_name, s.class_name, s.birthplace) == ("Nguyễn Văn An", "1A", "Hải Phòng")
    assert cl.ignored_columns == [(DATA_SHEET, "STT")]
