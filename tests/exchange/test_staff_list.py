"""Staff lists: the CSDL_GiaoVien export (title rows, ~72 columns, any order), our template, row problems
named "dòng N", all or nothing, dry run, idempotent re-import, staff who left, hostile files."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from hocbaso_desktop.domain.errors import HocbasoError, InputFileError
from hocbaso_desktop.domain.roles import ADMIN
from hocbaso_desktop.exchange.staff_list import read_staff_list, roles_for_position
from hocbaso_desktop.exchange.staff_list_template import DATA_SHEET, LIST_SHEET, write_staff_template
from hocbaso_desktop.services import account_admin, accounts, staff_admin, staff_import
from hocbaso_desktop.storage.engine import Store
from tests.staff_fixtures import HEADER, PEOPLE, write_csdl_giaovien

PW = "Hòa Bình 2025!"
TEMP = "tạm-thời-123"


@pytest.fixture
def qt(empty_store: Store):  # noqa: ANN201
    accounts.create_first_admin(empty_store, "QT01", "Phạm Minh Tuấn", PW, role=ADMIN)
    return accounts.authenticate(empty_store, "QT01", PW)


def messages(plan: staff_import.StaffImportPlan) -> list[str]:
    return [p.message() for p in plan.problems]


def staff_codes(store: Store) -> set[str]:
    return {r.code for r in staff_admin.list_staff(store)}


# --- reading ------------------------------------------------------------------------------------------
def test_csdl_export_is_read_by_header_names(tmp_path: Path) -> None:
    assert len(HEADER) == 72
    sl = read_staff_list(write_csdl_giaovien(tmp_path / "CSDL_GiaoVien.xlsx"))
    assert sl.kind == "csdl" and sl.header_row == 4 and sl.ok
    by_name = {r.full_name: r for r in sl.rows}
    ht = by_name["Đỗ Thị Thanh Hương"]
    assert (ht.code, ht.birth_date, ht.sex, ht.personal_id, ht.roles) == (
        "7901001", date(1975, 3, 12), "Nữ", "079175001234", ("principal",))
    assert by_name["Nguyễn Văn Hòa"].roles == ("vice_principal",)
    assert by_name["Trần Thị Mai"].roles == ("homeroom", "subject") and by_name["Trần Thị Mai"].code is None
    assert by_name["Lê Minh Khoa"].personal_id == "031090004567"  # a number-typed ID: zero put back
    assert by_name["Phạm Thu Trang"].roles == ("clerk",) and by_name["Hoàng Thị Lan"].roles == ("archivist",)
    assert not by_name["Vũ Đức Thắng"].active and not by_name["Bùi Thị Hạnh"].active
    assert by_name["Đinh Văn Bảo"].roles is None
    assert any("dòng 13" in p.message() and "Bảo vệ" in p.message() for p in sl.warnings)
    assert len(sl.rows) == len(PEOPLE)  # the "Người lập biểu" line below is not a person


def test_columns_in_any_order_and_header_lower_down(tmp_path: Path) -> None:
    src = write_csdl_giaovien(tmp_path / "a.xlsx", title_rows=6)
    wb = load_workbook(src)
    ws = wb.active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    order = list(range(len(HEADER)))
    random.Random(4).shuffle(order)
    out = Workbook()
    for r in rows:
        out.active.append([r[i] if i < len(r) else None for i in order] if any(r[1:]) else r)
    out.save(tmp_path / "b.xlsx")
    a, b = read_staff_list(src), read_staff_list(tmp_path / "b.xlsx")
    assert b.header_row == 7 and [r.full_name for r in a.rows] == [r.full_name for r in b.rows]
    assert [r.personal_id for r in a.rows] == [r.personal_id for r in b.rows]


def test_role_mapping() -> None:
    assert roles_for_position("Phó Hiệu trưởng") == ("vice_principal",)
    assert roles_for_position("HIỆU TRƯỞNG") == ("principal",)
    assert roles_for_position("Giáo viên tiểu học hạng III") == ("homeroom", "subject")
    assert roles_for_position("Kế toán") == ("clerk",) and roles_for_position("Văn thư") == ("clerk",)
    assert roles_for_position("Nhân viên thư viện") == ("archivist",)
    assert roles_for_position("Bảo vệ") == () and roles_for_position("") == ()


@pytest.mark.parametrize("pid, expect", [
    ("0123", "dòng 7: Số CCCD/Số định danh cá nhân «0123» không hợp lệ: số định danh phải gồm đúng 12 chữ số"),
    ("999188003456", "dòng 7: Số CCCD/Số định danh cá nhân «999188003456» không hợp lệ: Mã tỉnh 999"),
])
def test_malformed_personal_id_names_the_row(tmp_path: Path, pid: str, expect: str) -> None:
    people = list(PEOPLE)
    people[2] = (*people[2][:4], pid, *people[2][5:])
    sl = read_staff_list(write_csdl_giaovien(tmp_path / "x.xlsx", people))
    assert not sl.ok and any(p.message().startswith(expect) for p in sl.errors), [p.message() for p in sl.errors]


def test_duplicates_missing_name_unknown_sex(tmp_path: Path) -> None:
    people = list(PEOPLE)
    people[3] = (*people[3][:4], "001188003456", *people[3][5:])  # = Trần Thị Mai's
    people[4] = (people[4][0], "", *people[4][2:])
    people[5] = (*people[5][:3], "Khác", *people[5][4:])
    sl = read_staff_list(write_csdl_giaovien(tmp_path / "x.xlsx", people))
    errs = [p.message() for p in sl.errors]
    assert "dòng 7: số định danh «001188003456» trùng với dòng 8 trong tệp" in errs
    assert "dòng 8: số định danh «001188003456» trùng với dòng 7 trong tệp" in errs
    assert any(e.startswith("dòng 9: thiếu họ tên") for e in errs)
    assert any(e.startswith("dòng 10: Giới tính «Khác» không hợp lệ") for e in errs)


def test_not_a_staff_list(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Lớp"])
    wb.active.append([1, "Nguyễn Văn An", "04/03/2019", "Nam", "001219012345", "1A"])
    wb.save(tmp_path / "lop.xlsx")
    with pytest.raises(InputFileError, match="Họ tên.*Email"):
        read_staff_list(tmp_path / "lop.xlsx")
    (tmp_path / "gia.xlsx").write_text("Họ tên;Email\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="không phải tệp Excel"):
        read_staff_list(tmp_path / "gia.xlsx")


# --- the template --------------------------------------------------------------------------------------
def test_template_headers_drop_downs_text_cells_and_reads_back(tmp_path: Path) -> None:
    p = write_staff_template(tmp_path / "mau.xlsx")
    wb = load_workbook(p)
    ws = wb[DATA_SHEET]
    header = [c.value for c in ws[1]]
    for name in ("Mã cán bộ", "Họ tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Email", "Chức vụ", "Vai trò"):
        assert name in header
    assert wb[LIST_SHEET].sheet_state == "hidden" and "Hướng dẫn" in wb.sheetnames
    col = {name: i + 1 for i, name in enumerate(header)}
    assert ws.cell(row=2, column=col["Số định danh cá nhân"]).number_format == "@"
    assert ws.cell(row=2, column=col["Mã cán bộ"]).number_format == "@"
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert f"'{LIST_SHEET}'!$A$2:$A$3" in formulas and len(formulas) == 4
    values = {"Họ tên": "Ngô Thị Bích", "Giới tính": "Nữ", "Số định danh cá nhân": "001191001111",
              "Email": "bich@th.edu.vn", "Chức vụ": "Giáo viên", "Vai trò": "GVBM"}
    for k, v in values.items():
        ws.cell(row=2, column=col[k], value=v)
    ws.cell(row=3, column=col["STT"], value=2)  # a numbered but empty row is not a person
    wb.save(p)
    sl = read_staff_list(p)
    assert sl.kind == "template" and sl.ok, [x.message() for x in sl.problems]
    (r,) = sl.rows
    assert (r.full_name, r.personal_id, r.roles, r.position, r.active) == (
        "Ngô Thị Bích", "001191001111", ("subject",), "Giáo viên", True)


# --- importing ----------------------------------------------------------------------------------------
def test_import_dry_run_then_all_then_again_unchanged(empty_store: Store, qt, tmp_path: Path) -> None:  # noqa: ANN001
    f = write_csdl_giaovien(tmp_path / "CSDL_GiaoVien.xlsx")
    plan = staff_import.plan_staff_import(empty_store, f, qt)
    assert plan.ok, messages(plan)
    dry = staff_import.result_of(plan, dry_run=True)
    assert (dry.added, dry.skipped) == (7, 2) and staff_codes(empty_store) == {"QT01"}
    res = staff_import.apply_staff_import(empty_store, plan, qt)
    assert (res.added, res.updated, res.left, res.skipped) == (7, 0, 0, 2)
    assert dict(res.generated) == {"Trần Thị Mai": "GV001", "Phạm Thu Trang": "VP001"}
    assert "2 mã tự đặt" in res.summary()
    codes = staff_codes(empty_store)
    assert {"7901001", "7901002", "GV001", "VP001"} <= codes and "7901007" not in codes  # the retired one: not added
    again = staff_import.apply_staff_import(empty_store, staff_import.plan_staff_import(empty_store, f, qt), qt)
    assert (again.added, again.updated, again.unchanged, again.generated) == (0, 0, 7, ())
    assert staff_codes(empty_store) == codes
    assert empty_store.verify_audit().ok
    # the principal from the file can be given a login by the first account (no board login yet)
    account_admin.create_account(empty_store, qt, "7901001", TEMP)


def test_reimport_updates_by_personal_id_marks_left_never_deletes(empty_store: Store, qt, tmp_path: Path) -> None:  # noqa: ANN001
    staff_import.apply_staff_import(empty_store, staff_import.plan_staff_import(
        empty_store, write_csdl_giaovien(tmp_path / "a.xlsx"), qt), qt)
    people = [p for p in PEOPLE if p[1] != "Hoàng Thị Lan"]  # absent from the new file: kept
    people[2] = ("", "Trần Thị Mai", "20/07/1988", "Nữ", "001188003456", "mai.moi@th.edu.vn", "Đang làm việc",
                 "Giáo viên", "Giáo viên", "Toán")  # no code: matched by the personal ID
    people[3] = (*people[3][:6], "Chuyển công tác", *people[3][7:])  # Lê Minh Khoa moved away
    f = write_csdl_giaovien(tmp_path / "b.xlsx", people)
    plan = staff_import.plan_staff_import(empty_store, f, qt, today=date(2026, 1, 5))
    assert plan.ok, messages(plan)
    res = staff_import.apply_staff_import(empty_store, plan, qt, today=date(2026, 1, 5))
    assert (res.added, res.updated, res.left) == (0, 1, 1)
    mai = staff_admin.get_staff(empty_store, "GV001")
    assert mai.email == "mai.moi@th.edu.vn" and mai.subjects_text == "Toán"
    khoa = staff_admin.get_staff(empty_store, "7901004")
    assert not khoa.active and khoa.state_text == "đã nghỉ (05/01/2026)"
    assert staff_admin.get_staff(empty_store, "7901006").active  # absent: untouched
    # and he is not made active again by an older file, only reported
    plan = staff_import.plan_staff_import(empty_store, tmp_path / "a.xlsx", qt)
    assert plan.ok and any("không tự kích hoạt" in m for m in messages(plan))
    staff_import.apply_staff_import(empty_store, plan, qt)
    assert not staff_admin.get_staff(empty_store, "7901004").active


def test_all_or_nothing_and_conflicts_with_existing_staff(empty_store: Store, qt, tmp_path: Path) -> None:  # noqa: ANN001
    staff_admin.add_staff(empty_store, qt, staff_admin.StaffInput("Ngô Thị Bích", personal_id="001188003456"))
    before = staff_codes(empty_store)
    f = write_csdl_giaovien(tmp_path / "x.xlsx")  # Trần Thị Mai carries Ngô Thị Bích's ID
    plan = staff_import.plan_staff_import(empty_store, f, qt)
    assert not plan.ok
    assert any(m.startswith("dòng 7: số định danh «001188003456» đã là của CB001 (Ngô Thị Bích)") for m in messages(plan))
    with pytest.raises(HocbasoError, match="chưa ghi gì"):
        staff_import.apply_staff_import(empty_store, plan, qt)
    assert staff_codes(empty_store) == before


def test_clerk_cannot_import_a_principal_teacher_cannot_import(empty_store: Store, qt, tmp_path: Path) -> None:  # noqa: ANN001
    account_admin.create_account(empty_store, qt, "VP01", TEMP, full_name="Phạm Thu Trang", roles=["clerk"])
    account_admin.create_account(empty_store, qt, "GV01", TEMP, full_name="Trần Thị Mai", roles=["subject"])
    account_admin.create_account(empty_store, qt, "HT", TEMP, full_name="Đỗ Thị Thanh Hương", roles=["principal"])
    accounts.change_own_password(empty_store, "VP01", TEMP, "văn-phòng-1")
    vp = accounts.authenticate(empty_store, "VP01", "văn-phòng-1")
    f = write_csdl_giaovien(tmp_path / "x.xlsx")
    plan = staff_import.plan_staff_import(empty_store, f, vp)
    assert not plan.ok
    assert any(m.startswith("dòng 5: gán vai trò Hiệu trưởng") and "cấp cao" in m for m in messages(plan))
    accounts.change_own_password(empty_store, "GV01", TEMP, "giáo-viên-1")
    gv = accounts.authenticate(empty_store, "GV01", "giáo-viên-1")
    with pytest.raises(HocbasoError, match="danh sách cán bộ"):
        staff_import.plan_staff_import(empty_store, f, gv)
