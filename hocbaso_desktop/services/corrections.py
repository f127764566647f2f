"""The correction workflow of an issued record (seed 004, Điều 8; seed 001 §2.4; records.md).

1. A GVCN or GVBM of the student's class files a request (phiếu đề nghị sửa dữ liệu) against the
   issued version: what is to change, why, optional evidence (stored in the database).
2. The admin team sees the open requests; the principal approves (witnesses recorded) or rejects.
3. Approval opens the record: a RecordUnlock for the enrolment (the database triggers let the
   evaluation rows change only while it is active) and a draft of the next version (replaces_id =
   the issued one), which the usual signing plan picks up: GVCN → principal → seal.
4. The seal's issuing transaction (signing_service → `on_version_issued`) marks the old version
   `replaced`, applies the request and closes the unlock — all in that one transaction.
Requests close at the year's cut-off: by default one week before its lock date (seed 004).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import HocbasoError, InvalidValue, NotFound, PermissionDenied
from ..domain.rights import ADMINISTRATORS, APPROVE_CORRECTION, BOARD, REQUEST_CORRECTION, REVIEW_CORRECTIONS, allowed, require
from ..domain.roles import Actor
from ..storage.correction_models import MAX_EVIDENCE_BYTES, CorrectionRequest
from ..storage.engine import Store
from ..storage.models import (
    Enrolment,
    Record,
    RecordSignature,
    RecordUnlock,
    SchoolClass,
    SchoolYear,
    Staff,
    Student,
)
from . import settings as settings_service
from .records import latest_record
from .signing_plan import content_xml, local_now

DEFAULT_CUTOFF_DAYS = 7  # seed 004, Điều 8: "01 tuần trước thời điểm khóa Học bạ số"
# JSON {school year: ISO date}: an explicit last day per year, set by the school (settings screen).
CUTOFFS_KEY = settings_service.CORRECTION_CUTOFFS
MIN_REASON = 5
STATE_TEXT = {"open": "chờ duyệt", "approved": "đã duyệt, đang sửa", "rejected": "từ chối",
              "applied": "đã hoàn tất", "cancelled": "đã hủy"}
# Who witnesses the opening (Điều 8): BGH – Ban quản trị – Ban TTND – GV đề nghị sửa.
WITNESS_ROLES = {"BGH": "BGH", "BQT": "Ban quản trị", "TTND": "Ban TTND", "GV": "GV đề nghị sửa"}


class CorrectionError(HocbasoError):
    pass


@dataclass(frozen=True)
class Witness:
    name: str
    role: str = ""  # one of WITNESS_ROLES' values, or "" when not said
    code: str = ""  # staff code when the witness is a staff member
    confirmed: bool = False  # proved presence with their own password (the GUI asks)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "code": self.code, "confirmed": self.confirmed}

    @property
    def text(self) -> str:
        who = f"{self.name} ({self.code})" if self.code else self.name
        return f"{who} — {self.role}" if self.role else who


@dataclass(frozen=True)
class CorrectionInfo:
    id: int
    enrolment_id: int
    personal_id: str
    student_name: str
    class_name: str
    year: str
    lookup_code: str
    record_id: int
    record_version: int
    new_record_id: int | None
    requester_code: str
    requester_name: str
    fields: tuple[str, ...]
    reason: str
    evidence_name: str
    evidence_size: int
    state: str
    decided_by_code: str
    decided_by_name: str
    decided_at: datetime | None
    decision_reason: str
    witnesses: tuple[Witness, ...]
    created_at: datetime
    closed_at: datetime | None

    @property
    def state_text(self) -> str:
        return STATE_TEXT.get(self.state, self.state)


# ---- the cut-off ------------------------------------------------------------------------------------


def cutoff_date(s: Session, year: SchoolYear) -> date | None:
    """Last day a request may be filed for `year`: the school's explicit date, else a week before
    the lock date; None when the year has neither (no deadline known)."""
    raw = settings_service.read(s, CUTOFFS_KEY)
    if raw:
        try:
            explicit = json.loads(raw).get(year.name)
            if explicit:
                return date.fromisoformat(str(explicit))
        except (ValueError, AttributeError):
            pass  # a damaged setting must not open corrections forever: fall back to the rule
    if year.lock_date is None:
        return None
    return year.lock_date - timedelta(days=DEFAULT_CUTOFF_DAYS)


def _check_cutoff(s: Session, year: SchoolYear, today: date) -> None:
    if year.locked:
        raise CorrectionError(f"Năm học {year.name} đã khóa: không nhận phiếu đề nghị sửa dữ liệu.")
    last = cutoff_date(s, year)
    if last is not None and today > last:
        lock = f" (01 tuần trước ngày khóa học bạ {year.lock_date:%d/%m/%Y})" if year.lock_date and \
            year.lock_date - last == timedelta(days=DEFAULT_CUTOFF_DAYS) else ""
        raise CorrectionError(f"Đã quá hạn đề nghị sửa dữ liệu học bạ năm học {year.name}: "
                              f"hạn cuối là ngày {last:%d/%m/%Y}{lock}.", cutoff=last.isoformat())


# ---- reading ----------------------------------------------------------------------------------------


def _staff(s: Session, staff_id: int | None) -> Staff | None:
    return s.get(Staff, staff_id) if staff_id else None


def _info(s: Session, c: CorrectionRequest) -> CorrectionInfo:
    enrol = s.get_one(Enrolment, c.enrolment_id)
    st = s.get_one(Student, enrol.student_id)
    cls = s.get_one(SchoolClass, enrol.class_id)
    year = s.get_one(SchoolYear, enrol.year_id)
    rec = s.get_one(Record, c.record_id)
    req = _staff(s, c.requester_id)
    dec = _staff(s, c.decided_by)
    witnesses = tuple(Witness(w.get("name", ""), w.get("role", ""), w.get("code", ""), bool(w.get("confirmed")))
                      for w in json.loads(c.witnesses or "[]"))
    return CorrectionInfo(
        c.id, c.enrolment_id, st.personal_id, st.full_name, cls.name, year.name, st.lookup_code, c.record_id,
        rec.version, c.new_record_id, req.code if req else "", req.full_name if req else "",
        tuple(json.loads(c.fields or "[]")), c.reason, c.evidence_name, len(c.evidence or b""), c.state,
        dec.code if dec else "", dec.full_name if dec else "", c.decided_at, c.decision_reason, witnesses,
        c.created_at, c.closed_at)


def get_correction(store: Store, correction_id: int) -> CorrectionInfo:
    with store.read() as s:
        c = s.get(CorrectionRequest, correction_id)
        if c is None:
            raise NotFound(f"Không có phiếu đề nghị sửa dữ liệu số {correction_id}")
        return _info(s, c)


def list_corrections(store: Store, actor: Actor | None = None, *, states: Iterable[str] | None = ("open", "approved"),
                     enrolment_id: int | None = None) -> list[CorrectionInfo]:
    """The admin team (and the system) see every request; a teacher sees the ones they filed."""
    with store.read() as s:
        q = select(CorrectionRequest).order_by(CorrectionRequest.id)
        if states is not None:
            q = q.where(CorrectionRequest.state.in_(tuple(states)))
        if enrolment_id is not None:
            q = q.where(CorrectionRequest.enrolment_id == enrolment_id)
        if actor is not None and not allowed(actor, REVIEW_CORRECTIONS):
            me = s.execute(select(Staff.id).where(Staff.code == actor.code)).scalar()
            q = q.where(CorrectionRequest.requester_id == (me or -1))
        return [_info(s, c) for c in s.execute(q).scalars()]


def evidence_of(store: Store, correction_id: int) -> tuple[str, bytes]:
    with store.read() as s:
        c = s.get(CorrectionRequest, correction_id)
        if c is None or c.evidence is None:
            raise NotFound(f"Phiếu số {correction_id} không kèm minh chứng")
        return c.evidence_name, bytes(c.evidence)


# ---- filing -----------------------------------------------------------------------------------------


def _staff_id(s: Session, actor: Actor) -> int:
    sid = s.execute(select(Staff.id).where(Staff.code == actor.code)).scalar()
    if sid is None:
        raise PermissionDenied("lập phiếu đề nghị sửa dữ liệu", "một cán bộ có trong danh sách cán bộ")
    return sid


def _teaches_class(actor: Actor, class_id: int) -> bool:
    return class_id in actor.homeroom_class_ids or any(c == class_id for c, _subject in actor.teaches)


def _pending(s: Session, enrolment_id: int) -> CorrectionRequest | None:
    return s.execute(select(CorrectionRequest).where(
        CorrectionRequest.enrolment_id == enrolment_id, CorrectionRequest.state.in_(("open", "approved")))
        .order_by(CorrectionRequest.id)).scalars().first()


def request_correction(store: Store, actor: Actor, enrolment_id: int, reason: str, *, fields: Iterable[str] = (),
                       evidence_name: str = "", evidence: bytes | None = None, today: date | None = None) -> int:
    """File a request against the student's issued record; returns its id."""
    require(actor, REQUEST_CORRECTION)
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise InvalidValue("Lý do đề nghị sửa", reason, f"cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự)")
    if evidence is not None and len(evidence) > MAX_EVIDENCE_BYTES:
        raise InvalidValue("Minh chứng", evidence_name or "tệp", f"lớn hơn {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB")
    field_list = [" ".join(f.split()) for f in fields if f and f.strip()]
    today = today or local_now().date()
    with store.transaction(actor.code) as tx:
        s = tx.session
        enrol = s.get(Enrolment, enrolment_id)
        if enrol is None:
            raise NotFound(f"Không có học sinh (ghi danh #{enrolment_id})")
        cls, year, st = (s.get_one(SchoolClass, enrol.class_id), s.get_one(SchoolYear, enrol.year_id),
                         s.get_one(Student, enrol.student_id))
        if not actor.is_system and not _teaches_class(actor, cls.id):
            raise PermissionDenied(f"lập phiếu đề nghị sửa học bạ của học sinh lớp {cls.name}",
                                   f"GVCN hoặc GVBM của lớp {cls.name}")
        _check_cutoff(s, year, today)
        pending = _pending(s, enrolment_id)
        if pending is not None:
            raise CorrectionError(f"Học bạ của {st.full_name} đã có phiếu đề nghị sửa số {pending.id} "
                                  f"({STATE_TEXT[pending.state]}): chờ phiếu đó xong rồi mới lập phiếu mới.")
        rec = latest_record(s, enrolment_id)
        if rec is None or rec.status != "issued":
            state = {None: "chưa có", "draft": "đang là bản nháp", "signing": "đang được ký",
                     "withdrawn": "đã bị thu hồi"}.get(rec.status if rec else None, "không ở trạng thái đã phát hành")
            raise CorrectionError(f"Học bạ của {st.full_name} {state}: chỉ học bạ đã phát hành mới cần phiếu đề nghị "
                                  "sửa (bản nháp sửa trực tiếp trên bảng nhập liệu).")
        c = CorrectionRequest(
            enrolment_id=enrolment_id, record_id=rec.id, requester_id=_staff_id(s, actor),
            fields=json.dumps(field_list, ensure_ascii=False), reason=reason,
            evidence_name=(evidence_name or "")[:255], evidence=evidence, state="open", decision_reason="",
            witnesses="[]", created_at=local_now())
        s.add(c)
        s.flush()
        tx.audit("correction.request", "correction_request", c.id, {
            "hs": st.personal_id, "record_id": rec.id, "version": rec.version, "fields": field_list,
            "reason": reason, "evidence": {"name": c.evidence_name, "bytes": len(evidence or b"")} if evidence else None})
        return c.id


