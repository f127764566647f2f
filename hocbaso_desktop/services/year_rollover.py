"""Open a new school year from the previous one ("kết chuyển", issue 17): plan, then one transaction.

Every active pupil of the old year lands in exactly one list of the plan:
- promoted: completed the grade (HTXS/HTT/HT), or "được lên lớp" by the principal after the
  supplementary evaluation → a class of the next grade (1A → 2A by default; the mapping may rename,
  merge `1A=2A, 1B=2A` or split `1A=2A,2B`, pupils then shared out in class-list name order);
- repeating: "chưa được lên lớp" by the principal → the class of the same name, same grade;
- graduated: grade 5 completed → no enrolment in the new year (the old year's enrolment stays: it
  is where the book ends; the year.open audit entry names them so a re-run knows them);
- not carried: transferred out or left during the old year;
- waiting: CHT or pending supplementary evaluation without the principal's decision, or (only with
  the principal's confirmation) no year result at all → not carried now; a later re-run carries them.
Pupils whose record is neither issued (nor withdrawn) nor waiting for the supplementary evaluation are
`incomplete`: the rollover is refused unless the principal confirms it (confirm_incomplete).

Re-running is idempotent: a pupil who already has an enrolment in the new year, and a graduate or
a not-carried pupil an earlier run named, is left alone; only what is missing is added, and a run
that adds nothing writes nothing (no audit entry). A new year that exists but was not opened from
`from_year` by this service (a class-list import made it: "year.create") is refused. New pupils
(grade 1 intake, transfers in) still come from the class-list import.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.catalogue import catalogue
from ..domain.errors import NotFound
from ..domain.pupil_subjects import exempt_problem, join_codes, optional_choices, parse_codes, taken_subjects
from ..domain.results import completion
from ..domain.roles import Actor
from ..domain.school_years import next_year, year_dates, year_start
from ..domain.vn_collation import name_key
from ..exchange.class_list_values import parse_class_name
from ..storage.engine import Store, Tx
from ..storage.models import YEAR_LIVE, AuditEntry, Enrolment, Record, SchoolClass, SchoolYear, Student, YearResult
from . import directory
from .pupil_profile import set_exemption_rows
from .rollover_assignments import copy_assignments as copy_assignment_rows
from .rollover_plan import (
    FINAL_GRADE,
    Draft,
    IncompleteRecords,
    Pupil,
    RolloverPlan,
    RolloverRefused,
    RolloverRow,
    default_target,
    parse_mapping,
)

OPEN_ACTION = "year.open"
SETTLED = ("issued", "withdrawn")  # the year's record needs nothing more (year_lock.year_status agrees)


# ---- reading ---------------------------------------------------------------------------------


def _year(s: Session, name: str) -> SchoolYear | None:
    return s.execute(select(SchoolYear).where(SchoolYear.name == name)).scalars().first()


def _earlier_runs(s: Session, year_id: int) -> list[dict]:
    rows = s.execute(select(AuditEntry.changes).where(
        AuditEntry.action == OPEN_ACTION, AuditEntry.entity == "school_year",
        AuditEntry.entity_id == str(year_id)).order_by(AuditEntry.id)).scalars()
    return [json.loads(x) for x in rows]


def _pupils(s: Session, year_id: int) -> list[Pupil]:
    classes = {c.id: c for c in s.execute(select(SchoolClass).where(SchoolClass.year_id == year_id)).scalars()}
    results = {yr.enrolment_id: yr for yr in s.execute(
        select(YearResult).join(Enrolment, YearResult.enrolment_id == Enrolment.id)
        .where(Enrolment.year_id == year_id)).scalars()}
    settled = set(s.execute(select(Record.enrolment_id).where(
        Record.year_id == year_id, Record.status.in_(SETTLED))).scalars())
    out = [Pupil(e, sid, pid, name, classes[e.class_id], results.get(e.id), e.id in settled)
           for e, sid, pid, name in s.execute(
               select(Enrolment, Student.id, Student.personal_id, Student.full_name)
               .join(Student, Enrolment.student_id == Student.id).where(Enrolment.year_id == year_id))]
    out.sort(key=lambda p: (p.old_class.grade, p.old_class.name, name_key(p.name)))
    return out


def _decision(p: Pupil) -> tuple[str, str]:
    """("up" | "stay" | "wait", note) from the year result and the principal's decision."""
    yr = p.result
    if yr is not None and yr.promoted is not None:
        return ("up", "") if yr.promoted else ("stay", "")
    if yr is not None and (yr.pending_supplementary or yr.confirmed_result == "CHT"):
        return "wait", "chờ quyết định của Hiệu trưởng sau đánh giá bổ sung"
    result = yr.confirmed_result if yr is not None else None
    if completion(p.old_class.grade, result).completed_grade:
        return "up", ""
    return "wait", "chưa có kết quả cuối năm được xác nhận"


