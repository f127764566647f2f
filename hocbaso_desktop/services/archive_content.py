"""What goes into the archive's data/ folder, derived from ONE consistent database snapshot.

The export first takes an online-backup snapshot of the live database, then opens a private copy of
that snapshot as a Store and builds every payload file from it: record XML, paper copies, class
summaries, audit log and index all describe the same instant as the snapshot placed beside them,
and the live database stays free for the user while PDFs render.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Generator, Iterator

from sqlalchemy import select

from ..domain.errors import HocbasoError, StoreError
from ..domain.vn_collation import name_key
from ..exchange.archive import layout
from ..exchange.archive.audit_chain import audit_line
from ..exchange.archive.writer import ExportCancelled, StagedFile
from ..storage.audit import verify_chain
from ..storage.engine import Store
from ..storage.models import (
    AuditEntry,
    Enrolment,
    Record,
    RecordSignature,
    RecordWithdrawal,
    SchoolClass,
    SchoolYear,
    Student,
    YearResult,
)
from ..storage.transfer_models import ReceivedRecord
from . import directory

ARCHIVED_STATUSES = ("issued", "replaced", "withdrawn")
Step = tuple[str, int, int, str]  # stage, done, total, label
# A stage that yields its steps and then returns its entries of the index
Entries = Generator[Step, None, list[dict[str, Any]]]


def snapshot_database(store: Store, dest: Path) -> None:
    """SQLite's online backup API over the store's own (single) connection: a consistent copy even
    while the program runs, never a file copy of a live WAL database (reliability.md)."""
    raw = store.engine.raw_connection()  # the pool's one connection: no session may be open now
    try:
        src: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)  # all pages in one step: one read transaction, one instant
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file on the medium
            problems = [r[0] for r in dst.execute("PRAGMA integrity_check") if r[0] != "ok"]
            problems += [str(r) for r in dst.execute("PRAGMA foreign_key_check")]
        finally:
            dst.close()
    finally:
        raw.close()
    if problems:
        raise StoreError(f"Bản sao cơ sở dữ liệu không toàn vẹn: {'; '.join(problems[:5])}")


@dataclass
class Staging:
    """Files written under `root`, each hashed as it is written."""

    root: Path
    files: dict[str, StagedFile] = field(default_factory=dict)

    def put(self, rel: str, data: bytes) -> None:
        p = self.root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        self.files[rel] = StagedFile(rel, len(data), hashlib.sha256(data).hexdigest())

    def adopt(self, rel: str) -> None:
        """Register a file another writer already put at `root/rel`."""
        p = self.root / rel
        h = hashlib.sha256()
        with open(p, "rb") as f:
            while chunk := f.read(1024 * 1024):
                h.update(chunk)
        self.files[rel] = StagedFile(rel, p.stat().st_size, h.hexdigest())


@dataclass
class ContentFacts:
    classes: int = 0
    students: int = 0
    issued: int = 0
    replaced: int = 0
    withdrawn: int = 0
    not_issued: int = 0
    deferred: int = 0
    paper_copies: int = 0
    received: int = 0  # records another school issued, received by transfer (layout.RECEIVED_DIR)
    transcribed: int = 0  # trích lục versions issued during this year (layout.TRANSCRIBED_DIR)
    transcribed_pending: list = field(default_factory=list)  # archive_transcribed.PendingTranscription: not archived
    summaries_xlsx: int = 0
    summary_pdf: bool = False
    audit_entries: int = 0
    audit_head: tuple[int, str] = (0, "0" * 64)
    warnings: list[str] = field(default_factory=list)


def _safe_name(name: str) -> str:
    keep = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in name.strip())
    return keep or "lop"


def build_content(work: Store, year_name: str, st: Staging, facts: ContentFacts, anchor: tuple[int, str] | None,
                  cancel: Callable[[], bool]) -> Iterator[Step]:
    """Write data/ (except README, written by the caller once counts are known) and fill `facts`."""
    with work.read() as s:
        chain = verify_chain(s, anchor)
        if not chain.ok:
            raise StoreError(f"Nhật ký thao tác không toàn vẹn: {chain.reason}. Không xuất kho lưu trữ.")
        y = s.execute(select(SchoolYear).where(SchoolYear.name == year_name)).scalars().one()
        rows = s.execute(
            select(Enrolment, Student, SchoolClass, YearResult.pending_supplementary)
            .join(Student, Enrolment.student_id == Student.id)
            .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
            .outerjoin(YearResult, YearResult.enrolment_id == Enrolment.id)
            .where(Enrolment.year_id == y.id)
            .order_by(SchoolClass.grade, SchoolClass.name, Student.full_name)
        ).all()
        # the class lists of the archive read as the school's do: Vietnamese order (SQL's puts Đ last)
        rows = sorted(rows, key=lambda row: (row[2].grade, row[2].name, name_key(row[1].full_name)))
        records = list(s.execute(select(Record).where(Record.year_id == y.id).order_by(Record.enrolment_id, Record.version)).scalars())
        sigs: dict[int, list[RecordSignature]] = {}
        for sig in s.execute(select(RecordSignature).join(Record, Record.id == RecordSignature.record_id)
                             .where(Record.year_id == y.id).order_by(RecordSignature.seq)).scalars():
            sigs.setdefault(sig.record_id, []).append(sig)
        s.expunge_all()  # plain snapshots from here on; the read session ends below
    by_enrolment: dict[int, list[Record]] = {}
    for r in records:
        by_enrolment.setdefault(r.enrolment_id, []).append(r)

    with work.read() as s:
        withdrawals = {rid: bytes(xml) for rid, xml in s.execute(
            select(RecordWithdrawal.record_id, RecordWithdrawal.signed_xml)
            .join(Record, Record.id == RecordWithdrawal.record_id).join(SchoolYear, SchoolYear.id == Record.year_id)
            .where(SchoolYear.name == year_name))}
    classes: dict[int, dict] = {}
    pdf_jobs: list[tuple[str, str, Record]] = []
    archived = [r for r in records if r.status in ARCHIVED_STATUSES]
    done = 0
    for enrol, student, cls, pending in rows:
        c = classes.setdefault(cls.id, {"name": cls.name, "grade": cls.grade, "folder": _safe_name(cls.name), "students": []})
        entry: dict[str, Any] = {
            "full_name": student.full_name, "birth_date": student.birth_date.isoformat(), "sex": student.sex,
            "personal_id": student.personal_id, "lookup_code": student.lookup_code, "enrolment_status": enrol.status,
            "pending_supplementary": bool(pending), "records": [],
        }
        c["students"].append(entry)
        facts.students += 1
        versions = [r for r in by_enrolment.get(enrol.id, []) if r.status in ARCHIVED_STATUSES]
        if enrol.status == "active" and not any(r.status == "issued" for r in versions):
            if pending:
                facts.deferred += 1
            else:
                facts.not_issued += 1
        for r in versions:
            if cancel():
                raise ExportCancelled("Đã hủy: chưa ghi gì ra ổ đích.")
            xml = bytes(r.signed_xml or b"")
            if not xml or (r.sha256 and hashlib.sha256(xml).hexdigest() != r.sha256):
                raise HocbasoError(f"Học bạ #{r.id} của {student.full_name} không khớp mã băm đã lưu: dữ liệu hỏng, không xuất.")
            base = f"{c['folder']}/{student.lookup_code}_v{r.version}"
            xml_rel = f"{layout.RECORDS_DIR}/{base}.xml"
            st.put(xml_rel, xml)
            pdf_rel = f"{layout.PAPER_DIR}/{base}.pdf" if r.status == "issued" else None
            if pdf_rel:
                pdf_jobs.append((pdf_rel, student.full_name, r))
            setattr(facts, r.status, getattr(facts, r.status) + 1)
            withdrawal = None
            doc = withdrawals.get(r.id)
            if doc is not None:  # the seal-signed withdrawal document travels beside the version it withdraws
                w_rel = f"{layout.RECORDS_DIR}/{base}_thuhoi.xml"
                st.put(w_rel, doc)
                withdrawal = {"xml": w_rel, "sha256": st.files[w_rel].sha256}
            entry["records"].append({
                "withdrawal": withdrawal,
                "version": r.version, "status": r.status, "sha256": st.files[xml_rel].sha256, "xml": xml_rel,
                "pdf": pdf_rel, "issued_at": _iso(r.issued_at), "valid_from": _iso(r.valid_from),
                "status_reason": r.status_reason, "status_changed_at": _iso(r.status_changed_at),
                "signatures": [{"seq": g.seq, "role": g.role, "signer_name": g.signer_name, "cert_serial": g.cert_serial,
                                "cert_subject": g.cert_subject, "signed_at": _iso(g.signed_at)} for g in sigs.get(r.id, [])],
            })
            done += 1
            yield ("học bạ", done, len(archived), f"{cls.name}: {student.full_name}")
    facts.classes = len(classes)
    received = yield from _received(work, [(enrol.student_id, student) for enrol, student, _c, _p in rows], st, facts, cancel)
    from .archive_transcribed import transcribed_content

    transcribed = yield from transcribed_content(work, year_name, st, facts, cancel)

    yield from _paper_copies(work, st, pdf_jobs, facts, cancel)
    summaries = yield from _summaries(work, year_name, st, classes, facts, cancel)
    yield from _audit_log(work, st, facts)
    sc = directory.school(work)
    index = {
        "format": layout.INDEX_FORMAT, "year": year_name,
        "school": {"name": sc.name if sc else "", "moet_code": sc.moet_code if sc else "",
                   "province": sc.province if sc else "", "address": sc.address if sc else ""},
        "classes": [{k: v for k, v in c.items() if k != "folder"} for c in classes.values()],
        "summaries": summaries,
        "received": received,
        "transcribed": transcribed,
        "transcribed_not_archived": [{"personal_id": p.personal_id, "full_name": p.full_name, "school_year": p.school_year,
                                      "state": p.state} for p in facts.transcribed_pending],
    }
    st.put(layout.INDEX, json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))


def _received(work: Store, pupils: list[tuple[int, Student]], st: Staging, facts: ContentFacts,
              cancel: Callable[[], bool]) -> Entries:
    """The records received by transfer of this year's pupils, byte-exact as stored. A record whose
    bytes no longer match the hash kept at import still goes in (the school's own year must not be held
    hostage by one damaged copy of another school's record): the export warns, verify names the file."""
    by_id = {sid: stu for sid, stu in pupils}
    with work.read() as s:
        rows = list(s.execute(select(ReceivedRecord).where(ReceivedRecord.student_id.in_(list(by_id)))
                              .order_by(ReceivedRecord.student_id, ReceivedRecord.school_year, ReceivedRecord.version,
                                        ReceivedRecord.id)).scalars()) if by_id else []
        s.expunge_all()
    out: list[dict] = []
    for i, r in enumerate(rows, 1):
        if cancel():
            raise ExportCancelled("Đã hủy: chưa ghi gì ra ổ đích.")
        stu = by_id[r.student_id]
        xml = bytes(r.signed_xml)
        base = f"{layout.RECEIVED_DIR}/{_safe_name(stu.personal_id)}/{_safe_name(r.lookup_code)}_{_safe_name(r.school_year)}_v{r.version}"
        if any(e["xml"] == f"{base}.xml" for e in out):  # two schools' copies of one year and version
            base += f"_{r.id}"
        st.put(f"{base}.xml", xml)
        pdf = None
        if r.paper_pdf:
            st.put(f"{base}.pdf", bytes(r.paper_pdf))
            pdf = f"{base}.pdf"
        actual = st.files[f"{base}.xml"].sha256
        if actual != r.sha256.lower():
            facts.warnings.append(f"học bạ nhận khi chuyển đến của {stu.full_name} (năm học {r.school_year}, "
                                  f"phiên bản {r.version}, {r.school_name}) không khớp mã băm lúc nhận: đã đưa vào kho "
                                  f"như đang lưu, lệnh kiểm tra kho sẽ báo tệp {base}.xml")
        out.append({"personal_id": stu.personal_id, "full_name": stu.full_name, "school_year": r.school_year,
                    "school_name": r.school_name, "class_name": r.class_name, "grade": r.grade, "version": r.version,
                    "status": r.status, "xml": f"{base}.xml", "sha256": actual, "received_sha256": r.sha256.lower(),
                    "pdf": pdf, "received_at": _iso(r.received_at)})
        facts.received += 1
        yield ("học bạ nhận khi chuyển đến", i, len(rows), stu.full_name)
    return out


def _iso(value: object) -> str | None:
    return value.isoformat() if value is not None else None  # type: ignore[attr-defined]


def _paper_copies(work: Store, st: Staging, jobs: list[tuple[str, str, Record]], facts: ContentFacts,
                  cancel: Callable[[], bool]) -> Iterator[Step]:
    """The PDF stored at issue from each signed XML, never the live rows (issue 15) and never rendered
    again (issue 19): the export back-filled the copies missing for records issued before they were
    stored, so each one here was checked against its hashes and the audit log's entry made at issue."""
    from .paper_copies import checked_copies

    with work.read() as s:
        pdfs = checked_copies(s, [rec for _rel, _e, rec in jobs])
    for i, (rel, name, rec) in enumerate(jobs, start=1):
        if cancel():
            raise ExportCancelled("Đã hủy: chưa ghi gì ra ổ đích.")
        pdf = pdfs.get(rec.id)
        if pdf is None:
            raise HocbasoError(f"Học bạ #{rec.id} ({name}) đã phát hành nhưng chưa có bản giấy lưu lúc phát hành: không xuất "
                               "(hãy xuất lại: lần xuất tạo bản giấy còn thiếu trước khi chụp cơ sở dữ liệu).")
        st.put(rel, pdf)
        facts.paper_copies += 1
        yield ("bản giấy", i, len(jobs), name)


def _summaries(work: Store, year_name: str, st: Staging, classes: dict[int, dict], facts: ContentFacts,
               cancel: Callable[[], bool]) -> Entries:
    from .class_summary import export_class_summary

    out = []
    for i, (class_id, c) in enumerate(classes.items(), start=1):
        if cancel():
            raise ExportCancelled("Đã hủy: chưa ghi gì ra ổ đích.")
        rel = f"{layout.SUMMARY_DIR}/{c['folder']}-CN.xlsx"
        (st.root / rel).parent.mkdir(parents=True, exist_ok=True)
        try:
            export_class_summary(work, class_id, "CN", st.root / rel)
        except HocbasoError as e:
            facts.warnings.append(f"không tạo được bảng tổng hợp lớp {c['name']}: {e.message}")
            continue
        st.adopt(rel)
        facts.summaries_xlsx += 1
        # No PDF form of the class summary exists in this version (exchange/class_summary.py writes
        # .xlsx only); the README and bag-info say so rather than pretending.
        out.append({"class": c["name"], "xlsx": rel, "pdf": None})
        yield ("bảng tổng hợp", i, len(classes), c["name"])
    return out


def _audit_log(work: Store, st: Staging, facts: ContentFacts) -> Iterator[Step]:
    lines: list[str] = []
    with work.read() as s:
        for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
            lines.append(audit_line({"seq": e.id, "at": e.at, "actor": e.actor, "action": e.action, "entity": e.entity,
                                     "entity_id": e.entity_id, "changes": e.changes, "prev_hash": e.prev_hash, "hash": e.hash}))
            facts.audit_head = (e.id, e.hash)
    facts.audit_entries = len(lines)
    st.put(layout.AUDIT_LOG, "".join(lines).encode("utf-8"))
    st.put(layout.AUDIT_HEAD, f"{facts.audit_head[0]} {facts.audit_head[1]}\n".encode("ascii"))
    yield ("nhật ký", len(lines), len(lines), "nhật ký thao tác")
