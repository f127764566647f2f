"""The rights matrix through the services (each role on the same calls), and the admin team's account work."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocbaso_desktop.domain.errors import HocbasoError, InvalidValue, PermissionDenied
from hocbaso_desktop.domain.roles import ROLE_NAMES, Actor
from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list
from hocbaso_desktop.services import account_admin, accounts, class_import, comment_bank, directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.storage.engine import Store

PW = "Hòa Bình 2025!"
TEMP = "tạm-thời-123"
ADMIN_TEAM = {"principal", "vice_principal", "admin"}


def one_role(role: str) -> Actor:
    return Actor(f"R_{role[:8].upper()}", ROLE_NAMES[role], frozenset({role}))


@pytest.mark.parametrize("role", list(ROLE_NAMES))
def test_each_role_through_the_services(role: str, demo_store: Store, tmp_path: Path) -> None:
    actor = one_role(role)
    outcomes: dict[str, bool] = {}

    def attempt(name: str, call) -> None:  # noqa: ANN001
        try:
            call()
            outcomes[name] = True
        except PermissionDenied as e:
            assert e.message.startswith("Không có quyền ") and "cần vai trò" in e.message
            outcomes[name] = False

    f = tmp_path / "ds.xlsx"
    write_sample_class_list(f, n=3, seed=7)
    plan = class_import.plan_import(demo_store, f)
    attempt("import", lambda: class_import.apply_import(demo_store, plan, actor))
    attempt("comment_bank", lambda: comment_bank.add(demo_store, actor, "TOAN", "T", f"Nhận xét của {role}"))
    attempt("settings", lambda: account_admin.set_idle_lock_minutes(demo_store, actor, 5))
    attempt("accounts", lambda: account_admin.create_account(demo_store, actor, f"N{role[:6].upper()}", TEMP,
                                                             full_name="Giáo viên mới", roles=["subject"]))
    attempt("accounts_high", lambda: account_admin.reset_password(demo_store, actor, "PHT", TEMP))
    assert outcomes == {
        "import": role in {"principal", "vice_principal", "admin", "clerk"},
        "comment_bank": role in ADMIN_TEAM | {"homeroom", "subject"},
        "settings": role in ADMIN_TEAM,
        "accounts": role in ADMIN_TEAM,
        "accounts_high": role in {"principal", "vice_principal"},
    }


def test_grid_rights_follow_the_assignments(demo_store: Store) -> None:
    """GVBM: their subjects in their classes; GVCN: their class; others: nothing (the grid's own check)."""
    c1a = directory.find_class(demo_store, "1A")
    pupil = directory.students(demo_store, "1A")[0]
    gv011 = accounts.authenticate(demo_store, "GV011", "")  # NN1 in every class
    gvcn = accounts.authenticate(demo_store, "GV001" if c1a.homeroom_code == "GV001" else c1a.homeroom_code, "")
    clerk = accounts.authenticate(demo_store, "VP01", "")
    e_nn1 = CellEdit(pupil.enrolment_id, "CN", "subject_comment", "NN1", "Con phát âm tốt.")
    e_toan = CellEdit(pupil.enrolment_id, "CN", "subject_comment", "TOAN", "Con tính nhanh.")
    e_class = CellEdit(pupil.enrolment_id, "CN", "teacher_comment", value="Con ngoan.")
    ok = lambda actor, e: apply_edits(demo_store, actor, [e])[0].ok  # noqa: E731
    assert ok(gv011, e_nn1) and not ok(gv011, e_toan) and not ok(gv011, e_class)
    assert ok(gvcn, e_toan) and ok(gvcn, e_class)
    assert not any(ok(clerk, e) for e in (e_nn1, e_toan, e_class))


# --- the admin team's account work ------------------------------------------------------------------
@pytest.fixture
def school(empty_store: Store) -> Store:
    accounts.create_first_admin(empty_store, "HT", "Đỗ Thị Thanh Hương", PW, "principal")
    return empty_store


def test_admin_team_creates_resets_disables(school: Store) -> None:
    ht = accounts.authenticate(school, "HT", PW)
    account_admin.create_account(school, ht, "QT01", TEMP, full_name="Phạm Minh Tuấn", roles=["admin"])
    account_admin.create_account(school, ht, "GV01", TEMP, full_name="Trần Thị Mai", roles=["homeroom", "subject"])
    # the admin logs in with the temporary password and has to change it first
    accounts.change_own_password(school, "QT01", TEMP, "quản-trị-2025")
    qt = accounts.authenticate(school, "QT01", "quản-trị-2025")
    # Ban quản trị manages teachers' accounts, not the board's (Điều 9)
    account_admin.reset_password(school, qt, "GV01", "mới-tạm-456")
    assert accounts.account_info(school, "GV01").must_change
    with pytest.raises(PermissionDenied, match="tài khoản cấp cao"):
        account_admin.reset_password(school, qt, "HT", "mới-tạm-456")
    with pytest.raises(PermissionDenied, match="tài khoản cấp cao"):
        account_admin.create_account(school, qt, "PHT2", TEMP, full_name="Phó HT", roles=["vice_principal"])
    with pytest.raises(HocbasoError, match="đã có tài khoản"):
        account_admin.create_account(school, qt, "GV01", TEMP)
    with pytest.raises(InvalidValue, match="cần họ và tên"):
        account_admin.create_account(school, qt, "GV02", TEMP)
    with pytest.raises(InvalidValue, match="Mã cán bộ"):
        account_admin.create_account(school, qt, "gv 02", TEMP, full_name="X", roles=["subject"])
    with pytest.raises(HocbasoError, match="chính mình"):
        account_admin.reset_password(school, qt, "QT01", "mới-tạm-456")
    with pytest.raises(HocbasoError, match="tự vô hiệu hóa"):
        account_admin.disable_account(school, qt, "QT01")
    account_admin.disable_account(school, qt, "GV01", "chuyển trường")
    assert account_admin.state_text(accounts.account_info(school, "GV01")) == "vô hiệu hóa"
    with pytest.raises(HocbasoError, match="vô hiệu hóa"):
        account_admin.reset_password(school, qt, "GV01", "mới-tạm-789")
    account_admin.enable_account(school, qt, "GV01")
    info = accounts.account_info(school, "GV01")
    assert info.active and info.must_change  # back after leaving: a new password first
    rows = {a.code: a for a in account_admin.list_accounts(school)}
    assert set(rows) == {"HT", "QT01", "GV01"} and rows["GV01"].roles == {"homeroom", "subject"}


def test_last_admin_cannot_be_disabled(school: Store) -> None:
    ht = accounts.authenticate(school, "HT", PW)
    account_admin.create_account(school, ht, "PHT", TEMP, full_name="Nguyễn Văn Hòa", roles=["vice_principal"])
    accounts.change_own_password(school, "PHT", TEMP, "phó-hiệu-trưởng-1")
    pht = accounts.authenticate(school, "PHT", "phó-hiệu-trưởng-1")
    account_admin.disable_account(school, ht, "PHT")  # HT still logs in
    account_admin.enable_account(school, ht, "PHT")
    accounts.change_own_password(school, "PHT", "phó-hiệu-trưởng-1", "phó-hiệu-trưởng-2")
    pht = accounts.authenticate(school, "PHT", "phó-hiệu-trưởng-2")
    account_admin.disable_account(school, pht, "HT")
    ht_gone = accounts.account_info(school, "HT")
    assert not ht_gone.active
    with pytest.raises(HocbasoError, match="quản trị cuối cùng"):
        account_admin.disable_account(school, Actor("system", "Hệ thống", frozenset(ROLE_NAMES)), "PHT")


def test_idle_lock_setting(school: Store) -> None:
    ht = accounts.authenticate(school, "HT", PW)
    assert account_admin.idle_lock_minutes(school) == 10
    account_admin.set_idle_lock_minutes(school, ht, 3)
    assert account_admin.idle_lock_minutes(school) == 3
    with pytest.raises(InvalidValue, match="từ 1 đến 240 phút"):
        account_admin.set_idle_lock_minutes(school, ht, 0)
