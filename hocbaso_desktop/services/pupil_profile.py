"""The pupil form: one pupil's identity and per-year facts, read as a snapshot, changed in one audited step.

Per-year facts (optional subjects, exemptions) live on the enrolment of the year; identity and the
"assessed by an individual education plan" flag on the student. Who may change them: rights.EDIT_PUPIL,
and a GVCN only for the pupils of her own class. Nothing changes while the pupil's record of that
year is being signed or issued (a correction goes through the correction workflow) or in a locked year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.catalogue import EXEMPT, PERIODS, catalogue
from ..domain.errors import InvalidValue, NotFound, PermissionDenied, RecordLocked
from ..domain.ethnic import ETHNIC_GROUPS, ethnic_code
from ..domain.identity import check_personal_id
from ..domain.pupil_subjects import (
    exempt_problem,
    join_codes,
    optional_choices,
    optional_problem,
    parse_codes,
    resolve_subject,
    split_list,
    taken_subjects,
)
from ..domain.roles import Actor
from ..domain.text import clean
from ..domain.typed_dates import parse_date
from ..exchange.class_list_values import parse_personal_id, parse_sex
from ..storage.engine import Store
from ..storage.models import Enrolment, SchoolClass, SchoolYear, Student, SubjectEvaluation
from .records import latest_record

# Field keys of `changes` → the Vietnamese label every message names.
LABELS: dict[str, str] = {
    "full_name": "Họ và tên", "birth_date": "Ngày sinh", "sex": "Giới tính", "ethnicity": "Dân tộc",
    "nationality": "Quốc tịch", "birthplace": "Nơi sinh", "hometown": "Quê quán", "address": "Nơi ở hiện nay",
    "father_name": "Họ tên cha", "mother_name": "Họ tên mẹ", "guardian_name": "Người giám hộ",
    "personal_id": "Mã định danh", "moet_code": "Mã học sinh (CSDL ngành)", "register_no": "Số đăng bộ",
    "enrolled_on": "Ngày vào trường", "policy_group": "Đối tượng chính sách", "disability": "Khuyết tật",
    "not_assessed": "Đánh giá theo kế hoạch giáo dục cá nhân", "optional_subjects": "Môn tự chọn",
    "exempt_subjects": "Miễn môn",
}
# Free-text student columns and their lengths (storage/models.py).
TEXT_LIMITS: dict[str, int] = {
    "full_name": 150, "nationality": 50, "birthplace": 250, "hometown": 250, "address": 250, "father_name": 150,
    "mother_name": 150, "guardian_name": 150, "moet_code": 20, "register_no": 30, "policy_group": 100, "disability": 100,
}
STUDENT_FIELDS = ("full_name", "birth_date", "sex", "ethnicity_code", "nationality", "birthplace", "hometown", "address",
                  "father_name", "mother_name", "guardian_name", "personal_id", "moet_code", "register_no",
                  "enrolled_on", "policy_group", "disability", "not_assessed")
BLOCKING_STATUSES = ("signing", "issued")


@dataclass(frozen=True)
class SubjectChoice:
    code: str
    name: str


@dataclass(frozen=True)
class PupilProfile:
    """Everything the pupil form shows, for one school year."""

    student_id: int
    enrolment_id: int
    year: str
    class_id: int
    class_name: str
    grade: int
    personal_id: str
    full_name: str
    birth_date: date
    sex: str
    ethnicity_code: str
    ethnicity_name: str
    nationality: str
    birthplace: str
    hometown: str
    address: str
    father_name: str
    mother_name: str
    guardian_name: str
    moet_code: str
    register_no: str
    enrolled_on: date | None
    policy_group: str
    disability: str
    not_assessed: bool
    class_optional: frozenset[str]
    optional_subjects: frozenset[str]  # the pupil's own, beyond the class's
    exempt_subjects: frozenset[str]
    subjects: tuple[SubjectChoice, ...]  # what the pupil takes, in học bạ order
    optional_choices: tuple[SubjectChoice, ...]  # optional subjects of the grade (a pupil may choose)
    record_status: str | None  # status of the year's latest record, None before any
    locked_reason: str  # why the form is read-only now ("" when it may change)


@dataclass(frozen=True)
class UpdateResult:
    profile: PupilProfile
    changes: dict[str, tuple[Any, Any]]  # field → (old, new), as audited
    warnings: tuple[str, ...]  # e.g. a personal ID whose birth year digits disagree


# ---- reading -------------------------------------------------------------------------------------


def _find(s: Session, personal_id: str, year: str | None) -> tuple[Student, Enrolment, SchoolClass, SchoolYear]:
    pid = clean(personal_id)
    q = (select(Student, Enrolment, SchoolClass, SchoolYear)
         .join(Enrolment, Enrolment.student_id == Student.id)
         .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
         .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
         .where(Student.personal_id == pid))
    if year:
        q = q.where(SchoolYear.name == clean(year))
    row = s.execute(q.order_by(SchoolYear.name.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"Không có học sinh mã định danh {pid}" + (f" trong năm học {year}" if year else ""))
    return row[0], row[1], row[2], row[3]


def _locked_reason(s: Session, enrolment: Enrolment, year: SchoolYear) -> tuple[str | None, str]:
    rec = latest_record(s, enrolment.id)
    status = rec.status if rec else None
    if year.locked:
        return status, f"Năm học {year.name} đã khóa: hồ sơ học sinh chỉ sửa được qua quy trình đính chính"
    if status == "issued":
        return status, ("Học bạ năm học này của học sinh đã phát hành: chỉ sửa được qua phiếu đính chính "
                        "đã được Hiệu trưởng duyệt")
    if status == "signing":
        return status, "Học bạ năm học này của học sinh đang được ký: không sửa hồ sơ trong lúc ký"
    return status, ""


def _snapshot(s: Session, st: Student, e: Enrolment, c: SchoolClass, y: SchoolYear) -> PupilProfile:
    cat = catalogue()
    class_opt = parse_codes(c.optional_subjects)
    own_opt = parse_codes(e.optional_subjects)
    status, reason = _locked_reason(s, e, y)
    return PupilProfile(
        student_id=st.id, enrolment_id=e.id, year=y.name, class_id=c.id, class_name=c.name, grade=c.grade,
        personal_id=st.personal_id, full_name=st.full_name, birth_date=st.birth_date, sex=st.sex,
        ethnicity_code=st.ethnicity_code, ethnicity_name=ETHNIC_GROUPS.get(st.ethnicity_code, ""),
        nationality=st.nationality, birthplace=st.birthplace, hometown=st.hometown, address=st.address,
        father_name=st.father_name, mother_name=st.mother_name, guardian_name=st.guardian_name,
        moet_code=st.moet_code, register_no=st.register_no, enrolled_on=st.enrolled_on,
        policy_group=st.policy_group, disability=st.disability, not_assessed=bool(st.not_assessed),
        class_optional=class_opt, optional_subjects=own_opt, exempt_subjects=parse_codes(e.exempt_subjects),
        subjects=tuple(SubjectChoice(x.code, x.name) for x in taken_subjects(c.grade, class_opt, own_opt, cat)),
        optional_choices=tuple(SubjectChoice(x.code, x.name) for x in optional_choices(c.grade, cat)),
        record_status=status, locked_reason=reason,
    )


def pupil_profile(store: Store, personal_id: str, year: str | None = None) -> PupilProfile:
    """The pupil's form for `year` (default: the latest year the pupil is enrolled in)."""
    with store.read() as s:
        return _snapshot(s, *_find(s, personal_id, year))


