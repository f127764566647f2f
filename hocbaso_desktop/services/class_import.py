"""Import class lists: plan (read + compare, writes nothing) → apply (all or nothing, one transaction).

Matching is by the 12-digit số định danh cá nhân (Student.personal_id): importing the same file
twice changes nothing the second time. A blank cell or a missing column never erases what the
database already holds (a shorter export must not wipe addresses typed in by hand). Students of
the classes in the file who are not in the file are listed, never deleted: leaving school is a
decision with a date and a reason, not the side effect of a shorter spreadsheet.
Issued means frozen (issue 15): nothing imports into a locked year, and a row that would change what
an issued record states (the pupil's identity, the year's class or subjects) is refused with its row.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.catalogue import catalogue
from ..domain.errors import HocbasoError, RecordLocked
from ..domain.progress import CancelCheck as Cancel
from ..domain.progress import Progress
from ..domain.pupil_subjects import exempt_problem, join_codes, parse_codes, taken_subjects
from ..domain.roles import SYSTEM, Actor
from ..domain.school_years import year_dates
from ..exchange.class_list import ClassList, Problem, StudentData, read_class_list
from ..storage.engine import Store, Tx
from ..storage.models import YEAR_TRANSCRIBED, Enrolment, SchoolClass, SchoolYear, Student
from . import frozen
from .pupil_profile import set_exemption_rows

# Student columns the file may set; compared old → new and audited field by field.
COMPARED = ("full_name", "birth_date", "sex", "ethnicity_code", "moet_code", "nationality", "birthplace", "hometown",
            "address", "father_name", "mother_name", "guardian_name", "register_no", "enrolled_on", "policy_group",
            "disability", "not_assessed")
# Enrolment columns of the year the file may set (issue 14): stored as comma-separated codes.
ENROLMENT_COMPARED = ("optional_subjects", "exempt_subjects")
NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
_CHUNK = 500  # below SQLite's limit on bound parameters in one IN (…)


@dataclass(frozen=True)
class StudentChange:
    personal_id: str
    full_name: str
    class_name: str
    sheet: str
    row: int
    changes: dict[str, tuple[object, object]]  # field → (old, new); "class_name"/"status" for the enrolment


@dataclass(frozen=True)
class MissingStudent:
    personal_id: str
    full_name: str
    class_name: str


@dataclass
class ImportPlan:
    class_list: ClassList
    year: str
    year_exists: bool
    new: list[StudentChange] = field(default_factory=list)
    updated: list[StudentChange] = field(default_factory=list)
    unchanged: list[StudentChange] = field(default_factory=list)
    classes_to_create: list[tuple[str, int]] = field(default_factory=list)
    missing: list[MissingStudent] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return self.class_list.errors

    @property
    def warnings(self) -> list[Problem]:
        return self.class_list.warnings

    @property
    def ok(self) -> bool:
        return self.class_list.ok

    def row_status(self) -> dict[tuple[str, int], str]:
        """(sheet, row) → new / updated / unchanged, for the preview."""
        out: dict[tuple[str, int], str] = {}
        for kind, items in ((NEW, self.new), (UPDATED, self.updated), (UNCHANGED, self.unchanged)):
            for c in items:
                out[(c.sheet, c.row)] = kind
        return out


@dataclass(frozen=True)
class ImportResult:
    year: str
    new: int
    updated: int
    unchanged: int
    classes_created: tuple[str, ...]
    year_created: bool
    warnings: int
    missing: tuple[MissingStudent, ...]
    dry_run: bool

    def summary(self) -> str:
        head = "Chạy thử, chưa ghi gì" if self.dry_run else "Đã nhập"
        classes = ", ".join(self.classes_created) if self.classes_created else "không"
        text = (f"{head} — năm học {self.year}: {self.new} học sinh mới, {self.updated} cập nhật, "
                f"{self.unchanged} không đổi; lớp tạo mới: {classes}; {self.warnings} cảnh báo.")
        if self.year_created:
            text += f" Năm học {self.year} được tạo mới."
        if self.missing:
            text += f" {len(self.missing)} học sinh của các lớp này không có trong tệp (giữ nguyên, không xóa)."
        return text


def default_year(store: Store, today: date | None = None) -> str:
    """The latest year in the database, else the school year running today (it starts in August/September)."""
    with store.read() as s:
        latest = s.execute(select(SchoolYear.name).order_by(SchoolYear.name.desc()).limit(1)).scalar()
    if latest:
        return latest
    t = today or date.today()
    y = t.year if t.month >= 8 else t.year - 1
    return f"{y}-{y + 1}"


def plan_import(store: Store, path: str | Path, year: str | None = None, *, progress: Progress | None = None,
                cancel: Cancel | None = None) -> ImportPlan:
    """Read the file and compare with the database. Writes nothing; errors are in plan.errors."""
    cl = read_class_list(path, year, fallback_year=default_year(store), progress=progress, cancel=cancel)
    with store.read() as s:
        return _diff(s, cl)


def apply_import(store: Store, plan: ImportPlan, actor: Actor | str = SYSTEM, *,
                 progress: Progress | None = None) -> ImportResult:
    """Write the plan in ONE transaction. The comparison is redone inside it, so a database changed
    since the preview is still imported correctly."""
    code = actor.code if isinstance(actor, Actor) else actor
    if isinstance(actor, Actor):
        rights.require(actor, rights.IMPORT_CLASSES)
    if not plan.ok:
        raise HocbasoError(f"Tệp còn {len(plan.errors)} lỗi; chưa ghi gì vào cơ sở dữ liệu.")
    with store.transaction(code) as tx:
        fresh = _diff(tx.session, plan.class_list)
        if not fresh.ok:
            raise HocbasoError(f"Tệp còn {len(fresh.errors)} lỗi; chưa ghi gì vào cơ sở dữ liệu.")
        if fresh.new or fresh.updated or fresh.classes_to_create or not fresh.year_exists:
            _write(tx, fresh, progress)
        # else: the same file again — nothing to write, not even an audit entry ("changes nothing").
    return result_of(fresh, dry_run=False)


def result_of(plan: ImportPlan, dry_run: bool) -> ImportResult:
    return ImportResult(plan.year, len(plan.new), len(plan.updated), len(plan.unchanged),
                        tuple(n for n, _g in plan.classes_to_create), not plan.year_exists, len(plan.warnings),
                        tuple(plan.missing), dry_run)


# --- comparing -----------------------------------------------------------------------------
def _diff(s: Session, cl: ClassList) -> ImportPlan:
    year_row = s.execute(select(SchoolYear).where(SchoolYear.name == cl.year)).scalars().first()
    if year_row is not None and year_row.locked:
        raise RecordLocked(f"Năm học {cl.year} đã khóa: không nhập danh sách lớp vào năm học đã khóa "
                           "(dữ liệu chỉ sửa được qua phiếu đính chính đã được Hiệu trưởng duyệt).")
    if year_row is not None and year_row.kind == YEAR_TRANSCRIBED:
        # a paper year holds only trích lục (services/transcription.py): no live class goes into it
        raise RecordLocked(f"Năm học {cl.year} là năm học trên giấy (chỉ có trích lục từ học bạ giấy): "
                           "không nhập danh sách lớp vào năm học này.")
    frozen_pupils = frozen.frozen_students(s)
    frozen_year = frozen.frozen_enrolment_students(s, year_row.id) if year_row is not None else set()
    # Compared even when the file has errors: the preview still tells which good rows are new or changed.
    plan = ImportPlan(cl, cl.year, year_row is not None)
    rows = [r for r in cl.rows if r.student is not None]
    pids = [r.student.personal_id for r in rows]  # type: ignore[union-attr]
    existing: dict[str, Student] = {}
    for i in range(0, len(pids), _CHUNK):
        for st in s.execute(select(Student).where(Student.personal_id.in_(pids[i:i + _CHUNK]))).scalars():
            existing[st.personal_id] = st
    classes: dict[str, SchoolClass] = {}
    enrolments: dict[int, tuple[str, str, str, str]] = {}  # student id → (class, status, optional, exempt) this year
    roster: list[tuple[str, str, str]] = []  # (personal_id, name, class) of active pupils this year
    if year_row is not None:
        classes = {c.name.upper(): c for c in s.execute(select(SchoolClass).where(SchoolClass.year_id == year_row.id)).scalars()}
        for sid, pid, name, cname, status, opt, exempt in s.execute(
            select(Enrolment.student_id, Student.personal_id, Student.full_name, SchoolClass.name, Enrolment.status,
                   Enrolment.optional_subjects, Enrolment.exempt_subjects)
            .join(Student, Enrolment.student_id == Student.id)
            .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
            .where(Enrolment.year_id == year_row.id)
        ):
            enrolments[sid] = (cname, status, opt, exempt)
            if status == "active":
                roster.append((pid, name, cname))
    wanted: dict[str, int] = {}
    for r in rows:
        st_data = r.student
        assert st_data is not None
        wanted.setdefault(st_data.class_name.upper(), st_data.grade)
        if st_data.class_name.upper() not in classes and (st_data.class_name, st_data.grade) not in plan.classes_to_create:
            plan.classes_to_create.append((st_data.class_name, st_data.grade))
        _check_exemptions(cl, r, classes.get(st_data.class_name.upper()), enrolments.get(existing[st_data.personal_id].id)
                          if st_data.personal_id in existing else None)
        old = existing.get(st_data.personal_id)
        if old is None:
            plan.new.append(StudentChange(st_data.personal_id, st_data.full_name, st_data.class_name, r.sheet, r.row, {}))
            continue
        changes = _field_changes(old, st_data)
        enr = enrolments.get(old.id)
        existing_class = classes.get(st_data.class_name.upper())
        target = existing_class.name if existing_class else st_data.class_name
        if enr is None:
            changes["class_name"] = (None, target)
        else:
            if enr[0] != target:
                changes["class_name"] = (enr[0], target)
            if enr[1] != "active":
                changes["status"] = (enr[1], "active")
        for f, held in zip(ENROLMENT_COMPARED, (enr[2], enr[3]) if enr else ("", "")):
            value = getattr(st_data, f)
            if value is not None and parse_codes(held) != value:
                changes[f] = (held, join_codes(value))
        _refuse_frozen(cl, r, changes, old.id in frozen_pupils, old.id in frozen_year)
        kind = plan.updated if changes else plan.unchanged
        kind.append(StudentChange(st_data.personal_id, st_data.full_name, st_data.class_name, r.sheet, r.row, changes))
    in_file = set(pids)
    covered = set(wanted)
    plan.missing = [MissingStudent(pid, name, cname) for pid, name, cname in sorted(roster, key=lambda x: (x[2], x[1]))
                    if pid not in in_file and cname.upper() in covered]
    for cname, c in classes.items():
        g = wanted.get(cname)
        if g is not None and g != c.grade:
            # Only a class created by hand with an odd name can disagree; refuse rather than guess.
            first = next(r for r in rows if r.student is not None and r.student.class_name.upper() == cname)
            pr = Problem("error", first.sheet, first.row, "Lớp", first.cells.get("class_name", ""), "class_name", c.name,
                         f"lớp {c.name} trong cơ sở dữ liệu thuộc khối {c.grade}, tệp ghi khối {g}")
            if pr not in cl.problems:
                cl.problems.append(pr)
    return plan


_NAMES = {"class_name": "Lớp", "status": "Trạng thái học tập", "optional_subjects": "Môn tự chọn",
          "exempt_subjects": "Miễn môn", "full_name": "Họ và tên", "birth_date": "Ngày sinh", "sex": "Giới tính",
          "ethnicity_code": "Dân tộc", "not_assessed": "Đánh giá theo KHGD cá nhân"}


def _shown(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "có" if v else "không"
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    return str(v)


def _refuse_frozen(cl: ClassList, r, changes: dict[str, tuple[object, object]], pupil_frozen: bool,  # noqa: ANN001
                   year_frozen: bool) -> None:
    """A pupil whose record is issued (not opened by an approved correction) keeps what the record
    states: the row is refused, naming each change it asked for; the file is then not imported."""
    blocked = [f for f in changes if (pupil_frozen and f in frozen.STUDENT_FIELDS)
               or (year_frozen and f in frozen.ENROLMENT_FIELDS)]
    if not blocked:
        return
    labels = cl.column_labels.get(r.sheet, {})
    name = {f: labels.get(f) or _NAMES.get(f, f) for f in blocked}
    what = "; ".join(f"{name[f]} «{_shown(changes[f][0])}» → «{_shown(changes[f][1])}»" for f in blocked)
    first = blocked[0]
    pr = Problem("error", r.sheet, r.row, name[first], r.cells.get(first, ""), first, _shown(changes[first][1]),
                 f"{frozen.PUPIL_TEXT}; tệp đổi {what}")
    if pr not in cl.problems:
        cl.problems.append(pr)


def _check_exemptions(cl: ClassList, r, cls: SchoolClass | None, enr: tuple[str, str, str, str] | None) -> None:  # noqa: ANN001
    """An exemption of an optional subject needs the subject taken: by the class or by the pupil
    (this row's Môn tự chọn, else what the database holds for the year)."""
    d = r.student
    if not d.exempt_subjects:
        return
    class_opt = parse_codes(cls.optional_subjects) if cls is not None else frozenset()
    own = d.optional_subjects if d.optional_subjects is not None else (parse_codes(enr[2]) if enr else frozenset())
    taken = {x.code for x in taken_subjects(d.grade, class_opt, own)}
    for code in sorted(d.exempt_subjects):
        why = exempt_problem(d.grade, catalogue().subject(code), taken)
        if why:
            pr = Problem("error", r.sheet, r.row, "Miễn môn", r.cells.get("exempt_subjects", ""), "exempt_subjects",
                         catalogue().subject(code).name, why)
            if pr not in cl.problems:
                cl.problems.append(pr)


def _field_changes(old: Student, new: StudentData) -> dict[str, tuple[object, object]]:
    changes: dict[str, tuple[object, object]] = {}
    for f in COMPARED:
        value = getattr(new, f)
        if value is None:
            continue  # absent column or blank cell: keep what the database holds
        if getattr(old, f) != value:
            changes[f] = (getattr(old, f), value)
    return changes


# --- writing -------------------------------------------------------------------------------
def _write(tx: Tx, plan: ImportPlan, progress: Progress | None) -> None:
    s = tx.session
    cl = plan.class_list
    year_row = s.execute(select(SchoolYear).where(SchoolYear.name == plan.year)).scalars().first()
    if year_row is None:
        dates = year_dates(plan.year)
        year_row = SchoolYear(name=plan.year, start_date=dates.start, end_date=dates.end, lock_date=dates.lock)
        s.add(year_row)
        s.flush()
        tx.audit("year.create", "school_year", year_row.id, {"name": plan.year, "by": "import"})
    for name, grade in plan.classes_to_create:
        created = SchoolClass(year_id=year_row.id, name=name, grade=grade)
        s.add(created)
        s.flush()
        tx.audit("class.create", "school_class", created.id, {"name": name, "grade": grade, "year": plan.year, "by": "import"})
    class_ids = {n.upper(): i for n, i in s.execute(select(SchoolClass.name, SchoolClass.id)
                                                    .where(SchoolClass.year_id == year_row.id)).all()}
    data = {r.student.personal_id: r.student for r in cl.rows if r.student is not None}
    total = len(plan.new) + len(plan.updated) or 1
    done = 0
    events: list[tuple[str, str, object, dict[str, Any]]] = []

    # New students: one multi-row INSERT … RETURNING, then their enrolments the same way.
    if plan.new:
        student_rows = [_student_values(data[c.personal_id]) | {"lookup_code": uuid.uuid4().hex} for c in plan.new]
        enrolment_rows = [_enrolment_values(data[c.personal_id]) for c in plan.new]  # once: the insert and the audit
        ids: dict[str, int] = {}
        for i in range(0, len(student_rows), _CHUNK):
            # Core inserts on the tables (their column defaults apply): the ORM's bulk path costs a
            # third of the write for 2,000 pupils and gives nothing back here
            students = cast(Table, Student.__table__)
            for sid, pid in s.execute(insert(students).returning(students.c.id, students.c.personal_id),
                                      student_rows[i:i + _CHUNK]):
                ids[pid] = sid
        s.execute(insert(cast(Table, Enrolment.__table__)), [
            {"student_id": ids[c.personal_id], "year_id": year_row.id, "class_id": class_ids[c.class_name.upper()],
             "status": "active", **values} for c, values in zip(plan.new, enrolment_rows)
        ])
        exempting = [c.personal_id for c in plan.new if data[c.personal_id].exempt_subjects]
        if exempting:
            for eid, sid in s.execute(select(Enrolment.id, Enrolment.student_id).where(
                    Enrolment.year_id == year_row.id, Enrolment.student_id.in_([ids[p] for p in exempting]))):
                pid = next(p for p in exempting if ids[p] == sid)
                set_exemption_rows(s, eid, data[pid].exempt_subjects or (), ())
        for new, row, values in zip(plan.new, student_rows, enrolment_rows):
            changes = {k: _jsonable(v) for k, v in row.items() if v not in ("", None, False)}
            changes["class_name"] = data[new.personal_id].class_name
            changes.update({k: v for k, v in values.items() if v})
            events.append(("student.import", "student", ids[new.personal_id], changes))
            done += 1
            if progress and done % 200 == 0:
                progress(done, total, "Đang ghi học sinh mới")

    # Changed students: field by field, old → new in the audit log.
    if plan.updated:
        by_pid = {st.personal_id: st for st in s.execute(
            select(Student).where(Student.personal_id.in_([c.personal_id for c in plan.updated]))).scalars()}
        enrol = {e.student_id: e for e in s.execute(
            select(Enrolment).where(Enrolment.year_id == year_row.id,
                                    Enrolment.student_id.in_([st.id for st in by_pid.values()]))).scalars()}
        updates = []
        for c in plan.updated:
            st = by_pid[c.personal_id]
            fields = {f: new for f, (_old, new) in c.changes.items() if f in COMPARED}
            if fields:
                updates.append({"id": st.id} | fields)
            e = enrol.get(st.id)
            if "class_name" in c.changes or "status" in c.changes:
                cid = class_ids[c.class_name.upper()]
                if e is None:
                    e = Enrolment(student_id=st.id, year_id=year_row.id, class_id=cid, status="active")
                    s.add(e)
                    s.flush()
                else:
                    e.class_id, e.status, e.left_on = cid, "active", None
            if e is not None and any(f in c.changes for f in ENROLMENT_COMPARED):
                old_exempt = parse_codes(e.exempt_subjects)
                for f in ENROLMENT_COMPARED:
                    if f in c.changes:
                        setattr(e, f, c.changes[f][1])
                new_exempt = parse_codes(e.exempt_subjects)
                if new_exempt != old_exempt:
                    s.flush()
                    set_exemption_rows(s, e.id, new_exempt - old_exempt, old_exempt - new_exempt)
            events.append(("student.update", "student", st.id,
                           {f: [_jsonable(o), _jsonable(n)] for f, (o, n) in c.changes.items()} | {"by": "import"}))
            done += 1
            if progress and done % 200 == 0:
                progress(done, total, "Đang cập nhật học sinh")
        if updates:
            s.execute(update(Student), updates)
    s.flush()
    _audit_many(tx, events)
    tx.audit("import.class_list", "school_year", year_row.id, {
        "file": cl.path.name, "sha256": _sha256(cl.path), "new": len(plan.new), "updated": len(plan.updated),
        "unchanged": len(plan.unchanged), "classes_created": [n for n, _g in plan.classes_to_create],
        "missing": len(plan.missing), "warnings": len(plan.warnings),
    })
    if progress:
        progress(total, total, "Đã ghi xong")


def _audit_many(tx: Tx, events: list[tuple[str, str, object, dict[str, Any]]]) -> None:
    """One audit entry per student, chained like Tx.audit, in bulk (see Tx.audit_many)."""
    tx.audit_many(events)


def _student_values(d: StudentData) -> dict[str, object]:
    return {
        "personal_id": d.personal_id, "full_name": d.full_name, "birth_date": d.birth_date, "sex": d.sex,
        "ethnicity_code": d.ethnicity_code or "01", "moet_code": d.moet_code or "",
        "nationality": d.nationality or "Việt Nam", "birthplace": d.birthplace or "", "hometown": d.hometown or "",
        "address": d.address or "", "father_name": d.father_name or "", "mother_name": d.mother_name or "",
        "guardian_name": d.guardian_name or "", "register_no": d.register_no or "", "enrolled_on": d.enrolled_on,
        "policy_group": d.policy_group or "", "disability": d.disability or "", "not_assessed": bool(d.not_assessed),
    }


def _enrolment_values(d: StudentData) -> dict[str, str]:
    # most pupils have neither: "" without building the catalogue's order for nothing
    return {"optional_subjects": join_codes(d.optional_subjects) if d.optional_subjects else "",
            "exempt_subjects": join_codes(d.exempt_subjects) if d.exempt_subjects else ""}


def _jsonable(v: object) -> object:
    return v.isoformat() if isinstance(v, date) else v


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()
