"""Chuyển trường: the record book travels with the child (issue 10).

Export (sending school): every issued version of every year's record (issued, replaced, withdrawn —
and records this school itself once received), the paper copies, and the learning history, sealed
with the school's seal (or the principal's certificate) into one package file; then the student is
marked transferred out (date, destination). The records stay: they are the school's archive.

Import (receiving school): the package is verified without touching the database (seal, manifests,
every record's signatures against the trust store); only a fully valid package is applied, in one
transaction: the student matched or created by mã định danh, the received records stored byte-exact
(immutable table), the learning-history lines added, the student enrolled in the chosen class. The
same package twice writes nothing.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from .. import __version__
from ..domain.errors import HocbasoError, InputFileError, NotFound
from ..domain.progress import Progress
from ..domain.rights import TRANSFER_STUDENT, require
from ..domain.text import fold
from ..exchange import transfer_package as pkg
from ..signing import TrustStore
from ..storage.engine import Store
from ..storage.models import Enrolment, Record, School, SchoolClass, SchoolYear, Student
from ..storage.transfer_models import LearningHistory, ReceivedRecord, StudentTransfer
from . import directory
from .archive_service import SealWith
from .received_periods import carried_for_package, store_carried
from .records import record_data
from .signing_plan import local_now

ISSUED_STATES = ("issued", "replaced", "withdrawn")


class TransferRefused(HocbasoError):
    """Verification failed: `check.lines()` says what, in Vietnamese."""

    exit_code = 1

    def __init__(self, check: pkg.PackageCheck) -> None:
        self.check = check
        super().__init__("Không nhận gói chuyển trường: kiểm tra không đạt.\n" + "\n".join(check.lines()))


# ---- export -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferOut:
    path: Path
    student_name: str
    personal_id: str
    records: int
    paper_copies: int
    sealed_by: str
    package_sha256: str
    transfer_date: date
    destination: str


def seal_content(store: Store, actor_code: str, seal: SealWith, content: bytes) -> tuple[bytes, bytes, str]:
    """CMS seal over `content` with the school's registered seal: the archive's rule and code."""
    from .archive_service import seal_bytes

    return seal_bytes(store, actor_code, seal, content)


def _student_json(st: Student) -> dict[str, object]:
    return {
        "personal_id": st.personal_id, "lookup_code": st.lookup_code, "full_name": st.full_name,
        "birth_date": st.birth_date.isoformat(), "sex": st.sex, "ethnicity_code": st.ethnicity_code,
        "nationality": st.nationality, "moet_code": st.moet_code, "birthplace": st.birthplace, "hometown": st.hometown,
        "address": st.address, "father_name": st.father_name, "mother_name": st.mother_name,
        "guardian_name": st.guardian_name, "not_assessed": st.not_assessed,
    }


def export_transfer(store: Store, personal_id: str, out: str | Path, actor_code: str, seal: SealWith, *,
                    destination: str = "", on_date: date | None = None, progress: Progress | None = None) -> TransferOut:
    from ..exchange.record_xml_read import parse_record_xml
    from .paper_copies import issued_paper

    step = progress or (lambda d, t, label="": None)
    actor = directory.actor(store, actor_code)
    require(actor, TRANSFER_STUDENT)
    on_date = on_date or local_now().date()
    payload: dict[str, bytes] = {}
    entries: list[dict[str, object]] = []
    with store.read() as s:
        st = s.execute(select(Student).where(Student.personal_id == personal_id.strip())).scalars().first()
        if st is None:
            raise NotFound(f"Không có học sinh mã định danh {personal_id}")
        enrolments = s.execute(
            select(Enrolment, SchoolYear.name).join(SchoolYear, Enrolment.year_id == SchoolYear.id)
            .where(Enrolment.student_id == st.id).order_by(SchoolYear.name)).all()
        if not enrolments:
            raise NotFound(f"Học sinh {st.full_name} chưa ghi danh vào lớp nào của trường")
        current = enrolments[-1][0]
        records = list(s.execute(
            select(Record, SchoolYear.name).join(SchoolYear, Record.year_id == SchoolYear.id)
            .where(Record.student_id == st.id, Record.status.in_(ISSUED_STATES))
            .order_by(SchoolYear.name, Record.version)).all())
        received = list(s.execute(select(ReceivedRecord).where(ReceivedRecord.student_id == st.id)
                                  .order_by(ReceivedRecord.school_year, ReceivedRecord.id)).scalars())
        total = len(records) + len(received) + 1
        for i, rr in enumerate(received, 1):  # earlier schools' records: passed on exactly as received
            member = f"data/records/{rr.school_year}/nhan-{i}-v{rr.version}.xml"
            payload[member] = rr.signed_xml
            paper = None
            if rr.paper_pdf:
                paper = f"data/paper/{rr.school_year}-nhan-{i}-v{rr.version}.pdf"
                payload[paper] = rr.paper_pdf
            entries.append({"path": member, "paper": paper, "school_year": rr.school_year, "school_name": rr.school_name,
                            "class_name": rr.class_name, "grade": rr.grade, "version": rr.version, "status": rr.status,
                            "status_reason": rr.status_reason, "sha256": rr.sha256, "origin": "received"})
            step(i, total, f"học bạ nhận từ {rr.school_name}, năm học {rr.school_year}")
        for i, (rec, year) in enumerate(records, len(received) + 1):
            assert rec.signed_xml is not None
            member, paper = pkg.record_member(year, rec.version), pkg.paper_member(year, rec.version)
            # what the package says of an issued version comes from its signed XML and the paper copy
            # stored at issue, never from today's rows (a renamed pupil must not travel as signed)
            signed = parse_record_xml(rec.signed_xml, f"học bạ năm học {year}, phiên bản {rec.version}")
            payload[member] = rec.signed_xml
            payload[paper] = issued_paper(s, rec).pdf
            entries.append({"path": member, "paper": paper, "school_year": year, "school_name": signed.school.name,
                            "class_name": signed.class_name, "grade": signed.grade, "version": rec.version,
                            "status": rec.status, "status_reason": rec.status_reason or "",
                            "sha256": pkg._sha(rec.signed_xml), "origin": "local",
                            "issued_at": rec.issued_at.isoformat() if rec.issued_at else None})
            step(i, total, f"học bạ năm học {year}, phiên bản {rec.version}")
        history = record_data(s, current.id).history
        sc = s.execute(select(School).order_by(School.id)).scalars().first()
        school = {"name": sc.name if sc else "", "moet_code": sc.moet_code if sc else "", "province": sc.province if sc else "",
                  "district": sc.district if sc else "", "commune": sc.commune if sc else ""}
        # a mid-year transfer: the periods evaluated so far, inside the sealed hocba.json
        carried = carried_for_package(s, current.id, school["name"])
        student_json = _student_json(st)
        student_id, current_id, name = st.id, current.id, st.full_name
    meta = {
        "format": pkg.FORMAT, "format_version": pkg.FORMAT_VERSION, "software": f"hocbaso-desktop {__version__}",
        "school": school, "destination": destination, "transfer_date": on_date.isoformat(),
        "exported_at": local_now().isoformat(), "exported_by": actor.code, "student": student_json,
        "history": [{"school_year": h.school_year, "class_name": h.class_name, "school_name": h.school_name,
                     "province": h.province, "transfer_in_date": h.transfer_in_date.isoformat() if h.transfer_in_date else None}
                    for h in history],
        "records": entries,
        "evaluations": carried.to_json() if carried is not None else None,
    }
    payload[pkg.META] = json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    bag_info = [
        ("Source-Organization", school["name"]),
        ("External-Description", f"Gói chuyển trường: học bạ số của học sinh {name}"),
        ("Bagging-Date", on_date.isoformat()),
        ("Bag-Software-Agent", f"hocbaso-desktop {__version__}"),
        ("Hocbaso-Student-Personal-Id", personal_id.strip()),
        ("Hocbaso-Destination", destination),
        ("Hocbaso-Records", str(len(entries))),
    ]
    step(total - 1, total, "niêm phong gói (cần mã PIN thiết bị ký số)")
    sealed_by = ""

    def sealer(content: bytes) -> tuple[bytes, bytes]:
        nonlocal sealed_by
        der, pem, sealed_by = seal_content(store, actor_code, seal, content)
        return der, pem

    data = pkg.build_package(payload, bag_info, sealer)
    path = pkg.write_package_file(data, out)
    digest = pkg._sha(data)
    with store.transaction(actor.code) as tx:
        s = tx.session
        enrol = s.get(Enrolment, current_id)
        assert enrol is not None
        if enrol.status == "active":  # a re-export (package lost) keeps the first date
            enrol.status, enrol.left_on = "transferred_out", on_date
        s.add(StudentTransfer(direction="out", student_id=student_id, enrolment_id=current_id, on_date=on_date,
                              other_school=destination[:250], package_sha256=digest, actor=actor.code,
                              created_at=local_now()))
        tx.audit("student.transfer_out", "student", student_id, {
            "personal_id": personal_id.strip(), "destination": destination, "date": on_date.isoformat(),
            "records": len(entries), "periods": [p.period for p in carried.periods] if carried else [],
            "package_sha256": digest, "sealed_by": sealed_by, "file": str(path)})
    step(total, total, "xong")
    return TransferOut(path, name, personal_id.strip(), len(entries), sum(1 for e in entries if e.get("paper")),
                       sealed_by, digest, on_date, destination)


# ---- import -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferIn:
    student_name: str
    personal_id: str
    class_name: str
    already: bool  # the same package was imported before: nothing changed
    created_student: bool = False
    records: int = 0
    history_lines: int = 0
    source_school: str = ""
    periods: tuple[str, ...] = ()  # periods of this year evaluated at the old school, now read-only here
    report: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def read_package(path: str | Path) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > pkg.MAX_PACKAGE_BYTES:
            raise pkg.PackageRefused(f"{p.name}: bị từ chối — tệp quá lớn ({size} byte)")
        return p.read_bytes()
    except OSError as e:
        raise InputFileError(f"Không đọc được tệp {p}: {e.strerror or e}") from None


def verify_package(store: Store | None, path: str | Path, trust: TrustStore | None = None) -> pkg.PackageCheck:
    """The check the import dialog shows before anything is written."""
    from .signing_setup import trust_store_for

    return pkg.inspect_package(read_package(path), trust or trust_store_for(store), Path(path).name)


_PID = re.compile(r"\d{12}")
_HEX32 = re.compile(r"[0-9a-f]{32}")


def _same_person(st: Student, meta: dict[str, object]) -> list[str]:
    diffs = []
    if fold(st.full_name) != fold(str(meta.get("full_name", ""))):
        diffs.append(f"họ tên «{st.full_name}» / «{meta.get('full_name')}»")
    if st.birth_date.isoformat() != meta.get("birth_date"):
        diffs.append(f"ngày sinh {st.birth_date:%d/%m/%Y} / {meta.get('birth_date')}")
    return diffs


def _new_student(s, meta: dict[str, object]) -> Student:  # noqa: ANN001 - Session
    pid = str(meta.get("personal_id", ""))
    if not _PID.fullmatch(pid):
        raise HocbasoError(f"Mã định danh «{pid}» trong gói không hợp lệ (cần 12 chữ số)")
    try:
        birth = date.fromisoformat(str(meta.get("birth_date")))
    except ValueError:
        raise HocbasoError("Ngày sinh trong gói không hợp lệ") from None
    code = str(meta.get("lookup_code", "")).lower()
    # The mã tra cứu belongs to the whole record book (records.md): keep it unless it is malformed or taken.
    if not _HEX32.fullmatch(code) or s.execute(select(Student.id).where(Student.lookup_code == code)).first():
        code = uuid.uuid4().hex
    text = lambda k, n=250: str(meta.get(k) or "")[:n]  # noqa: E731
    sex = text("sex", 3) if meta.get("sex") in ("Nam", "Nữ") else "Nam"
    return Student(personal_id=pid, lookup_code=code, full_name=text("full_name", 150), birth_date=birth, sex=sex,
                   ethnicity_code=text("ethnicity_code", 2) or "01", nationality=text("nationality", 50) or "Việt Nam",
                   moet_code=text("moet_code", 20), birthplace=text("birthplace"), hometown=text("hometown"),
                   address=text("address"), father_name=text("father_name", 150), mother_name=text("mother_name", 150),
                   guardian_name=text("guardian_name", 150), not_assessed=bool(meta.get("not_assessed")))


def import_transfer(store: Store, path: str | Path, class_name: str, actor_code: str, *, year: str | None = None,
                    trust: TrustStore | None = None, on_date: date | None = None) -> TransferIn:
    actor = directory.actor(store, actor_code)
    require(actor, TRANSFER_STUDENT)
    check = verify_package(store, path, trust)
    if not check.ok:
        raise TransferRefused(check)
    assert check.meta is not None
    meta = check.meta
    # Who the pupil is comes from the newest signed record, never from the package's unsigned-by-anyone-
    # in-particular JSON; the JSON fills only what no record carries (a package with history only).
    smeta, source = {**meta["student"], **(pkg.signed_student(check) or {})}, str(meta["school"].get("name", ""))
    pid = str(smeta.get("personal_id", ""))
    with store.read() as s:
        done = s.execute(select(StudentTransfer.id).where(StudentTransfer.direction == "in",
                                                          StudentTransfer.package_sha256 == check.package_sha256)).first()
    if done:
        return TransferIn(str(smeta.get("full_name", "")), pid, class_name, True, source_school=source,
                          report=tuple(check.lines()), notes=("Gói này đã được nhận trước đó: không có gì thay đổi.",))
    info = directory.find_class(store, class_name, year)
    on_date = on_date or local_now().date()
    notes: list[str] = list(check.notes)
    now = local_now()
    with store.transaction(actor.code) as tx:
        s = tx.session
        st = s.execute(select(Student).where(Student.personal_id == pid)).scalars().first()
        created = st is None
        if st is None:
            st = _new_student(s, smeta)
            s.add(st)
            s.flush()
        else:
            diffs = _same_person(st, smeta)
            if diffs:
                raise HocbasoError(f"Mã định danh {pid} đã thuộc học sinh «{st.full_name}» của trường, khác với gói "
                                   f"({'; '.join(diffs)}): hãy kiểm tra lại trước khi nhận.")
            notes.append(f"Học sinh {st.full_name} đã có trong cơ sở dữ liệu: dùng hồ sơ sẵn có.")
        enrol = s.execute(select(Enrolment).where(Enrolment.student_id == st.id, Enrolment.year_id == info.year_id)).scalars().first()
        if enrol is not None and (enrol.class_id != info.id or enrol.status != "active"):
            other = s.get(SchoolClass, enrol.class_id)
            raise HocbasoError(f"Học sinh {st.full_name} đã ghi danh lớp {other.name if other else '?'} năm học {info.year} "
                               f"(trạng thái {enrol.status}): không ghi danh lần nữa.")
        if enrol is None:
            enrol = Enrolment(student_id=st.id, year_id=info.year_id, class_id=info.id, status="active", joined_on=on_date)
            s.add(enrol)
            s.flush()
        transfer = StudentTransfer(direction="in", student_id=st.id, enrolment_id=enrol.id, on_date=on_date,
                                   other_school=source[:250], package_sha256=check.package_sha256, actor=actor.code,
                                   created_at=now)
        s.add(transfer)
        s.flush()
        have = {(h.school_year, fold(h.class_name), fold(h.school_name)) for h in s.execute(
            select(LearningHistory).where(LearningHistory.student_id == st.id)).scalars()}
        seq = s.execute(select(func.max(LearningHistory.seq)).where(LearningHistory.student_id == st.id)).scalar() or 0
        lines = 0
        for h in meta["history"]:
            if not isinstance(h, dict):
                continue
            key = (str(h.get("school_year", ""))[:9], fold(str(h.get("class_name", ""))), fold(str(h.get("school_name", ""))))
            if key in have:
                continue
            have.add(key)
            seq += 1
            lines += 1
            tin = h.get("transfer_in_date")
            s.add(LearningHistory(transfer_id=transfer.id, student_id=st.id, seq=seq, school_year=key[0],
                                  class_name=str(h.get("class_name", ""))[:10], school_name=str(h.get("school_name", ""))[:150],
                                  province=str(h.get("province") or "")[:100],
                                  transfer_in_date=date.fromisoformat(tin) if isinstance(tin, str) and tin else None))
        held = set(s.execute(select(ReceivedRecord.sha256).where(ReceivedRecord.student_id == st.id)).scalars())
        added = 0
        for r in meta["records"]:
            digest = r["sha256"].lower()
            if digest in held:
                continue
            held.add(digest)
            paper = check.members.get(r.get("paper") or "") if isinstance(r.get("paper"), str) else None
            s.add(ReceivedRecord(transfer_id=transfer.id, student_id=st.id, lookup_code=st.lookup_code,
                                 school_year=r["school_year"][:9], school_name=str(r.get("school_name") or source)[:150],
                                 class_name=str(r.get("class_name", ""))[:10], grade=int(r.get("grade") or 0),
                                 version=r["version"], status=r["status"][:12], status_reason=str(r.get("status_reason") or ""),
                                 signed_xml=check.members[r["path"]], sha256=digest, paper_pdf=paper, received_at=now))
            added += 1
        periods: list[str] = []
        if check.carried is not None:
            periods, more = store_carried(s, check.carried, enrol, info.grade, info.year, transfer.id,
                                          check.package_sha256, now)
            notes += more
        tx.audit("student.transfer_in", "student", st.id, {
            "personal_id": pid, "from": source, "class": info.name, "year": info.year, "date": on_date.isoformat(),
            "records": added, "periods": periods, "history_lines": lines, "package_sha256": check.package_sha256, "created": created})
        name = st.full_name
    return TransferIn(name, pid, info.name, False, created, added, lines, source, tuple(periods), tuple(check.lines()),
                      tuple(notes))


# ---- reading back -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedRow:
    id: int
    school_year: str
    school_name: str
    class_name: str
    version: int
    status: str
    received_at: datetime


def received_records(store: Store, personal_id: str) -> list[ReceivedRow]:
    with store.read() as s:
        rows = s.execute(select(ReceivedRecord).join(Student, ReceivedRecord.student_id == Student.id)
                         .where(Student.personal_id == personal_id).order_by(ReceivedRecord.school_year, ReceivedRecord.version)).scalars()
        return [ReceivedRow(r.id, r.school_year, r.school_name, r.class_name, r.version, r.status, r.received_at) for r in rows]


def transferable_students(store: Store, year: str | None = None) -> list[directory.StudentRow]:
    """Students the export dialog offers: this year's, in class order."""
    return directory.students(store, None, year)
