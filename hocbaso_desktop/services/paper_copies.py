"""The paper copy of an issued record: rendered from its signed XML once, at issue, and stored.

Never from live rows (issue 15): the rows behind an issued record are frozen by triggers, but anyone
with the file and sqlite3 can drop those; the signed XML is the record. So the seal's transaction
(services/signing_service.py) renders the PDF from the signed bytes and stores it with its SHA-256
(table record_paper_copy, migration 0012: written once, never changed or deleted), and `records pdf`,
the GUI preview and the archive take that stored PDF. Drafts still render from live rows, stamped
BẢN NHÁP (exchange/paper_copy.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import HocbasoError
from ..exchange.paper_copy import paper_copy_bytes
from ..exchange.record_xml_read import parse_record_xml
from ..storage.engine import Store
from ..storage.models import Record, RecordPaperCopy
from .records import load_record_data
from .signing_plan import local_now

RENDERER = "paper_copy/1"  # which layout made a stored copy (a later layout never rewrites old ones)
PRINTED_STATUSES = ("issued",)  # withdrawn/replaced versions still print from live rows with their stamp (as before)


@dataclass(frozen=True)
class IssuedPaper:
    pdf: bytes
    student_name: str  # as the signed XML says
    stored: bool  # False: rendered on demand (issued before migration 0012)


def render_from_signed_xml(signed_xml: bytes, valid_from: date | None = None) -> bytes:
    """The PDF of a signed record, from its bytes alone (deterministic: same XML → same PDF).

    `valid_from`: the issue date (ngày hiệu lực), set by the seal's transaction on the record row,
    which is frozen from then on; the signed content cannot carry it (it is signed before the seal)."""
    data = parse_record_xml(signed_xml, "học bạ đã ký")
    if valid_from is not None and data.valid_from is None:
        data = replace(data, valid_from=valid_from)
    return paper_copy_bytes(data)


def store_paper_copy(s: Session, audit: Callable[..., object], rec: Record) -> RecordPaperCopy:
    """At issue, in the issuing transaction: render from rec.signed_xml, store (once), audit."""
    xml = bytes(rec.signed_xml or b"")
    if not xml or rec.sha256 != hashlib.sha256(xml).hexdigest():
        raise HocbasoError("học bạ phát hành không khớp mã băm của bản đã ký: không tạo bản giấy")
    pdf = render_from_signed_xml(xml, rec.valid_from)
    row = RecordPaperCopy(record_id=rec.id, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), xml_sha256=rec.sha256,
                          renderer=RENDERER, created_at=local_now())
    s.add(row)
    s.flush()
    audit("record.paper_copy", "record", rec.id, {"sha256": row.sha256, "xml_sha256": row.xml_sha256})
    return row


def _name_in(xml: bytes) -> str:
    return parse_record_xml(xml, "học bạ đã ký").student.full_name


def issued_paper(s: Session, rec: Record) -> IssuedPaper:
    """The paper copy of a signed version: the stored PDF, checked against its hashes.

    Records issued before migration 0012 have no stored copy: they are rendered on demand from the
    signed XML (checked against the record's hash) — never from live rows — and not stored here,
    since a read must not write; the output is the same for the same signed bytes.
    """
    xml = bytes(rec.signed_xml or b"")
    if not xml or (rec.sha256 and hashlib.sha256(xml).hexdigest() != rec.sha256):
        raise HocbasoError(f"Học bạ #{rec.id} không khớp mã băm đã lưu: dữ liệu hỏng, không in bản giấy.")
    row = s.get(RecordPaperCopy, rec.id)
    if row is None:
        return IssuedPaper(render_from_signed_xml(xml, rec.valid_from), _name_in(xml), False)
    pdf = bytes(row.pdf)
    if hashlib.sha256(pdf).hexdigest() != row.sha256 or row.xml_sha256 != hashlib.sha256(xml).hexdigest():
        raise HocbasoError(f"Bản giấy đã lưu của học bạ #{rec.id} không khớp mã băm: dữ liệu hỏng, không in.")
    return IssuedPaper(pdf, _name_in(xml), True)


def latest_signed(s: Session, enrolment_id: int) -> Record | None:
    """The pupil's latest version when it is a signed one (its paper copy is the signed XML's)."""
    rec = s.execute(select(Record).where(Record.enrolment_id == enrolment_id)
                    .order_by(Record.version.desc()).limit(1)).scalars().first()
    return rec if rec is not None and rec.status in PRINTED_STATUSES else None


def preview_pdf(store: Store, enrolment_id: int) -> tuple[str, bytes]:
    """The pupil's name and the PDF a preview shows.

    An issued record shows the PDF stored at issue from its signed XML (and the name it states),
    never one rebuilt from the live rows; a draft renders from those rows, stamped BẢN NHÁP.
    """
    with store.read() as s:
        rec = latest_signed(s, enrolment_id)
        issued = issued_paper(s, rec) if rec is not None else None
    if issued is not None:
        return issued.student_name, issued.pdf
    data = load_record_data(store, enrolment_id)
    return data.student.full_name, paper_copy_bytes(data)