# ---- deciding ---------------------------------------------------------------------------------------


def _open_request(s: Session, correction_id: int) -> CorrectionRequest:
    c = s.get(CorrectionRequest, correction_id)
    if c is None:
        raise NotFound(f"Không có phiếu đề nghị sửa dữ liệu số {correction_id}")
    return c


def _witness_role(s: Session, st: Staff, requester_id: int) -> str:
    roles = {r.role for r in st.roles}
    if st.id == requester_id:
        return WITNESS_ROLES["GV"]
    if roles & BOARD:
        return WITNESS_ROLES["BGH"]
    if roles & ADMINISTRATORS:
        return WITNESS_ROLES["BQT"]
    return ""


def parse_witness(s: Session, text: str, requester_id: int) -> Witness:
    """"GV001", "TTND:Nguyễn Văn A", "BQT:QT01" or a free name → a Witness (staff codes resolved)."""
    raw = " ".join((text or "").split())
    role = ""
    head, sep, rest = raw.partition(":")
    if sep and head.strip().upper() in WITNESS_ROLES:
        role, raw = WITNESS_ROLES[head.strip().upper()], rest.strip()
    if not raw:
        raise InvalidValue("Người chứng kiến", text, "cần họ tên hoặc mã cán bộ")
    st = s.execute(select(Staff).where(Staff.code == raw.upper())).scalars().first()
    if st is not None:
        return Witness(st.full_name, role or _witness_role(s, st, requester_id), st.code)
    return Witness(raw[:150], role)


