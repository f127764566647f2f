"""Issue 15: user text never leaves the program as a live formula.

A pupil named `=HYPERLINK("http://x","y")` or `=cmd|' /C calc'!A0` arrives through an ordinary class
list (a text cell in the teacher's file); every workbook the program writes from the database — the
grid workbook, the class summary, the statistics report, the assignment template, the import's
problem report — must hold that name as a text cell (data_type "s"), and no <f> element anywhere.
"""

from __future__ import annotations

import dataclasses
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from hocbaso_desktop.domain.report_data import SupportLine
from hocbaso_desktop.domain.roles import ADMIN, SUBJECT
from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.class_list_report import write_report
from hocbaso_desktop.exchange.report_xlsx import write_report_xlsx
from hocbaso_desktop.exchange.xlsx_write import needs_text, neutralize, save_atomic
from hocbaso_desktop.services import accounts, assignment_import, class_import, directory, staff_admin
from hocbaso_desktop.services.class_summary import export_class_summary
from hocbaso_desktop.services.grid_excel import export_grid
from hocbaso_desktop.services.reports import build_report
from hocbaso_desktop.services.staff_admin import StaffInput
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import SchoolClass

LINK = '=HYPERLINK("http://x","y")'
DDE = "=cmd|' /C calc'!A0"
OTHERS = ["+1+2 Nguyễn", "-2+3 Trần", "@SUM(A1) Lê"]
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"]
PUPILS = [
    (LINK, "001219012345"), (DDE, "079319000002"), (OTHERS[0], "001219012346"), (OTHERS[1], "001219012347"),
    (OTHERS[2], "001219012348"), ("Nguyễn Văn An", "001219012349"),
]
HOSTILE = {LINK, DDE, *OTHERS}


def hostile_list(path: Path) -> Path:
    """The attacker's class list: the names are TEXT cells (what Excel keeps for a name typed after ')."""
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỌC SINH NĂM HỌC 2025-2026"])
    ws.append(HEADER)
    for i, (name, pid) in enumerate(PUPILS, start=1):
        ws.append([i, None, date(2019, 3, 4), "Nam", pid, "Kinh", "1A"])
        c = ws.cell(ws.max_row, 2)
        c.value = name
        c.data_type = "s"
    wb.save(path)
    return path


def no_formula_anywhere(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                data = z.read(name)
                assert b"<f>" not in data and b"<f " not in data and b":f>" not in data, (path.name, name)


def hostile_cells(path: Path) -> dict[str, str]:
    """Every cell holding one of the hostile names: value → data_type."""
    found: dict[str, str] = {}
    wb = load_workbook(path)  # not read-only: data_type and styles as stored
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and any(h in c.value for h in HOSTILE):
                    assert c.data_type == "s", (path.name, ws.title, c.coordinate, c.value)
                    if c.value in HOSTILE:
                        assert c.quotePrefix, (path.name, ws.title, c.coordinate)
                    found[c.value] = c.data_type
    return found


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> Store:
    plan = class_import.plan_import(empty_store, hostile_list(tmp_path / "ds.xlsx"))
    assert plan.ok, plan.errors
    class_import.apply_import(empty_store, plan)
    names = {r.full_name for r in directory.students(empty_store, year="2025-2026")}
    assert HOSTILE <= names  # stored as typed: a name, not a formula, in the database
    return empty_store


def _class_id(store: Store) -> int:
    with store.read() as s:
        return s.execute(select(SchoolClass.id).where(SchoolClass.name == "1A")).scalar_one()


def test_grid_workbook_holds_the_names_as_text(school: Store, tmp_path: Path) -> None:
    out = export_grid(school, _class_id(school), "GK1", tmp_path / "grid.xlsx").path
    assert set(hostile_cells(out)) >= HOSTILE
    no_formula_anywhere(out)


def test_class_summary_holds_the_names_as_text(school: Store, tmp_path: Path) -> None:
    out = export_class_summary(school, _class_id(school), "GK1", tmp_path / "tong-hop.xlsx")
    assert set(hostile_cells(out)) >= HOSTILE
    no_formula_anywhere(out)


def test_report_holds_the_names_as_text(school: Store, tmp_path: Path) -> None:
    report = build_report(school, "GK1")
    report = dataclasses.replace(report, support=[SupportLine("1A", pid, name, ("Toán: C",)) for name, pid in PUPILS])
    out = write_report_xlsx(report, tmp_path / "bao-cao.xlsx")
    assert set(hostile_cells(out)) >= HOSTILE
    no_formula_anywhere(out)


def test_import_problem_report_holds_the_file_values_as_text(tmp_path: Path) -> None:
    cl = read_class_list(hostile_list(tmp_path / "ds.xlsx"), "2025-2026")
    out = write_report(cl, tmp_path / "bao-cao-nhap.xlsx")
    assert set(hostile_cells(out)) >= HOSTILE
    no_formula_anywhere(out)


def test_assignment_template_holds_staff_names_as_text(school: Store, tmp_path: Path) -> None:
    accounts.create_first_admin(school, "QT01", "Phạm Minh Tuấn", "Hòa Bình 2025!", role=ADMIN)
    qt = accounts.authenticate(school, "QT01", "Hòa Bình 2025!")
    staff_admin.add_staff(school, qt, StaffInput(full_name=DDE, roles=(SUBJECT,)))
    out = assignment_import.export_template(school, tmp_path / "phan-cong.xlsx", "2025-2026")
    assert DDE in hostile_cells(out)
    no_formula_anywhere(out)


def test_save_atomic_neutralises_whatever_a_writer_put_in() -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = LINK  # openpyxl alone makes this a formula
    assert ws["A1"].data_type == "f"
    ws["A2"] = "\tTab"
    ws["A3"] = "Nguyễn Văn An"
    ws["A4"] = -5
    assert neutralize(wb) == 2
    assert (ws["A1"].data_type, ws["A2"].data_type, ws["A3"].quotePrefix, ws["A4"].data_type) == ("s", "s", False, "n")
    assert [needs_text(t) for t in ("=1", "+1", "-1", "@x", "\rA", "\x01A", "An", "")] == [True] * 6 + [False] * 2


def test_saved_workbook_has_no_formula_and_is_owner_only(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["B2"] = DDE
    out = save_atomic(wb, tmp_path / "x.xlsx")
    no_formula_anywhere(out)
    assert load_workbook(out).active["B2"].value == DDE
    assert out.stat().st_mode & 0o077 == 0
