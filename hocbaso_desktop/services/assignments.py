"""Phân công: one GVCN per class (SchoolClass.homeroom_id) and one or more GVBM per subject and class
(TeachingAssignment rows), per school year. Teachers' grid and signing rights are built from these
rows only (directory.actor), so every write here is rights-checked, validated as a whole and audited.

One engine does all writes: the single operations (CLI) read the class's current table, change one
cell and go through the same `_apply` as the whole-table save of the GUI and the Excel import, so the
rules and the audit entries are the same whichever door a change comes in by.

Decisions (issue 14):
- An optional subject of the grade (Ngoại ngữ 1 in grades 1-2, Tiếng dân tộc) may be assigned even if
  no pupil has chosen it yet: the school assigns in August, before the pupils' optional subjects are
  entered, and a row for a subject nobody takes gives no cell to edit — it grants nothing.
- Only staff whose roles may use the right are assigned: a GVCN must hold a role that may
  rights.EDIT_CLASS, a GVBM one that may rights.EDIT_SUBJECT (so the principal may teach or be a
  GVCN; a clerk or a vice principal without a teaching role may not). The rights matrix decides,
  not a role list here: otherwise an assignment would silently give a clerk the grid.
- One teacher may be GVCN of two classes (lớp ghép, small schools); one class has at most one GVCN.
- A table lists classes → {column → staff codes}; a column left out is left unchanged, a column
  given empty is cleared. Classes left out are unchanged (a row deleted from a workbook never wipes a
  class's assignments by accident).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.assignment_columns import GVCN, column_key  # one reading of «Toán» / TOAN for the CLI, GUI and workbook
from ..domain.catalogue import Subject, catalogue
from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..domain.roles import ROLE_NAMES, Actor
from ..storage.engine import Store, Tx
from ..storage.models import Enrolment, SchoolClass, SchoolYear, Staff, TeachingAssignment

Table = Mapping[str, Mapping[str, Sequence[str]]]  # class name → {"GVCN" | subject code → staff codes}


# ---- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentRow:
    class_name: str
    grade: int
    subject: str  # "GVCN" or a catalogue subject code
    staff_code: str
    staff_name: str

    def tsv(self) -> str:
        return f"{self.class_name}\t{self.subject}\t{self.staff_code}"


@dataclass(frozen=True)
class ClassColumns:
    """A class of the year and the subject columns it offers (compulsory + optional of the grade)."""

    class_id: int
    name: str
    grade: int
    subjects: tuple[str, ...]  # every subject that may be assigned in this class, học bạ order
    compulsory: tuple[str, ...]  # the class's own subjects: compulsory + its optional ones + pupils' optional


@dataclass(frozen=True)
class StaffChoice:
    code: str
    full_name: str
    may_homeroom: bool
    may_teach: bool

    @property
    def label(self) -> str:
        return f"{self.code} – {self.full_name}"


@dataclass(frozen=True)
class TableProblem:
    class_name: str
    column: str  # "GVCN", a subject code, or "" for the row / the class itself
    message: str


@dataclass(frozen=True)
class ApplyResult:
    year: str
    homeroom_changes: tuple[tuple[str, str, str], ...]  # (class, old code, new code)
    added: tuple[tuple[str, str, str], ...]  # (class, subject, staff code)
    removed: tuple[tuple[str, str, str], ...]

    @property
    def changed(self) -> bool:
        return bool(self.homeroom_changes or self.added or self.removed)

    def summary(self) -> str:
        if not self.changed:
            return f"Phân công năm học {self.year}: không có gì thay đổi."
        return (f"Đã lưu phân công năm học {self.year}: {len(self.homeroom_changes)} thay đổi GVCN, "
                f"thêm {len(self.added)}, bỏ {len(self.removed)} phân công GVBM.")


class AssignmentsRefused(HocbasoError):
    """The table has problems: nothing written. `problems` names each class and column."""

    def __init__(self, problems: Sequence[TableProblem]) -> None:
        lines = [f"Lớp {p.class_name}" + (f", {column_title(p.column)}" if p.column else "") + f": {p.message}"
                 for p in problems]
        super().__init__("Không lưu phân công (không ghi gì):\n" + "\n".join(lines))
        self.problems = tuple(problems)


# ---- names ----------------------------------------------------------------------------------


def column_title(key: str) -> str:
    """«GVCN» or the subject's name, for headers and messages."""
    if key == GVCN:
        return GVCN
    try:
        return catalogue().subject(key).name
    except KeyError:
        return key


