"""Progress of the year, per class — the principal's dashboard (issue 10).

For each class of the year: how complete the period's evaluations are (cells filled / cells the
catalogue expects: a level for every subject the class studies, a test score where that period has
a test, a level for every quality and competency, and at CN the GVCN's confirmed result), how many
students' current records carry each role's signature, how many are issued, queued for upload or
uploaded (the outbox), and archived. "Archived" is derived from the archive's own audit entries
(`archive.export`, kind final): every record issued before the latest final export of the year is in
that sealed archive; an interim (TẠM) export does not count. Read-only, one read session.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from ..domain.catalogue import FINAL_PERIOD, PERIODS, catalogue
from ..domain.errors import InvalidValue, NotFound
from ..storage.engine import Store
from ..storage.models import (
    AuditEntry,
    Enrolment,
    QualityEvaluation,
    Record,
    RecordSignature,
    SchoolClass,
    SchoolYear,
    Staff,
    SubjectEvaluation,
    YearResult,
)
from ..storage.outbox_models import OutboxEntry
from . import directory

SIGN_ROLES = ("gvbm", "gvcn", "principal", "seal")
QUEUED_STATES = ("pending", "sending", "failed")


@dataclass(frozen=True)
class ClassProgress:
    class_id: int
    name: str
    grade: int
    homeroom: str
    students: int
    cells_expected: int
    cells_filled: int
    signed: dict[str, int] = field(hash=False)  # role → current records carrying that role's signature
    issued: int = 0
    queued: int = 0
    uploaded: int = 0
    archived: int | None = None  # None: no final archive of the year yet

    @property
    def missing(self) -> int:
        return self.cells_expected - self.cells_filled

    @property
    def completeness(self) -> float:
        return self.cells_filled / self.cells_expected if self.cells_expected else 1.0


@dataclass(frozen=True)
class Dashboard:
    year: str
    period: str
    classes: tuple[ClassProgress, ...]
    archive_note: str

    def total(self, attr: str) -> int:
        return sum(getattr(c, attr) or 0 for c in self.classes)


def _last_final_archive(s, year: str) -> datetime | None:  # noqa: ANN001 - Session
    """When the latest final archive of `year` was written, in Vietnam time (as issued_at is stored)."""
    latest = None
    for at, changes in s.execute(select(AuditEntry.at, AuditEntry.changes).where(
            AuditEntry.action == "archive.export", AuditEntry.entity == "school_year", AuditEntry.entity_id == year)):
        try:
            kind = json.loads(changes).get("kind")
            moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except (ValueError, AttributeError):
            continue
        if kind != "final":
            continue
        local = (moment - (moment.utcoffset() or timedelta(0))).replace(tzinfo=None) + timedelta(hours=7)
        latest = max(latest, local) if latest else local
    return latest


def load_dashboard(store: Store, period: str = FINAL_PERIOD, year: str | None = None) -> Dashboard:
    if period not in PERIODS:
        raise InvalidValue("Kì đánh giá", period, "phải là GK1, CK1, GK2 hoặc CN")
    cat = catalogue()
    year = year or directory.current_year_name(store)
    if not year:
        raise NotFound("Chưa có năm học nào")
    with store.read() as s:
        classes = s.execute(select(SchoolClass.id, SchoolClass.name, SchoolClass.grade, SchoolClass.optional_subjects,
                                   Staff.full_name).join(SchoolYear, SchoolClass.year_id == SchoolYear.id)
                            .outerjoin(Staff, SchoolClass.homeroom_id == Staff.id)
                            .where(SchoolYear.name == year).order_by(SchoolClass.grade, SchoolClass.name)).all()
        ids = [c[0] for c in classes]
        enrol = s.execute(select(Enrolment.id, Enrolment.class_id).where(Enrolment.class_id.in_(ids),
                                                                        Enrolment.status == "active")).all()
        by_class: dict[int, list[int]] = defaultdict(list)
        for e, c in enrol:
            by_class[c].append(e)
        eids = [e for e, _ in enrol]
        subj: defaultdict[int, dict[str, tuple[str | None, int | None]]] = defaultdict(dict)
        for e, code, level, score in s.execute(select(SubjectEvaluation.enrolment_id, SubjectEvaluation.subject_code,
                                                      SubjectEvaluation.level, SubjectEvaluation.score)
                                               .where(SubjectEvaluation.enrolment_id.in_(eids), SubjectEvaluation.period == period)):
            subj[e][code] = (level, score)
        qual: defaultdict[int, dict[str, str | None]] = defaultdict(dict)
        for e, code, level in s.execute(select(QualityEvaluation.enrolment_id, QualityEvaluation.quality_code,
                                               QualityEvaluation.level)
                                        .where(QualityEvaluation.enrolment_id.in_(eids), QualityEvaluation.period == period)):
            qual[e][code] = level
        confirmed = set(s.execute(select(YearResult.enrolment_id).where(
            YearResult.enrolment_id.in_(eids), YearResult.confirmed_result.is_not(None))).scalars())
        latest: dict[int, tuple[int, int, str, datetime | None]] = {}
        all_records: list[tuple[int, str, datetime | None]] = []
        for rid, e, version, status, issued_at in s.execute(
                select(Record.id, Record.enrolment_id, Record.version, Record.status, Record.issued_at)
                .where(Record.enrolment_id.in_(eids))):
            all_records.append((e, status, issued_at))
            if e not in latest or version > latest[e][1]:
                latest[e] = (rid, version, status, issued_at)
        rec_ids = [v[0] for v in latest.values()]
        roles: dict[int, set[str]] = defaultdict(set)
        for rid, role in s.execute(select(RecordSignature.record_id, RecordSignature.role)
                                   .where(RecordSignature.record_id.in_(rec_ids))):
            roles[rid].add(role)
        outbox: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for e, state in s.execute(select(Record.enrolment_id, OutboxEntry.state).join(Record, OutboxEntry.record_id == Record.id)
                                  .where(Record.enrolment_id.in_(eids))):
            outbox[e][state] += 1
        archived_at = _last_final_archive(s, year)
    out = []
    for cid, cname, grade, opt, homeroom in classes:
        optional = frozenset(x for x in opt.split(",") if x)
        subjects = cat.subjects_for(grade, optional)
        qualities = cat.qualities_for(grade)
        mine = by_class.get(cid, [])
        expected = filled = 0
        signed = {r: 0 for r in SIGN_ROLES}
        issued = queued = uploaded = archived = 0
        for e in mine:
            for sb in subjects:
                level, score = subj[e].get(sb.code, (None, None))
                expected += 1
                filled += level is not None
                if sb.is_tested(grade, period) and level != "M":
                    expected += 1
                    filled += score is not None
            for q in qualities:
                expected += 1
                filled += qual[e].get(q.code) is not None
            if period == FINAL_PERIOD:
                expected += 1
                filled += e in confirmed
            if e in latest:
                rid, _v, status, _at = latest[e]
                for r in roles[rid]:
                    if r in signed:
                        signed[r] += 1
                issued += status == "issued"
            queued += sum(outbox[e][st] for st in QUEUED_STATES)
            uploaded += outbox[e]["sent"]
        if archived_at is not None:
            members = set(mine)
            archived = sum(1 for e, status, at in all_records if e in members
                           and status in ("issued", "replaced", "withdrawn") and at is not None and at <= archived_at)
        out.append(ClassProgress(cid, cname, grade, homeroom or "", len(mine), expected, filled,
                                 signed, issued, queued, uploaded, archived if archived_at is not None else None))
    note = (f"Kho lưu trữ chính thức năm học {year} đã xuất lúc {archived_at:%H:%M %d/%m/%Y}: số học bạ lưu trữ là số "
            "học bạ đã phát hành trước thời điểm đó." if archived_at else
            f"Chưa xuất kho lưu trữ chính thức năm học {year} (bản TẠM không tính).")
    return Dashboard(year, period, tuple(out), note)
