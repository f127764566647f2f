"""The whole primary record of one pupil (học bạ cả cấp): which years it holds, and its paper copy.

A year is every enrolment of the pupil here and every record received by transfer, ordered by school
year then grade. Printed: the current issued version — the highest signed version of the enrolment
when its status is issued (a replaced version is superseded by the newer one; a version carrying a
sealed withdrawal document is withdrawn, whatever its status column says). Not printed, but listed in
the contents with the reason: a year never issued ("chưa phát hành"), a withdrawn year ("đã thu hồi"):
a withdrawn record is never presented as valid. Trích lục years are ordinary issued records whose
signed XML says <trichluc>1</trichluc>; they are printed like the others, and named as such.

Every printed year is rendered from its signed XML (exchange/record_xml_read), never from live rows,
and only after the XML matched its stored hash, names this pupil and this year, and its signatures
verify against the school's trust store under the issued-record policy. One year failing refuses the
whole book (HocbasoError naming the year): a book with a forged year must not exist on paper.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.errors import HocbasoError, NotFound, PermissionDenied
from ..domain.record_data import RecordData
from ..domain.roles import Actor
from ..exchange.paper_book import BookPart, ContentsLine, book_bytes
from ..exchange.record_xml_read import parse_record_xml
from ..safe_xml import parse_xml
from ..storage.engine import Store
from ..storage.models import Enrolment, Record, RecordWithdrawal, School, SchoolClass, SchoolYear, Student
from ..storage.transfer_models import ReceivedRecord

HERE, RECEIVED = "here", "received"
PRINTED, NOT_ISSUED, WITHDRAWN = "printed", "not_issued", "withdrawn"
SIGNED_STATUSES = ("issued", "replaced", "withdrawn")
TRANSCRIBED_NOTE = "Trích lục từ học bạ giấy"
RECEIVED_NOTE = "Nhận khi chuyển trường"


@dataclass(frozen=True)
class BookYear:
    """One line of the book's contents (and of the GUI's list)."""

    school_year: str
    grade: int
    class_name: str
    school_name: str
    origin: str  # HERE | RECEIVED
    state: str  # PRINTED | NOT_ISSUED | WITHDRAWN
    version: int | None
    transcribed: bool = False

    @property
    def text(self) -> str:
        if self.state == NOT_ISSUED:
            return "Chưa phát hành — không in"
        if self.state == WITHDRAWN:
            return f"Đã thu hồi (phiên bản {self.version}) — không in"
        if self.origin == RECEIVED:
            return f"{RECEIVED_NOTE}, phiên bản {self.version}"
        if self.transcribed:
            return f"{TRANSCRIBED_NOTE}, phiên bản {self.version}"
        return f"Phát hành tại trường, phiên bản {self.version}"

    def line(self) -> str:
        """«Năm học 2025-2026, lớp 1A, Trường …: Phát hành tại trường, phiên bản 1» (CLI, GUI)."""
        return f"Năm học {self.school_year}, lớp {self.class_name}, {self.school_name}: {self.text}"


@dataclass(frozen=True)
class _Year:
    info: BookYear
    xml: bytes = b""
    sha256: str = ""
    valid_from: date | None = None


def _transcribed(xml: bytes) -> bool:
    root = parse_xml(xml, "học bạ đã ký")
    return any((el.text or "").strip() == "1" for el in root.iter("{*}trichluc"))


def _student(s: Session, personal_id: str) -> Student:
    st = s.execute(select(Student).where(Student.personal_id == personal_id.strip())).scalar_one_or_none()
    if st is None:
        raise NotFound(f"Không có học sinh mã định danh {personal_id}")
    return st


def _here_years(s: Session, st: Student, school_name: str) -> list[_Year]:
    out: list[_Year] = []
    rows = s.execute(select(Enrolment.id, SchoolYear.name, SchoolClass.grade, SchoolClass.name)
                     .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
                     .join(SchoolClass, Enrolment.class_id == SchoolClass.id)
                     .where(Enrolment.student_id == st.id)).all()
    for eid, year, grade, class_name in rows:
        top = s.execute(select(Record).where(Record.enrolment_id == eid, Record.status.in_(SIGNED_STATUSES))
                        .order_by(Record.version.desc()).limit(1)).scalars().first()
        if top is None:
            out.append(_Year(BookYear(year, grade, class_name, school_name, HERE, NOT_ISSUED, None)))
            continue
        withdrawn = top.status == "withdrawn" or s.get(RecordWithdrawal, top.id) is not None
        if withdrawn or top.status != "issued":  # a replaced top version: its successor is not signed yet
            state = WITHDRAWN if withdrawn else NOT_ISSUED
            out.append(_Year(BookYear(year, grade, class_name, school_name, HERE, state, top.version)))
            continue
        xml = bytes(top.signed_xml or b"")
        info = BookYear(year, grade, class_name, school_name, HERE, PRINTED, top.version,
                        transcribed=bool(xml) and _transcribed(xml))
        out.append(_Year(info, xml, top.sha256 or "", top.valid_from))
    return out


def _received_years(s: Session, st: Student) -> list[_Year]:
    latest: dict[tuple[str, str, str], ReceivedRecord] = {}
    for r in s.execute(select(ReceivedRecord).where(ReceivedRecord.student_id == st.id)).scalars():
        key = (r.school_year, r.lookup_code, r.school_name)
        if key not in latest or r.version > latest[key].version:
            latest[key] = r
    out: list[_Year] = []
    for r in latest.values():
        state = PRINTED if r.status == "issued" else WITHDRAWN if r.status == "withdrawn" else NOT_ISSUED
        info = BookYear(r.school_year, r.grade, r.class_name, r.school_name, RECEIVED, state, r.version)
        out.append(_Year(info, bytes(r.signed_xml) if state == PRINTED else b"", r.sha256))
    return out


def _collect(store: Store, personal_id: str) -> tuple[int, list[_Year]]:
    with store.read() as s:
        st = _student(s, personal_id)
        school = s.execute(select(School.name).order_by(School.id)).scalars().first() or ""
        years = _here_years(s, st, school) + _received_years(s, st)
        student_id = st.id
    years.sort(key=lambda y: (y.info.school_year, y.info.grade, y.info.origin != RECEIVED))
    return student_id, years


def book_years(store: Store, personal_id: str) -> list[BookYear]:
    """Every year of the pupil's book in print order, printed or not (what the GUI lists)."""
    return [y.info for y in _collect(store, personal_id)[1]]