def _incomplete(p: Pupil) -> bool:
    return not p.settled and not (p.result is not None and p.result.pending_supplementary)


def _target_grade(name: str, existing: Mapping[str, SchoolClass]) -> int | None:
    c = existing.get(name.upper())
    if c is not None:
        return c.grade
    parsed, _why = parse_class_name(name)
    return parsed[1] if parsed else None


def _resolve_targets(old_classes: Sequence[SchoolClass], mapping: Mapping[str, list[str]],
                     existing: Mapping[str, SchoolClass], from_year: str) -> dict[str, list[str]]:
    by_name = {c.name.upper(): c for c in old_classes}
    for key, targets in mapping.items():
        c = by_name.get(key.upper())
        text = f"{key}={','.join(targets)}"
        if c is None:
            raise RolloverRefused(f"Chuyển lớp «{text}»: năm học {from_year} không có lớp {key}. Chưa ghi gì.")
        if c.grade >= FINAL_GRADE:
            raise RolloverRefused(f"Chuyển lớp «{text}»: học sinh lớp {c.name} (khối {c.grade}) hoàn thành chương trình "
                                  "tiểu học, không lên lớp. Chưa ghi gì.")
        for t in targets:
            parsed, why = parse_class_name(t)
            if parsed is None:
                raise RolloverRefused(f"Chuyển lớp «{text}»: tên lớp «{t}» không hợp lệ — {why}. Chưa ghi gì.")
            g = _target_grade(parsed[0], existing)
            if g != c.grade + 1:
                raise RolloverRefused(f"Chuyển lớp «{text}»: lớp {parsed[0]} thuộc khối {g}, còn học sinh lớp {c.name} "
                                      f"(khối {c.grade}) lên khối {c.grade + 1}. Chưa ghi gì.")
    out: dict[str, list[str]] = {}
    for c in old_classes:
        if c.grade >= FINAL_GRADE:
            continue
        given = mapping.get(c.name.upper())
        if given is not None:
            out[c.name] = [_mapped_name(t, existing) for t in given]
            continue
        target = default_target(c.name.upper(), c.grade)
        if target is None:
            raise RolloverRefused(f"Lớp {c.name} (khối {c.grade}): tên lớp không bắt đầu bằng số khối, không tự suy ra "
                                  f"lớp mới được — hãy ghi chuyển lớp, ví dụ --map {c.name}={c.grade + 1}A. Chưa ghi gì.")
        out[c.name] = [existing[target].name if target in existing else target]
    return out


def _mapped_name(target: str, existing: Mapping[str, SchoolClass]) -> str:
    """A --map target as the class will be named: an existing class's own spelling, else the parsed name
    (every target was parsed above; one that did not parse never gets here)."""
    if target in existing:
        return existing[target].name
    parsed, _why = parse_class_name(target)
    return parsed[0] if parsed else target


