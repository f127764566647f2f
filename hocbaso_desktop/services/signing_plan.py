"""Which records the acting staff member may sign now, in which order, and why the others wait.

Order of signatures on one record (records.md, issue 6):
    [GVBM of the class, when the school setting asks for it] → GVCN → Hiệu trưởng (or an authorised
    Phó hiệu trưởng) → the school's seal certificate, which issues the record.

- The GVCN signs only COMPLETE records of their own class: no missing end-of-year item, a result
  confirmed by the GVCN, no pending supplementary evaluation (CHT). Such a student is reported and
  skipped; the rest of the class goes ahead.
- The content XML is built and frozen (record.content_xml) when the first signature goes on. Before
  any later signature the content is rebuilt from the database and compared byte for byte: if
  anything changed since, the partial signatures no longer describe the record, so they are void:
  the record goes back to draft (signatures deleted, allowed for a record not yet issued) and the
  planner reports it. The same comparison runs again, in the storing transaction, for every record
  signed (an edit may land between planning and signing).
- Resumable: a record this role (for a GVBM: this person) has already signed is counted, not redone.

Dates: `ngaytao` in the content is the day the first signature went on (record.created_at). The
content carries no `ngayhieuluc`: it is frozen before the issue date exists. Ngày hiệu lực is the
issue date — the day (Vietnam time) the seal signature goes on — stored as record.valid_from and
evidenced by the seal's signed XAdES SigningTime.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import rights
from ..domain.catalogue import FINAL_PERIOD
from ..domain.errors import HocbasoError, PermissionDenied
from ..domain.record_data import RecordData
from ..domain.roles import Actor
from ..storage.engine import Store
from ..storage.models import Enrolment, Record, RecordSignature, RecordUnlock, SchoolClass, Staff, TeachingAssignment
from ..storage.transcription_models import Transcription
from . import settings as settings_service
from .board_signer import board_signer, signing_refusal
from .directory import ClassInfo, class_by_id
from .grid import GridRow, load_grid
from .records import RecordRows, prefetch_record_rows, record_data

ROLE_ORDER = ("gvbm", "gvcn", "principal", "seal")
ROLE_TITLES = {"gvbm": "GVBM", "gvcn": "GVCN", "principal": "Hiệu trưởng", "seal": "con dấu nhà trường"}
# Who may put each signature on is the rights matrix (domain/rights.py): SIGN_SUBJECT, SIGN_HOMEROOM,
# APPROVE_AND_SIGN and SIGN_SEAL (Nghị định 30/2020/NĐ-CP: the văn thư keeps the organisation's seal
# and its signing device, so the clerk may apply the seal as well as the school's leaders).
VN_TZ = timezone(timedelta(hours=7))


def local_now() -> datetime:
    """Naive Vietnam time, to the second: what the school's clocks and paper forms show."""
    return datetime.now(VN_TZ).replace(tzinfo=None, microsecond=0)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class PlanItem:
    """One signature to put on one record."""

    enrolment_id: int
    record_id: int | None  # None: the record row is created when this first signature is stored
    student_name: str
    class_name: str
    seq: int  # this signature's place on the record (1 = first)
    version: int
    created_at: datetime  # of the record (decides `ngaytao` in the content)
    content_sha: str  # the frozen content this signature covers
    xml: bytes  # what gets signed: the content (first signature) or the record's signed XML so far
    issues: bool  # the last required signature: storing it issues the record

    @property
    def label(self) -> str:
        return f"{self.student_name} ({self.class_name})"


@dataclass(frozen=True)
class PlanNote:
    enrolment_id: int
    student_name: str
    class_name: str
    reason: str  # Vietnamese
    kind: str  # already | issued | incomplete | pending | result | stale | order | withdrawn | reset


@dataclass(frozen=True)
class SigningPlan:
    role: str
    actor_code: str
    actor_name: str
    staff_id: int
    classes: tuple[str, ...]
    items: tuple[PlanItem, ...]
    skipped: tuple[PlanNote, ...]  # cannot be signed now, with the reason
    already: tuple[PlanNote, ...]  # this role's signature is on already (resumed batch)
    resets: tuple[PlanNote, ...]  # content changed since earlier signatures: voided, back to draft
    audit_seq: int = 0  # the audit log's head when the plan's content checks were made

    @property
    def role_title(self) -> str:
        return ROLE_TITLES[self.role]


# ---- who signs as what -----------------------------------------------------------------------------