# ---- reading --------------------------------------------------------------------------------


def _year(s: Session, year: str | None) -> SchoolYear:
    q = select(SchoolYear)
    q = q.where(SchoolYear.name == year.strip()) if year else q.order_by(SchoolYear.name.desc())
    y = s.execute(q.limit(1)).scalars().first()
    if y is None:
        raise NotFound(f"Không có năm học {year}" if year else "Chưa có năm học nào: hãy nhập danh sách lớp trước.")
    return y


def _pupil_optional(s: Session, year_id: int) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for cid, text in s.execute(select(Enrolment.class_id, Enrolment.optional_subjects)
                               .where(Enrolment.year_id == year_id, Enrolment.status == "active")):
        out.setdefault(cid, set()).update(x.strip() for x in (text or "").split(",") if x.strip())
    return out


def _columns(s: Session, y: SchoolYear) -> list[ClassColumns]:
    cat = catalogue()
    pupils = _pupil_optional(s, y.id)
    out = []
    for c in s.execute(select(SchoolClass).where(SchoolClass.year_id == y.id)).scalars():
        own = {x for x in c.optional_subjects.split(",") if x} | pupils.get(c.id, set())
        out.append(ClassColumns(
            c.id, c.name, c.grade,
            tuple(x.code for x in cat.subjects if x.offered_in(c.grade)),
            tuple(x.code for x in cat.subjects_for(c.grade, own)),
        ))
    out.sort(key=lambda c: (c.grade, c.name))
    return out


def year_name(store: Store, year: str | None = None) -> str:
    with store.read() as s:
        return _year(s, year).name


def class_columns(store: Store, year: str | None = None) -> list[ClassColumns]:
    with store.read() as s:
        return _columns(s, _year(s, year))


def table_in(s: Session, y: SchoolYear) -> dict[str, dict[str, list[str]]]:
    """The year's assignments as the sheet writes them, inside a caller's session (the rollover copies them)."""
    table: dict[str, dict[str, list[str]]] = {}
    for name, code in s.execute(select(SchoolClass.name, Staff.code).outerjoin(Staff, SchoolClass.homeroom_id == Staff.id)
                                .where(SchoolClass.year_id == y.id)):
        table[name] = {GVCN: [code] if code else []}
    for name, subj, code in s.execute(
        select(SchoolClass.name, TeachingAssignment.subject_code, Staff.code)
        .join(SchoolClass, TeachingAssignment.class_id == SchoolClass.id)
        .join(Staff, TeachingAssignment.staff_id == Staff.id)
        .where(SchoolClass.year_id == y.id).order_by(Staff.code)
    ):
        table.setdefault(name, {GVCN: []}).setdefault(subj, []).append(code)
    return table


def current_table(store: Store, year: str | None = None) -> dict[str, dict[str, list[str]]]:
    """The year's assignments as a table (class → {"GVCN" | subject → staff codes, sorted})."""
    with store.read() as s:
        return table_in(s, _year(s, year))


def year_locked(store: Store, year: str | None = None) -> bool:
    with store.read() as s:
        return bool(_year(s, year).locked)


def staff_names(store: Store) -> dict[str, str]:
    """Every staff code → name, those who left included (old rows still name them)."""
    with store.read() as s:
        return dict(s.execute(select(Staff.code, Staff.full_name)).all())


def list_assignments(store: Store, year: str | None = None) -> list[AssignmentRow]:
    """Every assignment of the year: per class (grade, name), GVCN first, then subjects in học bạ order."""
    cat = catalogue()
    order = {GVCN: -1, **{x.code: i for i, x in enumerate(cat.subjects)}}
    with store.read() as s:
        y = _year(s, year)
        rows = [AssignmentRow(c.name, c.grade, GVCN, st.code, st.full_name) for c, st in s.execute(
            select(SchoolClass, Staff).join(Staff, SchoolClass.homeroom_id == Staff.id).where(SchoolClass.year_id == y.id))]
        rows += [AssignmentRow(c.name, c.grade, a.subject_code, st.code, st.full_name) for a, c, st in s.execute(
            select(TeachingAssignment, SchoolClass, Staff)
            .join(SchoolClass, TeachingAssignment.class_id == SchoolClass.id)
            .join(Staff, TeachingAssignment.staff_id == Staff.id)
            .where(SchoolClass.year_id == y.id))]
    rows.sort(key=lambda r: (r.grade, r.class_name, order.get(r.subject, 99), r.staff_code))
    return rows


