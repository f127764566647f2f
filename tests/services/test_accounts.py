"""Logging in: Argon2id hashes, first admin, wrong passwords and the lock, disabled accounts, the demo
without passwords, the CLI's --as, and an audit without secrets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.accounts import (
    AccountDisabled,
    AccountLocked,
    AuthenticationFailed,
    PasswordChangeRequired,
    PasswordPolicyError,
    PasswordRequired,
)
from hocbaso_desktop.domain.errors import HocbasoError, NotFound
from hocbaso_desktop.services import account_admin, accounts, directory, passwords
from hocbaso_desktop.storage.account_models import Account
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Staff

PW = "Hòa Bình 2025!"
TEMP = "tạm-thời-123"


def audit_text(store: Store) -> str:
    with store.read() as s:
        return "\n".join(f"{e.actor} {e.action} {e.entity_id} {e.changes}" for e in s.execute(select(AuditEntry)).scalars())


def stored_hash(store: Store, code: str) -> str | None:
    with store.read() as s:
        st = s.execute(select(Staff).where(Staff.code == code)).scalar_one()
        acc = s.get(Account, st.id)
        return acc.password_hash if acc else None


@pytest.fixture
def school(empty_store: Store) -> Store:
    """A real (not demo) install with its first admin QT and a teacher GV1 with a temporary password."""
    admin = accounts.create_first_admin(empty_store, "qt", "Phạm Minh Tuấn", PW)
    account_admin.create_account(empty_store, admin, "gv1", TEMP, full_name="Trần Thị Mai", roles=["homeroom"])
    return empty_store


# --- hashing -----------------------------------------------------------------------------------
def test_hash_is_argon2id_with_our_parameters_never_plaintext(school: Store) -> None:
    h = stored_hash(school, "QT")
    assert h is not None and h.startswith("$argon2id$v=19$m=65536,t=2,p=2$")
    assert PW not in h and PW.encode().hex() not in h
    assert passwords.verify_password(h, PW) and not passwords.verify_password(h, PW + "x")
    assert passwords.hash_password(PW) != h  # salted
    assert not passwords.needs_rehash(h)


def test_password_compared_after_nfc(school: Store) -> None:
    import unicodedata

    accounts.authenticate(school, "QT", unicodedata.normalize("NFD", PW))


def test_no_secret_in_the_audit_or_the_database_text(school: Store) -> None:
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(school, "QT", "sai-mat-khau-1")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(school, PW, PW)  # a password typed into the code field
    accounts.authenticate(school, "QT", PW)
    text = audit_text(school)
    for secret in (PW, TEMP, "sai-mat-khau-1"):
        assert secret not in text
    assert "account.login_failed ? " in text and "account.login QT" in text and "account.first_admin QT" in text
    assert school.verify_audit().ok


# --- first start ---------------------------------------------------------------------------------
def test_first_admin_only_on_an_empty_install(empty_store: Store) -> None:
    assert accounts.needs_first_admin(empty_store)
    with pytest.raises(PasswordPolicyError, match="ít nhất 8"):
        accounts.create_first_admin(empty_store, "QT", "Phạm Minh Tuấn", "ngắn")
    actor = accounts.create_first_admin(empty_store, "QT", "Phạm Minh Tuấn", PW, "principal")
    assert actor.code == "QT" and actor.roles == {"principal"}
    assert not accounts.needs_first_admin(empty_store)
    with pytest.raises(HocbasoError, match="Đã có tài khoản quản trị"):
        accounts.create_first_admin(empty_store, "X2", "Người khác", PW)
    assert not accounts.account_info(empty_store, "QT").must_change


def test_demo_needs_no_first_admin(demo_store: Store) -> None:
    assert not accounts.needs_first_admin(demo_store)


# --- logging in ----------------------------------------------------------------------------------
def test_login_returns_the_actor_and_records_last_login(school: Store) -> None:
    actor = accounts.authenticate(school, "qt", PW)
    assert actor.code == "QT" and "admin" in actor.roles
    info = accounts.account_info(school, "QT")
    assert info.last_login_at is not None and info.failed_attempts == 0


def test_wrong_password_and_unknown_code_say_the_same(school: Store) -> None:
    with pytest.raises(AuthenticationFailed) as a:
        accounts.authenticate(school, "QT", "sai-mat-khau")
    with pytest.raises(AuthenticationFailed) as b:
        accounts.authenticate(school, "KHONGCO", "sai-mat-khau")
    assert a.value.message == b.value.message == "Sai mã cán bộ hoặc mật khẩu."


def test_lock_out_grows_and_says_how_long(school: Store) -> None:
    t0 = accounts.utcnow()
    for i in range(4):
        with pytest.raises(AuthenticationFailed) as e:
            accounts.authenticate(school, "QT", f"sai {i}", now=t0)
        assert not isinstance(e.value, AccountLocked)
    assert "Sai thêm 1 lần nữa" in e.value.message
    with pytest.raises(AccountLocked) as e:
        accounts.authenticate(school, "QT", "sai 5", now=t0)
    assert e.value.seconds == 30 and "Thử lại sau 30 giây" in e.value.message and "5 lần" in e.value.message
    # while locked even the right password is refused, and the time left is said
    with pytest.raises(AccountLocked) as e:
        accounts.authenticate(school, "QT", PW, now=t0 + timedelta(seconds=10))
    assert "Thử lại sau 20 giây" in e.value.message
    # after the lock, one more mistake doubles it
    with pytest.raises(AccountLocked) as e:
        accounts.authenticate(school, "QT", "sai 6", now=t0 + timedelta(seconds=31))
    assert e.value.seconds == 60 and "1 phút" in e.value.message
    # the lock lives in the database: another program start sees it
    with Store.open(school.path, exclusive=False) as other:
        assert accounts.account_info(other, "QT").locked_seconds(t0 + timedelta(seconds=40)) > 0
    actor = accounts.authenticate(school, "QT", PW, now=t0 + timedelta(seconds=92))
    assert actor.code == "QT" and accounts.account_info(school, "QT").failed_attempts == 0


def test_admin_lifts_a_lock(school: Store) -> None:
    t0 = accounts.utcnow()
    for i in range(5):
        with pytest.raises(AuthenticationFailed):
            accounts.authenticate(school, "GV1", f"sai {i}", now=t0)
    admin = accounts.authenticate(school, "QT", PW)
    account_admin.unlock_account(school, admin, "GV1")
    accounts.authenticate(school, "GV1", TEMP, now=t0)


def test_disabled_refused_everywhere(school: Store) -> None:
    admin = accounts.authenticate(school, "QT", PW)
    account_admin.disable_account(school, admin, "GV1", "chuyển công tác")
    with pytest.raises(AccountDisabled, match="đã bị vô hiệu hóa"):
        accounts.authenticate(school, "GV1", TEMP)
    with pytest.raises(AccountDisabled):
        accounts.resolve_cli_actor(school, "GV1", lambda _p: TEMP)
    with pytest.raises(NotFound, match="vô hiệu hóa"):
        directory.actor(school, "GV1")
    with pytest.raises(AccountDisabled):
        accounts.change_own_password(school, "GV1", TEMP, "mật-khẩu-mới-1")
    # never deleted: the staff row and its audit trail stay
    assert "account.disable GV1" in audit_text(school)
    assert accounts.account_info(school, "GV1").name == "Trần Thị Mai"
    with pytest.raises(Exception, match="never deleted"):
        school.execute_raw("DELETE FROM account")


def test_must_change_then_change(school: Store) -> None:
    assert accounts.account_info(school, "GV1").must_change
    accounts.authenticate(school, "GV1", TEMP)  # logging in works; the GUI then forces the change
    with pytest.raises(PasswordChangeRequired, match="user set-password GV1"):
        accounts.resolve_cli_actor(school, "GV1", lambda _p: TEMP)
    with pytest.raises(PasswordPolicyError, match="khác mật khẩu cũ"):
        accounts.change_own_password(school, "GV1", TEMP, TEMP)
    with pytest.raises(AuthenticationFailed):
        accounts.change_own_password(school, "GV1", "không đúng", "mật-khẩu-mới-1")
    accounts.change_own_password(school, "GV1", TEMP, "mật-khẩu-mới-1")
    assert not accounts.account_info(school, "GV1").must_change
    assert accounts.resolve_cli_actor(school, "GV1", lambda _p: "mật-khẩu-mới-1").code == "GV1"


def test_real_school_account_without_password_cannot_log_in(school: Store) -> None:
    with school.transaction("system") as tx:
        tx.session.add(Staff(code="GV2", full_name="Chưa có mật khẩu", active=True))
    with pytest.raises(AuthenticationFailed, match="chưa có mật khẩu: nhờ Ban quản trị"):
        accounts.authenticate(school, "GV2", "")
    with pytest.raises(AuthenticationFailed):
        accounts.resolve_cli_actor(school, "GV2")


# --- the demo school ----------------------------------------------------------------------------
def test_demo_accounts_need_no_password_until_one_is_set(demo_store: Store) -> None:
    assert accounts.authenticate(demo_store, "GV001", "").code == "GV001"
    assert accounts.resolve_cli_actor(demo_store, "HT", lambda _p: pytest.fail("no prompt for the demo")).code == "HT"
    info = accounts.account_info(demo_store, "GV001")
    assert info.passwordless_demo and account_admin.state_text(info) == "chưa có mật khẩu (trường mẫu)"
    accounts.change_own_password(demo_store, "GV001", None, "mật-khẩu-mới-1")
    with pytest.raises(AuthenticationFailed):
        accounts.authenticate(demo_store, "GV001", "")
    assert accounts.resolve_cli_actor(demo_store, "GV001", lambda _p: "mật-khẩu-mới-1").code == "GV001"
    assert "account.login GV001" in audit_text(demo_store)


# --- the CLI's --as -------------------------------------------------------------------------------
def test_resolve_cli_actor(school: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(accounts.ActorRequired) as e:
        accounts.resolve_cli_actor(school, None)
    assert e.value.exit_code == 2
    with pytest.raises(NotFound):
        accounts.resolve_cli_actor(school, "KHONGCO")
    asked: list[str] = []
    actor = accounts.resolve_cli_actor(school, "qt", lambda p: asked.append(p) or PW, year=None)
    assert actor.code == "QT" and asked == ["Mật khẩu của QT (Phạm Minh Tuấn): "]
    # the default source: HOCBASO_PASSWORD, else a terminal; with neither, a clear refusal
    monkeypatch.setenv("HOCBASO_PASSWORD", PW)
    assert accounts.resolve_cli_actor(school, "QT").code == "QT"
    monkeypatch.delenv("HOCBASO_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    with pytest.raises(PasswordRequired, match="HOCBASO_PASSWORD") as e:
        accounts.resolve_cli_actor(school, "QT")
    assert e.value.exit_code == 2
    with pytest.raises(AuthenticationFailed):
        accounts.resolve_cli_actor(school, "QT", lambda _p: "sai")


def test_rehash_when_parameters_change(school: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from argon2 import PasswordHasher, Type

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(PW)
    with school.transaction("system") as tx:
        st = tx.session.execute(select(Staff).where(Staff.code == "QT")).scalar_one()
        tx.session.get(Account, st.id).password_hash = weak
    accounts.authenticate(school, "QT", PW)
    assert stored_hash(school, "QT").startswith("$argon2id$v=19$m=65536,t=2,p=2$")


def test_every_check_costs_the_agreed_argon2_work(school: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """reliability.md's ~20-120 ms per check comes from fixed Argon2id parameters: checked as
    parameters, never as a measured duration (a loaded machine is slower, not less safe)."""
    import argon2
    from argon2 import Type

    agreed = (Type.ID, 64 * 1024, 2, 2)
    assert (Type.ID, passwords.MEMORY_COST_KIB, passwords.TIME_COST, passwords.PARALLELISM) == agreed
    for h in (stored_hash(school, "QT"), passwords._dummy()):
        p = argon2.extract_parameters(h)
        assert (p.type, p.memory_cost, p.time_cost, p.parallelism) == agreed
    checked: list[str] = []
    real = passwords._hasher

    class Counting:
        def verify(self, h: str, password: str) -> bool:
            checked.append(h)
            return real.verify(h, password)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    assert passwords.verify_password(stored_hash(school, "QT"), PW)
    assert not passwords.verify_password(None, PW)  # an unknown code costs one full check too
    assert checked == [stored_hash(school, "QT"), passwords._dummy()]

