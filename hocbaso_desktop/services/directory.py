"""Who and what is in the school: years, classes, students, staff, and the acting staff member."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.errors import NotFound
from ..domain.ethnic import ETHNIC_GROUPS
from ..domain.roles import ROLE_NAMES, SYSTEM, SYSTEM_ACTOR, Actor
from ..domain.vn_collation import name_key
from ..storage.engine import Store
from ..storage.models import (
    YEAR_LIVE,
    YEAR_TRANSCRIBED,
    Enrolment,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    StaffRole,
    Student,
    TeachingAssignment,
)


@dataclass(frozen=True)
class SchoolSnapshot:
    name: str
    moet_code: str
    province: str
    district: str
    commune: str
    address: str


@dataclass(frozen=True)
class ClassInfo:
    id: int
    name: str
    grade: int
    year: str
    year_id: int
    homeroom_code: str
    homeroom_name: str
    student_count: int
    optional_subjects: frozenset[str]


@dataclass(frozen=True)
class StudentRow:
    enrolment_id: int
    student_id: int
    personal_id: str
    full_name: str
    birth_date: date
    sex: str
    ethnicity: str
    class_name: str
    lookup_code: str


@dataclass(frozen=True)
class StaffRow:
    code: str
    full_name: str
    roles: tuple[str, ...]
    assignments: str  # classes / subjects, human-readable
    active: bool
    personal_id: str = ""  # số định danh cá nhân ("" while not known): the record needs it for GVCN and BGH


def school(store: Store) -> SchoolSnapshot | None:
    with store.read() as s:
        sc = s.execute(select(School).order_by(School.id)).scalars().first()
        if sc is None:
            return None
        return SchoolSnapshot(sc.name, sc.moet_code, sc.province, sc.district, sc.commune, sc.address)


def years(store: Store) -> list[str]:
    """The school's live years (học bạ số), oldest first: a paper year entered as trích lục
    (school_year.kind 'transcribed') is no year the school works in, so no selector, dashboard or
    rollover offers it."""
    with store.read() as s:
        return list(s.execute(select(SchoolYear.name).where(SchoolYear.kind == YEAR_LIVE)
                              .order_by(SchoolYear.name)).scalars())


def transcribed_years(store: Store) -> list[str]:
    """Paper years holding trích lục, oldest first (shown apart, never as a live year)."""
    with store.read() as s:
        return list(s.execute(select(SchoolYear.name).where(SchoolYear.kind == YEAR_TRANSCRIBED)
                              .order_by(SchoolYear.name)).scalars())


def current_year_name(store: Store) -> str | None:
    ys = years(store)
    return ys[-1] if ys else None


def _year(s: Session, year: str | None) -> SchoolYear:
    q = select(SchoolYear)
    # no year named: the latest live one (a paper year is only ever reached by its name)
    q = q.where(SchoolYear.name == year) if year else q.where(SchoolYear.kind == YEAR_LIVE).order_by(SchoolYear.name.desc())
    y = s.execute(q.limit(1)).scalars().first()
    if y is None:
        raise NotFound(f"Không có năm học {year}" if year else "Chưa có năm học nào. Hãy nhập danh sách lớp hoặc tạo trường mẫu (hocbaso demo).")
    return y


def classes(store: Store, year: str | None = None) -> list[ClassInfo]:
    with store.read() as s:
        try:
            y = _year(s, year)
        except NotFound:
            if year:
                raise
            return []
        counts = dict(
            s.execute(
                select(Enrolment.class_id, func.count())
                .where(Enrolment.year_id == y.id, Enrolment.status == "active")
                .group_by(Enrolment.class_id)
            ).all()
        )
        out = []
        for c in s.execute(select(SchoolClass).where(SchoolClass.year_id == y.id)).scalars():
            hr = c.homeroom
            out.append(
                ClassInfo(
                    c.id, c.name, c.grade, y.name, y.id, hr.code if hr else "", hr.full_name if hr else "",
                    counts.get(c.id, 0), frozenset(x for x in c.optional_subjects.split(",") if x),
                )
            )
        out.sort(key=lambda c: (c.grade, c.name))
        return out


def find_class(store: Store, name: str, year: str | None = None) -> ClassInfo:
    want = name.strip().upper()
    for c in classes(store, year):
        if c.name.upper() == want:
            return c
    raise NotFound(f"Không có lớp {name}" + (f" trong năm học {year}" if year else ""))


def class_by_id(store: Store, class_id: int) -> ClassInfo:
    with store.read() as s:
        c = s.get(SchoolClass, class_id)
        if c is None:
            raise NotFound(f"Không có lớp #{class_id}")
        cname, yname = c.name, c.year.name
    return find_class(store, cname, yname)


def students(store: Store, class_name: str | None = None, year: str | None = None) -> list[StudentRow]:
    with store.read() as s:
        y = _year(s, year)
        q = (
            select(Enrolment, Student, SchoolClass)
            .join(Student, Enrolment.student_id == Student.id)
            .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
            .where(Enrolment.year_id == y.id, Enrolment.status == "active")
        )
        if class_name:
            q = q.where(func.upper(SchoolClass.name) == class_name.strip().upper())
        rows = s.execute(q).all()
        if class_name and not rows:
            if not s.execute(select(SchoolClass.id).where(SchoolClass.year_id == y.id,
                                                          func.upper(SchoolClass.name) == class_name.strip().upper())).first():
                raise NotFound(f"Không có lớp {class_name}")
        out = [
            StudentRow(e.id, st.id, st.personal_id, st.full_name, st.birth_date, st.sex,
                       ETHNIC_GROUPS.get(st.ethnicity_code, st.ethnicity_code), c.name, st.lookup_code)
            for e, st, c in rows
        ]
    out.sort(key=lambda r: (r.class_name, name_key(r.full_name)))
    return out


def staff(store: Store) -> list[StaffRow]:
    with store.read() as s:
        y = None
        try:
            y = _year(s, None)
        except NotFound:
            pass
        rows = []
        for st in s.execute(select(Staff).order_by(Staff.code)).scalars():
            roles = tuple(sorted((r.role for r in st.roles), key=list(ROLE_NAMES).index))
            parts: list[str] = []
            if y is not None:
                hr = s.execute(select(SchoolClass.name).where(SchoolClass.year_id == y.id, SchoolClass.homeroom_id == st.id)
                               .order_by(SchoolClass.name)).scalars().all()
                if hr:
                    parts.append("GVCN " + ",".join(hr))
                teach = s.execute(
                    select(SchoolClass.name, TeachingAssignment.subject_code)
                    .join(SchoolClass, TeachingAssignment.class_id == SchoolClass.id)
                    .where(TeachingAssignment.staff_id == st.id, SchoolClass.year_id == y.id, SchoolClass.homeroom_id != st.id)
                ).all()
                by_subject: dict[str, list[str]] = {}
                for cname, subj in teach:
                    by_subject.setdefault(subj, []).append(cname)
                for subj in sorted(by_subject):
                    parts.append(f"{subj} " + ",".join(sorted(by_subject[subj])))
            rows.append(StaffRow(st.code, st.full_name, tuple(ROLE_NAMES[r] for r in roles), "; ".join(parts), st.active,
                                 st.personal_id or ""))
        return rows


def actor(store: Store, code: str | None, year: str | None = None) -> Actor:
    """The acting staff member (by code) with their rights for the year; None/"system" is the system."""
    if not code or code == SYSTEM:
        return SYSTEM_ACTOR
    with store.read() as s:
        st = s.execute(select(Staff).where(func.upper(Staff.code) == code.strip().upper())).scalars().first()
        if st is None:
            raise NotFound(f"Không có cán bộ mã {code}")
        if not st.active:
            raise NotFound(f"Tài khoản {st.code} đã bị vô hiệu hóa")
        homeroom: set[int] = set()
        teaches: set[tuple[int, str]] = set()
        try:
            y = _year(s, year)
            homeroom = set(s.execute(select(SchoolClass.id).where(SchoolClass.year_id == y.id, SchoolClass.homeroom_id == st.id)).scalars())
            teaches = set(
                s.execute(
                    select(TeachingAssignment.class_id, TeachingAssignment.subject_code)
                    .join(SchoolClass, TeachingAssignment.class_id == SchoolClass.id)
                    .where(TeachingAssignment.staff_id == st.id, SchoolClass.year_id == y.id)
                ).all()
            )
        except NotFound:
            pass
        roles = frozenset(r.role for r in st.roles)
        # The rows give the rights, the roles are a precondition (services/assignments refuses to assign
        # without them): a teacher whose teaching role was taken away keeps no grid rights from old rows.
        bare = Actor(st.code, st.full_name, roles)
        if not rights.allowed(bare, rights.EDIT_CLASS):
            homeroom = set()
        if not rights.allowed(bare, rights.EDIT_SUBJECT):
            teaches = set()
        return Actor(st.code, st.full_name, roles, frozenset(homeroom), frozenset(teaches))


def is_empty(store: Store) -> bool:
    with store.read() as s:
        return s.execute(select(SchoolYear.id).limit(1)).first() is None and s.execute(select(Staff.id).limit(1)).first() is None


__all__ = [
    "ClassInfo", "SchoolSnapshot", "StaffRow", "StudentRow", "actor", "class_by_id", "classes", "current_year_name",
    "find_class", "is_empty", "school", "staff", "students", "years", "StaffRole",
]