def infer_role(actor: Actor, *, seal: bool = False, gvbm_signs: bool = False, class_ids: frozenset[int] = frozenset()) -> str:
    """The role the acting staff member signs in. A principal who is also a class's GVCN signs that
    class as GVCN first (the CLI's --role and the dialog can say otherwise)."""
    if actor.is_system or actor.code == "-":
        raise PermissionDenied("ký học bạ", "một cán bộ cụ thể (chọn người thao tác)")
    if seal:
        return "seal"
    if class_ids and class_ids <= actor.homeroom_class_ids:
        return "gvcn"
    if rights.allowed(actor, rights.APPROVE_AND_SIGN):
        return "principal"
    if rights.allowed(actor, rights.SIGN_HOMEROOM) and actor.homeroom_class_ids:
        return "gvcn"
    if gvbm_signs and rights.allowed(actor, rights.SIGN_SUBJECT):
        return "gvbm"
    raise PermissionDenied("ký học bạ", "GVCN, Hiệu trưởng hoặc Phó hiệu trưởng")


def signing_roles(actor: Actor, gvbm_signs: bool) -> list[str]:
    """The signatures this person may put on at all, in ROLE_ORDER (the signing dialog's choices);
    which classes she may sign in each is may_sign_class."""
    out = []
    if gvbm_signs and rights.allowed(actor, rights.SIGN_SUBJECT) and actor.teaches:
        out.append("gvbm")
    if rights.allowed(actor, rights.SIGN_HOMEROOM) and actor.homeroom_class_ids:
        out.append("gvcn")
    if rights.allowed(actor, rights.APPROVE_AND_SIGN):
        out.append("principal")
    if rights.allowed(actor, rights.SIGN_SEAL):
        out.append("seal")
    return out


def may_sign_class(actor: Actor, role: str, info: ClassInfo) -> str | None:
    """None when `actor` may sign `role` for the class; else the Vietnamese reason."""
    if actor.is_system:
        return "hệ thống không ký được học bạ: hãy chọn cán bộ ký"
    if role == "gvcn":
        if rights.allowed(actor, rights.SIGN_HOMEROOM) and info.id in actor.homeroom_class_ids:
            return None
        return f"{actor.name} không phải GVCN lớp {info.name}"
    if role == "gvbm":
        taught = {c for c, _subject in actor.teaches}
        if rights.allowed(actor, rights.SIGN_SUBJECT) and info.id in taught and info.id not in actor.homeroom_class_ids:
            return None
        return f"{actor.name} không dạy (GVBM) lớp {info.name}"
    if role == "principal":
        return None if rights.allowed(actor, rights.APPROVE_AND_SIGN) else "chỉ Hiệu trưởng hoặc Phó hiệu trưởng được ủy quyền mới ký được"
    if role == "seal":
        return None if rights.allowed(actor, rights.SIGN_SEAL) else ("chỉ Hiệu trưởng, Phó hiệu trưởng hoặc văn thư giữ con dấu "
                                                                     "mới ký được bằng chứng thư của nhà trường")
    return f"vai trò ký «{role}» không hợp lệ"


# ---- content -------------------------------------------------------------------------------------


def content_xml(s: Session, enrolment_id: int, record: Record, place_of_issue: str | None,
                *, rows: RecordRows | None = None) -> bytes:
    """The content the signatures cover, as the database holds it now (deterministic bytes).
    `rows`: the record's rows read beforehand for the whole batch (records.prefetch_record_rows)."""
    # the XML writer (lxml, the XSD) loads with the first plan: the grid only asks stale_confirmation
    from ..exchange.record_xml import build_record_xml

    return build_record_xml(_content_data(s, enrolment_id, record, place_of_issue, rows))


def _content_data(s: Session, enrolment_id: int, record: Record, place_of_issue: str | None,
                  rows: RecordRows | None = None) -> RecordData:
    data = record_data(s, enrolment_id, record, rows=rows, with_signatures=False)
    return replace(data, signatures=(), status="1", valid_from=None, place_of_issue=place_of_issue or data.place_of_issue)


def content_unchanged(s: Session, enrolment_id: int, record: Record, place_of_issue: str | None,
                      *, rows: RecordRows | None = None) -> bool:
    """Is the frozen (already validated) content still what the database says? Skips the XSD pass:
    a byte-equal rebuild is the validated content, and a different one voids the signatures anyway."""
    from ..exchange.record_xml import record_xml_bytes

    frozen = record.content_xml
    return frozen is not None and record_xml_bytes(_content_data(s, enrolment_id, record, place_of_issue, rows)) == frozen


