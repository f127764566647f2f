"""Locking and unlocking a school year (seed 004, Điều 3: the principal decides when records are locked).

Lock refuses while any active student of the year has a record that is neither issued nor
explicitly deferred to a supplementary evaluation (YearResult.pending_supplementary), naming how
many and in which classes. Unlock needs the principal and a reason. Both are audited. Once
locked, services/locks.py refuses edits and migration 0005's triggers refuse them in the database
itself, except for a student whose record was opened by an approved correction (record_unlock).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ..domain import rights
from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..storage.engine import Store
from ..storage.models import Enrolment, Record, SchoolClass, SchoolYear, YearResult
from . import directory
from .signing_plan import local_now

MIN_REASON = 5


class YearNotReady(HocbasoError):
    def __init__(self, year: str, by_class: dict[str, int]) -> None:
        total = sum(by_class.values())
        where = ", ".join(f"{c} ({n})" for c, n in sorted(by_class.items()))
        super().__init__(
            f"Chưa khóa được năm học {year}: còn {total} học bạ chưa phát hành và không được để lại chờ đánh giá "
            f"bổ sung, ở {len(by_class)} lớp: {where}.", year=year, by_class=by_class, total=total)
        self.by_class = by_class
        self.total = total


@dataclass(frozen=True)
class YearStatus:
    name: str
    locked: bool
    locked_at: datetime | None
    issued: int
    deferred: int  # waiting for the supplementary evaluation (CHT), allowed to stay unissued
    not_ready: dict[str, int]  # class → records neither issued nor deferred
    withdrawn: int = 0  # issued, then withdrawn by the principal (sealed): settled, nothing left to issue


def _year(s, name: str) -> SchoolYear:  # noqa: ANN001 - Session
    y = s.execute(select(SchoolYear).where(SchoolYear.name == name.strip())).scalars().first()
    if y is None:
        raise NotFound(f"Không có năm học {name}")
    return y


def year_status(store: Store, name: str) -> YearStatus:
    with store.read() as s:
        y = _year(s, name)
        rows = s.execute(
            select(Enrolment.id, SchoolClass.name, YearResult.pending_supplementary)
            .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
            .outerjoin(YearResult, YearResult.enrolment_id == Enrolment.id)
            .where(Enrolment.year_id == y.id, Enrolment.status == "active")
        ).all()
        issued_ids = set(s.execute(
            select(Record.enrolment_id).where(Record.year_id == y.id, Record.status == "issued")).scalars())
        withdrawn_ids = set(s.execute(
            select(Record.enrolment_id).where(Record.year_id == y.id, Record.status == "withdrawn")).scalars())
        issued = deferred = withdrawn = 0
        missing: Counter[str] = Counter()
        for enrolment_id, class_name, pending in rows:
            if enrolment_id in issued_ids:
                issued += 1
            elif enrolment_id in withdrawn_ids:
                withdrawn += 1
            elif pending:
                deferred += 1
            else:
                missing[class_name] += 1
        return YearStatus(y.name, bool(y.locked), y.locked_at, issued, deferred, dict(missing), withdrawn)


def lock_year(store: Store, name: str, actor_code: str, seal=None) -> YearStatus:  # noqa: ANN001 - SealWith
    """Lock the year; the audit chain's head, lock included, is signed with the school's seal in the
    lock's own transaction (services/audit_heads.py), so `seal` (an archive_service.SealWith: token,
    PIN prompt) is required: without it, or with a certificate that is not the school's registered
    seal, nothing is locked. Checked in this order: rights, readiness, seal/PIN, backup, lock."""
    actor = directory.actor(store, actor_code, name)
    rights.require(actor, rights.LOCK_YEAR, name)
    status = year_status(store, name)
    if status.locked:
        raise HocbasoError(f"Năm học {status.name} đã khóa từ trước.")
    if status.not_ready:
        raise YearNotReady(status.name, status.not_ready)
    from .audit_heads import LOCK_ACTION, record_signed_head, seal_key

    with seal_key(store, actor.code, seal, f"khóa năm học {status.name}") as (key, cert, chain):
        _lock(store, name, actor.code, status, lambda tx: record_signed_head(tx, key, cert, chain, after=LOCK_ACTION))
    return year_status(store, name)


def _lock(store: Store, name: str, actor_code: str, status: YearStatus, sign_head) -> None:  # noqa: ANN001
    # A copy of the year as it stood before the lock (no backup, no lock: backup_now raises).
    from .backup import YEAR_LOCK, backup_now

    backup_now(store, YEAR_LOCK)
    now = local_now().replace(microsecond=0)  # Vietnam wall-clock time, like issue times
    with store.transaction(actor_code) as tx:
        y = _year(tx.session, name)
        if y.locked:  # someone else locked it meanwhile
            raise HocbasoError(f"Năm học {y.name} đã khóa từ trước.")
        # A correction approved but not yet re-issued would be stranded by the lock: finish it first.
        from sqlalchemy import select as _select

        from ..storage.models import Enrolment, RecordUnlock

        open_fixes = tx.session.execute(
            _select(RecordUnlock.id).join(Enrolment, RecordUnlock.enrolment_id == Enrolment.id)
            .where(Enrolment.year_id == y.id, RecordUnlock.active.is_(True))).all()
        if open_fixes:
            raise HocbasoError(
                f"Chưa khóa được năm học {y.name}: còn {len(open_fixes)} học bạ đang mở để đính chính "
                "(đã duyệt, chưa ký phát hành lại). Hãy hoàn tất việc đính chính trước khi khóa.")
        y.locked = True
        y.locked_at = now
        tx.audit("year.lock", "school_year", y.id, {
            "year": y.name, "issued": status.issued, "deferred_supplementary": status.deferred})
        sign_head(tx)  # the seal vouches for the chain up to and including the lock


def unlock_year(store: Store, name: str, actor_code: str, reason: str) -> YearStatus:
    actor = directory.actor(store, actor_code, name)
    rights.require(actor, rights.LOCK_YEAR, name)
    why = " ".join((reason or "").split())
    if len(why) < MIN_REASON:
        raise InvalidValue("Lý do mở khóa", reason, f"cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự)")
    with store.transaction(actor.code) as tx:
        y = _year(tx.session, name)
        if not y.locked:
            raise HocbasoError(f"Năm học {y.name} đang không khóa.")
        locked_at = y.locked_at
        y.locked = False
        y.locked_at = None
        tx.audit("year.unlock", "school_year", y.id, {
            "year": y.name, "reason": why, "locked_at": locked_at.isoformat() if locked_at else None})
    return year_status(store, name)
