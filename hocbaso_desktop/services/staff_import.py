"""Import a staff list (CSDL_GiaoVien or our template): plan (read + compare) → apply (all or nothing).

A row is the same person as an existing staff member when the personal ID matches, else when the
staff code matches; that person is updated (blank cells keep what the database has, roles are
only added — a role given by hand, such as Ban quản trị, is never taken away by a file). Staff
absent from the file are left alone: leaving is a decision, not a side effect of a shorter file.
Only "Đang làm việc" rows are working staff: a new person with another status is reported and
not added; an existing one is marked as left on the import date, the status as the reason.
Importing the same file twice changes nothing the second time (no audit entry either).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.roles import ROLE_NAMES, Actor
from ..domain.text import fold
from ..exchange.problems import ProblemSummary
from ..exchange.staff_list import ERROR, WARNING, Problem, StaffData, StaffList, read_staff_list
from ..storage.engine import Store, Tx
from ..storage.models import Staff, StaffRole
from . import staff_admin
from .class_import import _sha256

NEW, UPDATED, UNCHANGED, LEFT, SKIPPED = "new", "updated", "unchanged", "left", "skipped"
FIELDS = ("full_name", "sex", "birth_date", "personal_id", "email", "position", "subjects_text")


@dataclass(frozen=True)
class StaffChange:
    row: int
    kind: str
    code: str
    full_name: str
    changes: dict[str, tuple[Any, Any]]  # field -> (old, new): a column's values; for roles, sorted codes
    code_generated: bool = False
    status: str = ""


@dataclass
class StaffImportPlan(ProblemSummary):
    staff_list: StaffList
    changes: list[StaffChange] = field(default_factory=list)
    db_problems: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.staff_list.problems + self.db_problems, key=lambda p: (p.row, p.field))

    def of(self, kind: str) -> list[StaffChange]:
        return [c for c in self.changes if c.kind == kind]


@dataclass(frozen=True)
class StaffImportResult:
    added: int
    updated: int
    unchanged: int
    left: int
    skipped: int
    generated: tuple[tuple[str, str], ...]  # (full name, code) of codes the program made
    dry_run: bool

    def summary(self) -> str:
        head = "Chạy thử, chưa ghi gì" if self.dry_run else "Đã nhập danh sách cán bộ"
        text = (f"{head}: {self.added} người mới, {self.updated} cập nhật, {self.unchanged} không đổi, "
                f"{self.left} ghi là đã nghỉ, {self.skipped} không nhập (không đang làm việc); "
                f"{len(self.generated)} mã tự đặt.")
        return text

    def generated_lines(self) -> list[str]:
        return [f"Mã tự đặt: {code}\t{name}" for name, code in self.generated]


def plan_staff_import(store: Store, path: str | Path, actor: Actor, *, today: date | None = None) -> StaffImportPlan:
    """Read and compare; writes nothing. Refusals of rights that depend on a row are row problems."""
    rights.require(actor, rights.MANAGE_STAFF)
    sl = read_staff_list(path)
    with store.read() as s:
        return _diff(s, sl, actor, today or date.today())


def result_of(plan: StaffImportPlan, dry_run: bool) -> StaffImportResult:
    return StaffImportResult(len(plan.of(NEW)), len(plan.of(UPDATED)), len(plan.of(UNCHANGED)), len(plan.of(LEFT)),
                             len(plan.of(SKIPPED)),
                             tuple((c.full_name, c.code) for c in plan.changes if c.code_generated), dry_run)


def apply_staff_import(store: Store, plan: StaffImportPlan, actor: Actor, *,
                       today: date | None = None) -> StaffImportResult:
    """One transaction; the comparison is redone inside it (the database may have changed)."""
    rights.require(actor, rights.MANAGE_STAFF)
    today = today or date.today()
    if not plan.ok:
        raise HocbasoError(f"Tệp còn {len(plan.errors)} lỗi; chưa ghi gì vào cơ sở dữ liệu.")
    with store.transaction(actor.code) as tx:
        fresh = _diff(tx.session, plan.staff_list, actor, today)
        if not fresh.ok:
            raise HocbasoError(f"Tệp còn {len(fresh.errors)} lỗi; chưa ghi gì vào cơ sở dữ liệu.")
        if any(c.kind in (NEW, UPDATED, LEFT) for c in fresh.changes):
            _write(tx, fresh, actor, today)
    return result_of(fresh, dry_run=False)


# --- comparing -----------------------------------------------------------------------------
def _diff(s: Session, sl: StaffList, actor: Actor, today: date) -> StaffImportPlan:
    plan = StaffImportPlan(sl)
    everyone = list(s.execute(select(Staff)).scalars())
    by_pid = {st.personal_id: st for st in everyone if st.personal_id}
    by_code = {st.code.upper(): st for st in everyone}
    taken = set(by_code)
    matched: dict[int, int] = {}  # staff id → row that matched it

    def err(r: StaffData, text: str, f: str = "") -> None:
        plan.db_problems.append(Problem(ERROR, r.row, text, f))

    def warn(r: StaffData, text: str, f: str = "") -> None:
        plan.db_problems.append(Problem(WARNING, r.row, text, f))

    for r in sl.rows:
        st = by_pid.get(r.personal_id) if r.personal_id else None
        if st is not None and fold(st.full_name) != fold(r.full_name):
            # A mistyped ID equal to a colleague's must not rename that colleague.
            err(r, f"số định danh «{r.personal_id}» đã là của {st.code} ({st.full_name}), tệp ghi {r.full_name}",
                "personal_id")
            continue
        if st is not None and r.code and r.code != st.code.upper():
            owner = by_code.get(r.code)
            if owner is not None and owner is not st:
                err(r, f"số định danh «{r.personal_id}» là của {st.code} ({st.full_name}) nhưng mã cán bộ «{r.code}» "
                       f"là của {owner.code} ({owner.full_name})", "code")
                continue
            warn(r, f"mã cán bộ trong tệp «{r.code}» khác mã trong phần mềm: giữ mã {st.code} "
                    f"(cùng số định danh «{r.personal_id}»)", "code")
        if st is None and r.code:
            st = by_code.get(r.code)
            if st is not None and r.personal_id and st.personal_id and st.personal_id != r.personal_id:
                warn(r, f"{st.code}: số định danh đổi từ «{st.personal_id}» thành «{r.personal_id}»", "personal_id")
        if st is not None:
            if st.id in matched:
                err(r, f"cùng một người ({st.code}, {st.full_name}) với dòng {matched[st.id]}", "personal_id")
                continue
            matched[st.id] = r.row
            _existing(s, plan, r, st, actor, err, warn)
            continue
        if not r.active:
            plan.changes.append(StaffChange(r.row, SKIPPED, r.code or "", r.full_name, {}, status=r.status))
            warn(r, f"{r.full_name}: trạng thái «{r.status}», không đang làm việc — không nhập", "status")
            continue
        roles = r.roles or ()
        try:
            staff_admin.check_role_change(s, actor, set(), set(roles))
        except HocbasoError as e:
            err(r, f"gán vai trò {', '.join(ROLE_NAMES[x] for x in roles)} cho {r.full_name}: {e.message}", "roles")
            continue
        code = r.code or staff_admin.make_code(taken, roles)
        taken.add(code.upper())
        plan.changes.append(StaffChange(r.row, NEW, code, r.full_name, {}, code_generated=not r.code))
    return plan


def _existing(s: Session, plan: StaffImportPlan, r: StaffData, st: Staff, actor: Actor, err, warn) -> None:  # noqa: ANN001
    changes: dict[str, tuple[Any, Any]] = {}
    for f in FIELDS:
        new = getattr(r, f if f != "subjects_text" else "subjects_text")
        if new is None:
            continue  # blank cell or absent column: keep
        old = getattr(st, f)
        if (old or ("" if f != "birth_date" else None)) != new:
            changes[f] = (old, new)
    old_roles = {x.role for x in st.roles}
    added = [x for x in (r.roles or ()) if x not in old_roles]
    if added:
        try:
            staff_admin.check_role_change(s, actor, old_roles, old_roles | set(added))
        except HocbasoError as e:
            err(r, f"thêm vai trò {', '.join(ROLE_NAMES[x] for x in added)} cho {st.code}: {e.message}", "roles")
            return
        changes["roles"] = (sorted(old_roles), sorted(old_roles | set(added)))
    kind = UPDATED if changes else UNCHANGED
    if not r.active and st.active:
        try:
            staff_admin.check_can_leave(s, actor, st)
        except HocbasoError as e:
            err(r, f"ghi {st.code} là đã nghỉ («{r.status}»): {e.message}", "status")
            return
        kind = LEFT
    elif r.active and not st.active:
        warn(r, f"{st.code} ({st.full_name}) đã nghỉ trong phần mềm nhưng tệp ghi «{r.status}»: không tự kích hoạt "
                "lại — dùng «Cán bộ, giáo viên» → Cho làm việc lại nếu đúng", "status")
    plan.changes.append(StaffChange(r.row, kind, st.code, st.full_name, changes, status=r.status))


# --- writing -------------------------------------------------------------------------------
def _write(tx: Tx, plan: StaffImportPlan, actor: Actor, today: date) -> None:
    s = tx.session
    rows = {r.row: r for r in plan.staff_list.rows}
    by_code = {st.code.upper(): st for st in s.execute(select(Staff)).scalars()}
    for c in plan.changes:
        r = rows[c.row]
        if c.kind == NEW:
            st = Staff(code=c.code, full_name=r.full_name, sex=r.sex or "", birth_date=r.birth_date,
                       personal_id=r.personal_id or "", email=r.email or "", position=r.position or "",
                       subjects_text=r.subjects_text or "", active=True,
                       roles=[StaffRole(role=x) for x in (r.roles or ())])
            s.add(st)
            s.flush()
            tx.audit("staff.create", "staff", st.code, {
                "full_name": st.full_name, "sex": st.sex, "birth_date": _j(st.birth_date),
                "personal_id": st.personal_id, "email": st.email, "position": st.position,
                "subjects_text": st.subjects_text, "roles": list(r.roles or ()), "code_generated": c.code_generated,
                "by": "import", "row": c.row})
        elif c.kind in (UPDATED, LEFT):
            st = by_code[c.code.upper()]
            for f, (_old, new) in c.changes.items():
                if f == "roles":
                    have = {x.role for x in st.roles}
                    for role in new:
                        if role not in have:
                            st.roles.append(StaffRole(role=role))
                else:
                    setattr(st, f, new)
            if c.changes:
                s.flush()
                tx.audit("staff.update", "staff", st.code,
                         {f: [_j(o), _j(n)] for f, (o, n) in c.changes.items()} | {"by": "import", "row": c.row})
            if c.kind == LEFT:
                staff_admin.mark_left(s, tx, actor, st, today, f"CSDL ngành: {c.status}")
    sl = plan.staff_list
    tx.audit("import.staff_list", "staff", "*", {
        "file": sl.path.name, "sha256": _sha256(sl.path), "kind": sl.kind,
        "new": len(plan.of(NEW)), "updated": len(plan.of(UPDATED)), "left": len(plan.of(LEFT)),
        "unchanged": len(plan.of(UNCHANGED)), "skipped": len(plan.of(SKIPPED)),
        "generated": [c.code for c in plan.changes if c.code_generated]})


def _j(v: object) -> object:
    return v.isoformat() if isinstance(v, date) else v
