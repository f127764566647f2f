"""The phân công workbook: template from the school (classes, current cells, greyed subjects, staff
sheet, drop-downs, text cells), filled in and imported all or nothing, problems named by row and
column, hostile workbooks refused as unreadable."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from hocbaso_desktop.domain.errors import InputFileError, PermissionDenied
from hocbaso_desktop.exchange.assignment_sheet import SHEET, STAFF_SHEET, read_sheet
from hocbaso_desktop.services import assignments as A
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.assignment_import import export_template, import_sheet
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry
from tests.assign_school import YEAR, build_school


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(build_school(tmp_path / "school.sqlite3"))
    yield s
    s.close()


def header_cols(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[2] if c.value}


def class_rows(ws) -> dict[str, int]:
    return {ws.cell(row=r, column=1).value: r for r in range(3, ws.max_row + 1) if ws.cell(row=r, column=1).value}


def audit_count(store: Store) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar()


def test_template_lists_classes_subjects_and_staff(store: Store, tmp_path: Path) -> None:
    A.set_homeroom(store, directory.actor(store, "QT01"), "1A", "GV001")
    A.add_subject_teacher(store, directory.actor(store, "QT01"), "1A", "TOAN", "GV003")
    A.add_subject_teacher(store, directory.actor(store, "QT01"), "1A", "TOAN", "GV004")
    out = export_template(store, tmp_path / "pc.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    assert YEAR in ws["A1"].value
    cols, rows = header_cols(ws), class_rows(ws)
    assert list(cols)[:4] == ["Lớp", "Khối", "GVCN", "Tiếng Việt"] and "Khoa học" in cols and "Ngoại ngữ 1" in cols
    assert list(rows) == ["1A", "2A", "4A"]
    assert ws.cell(rows["1A"], cols["GVCN"]).value == "GV001"
    assert ws.cell(rows["1A"], cols["Toán"]).value == "GV003, GV004"
    assert ws.cell(rows["1A"], cols["Toán"]).number_format == "@"
    kh = ws.cell(rows["2A"], cols["Khoa học"])
    assert kh.value == "—" and kh.fill.fgColor.rgb.endswith("D9D9D9")
    assert ws.cell(rows["4A"], cols["Khoa học"]).value is None
    assert ws.cell(rows["1A"], cols["Ngoại ngữ 1"]).fill.fgColor.rgb.endswith("FFF2CC")  # optional in grade 1
    staff = [(r[0].value, r[1].value) for r in wb[STAFF_SHEET].iter_rows(min_row=2)]
    assert ("GV001", "Trần Thị Mai") in staff and ("HT", "Nguyễn Văn Hiệu") in staff
    assert all(code not in ("GV009", "VP01", "QT01", "PHT") for code, _n in staff)  # left, or no teaching role
    assert ws.data_validations.dataValidation and ws.freeze_panes == "D3"


def test_fill_in_and_import(store: Store, tmp_path: Path) -> None:
    out = export_template(store, tmp_path / "pc.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    cols, rows = header_cols(ws), class_rows(ws)
    ws.cell(rows["1A"], cols["GVCN"]).value = "gv001"
    ws.cell(rows["1A"], cols["Toán"]).value = "GV001, GV003"
    ws.cell(rows["1A"], cols["Tiếng Việt"]).value = "GV001"
    ws.cell(rows["2A"], cols["GVCN"]).value = "GV002"
    ws.cell(rows["4A"], cols["Khoa học"]).value = "GV004"
    ws.cell(rows["4A"], cols["Tin học"]).value = "HT"
    ws.cell(row=2, column=ws.max_column + 1).value = "Ghi chú"  # a column of the school's own: ignored
    wb.save(out)
    dry = import_sheet(store, directory.actor(store, "QT01"), out, dry_run=True)
    assert dry.ok and dry.result is None and A.list_assignments(store) == [] and dry.ignored_columns == ("Ghi chú",)
    res = import_sheet(store, directory.actor(store, "QT01"), out)
    assert res.ok and res.year == YEAR, res.problem_lines()
    assert {r.tsv() for r in A.list_assignments(store)} == {
        "1A\tGVCN\tGV001", "1A\tTOAN\tGV001", "1A\tTOAN\tGV003", "1A\tTV\tGV001", "2A\tGVCN\tGV002",
        "4A\tKH\tGV004", "4A\tTIN\tHT"}
    # the workbook exported now carries them; importing it unchanged changes nothing
    again = export_template(store, tmp_path / "pc2.xlsx")
    n = audit_count(store)
    assert not import_sheet(store, directory.actor(store, "QT01"), again).result.changed and audit_count(store) == n
    # an emptied cell clears that cell only
    wb = load_workbook(again)
    wb[SHEET].cell(rows["1A"], cols["Toán"]).value = "GV003"
    wb.save(again)
    import_sheet(store, directory.actor(store, "HT"), again)
    assert "1A\tTOAN\tGV001" not in {r.tsv() for r in A.list_assignments(store)}


def test_bad_cells_named_by_row_and_column_nothing_written(store: Store, tmp_path: Path) -> None:
    out = export_template(store, tmp_path / "pc.xlsx")
    wb = load_workbook(out)
    ws = wb[SHEET]
    cols, rows = header_cols(ws), class_rows(ws)
    ws.cell(rows["1A"], cols["GVCN"]).value = "GV001"  # fine, but the file as a whole is refused
    ws.cell(rows["1A"], cols["Toán"]).value = "GV009"  # left
    ws.cell(rows["2A"], cols["Khoa học"]).value = "GV004"  # grade 2 has no Khoa học
    ws.cell(rows["2A"], cols["GVCN"]).value = "GV001, GV002"  # two GVCN
    ws.cell(rows["4A"], cols["Tin học"]).value = "GV777"  # unknown
    ws.cell(rows["4A"], cols["Âm nhạc"]).value = "VP01"  # no teaching role
    ws.cell(rows["4A"] + 1, 1).value = "9Z"  # unknown class
    ws.cell(rows["4A"] + 1, cols["GVCN"]).value = "GV002"
    ws.cell(rows["4A"] + 2, 1).value = "1a"  # the same class twice
    ws.cell(rows["4A"], cols["Toán"]).value = "GV001 GV003"  # not a list: a space is not a separator
    wb.save(out)
    before = audit_count(store)
    res = import_sheet(store, directory.actor(store, "QT01"), out)
    lines = res.problem_lines()
    r1, r2, r4 = rows["1A"], rows["2A"], rows["4A"]
    assert f"dòng {r1}, cột «Toán»: GV009 – Bùi Thị Nghỉ đã nghỉ/không còn công tác: không phân công được" in lines
    assert f"dòng {r2}, cột «Khoa học»: khối 2 không học môn Khoa học" in lines
    assert any(x.startswith(f"dòng {r2}, cột «GVCN»: mỗi lớp chỉ có một GVCN") for x in lines)
    assert f"dòng {r4}, cột «Tin học»: không có cán bộ mã GV777" in lines
    assert any(x.startswith(f"dòng {r4}, cột «Âm nhạc»: VP01 – Đặng Thị Văn (Văn phòng) không có vai trò dạy học") for x in lines)
    assert f"dòng {r4 + 1}, cột «Lớp»: không có lớp này trong năm học {YEAR}" in lines
    assert f"dòng {r4 + 2}, cột «Lớp»: lớp 1A đã có ở dòng {r1}" in lines
    assert any(x.startswith(f"dòng {r4}, cột «Toán»: «GV001 GV003» không phải mã cán bộ") for x in lines)
    assert not res.ok and res.result is None and "Cơ sở dữ liệu không thay đổi" in res.summary()
    assert A.list_assignments(store) == [] and audit_count(store) == before


def test_a_teacher_cannot_import(store: Store, tmp_path: Path) -> None:
    out = export_template(store, tmp_path / "pc.xlsx")
    with pytest.raises(PermissionDenied):
        import_sheet(store, directory.actor(store, "GV001"), out)


def test_headers_by_code_or_name_in_any_order(store: Store, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Phân công năm học 2025 - 2026"])
    ws.append(["toan", "GVCN", " lớp ", "Tiếng  việt"])
    ws.append(["GV003", "GV002", "2A", 'GV002;GV004'])
    p = tmp_path / "own.xlsx"
    wb.save(p)
    sheet = read_sheet(p)
    assert sheet.year == YEAR and set(sheet.headers) == {"TOAN", "GVCN", "TV"}
    assert import_sheet(store, directory.actor(store, "QT01"), p).ok
    assert {r.tsv() for r in A.list_assignments(store)} == {"2A\tGVCN\tGV002", "2A\tTOAN\tGV003", "2A\tTV\tGV002", "2A\tTV\tGV004"}


def test_year_of_the_file_must_match(store: Store, tmp_path: Path) -> None:
    out = export_template(store, tmp_path / "pc.xlsx")
    with pytest.raises(Exception, match="Không có năm học 2031-2032"):
        import_sheet(store, directory.actor(store, "QT01"), out, year="2031-2032")


@pytest.mark.parametrize("content, message", [
    (b"", "rỗng"),
    (b"Lop,GVCN\n1A,GV001\n", "không phải tệp Excel"),
    (bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 100, "mật khẩu"),
    (b"PK\x03\x04garbage", "hỏng"),
])
def test_hostile_files_are_unreadable(store: Store, tmp_path: Path, content: bytes, message: str) -> None:
    p = tmp_path / "x.xlsx"
    p.write_bytes(content)
    with pytest.raises(InputFileError, match=message) as e:
        import_sheet(store, directory.actor(store, "QT01"), p)
    assert e.value.exit_code == 2


def test_workbook_without_a_header_is_unreadable(store: Store, tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["Họ và tên", "Ngày sinh"])
    p = tmp_path / "ds.xlsx"
    wb.save(p)
    with pytest.raises(InputFileError, match="không có bảng phân công"):
        import_sheet(store, directory.actor(store, "QT01"), p)
