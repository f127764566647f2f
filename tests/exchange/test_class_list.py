"""The class-list reader on workbooks built the way real ones arrive (title blocks, split names, quirks)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.class_list_report import write_report

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"]
ROW_A = [1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A"]
ROW_B = [2, "Trần Thị Bình", date(2019, 6, 5), "Nữ", "079319000002", "Kinh", "1A"]


def book(tmp_path: Path, rows: list[list], title: str = "Danh sách", name: str = "ds.xlsx", merges: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    p = tmp_path / name
    wb.save(p)
    return p


def errors_of(cl) -> list[str]:
    return [p.message() for p in cl.errors]


def test_plain_list_reads_clean(tmp_path: Path) -> None:
    cl = read_class_list(book(tmp_path, [HEADER, ROW_A, ROW_B]), "2025-2026")
    assert cl.ok, errors_of(cl)
    a, b = cl.students()
    assert (a.personal_id, a.full_name, a.birth_date, a.sex, a.ethnicity_code, a.class_name, a.grade) == (
        "001219012345", "Nguyễn Văn An", date(2019, 3, 4), "Nam", "01", "1A", 1)
    assert b.sex == "Nữ"
    assert cl.ignored_columns == [("Danh sách", "STT")]


def test_title_block_merged_cells_and_signature_lines(tmp_path: Path) -> None:
    rows = [
        ["PHÒNG GIÁO DỤC VÀ ĐÀO TẠO", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
        ["TRƯỜNG TIỂU HỌC HÒA BÌNH"],
        [],
        ["DANH SÁCH HỌC SINH NĂM HỌC 2025 - 2026"],
        [],
        HEADER, ROW_A, ROW_B,
        [],
        [None, "Người lập biểu", None, None, "Hiệu trưởng"],
        [None, "(Ký, ghi rõ họ tên)"],
        [None, "Nguyễn Thị Lan", None, None, "Phạm Văn Đức"],
    ]
    cl = read_class_list(book(tmp_path, rows, merges=("A1:C1", "D1:G1", "A4:G4")))
    assert cl.ok, errors_of(cl)
    assert cl.year == "2025-2026"  # taken from the title block
    assert [r.row for r in cl.rows] == [7, 8]  # Excel row numbers; the signers are not pupils
    assert [s.full_name for s in cl.students()] == ["Nguyễn Văn An", "Trần Thị Bình"]


@pytest.mark.parametrize("header", [
    ["stt", "HỌ VÀ TÊN", "NGÀY SINH", "GIỚI TÍNH", "MÃ ĐỊNH DANH", "DÂN TỘC", "LỚP"],
    ["TT", "Họ tên", "Ngày sinh (dd/mm/yyyy)", "Giới tính (*)", "Số định danh cá nhân", "Dân tộc", "Tên lớp"],
    ["TT", "  Họ   và tên  ", "Ngày tháng năm sinh", "Giới  tính", "Mã định danh cá nhân", "Dân  tộc", "Lớp"],
    ["TT", unicodedata.normalize("NFD", "Họ và tên"), "Ngày sinh", "Giới tính", "Mã HS", "Dân tộc", "Lớp"],
])
def test_header_spellings(tmp_path: Path, header: list[str]) -> None:
    cl = read_class_list(book(tmp_path, [header, ROW_A]), "2025-2026")
    assert cl.ok, errors_of(cl)
    assert cl.students()[0].personal_id == "001219012345"


def test_name_in_two_columns_and_two_row_header(tmp_path: Path) -> None:
    rows = [
        ["STT", "Họ và tên", None, "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"],
        [None, "Họ đệm", "Tên", None, None, None, None, None],
        [1, "Nguyễn  Văn", "An", "04/03/2019", "Nam", "001219012345", "Kinh", "1A"],
    ]
    cl = read_class_list(book(tmp_path, rows, merges=("B1:C1", "A1:A2", "D1:D2")), "2025-2026")
    assert cl.ok, errors_of(cl)
    assert cl.students()[0].full_name == "Nguyễn Văn An"
    assert cl.rows[0].row == 3


def test_name_in_two_columns_single_header(tmp_path: Path) -> None:
    rows = [["Họ đệm", "Tên", "Ngày sinh", "Giới tính", "Mã định danh", "Lớp"],
            ["Trần Thị", "Bình", "05/06/2019", "Nữ", "079319000002", "1A"]]
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    assert cl.students()[0].full_name == "Trần Thị Bình"
    # no Dân tộc column: a warning, not an error
    assert cl.ok and any("Dân tộc" in p.message() for p in cl.warnings)


def test_nfd_and_stray_spaces_become_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "  Nguyễn   Thị  Ánh Tuyết ")
    cl = read_class_list(book(tmp_path, [HEADER, [1, nfd, date(2019, 2, 3), "Nữ", "001319012345", "Kinh", "1A"]]),
                         "2025-2026")
    name = cl.students()[0].full_name
    assert name == "Nguyễn Thị Ánh Tuyết" and unicodedata.is_normalized("NFC", name)


@pytest.mark.parametrize("value, expected", [
    (datetime(2019, 3, 4), date(2019, 3, 4)),
    ("04/03/2019", date(2019, 3, 4)),
    ("4/3/2019", date(2019, 3, 4)),
    ("04-03-2019", date(2019, 3, 4)),
    ("2019-03-04", date(2019, 3, 4)),
    (43528, date(2019, 3, 4)),  # a serial number in a General-formatted cell
])
def test_dates(tmp_path: Path, value: object, expected: date) -> None:
    cl = read_class_list(book(tmp_path, [HEADER, [1, "Nguyễn Văn An", value, "Nam", "001219012345", "Kinh", "1A"]]),
                         "2025-2026")
    assert cl.ok, errors_of(cl)
    assert cl.students()[0].birth_date == expected


@pytest.mark.parametrize("value, reason", [
    ("31/02/2019", "ngày không có thật"),
    ("4/3/19", "4 chữ số"),
    ("mùng 4 tháng 3", "không đọc được ngày"),
    (None, "để trống ngày sinh"),
])
def test_bad_dates_are_errors_with_row_and_column(tmp_path: Path, value: object, reason: str) -> None:
    cl = read_class_list(book(tmp_path, [HEADER, ROW_A, [2, "Lê Văn Cường", value, "Nam", "001219000003", "Kinh", "1A"]]),
                         "2025-2026")
    (err,) = cl.errors
    assert (err.sheet, err.row, err.column, err.cell) == ("Danh sách", 3, "Ngày sinh", "C3")
    assert reason in err.reason and "dòng 3" in err.message()


def test_identity_number_stored_as_number_gets_its_zeros_back(tmp_path: Path) -> None:
    rows = [HEADER, [1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", 1219012345, "Kinh", "1A"],
            [2, "Trần Thị Bình", date(2019, 6, 5), "Nữ", 79319000002, "Kinh", "1A"]]
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    assert cl.ok, errors_of(cl)
    assert [s.personal_id for s in cl.students()] == ["001219012345", "079319000002"]
    assert cl.restored_ids == 2


def test_identity_number_that_cannot_be_restored_is_an_error(tmp_path: Path) -> None:
    rows = [HEADER, [1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", 3219012345, "Kinh", "1A"]]  # 003 is no province
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    (err,) = cl.errors
    assert err.field == "personal_id" and "12 chữ số" in err.reason


def test_identity_disagreeing_with_row_is_a_warning(tmp_path: Path) -> None:
    # G=3 says nữ, YY=18 says 2018; the row says Nam, 2019.
    rows = [HEADER, [1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "001318012345", "Kinh", "1A"]]
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    assert cl.ok
    reasons = " | ".join(p.reason for p in cl.warnings)
    assert "Năm sinh trong mã" in reasons and "giới tính" in reasons
    assert len(cl.students()) == 1


def test_duplicate_identity_names_both_rows(tmp_path: Path) -> None:
    dup = [3, "Lê Văn Cường", date(2019, 1, 1), "Nam", "001219012345", "Kinh", "1B"]
    cl = read_class_list(book(tmp_path, [HEADER, ROW_A, ROW_B, dup]), "2025-2026")
    msgs = errors_of(cl)
    assert len(msgs) == 2
    assert "dòng 2" in msgs[0] and "trùng với dòng 4" in msgs[0]
    assert "dòng 4" in msgs[1] and "trùng với dòng 2" in msgs[1]


@pytest.mark.parametrize("value, ok, expected", [
    ("Nam", True, "Nam"), ("nữ", True, "Nữ"), ("NỮ", True, "Nữ"), ("Nu", True, "Nữ"), (1, True, "Nam"), (2, True, "Nữ"),
    ("x", False, None), (None, False, None),
])
def test_sex_spellings(tmp_path: Path, value: object, ok: bool, expected: str | None) -> None:
    pid = "001319012345" if expected == "Nữ" else "001219012345"
    cl = read_class_list(book(tmp_path, [HEADER, [1, "Nguyễn An", date(2019, 3, 4), value, pid, "Kinh", "1A"]]), "2025-2026")
    assert cl.ok == ok, errors_of(cl)
    if ok:
        assert cl.students()[0].sex == expected


@pytest.mark.parametrize("value, code", [("Kinh", "01"), ("Khmer", "05"), ("Khơ-me", "05"), ("H'Mông", "08"),
                                         ("Raglay", "19"), ("Gié-Triêng", "29"), ("Người nước ngoài", "55"), ("ê đê", "11")])
def test_ethnic_spellings(tmp_path: Path, value: str, code: str) -> None:
    cl = read_class_list(book(tmp_path, [HEADER, [1, "Nguyễn An", date(2019, 3, 4), "Nam", "001219012345", value, "1A"]]), "2025-2026")
    assert cl.ok, errors_of(cl)
    assert cl.students()[0].ethnicity_code == code


def test_unknown_ethnic_group_is_an_error(tmp_path: Path) -> None:
    cl = read_class_list(book(tmp_path, [HEADER, [1, "Nguyễn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh Tày", "1A"]]), "2025-2026")
    (err,) = cl.errors
    assert err.field == "ethnicity" and "54 dân tộc" in err.reason


@pytest.mark.parametrize("value, name, grade", [("3A", "3A", 3), ("3a1", "3A1", 3), ("Lớp 3A", "3A", 3), ("lop 5 b", "5B", 5),
                                                ("3/1", "3/1", 3)])
def test_class_names(tmp_path: Path, value: str, name: str, grade: int) -> None:
    birth = date(2020 - grade, 5, 5)
    cl = read_class_list(book(tmp_path, [HEADER, [1, "Nguyễn An", birth, "Nam", f"0012{birth.year % 100}012345", "Kinh", value]]), "2025-2026")
    assert cl.ok, errors_of(cl)
    s = cl.students()[0]
    assert (s.class_name, s.grade) == (name, grade)


@pytest.mark.parametrize("value, reason", [("6A", "khối 6"), ("A3", "bắt đầu bằng khối"), (None, "để trống lớp")])
def test_bad_class_names(tmp_path: Path, value: object, reason: str) -> None:
    cl = read_class_list(book(tmp_path, [HEADER, [1, "Nguyễn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", value]]), "2025-2026")
    (err,) = cl.errors
    assert err.field == "class_name" and reason in err.reason


def test_ages_against_grade(tmp_path: Path) -> None:
    rows = [HEADER,
            [1, "Đúng Tuổi", date(2017, 1, 1), "Nam", "001217000001", "Kinh", "3A"],  # grade 3 → 2017
            [2, "Lưu Ban", date(2016, 1, 1), "Nam", "001216000002", "Kinh", "3A"],  # one year older: warning
            [3, "Gõ Nhầm", date(2024, 1, 1), "Nam", "001224000003", "Kinh", "3A"],  # a baby: error
            [4, "Ông Già", date(1990, 1, 1), "Nam", "001090000004", "Kinh", "3A"]]  # error
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    assert [(p.row, p.severity) for p in cl.problems if p.field == "birth_date"] == [(3, "warning"), (4, "error"), (5, "error")]


def test_one_sheet_per_class(tmp_path: Path) -> None:
    wb = Workbook()
    for i, cls in enumerate(("1A", "Lớp 2B")):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = cls
        ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc"])
        grade = i + 1
        ws.append([1, f"Học Sinh {cls}", date(2020 - grade, 1, 2), "Nam", f"0012{(2020 - grade) % 100}00000{i}", "Kinh"])
    wb.create_sheet("Ghi chú")["A1"] = "Trang này không có danh sách"
    p = tmp_path / "per_class.xlsx"
    wb.save(p)
    cl = read_class_list(p, "2025-2026")
    assert cl.ok, errors_of(cl)
    assert [(s.class_name, s.grade) for s in cl.students()] == [("1A", 1), ("2B", 2)]
    assert cl.skipped_sheets == ["Ghi chú"]


def test_sheet_without_class_is_one_error(tmp_path: Path) -> None:
    rows = [HEADER[:-1], ROW_A[:-1], ROW_B[:-1]]
    cl = read_class_list(book(tmp_path, rows, title="Sheet1"), "2025-2026")
    (err,) = cl.errors
    assert "không có cột Lớp" in err.reason and err.row == 2


def test_section_rows_name_the_class(tmp_path: Path) -> None:
    rows = [HEADER[:-1], ["LỚP 1A"], ROW_A[:-1], ["Lớp 1B"], ROW_B[:-1]]
    cl = read_class_list(book(tmp_path, rows, title="Sheet1"), "2025-2026")
    assert cl.ok, errors_of(cl)
    assert [s.class_name for s in cl.students()] == ["1A", "1B"]


def test_merged_class_cells_fill_down(tmp_path: Path) -> None:
    rows = [HEADER, ROW_A, ROW_B[:-1] + [None], [3, "Lê Văn Cường", date(2019, 1, 1), "Nam", "001219000003", "Kinh", None]]
    cl = read_class_list(book(tmp_path, rows, merges=("G2:G4",)), "2025-2026")
    assert cl.ok, errors_of(cl)
    assert [s.class_name for s in cl.students()] == ["1A", "1A", "1A"]


def test_formulas_cached_values_and_uncalculated(tmp_path: Path) -> None:
    # openpyxl writes formulas without cached values: exactly the "never calculated" case.
    rows = [HEADER, ROW_A, [2, "Trần Thị Bình", date(2019, 6, 5), "Nữ", '="0793"&"19000002"', "Kinh", "1A"]]
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    (err,) = cl.errors
    assert err.row == 3 and err.field == "personal_id" and "công thức" in err.reason


def test_formula_with_cached_value_reads_the_value(tmp_path: Path) -> None:
    p = book(tmp_path, [HEADER, ROW_A, [2, "Trần Thị Bình", date(2019, 6, 5), "Nữ", "079319000002", "Kinh", "1A"]])
    _inject_cached_formula(p, "E3", "079319000002")
    cl = read_class_list(p, "2025-2026")
    assert cl.ok, errors_of(cl)
    assert cl.students()[1].personal_id == "079319000002"


def test_excel_error_value_is_reported(tmp_path: Path) -> None:
    p = book(tmp_path, [HEADER, ROW_A])
    _inject_error(p, "F2", "#N/A")
    cl = read_class_list(p, "2025-2026")
    (err,) = cl.errors
    assert err.field == "ethnicity" and "lỗi công thức" in err.reason and err.value == "#N/A"


def test_moet_code_beside_personal_id(tmp_path: Path) -> None:
    rows = [["Họ và tên", "Ngày sinh", "Giới tính", "Mã học sinh", "Số định danh cá nhân", "Lớp", "Dân tộc"],
            ["Nguyễn Văn An", date(2019, 3, 4), "Nam", "3100090112", "001219012345", "1A", "Kinh"]]
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    s = cl.students()[0]
    assert (s.personal_id, s.moet_code) == ("001219012345", "3100090112")


def test_missing_required_column_is_reported_once_at_header(tmp_path: Path) -> None:
    rows = [["Họ và tên", "Ngày sinh", "Giới tính", "Lớp", "Dân tộc"], ["Nguyễn Văn An", date(2019, 3, 4), "Nam", "1A", "Kinh"],
            ["Trần Thị Bình", date(2019, 3, 4), "Nữ", "1A", "Kinh"]]
    # without an id column the row is not a header: name + sex + dob + class still counts
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    assert [(p.row, p.column) for p in cl.errors] == [(1, "Mã định danh")]
    assert cl.students() == []


def test_repeated_header_column_numbers_and_blank_template_rows_are_skipped(tmp_path: Path) -> None:
    rows = [HEADER, ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"], ROW_A, HEADER, ROW_B, [3], [4], [5]]
    cl = read_class_list(book(tmp_path, rows), "2025-2026")
    assert cl.ok, errors_of(cl)
    assert [r.row for r in cl.rows] == [3, 5]


def test_title_year_differs_from_requested_year_warns(tmp_path: Path) -> None:
    cl = read_class_list(book(tmp_path, [["DANH SÁCH HỌC SINH NĂM HỌC 2024-2025"], HEADER, ROW_A]), "2025-2026")
    assert cl.year == "2025-2026"
    assert any("2024-2025" in p.message() for p in cl.warnings)


def test_error_report_marks_bad_cells(tmp_path: Path) -> None:
    bad = [2, "Trần Thị Bình", "31/02/2019", "Nữ", "079319000002", "Klingon", "1A"]
    cl = read_class_list(book(tmp_path, [HEADER, ROW_A, bad]), "2025-2026")
    out = write_report(cl, tmp_path / "bao_cao.xlsx")
    wb = load_workbook(out)
    ws = wb["Danh sách đã đọc"]
    header = [c.value for c in ws[1]]
    row = ws[3]
    dob = row[header.index("Ngày sinh")]
    eth = row[header.index("Dân tộc")]
    assert dob.value == "31/02/2019" and dob.fill.fgColor.rgb.endswith("FFC7CE") and "không có thật" in dob.comment.text
    assert eth.fill.fgColor.rgb.endswith("FFC7CE")
    assert ws[2][header.index("Ngày sinh")].fill.fgColor.rgb in (None, "00000000")
    lst = wb["Lỗi và cảnh báo"]
    assert lst.max_row == 1 + len(cl.problems)


# --- helpers that write what openpyxl cannot: cached formula values and error cells -------------
def _patch_sheet(path: Path, cell: str, xml: str) -> None:
    import re
    import zipfile

    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)'.encode(), xml.encode(), data, count=1, flags=re.S)
            zout.writestr(item, data)
    tmp.replace(path)


def _inject_cached_formula(path: Path, cell: str, value: str) -> None:
    _patch_sheet(path, cell, f'<c r="{cell}" t="str"><f>"0793"&amp;"19000002"</f><v>{value}</v></c>')


def _inject_error(path: Path, cell: str, err: str) -> None:
    _patch_sheet(path, cell, f'<c r="{cell}" t="e"><f>VLOOKUP(1,A1:A2,2,0)</f><v>{err}</v></c>')