def _share(pupils: list[Pupil], targets: list[str]) -> list[tuple[Pupil, str]]:
    """Split in class-list order into contiguous, even blocks: A…M to the first class, N…Z to the next."""
    k = len(targets)
    n = len(pupils)
    out: list[tuple[Pupil, str]] = []
    i = 0
    for j, t in enumerate(targets):
        size = n // k + (1 if j < n % k else 0)
        out += [(p, t) for p in pupils[i:i + size]]
        i += size
    return out


def _draft(s: Session, old: SchoolYear, new: SchoolYear | None, mapping: Mapping[str, list[str]]) -> Draft:
    d = Draft()
    old_classes = sorted(s.execute(select(SchoolClass).where(SchoolClass.year_id == old.id)).scalars(),
                         key=lambda c: (c.grade, c.name))
    existing: dict[str, SchoolClass] = {}
    in_new: set[int] = set()
    named_before: set[str] = set()
    if new is not None:
        existing = {c.name.upper(): c for c in s.execute(select(SchoolClass).where(SchoolClass.year_id == new.id)).scalars()}
        in_new = set(s.execute(select(Enrolment.student_id).where(Enrolment.year_id == new.id)).scalars())
        earlier: dict[str, list[str]] = {}
        for run in _earlier_runs(s, new.id):
            named_before.update(run.get("graduated", []))
            named_before.update(run.get("not_carried", []))
            earlier.update({k.upper(): [x.upper() for x in v] for k, v in run.get("mapping", {}).items()})
        # a re-run keeps the classes the first run chose unless told otherwise
        mapping = {**earlier, **mapping}
    d.targets = _resolve_targets(old_classes, mapping, existing, old.name)
    grades: dict[str, int] = {c.name.upper(): c.grade for c in existing.values()}

    def want_class(name: str, grade: int, optional: str) -> None:
        key = name.upper()
        if grades.setdefault(key, grade) != grade:
            raise RolloverRefused(f"Lớp {name} của năm học mới vừa là lớp khối {grades[key]} vừa là lớp khối {grade} "
                                  "(lớp lên lớp và lớp ở lại trùng tên): hãy ghi chuyển lớp khác. Chưa ghi gì.")
        if key in existing:
            return
        allowed = {x.code for x in optional_choices(grade)}
        g, opts = d.new_classes.setdefault(name, (grade, set()))
        opts.update(x for x in parse_codes(optional) if x in allowed)

    for c in old_classes:
        for t in d.targets.get(c.name, []):
            want_class(t, c.grade + 1, c.optional_subjects)
    up: dict[str, list[Pupil]] = {}
    for p in _pupils(s, old.id):
        if p.student_id in in_new or p.personal_id in named_before:
            d.already += 1
            continue
        row = RolloverRow(p.personal_id, p.name, p.old_class.name)
        if p.enrolment.status != "active":
            why = "đã chuyển trường" if p.enrolment.status == "transferred_out" else "đã thôi học"
            d.not_carried.append(RolloverRow(p.personal_id, p.name, p.old_class.name, "", why))
            continue
        if _incomplete(p):
            d.incomplete.append(row)
        kind, note = _decision(p)
        if kind == "wait":
            d.waiting.append(RolloverRow(p.personal_id, p.name, p.old_class.name, "", note))
        elif kind == "stay":
            want_class(p.old_class.name, p.old_class.grade, p.old_class.optional_subjects)
            d.enrol.append((p, p.old_class.name))
            d.repeating.append(RolloverRow(p.personal_id, p.name, p.old_class.name, p.old_class.name))
        elif p.old_class.grade >= FINAL_GRADE:
            d.graduated.append(row)
        else:
            up.setdefault(p.old_class.name, []).append(p)
    for cname, pupils in up.items():
        for p, t in _share(pupils, d.targets[cname]):
            d.enrol.append((p, t))
            d.promoted.append(RolloverRow(p.personal_id, p.name, cname, t))
    d.promoted.sort(key=lambda r: (r.to_class, name_key(r.name)))
    return d