def profile_of_enrolment(store: Store, enrolment_id: int) -> PupilProfile:
    """The same, from a grid row (the GUI knows the enrolment, not the year's name)."""
    with store.read() as s:
        row = s.execute(select(Student, Enrolment, SchoolClass, SchoolYear)
                        .join(Enrolment, Enrolment.student_id == Student.id)
                        .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
                        .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
                        .where(Enrolment.id == enrolment_id)).first()
        if row is None:
            raise NotFound(f"Không có học sinh (ghi danh #{enrolment_id})")
        return _snapshot(s, *row)


# ---- validation ----------------------------------------------------------------------------------

_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def _shown(raw: str) -> str:
    """The value as it reads in a message, the hidden characters made visible."""
    return clean(_INVISIBLE.sub("[ký tự ẩn]", raw))


def _text(key: str, value: Any, *, required: bool = False) -> str:
    raw = "" if value is None else str(value)
    # Zero-width, bidi-override and control characters make two different strings look alike.
    if _INVISIBLE.search(raw) or any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in raw):
        raise InvalidValue(LABELS[key], _shown(raw), "có ký tự ẩn hoặc ký tự điều khiển")
    text = clean(raw)
    if required and not text:
        raise InvalidValue(LABELS[key], "", "không được để trống")
    limit = TEXT_LIMITS.get(key)
    if limit and len(text) > limit:
        raise InvalidValue(LABELS[key], text[:30] + "…", f"tối đa {limit} ký tự")
    return text


def _date(key: str, value: Any, *, required: bool) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidValue(LABELS[key], "", "không được để trống")
        return None
    d, reason = parse_date(value)
    if d is None:
        raise InvalidValue(LABELS[key], value, reason)
    return d


