"""The admin team's side of accounts (seed 004 Điều 6, 9): create, reset, disable, enable, list.

Ban quản trị manages the accounts of GVCN, GVBM, văn phòng…; the accounts of the principal, vice
principals and Ban quản trị themselves are "cấp cao" and only the principal or a vice principal
manages them (domain.rights.require_manage). A password set by someone else must be changed by its
owner at the next login. Staff are never deleted: disabling keeps every audit entry pointing at
them. The idle-lock time of the desktop program is a school setting, kept here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..domain.accounts import check_policy
from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..domain.rights import ADMIN_TEAM, EDIT_SETTINGS, require, require_manage
from ..domain.roles import ROLE_NAMES, Actor
from ..storage.account_models import Account
from ..storage.engine import Store
from ..storage.models import Setting, Staff, StaffRole
from .accounts import AccountInfo, account_row, board_can_log_in, find_staff, info_of, is_demo_install, utcnow, valid_code
from .passwords import hash_password

IDLE_LOCK_KEY = "security.idle_lock_minutes"
DEFAULT_IDLE_MINUTES = 10.0


def list_accounts(store: Store) -> list[AccountInfo]:
    """Everyone on the staff list, active first, then by code (disabled ones stay visible)."""
    with store.read() as s:
        demo = is_demo_install(s)
        rows = [info_of(s, st, demo) for st in s.execute(select(Staff).order_by(Staff.code)).scalars()]
    rows.sort(key=lambda a: (not a.active, a.code))
    return rows


def state_text(a: AccountInfo, now: datetime | None = None) -> str:
    """One Vietnamese word or two for the account's state, for `user list` and the dialog."""
    if not a.active:
        return "vô hiệu hóa"
    if a.locked_seconds(now):
        return "tạm khóa"
    if a.must_change:
        return "phải đổi mật khẩu"
    if a.has_password:
        return "hoạt động"
    return "chưa có mật khẩu (trường mẫu)" if a.passwordless_demo else "chưa có mật khẩu"


def _target(s, code: str) -> Staff:  # noqa: ANN001 - Session
    st = find_staff(s, code)
    if st is None:
        raise NotFound(f"Không có cán bộ mã {code}")
    return st


def _roles_of(st: Staff) -> frozenset[str]:
    return frozenset(r.role for r in st.roles)


def create_account(store: Store, actor: Actor, code: str, password: str, *, full_name: str | None = None,
                   roles: list[str] | tuple[str, ...] = (), now: datetime | None = None) -> AccountInfo:
    """Give a staff member a login (a new staff member when the code is new: then name and roles
    are needed). The password is temporary: its owner changes it at the first login."""
    code = valid_code(code)
    unknown = [r for r in roles if r not in ROLE_NAMES]
    if unknown:
        raise InvalidValue("Vai trò", ", ".join(unknown), "vai trò có thể là: " + ", ".join(ROLE_NAMES))
    pw_hash = hash_password(check_policy(password, code))
    now = now or utcnow()
    with store.transaction(actor.code) as tx:
        s = tx.session
        st = find_staff(s, code)
        if st is None:
            name = " ".join((full_name or "").split())
            if not name or not roles:
                raise InvalidValue("Cán bộ", code, "mã mới: cần họ và tên và ít nhất một vai trò")
            require_manage(actor, set(roles), board_can_log_in=board_can_log_in(s))
            st = Staff(code=code, full_name=name, active=True, roles=[StaffRole(role=r) for r in dict.fromkeys(roles)])
            s.add(st)
            s.flush()
            tx.audit("staff.create", "staff", st.code, {"full_name": name, "roles": sorted(set(roles))})
        else:
            wanted = _roles_of(st) | set(roles)
            require_manage(actor, wanted, board_can_log_in=board_can_log_in(s))
            if not st.active:
                raise HocbasoError(f"Tài khoản {st.code} đã bị vô hiệu hóa: kích hoạt lại trước khi đặt mật khẩu.")
            acc = s.get(Account, st.id)
            if acc is not None and acc.password_hash:
                raise HocbasoError(f"{st.code} đã có tài khoản: dùng «đặt lại mật khẩu» nếu cần mật khẩu mới.")
            for r in roles:
                if r not in _roles_of(st):
                    st.roles.append(StaffRole(role=r))
        acc = account_row(s, st.id, now)
        acc.password_hash, acc.must_change_password, acc.password_changed_at = pw_hash, True, now
        acc.failed_attempts, acc.locked_until = 0, None
        s.flush()
        tx.audit("account.create", "staff", st.code, {"roles": sorted(_roles_of(st)), "must_change": True})
        return info_of(s, st)