def reset_to_draft(s: Session, audit, record: Record, reason: str) -> None:  # noqa: ANN001 - Tx.audit
    """Void the partial signatures of a record not yet issued (the triggers refuse this once issued)."""
    sigs = list(s.execute(select(RecordSignature).where(RecordSignature.record_id == record.id)).scalars())
    for sig in sigs:
        s.delete(sig)
    s.flush()
    record.status = "draft"
    record.content_xml = None
    record.signed_xml = None
    record.status_reason = reason
    record.status_changed_at = local_now()
    audit("record.reset", "record", record.id,
          {"reason": reason, "voided": [{"seq": x.seq, "role": x.role, "cert_serial": x.cert_serial} for x in sigs]})


# ---- planning --------------------------------------------------------------------------------------


def _completeness(row: GridRow) -> tuple[str, str] | None:
    """(kind, reason) when the GVCN may not sign this record yet."""
    if row.proposal is not None and row.proposal.missing:
        missing = list(row.proposal.missing)
        more = f" và {len(missing) - 3} mục khác" if len(missing) > 3 else ""
        return "incomplete", "chưa đủ dữ liệu cuối năm: " + "; ".join(missing[:3]) + more
    if row.year.pending_supplementary or (row.year.confirmed_result == "CHT" and row.year.promoted is None):
        return "pending", "chưa hoàn thành (CHT), đang chờ đánh giá bổ sung: để lại, ký sau khi có kết quả"
    if not row.year.confirmed_result:
        if row.not_assessed:
            return "result", "học sinh được đánh giá theo kế hoạch giáo dục cá nhân: GVCN chưa nhập kết quả kèm lý do"
        return "result", "GVCN chưa xác nhận kết quả giáo dục cuối năm"
    if row.not_assessed and not row.year.change_reason.strip():
        # No computed proposal exists for such a pupil: the GVCN's reason is the only basis of the result.
        return "result", "học sinh được đánh giá theo kế hoạch giáo dục cá nhân: kết quả cần có lý do của GVCN"
    stale = stale_confirmation(row)
    if stale:
        return "stale", stale
    return None


def stale_confirmation(row: GridRow) -> str | None:
    """Why the confirmed result may not be signed: it was confirmed (without a reason) when the levels said
    so, and the levels changed since. Signing it would put in the record a result nobody decided; the GVCN
    re-confirms (the new proposal, or the old result with a reason) first."""
    p = row.proposal
    confirmed = row.year.confirmed_result
    if row.not_assessed or p is None or not p.result or not confirmed or row.year.change_reason.strip():
        return None
    if p.result == confirmed:
        return None
    return (f"Kết quả xác nhận ({confirmed}) khác đề xuất hiện tại ({p.result}): GVCN cần xác nhận lại "
            f"(chọn {p.result}, hoặc giữ {confirmed} và ghi lý do) trước khi ký")


def _gvbm_signers(s: Session, info: ClassInfo) -> dict[int, str]:
    homeroom = s.execute(select(SchoolClass.homeroom_id).where(SchoolClass.id == info.id)).scalar()
    rows = s.execute(
        select(Staff.id, Staff.full_name).join(TeachingAssignment, TeachingAssignment.staff_id == Staff.id)
        # staff who left are kept (the audit points at them) but sign nothing: never wait for them
        .where(TeachingAssignment.class_id == info.id, Staff.id != (homeroom or -1), Staff.active.is_(True))
    ).all()
    return dict(rows)


@dataclass
class _Pending:
    """Plan-time findings that need a write (content changed): applied in one short transaction."""

    record_id: int
    reason: str


