"""Logging in: who is at the keyboard, proven (seed 004 Điều 2, 9: every user under their own account).

`authenticate` is the one door for the GUI's login and lock screens and for the CLI's `--as`
(through `resolve_cli_actor`). Wrong passwords are counted in the database and lock the account
for a growing time (domain.accounts.lock_after), so restarting the program does not reset them.
Every attempt is audited — the code tried, never the password. Demo-school accounts have no
password until one is set, so the demo stays easy to try; a real school's accounts always need one.
Administration (create, reset, disable) is in account_admin.py.
"""

from __future__ import annotations

import getpass
import math
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.accounts import (
    FREE_ATTEMPTS,
    PASSWORD_ENV,
    AccountDisabled,
    AccountLocked,
    AuthenticationFailed,
    PasswordChangeRequired,
    PasswordRequired,
    check_policy,
    lock_after,
)
from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..domain.rights import ADMIN_TEAM, FIRST_ACCOUNT_ROLES, HIGH_LEVEL_MANAGERS
from ..domain.roles import ROLE_NAMES, SYSTEM, Actor
from ..storage.account_models import Account
from ..storage.engine import Store
from ..storage.models import AuditEntry, Staff, StaffRole
from . import directory
from .passwords import hash_password, needs_rehash, verify_password

WRONG = "Sai mã cán bộ hoặc mật khẩu."
CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}")

# Asked for a password with a prompt; None when there is nobody to ask (no terminal, no env var).
PasswordSource = Callable[[str], "str | None"]


class ActorRequired(HocbasoError):
    exit_code = 2  # a usage error, like a missing argument


def utcnow() -> datetime:
    """Naive UTC, as the DateTime columns store it. Tests replace it to move the clock."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class AccountInfo:
    staff_id: int
    code: str
    name: str
    roles: frozenset[str]
    active: bool
    has_password: bool
    must_change: bool
    failed_attempts: int
    locked_until: datetime | None
    last_login_at: datetime | None
    passwordless_demo: bool  # no password yet, and the demo school lets that log in

    def locked_seconds(self, now: datetime | None = None) -> int:
        if self.locked_until is None:
            return 0
        return max(0, math.ceil((self.locked_until - (now or utcnow())).total_seconds()))

    @property
    def role_names(self) -> str:
        return ", ".join(ROLE_NAMES[r] for r in ROLE_NAMES if r in self.roles)


# --- reading --------------------------------------------------------------------------------
def find_staff(s: Session, code: str) -> Staff | None:
    code = (code or "").strip()
    if not code:
        return None
    return s.execute(select(Staff).where(func.upper(Staff.code) == code.upper())).scalars().first()


def is_demo_install(s: Session) -> bool:
    """The demo school leaves "demo.create" at the head of the append-only audit chain; a real
    school's database never has it, so this cannot be switched on by editing a setting."""
    return s.execute(select(AuditEntry.id).where(AuditEntry.action == "demo.create", AuditEntry.entity == "school")
                     .limit(1)).first() is not None


def is_demo(store: Store) -> bool:
    with store.read() as s:
        return is_demo_install(s)


def info_of(s: Session, st: Staff, demo: bool | None = None) -> AccountInfo:
    acc = s.get(Account, st.id)
    has_pw = bool(acc and acc.password_hash)
    demo = is_demo_install(s) if demo is None else demo
    return AccountInfo(
        st.id, st.code, st.full_name, frozenset(r.role for r in st.roles), bool(st.active), has_pw,
        bool(acc and acc.must_change_password), acc.failed_attempts if acc else 0,
        acc.locked_until if acc else None, acc.last_login_at if acc else None, demo and not has_pw,
    )


def account_info(store: Store, code: str) -> AccountInfo:
    with store.read() as s:
        st = find_staff(s, code)
        if st is None:
            raise NotFound(f"Không có cán bộ mã {code}")
        return info_of(s, st)


def account_row(s: Session, staff_id: int, now: datetime) -> Account:
    acc = s.get(Account, staff_id)
    if acc is None:
        acc = Account(staff_id=staff_id, created_at=now, failed_attempts=0, must_change_password=False,
                      disabled_by="", disabled_reason="")
        s.add(acc)
    return acc


def _has_admin_login(s: Session) -> bool:
    q = (select(Staff.id).join(StaffRole, StaffRole.staff_id == Staff.id).join(Account, Account.staff_id == Staff.id)
         .where(Staff.active.is_(True), StaffRole.role.in_(ADMIN_TEAM), Account.password_hash.is_not(None)).limit(1))
    return s.execute(q).first() is not None


