"""A record's history: its versions (who signed when), its corrections, its withdrawal, and the audit
trail filtered by student or staff — one place for the CLI and the GUI's history and audit views."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..domain.errors import InvalidValue, NotFound
from ..domain.rights import WITHDRAW_RECORD, require
from ..domain.roles import Actor
from ..storage.audit import ChainReport
from ..storage.correction_models import CorrectionRequest
from ..storage.engine import Store
from ..storage.models import AuditEntry, Enrolment, Record, RecordSignature, SchoolYear, Student
from ..sync.outbox import enqueue_cancel
from .corrections import CorrectionError
from .signing_plan import ROLE_TITLES, VN_TZ, local_now

STATUS_TEXT = {"draft": "nháp", "signing": "nháp", "issued": "đã phát hành", "replaced": "thay thế",
               "withdrawn": "thu hồi"}
MIN_REASON = 5


@dataclass(frozen=True)
class SignatureLine:
    seq: int
    role: str  # Vietnamese title
    signer_name: str
    cert_serial: str
    signed_at: datetime


@dataclass(frozen=True)
class VersionInfo:
    record_id: int
    year: str
    version: int
    status: str
    sha256: str | None  # of the signed XML, once issued
    created_at: datetime
    issued_at: datetime | None
    status_changed_at: datetime | None
    status_reason: str
    replaces_id: int | None
    signatures: tuple[SignatureLine, ...]

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def date(self) -> date:
        """When this version reached its present state: issued, replaced/withdrawn, or drafted."""
        if self.status == "issued" and self.issued_at:
            return self.issued_at.date()
        if self.status in ("replaced", "withdrawn") and self.status_changed_at:
            return self.status_changed_at.date()
        return self.created_at.date()

    def tsv(self) -> str:
        return f"{self.version}\t{self.status_text}\t{self.sha256 or '-'}\t{self.date.isoformat()}"


def _enrolment(s: Session, personal_id: str, year: str | None) -> tuple[Enrolment, Student, SchoolYear]:
    q = (select(Enrolment, Student, SchoolYear).join(Student, Enrolment.student_id == Student.id)
         .join(SchoolYear, Enrolment.year_id == SchoolYear.id).where(Student.personal_id == personal_id.strip()))
    if year:
        q = q.where(SchoolYear.name == year.strip())
    row = s.execute(q.order_by(SchoolYear.name.desc())).first()
    if row is None:
        raise NotFound(f"Không có học sinh mã định danh {personal_id}" + (f" trong năm học {year}" if year else ""))
    return row[0], row[1], row[2]


def enrolment_of(store: Store, personal_id: str, year: str | None = None) -> int:
    with store.read() as s:
        return _enrolment(s, personal_id, year)[0].id


def student_label(store: Store, enrolment_id: int) -> tuple[str, str]:
    """("Name — lớp X (mã định danh)", mã định danh) for window titles and prompts."""
    from ..storage.models import SchoolClass

    with store.read() as s:
        row = s.execute(select(Student.full_name, Student.personal_id, SchoolClass.name)
                        .join(Enrolment, Enrolment.student_id == Student.id)
                        .join(SchoolClass, SchoolClass.id == Enrolment.class_id).where(Enrolment.id == enrolment_id)).first()
    if row is None:
        raise NotFound(f"Không có học sinh (ghi danh #{enrolment_id})")
    return f"{row[0]} — lớp {row[2]} ({row[1]})", row[1]


def versions(store: Store, enrolment_id: int) -> list[VersionInfo]:
    with store.read() as s:
        year = s.execute(select(SchoolYear.name).join(Enrolment, Enrolment.year_id == SchoolYear.id)
                         .where(Enrolment.id == enrolment_id)).scalar() or ""
        out: list[VersionInfo] = []
        for r in s.execute(select(Record).where(Record.enrolment_id == enrolment_id).order_by(Record.version)).scalars():
            sigs = tuple(SignatureLine(x.seq, ROLE_TITLES.get(x.role, x.role), x.signer_name, x.cert_serial, x.signed_at)
                         for x in s.execute(select(RecordSignature).where(RecordSignature.record_id == r.id)
                                            .order_by(RecordSignature.seq)).scalars())
            out.append(VersionInfo(r.id, year, r.version, r.status, r.sha256, r.created_at, r.issued_at,
                                   r.status_changed_at, r.status_reason or "", r.replaces_id, sigs))
        return out


def student_versions(store: Store, personal_id: str, year: str | None = None) -> list[VersionInfo]:
    return versions(store, enrolment_of(store, personal_id, year))


def signed_xml_of(store: Store, record_id: int) -> bytes | None:
    """The signed bytes of any version (a replaced or withdrawn one stays readable)."""
    with store.read() as s:
        rec = s.get(Record, record_id)
        return bytes(rec.signed_xml) if rec is not None and rec.signed_xml else None


# ---- withdrawal (thu hồi) ---------------------------------------------------------------------------


def _withdrawable(s: Session, enrolment_id: int) -> tuple[Record, Student, SchoolYear, bytes, str]:
    """The issued version to withdraw with its signed content and that content's hash, or why there
    is none (checked before the PIN and again in the withdrawal's own transaction)."""
    enrol = s.get(Enrolment, enrolment_id)
    if enrol is None:
        raise NotFound(f"Không có học sinh (ghi danh #{enrolment_id})")
    st, year = s.get_one(Student, enrol.student_id), s.get_one(SchoolYear, enrol.year_id)
    rec = s.execute(select(Record).where(Record.enrolment_id == enrolment_id, Record.status == "issued")
                    .order_by(Record.version.desc())).scalars().first()
    if rec is None:
        raise CorrectionError(f"Học bạ năm học {year.name} của {st.full_name} chưa phát hành hoặc đã thu hồi: "
                              "không có gì để thu hồi.")
    busy = s.execute(select(CorrectionRequest).where(CorrectionRequest.enrolment_id == enrolment_id,
                                                     CorrectionRequest.state == "approved")).scalars().first()
    if busy is not None:
        raise CorrectionError(f"Học bạ đang được đính chính theo phiếu số {busy.id}: hoàn tất hoặc hủy phiếu đó trước.")
    if year.locked:
        raise CorrectionError(f"Năm học {year.name} đã khóa: mở khóa năm học (Hiệu trưởng, có lý do) rồi mới thu hồi.")
    if not rec.content_xml or not rec.sha256:
        raise CorrectionError(f"Học bạ năm học {year.name} của {st.full_name} không còn nội dung đã ký: không thu hồi được.")
    return rec, st, year, bytes(rec.content_xml), rec.sha256


def withdraw(store: Store, actor: Actor, enrolment_id: int, reason: str, seal=None) -> VersionInfo:  # noqa: ANN001 - SealWith
    """The principal withdraws the issued version: kept readable, never deleted. The withdrawal is a
    document signed by the school's seal (`seal`: an archive_service.SealWith — token, PIN prompt),
    whose signed content says status 2 and names the withdrawn version by its hash
    (exchange/withdrawal_xml.py); it is stored, the audit head signed, and the CANCEL package (carrying
    that document) queued, all in one transaction. Without the seal nothing is withdrawn."""
    from ..exchange.withdrawal_xml import Withdrawal, withdrawal_document
    from ..signing.chain_head import WITHDRAW_ACTION
    from ..signing.xml_signature import sign_record
    from ..storage.models import RecordWithdrawal, Staff
    from .audit_heads import record_signed_head, seal_key

    require(actor, WITHDRAW_RECORD)
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise InvalidValue("Lý do thu hồi", reason, f"cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự)")
    with store.read() as s:
        rec, st, year, _content, _sha = _withdrawable(s, enrolment_id)
        what = f"thu hồi học bạ năm học {year.name} của {st.full_name}"
        staff = s.execute(select(Staff.id, Staff.full_name, Staff.position).where(Staff.code == actor.code)).first()
        staff_id, decided_by, position = (staff[0], staff[1], staff[2] or "") if staff is not None else (None, actor.name, "")
    with seal_key(store, actor.code, seal, what) as (key, cert, chain):
        with store.transaction(actor.code) as tx:
            s = tx.session
            rec, st, year, content, withdrawn_sha = _withdrawable(s, enrolment_id)
            now = local_now()
            doc = withdrawal_document(content, Withdrawal(now.date(), reason, decided_by, position, withdrawn_sha))
            signed = sign_record(doc, key, chain, "seal", datetime.now(VN_TZ))
            for c in s.execute(select(CorrectionRequest).where(CorrectionRequest.enrolment_id == enrolment_id,
                                                               CorrectionRequest.state == "open")).scalars():
                c.state, c.closed_at, c.decision_reason = "cancelled", now, "Học bạ đã bị thu hồi"
                s.flush()
                tx.audit("correction.cancel", "correction_request", c.id, {"hs": st.personal_id, "reason": "Học bạ đã bị thu hồi"})
            rec.status, rec.status_reason, rec.status_changed_at = "withdrawn", reason, now
            s.flush()
            sha = hashlib.sha256(signed).hexdigest()
            s.add(RecordWithdrawal(record_id=rec.id, signed_xml=signed, sha256=sha, withdrawn_sha256=rec.sha256,
                                   decided_by=staff_id,
                                   seal_cert_serial=format(cert.serial_number, "x"), created_at=now))
            s.flush()
            tx.audit(WITHDRAW_ACTION, "record", rec.id, {"hs": st.personal_id, "version": rec.version, "reason": reason,
                                                         "withdrawal_sha256": sha, "withdrawn_sha256": rec.sha256})
            # the seal that signed the withdrawal signs the chain's head too, and the package carries it
            record_signed_head(tx, key, cert, chain, after=WITHDRAW_ACTION)
            enqueue_cancel(s, rec, reason)
            record_id = rec.id
    return next(v for v in versions(store, enrolment_id) if v.record_id == record_id)


def withdrawal_xml_of(store: Store, record_id: int) -> bytes | None:
    """The seal-signed withdrawal document of a withdrawn version (None for any other)."""
    from ..storage.models import RecordWithdrawal

    with store.read() as s:
        row = s.get(RecordWithdrawal, record_id)
        return bytes(row.signed_xml) if row is not None else None


# ---- the audit trail --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str  # ISO-8601 UTC as stored
    actor: str
    action: str
    entity: str
    entity_id: str
    changes: dict[str, Any]

    @property
    def local_time(self) -> str:
        try:
            # Vietnam time, like every other time the program shows (the log stores UTC)
            return datetime.fromisoformat(self.at).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M:%S")
        except ValueError:
            return self.at

    @property
    def summary(self) -> str:
        return json.dumps(self.changes, ensure_ascii=False, sort_keys=True)[:500]


ACTION_TEXT = {
    "correction.request": "lập phiếu đề nghị sửa", "correction.approve": "duyệt phiếu đề nghị sửa",
    "correction.reject": "từ chối phiếu đề nghị sửa", "correction.cancel": "hủy phiếu đề nghị sửa",
    "correction.apply": "hoàn tất đính chính", "record.sign": "ký số", "record.issue": "phát hành",
    "record.replace": "thay thế phiên bản", "record.withdraw": "thu hồi học bạ", "record.reset": "hủy chữ ký, về nháp",
    "record.relock": "khóa lại học bạ", "account.login": "đăng nhập", "account.login_failed": "đăng nhập sai",
}


def audit_entries(store: Store, *, student: str | None = None, staff: str | None = None, action: str | None = None,
                  limit: int | None = None, newest_first: bool = False) -> list[AuditRow]:
    """Entries touching a student (by mã định danh: evaluation edits carry it as "hs"; record and
    correction entries are found by their ids too), by a staff member, and/or of an action prefix."""
    with store.read() as s:
        q = select(AuditEntry)
        if student:
            pid = student.strip()
            enrol_ids = list(s.execute(select(Enrolment.id).join(Student, Enrolment.student_id == Student.id)
                                       .where(Student.personal_id == pid)).scalars())
            if not enrol_ids:
                raise NotFound(f"Không có học sinh mã định danh {pid}")
            rec_ids = [str(x) for x in s.execute(select(Record.id).where(Record.enrolment_id.in_(enrol_ids))).scalars()]
            cor_ids = [str(x) for x in s.execute(select(CorrectionRequest.id)
                                                 .where(CorrectionRequest.enrolment_id.in_(enrol_ids))).scalars()]
            q = q.where(or_(
                AuditEntry.changes.like(f'%"hs":"{pid}"%'),
                (AuditEntry.entity == "record") & AuditEntry.entity_id.in_(rec_ids),
                (AuditEntry.entity == "correction_request") & AuditEntry.entity_id.in_(cor_ids),
            ))
        if staff:
            q = q.where(func.upper(AuditEntry.actor) == staff.strip().upper())
        if action:
            q = q.where(AuditEntry.action.like(f"{action.strip()}%"))
        q = q.order_by(AuditEntry.id.desc() if newest_first else AuditEntry.id)
        if limit:
            q = q.limit(limit)
        rows = []
        for e in s.execute(q).scalars():
            try:
                changes = json.loads(e.changes or "{}")
            except ValueError:
                changes = {"?": e.changes}
            rows.append(AuditRow(e.id, e.at, e.actor, e.action, e.entity, e.entity_id,
                                 changes if isinstance(changes, dict) else {"value": changes}))
        return rows


def audit_actions(store: Store) -> list[str]:
    with store.read() as s:
        return list(s.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).scalars())


def chain_text(report: ChainReport) -> str:
    if report.ok:
        return f"Nhật ký toàn vẹn: {report.count} mục, đầu chuỗi #{report.head[0]} {report.head[1][:16]}…"
    return f"Nhật ký BỊ SỬA hoặc hỏng tại mục #{report.first_bad}: {report.reason}"


def first_bad_entry(store: Store, report: ChainReport) -> AuditRow | None:
    if report.ok or report.first_bad is None:
        return None
    with store.read() as s:
        e = s.get(AuditEntry, report.first_bad)
        if e is None:
            return None
        return AuditRow(e.id, e.at, e.actor, e.action, e.entity, e.entity_id, {"raw": e.changes})