def require_print(store: Store, actor: Actor, personal_id: str) -> None:
    """Who may print the book: who may print the pupil's record today (rights.PRINT_RECORDS, and a
    teacher only for a pupil of a class she reads — the pupil's latest class here)."""
    rights.require(actor, rights.PRINT_RECORDS)
    if rights.allowed(actor, rights.VIEW_ALL_CLASSES):
        return
    with store.read() as s:
        st = _student(s, personal_id)
        row = s.execute(select(SchoolClass.id, SchoolClass.name).join(Enrolment, Enrolment.class_id == SchoolClass.id)
                        .join(SchoolYear, Enrolment.year_id == SchoolYear.id)
                        .where(Enrolment.student_id == st.id).order_by(SchoolYear.name.desc()).limit(1)).first()
    if row is None:
        raise PermissionDenied(f"{rights.RIGHTS[rights.PRINT_RECORDS].name} của học sinh {personal_id}",
                                      rights.needed_roles_text(rights.RIGHTS[rights.VIEW_ALL_CLASSES].roles))
    rights.require_class(actor, row[0], row[1], rights.PRINT_RECORDS)


def _refused(y: BookYear, why: str) -> HocbasoError:
    return HocbasoError(f"Năm học {y.school_year} (lớp {y.class_name}, {y.school_name}): {why} — không in học bạ cả cấp.")


def _signature_problem(report) -> str:  # noqa: ANN001 - signing.report.VerificationReport
    if report.problems:
        return report.problems[0]
    if report.policy_problems:
        return f"quy định chữ ký: {report.policy_problems[0]}"
    bad = next((sg for sg in report.signatures if not sg.valid), None)
    if bad is not None:
        return f"chữ ký số {bad.index} ({bad.signer or 'không rõ người ký'}) không hợp lệ" + (
            f": {'; '.join(bad.reasons)}" if bad.reasons else "")
    return "chữ ký số không hợp lệ"


def _checked(y: _Year, personal_id: str, trust) -> RecordData:  # noqa: ANN001 - TrustStore
    """The year's RecordData from its signed XML, once the bytes proved to be what was signed for
    this pupil and this year; else the reason the book is refused."""
    from ..signing import verify_record
    from ..signing.policy import issued_policy

    info = y.info
    if not y.xml or hashlib.sha256(y.xml).hexdigest() != y.sha256:
        raise _refused(info, "bản đã ký không khớp mã băm đã lưu (dữ liệu hỏng hoặc bị sửa)")
    try:
        data = parse_record_xml(y.xml, f"học bạ năm học {info.school_year}")
    except HocbasoError as e:
        raise _refused(info, e.message) from None
    if data.student.personal_id != personal_id.strip():
        raise _refused(info, f"bản đã ký là của học sinh khác (mã định danh {data.student.personal_id})")
    if data.school_year != info.school_year or data.status != "1":
        raise _refused(info, f"bản đã ký ghi năm học {data.school_year}, trạng thái {data.status}")
    # GVBM signatures allowed, not required: the school's setting may have changed since that year,
    # and another school's setting is unknown; what matters here is GVCN → board → seal, genuine
    report = verify_record(y.xml, trust, policy=issued_policy())
    if not report.ok:
        raise _refused(info, _signature_problem(report))
    if y.valid_from is not None and data.valid_from is None:
        data = replace(data, valid_from=y.valid_from)  # as services/paper_copies.render_from_signed_xml
    return data


@dataclass(frozen=True)
class Book:
    pdf: bytes
    student_name: str  # as the latest printed year's signed XML says
    years: tuple[BookYear, ...]


def book_pdf(store: Store, personal_id: str, actor: Actor | None = None) -> bytes:
    """The paper copy of the pupil's whole primary record. `actor`, when given, must have the right
    to print this pupil's record (require_print)."""
    return make_book(store, personal_id, actor).pdf


def make_book(store: Store, personal_id: str, actor: Actor | None = None) -> Book:
    """book_pdf, with the pupil's name as signed and the year list the book was made from."""
    from .signing_setup import trust_store_for

    if actor is not None:
        require_print(store, actor, personal_id)
    _sid, years = _collect(store, personal_id)
    printed = [y for y in years if y.info.state == PRINTED]
    if not printed:
        raise HocbasoError(f"Học sinh mã định danh {personal_id} chưa có năm học nào đã phát hành: "
                           "không có học bạ cả cấp để in.")
    trust = trust_store_for(store)
    parts = []
    for y in printed:
        data = _checked(y, personal_id, trust)
        note = RECEIVED_NOTE if y.info.origin == RECEIVED else TRANSCRIBED_NOTE if y.info.transcribed else ""
        parts.append(BookPart(data, note))
    contents = [ContentsLine(y.info.school_year, y.info.class_name, y.info.school_name, y.info.text) for y in years]
    return Book(book_bytes(parts, contents), parts[-1].data.student.full_name, tuple(y.info for y in years))