def board_can_log_in(s: Session) -> bool:
    """Whether an active principal or vice principal can log in (the demo's passwordless board can).

    While nobody of the board can, Ban quản trị may create the high-level accounts (the principal's
    first of all): see domain.rights.require_manage. This is what lets an install whose first
    account is Ban quản trị get its principal. A board member counts once they have taken their
    account (their own password, not the temporary one Ban quản trị gave): until then Ban quản trị
    can still reset a temporary password the principal lost before the first login."""
    if is_demo_install(s):
        return True
    q = (select(Staff.id).join(StaffRole, StaffRole.staff_id == Staff.id).join(Account, Account.staff_id == Staff.id)
         .where(Staff.active.is_(True), StaffRole.role.in_(HIGH_LEVEL_MANAGERS), Account.password_hash.is_not(None),
                Account.must_change_password.is_(False))
         .limit(1))
    return s.execute(q).first() is not None


def needs_first_admin(store: Store) -> bool:
    """First start of a real school: nobody of the admin team can log in yet (the demo needs none)."""
    with store.read() as s:
        return not is_demo_install(s) and not _has_admin_login(s)


# --- first start -----------------------------------------------------------------------------
def valid_code(code: str) -> str:
    c = (code or "").strip().upper()
    if not CODE_RE.fullmatch(c):
        raise InvalidValue("Mã cán bộ", code, "1-20 ký tự: chữ không dấu, số, dấu chấm, gạch nối hoặc gạch dưới")
    return c


def create_first_admin(store: Store, code: str, full_name: str, password: str, role: str = FIRST_ACCOUNT_ROLES[0],
                       *, now: datetime | None = None) -> Actor:
    """The first account of an empty install; refused once anyone of the admin team can log in."""
    if role not in FIRST_ACCOUNT_ROLES:
        raise InvalidValue("Vai trò", role, "tài khoản đầu tiên là Hiệu trưởng hoặc Ban quản trị")
    code = valid_code(code)
    name = " ".join((full_name or "").split())
    if not name:
        raise InvalidValue("Họ và tên", full_name, "không được để trống")
    pw = check_policy(password, code)
    pw_hash = hash_password(pw)
    now = now or utcnow()
    with store.transaction(code) as tx:
        s = tx.session
        if is_demo_install(s) or _has_admin_login(s):
            raise HocbasoError("Đã có tài khoản quản trị: tài khoản mới do Ban quản trị tạo.")
        st = find_staff(s, code)
        if st is None:
            st = Staff(code=code, full_name=name, active=True)
            s.add(st)
            s.flush()
        st.active = True
        if role not in {r.role for r in st.roles}:
            st.roles.append(StaffRole(role=role))
        acc = account_row(s, st.id, now)
        acc.password_hash, acc.must_change_password, acc.password_changed_at = pw_hash, False, now
        s.flush()
        tx.audit("account.first_admin", "staff", st.code, {"full_name": st.full_name, "roles": sorted(r.role for r in st.roles)})
    return directory.actor(store, code)


# --- logging in ------------------------------------------------------------------------------
def authenticate(store: Store, code: str, password: str | None, *, via: str = "login",
                 now: datetime | None = None) -> Actor:
    """The Actor of `code` if `password` is theirs; else AuthenticationFailed / AccountLocked /
    AccountDisabled, with the failure counted. `via` (login, unlock, cli, password_change) goes
    into the audit entry. A must-change flag is not checked here: see AccountInfo.must_change."""
    now = now or utcnow()
    password = password or ""
    with store.read() as s:
        st = find_staff(s, code)
        info = info_of(s, st) if st is not None else None
    if info is None:
        verify_password(None, password)  # same cost as a wrong password
        with store.transaction(SYSTEM) as tx:
            # The text typed is not kept: people type their password into the code field.
            tx.audit("account.login_failed", "staff", "?", {"via": via, "reason": "unknown_code"})
        raise AuthenticationFailed(WRONG)
    if not info.active:
        _refused(store, info, via, "disabled")
        raise AccountDisabled(info.code)
    wait = info.locked_seconds(now)
    if wait:
        _refused(store, info, via, "locked")
        raise AccountLocked(info.code, wait, info.failed_attempts)
    if not info.has_password:
        if not info.passwordless_demo:
            _refused(store, info, via, "no_password")
            raise AuthenticationFailed(f"Tài khoản {info.code} chưa có mật khẩu: nhờ Ban quản trị "
                                       "(Hiệu trưởng, Phó hiệu trưởng, Ban quản trị) đặt mật khẩu.")
        ok, stored = True, None
    else:
        with store.read() as s:
            acc = s.get(Account, info.staff_id)
            stored = acc.password_hash if acc else None
        ok = verify_password(stored, password)  # ~70 ms, outside any transaction
    if not ok:
        _failed(store, info, via, now)  # raises
    with store.transaction(info.code) as tx:
        acc = account_row(tx.session, info.staff_id, now)
        acc.failed_attempts, acc.locked_until, acc.last_login_at = 0, None, now
        if stored and needs_rehash(stored):
            acc.password_hash = hash_password(password)
        tx.audit("account.login", "staff", info.code, {"via": via, "password": info.has_password})
    return directory.actor(store, info.code)