# ---- the use case ----------------------------------------------------------------------------


def _check_names(new_year: str, from_year: str) -> None:
    year_start(from_year)
    year_start(new_year)
    want = next_year(from_year)
    if new_year.strip() != want:
        raise RolloverRefused(f"Năm học mới phải là năm học liền sau {from_year}, tức {want} (không phải {new_year}). "
                              "Chưa ghi gì.")


def _actor(store: Store, actor_code: str, from_year: str, copy_assignments: bool, confirm_incomplete: bool) -> Actor:
    actor = directory.actor(store, actor_code, from_year)
    rights.require(actor, rights.IMPORT_CLASSES)
    if copy_assignments:
        rights.require(actor, rights.ASSIGN_TEACHING)
    if confirm_incomplete:
        rights.require(actor, rights.CONFIRM_INCOMPLETE_ROLLOVER)
    return actor


def _plan_in(s: Session, new_year: str, from_year: str,
             mapping: Mapping[str, list[str]]) -> tuple[SchoolYear, SchoolYear | None, Draft]:
    old = _year(s, from_year)
    if old is None:
        raise NotFound(f"Không có năm học {from_year}")
    if old.kind != YEAR_LIVE:
        raise RolloverRefused(f"Năm học {from_year} chỉ có trích lục từ học bạ giấy: không kết chuyển từ năm học này.")
    new = _year(s, new_year)
    if new is not None:
        if not any(run.get("from") == from_year for run in _earlier_runs(s, new.id)):
            raise RolloverRefused(f"Năm học {new_year} đã có (không được mở từ năm học {from_year} bằng kết chuyển, ví dụ "
                                  "đã tạo khi nhập danh sách lớp): không kết chuyển vào năm học này. Chưa ghi gì.")
        if new.locked:
            raise RolloverRefused(f"Năm học {new_year} đã khóa: không kết chuyển thêm được.")
    return old, new, _draft(s, old, new, mapping)


def _frozen(d: Draft, from_year: str, new_year: str, *, applied: bool, dry_run: bool, confirmed: bool,
            year_made: bool, copied: Sequence[str] = (), skipped: Sequence[str] = ()) -> RolloverPlan:
    made = tuple(sorted(((n, g) for n, (g, _o) in d.new_classes.items()), key=lambda x: (x[1], x[0])))
    return RolloverPlan(
        from_year, new_year, tuple(d.promoted), tuple(d.repeating), tuple(d.graduated), tuple(d.not_carried),
        tuple(d.waiting), made, tuple(d.incomplete), applied, confirmed, year_made, d.already,
        tuple((k, tuple(v)) for k, v in d.targets.items()), tuple(copied), tuple(skipped), dry_run)


def open_year(store: Store, actor_code: str, new_year: str, from_year: str, *,
              mapping: dict[str, list[str]] | None = None, copy_assignments: bool = False, dry_run: bool = False,
              confirm_incomplete: bool = False) -> RolloverPlan:
    """Open `new_year` from `from_year` (or add what an earlier run could not carry). Refusals raise a
    HocbasoError naming the reason; nothing is then written. dry_run: the plan only (incomplete records
    are listed, not refused, so the preview can show them)."""
    new_year, from_year = (new_year or "").strip(), (from_year or "").strip()
    _check_names(new_year, from_year)
    actor = _actor(store, actor_code, from_year, copy_assignments, confirm_incomplete)
    wanted = {k.strip().upper(): [x.strip().upper() for x in v] for k, v in (mapping or {}).items()}
    try:
        with store.transaction(actor.code) as tx:
            old, new, d = _plan_in(tx.session, new_year, from_year, wanted)
            plan = _frozen(d, from_year, new_year, applied=False, dry_run=dry_run, confirmed=confirm_incomplete,
                           year_made=new is None)
            if d.incomplete and not confirm_incomplete and not dry_run:
                raise IncompleteRecords(plan)
            if not plan.changes:
                return plan  # a re-run with nothing to add: not even an audit entry
            copied, skipped = _write(tx, old, new, new_year, d, copy_assignments, wanted, confirm_incomplete)
            plan = _frozen(d, from_year, new_year, applied=not dry_run, dry_run=dry_run, confirmed=confirm_incomplete,
                           year_made=new is None, copied=copied, skipped=skipped)
            if dry_run:
                # the preview is the real write, rolled back: the new year's own checks (assignments) run too
                raise _RolledBack(plan)
        return plan
    except _RolledBack as e:
        return e.plan