def reset_password(store: Store, actor: Actor, code: str, new_password: str, *, now: datetime | None = None) -> None:
    """A forgotten password: a temporary one, to be changed at the next login; also lifts a lock."""
    now = now or utcnow()
    with store.read() as s:
        st = _target(s, code)
        code, roles, board = st.code, _roles_of(st), board_can_log_in(s)
    if code.upper() == actor.code.upper():
        raise HocbasoError("Đổi mật khẩu của chính mình bằng «đổi mật khẩu» (cần mật khẩu hiện tại).")
    require_manage(actor, roles, board_can_log_in=board)
    pw_hash = hash_password(check_policy(new_password, code))
    with store.transaction(actor.code) as tx:
        st = _target(tx.session, code)
        if not st.active:
            raise HocbasoError(f"Tài khoản {st.code} đã bị vô hiệu hóa: kích hoạt lại trước khi đặt mật khẩu.")
        acc = account_row(tx.session, st.id, now)
        acc.password_hash, acc.must_change_password, acc.password_changed_at = pw_hash, True, now
        acc.failed_attempts, acc.locked_until = 0, None
        tx.audit("account.password_reset", "staff", st.code, {"must_change": True})


def unlock_account(store: Store, actor: Actor, code: str) -> None:
    """Lift a wrong-password lock without changing the password (the owner is standing there)."""
    with store.read() as s:
        roles, board = _roles_of(_target(s, code)), board_can_log_in(s)
    require_manage(actor, roles, board_can_log_in=board)
    with store.transaction(actor.code) as tx:
        st = _target(tx.session, code)
        acc = tx.session.get(Account, st.id)
        if acc is not None and (acc.failed_attempts or acc.locked_until):
            acc.failed_attempts, acc.locked_until = 0, None
            tx.audit("account.unlock", "staff", st.code, {})


def _other_admin_logins(s, staff_id: int) -> int:  # noqa: ANN001 - Session
    q = (select(Staff.id).join(StaffRole, StaffRole.staff_id == Staff.id).join(Account, Account.staff_id == Staff.id)
         .where(Staff.active.is_(True), Staff.id != staff_id, StaffRole.role.in_(ADMIN_TEAM),
                Account.password_hash.is_not(None)).distinct())
    return len(s.execute(q).all())


def disable_account(store: Store, actor: Actor, code: str, reason: str = "", *, now: datetime | None = None) -> None:
    """Staff who left: no more logins, never deleted (the audit keeps pointing at them)."""
    now = now or utcnow()
    with store.read() as s:
        st = _target(s, code)
        code, roles, board = st.code, _roles_of(st), board_can_log_in(s)
    if code.upper() == actor.code.upper():
        raise HocbasoError("Không thể tự vô hiệu hóa tài khoản của mình.")
    require_manage(actor, roles, board_can_log_in=board)
    with store.transaction(actor.code) as tx:
        s = tx.session
        st = _target(s, code)
        if not st.active:
            raise HocbasoError(f"Tài khoản {st.code} đã bị vô hiệu hóa từ trước.")
        if roles & ADMIN_TEAM and not is_demo_install(s) and _other_admin_logins(s, st.id) == 0:
            raise HocbasoError(f"{st.code} là tài khoản quản trị cuối cùng đăng nhập được: tạo tài khoản quản trị khác trước.")
        st.active = False
        acc = account_row(s, st.id, now)
        acc.disabled_at, acc.disabled_by, acc.disabled_reason = now, actor.code, reason.strip()
        tx.audit("account.disable", "staff", st.code, {"reason": reason.strip()})


def enable_account(store: Store, actor: Actor, code: str) -> None:
    with store.read() as s:
        roles, board = _roles_of(_target(s, code)), board_can_log_in(s)
    require_manage(actor, roles, board_can_log_in=board)
    with store.transaction(actor.code) as tx:
        st = _target(tx.session, code)
        if st.active:
            return
        st.active = True
        acc = tx.session.get(Account, st.id)
        if acc is not None:
            # Back after a long absence: whoever knew the old password should not walk in with it.
            acc.must_change_password = bool(acc.password_hash)
            acc.failed_attempts, acc.locked_until = 0, None
        tx.audit("account.enable", "staff", st.code, {})


# --- idle lock ---------------------------------------------------------------------------------
def idle_lock_minutes(store: Store) -> float:
    with store.read() as s:
        row = s.get(Setting, IDLE_LOCK_KEY)
        text = row.value if row is not None else None
    try:
        value = float(text) if text is not None else DEFAULT_IDLE_MINUTES
    except ValueError:
        return DEFAULT_IDLE_MINUTES
    return value if 0 < value <= 240 else DEFAULT_IDLE_MINUTES


def set_idle_lock_minutes(store: Store, actor: Actor, minutes: float) -> None:
    require(actor, EDIT_SETTINGS)
    if not 1 <= minutes <= 240:
        raise InvalidValue("Thời gian tự khóa", minutes, "từ 1 đến 240 phút")
    value = f"{minutes:g}"
    with store.transaction(actor.code) as tx:
        row = tx.session.get(Setting, IDLE_LOCK_KEY)
        old = row.value if row is not None else None
        if old == value:
            return
        if row is None:
            tx.session.add(Setting(key=IDLE_LOCK_KEY, value=value))
        else:
            row.value = value
        tx.audit("setting.set", "setting", IDLE_LOCK_KEY, {"old": old, "new": value})