def _personal_id(value: Any) -> str:
    raw = "" if value is None else str(value)
    if _INVISIBLE.search(raw) or not raw.strip().replace(" ", "").isascii():
        raise InvalidValue(LABELS["personal_id"], _shown(raw),
                           "Mã định danh phải gồm đúng 12 chữ số (0-9), không có ký tự ẩn")
    pid, reason, _restored = parse_personal_id(value)  # the class-list import's own validator
    if pid is None:
        raise InvalidValue(LABELS["personal_id"], raw, reason)
    return pid


def _subjects(key: str, values: Iterable[Any] | str | None) -> list[str]:
    items = split_list(values) if isinstance(values, str) or values is None else [x for v in values for x in split_list(v)]
    codes: list[str] = []
    for item in items:
        subj = resolve_subject(item)
        if subj is None:
            raise InvalidValue(LABELS[key], item, "không có môn học này trong danh mục TT27")
        codes.append(subj.code)
    return codes


def check_optional(grade: int, codes: Iterable[str]) -> frozenset[str]:
    """Only subjects that are optional in the grade (NN1 in grades 1-2, Tiếng dân tộc)."""
    cat = catalogue()
    for code in codes:
        problem = optional_problem(grade, cat.subject(code))
        if problem:
            raise InvalidValue(LABELS["optional_subjects"], cat.subject(code).name, problem)
    return frozenset(codes)


def check_exempt(grade: int, class_optional: frozenset[str], optional: frozenset[str], codes: Iterable[str]) -> frozenset[str]:
    """Only subjects the pupil's grade has (and the pupil takes)."""
    cat = catalogue()
    taken = {s.code for s in taken_subjects(grade, class_optional, optional, cat)}
    for code in codes:
        problem = exempt_problem(grade, cat.subject(code), taken)
        if problem:
            raise InvalidValue(LABELS["exempt_subjects"], cat.subject(code).name, problem)
    return frozenset(codes)


def _check_rights(actor: Actor, cls: SchoolClass) -> None:
    rights.require(actor, rights.EDIT_PUPIL)
    if actor.is_system:
        return
    # a GVCN only the pupils of her class
    if rights.allowed(actor, rights.EDIT_ALL_PUPILS):
        return
    if cls.id not in actor.homeroom_class_ids:
        raise PermissionDenied(f"sửa hồ sơ học sinh lớp {cls.name}", f"GVCN của lớp {cls.name}")


# ---- writing -------------------------------------------------------------------------------------


def set_exemption_rows(s: Session, enrolment_id: int, added: Iterable[str], removed: Iterable[str]) -> dict[str, list]:
    """Write M (no score) for every period of a newly exempt subject, and clear the M of a subject no
    longer exempt, so reports reading the rows agree with the grid. Returns what changed, for the audit."""
    changed: dict[str, list] = {}
    existing = {(r.period, r.subject_code): r for r in s.execute(
        select(SubjectEvaluation).where(SubjectEvaluation.enrolment_id == enrolment_id)).scalars()}
    for code in sorted(added):
        for p in PERIODS:
            row = existing.get((p, code))
            if row is None:
                s.add(SubjectEvaluation(enrolment_id=enrolment_id, period=p, subject_code=code, level=EXEMPT, score=None, comment=""))
                changed[f"{code}/{p}"] = [None, EXEMPT]
            elif row.level != EXEMPT or row.score is not None:
                changed[f"{code}/{p}"] = [f"{row.level or ''}{'' if row.score is None else ' ' + str(row.score)}".strip() or None, EXEMPT]
                row.level, row.score = EXEMPT, None
    for code in sorted(removed):
        for p in PERIODS:
            row = existing.get((p, code))
            if row is not None and row.level == EXEMPT:
                row.level = None
                changed[f"{code}/{p}"] = [EXEMPT, None]
    return changed


def _jsonable(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, frozenset):
        return join_codes(v)
    return v