def resolve_witness(store: Store, text: str) -> Witness:
    with store.read() as s:
        return parse_witness(s, text, -1)


def _resolve_witnesses(s: Session, c: CorrectionRequest, approver: Staff, given: Iterable[Witness | str]) -> list[Witness]:
    out: list[Witness] = []
    for w in given:
        out.append(parse_witness(s, w, c.requester_id) if isinstance(w, str) else w)
    # The approver and the requesting teacher are present by the procedure itself (Điều 8).
    requester = s.get(Staff, c.requester_id)
    for st in (approver, requester):
        if st is not None and not any(w.code == st.code for w in out):
            out.append(Witness(st.full_name, _witness_role(s, st, c.requester_id), st.code))
    return out


def approve(store: Store, actor: Actor, correction_id: int, witnesses: Iterable[Witness | str] = (),
            *, note: str = "") -> CorrectionInfo:
    """The principal approves: the record opens for the change, and a draft of its next version waits."""
    require(actor, APPROVE_CORRECTION)
    with store.transaction(actor.code) as tx:
        s = tx.session
        c = _open_request(s, correction_id)
        if c.state != "open":
            raise CorrectionError(f"Phiếu số {c.id} {STATE_TEXT[c.state]}: không duyệt lại được.")
        old = s.get_one(Record, c.record_id)
        latest = latest_record(s, c.enrolment_id)
        if old.status != "issued" or latest is None or latest.id != old.id:
            raise CorrectionError(f"Học bạ của phiếu số {c.id} không còn ở phiên bản đã phát hành {old.version}: "
                                  "hãy từ chối phiếu này.")
        approver = s.execute(select(Staff).where(Staff.code == actor.code)).scalars().first()
        if approver is None and not actor.is_system:
            raise PermissionDenied("phê duyệt sửa dữ liệu", "một cán bộ có trong danh sách cán bộ")
        people = _resolve_witnesses(s, c, approver, witnesses) if approver else list(
            parse_witness(s, w, c.requester_id) if isinstance(w, str) else w for w in witnesses)
        now = local_now()
        c.state, c.decided_by, c.decided_at = "approved", approver.id if approver else None, now
        c.decision_reason = " ".join((note or "").split())
        c.witnesses = json.dumps([w.as_json() for w in people], ensure_ascii=False)
        if c.decided_by is None:  # the system actor (tests, migrations) decides as the school's principal
            c.decided_by = s.execute(select(Staff.id).order_by(Staff.id)).scalar()
        s.flush()
        # Unlock first: in a locked year the record triggers let the new draft in only while it is active.
        unlock = RecordUnlock(enrolment_id=c.enrolment_id, correction_id=c.id, active=True, opened_at=now)
        s.add(unlock)
        s.flush()
        draft = Record(enrolment_id=old.enrolment_id, student_id=old.student_id, year_id=old.year_id,
                       version=old.version + 1, status="draft", created_at=now, replaces_id=old.id,
                       status_reason=f"Đính chính theo phiếu số {c.id}", status_changed_at=now)
        s.add(draft)
        s.flush()
        st = s.get_one(Student, old.student_id)
        tx.audit("correction.approve", "correction_request", c.id, {
            "hs": st.personal_id, "record_id": old.id, "new_record_id": draft.id, "version": draft.version,
            "unlock_id": unlock.id, "witnesses": [w.as_json() for w in people], "note": c.decision_reason})
        return _info(s, c)


