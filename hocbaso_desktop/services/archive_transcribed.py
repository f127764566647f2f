"""The trích lục a yearly archive holds (issue 17): records of paper years, signed by this school.

A paper year has no archive of its own, so every issued trích lục goes into the archive of the live
year during which it was issued (exchange/archive/transcribed.archive_year_of), under
layout.TRANSCRIBED_DIR with its stored paper copy, listed in the index with the paper book's
reference. One not yet issued (entered, or with the principal's signature only) is in no archive
yet: it never holds the year up — it is no record of that year — but the export names it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import select

from ..domain.errors import HocbasoError
from ..exchange.archive import layout
from ..exchange.archive.transcribed import archive_year_of
from ..exchange.archive.writer import ExportCancelled
from ..storage.engine import Store
from ..storage.models import (
    YEAR_LIVE,
    YEAR_TRANSCRIBED,
    Enrolment,
    Record,
    RecordSignature,
    RecordWithdrawal,
    SchoolClass,
    SchoolYear,
    Student,
)
from ..storage.transcription_models import Transcription
from .archive_content import ARCHIVED_STATUSES, ContentFacts, Entries, Staging, _iso, _safe_name


@dataclass(frozen=True)
class PendingTranscription:
    """A trích lục entered during the year but not issued: not in the archive."""

    personal_id: str
    full_name: str
    school_year: str  # the paper year
    state: str  # Vietnamese: "chưa ký", "Hiệu trưởng đã ký, chưa đóng dấu"…

    def line(self) -> str:
        return (f"trích lục năm học {self.school_year} của {self.full_name} (mã định danh {self.personal_id}): "
                f"{self.state} — chưa phát hành nên không có trong kho này")


def _state(status: str | None, roles: list[str]) -> str:
    if status is None:
        return "chưa ký"
    if "principal" in roles:
        return "Hiệu trưởng đã ký, chưa đóng dấu"
    return "đang ký" if status == "signing" else "chưa ký"


def transcribed_content(work: Store, year_name: str, st: Staging, facts: ContentFacts,
                        cancel: Callable[[], bool]) -> Entries:
    """Stage the trích lục issued during `year_name`; returns the index entries."""
    from .paper_copies import issued_paper

    with work.read() as s:
        live = [(n, d) for n, d in s.execute(select(SchoolYear.name, SchoolYear.start_date)
                                              .where(SchoolYear.kind == YEAR_LIVE))]
        rows = s.execute(
            select(Transcription, Enrolment, Student, SchoolClass, SchoolYear.name)
            .join(Enrolment, Enrolment.id == Transcription.enrolment_id)
            .join(Student, Student.id == Enrolment.student_id)
            .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
            .join(SchoolYear, SchoolYear.id == Enrolment.year_id)
            .where(SchoolYear.kind == YEAR_TRANSCRIBED)
            .order_by(Student.personal_id, SchoolYear.name)).all()
        versions: dict[int, list[Record]] = {}
        for rec in s.execute(select(Record).where(Record.enrolment_id.in_([e.id for _t, e, *_ in rows]))
                             .order_by(Record.enrolment_id, Record.version)).scalars():
            versions.setdefault(rec.enrolment_id, []).append(rec)
        sigs: dict[int, list[RecordSignature]] = {}
        ids = [r.id for vs in versions.values() for r in vs]
        for sig in s.execute(select(RecordSignature).where(RecordSignature.record_id.in_(ids))
                             .order_by(RecordSignature.seq)).scalars():
            sigs.setdefault(sig.record_id, []).append(sig)
        withdrawals = {rid: bytes(xml) for rid, xml in s.execute(
            select(RecordWithdrawal.record_id, RecordWithdrawal.signed_xml).where(RecordWithdrawal.record_id.in_(ids)))}
        s.expunge_all()

    jobs: list[tuple[dict, Student, Transcription, str, Record]] = []
    for t, enrol, stu, cls, paper_year in rows:
        recs = versions.get(enrol.id, [])
        for rec in recs:
            if rec.status in ARCHIVED_STATUSES and rec.issued_at is not None:
                if archive_year_of(rec.issued_at.date(), live) == year_name:
                    jobs.append(({"class_name": cls.name, "grade": cls.grade}, stu, t, paper_year, rec))
        latest = recs[-1] if recs else None
        if latest is None or latest.status in ("draft", "signing"):
            since = (latest.created_at if latest is not None else t.entered_at).date()
            if archive_year_of(since, live) == year_name:
                roles = [g.role for g in sigs.get(latest.id, [])] if latest is not None else []
                facts.transcribed_pending.append(PendingTranscription(
                    stu.personal_id, stu.full_name, paper_year, _state(latest.status if latest else None, roles)))

    out: list[dict] = []
    with work.read() as s:
        for i, (class_fields, stu, t, paper_year, rec) in enumerate(jobs, 1):
            if cancel():
                raise ExportCancelled("Đã hủy: chưa ghi gì ra ổ đích.")
            xml = bytes(rec.signed_xml or b"")
            if not xml or (rec.sha256 and hashlib.sha256(xml).hexdigest() != rec.sha256):
                raise HocbasoError(f"Trích lục #{rec.id} (năm học {paper_year}) của {stu.full_name} không khớp mã băm "
                                   "đã lưu: dữ liệu hỏng, không xuất.")
            base = (f"{layout.TRANSCRIBED_DIR}/{_safe_name(stu.personal_id)}/"
                    f"{_safe_name(stu.lookup_code)}_{_safe_name(paper_year)}_v{rec.version}")
            st.put(f"{base}.xml", xml)
            pdf = None
            if rec.status == "issued":
                st.put(f"{base}.pdf", issued_paper(s, rec).pdf)
                pdf = f"{base}.pdf"
            withdrawal = None
            doc = withdrawals.get(rec.id)
            if doc is not None:
                st.put(f"{base}_thuhoi.xml", doc)
                withdrawal = {"xml": f"{base}_thuhoi.xml", "sha256": st.files[f"{base}_thuhoi.xml"].sha256}
            out.append({
                "personal_id": stu.personal_id, "full_name": stu.full_name, "lookup_code": stu.lookup_code,
                "school_year": paper_year, **class_fields, "paper_book_ref": t.paper_book_ref,
                "entered_by": t.entered_by, "entered_at": _iso(t.entered_at),
                "version": rec.version, "status": rec.status, "xml": f"{base}.xml", "sha256": st.files[f"{base}.xml"].sha256,
                "pdf": pdf, "withdrawal": withdrawal, "issued_at": _iso(rec.issued_at), "valid_from": _iso(rec.valid_from),
                "status_reason": rec.status_reason,
                "signatures": [{"seq": g.seq, "role": g.role, "signer_name": g.signer_name, "cert_serial": g.cert_serial,
                                "signed_at": _iso(g.signed_at)} for g in sigs.get(rec.id, [])],
            })
            facts.transcribed += 1
            yield ("trích lục", i, len(jobs), stu.full_name)
    return out


__all__ = ["PendingTranscription", "transcribed_content"]