def _plan_class(
    s: Session, info: ClassInfo, rows: tuple[GridRow, ...], role: str, staff_id: int, gvbm_on: bool,
    place: str | None, items: list[PlanItem], skipped: list[PlanNote], already: list[PlanNote],
    resets: list[_Pending], reset_notes: list[PlanNote],
) -> None:
    gvbm = _gvbm_signers(s, info) if gvbm_on else {}
    unlocked = set(s.execute(select(RecordUnlock.enrolment_id).where(RecordUnlock.active.is_(True))).scalars())
    # trích lục: the principal signs first, then the seal (signing/policy.py TRANSCRIBED_RULES)
    transcribed = set(s.execute(select(Transcription.enrolment_id).join(Enrolment, Enrolment.id == Transcription.enrolment_id)
                                .where(Enrolment.class_id == info.id)).scalars())
    now = local_now()
    # What every record of the class needs, read for the whole class at once (not ~15 queries a record).
    ids = [row.enrolment_id for row in rows]
    latest, sigs_of = _records_and_signatures(s, ids)
    data_rows = prefetch_record_rows(s, ids)
    for row in rows:
        note = lambda kind, reason: PlanNote(row.enrolment_id, row.full_name, info.name, reason, kind)  # noqa: E731
        rec = latest.get(row.enrolment_id)
        sigs = [] if rec is None else sigs_of.get(rec.id, [])
        mine = [x for x in sigs if x.role == role and (role != "gvbm" or x.staff_id == staff_id)]
        if rec is not None and rec.status == "withdrawn":
            skipped.append(note("withdrawn", "học bạ đã thu hồi"))
            continue
        paper = row.enrolment_id in transcribed
        if paper and role in ("gvbm", "gvcn"):
            skipped.append(note("order", "trích lục từ học bạ giấy: chỉ Hiệu trưởng ký và con dấu nhà trường, "
                                         "không có chữ ký giáo viên"))
            continue
        if mine and (rec is None or rec.status != "draft"):
            already.append(note("already", f"{ROLE_TITLES[role]} đã ký"))
            continue
        if rec is not None and rec.status in ("issued", "replaced"):
            if rec.status == "issued" and row.enrolment_id in unlocked:
                skipped.append(note("issued", "học bạ đang mở khoá để đính chính: ký bản mới sau khi đính chính xong"))
            else:
                skipped.append(note("issued", "học bạ đã phát hành"))
            continue
        signing = rec is not None and rec.status == "signing" and bool(sigs)
        if signing:
            assert rec is not None and rec.content_xml is not None
            try:
                unchanged = content_unchanged(s, row.enrolment_id, rec, place, rows=data_rows.get(row.enrolment_id))
            except HocbasoError as e:
                skipped.append(note("incomplete", f"không dựng được nội dung học bạ: {e.message}"))
                continue
            if not unchanged:
                reason = ("nội dung học bạ đã thay đổi sau khi "
                          + ", ".join(ROLE_TITLES[x.role] for x in sigs)
                          + " ký: các chữ ký đó bị huỷ, học bạ trở về bản nháp và phải ký lại từ đầu")
                resets.append(_Pending(rec.id, reason))
                reset_notes.append(note("reset", reason))
                signing = False
                sigs = []
        roles_on = {x.role for x in sigs}
        gvbm_done = {x.staff_id for x in sigs if x.role == "gvbm"}
        # order and completeness
        if (role in ("gvbm", "gvcn") or (paper and role == "principal")) and not signing:
            problem = _completeness(row)
            if problem:
                skipped.append(note(*problem))
                continue
        if role == "gvbm" and staff_id not in gvbm:
            skipped.append(note("order", "không dạy lớp này"))
            continue
        if role == "gvbm" and "gvcn" in roles_on:
            skipped.append(note("order", "GVCN đã ký: chữ ký GVBM phải có trước chữ ký GVCN"))
            continue
        if role == "gvcn" and gvbm_on:
            waiting = [name for sid, name in gvbm.items() if sid not in gvbm_done]
            if waiting:
                skipped.append(note("order", "còn chờ GVBM ký: " + ", ".join(sorted(waiting))))
                continue
        if role == "principal" and "gvcn" not in roles_on and not paper:
            skipped.append(note("order", "GVCN chưa ký"))
            continue
        if role == "seal" and "principal" not in roles_on:
            skipped.append(note("order", "Hiệu trưởng chưa ký" if "gvcn" in roles_on or paper else "GVCN và Hiệu trưởng chưa ký"))
            continue
        if signing:
            assert rec is not None and rec.signed_xml is not None and rec.content_xml is not None
            items.append(PlanItem(row.enrolment_id, rec.id, row.full_name, info.name, len(sigs) + 1, rec.version,
                                  rec.created_at, sha256_hex(rec.content_xml), rec.signed_xml, role == "seal"))
            continue
        # first signature: freeze the content now (no record at all yet: version 1)
        version = rec.version if rec is not None else 1
        created = rec.created_at if rec is not None else now
        probe = rec if rec is not None else Record(enrolment_id=row.enrolment_id, version=version, status="signing",
                                                   created_at=created)
        try:
            xml = content_xml(s, row.enrolment_id, probe, place, rows=data_rows.get(row.enrolment_id))
        except HocbasoError as e:
            skipped.append(note("incomplete", f"không dựng được nội dung học bạ: {e.message}"))
            continue
        items.append(PlanItem(row.enrolment_id, rec.id if rec is not None else None, row.full_name, info.name, 1,
                              version, created, sha256_hex(xml), xml, role == "seal"))