def update_pupil(store: Store, actor: Actor, personal_id: str, changes: dict[str, Any], year: str | None = None) -> UpdateResult:
    """Apply the form's changes in ONE audited transaction (old → new), or refuse all of them.

    `changes` keys: the LABELS keys; "ethnicity" takes a code or a name, "optional_subjects" and
    "exempt_subjects" an iterable of codes or names (or a comma-separated text), replacing the lists.
    """
    unknown = [k for k in changes if k not in LABELS]
    if unknown:
        raise InvalidValue("Trường", unknown[0], "không có trong hồ sơ học sinh")
    warnings: list[str] = []
    with store.transaction(actor.code) as tx:
        s = tx.session
        st, e, cls, y = _find(s, personal_id, year)
        _check_rights(actor, cls)
        _status, locked = _locked_reason(s, e, y)
        if locked:
            raise RecordLocked(locked)
        new: dict[str, Any] = {}
        for key, value in changes.items():
            if key in ("optional_subjects", "exempt_subjects", "personal_id", "ethnicity", "sex", "not_assessed"):
                continue
            if key in ("birth_date", "enrolled_on"):
                new[key] = _date(key, value, required=key == "birth_date")
            else:
                new[key] = _text(key, value, required=key == "full_name")
                if key == "nationality" and not new[key]:
                    new[key] = "Việt Nam"
        if "sex" in changes:
            sex, reason = parse_sex(changes["sex"] if changes["sex"] is not None else "")
            if sex is None:
                raise InvalidValue(LABELS["sex"], changes["sex"], reason)
            new["sex"] = sex
        if "ethnicity" in changes:
            raw = clean(str(changes["ethnicity"] or ""))
            code = raw if raw in ETHNIC_GROUPS else ethnic_code(raw)
            if code is None:
                raise InvalidValue(LABELS["ethnicity"], raw, "không có trong danh mục 54 dân tộc (và người nước ngoài)")
            new["ethnicity_code"] = code
        if "not_assessed" in changes:
            new["not_assessed"] = bool(changes["not_assessed"])
        if "personal_id" in changes:
            pid = _personal_id(changes["personal_id"])
            if pid != st.personal_id:
                other = s.execute(select(Student.full_name).where(Student.personal_id == pid, Student.id != st.id)).scalar()
                if other is not None:
                    raise InvalidValue(LABELS["personal_id"], pid, f"đã là mã định danh của học sinh {other}")
            new["personal_id"] = pid
        if "moet_code" in new and new["moet_code"] and not re.fullmatch(r"[0-9]{10}", new["moet_code"]):
            warnings.append(f"{LABELS['moet_code']} «{new['moet_code']}» không phải 10 chữ số như mã của CSDL ngành thường có")
        # The personal number must fit the (new) birth date and sex: errors refuse, doubts warn.
        if {"personal_id", "birth_date", "sex"} & new.keys():
            check = check_personal_id(new.get("personal_id", st.personal_id), new.get("birth_date", st.birth_date),
                                      new.get("sex", st.sex))
            if check.errors and "personal_id" in new:
                raise InvalidValue(LABELS["personal_id"], new.get("personal_id", st.personal_id), check.errors[0])
            warnings.extend(check.warnings)

        class_opt = parse_codes(cls.optional_subjects)
        old_opt, old_exempt = parse_codes(e.optional_subjects), parse_codes(e.exempt_subjects)
        opt = check_optional(cls.grade, _subjects("optional_subjects", changes["optional_subjects"])) \
            if "optional_subjects" in changes else old_opt
        exempt = check_exempt(cls.grade, class_opt, opt, _subjects("exempt_subjects", changes["exempt_subjects"])) \
            if "exempt_subjects" in changes else old_exempt
        if "exempt_subjects" not in changes:
            # dropping an optional subject drops its exemption with it
            exempt = frozenset(c for c in exempt if c in {x.code for x in taken_subjects(cls.grade, class_opt, opt)})

        audited: dict[str, tuple[Any, Any]] = {}
        for f in STUDENT_FIELDS:
            if f in new and getattr(st, f) != new[f]:
                audited[f] = (getattr(st, f), new[f])
                setattr(st, f, new[f])
        if opt != old_opt:
            audited["optional_subjects"] = (old_opt, opt)
            e.optional_subjects = join_codes(opt)
        if exempt != old_exempt:
            audited["exempt_subjects"] = (old_exempt, exempt)
            e.exempt_subjects = join_codes(exempt)
        if audited:
            s.flush()
            payload: dict[str, Any] = {f: [_jsonable(a), _jsonable(b)] for f, (a, b) in audited.items()}
            payload["nam_hoc"] = y.name
            payload["lop"] = cls.name
            if "exempt_subjects" in audited:
                rows = set_exemption_rows(s, e.id, exempt - old_exempt, old_exempt - exempt)
                if rows:
                    payload["danh_gia_M"] = rows
                s.flush()
            tx.audit("pupil.update", "student", st.id, payload)
        profile = _snapshot(s, st, e, cls, y)
    return UpdateResult(profile, audited, tuple(warnings))


__all__ = ["LABELS", "PupilProfile", "SubjectChoice", "UpdateResult", "check_exempt", "check_optional", "profile_of_enrolment",
           "pupil_profile", "set_exemption_rows", "update_pupil"]