def _staff_actor(st: Staff) -> Actor:
    return Actor(st.code, st.full_name, frozenset(r.role for r in st.roles))


def _assignable(st: Staff, today: date) -> bool:
    return bool(st.active) and (st.left_on is None or st.left_on > today)


def staff_choices(store: Store) -> list[StaffChoice]:
    """Staff who may be assigned (active, not left), with what their roles allow them to be."""
    today = date.today()
    with store.read() as s:
        out = []
        for st in s.execute(select(Staff).order_by(Staff.code)).scalars():
            if not _assignable(st, today):
                continue
            a = _staff_actor(st)
            out.append(StaffChoice(st.code, st.full_name, rights.allowed(a, rights.EDIT_CLASS),
                                   rights.allowed(a, rights.EDIT_SUBJECT)))
        return out


# ---- validation -----------------------------------------------------------------------------


def _roles_text(st: Staff) -> str:
    names = [ROLE_NAMES.get(r.role, r.role) for r in st.roles]
    return ", ".join(names) if names else "chưa có vai trò"


@dataclass
class _Plan:
    year: SchoolYear
    classes: dict[str, SchoolClass]
    staff: dict[str, Staff]
    wanted: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # canonical class name → key → codes
    problems: list[TableProblem] = field(default_factory=list)


def check_table(s: Session, y: SchoolYear, table: Table) -> _Plan:
    """Check an assignment table against the year's classes and staff, inside a caller's session."""
    cat = catalogue()
    today = date.today()
    classes = {c.name.upper(): c for c in s.execute(select(SchoolClass).where(SchoolClass.year_id == y.id)).scalars()}
    staff = {st.code.upper(): st for st in s.execute(select(Staff)).scalars()}
    plan = _Plan(y, {c.name: c for c in classes.values()}, staff)
    problem = lambda cname, col, msg: plan.problems.append(TableProblem(cname, col, msg))  # noqa: E731
    for raw_class, cells in table.items():
        c = classes.get(str(raw_class).strip().upper())
        if c is None:
            problem(str(raw_class), "", f"không có lớp này trong năm học {y.name}")
            continue
        want = plan.wanted.setdefault(c.name, {})
        for raw_key, codes in cells.items():
            key = column_key(raw_key)
            if key is None:
                problem(c.name, str(raw_key), "không có môn học này trong danh mục (ví dụ TOAN, TV, NN1, TIN, CN)")
                continue
            subj: Subject | None = None if key == GVCN else cat.subject(key)
            if subj is not None and not subj.offered_in(c.grade):
                if codes:
                    problem(c.name, key, f"khối {c.grade} không học môn {subj.name}")
                continue
            clean = list(dict.fromkeys(str(x).strip().upper() for x in codes if str(x).strip()))
            if key == GVCN and len(clean) > 1:
                problem(c.name, key, f"mỗi lớp chỉ có một GVCN (có {len(clean)}: {', '.join(clean)})")
                continue
            ok = True
            for code in clean:
                st = staff.get(code)
                if st is None:
                    problem(c.name, key, f"không có cán bộ mã {code}")
                    ok = False
                elif not _assignable(st, today):
                    problem(c.name, key, f"{st.code} – {st.full_name} đã nghỉ/không còn công tác: không phân công được")
                    ok = False
                elif key == GVCN and not rights.allowed(_staff_actor(st), rights.EDIT_CLASS):
                    problem(c.name, key, f"{st.code} – {st.full_name} ({_roles_text(st)}) không có vai trò GVCN: "
                                         "thêm vai trò GVCN cho cán bộ trước")
                    ok = False
                elif key != GVCN and not rights.allowed(_staff_actor(st), rights.EDIT_SUBJECT):
                    problem(c.name, key, f"{st.code} – {st.full_name} ({_roles_text(st)}) không có vai trò dạy học "
                                         "(GVBM hoặc GVCN): thêm vai trò cho cán bộ trước")
                    ok = False
            if ok:
                want[key] = [staff[x].code for x in clean]
    return plan


def _writable_year(s: Session, year: str | None) -> SchoolYear:
    y = _year(s, year)
    if y.locked:
        raise HocbasoError(f"Năm học {y.name} đã khóa: không thay đổi phân công được.")
    return y


def check_assignments(store: Store, year: str | None, table: Table) -> list[TableProblem]:
    """What apply_assignments would refuse, without writing (the Excel import names rows with it)."""
    with store.read() as s:
        return check_table(s, _year(s, year), table).problems


