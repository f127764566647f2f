"""The staff list (cán bộ, giáo viên, nhân viên): add, edit, mark as left, take back. No Qt.

Staff are never deleted: the audit, the signatures and last year's records point at them. A
person who left keeps their row with `active = False` and `left_on`; they cannot log in
(services.accounts.authenticate refuses inactive staff) and cannot be assigned to a class or a
subject (`assignable_staff` / `require_assignable`, used by the assignment service).

Rights: rights.MANAGE_STAFF for the list itself. Giving or taking away a high-level role
(principal, vice principal, Ban quản trị) and marking a high-level person as left follow the
accounts rule (rights.require_manage, Điều 9): only the principal or a vice principal — or Ban
quản trị while the school has nobody of the board who can log in (the first start).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..domain.identity import check_personal_id
from ..domain.roles import ADMIN, ARCHIVIST, CLERK, HOMEROOM, PRINCIPAL, ROLE_NAMES, SUBJECT, VICE_PRINCIPAL, Actor
from ..domain.text import clean
from ..exchange.class_list_values import parse_personal_id, parse_sex
from ..storage.account_models import Account
from ..storage.engine import Store
from ..storage.models import Staff, StaffRole
from .accounts import board_can_log_in, is_demo_install, utcnow, valid_code

# Code prefixes when a code has to be made: the board keeps the short codes people expect.
_SINGLE_PREFIX = {PRINCIPAL: "HT", VICE_PRINCIPAL: "PHT"}
_NUMBERED_PREFIX = ((ADMIN, "QT"), (HOMEROOM, "GV"), (SUBJECT, "GV"), (CLERK, "VP"), (ARCHIVIST, "LT"))
DEFAULT_PREFIX = "CB"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class StaffInput:
    """What a form, a command line or a file row gives for one person. Strings as typed."""

    full_name: str
    code: str = ""  # empty: generated
    sex: str = ""  # "Nam" / "Nữ" / "" (not known)
    birth_date: date | None = None
    personal_id: str = ""  # 12 digits, or "" while not known
    position: str = ""  # chức vụ
    email: str = ""
    roles: tuple[str, ...] = ()
    subjects_text: str = ""


@dataclass(frozen=True)
class StaffInfo:
    id: int
    code: str
    full_name: str
    sex: str
    birth_date: date | None
    personal_id: str
    position: str
    email: str
    roles: tuple[str, ...]
    subjects_text: str
    active: bool
    left_on: date | None
    has_login: bool

    @property
    def role_names(self) -> str:
        return ", ".join(ROLE_NAMES[r] for r in ROLE_NAMES if r in self.roles)

    @property
    def state_text(self) -> str:
        if self.active:
            return "đang làm việc"
        if self.left_on is not None:
            return f"đã nghỉ ({self.left_on.strftime('%d/%m/%Y')})"
        return "tài khoản bị vô hiệu hóa"


@dataclass(frozen=True)
class SaveResult:
    staff: StaffInfo
    code_generated: bool
    warnings: tuple[str, ...]

    def summary(self) -> str:
        how = "mã tự đặt" if self.code_generated else "mã"
        text = f"Đã lưu {self.staff.full_name} — {how} {self.staff.code}."
        return text + "".join(f" Cảnh báo: {w}." for w in self.warnings)


# --- reading ---------------------------------------------------------------------------------
def info_of(s: Session, st: Staff) -> StaffInfo:
    acc = s.get(Account, st.id)
    roles = tuple(r for r in ROLE_NAMES if r in {x.role for x in st.roles})
    return StaffInfo(st.id, st.code, st.full_name, st.sex or "", st.birth_date, st.personal_id or "",
                     st.position or "", st.email or "", roles, st.subjects_text or "", bool(st.active), st.left_on,
                     bool(acc and acc.password_hash))


def list_staff(store: Store) -> list[StaffInfo]:
    """Everyone, those working first, then by code (people who left stay visible)."""
    with store.read() as s:
        rows = [info_of(s, st) for st in s.execute(select(Staff).order_by(Staff.code)).scalars()]
    rows.sort(key=lambda r: (not r.active, r.code))
    return rows


def get_staff(store: Store, code: str) -> StaffInfo:
    with store.read() as s:
        return info_of(s, _find(s, code))


def assignable_staff(store: Store) -> list[StaffInfo]:
    """Who may be made GVCN or GVBM: staff still working (people who left never)."""
    return [r for r in list_staff(store) if r.active]


def require_assignable(st: Staff) -> None:
    """For the assignment service, inside its transaction: refuse someone who left."""
    if not st.active:
        when = f" từ {st.left_on.strftime('%d/%m/%Y')}" if st.left_on else ""
        raise HocbasoError(f"{st.code} ({st.full_name}) đã nghỉ{when}: không phân công được.")


def _find(s: Session, code: str) -> Staff:
    st = s.execute(select(Staff).where(func.upper(Staff.code) == (code or "").strip().upper())).scalars().first()
    if st is None:
        raise NotFound(f"Không có cán bộ mã {code}")
    return st


# --- checking ---------------------------------------------------------------------------------
def normalise(data: StaffInput, today: date | None = None) -> tuple[StaffInput, tuple[str, ...]]:
    """Cleaned values and warnings; InvalidValue (field, value, reason) for the first bad field."""
    warnings: list[str] = []
    name = clean(data.full_name)
    if not name:
        raise InvalidValue("Họ và tên", data.full_name, "không được để trống")
    if len(name) > 150:
        raise InvalidValue("Họ và tên", name[:30] + "…", "dài quá 150 ký tự")
    code = valid_code(data.code) if clean(data.code) else ""
    sex = ""
    if clean(data.sex):
        parsed, reason = parse_sex(data.sex)
        if parsed is None:
            raise InvalidValue("Giới tính", data.sex, reason)
        sex = parsed
    today = today or date.today()
    if data.birth_date is not None and not 1940 <= data.birth_date.year <= today.year - 16:
        raise InvalidValue("Ngày sinh", data.birth_date.strftime("%d/%m/%Y"), "không phù hợp với cán bộ, giáo viên")
    pid = ""
    if clean(data.personal_id):
        parsed_pid, reason, _restored = parse_personal_id(clean(data.personal_id))
        if parsed_pid is None:
            raise InvalidValue("Số định danh", data.personal_id, reason.replace("Mã định danh", "số định danh"))
        check = check_personal_id(parsed_pid, data.birth_date, sex or None)
        if not check.ok:
            raise InvalidValue("Số định danh", parsed_pid, "; ".join(check.errors))
        warnings.extend(check.warnings)
        pid = parsed_pid
    email = clean(data.email)
    if email and (len(email) > 150 or not _EMAIL.fullmatch(email)):
        raise InvalidValue("Email", email, "không phải địa chỉ thư điện tử")
    unknown = [r for r in data.roles if r not in ROLE_NAMES]
    if unknown:
        raise InvalidValue("Vai trò", ", ".join(unknown), "vai trò có thể là: " + ", ".join(ROLE_NAMES))
    position, subjects = clean(data.position), clean(data.subjects_text)
    if len(position) > 100:
        raise InvalidValue("Chức vụ", position[:30] + "…", "dài quá 100 ký tự")
    if len(subjects) > 200:
        raise InvalidValue("Môn dạy", subjects[:30] + "…", "dài quá 200 ký tự")
    roles = tuple(r for r in ROLE_NAMES if r in set(data.roles))
    return StaffInput(name, code, sex, data.birth_date, pid, position, email, roles, subjects), tuple(warnings)


def duplicate_pid_owner(s: Session, pid: str, own_id: int | None) -> Staff | None:
    if not pid:
        return None
    q = select(Staff).where(Staff.personal_id == pid)
    if own_id is not None:
        q = q.where(Staff.id != own_id)
    return s.execute(q.limit(1)).scalars().first()


def check_role_change(s: Session, actor: Actor, old: set[str] | frozenset[str], new: set[str] | frozenset[str]) -> None:
    """MANAGE_STAFF, and the accounts rule when a high-level role is given or taken away."""
    rights.require(actor, rights.MANAGE_STAFF)
    changed = set(old) ^ set(new)
    if changed & rights.HIGH_LEVEL_ROLES:
        rights.require_manage(actor, changed, action=rights.MANAGE_STAFF, board_can_log_in=board_can_log_in(s))


def make_code(taken: set[str], roles: tuple[str, ...] | frozenset[str]) -> str:
    """HT / PHT when free (then HT2…), else GV001, VP001…: the next number after the highest in use."""
    taken_up = {c.upper() for c in taken}
    for role, prefix in _SINGLE_PREFIX.items():
        if role in roles:
            if prefix not in taken_up:
                return prefix
            n = 2
            while f"{prefix}{n}" in taken_up:
                n += 1
            return f"{prefix}{n}"
    prefix = next((p for r, p in _NUMBERED_PREFIX if r in roles), DEFAULT_PREFIX)
    pattern = re.compile(rf"{prefix}(\d+)")
    used = [int(m.group(1)) for c in taken_up if (m := pattern.fullmatch(c))]
    n = max(used, default=0) + 1
    while f"{prefix}{n:03d}" in taken_up:
        n += 1
    return f"{prefix}{n:03d}"


def all_codes(s: Session) -> set[str]:
    return set(s.execute(select(Staff.code)).scalars())


def _jsonable(v: object) -> object:
    return v.isoformat() if isinstance(v, date) else list(v) if isinstance(v, tuple) else v


# --- writing ----------------------------------------------------------------------------------
def add_staff(store: Store, actor: Actor, data: StaffInput, *, today: date | None = None) -> SaveResult:
    """A new person. The code is kept when given (refused if taken), else made and shown back."""
    rights.require(actor, rights.MANAGE_STAFF)
    clean_data, warnings = normalise(data, today)
    with store.transaction(actor.code) as tx:
        s = tx.session
        check_role_change(s, actor, set(), set(clean_data.roles))
        generated = not clean_data.code
        code = clean_data.code or make_code(all_codes(s), clean_data.roles)
        if not generated and code.upper() in {c.upper() for c in all_codes(s)}:
            raise InvalidValue("Mã cán bộ", code, "đã có người dùng mã này")
        other = duplicate_pid_owner(s, clean_data.personal_id, None)
        if other is not None:
            raise InvalidValue("Số định danh", clean_data.personal_id, f"trùng với {other.code} ({other.full_name})")
        st = Staff(code=code, full_name=clean_data.full_name, sex=clean_data.sex, birth_date=clean_data.birth_date,
                   personal_id=clean_data.personal_id, position=clean_data.position, email=clean_data.email,
                   subjects_text=clean_data.subjects_text, active=True,
                   roles=[StaffRole(role=r) for r in clean_data.roles])
        s.add(st)
        s.flush()
        tx.audit("staff.create", "staff", st.code, {
            "full_name": st.full_name, "sex": st.sex, "birth_date": _jsonable(st.birth_date),
            "personal_id": st.personal_id, "position": st.position, "email": st.email,
            "roles": list(clean_data.roles), "subjects_text": st.subjects_text, "code_generated": generated})
        return SaveResult(info_of(s, st), generated, warnings)


EDITABLE = ("full_name", "sex", "birth_date", "personal_id", "position", "email", "subjects_text")


def edit_staff(store: Store, actor: Actor, code: str, data: StaffInput, *, today: date | None = None) -> SaveResult:
    """Replace the person's details with `data` (the code never changes: --as and the audit use it)."""
    rights.require(actor, rights.MANAGE_STAFF)
    clean_data, warnings = normalise(replace(data, code=""), today)
    with store.transaction(actor.code) as tx:
        s = tx.session
        st = _find(s, code)
        if clean(data.code) and clean(data.code).upper() != st.code.upper():
            raise InvalidValue("Mã cán bộ", data.code, f"không đổi được mã của {st.code} (mã dùng để đăng nhập và "
                                                      "trong nhật ký)")
        old_roles = {r.role for r in st.roles}
        check_role_change(s, actor, old_roles, set(clean_data.roles))
        other = duplicate_pid_owner(s, clean_data.personal_id, st.id)
        if other is not None:
            raise InvalidValue("Số định danh", clean_data.personal_id, f"trùng với {other.code} ({other.full_name})")
        changes: dict[str, object] = {}
        for f in EDITABLE:
            new = getattr(clean_data, f)
            if (getattr(st, f) or ("" if f != "birth_date" else None)) != new:
                changes[f] = [_jsonable(getattr(st, f)), _jsonable(new)]
                setattr(st, f, new)
        if set(clean_data.roles) != old_roles:
            changes["roles"] = [sorted(old_roles), sorted(clean_data.roles)]
            for r in list(st.roles):
                if r.role not in clean_data.roles:
                    st.roles.remove(r)
            for role in clean_data.roles:
                if role not in old_roles:
                    st.roles.append(StaffRole(role=role))
        if changes:
            s.flush()
            tx.audit("staff.update", "staff", st.code, changes)
        return SaveResult(info_of(s, st), False, warnings)


