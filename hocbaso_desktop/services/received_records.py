"""Records received by transfer (issue 17): listed, opened and verified, never changed.

A received record is another school's signed document kept byte-exact (storage/transfer_models.py,
immutable table). Everything here reads: the row list the record browser and the pupil form show,
its paper copy (the PDF that travelled with it, else rendered from the signed bytes — never from any
row of ours), and its verification against this school's trust store.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import HocbasoError, NotFound
from ..signing import VerificationReport, verify_record
from ..signing.policy import issued_policy
from ..storage.engine import Store
from ..storage.models import Enrolment, Student
from ..storage.transfer_models import ReceivedRecord, StudentTransfer

STATUS_TEXT = {"issued": "có hiệu lực", "replaced": "đã được thay thế", "withdrawn": "đã thu hồi"}


def origin_label(school_name: str) -> str:
    """How every screen marks a record another school issued."""
    return f"Nhận khi chuyển đến — {school_name or 'trường cũ'}"


@dataclass(frozen=True)
class ReceivedInfo:
    id: int
    personal_id: str
    school_year: str
    school_name: str
    class_name: str
    grade: int
    version: int
    status: str
    sha256: str
    received_at: datetime
    transfer_in_date: date | None
    has_paper: bool

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, self.status)

    @property
    def origin(self) -> str:
        return origin_label(self.school_name)


def _rows(s: Session, student_id: int) -> list[ReceivedInfo]:
    q = (select(ReceivedRecord, StudentTransfer.on_date, Student.personal_id)
         .join(StudentTransfer, StudentTransfer.id == ReceivedRecord.transfer_id)
         .join(Student, Student.id == ReceivedRecord.student_id)
         .where(ReceivedRecord.student_id == student_id)
         .order_by(ReceivedRecord.school_year, ReceivedRecord.version, ReceivedRecord.id))
    return [ReceivedInfo(r.id, pid, r.school_year, r.school_name, r.class_name, r.grade, r.version, r.status, r.sha256,
                         r.received_at, on, r.paper_pdf is not None) for r, on, pid in s.execute(q).all()]


def for_student(store: Store, personal_id: str) -> list[ReceivedInfo]:
    with store.read() as s:
        sid = s.execute(select(Student.id).where(Student.personal_id == personal_id.strip())).scalar()
        if sid is None:
            raise NotFound(f"Không có học sinh mã định danh {personal_id}")
        return _rows(s, sid)


def for_enrolment(store: Store, enrolment_id: int) -> list[ReceivedInfo]:
    """The pupil's received records, every year (the record browser opens on one enrolment)."""
    with store.read() as s:
        sid = s.execute(select(Enrolment.student_id).where(Enrolment.id == enrolment_id)).scalar()
        return [] if sid is None else _rows(s, sid)


def _get(s: Session, received_id: int) -> ReceivedRecord:
    row = s.get(ReceivedRecord, received_id)
    if row is None:
        raise NotFound(f"Không có học bạ nhận khi chuyển đến #{received_id}")
    return row


def signed_xml(store: Store, received_id: int) -> bytes:
    with store.read() as s:
        return bytes(_get(s, received_id).signed_xml)


def paper_pdf(store: Store, received_id: int) -> tuple[str, bytes]:
    """(title, PDF): the paper copy the old school sent, else one rendered from the signed bytes."""
    from .paper_copies import render_from_signed_xml

    with store.read() as s:
        row = _get(s, received_id)
        xml, pdf, title = bytes(row.signed_xml), row.paper_pdf, f"năm học {row.school_year} — {origin_label(row.school_name)}"
    if pdf:
        return title, bytes(pdf)
    try:
        return title, render_from_signed_xml(xml)
    except HocbasoError as e:
        raise HocbasoError(f"Không tạo được bản giấy của học bạ nhận khi chuyển đến ({title}): {e.message}") from None


@dataclass(frozen=True)
class ReceivedCheck:
    info: ReceivedInfo
    report: VerificationReport
    stored_hash_ok: bool  # the bytes are still those the package delivered (sha256 kept at import)

    @property
    def ok(self) -> bool:
        return self.report.ok and self.stored_hash_ok

    def lines(self) -> list[str]:
        head = (f"Học bạ năm học {self.info.school_year}, lớp {self.info.class_name}, phiên bản {self.info.version} "
                f"({self.info.status_text}) — {self.info.origin}")
        out = [head]
        if not self.stored_hash_ok:
            out.append("✗ Nội dung đã bị thay đổi sau khi nhận (mã SHA-256 khác với lúc nhận gói chuyển trường).")
        return out + self.report.lines()


def verify(store: Store, received_id: int) -> ReceivedCheck:
    """Signatures against this school's trust store, as an issued record (signed by the old school)."""
    from .signing_setup import trust_store_for

    with store.read() as s:
        row = _get(s, received_id)
        xml, stored = bytes(row.signed_xml), row.sha256
        info = next(i for i in _rows(s, row.student_id) if i.id == received_id)
    report = verify_record(xml, trust_store_for(store), policy=issued_policy())
    return ReceivedCheck(info, report, hashlib.sha256(xml).hexdigest() == stored.lower())