# ---- writing --------------------------------------------------------------------------------


def _apply(tx: Tx, plan: _Plan) -> ApplyResult:
    s = tx.session
    y = plan.year
    current = table_in(s, y)
    hr_changes: list[tuple[str, str, str]] = []
    added: list[tuple[str, str, str]] = []
    removed: list[tuple[str, str, str]] = []
    events: list[tuple[str, str, object, dict]] = []
    for cname, cells in sorted(plan.wanted.items()):
        c = plan.classes[cname]
        have = current.get(cname, {})
        for key, codes in cells.items():
            old = set(have.get(key, []))
            new = set(codes)
            if old == new:
                continue
            if key == GVCN:
                old_code = next(iter(old), "")
                new_code = next(iter(new), "")
                c.homeroom_id = plan.staff[new_code.upper()].id if new_code else None
                hr_changes.append((cname, old_code, new_code))
                events.append(("assignment.homeroom", "school_class", f"{y.name}/{cname}",
                               {"class": cname, "year": y.name, "old": old_code, "new": new_code}))
                continue
            gone = sorted(old - new)
            plus = sorted(new - old)
            if gone:
                ids = [plan.staff[x.upper()].id for x in gone]
                for a in s.execute(select(TeachingAssignment).where(
                        TeachingAssignment.class_id == c.id, TeachingAssignment.subject_code == key,
                        TeachingAssignment.staff_id.in_(ids))).scalars():
                    s.delete(a)
            for x in plus:
                s.add(TeachingAssignment(staff_id=plan.staff[x.upper()].id, class_id=c.id, subject_code=key))
            added += [(cname, key, x) for x in plus]
            removed += [(cname, key, x) for x in gone]
            events.append(("assignment.subject", "school_class", f"{y.name}/{cname}",
                           {"class": cname, "year": y.name, "subject": key, "old": sorted(old), "new": sorted(new)}))
    s.flush()
    tx.audit_many(events)
    return ApplyResult(y.name, tuple(hr_changes), tuple(added), tuple(removed))


def require_assign(actor: Actor) -> None:
    rights.require(actor, rights.ASSIGN_TEACHING)


def apply_assignments(store: Store, actor: Actor, year: str | None, table: Table) -> ApplyResult:
    """Replace the year's assignments for the classes and columns in `table`, all or nothing, in one
    audited transaction (one entry per changed cell, none for unchanged ones)."""
    rights.require(actor, rights.ASSIGN_TEACHING)
    with store.transaction(actor.code) as tx:
        y = _writable_year(tx.session, year)
        plan = check_table(tx.session, y, table)
        if plan.problems:
            raise AssignmentsRefused(plan.problems)
        return _apply(tx, plan)


def apply_in_transaction(tx: Tx, year: str, table: Table) -> ApplyResult:
    """apply_assignments inside a transaction the caller owns (the new-year rollover of issue 17 copies
    the old year's table, class names mapped, in its own single transaction). The caller checks
    rights.ASSIGN_TEACHING; the year's lock and every cell are checked here."""
    y = _writable_year(tx.session, year)
    plan = check_table(tx.session, y, table)
    if plan.problems:
        raise AssignmentsRefused(plan.problems)
    return _apply(tx, plan)


def _one(store: Store, actor: Actor, year: str | None, class_name: str, change) -> ApplyResult:  # noqa: ANN001
    """Read the class's row, let `change(row, info, label)` return the cells to set (or raise), apply
    them like a table: same checks, same audit, one transaction."""
    rights.require(actor, rights.ASSIGN_TEACHING)
    with store.transaction(actor.code) as tx:
        s = tx.session
        y = _writable_year(s, year)
        cols = {c.name.upper(): c for c in _columns(s, y)}
        info = cols.get(class_name.strip().upper())
        if info is None:
            raise NotFound(f"Không có lớp {class_name} trong năm học {y.name}")
        row = {k: list(v) for k, v in table_in(s, y).get(info.name, {GVCN: []}).items()}

        def label(code: str) -> str:
            st = s.execute(select(Staff).where(Staff.code == code)).scalars().first()
            return f"{st.code} – {st.full_name}" if st else code

        plan = check_table(s, y, {info.name: change(row, info, label)})
        if len(plan.problems) == 1:
            p = plan.problems[0]
            raise HocbasoError(f"Lớp {p.class_name}" + (f", {column_title(p.column)}" if p.column else "") + f": {p.message}")
        if plan.problems:
            raise AssignmentsRefused(plan.problems)
        return _apply(tx, plan)