def _records_and_signatures(s: Session, enrolment_ids: list[int]) -> tuple[dict[int, Record], dict[int, list[RecordSignature]]]:
    """Each enrolment's latest record version (as records.latest_record) and each such record's
    signatures in order: two queries for a class."""
    latest: dict[int, Record] = {}
    if not enrolment_ids:
        return latest, {}
    for rec in s.execute(select(Record).where(Record.enrolment_id.in_(enrolment_ids))
                         .order_by(Record.enrolment_id, Record.version.desc(), Record.id.desc())).scalars():
        latest.setdefault(rec.enrolment_id, rec)
    sigs: dict[int, list[RecordSignature]] = {}
    ids = [r.id for r in latest.values()]
    if ids:
        for sig in s.execute(select(RecordSignature).where(RecordSignature.record_id.in_(ids))
                             .order_by(RecordSignature.record_id, RecordSignature.seq)).scalars():
            sigs.setdefault(sig.record_id, []).append(sig)
    return latest, sigs


def plan_signing(store: Store, actor: Actor, class_ids: list[int], role: str | None = None, *, seal: bool = False) -> SigningPlan:
    """Plan one batch over `class_ids` (in the given order). Voids (in one audited transaction)
    the partial signatures of records whose content changed since they were signed."""
    conf = settings_service.signing_settings(store)
    infos = [class_by_id(store, cid) for cid in class_ids]
    role = role or infer_role(actor, seal=seal, gvbm_signs=conf.gvbm_signs, class_ids=frozenset(class_ids))
    if role not in ROLE_ORDER:
        raise PermissionDenied("ký học bạ", "GVBM, GVCN, Hiệu trưởng hoặc con dấu")
    if role == "gvbm" and not conf.gvbm_signs:
        raise HocbasoError("Trường không dùng chữ ký GVBM trên học bạ (cài đặt «GVBM ký phần môn mình dạy trước GVCN» "
                           "đang tắt: bật trong Cài đặt › Ký số hoặc bằng lệnh «hocbaso settings set gvbm-signs on --as MÃ»).")
    for info in infos:
        refusal = may_sign_class(actor, role, info)
        if refusal:
            raise PermissionDenied(f"ký học bạ lớp {info.name} với vai trò {ROLE_TITLES[role]}", refusal)
    with store.read() as s:
        staff_id = s.execute(select(Staff.id).where(func.upper(Staff.code) == actor.code.upper())).scalar()
    if staff_id is None:
        raise PermissionDenied("ký học bạ", "một cán bộ có trong danh sách cán bộ")
    if role == "principal":
        refusal = signing_refusal(board_signer(store), staff_id)
        if refusal:
            raise HocbasoError(f"Không ký được với vai trò {ROLE_TITLES[role]}: {refusal}.")
    items: list[PlanItem] = []
    skipped: list[PlanNote] = []
    already: list[PlanNote] = []
    resets: list[_Pending] = []
    reset_notes: list[PlanNote] = []
    for info in infos:
        rows = load_grid(store, info.id, FINAL_PERIOD, info=info).rows  # its own read: never nested
        with store.read() as s:
            _plan_class(s, info, rows, role, staff_id, conf.gvbm_signs, conf.place_of_issue, items, skipped,
                        already, resets, reset_notes)
    if resets:
        with store.transaction(actor.code) as tx:
            for p in resets:
                rec = tx.session.get(Record, p.record_id)
                if rec is not None and rec.status == "signing":
                    reset_to_draft(tx.session, tx.audit, rec, p.reason)
        # A GVCN can sign the fresh content in this same batch: plan once more for those records.
        if role in ("gvbm", "gvcn"):
            again = plan_signing(store, actor, class_ids, role)
            return replace(again, resets=tuple(reset_notes))
    return SigningPlan(role, actor.code, actor.name, staff_id, tuple(i.name for i in infos), tuple(items),
                       tuple(skipped), tuple(already), tuple(reset_notes), audit_head(store))


def audit_head(store: Store) -> int:
    from ..storage.models import AuditEntry

    with store.read() as s:
        return s.execute(select(func.max(AuditEntry.id))).scalar() or 0


# ---- what the grid shows -------------------------------------------------------------------------


def issued_enrolments(store: Store, class_id: int) -> set[int]:
    """Enrolments of the class whose record is issued and not opened for a correction: the grid
    shows their cells read-only and marked (the database refuses their changes anyway)."""
    from ..storage.models import Enrolment

    with store.read() as s:
        rows = s.execute(
            select(Record.enrolment_id)
            .join(Enrolment, Record.enrolment_id == Enrolment.id)
            .where(Enrolment.class_id == class_id, Record.status == "issued")
        ).scalars().all()
        unlocked = set(s.execute(select(RecordUnlock.enrolment_id).where(RecordUnlock.active.is_(True))).scalars())
    return set(rows) - unlocked