def _refused(store: Store, info: AccountInfo, via: str, reason: str) -> None:
    with store.transaction(SYSTEM) as tx:
        tx.audit("account.login_refused", "staff", info.code, {"via": via, "reason": reason})


def _failed(store: Store, info: AccountInfo, via: str, now: datetime) -> None:
    with store.transaction(SYSTEM) as tx:
        acc = account_row(tx.session, info.staff_id, now)
        acc.failed_attempts = (acc.failed_attempts or 0) + 1
        acc.last_failed_at = now
        lock = lock_after(acc.failed_attempts)
        acc.locked_until = now + lock if lock else None
        failures = acc.failed_attempts
        tx.audit("account.login_failed", "staff", info.code,
                 {"via": via, "failures": failures, "locked_seconds": int(lock.total_seconds()) if lock else 0})
    if lock:
        raise AccountLocked(info.code, int(lock.total_seconds()), failures)
    left = FREE_ATTEMPTS + 1 - failures
    tail = f" Sai thêm {left} lần nữa, tài khoản sẽ bị tạm khóa." if left <= 2 else ""
    raise AuthenticationFailed(WRONG + tail, failures=failures)


def change_own_password(store: Store, code: str, old_password: str | None, new_password: str,
                        *, now: datetime | None = None) -> None:
    """The user changes their own password, proving the old one (a demo account without one: none)."""
    info = account_info(store, code)
    new = check_policy(new_password, info.code, old_password if info.has_password else None)
    authenticate(store, info.code, old_password or "", via="password_change", now=now)
    now = now or utcnow()
    new_hash = hash_password(new)
    with store.transaction(info.code) as tx:
        acc = account_row(tx.session, info.staff_id, now)
        acc.password_hash, acc.must_change_password, acc.password_changed_at = new_hash, False, now
        tx.audit("account.password_changed", "staff", info.code, {"by": "self"})


# --- the command line ------------------------------------------------------------------------
def terminal_password_source(env_var: str = PASSWORD_ENV) -> PasswordSource:
    """The environment variable first (scripts), then a hidden prompt on an interactive terminal.
    Never a command-line argument: argv is visible to every user of the PC (ps, shell history)."""

    def ask(prompt: str) -> str | None:
        value = os.environ.get(env_var)
        if value is not None:
            return value
        if not sys.stdin.isatty():
            return None
        try:
            return getpass.getpass(prompt)
        except EOFError:
            return None

    return ask


def resolve_cli_actor(store: Store, code: str | None, password_source: PasswordSource | None = None, *,
                      year: str | None = None, allow_must_change: bool = False) -> Actor:
    """`--as STAFF_CODE` → that staff member, logged in: asks the password when the account has one."""
    if not code or not code.strip():
        raise ActorRequired("Cần cho biết ai thao tác: thêm --as MÃ_CÁN_BỘ (xem mã bằng lệnh «hocbaso staff»).")
    info = account_info(store, code)
    password: str | None = ""
    if info.active and info.has_password:
        password = (password_source or terminal_password_source())(f"Mật khẩu của {info.code} ({info.name}): ")
        if password is None:
            raise PasswordRequired(f"Tài khoản {info.code} có mật khẩu: đặt biến môi trường {PASSWORD_ENV} "
                                   "hoặc chạy lệnh trong cửa sổ dòng lệnh để nhập (không ghi mật khẩu trên dòng lệnh).")
    actor = authenticate(store, info.code, password, via="cli")
    if info.must_change and not allow_must_change:
        raise PasswordChangeRequired(info.code)
    return directory.actor(store, info.code, year) if year else actor