def _subject_code(subject: str) -> str:
    key = column_key(subject)
    if key is None or key == GVCN:
        raise InvalidValue("Môn học", subject, "không có trong danh mục (ví dụ TOAN, TV, NN1, TIN, CN)")
    return key


def set_homeroom(store: Store, actor: Actor, class_name: str, staff_code: str, *, year: str | None = None,
                 replace: bool = False, teach_unassigned: bool = False) -> ApplyResult:
    """Make `staff_code` the GVCN of the class. A class that has another GVCN is refused unless
    `replace`. `teach_unassigned`: the GVCN also gets every subject of the class nobody teaches yet
    (in primary school the GVCN teaches most subjects)."""
    code = staff_code.strip().upper()

    def change(row: dict[str, list[str]], info: ClassColumns, label) -> dict[str, list[str]]:  # noqa: ANN001
        old = row.get(GVCN, [])
        if old and old[0].upper() != code and not replace:
            raise HocbasoError(f"Lớp {info.name} đã có GVCN {label(old[0])}; dùng --replace để thay.")
        out: dict[str, list[str]] = {GVCN: [code]}
        if teach_unassigned:
            for subj in info.compulsory:
                if not row.get(subj):
                    out[subj] = [code]
        return out

    return _one(store, actor, year, class_name, change)


def clear_homeroom(store: Store, actor: Actor, class_name: str, *, year: str | None = None,
                   staff_code: str | None = None) -> ApplyResult:
    """The class has no GVCN any more (its teaching rows stay). With `staff_code`, only if it is that one."""

    def change(row: dict[str, list[str]], info: ClassColumns, label) -> dict[str, list[str]]:  # noqa: ANN001
        old = row.get(GVCN, [])
        if staff_code and (not old or old[0].upper() != staff_code.strip().upper()):
            who = f"GVCN là {label(old[0])}" if old else "lớp chưa có GVCN"
            raise NotFound(f"{staff_code.strip().upper()} không phải GVCN lớp {info.name} ({who}).")
        return {GVCN: []}

    return _one(store, actor, year, class_name, change)


def add_subject_teacher(store: Store, actor: Actor, class_name: str, subject_code: str, staff_code: str, *,
                        year: str | None = None) -> ApplyResult:
    """One more GVBM of a subject in a class (already assigned: nothing changes)."""
    subj = _subject_code(subject_code)
    code = staff_code.strip().upper()
    return _one(store, actor, year, class_name, lambda row, _info, _label: {subj: [*row.get(subj, []), code]})


def remove_subject_teacher(store: Store, actor: Actor, class_name: str, subject_code: str, staff_code: str, *,
                           year: str | None = None) -> ApplyResult:
    subj = _subject_code(subject_code)
    code = staff_code.strip().upper()

    def change(row: dict[str, list[str]], info: ClassColumns, _label) -> dict[str, list[str]]:  # noqa: ANN001
        have = row.get(subj, [])
        if code not in {x.upper() for x in have}:
            raise NotFound(f"{code} không được phân công dạy môn {column_title(subj)} ở lớp {info.name}.")
        return {subj: [x for x in have if x.upper() != code]}

    return _one(store, actor, year, class_name, change)


def give_unassigned_to_homeroom(table: Mapping[str, Mapping[str, Sequence[str]]],
                                columns: Sequence[ClassColumns]) -> dict[str, dict[str, list[str]]]:
    """The GUI's "Giao môn còn trống cho GVCN": a new table where every class subject nobody teaches
    goes to the class's GVCN (pure: nothing written until saved)."""
    out = {c: {k: list(v) for k, v in cells.items()} for c, cells in table.items()}
    for info in columns:
        row = out.setdefault(info.name, {GVCN: []})
        hr = row.get(GVCN) or []
        if not hr:
            continue
        for subj in info.compulsory:
            if not row.get(subj):
                row[subj] = [hr[0]]
    return out


__all__ = [
    "GVCN", "ApplyResult", "AssignmentRow", "AssignmentsRefused", "ClassColumns", "StaffChoice", "TableProblem",
    "add_subject_teacher", "apply_assignments", "apply_in_transaction", "require_assign", "check_assignments", "class_columns",
    "clear_homeroom", "column_key",
    "column_title", "current_table", "give_unassigned_to_homeroom", "list_assignments", "remove_subject_teacher",
    "set_homeroom", "staff_choices", "staff_names", "year_locked", "year_name",
]
