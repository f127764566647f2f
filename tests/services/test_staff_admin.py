"""Staff list and the first account, on a school set up from nothing (no demo), plus one check on the demo.

Honest path: the first account (Ban quản trị) creates the principal's account, adds staff with
generated codes, edits, marks someone as left. Hostile: a GVBM or a clerk beyond their rights, a
second principal once one can log in, a left teacher logging in or being assigned, malformed and
duplicate personal IDs.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.accounts import AccountDisabled
from hocbaso_desktop.domain.errors import HocbasoError, InvalidValue, PermissionDenied
from hocbaso_desktop.domain.roles import ADMIN
from hocbaso_desktop.services import account_admin, accounts, directory, staff_admin
from hocbaso_desktop.services.staff_admin import StaffInput
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Staff

PW = "Hòa Bình 2025!"
TEMP = "tạm-thời-123"
HT_PW = "hiệu-trưởng-2025"


class Entry:
    def __init__(self, e: AuditEntry) -> None:
        self.actor, self.entity_id = e.actor, e.entity_id
        self.changes = json.loads(e.changes) if isinstance(e.changes, str) else e.changes


def audit(store: Store, action: str) -> list[Entry]:
    with store.read() as s:
        return [Entry(e) for e in s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()]


@pytest.fixture
def school(empty_store: Store) -> Store:
    accounts.create_first_admin(empty_store, "QT01", "Phạm Minh Tuấn", PW, role=ADMIN)
    return empty_store


@pytest.fixture
def qt(school: Store):  # noqa: ANN201
    return accounts.authenticate(school, "QT01", PW)


def login(store: Store, code: str, temp: str = TEMP, new: str = "mật-khẩu-riêng-1"):  # noqa: ANN201
    accounts.change_own_password(store, code, temp, new)
    return accounts.authenticate(store, code, new)


# --- the first account ----------------------------------------------------------------------------
def test_admin_first_account_creates_the_principal_then_board_rules_apply(school: Store, qt) -> None:  # noqa: ANN001
    # the bug of issue 14: "cần vai trò Phó hiệu trưởng hoặc Hiệu trưởng" — now allowed at first start
    account_admin.create_account(school, qt, "HT", TEMP, full_name="Đỗ Thị Thanh Hương", roles=["principal"])
    # the principal lost the temporary password before the first login: the admin team can still reset it
    account_admin.reset_password(school, qt, "HT", "mới-tạm-456")
    ht = login(school, "HT", temp="mới-tạm-456", new=HT_PW)
    # once the principal has taken the account, Điều 9 holds for the first account too
    with pytest.raises(PermissionDenied, match="tài khoản cấp cao"):
        account_admin.create_account(school, qt, "HT2", TEMP, full_name="Người khác", roles=["principal"])
    with pytest.raises(PermissionDenied, match="tài khoản cấp cao"):
        staff_admin.add_staff(school, qt, StaffInput("Người khác", roles=("principal",)))
    with pytest.raises(PermissionDenied, match="tài khoản cấp cao"):
        account_admin.reset_password(school, qt, "HT", "mới-tạm-789")
    account_admin.create_account(school, ht, "PHT", TEMP, full_name="Nguyễn Văn Hòa", roles=["vice_principal"])
    # the admin team still manages teachers' accounts
    account_admin.create_account(school, qt, "GV01", TEMP, full_name="Trần Thị Mai", roles=["homeroom"])
    assert {a.code for a in account_admin.list_accounts(school)} == {"QT01", "HT", "PHT", "GV01"}


def test_principal_first_account_creates_everyone(empty_store: Store) -> None:
    ht = accounts.create_first_admin(empty_store, "HT", "Đỗ Thị Thanh Hương", PW, role="principal")
    account_admin.create_account(empty_store, ht, "QT01", TEMP, full_name="Phạm Minh Tuấn", roles=["admin"])
    account_admin.create_account(empty_store, ht, "PHT", TEMP, full_name="Nguyễn Văn Hòa", roles=["vice_principal"])
    qt = login(empty_store, "QT01")
    with pytest.raises(PermissionDenied, match="tài khoản cấp cao"):
        account_admin.create_account(empty_store, qt, "HT2", TEMP, full_name="Hiệu trưởng giả", roles=["principal"])


def test_a_teacher_cannot_create_accounts_or_staff(school: Store, qt) -> None:  # noqa: ANN001
    account_admin.create_account(school, qt, "GV01", TEMP, full_name="Trần Thị Mai", roles=["subject"])
    gv = login(school, "GV01")
    with pytest.raises(PermissionDenied, match="quản lý tài khoản"):
        account_admin.create_account(school, gv, "GV02", TEMP, full_name="Lê Văn Nam", roles=["subject"])
    with pytest.raises(PermissionDenied, match="quản lý tài khoản cấp cao|quản lý tài khoản"):
        account_admin.create_account(school, gv, "HT", TEMP, full_name="Tự phong", roles=["principal"])
    with pytest.raises(PermissionDenied, match="danh sách cán bộ"):
        staff_admin.add_staff(school, gv, StaffInput("Lê Văn Nam"))
    with pytest.raises(PermissionDenied, match="danh sách cán bộ"):
        staff_admin.edit_staff(school, gv, "GV01", StaffInput("Trần Thị Mai", roles=("subject", "admin")))
    assert staff_admin.get_staff(school, "GV01").roles == ("subject",)


def test_clerk_manages_staff_but_not_high_level_roles(school: Store, qt) -> None:  # noqa: ANN001
    account_admin.create_account(school, qt, "VP01", TEMP, full_name="Phạm Thu Trang", roles=["clerk"])
    vp = login(school, "VP01")
    saved = staff_admin.add_staff(school, vp, StaffInput("Lê Văn Nam", roles=("subject",)))
    assert saved.staff.code == "GV001" and saved.code_generated
    with pytest.raises(PermissionDenied, match="cấp cao"):
        staff_admin.add_staff(school, vp, StaffInput("Hiệu trưởng giả", roles=("principal",)))
    with pytest.raises(PermissionDenied, match="cấp cao"):
        staff_admin.edit_staff(school, vp, "GV001", StaffInput("Lê Văn Nam", roles=("subject", "admin")))
    with pytest.raises(PermissionDenied, match="cấp cao"):
        staff_admin.deactivate_staff(school, vp, "QT01", date(2025, 9, 1), "chuyển công tác")


# --- add / edit ------------------------------------------------------------------------------------
def test_add_generates_codes_and_keeps_given_ones(school: Store, qt) -> None:  # noqa: ANN001
    ht = staff_admin.add_staff(school, qt, StaffInput("Đỗ Thị Thanh Hương", sex="Nữ", birth_date=date(1975, 3, 12),
                                                      personal_id="079175001234", position="Hiệu trưởng",
                                                      roles=("principal",)))
    assert ht.staff.code == "HT" and ht.code_generated and ht.warnings == ()
    assert staff_admin.add_staff(school, qt, StaffInput("B", roles=("principal",))).staff.code == "HT2"
    codes = [staff_admin.add_staff(school, qt, StaffInput(f"Giáo viên {i}", roles=("homeroom", "subject"))).staff.code
             for i in range(3)]
    assert codes == ["GV001", "GV002", "GV003"]
    kept = staff_admin.add_staff(school, qt, StaffInput("Lê Minh Khoa", code="gv-khoa", roles=("subject",)))
    assert kept.staff.code == "GV-KHOA" and not kept.code_generated
    assert staff_admin.add_staff(school, qt, StaffInput("Nhân viên", position="Bảo vệ")).staff.code == "CB001"
    with pytest.raises(InvalidValue, match="đã có người dùng mã này"):
        staff_admin.add_staff(school, qt, StaffInput("Trùng mã", code="GV001"))
    rows = {r.code: r for r in directory.staff(school)}
    assert rows["HT"].personal_id == "079175001234" and rows["GV001"].personal_id == ""
    created = [e for e in audit(school, "staff.create") if e.entity_id == "HT"]
    assert created and created[0].actor == "QT01" and created[0].changes["personal_id"] == "079175001234"


@pytest.mark.parametrize("pid, reason", [
    ("0123", "12 chữ số"), ("12345678901A", "12 chữ số"), ("999175001234", "Mã tỉnh 999"), ("07917500123", "12 chữ số"),
])
def test_malformed_personal_ids_are_refused(school: Store, qt, pid: str, reason: str) -> None:  # noqa: ANN001
    with pytest.raises(InvalidValue, match=reason) as e:
        staff_admin.add_staff(school, qt, StaffInput("Trần Thị Mai", personal_id=pid))
    assert "Số định danh" in e.value.message
    assert [r.code for r in staff_admin.list_staff(school)] == ["QT01"]


def test_duplicate_personal_id_refused_on_add_and_edit(school: Store, qt) -> None:  # noqa: ANN001
    staff_admin.add_staff(school, qt, StaffInput("Trần Thị Mai", personal_id="001188003456"))
    with pytest.raises(InvalidValue, match="trùng với GV001|trùng với CB001"):
        staff_admin.add_staff(school, qt, StaffInput("Lê Thị Hoa", personal_id="001188003456"))
    other = staff_admin.add_staff(school, qt, StaffInput("Lê Thị Hoa", personal_id="001188003457")).staff
    with pytest.raises(InvalidValue, match="trùng với"):
        staff_admin.edit_staff(school, qt, other.code, StaffInput("Lê Thị Hoa", personal_id="001188003456"))
    assert staff_admin.get_staff(school, other.code).personal_id == "001188003457"


def test_mismatched_birth_year_is_a_warning_and_bad_values_are_named(school: Store, qt) -> None:  # noqa: ANN001
    r = staff_admin.add_staff(school, qt, StaffInput("Trần Thị Mai", sex="Nữ", birth_date=date(1988, 7, 20),
                                                     personal_id="001190003456"))
    assert r.warnings and "Năm sinh trong mã (90)" in r.warnings[0]
    with pytest.raises(InvalidValue, match="Giới tính"):
        staff_admin.add_staff(school, qt, StaffInput("X Y", sex="khác"))
    with pytest.raises(InvalidValue, match="Email"):
        staff_admin.add_staff(school, qt, StaffInput("X Y", email="không-phải-email"))
    with pytest.raises(InvalidValue, match="Họ và tên"):
        staff_admin.add_staff(school, qt, StaffInput("   "))
    with pytest.raises(InvalidValue, match="Vai trò"):
        staff_admin.add_staff(school, qt, StaffInput("X Y", roles=("superuser",)))


def test_edit_audits_old_and_new_and_never_changes_the_code(school: Store, qt) -> None:  # noqa: ANN001
    code = staff_admin.add_staff(school, qt, StaffInput("Trần Thị Mai", roles=("homeroom",))).staff.code
    staff_admin.edit_staff(school, qt, code, StaffInput("Trần Thị Mai", email="mai@th.edu.vn",
                                                        personal_id="001188003456", roles=("homeroom", "subject")))
    info = staff_admin.get_staff(school, code)
    assert (info.email, info.personal_id, info.roles) == ("mai@th.edu.vn", "001188003456", ("homeroom", "subject"))
    (e,) = audit(school, "staff.update")
    assert e.changes["email"] == ["", "mai@th.edu.vn"] and e.changes["roles"] == [["homeroom"], ["homeroom", "subject"]]
    with pytest.raises(InvalidValue, match="không đổi được mã"):
        staff_admin.edit_staff(school, qt, code, StaffInput("Trần Thị Mai", code="KHAC"))
    staff_admin.edit_staff(school, qt, code, StaffInput("Trần Thị Mai", email="mai@th.edu.vn",
                                                        personal_id="001188003456", roles=("homeroom", "subject")))
    assert len(audit(school, "staff.update")) == 1  # nothing changed: no entry


# --- leaving -----------------------------------------------------------------------------------------
def test_left_staff_cannot_log_in_nor_be_assigned_and_stay_listed(school: Store, qt) -> None:  # noqa: ANN001
    account_admin.create_account(school, qt, "GV01", TEMP, full_name="Trần Thị Mai", roles=["homeroom", "subject"])
    login(school, "GV01", new="giáo-viên-mai-1")
    with pytest.raises(InvalidValue, match="Lý do"):
        staff_admin.deactivate_staff(school, qt, "GV01", date(2025, 12, 31), "  ")
    info = staff_admin.deactivate_staff(school, qt, "GV01", date(2025, 12, 31), "Chuyển công tác")
    assert info.state_text == "đã nghỉ (31/12/2025)" and not info.active
    with pytest.raises(AccountDisabled):
        accounts.authenticate(school, "GV01", "giáo-viên-mai-1")
    assert "GV01" not in {r.code for r in staff_admin.assignable_staff(school)}
    assert "GV01" in {r.code for r in staff_admin.list_staff(school)}  # never deleted
    with school.read() as s:
        st = s.execute(select(Staff).where(Staff.code == "GV01")).scalar_one()
        with pytest.raises(HocbasoError, match="đã nghỉ từ 31/12/2025: không phân công được"):
            staff_admin.require_assignable(st)
    (e,) = audit(school, "staff.deactivate")
    assert e.actor == "QT01" and e.changes == {"left_on": "2025-12-31", "reason": "Chuyển công tác"}
    with pytest.raises(HocbasoError, match="từ trước"):
        staff_admin.deactivate_staff(school, qt, "GV01", date(2026, 1, 1), "lần nữa")
    back = staff_admin.reactivate_staff(school, qt, "GV01")
    assert back.active and back.left_on is None and accounts.account_info(school, "GV01").must_change
    assert "GV01" in {r.code for r in staff_admin.assignable_staff(school)}


def test_nobody_marks_themselves_or_the_last_admin_as_left(school: Store, qt) -> None:  # noqa: ANN001
    with pytest.raises(HocbasoError, match="tự ghi mình"):
        staff_admin.deactivate_staff(school, qt, "QT01", date(2025, 9, 1), "nghỉ")
    account_admin.create_account(school, qt, "HT", TEMP, full_name="Đỗ Thị Thanh Hương", roles=["principal"])
    ht = login(school, "HT", new=HT_PW)
    staff_admin.deactivate_staff(school, ht, "QT01", date(2025, 9, 1), "chuyển công tác")  # HT still logs in
    with pytest.raises(HocbasoError, match="tự ghi mình"):
        staff_admin.deactivate_staff(school, ht, "HT", date(2025, 9, 1), "nghỉ hưu")


def test_on_the_demo_school_the_principal_edits_a_personal_id(demo_store: Store) -> None:
    ht = accounts.authenticate(demo_store, "HT", "")
    rows = {r.code: r for r in staff_admin.list_staff(demo_store)}
    gv = next(r for r in rows.values() if "homeroom" in r.roles)
    pid = "001188009999"
    staff_admin.edit_staff(demo_store, ht, gv.code, StaffInput(gv.full_name, sex=gv.sex, birth_date=gv.birth_date,
                                                               personal_id=pid, position=gv.position, email=gv.email,
                                                               roles=gv.roles, subjects_text=gv.subjects_text))
    assert {r.code: r.personal_id for r in directory.staff(demo_store)}[gv.code] == pid
    assert demo_store.verify_audit().ok
