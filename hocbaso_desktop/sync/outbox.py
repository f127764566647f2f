"""Writing to the outbox inside the caller's transaction.

The issuer calls `enqueue_issued(session, record)` in the same transaction that issues the record
(reliability.md: no issued record without its package, no package without an issued record — the
database refuses the second by trigger, the shared transaction guarantees the first). These
functions flush but never commit: the caller's commit or rollback decides for both halves.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain.errors import HocbasoError
from ..signing.chain_head import HEAD_ACTION, HeadFormatError, SignedHead
from ..storage.models import AuditEntry, Record, RecordWithdrawal, School, SchoolYear, Student
from ..storage.outbox_models import OutboxEntry
from .package import STATUS_VALID, STATUS_WITHDRAWN, Envelope, build_package, envelope_record_id, iso

VN_OFFSET = "+07:00"


class OutboxError(HocbasoError):
    pass


def _changed_at(dt: datetime | None) -> str:
    # Record times are stored as Vietnam local time without a zone (signing_plan.local_now).
    if dt is None:
        return datetime.now(timezone.utc).isoformat(timespec="seconds")
    if dt.tzinfo is not None:
        return iso(dt)
    return iso(dt) + VN_OFFSET


def next_envelope_version(session: Session, envelope_id: str, record_version: int) -> int:
    last = session.execute(select(func.max(OutboxEntry.version)).where(OutboxEntry.envelope_id == envelope_id)).scalar()
    return max(record_version, (last or 0) + 1)


def newest_signed_head(session: Session) -> SignedHead | None:
    """The latest head of the audit chain the school's seal signed (the issuer signs one before it
    queues, so an issue's package carries the head that covers the issue itself)."""
    row = session.execute(select(AuditEntry.changes, AuditEntry.at).where(AuditEntry.action == HEAD_ACTION)
                          .order_by(AuditEntry.id.desc()).limit(1)).first()
    if row is None:
        return None
    try:
        return SignedHead.from_detail(json.loads(row[0]), str(row[1] or ""))
    except (ValueError, HeadFormatError):
        raise OutboxError("đầu chuỗi nhật ký đã ký gần nhất không đọc được (nhật ký đã bị sửa?): "
                          "không xếp hàng gói tin") from None


def _enqueue(session: Session, record: Record, event: str, *, reason: str = "", now: float | None = None,
             payload: bytes | None = None, head: SignedHead | None = None) -> OutboxEntry:
    if record.id is None:
        session.flush()
    if not record.signed_xml:
        raise OutboxError(f"học bạ {record.id} chưa có bản đã ký: không thể xếp hàng gửi")
    payload = bytes(record.signed_xml) if payload is None else payload
    student = session.get(Student, record.student_id)
    year = session.get(SchoolYear, record.year_id)
    if student is None or year is None:
        raise OutboxError(f"học bạ {record.id} thiếu học sinh hoặc năm học")
    school_code = session.execute(select(School.moet_code).order_by(School.id)).scalar() or ""
    lookup = student.lookup_code.lower()
    env_id = envelope_record_id(lookup, year.name)
    version = next_envelope_version(session, env_id, record.version)
    key = str(uuid.uuid4())
    when = record.status_changed_at if event == "CANCEL" else (record.issued_at or record.status_changed_at)
    envelope = Envelope(
        record_id=env_id, lookup_code=lookup, school_year=year.name, event=event, version=version,
        record_version=record.version, status=STATUS_WITHDRAWN if event == "CANCEL" else STATUS_VALID,
        changed_at=_changed_at(when), idempotency_key=key, school_code=school_code, reason=reason[:1000],
        head=head if head is not None else newest_signed_head(session),
        issued_on=record.valid_from.isoformat() if event != "CANCEL" and record.valid_from else "",
    )
    package = build_package(envelope, payload)
    t = time.time() if now is None else now
    entry = OutboxEntry(
        record_id=record.id, lookup_code=lookup, envelope_id=env_id, version=version, event=event,
        idempotency_key=key, package=package, package_sha256=hashlib.sha256(package).hexdigest(),
        state="pending", attempts=0, next_try_at=t, last_error="",
        created_at=datetime.fromtimestamp(t, tz=timezone.utc).replace(tzinfo=None),
    )
    session.add(entry)
    session.flush()  # the triggers speak now, inside the caller's transaction
    return entry


def enqueue_issued(session: Session, record: Record, event: str | None = None, *, now: float | None = None,
                   head: SignedHead | None = None) -> OutboxEntry:
    """The package for a record that was just issued: NEW for version 1, UPDATE for a correction's
    new version (pass `event` to say so explicitly). `head`: the head the issuer has just signed in
    this transaction (audit_heads.sign_head), so the newest one need not be read back and re-parsed."""
    event = event or ("NEW" if record.version == 1 else "UPDATE")
    if event not in ("NEW", "UPDATE"):
        raise OutboxError(f"sự kiện {event} không dùng cho học bạ phát hành (NEW hoặc UPDATE)")
    return _enqueue(session, record, event, now=now, head=head)


def enqueue_update(session: Session, record: Record, *, now: float | None = None) -> OutboxEntry:
    """A correction issued as a new version that replaces the old one."""
    return _enqueue(session, record, "UPDATE", reason=record.status_reason or "", now=now)


def enqueue_cancel(session: Session, record: Record, reason: str | None = None, *, now: float | None = None) -> OutboxEntry:
    """A withdrawal (thu hồi): the record must already be marked withdrawn, and its seal-signed
    withdrawal document stored (exchange/withdrawal_xml.py), in this transaction. The package carries
    that document, whose signed content says status 2, not the issued version (status 1)."""
    session.flush()
    doc = session.get(RecordWithdrawal, record.id)
    if doc is None or doc.withdrawn_sha256 != record.sha256:
        raise OutboxError(f"học bạ {record.id} chưa có văn bản thu hồi đã ký bằng con dấu nhà trường: "
                          "không xếp hàng báo hủy")
    return _enqueue(session, record, "CANCEL", reason=reason if reason is not None else record.status_reason, now=now,
                    payload=bytes(doc.signed_xml))