class _RolledBack(Exception):
    def __init__(self, plan: RolloverPlan) -> None:
        super().__init__("dry run")
        self.plan = plan


def _write(tx: Tx, old: SchoolYear, new: SchoolYear | None, new_year: str, d: Draft, copy_assignments: bool,
           mapping: Mapping[str, list[str]], confirmed: bool) -> tuple[list[str], list[str]]:
    s = tx.session
    if new is None:
        dates = year_dates(new_year)
        new = SchoolYear(name=new_year, start_date=dates.start, end_date=dates.end, lock_date=dates.lock)
        s.add(new)
        s.flush()
    for name, (grade, opts) in d.new_classes.items():
        s.add(SchoolClass(year_id=new.id, name=name, grade=grade, optional_subjects=join_codes(opts)))
    s.flush()
    classes = {c.name.upper(): c for c in s.execute(select(SchoolClass).where(SchoolClass.year_id == new.id)).scalars()}
    rows = []
    exempting: dict[int, frozenset[str]] = {}
    for p, cname in d.enrol:
        c = classes[cname.upper()]
        own = frozenset(x for x in parse_codes(p.enrolment.optional_subjects)
                        if x in {o.code for o in optional_choices(c.grade)})
        taken = {x.code for x in taken_subjects(c.grade, parse_codes(c.optional_subjects), own)}
        cat = catalogue()
        exempt = frozenset(x for x in parse_codes(p.enrolment.exempt_subjects)
                           if exempt_problem(c.grade, cat.subject(x), taken) is None)
        rows.append({"student_id": p.student_id, "year_id": new.id, "class_id": c.id, "status": "active",
                     "joined_on": new.start_date, "optional_subjects": join_codes(own),
                     "exempt_subjects": join_codes(exempt)})
        if exempt:
            exempting[p.student_id] = exempt
    if rows:
        s.execute(insert(Enrolment), rows)
    if exempting:
        for eid, sid in s.execute(select(Enrolment.id, Enrolment.student_id).where(
                Enrolment.year_id == new.id, Enrolment.student_id.in_(list(exempting)))):
            set_exemption_rows(s, eid, exempting[sid], ())
    copied: list[str] = []
    skipped: list[str] = []
    if copy_assignments and d.new_classes:
        copied, skipped = copy_assignment_rows(tx, old, new, d)
    tx.audit(OPEN_ACTION, "school_year", new.id, {
        "from": old.name, "year": new_year, "mapping": {k: v for k, v in sorted(d.targets.items())},
        "given_mapping": {k: v for k, v in sorted(mapping.items())},
        "classes_made": [n for n, _g in sorted(d.new_classes.items())],
        "promoted": {r.personal_id: r.to_class for r in d.promoted},
        "repeating": {r.personal_id: r.to_class for r in d.repeating},
        "graduated": [r.personal_id for r in d.graduated],
        "not_carried": [r.personal_id for r in d.not_carried],
        "waiting": [r.personal_id for r in d.waiting],
        "incomplete": len(d.incomplete), "confirmed_incomplete": confirmed,
        "copy_assignments": copy_assignments, "assignments_copied": len(copied), "assignments_skipped": skipped,
    })
    return copied, skipped


__all__ = ["IncompleteRecords", "OPEN_ACTION", "RolloverPlan", "RolloverRefused", "RolloverRow", "default_target",
           "open_year", "parse_mapping"]