def reject(store: Store, actor: Actor, correction_id: int, reason: str) -> CorrectionInfo:
    require(actor, APPROVE_CORRECTION)
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise InvalidValue("Lý do từ chối", reason, f"cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự)")
    with store.transaction(actor.code) as tx:
        s = tx.session
        c = _open_request(s, correction_id)
        if c.state != "open":
            raise CorrectionError(f"Phiếu số {c.id} {STATE_TEXT[c.state]}: không từ chối được.")
        me = s.execute(select(Staff.id).where(Staff.code == actor.code)).scalar()
        now = local_now()
        c.state, c.decided_by, c.decided_at, c.decision_reason, c.closed_at = (
            "rejected", me or s.execute(select(Staff.id).order_by(Staff.id)).scalar(), now, reason, now)
        s.flush()
        st = s.execute(select(Student).join(Enrolment, Enrolment.student_id == Student.id)
                       .where(Enrolment.id == c.enrolment_id)).scalars().one()
        tx.audit("correction.reject", "correction_request", c.id, {"hs": st.personal_id, "reason": reason})
        return _info(s, c)


def cancel(store: Store, actor: Actor, correction_id: int, reason: str) -> CorrectionInfo:
    """The requester or the principal withdraws a request. An approved one only while its record is
    unchanged: edits already made would leave the database different from the issued version."""
    reason = " ".join((reason or "").split())
    if len(reason) < MIN_REASON:
        raise InvalidValue("Lý do hủy phiếu", reason, f"cần ghi rõ lý do (ít nhất {MIN_REASON} ký tự)")
    with store.transaction(actor.code) as tx:
        s = tx.session
        c = _open_request(s, correction_id)
        requester = s.get(Staff, c.requester_id)
        if not (allowed(actor, APPROVE_CORRECTION) or (requester is not None and requester.code == actor.code)):
            raise PermissionDenied("hủy phiếu đề nghị sửa dữ liệu", "người lập phiếu hoặc Hiệu trưởng")
        if c.state not in ("open", "approved"):
            raise CorrectionError(f"Phiếu số {c.id} {STATE_TEXT[c.state]}: không hủy được.")
        now = local_now()
        if c.state == "approved":
            _close_opening(s, c, now)
        c.state, c.closed_at = "cancelled", now
        if c.decided_by is None:
            c.decision_reason = reason
        s.flush()
        st = s.execute(select(Student).join(Enrolment, Enrolment.student_id == Student.id)
                       .where(Enrolment.id == c.enrolment_id)).scalars().one()
        tx.audit("correction.cancel", "correction_request", c.id, {"hs": st.personal_id, "reason": reason})
        return _info(s, c)