def check_can_leave(s: Session, actor: Actor, st: Staff) -> None:
    """Why `actor` may not mark `st` as left (raises), shared by deactivate_staff and the import."""
    from .account_admin import _other_admin_logins

    roles = {r.role for r in st.roles}
    if st.code.upper() == actor.code.upper():
        raise HocbasoError("Không thể tự ghi mình là đã nghỉ.")
    rights.require(actor, rights.MANAGE_STAFF)
    if roles & rights.HIGH_LEVEL_ROLES:
        rights.require_manage(actor, roles, action=rights.MANAGE_STAFF, board_can_log_in=board_can_log_in(s))
    acc = s.get(Account, st.id)
    if roles & rights.ADMIN_TEAM and not is_demo_install(s) and acc is not None and acc.password_hash \
            and _other_admin_logins(s, st.id) == 0:
        raise HocbasoError(f"{st.code} là người quản trị cuối cùng đăng nhập được: tạo tài khoản quản trị khác trước.")


def mark_left(s: Session, tx, actor: Actor, st: Staff, left_on: date, reason: str) -> None:  # noqa: ANN001 - Tx
    """Checks, then the row, the account, the audit."""
    check_can_leave(s, actor, st)
    st.active, st.left_on = False, left_on
    acc = s.get(Account, st.id)
    if acc is not None:
        acc.disabled_at, acc.disabled_by, acc.disabled_reason = utcnow(), actor.code, reason
    tx.audit("staff.deactivate", "staff", st.code, {"left_on": left_on.isoformat(), "reason": reason})


