"""The embedded demo school: a realistic, deterministic primary school for 2025-2026."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable

from sqlalchemy import insert, select

from ..domain.catalogue import FINAL_PERIOD, PERIODS, catalogue
from ..domain.errors import HocbasoError
from ..domain.identity import century_sex_digit
from ..domain.results import propose_result
from ..storage.engine import Store
from ..storage.models import (
    CommentBank,
    Enrolment,
    PeriodSummary,
    QualityEvaluation,
    School,
    SchoolClass,
    SchoolYear,
    Staff,
    StaffRole,
    Student,
    SubjectEvaluation,
    TeachingAssignment,
    YearResult,
)
from . import demo_data as D
from .grid import QualityCell, SubjectCell, year_inputs

DEMO_YEAR = "2025-2026"
# (probability, subject T/H/C weights, quality T/Đ/C weights, score range)
TIERS = {
    "excellent": (0.12, (0.996, 0.004, 0.0), (0.996, 0.004, 0.0), (9, 10)),
    "very_good": (0.18, (0.99, 0.01, 0.0), (0.99, 0.01, 0.0), (7, 10)),
    "good": (0.35, (0.60, 0.40, 0.0), (0.70, 0.30, 0.0), (6, 10)),
    "average": (0.31, (0.25, 0.75, 0.0), (0.30, 0.70, 0.0), (5, 8)),
    "weak": (0.04, (0.05, 0.75, 0.20), (0.05, 0.80, 0.15), (3, 7)),
}


@dataclass(frozen=True)
class DemoSummary:
    classes: int
    students: int
    staff: int
    evaluations: int


def _weighted(rng: random.Random, items: list[tuple]) -> tuple:
    return rng.choices(items, weights=[i[1] for i in items])[0]


def _personal_id(rng: random.Random, birth_year: int, sex: str, used: set[str]) -> tuple[str, str]:
    while True:
        prov = _weighted(rng, D.PROVINCES)
        pid = f"{prov[0]}{century_sex_digit(birth_year, sex)}{birth_year % 100:02d}{rng.randrange(10**6):06d}"
        if pid not in used:
            used.add(pid)
            return pid, prov[2]


def _pick_level(rng: random.Random, weights: tuple[float, float, float], levels: tuple[str, str, str]) -> str:
    return rng.choices(levels, weights=weights)[0]


def create_demo_school(store: Store, seed: int = 2025, progress: Callable[[int, int, str], None] | None = None) -> DemoSummary:
    rng = random.Random(seed)
    cat = catalogue()
    with store.transaction("system") as tx:
        s = tx.session
        if s.execute(select(School.id)).first() or s.execute(select(SchoolYear.id)).first():
            raise HocbasoError("Cơ sở dữ liệu đã có dữ liệu; trường mẫu chỉ tạo được trên cơ sở dữ liệu trống (dùng --db với tệp mới).")
        school = School(name="Trường Tiểu học Hòa Bình (trường mẫu)", moet_code="31000901", province="Hải Phòng",
                        district="", commune="phường An Biên", address="Số 12 đường Trần Nguyên Hãn, phường An Biên, TP Hải Phòng")
        # A real school locks by 30/6; the demo keeps its records open for half a year from the day it
        # is created (and at least to the end of 2026) so that corrections (cut off a week before the
        # lock date) can still be tried on it, whatever today's date is.
        lock_date = max(date(2026, 12, 31), date.today() + timedelta(days=180))
        year = SchoolYear(name=DEMO_YEAR, start_date=date(2025, 9, 5), end_date=date(2026, 5, 31), lock_date=lock_date)
        s.add_all([school, year])
        s.flush()
        tx.audit("demo.create", "school", school.id, {"name": school.name, "year": DEMO_YEAR, "seed": seed})

        used_ids: set[str] = set()
        staff_by_code: dict[str, Staff] = {}

        def add_staff(code: str, name: str, sex: str, by: int, roles: list[str]) -> Staff:
            pid, _ = _personal_id(rng, by, sex, used_ids)
            st = Staff(code=code, full_name=name, sex=sex, personal_id=pid)
            st.roles = [StaffRole(role=r) for r in roles]
            s.add(st)
            staff_by_code[code] = st
            return st

        for code, name, sex, roles, by in D.STAFF:
            add_staff(code, name, sex, by, roles)
        for code, name, sex, by in D.HOMEROOM_TEACHERS:
            add_staff(code, name, sex, by, ["homeroom", "subject"])
        for code, name, sex, by, _subjects, _grades in D.SUBJECT_TEACHERS:
            add_staff(code, name, sex, by, ["subject"])
        s.flush()
        tx.audit("demo.create", "staff", "*", {"count": len(staff_by_code)})

        classes: list[SchoolClass] = []
        for i, (grade, letter) in enumerate((g, letter_) for g in range(1, 6) for letter_ in "AB"):
            c = SchoolClass(year_id=year.id, name=f"{grade}{letter}", grade=grade,
                            homeroom_id=staff_by_code[D.HOMEROOM_TEACHERS[i][0]].id,
                            optional_subjects="NN1" if grade <= 2 else "")
            s.add(c)
            classes.append(c)
        s.flush()
        for c in classes:
            specialists = {subj: staff_by_code[code] for code, _n, _s, _b, subjects, grades in D.SUBJECT_TEACHERS
                           for subj in subjects if c.grade in grades}
            for subj in cat.subjects_for(c.grade, {"NN1"} if c.optional_subjects else set()):
                teacher_id = specialists[subj.code].id if subj.code in specialists else c.homeroom_id
                s.add(TeachingAssignment(staff_id=teacher_id, class_id=c.id, subject_code=subj.code))

        # comment bank: the school's suggestions per subject / group and level
        for lvl, texts in D.GENERIC_SUBJECT_COMMENTS.items():
            for t in texts:
                s.add(CommentBank(target="*", level=lvl, text=t))
        for subject_code, texts_by_level in D.SUBJECT_COMMENTS.items():
            for lvl, texts in texts_by_level.items():
                for t in texts:
                    s.add(CommentBank(target=subject_code, level=lvl, text=t))
        for grp, text_by_level in D.QUALITY_GROUP_COMMENTS.items():
            for lvl, text in text_by_level.items():
                s.add(CommentBank(target=grp, level=lvl, text=text))
        s.flush()

        subj_rows: list[dict] = []
        qual_rows: list[dict] = []
        summary_rows: list[dict] = []
        year_rows: list[dict] = []
        n_students = 0
        special_done = {"not_assessed": False, "exempt": False}
        for ci, c in enumerate(classes):
            optional = frozenset(x for x in c.optional_subjects.split(",") if x)
            subjects = cat.subjects_for(c.grade, optional)
            qualities = cat.qualities_for(c.grade)
            size = rng.randint(28, 35)
            birth_year = 2025 - 5 - c.grade
            for _ in range(size):
                sex = rng.choice(["Nam", "Nữ"])
                surname = _weighted(rng, D.SURNAMES)[0]
                if sex == "Nam":
                    name = f"{surname} {rng.choice(D.MIDDLE_MALE)} {rng.choice(D.GIVEN_MALE)}"
                else:
                    name = f"{surname} {rng.choice(D.MIDDLE_FEMALE)} {rng.choice(D.GIVEN_FEMALE)}"
                by = birth_year if rng.random() > 0.03 else birth_year - 1  # a few started school a year late
                born = date(by, 1, 1) + timedelta(days=rng.randrange(365))
                pid, prov_name = _personal_id(rng, by, sex, used_ids)
                father = f"{surname} {rng.choice(D.MIDDLE_MALE)} {rng.choice(D.GIVEN_MALE)}"
                mother = f"{_weighted(rng, D.SURNAMES)[0]} {rng.choice(D.MIDDLE_FEMALE)} {rng.choice(D.GIVEN_FEMALE)}"
                not_assessed = c.name == "3B" and not special_done["not_assessed"]
                special_done["not_assessed"] |= not_assessed
                st = Student(
                    personal_id=pid, lookup_code=uuid.UUID(int=rng.getrandbits(128), version=4).hex, full_name=name,
                    birth_date=born, sex=sex, ethnicity_code=_weighted(rng, D.ETHNIC_WEIGHTS)[0], nationality="Việt Nam",
                    birthplace=prov_name, hometown=prov_name,
                    address=f"Số {rng.randint(1, 199)} {rng.choice(D.STREETS)}, {rng.choice(D.WARDS)}, TP Hải Phòng",
                    father_name=father, mother_name=mother, not_assessed=not_assessed,
                    disability="Khuyết tật trí tuệ" if not_assessed else "",
                    # the sector's 10-digit student code (mahocsinh), numbered without touching the
                    # random stream so every other demo value stays as it was
                    moet_code=f"{3100000000 + n_students + 1}",
                )
                s.add(st)
                s.flush()
                e = Enrolment(student_id=st.id, year_id=year.id, class_id=c.id, status="active", joined_on=year.start_date)
                s.add(e)
                s.flush()
                n_students += 1
                tier = rng.choices(list(TIERS), weights=[t[0] for t in TIERS.values()])[0]
                _p, sw, qw, (lo, hi) = TIERS[tier]
                exempt = c.name == "4A" and not special_done["exempt"] and tier != "weak"
                special_done["exempt"] |= exempt
                if exempt:
                    e.exempt_subjects = "GDTC"  # the per-pupil fact the M ratings below follow from
                final_s: dict[str, SubjectCell] = {}
                final_q: dict[str, QualityCell] = {}
                for period in PERIODS:
                    levels_seen = []
                    for subj in subjects:
                        if exempt and subj.code == "GDTC":
                            subj_rows.append(dict(enrolment_id=e.id, period=period, subject_code="GDTC", level="M", score=None,
                                                  comment="Miễn học môn Giáo dục thể chất theo chỉ định của bác sĩ."))
                            if period == FINAL_PERIOD:
                                final_s["GDTC"] = SubjectCell("M", None)
                            continue
                        if not_assessed and subj.code not in ("TV", "TOAN", "DD"):
                            continue  # a disabled pupil: ratings optional, the teacher rates what applies
                        lvl = _pick_level(rng, sw, ("T", "H", "C"))
                        score = None
                        if subj.is_tested(c.grade, period):
                            if lvl == "T":
                                score = rng.randint(max(lo, 7), hi) if tier != "excellent" else rng.choice([9, 10, 10])
                            elif lvl == "H":
                                score = rng.randint(6 if lo > 6 else 5, min(8, hi))
                            else:
                                score = rng.randint(2, 4)
                        bank = D.SUBJECT_COMMENTS.get(subj.code, D.GENERIC_SUBJECT_COMMENTS)
                        comment = rng.choice(bank[lvl])
                        subj_rows.append(dict(enrolment_id=e.id, period=period, subject_code=subj.code, level=lvl, score=score, comment=comment))
                        if period == FINAL_PERIOD:
                            final_s[subj.code] = SubjectCell(lvl, score)
                    for q in qualities:
                        if not_assessed and q.group == "NLD":
                            continue
                        lvl = _pick_level(rng, qw, ("T", "Đ", "C"))
                        levels_seen.append((q.group, lvl))
                        qual_rows.append(dict(enrolment_id=e.id, period=period, quality_code=q.code, level=lvl, comment=""))
                        if period == FINAL_PERIOD:
                            final_q[q.code] = QualityCell(lvl)

                    def group_comment(g: str) -> str:
                        ls = [lv for gg, lv in levels_seen if gg == g]
                        if not ls:
                            return ""
                        worst = "C" if "C" in ls else ("Đ" if ls.count("Đ") > len(ls) // 2 else "T")
                        return D.QUALITY_GROUP_COMMENTS[g][worst]

                    summary_rows.append(dict(
                        enrolment_id=e.id, period=period, days_excused=rng.choice([0, 0, 0, 1, 1, 2, 3]),
                        days_unexcused=rng.choice([0, 0, 0, 0, 0, 0, 1]), comment_pc=group_comment("PC"),
                        comment_nlc=group_comment("NLC"), comment_nld=group_comment("NLD"), teacher_comment="",
                    ))
                prop = propose_result(year_inputs(c.grade, optional, not_assessed, final_s, final_q), cat)
                result = prop.result
                # A pupil assessed by an individual plan has no computed result: the GVCN enters one with a reason.
                reason = "Đánh giá theo kế hoạch giáo dục cá nhân: đạt các mục tiêu của kế hoạch" if not_assessed else ""
                if not_assessed:
                    result = "HT"
                awards = []
                if result == "HTXS":
                    awards.append(cat.award_by_result["HTXS"])
                elif result == "HTT" and rng.random() < 0.25:
                    awards.append(cat.award_candidate_by_result["HTT"])
                summary_rows[-1]["teacher_comment"] = D.TEACHER_COMMENTS.get(result or "HT", "")
                year_rows.append(dict(
                    enrolment_id=e.id, confirmed_result=result, confirmed_by=c.homeroom_id,
                    confirmed_at=datetime(2026, 5, 25, 9, 0), change_reason=reason, awards="\n".join(awards),
                    adhoc_awards="Giải Nhì cuộc thi Vẽ tranh thiếu nhi cấp thành phố" if rng.random() < 0.02 else "",
                    pending_supplementary=result == "CHT", promoted=None,
                    height_cm=round(rng.gauss(108 + 6 * c.grade, 4), 1), weight_kg=round(rng.gauss(17 + 2.6 * c.grade, 2.5), 1),
                ))
            if progress:
                progress(ci + 1, len(classes), c.name)
            tx.audit("demo.create", "class", c.id, {"name": c.name, "students": size})
        s.execute(insert(SubjectEvaluation), subj_rows)
        s.execute(insert(QualityEvaluation), qual_rows)
        s.execute(insert(PeriodSummary), summary_rows)
        s.execute(insert(YearResult), year_rows)
        tx.audit("demo.create", "evaluations", "*", {"subject": len(subj_rows), "quality": len(qual_rows)})
    return DemoSummary(len(classes), n_students, len(staff_by_code), len(subj_rows) + len(qual_rows))