def _close_opening(s: Session, c: CorrectionRequest, now: datetime) -> None:
    old = s.get_one(Record, c.record_id)
    place = settings_service.signing_settings_in(s).place_of_issue
    if old.content_xml is not None and content_xml(s, c.enrolment_id, old, place) != old.content_xml:
        raise CorrectionError(f"Học bạ đã được sửa theo phiếu số {c.id}: không hủy được nữa. Hãy ký lại để hoàn tất, "
                              "hoặc sửa các ô về như cũ rồi hủy.")
    draft = s.execute(select(Record).where(Record.replaces_id == old.id, Record.status.in_(("draft", "signing")))).scalars().first()
    if draft is not None:
        for sig in s.execute(select(RecordSignature).where(RecordSignature.record_id == draft.id)).scalars():
            s.delete(sig)
        s.flush()
        s.delete(draft)
    for u in s.execute(select(RecordUnlock).where(RecordUnlock.correction_id == c.id, RecordUnlock.active.is_(True))).scalars():
        u.active, u.closed_at = False, now
    s.flush()


# ---- the issuing transaction's hook -----------------------------------------------------------------


def on_version_issued(s: Session, audit: Callable[..., None], rec: Record) -> None:
    """Called by the signing service in the transaction that issued `rec`: when it replaces an
    older version, that version becomes `replaced` (kept, signatures intact), the approved request
    is applied and the record's opening closes — together, or not at all."""
    if rec.replaces_id is None:
        return
    now = local_now()
    old = s.get_one(Record, rec.replaces_id)
    hs = s.execute(select(Student.personal_id).where(Student.id == rec.student_id)).scalar()
    c = s.execute(select(CorrectionRequest).where(
        CorrectionRequest.record_id == old.id, CorrectionRequest.state == "approved")).scalars().first()
    if old.status == "issued":
        old.status = "replaced"
        old.status_reason = f"Thay thế bởi phiên bản {rec.version}" + (f" (phiếu đính chính số {c.id})" if c else "")
        old.status_changed_at = now
        s.flush()
        audit("record.replace", "record", old.id, {"hs": hs, "version": old.version, "by_record_id": rec.id,
                                                   "by_version": rec.version, "correction_id": c.id if c else None})
    if c is not None:
        c.state, c.new_record_id, c.closed_at = "applied", rec.id, now
        s.flush()
        audit("correction.apply", "correction_request", c.id, {"hs": hs, "record_id": old.id, "new_record_id": rec.id,
                                                                "version": rec.version})
    # Close the opening last: until now the year-lock triggers needed it for the record updates above.
    for u in s.execute(select(RecordUnlock).where(RecordUnlock.enrolment_id == rec.enrolment_id,
                                                  RecordUnlock.active.is_(True))).scalars().all():
        u.active, u.closed_at = False, now
        s.flush()
        audit("record.relock", "record_unlock", u.id, {"hs": hs, "enrolment_id": rec.enrolment_id, "record_id": rec.id})