def deactivate_staff(store: Store, actor: Actor, code: str, left_on: date, reason: str) -> StaffInfo:
    """The person left (retired, moved, resigned): kept, no login, no assignment; date and reason audited."""
    rights.require(actor, rights.MANAGE_STAFF)
    reason = clean(reason)
    if not reason:
        raise InvalidValue("Lý do", reason, "cần ghi lý do (ví dụ: nghỉ hưu, chuyển công tác)")
    if len(reason) > 200:
        raise InvalidValue("Lý do", reason[:30] + "…", "dài quá 200 ký tự")
    with store.transaction(actor.code) as tx:
        s = tx.session
        st = _find(s, code)
        if not st.active:
            raise HocbasoError(f"{st.code} đã được ghi là nghỉ từ trước.")
        mark_left(s, tx, actor, st, left_on, reason)
        return info_of(s, st)


def reactivate_staff(store: Store, actor: Actor, code: str) -> StaffInfo:
    """Back at the school: working again; an old password must be changed at the next login."""
    rights.require(actor, rights.MANAGE_STAFF)
    with store.transaction(actor.code) as tx:
        s = tx.session
        st = _find(s, code)
        if st.active:
            raise HocbasoError(f"{st.code} đang làm việc.")
        roles = {r.role for r in st.roles}
        if roles & rights.HIGH_LEVEL_ROLES:
            rights.require_manage(actor, roles, action=rights.MANAGE_STAFF, board_can_log_in=board_can_log_in(s))
        left = st.left_on
        st.active, st.left_on = True, None
        acc = s.get(Account, st.id)
        if acc is not None:
            acc.must_change_password = bool(acc.password_hash)
            acc.failed_attempts, acc.locked_until = 0, None
        tx.audit("staff.reactivate", "staff", st.code, {"left_on": _jsonable(left)})
        return info_of(s, st)


__all__ = ["SaveResult", "StaffInfo", "StaffInput", "add_staff", "assignable_staff", "deactivate_staff",
           "edit_staff", "get_staff", "list_staff", "make_code", "normalise", "reactivate_staff",
           "require_assignable"]
