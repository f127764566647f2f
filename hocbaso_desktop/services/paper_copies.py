"""The paper copy of an issued record: rendered from its signed XML once, at issue, and stored.

Never from live rows (issue 15): the rows behind an issued record are frozen by triggers, but anyone
with the file and sqlite3 can drop those; the signed XML is the record. So the seal batch renders the
PDF from the signed bytes once the issue is committed, in worker processes while it signs on
(services/issue_copies.py), and stores it with its SHA-256 (table record_paper_copy, migration 0012:
written once, never changed or deleted); a copy missing after a crash or a cancel is made by the next
seal batch of the class or by the archive export (backfill_steps). `records pdf`,
the GUI preview and the archive take that stored PDF. Drafts still render from live rows, stamped
BẢN NHÁP (exchange/paper_copy.py).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import HocbasoError
from ..domain.progress import CancelCheck, Cancelled, Progress
from ..exchange.paper_batch import RENDERER, PaperRenderer, SignedPaper, render_signed_xml
from ..exchange.paper_copy import paper_copy_bytes
from ..exchange.record_xml_read import parse_record_xml
from ..storage.engine import Store
from ..storage.models import AuditEntry, Record, RecordPaperCopy, SchoolYear
from .records import load_record_data
from .signing_plan import local_now

__all__ = ["RENDERER", "IssuedPaper", "backfill_paper_copies", "backfill_steps", "checked_copies", "issued_paper",
           "latest_signed", "missing_copies", "preview_pdf", "render_from_signed_xml", "store_paper_copy"]
PRINTED_STATUSES = ("issued",)  # withdrawn/replaced versions still print from live rows with their stamp (as before)
AUDIT_ACTION = "record.paper_copy"

@dataclass(frozen=True)
class IssuedPaper:
    pdf: bytes
    student_name: str  # as the signed XML says
    stored: bool  # False: rendered on demand (issued before migration 0012)


def render_from_signed_xml(signed_xml: bytes, valid_from: date | None = None) -> bytes:
    """The PDF of a signed record, from its bytes alone (deterministic: same XML → same PDF).

    `valid_from`: the issue date (ngày hiệu lực), set by the seal's transaction on the record row,
    which is frozen from then on; the signed content cannot carry it (it is signed before the seal)."""
    return render_signed_xml(signed_xml, valid_from)


def _xml_of(rec: Record) -> bytes:
    # sqlite3's text functions turn an edited BLOB into TEXT: still the bytes someone put there
    raw: object = rec.signed_xml
    return raw.encode("utf-8") if isinstance(raw, str) else bytes(rec.signed_xml or b"")


def _signed_bytes(rec: Record) -> bytes:
    xml = _xml_of(rec)
    if not xml or rec.sha256 != hashlib.sha256(xml).hexdigest():
        raise HocbasoError(f"Học bạ #{rec.id} phát hành không khớp mã băm của bản đã ký: không tạo bản giấy.")
    return xml


def _add_copy(s: Session, rec: Record, pdf: bytes) -> tuple[str, str, int, dict[str, object]]:
    row = RecordPaperCopy(record_id=rec.id, pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), xml_sha256=rec.sha256,
                          renderer=RENDERER, created_at=local_now())
    s.add(row)
    return AUDIT_ACTION, "record", rec.id, {"sha256": row.sha256, "xml_sha256": row.xml_sha256}


def store_paper_copy(s: Session, audit: Callable[..., object], rec: Record, pdf: bytes | None = None) -> None:
    """Store the paper copy of the issued `rec` (once), audited: rendered from rec.signed_xml.

    `pdf`: the copy already rendered by exchange.paper_batch (a worker, while the token signed the
    next record) from exactly rec.signed_xml and rec.valid_from; None renders it here."""
    xml = _signed_bytes(rec)
    entry = _add_copy(s, rec, pdf if pdf is not None else render_signed_xml(xml, rec.valid_from))
    s.flush()
    audit(*entry)


def _name_in(xml: bytes) -> str:
    return parse_record_xml(xml, "học bạ đã ký").student.full_name


def issued_paper(s: Session, rec: Record) -> IssuedPaper:
    """The paper copy of a signed version: the stored PDF, checked against its hashes.

    Records issued before migration 0012 have no stored copy: they are rendered on demand from the
    signed XML (checked against the record's hash) — never from live rows — and not stored here,
    since a read must not write; the output is the same for the same signed bytes.
    """
    xml = _xml_of(rec)
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


def _audited_hashes(s: Session, record_ids: Sequence[int]) -> dict[str, tuple[str, str]]:
    """record id (as the audit log writes it) → (sha256, xml_sha256) its record.paper_copy entry states."""
    out: dict[str, tuple[str, str]] = {}
    wanted = {str(i) for i in record_ids}
    for entity_id, changes in s.execute(select(AuditEntry.entity_id, AuditEntry.changes)
                                        .where(AuditEntry.action == AUDIT_ACTION, AuditEntry.entity == "record")):
        if entity_id in wanted:
            c = json.loads(changes or "{}")
            out[entity_id] = (str(c.get("sha256", "")), str(c.get("xml_sha256", "")))
    return out


def checked_copies(s: Session, records: Sequence[Record]) -> dict[int, bytes]:
    """The stored paper copy of each issued record, once it proved to be the one made at issue.

    For each: the signed XML matches the record's hash; the copy names that hash; its bytes match its
    own hash; and the hash-chained audit log's record.paper_copy entry for the record states the same
    two hashes. The last check catches a copied database whose PDF was swapped and its row's hash
    recomputed with sqlite3 (the caller verified the chain). A record without a stored copy is left
    out (the caller back-fills or renders it); any mismatch raises HocbasoError naming the record."""
    ids = [r.id for r in records]
    rows = {row.record_id: row for row in s.execute(select(RecordPaperCopy).where(RecordPaperCopy.record_id.in_(ids)))
            .scalars()} if ids else {}
    audited = _audited_hashes(s, list(rows))
    out: dict[int, bytes] = {}
    for rec in records:
        row = rows.get(rec.id)
        if row is None:
            continue
        xml = _xml_of(rec)
        pdf = bytes(row.pdf)
        pdf_sha = hashlib.sha256(pdf).hexdigest()
        xml_sha = hashlib.sha256(xml).hexdigest()
        if not xml or xml_sha != rec.sha256:
            raise HocbasoError(f"Học bạ #{rec.id} không khớp mã băm đã lưu: dữ liệu hỏng, không dùng bản giấy.")
        if row.xml_sha256 != xml_sha or pdf_sha != row.sha256:
            raise HocbasoError(f"Bản giấy đã lưu của học bạ #{rec.id} không khớp mã băm (của chính nó hoặc của bản đã ký): "
                               "dữ liệu hỏng hoặc bị tráo, không dùng.")
        if audited.get(str(rec.id)) != (pdf_sha, xml_sha):
            raise HocbasoError(f"Bản giấy đã lưu của học bạ #{rec.id} không phải bản nhật ký thao tác ghi lúc phát hành "
                               "(mã băm khác hoặc không có trong nhật ký): bản giấy bị tráo, không dùng.")
        out[rec.id] = pdf
    return out


def missing_copies(s: Session, year_name: str | None = None) -> list[Record]:
    """Issued records with no stored paper copy (issued before migration 0012), oldest first."""
    q = (select(Record).outerjoin(RecordPaperCopy, RecordPaperCopy.record_id == Record.id)
         .where(Record.status == "issued", RecordPaperCopy.record_id.is_(None)).order_by(Record.id))
    if year_name is not None:
        q = q.join(SchoolYear, SchoolYear.id == Record.year_id).where(SchoolYear.name == year_name)
    return list(s.execute(q).scalars())


Step = tuple[int, int, str]  # done, total, label


def backfill_steps(store: Store, actor_code: str, year_name: str | None = None,
                   cancel: CancelCheck | None = None) -> Generator[Step, None, int]:
    """Render once, on every core, the copies of issued records that have none, and store them all in
    ONE transaction (audited record.paper_copy each, as at issue); yields progress, returns the count.

    Rendered from each record's signed XML after it matched the record's hash; stored only if the
    record is still issued with that hash and still has no copy when the transaction runs (a
    concurrent issue or back-fill is not duplicated). Cancel, or one record that cannot be rendered,
    stores nothing. Whoever calls this has checked the actor's right to the job that needs the copies
    (the archive export)."""
    with store.read() as s:
        todo = missing_copies(s, year_name)
        s.expunge_all()
    if not todo:
        return 0
    jobs = [SignedPaper(_signed_bytes(r), r.valid_from) for r in todo]
    labels = [f"học bạ #{r.id}" for r in todo]
    with PaperRenderer(len(jobs)) as renderer:
        futures = [renderer.submit(j) for j in jobs]
        pdfs: list[bytes] = []
        for i, f in enumerate(futures):
            if cancel is not None and cancel():
                raise Cancelled("Đã hủy khi đang tạo bản giấy còn thiếu: chưa lưu bản nào.")
            ok, value = f.result()
            if not ok or not isinstance(value, bytes):
                raise HocbasoError(f"Không tạo được bản giấy của {labels[i]}: {value!s}; không lưu bản nào.")
            pdfs.append(value)
            yield i + 1, len(jobs), labels[i]
    with store.transaction(actor_code) as tx:
        s = tx.session
        have = set(s.execute(select(RecordPaperCopy.record_id)
                             .where(RecordPaperCopy.record_id.in_([r.id for r in todo]))).scalars())
        events = []
        for rec, pdf in zip(todo, pdfs):
            live = s.get(Record, rec.id)
            if rec.id in have or live is None or live.status != "issued" or live.sha256 != rec.sha256:
                continue
            events.append(_add_copy(s, live, pdf))
        s.flush()
        tx.audit_many(events)
    return len(events)


def backfill_paper_copies(store: Store, actor_code: str, year_name: str | None = None,
                          progress: Progress | None = None, cancel: CancelCheck | None = None) -> int:
    """backfill_steps run to the end; the number of copies stored."""
    steps = backfill_steps(store, actor_code, year_name, cancel)
    while True:
        try:
            done, total, label = next(steps)
        except StopIteration as stop:
            return int(stop.value or 0)
        if progress is not None:
            progress(done, total, label)
