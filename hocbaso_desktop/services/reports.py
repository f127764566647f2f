"""Thống kê chất lượng giáo dục: the numbers a school reports upward for a period (issue 10).

For a class, a grade or the whole school, and one period (GK1, CK1, GK2, CN): counts and
percentages by level for every subject (T/H/C, M), every quality and competency (T/Đ/C); at CN also
the end-of-year results (HTXS/HTT/HT/CHT), awards and completion of the grade / primary school.
Every count is split as schools must report it: of which girls (Nữ) and of which ethnic-minority
students (dân tộc thiểu số: any group but Kinh; foreigners are not counted as a minority).

What is counted: active enrolments of the year (a student transferred out is reported by the new
school), their stored evaluations for the period, and the GVCN's confirmed result — never the
software's proposal, since the report goes out under the principal's name. Percentages are of the
students the item applies to (those whose class studies the subject). Straight from the tables,
one query per table, so the numbers equal a plain SQL count (the tests make one).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from sqlalchemy import select

from ..domain.catalogue import EXEMPT, FINAL_PERIOD, PERIODS, QUALITY_LEVELS, RESULT_LEVELS, SUBJECT_LEVELS, catalogue
from ..domain.errors import InvalidValue, NotFound
from ..domain.report_data import NOT_SET, ClassLine, Count, ItemStats, Report, SupportLine
from ..domain.results import completion
from ..domain.vn_collation import name_key
from ..storage.engine import Store
from ..storage.models import (
    Enrolment,
    QualityEvaluation,
    SchoolClass,
    SchoolYear,
    Student,
    SubjectEvaluation,
    YearResult,
)
from . import directory

KINH, FOREIGN = "01", "55"


def _minority(code: str) -> bool:
    return code not in (KINH, FOREIGN)


def build_report(store: Store, period: str, *, class_name: str | None = None, grade: int | None = None,
                 year: str | None = None) -> Report:
    if period not in PERIODS:
        raise InvalidValue("Kì đánh giá", period, "phải là GK1, CK1, GK2 hoặc CN")
    cat = catalogue()
    year_name = year or directory.current_year_name(store)
    if not year_name:
        raise NotFound("Chưa có năm học nào")
    school = directory.school(store)
    with store.read() as s:
        q = (select(SchoolClass).join(SchoolYear, SchoolClass.year_id == SchoolYear.id)
             .where(SchoolYear.name == year_name).order_by(SchoolClass.grade, SchoolClass.name))
        classes = list(s.execute(q).scalars())
        if class_name:
            classes = [c for c in classes if c.name.casefold() == class_name.strip().casefold()]
            if not classes:
                raise NotFound(f"Không có lớp {class_name} trong năm học {year_name}")
        elif grade is not None:
            classes = [c for c in classes if c.grade == grade]
            if not classes:
                raise NotFound(f"Không có lớp nào của khối {grade} trong năm học {year_name}")
        cls_by_id = {c.id: c for c in classes}
        rows = s.execute(
            select(Enrolment.id, Enrolment.class_id, Student.personal_id, Student.full_name, Student.sex,
                   Student.ethnicity_code)
            .join(Student, Enrolment.student_id == Student.id)
            .where(Enrolment.class_id.in_(cls_by_id), Enrolment.status == "active")).all()
        ids = [r[0] for r in rows]
        subj: defaultdict[int, dict[str, str | None]] = defaultdict(dict)
        for e, code, level in s.execute(select(SubjectEvaluation.enrolment_id, SubjectEvaluation.subject_code,
                                                SubjectEvaluation.level)
                                         .where(SubjectEvaluation.enrolment_id.in_(ids), SubjectEvaluation.period == period)):
            subj[e][code] = level
        qual: defaultdict[int, dict[str, str | None]] = defaultdict(dict)
        for e, code, level in s.execute(select(QualityEvaluation.enrolment_id, QualityEvaluation.quality_code,
                                                QualityEvaluation.level)
                                         .where(QualityEvaluation.enrolment_id.in_(ids), QualityEvaluation.period == period)):
            qual[e][code] = level
        years = {yr.enrolment_id: (yr.confirmed_result, yr.awards) for yr in s.execute(
            select(YearResult).where(YearResult.enrolment_id.in_(ids))).scalars()} if period == FINAL_PERIOD else {}
        cls_snap = {c.id: (c.name, c.grade, frozenset(x for x in c.optional_subjects.split(",") if x)) for c in classes}

    subjects: dict[str, ItemStats] = {}
    for sb in cat.subjects:
        subjects[sb.code] = ItemStats(sb.code, sb.name, "subject", (*SUBJECT_LEVELS, EXEMPT))
    qualities = {qq.code: ItemStats(qq.code, qq.name, qq.group, QUALITY_LEVELS) for qq in cat.qualities}
    final = period == FINAL_PERIOD
    results = ItemStats("KQ", "Kết quả giáo dục cuối năm", "result", RESULT_LEVELS) if final else None
    awards: dict[str, Count] = {}
    done_grade, done_primary, grade5 = (Count(), Count(), Count()) if final else (None, None, None)
    students = Count()
    support: list[SupportLine] = []
    lines = {cid: ClassLine(n, g) for cid, (n, g, _o) in cls_snap.items()}
    for e, cid, pid, name, sex, eth in rows:
        cname, g, optional = cls_snap[cid]
        fem, mino = sex == "Nữ", _minority(eth)
        students.add(fem, mino)
        line = lines[cid]
        line.students.add(fem, mino)
        reasons: list[str] = []
        for sb in cat.subjects_for(g, optional):
            it = subjects[sb.code]
            it.students.add(fem, mino)
            lv = subj[e].get(sb.code)
            it.level(lv if lv in it.levels else NOT_SET).add(fem, mino)
            if lv == "C":
                reasons.append(f"{sb.name}: C")
        for qq in cat.qualities_for(g):
            it = qualities[qq.code]
            it.students.add(fem, mino)
            lv = qual[e].get(qq.code)
            it.level(lv if lv in it.levels else NOT_SET).add(fem, mino)
            if lv == "C":
                reasons.append(f"{qq.name}: C")
        if final:
            assert results is not None and done_grade is not None and done_primary is not None and grade5 is not None
            result, award_text = years.get(e, (None, ""))
            results.students.add(fem, mino)
            results.level(result if result in RESULT_LEVELS else NOT_SET).add(fem, mino)
            if result:
                line.results[result] = line.results.get(result, 0) + 1
            if result == "CHT":
                reasons.append("Kết quả: Chưa hoàn thành")
            for a in {x.strip() for x in (award_text or "").splitlines() if x.strip()}:
                awards.setdefault(a, Count()).add(fem, mino)
            comp = completion(g, result, cat)
            if comp.completed_grade:
                done_grade.add(fem, mino)
            if g == cat.final_grade:
                grade5.add(fem, mino)
                if comp.completed_primary:
                    done_primary.add(fem, mino)
        if reasons:
            line.support += 1
            support.append(SupportLine(cname, pid, name, tuple(reasons)))

    order = {n: i for i, (n, _g, _o) in enumerate(cls_snap.values())}
    support.sort(key=lambda x: (order.get(x.class_name, 0), name_key(x.full_name)))
    scope = f"Lớp {next(iter(cls_snap.values()))[0]}" if class_name else (f"Khối {grade}" if grade is not None else "Toàn trường")
    return Report(
        school=school.name if school else "", year=year_name, period=period, period_name=cat.periods[period], scope=scope,
        students=students,
        subjects=[it for it in subjects.values() if it.students.total],
        qualities=[it for it in qualities.values() if it.students.total],
        results=results, awards=dict(sorted(awards.items())), completed_grade=done_grade, completed_primary=done_primary,
        grade5_students=grade5, support=support, classes=list(lines.values()),
    )


def write_report(report: Report, path: str | Path) -> Path:
    """The report as a PDF (a .pdf path) or a spreadsheet (any other path, .xlsx), written atomically."""
    p = Path(path)
    if p.suffix.lower() == ".pdf":
        from ..exchange.report_pdf import write_report_pdf  # reportlab loads only when a PDF is asked for

        return write_report_pdf(report, p)
    from ..exchange.report_xlsx import write_report_xlsx

    return write_report_xlsx(report, p)
