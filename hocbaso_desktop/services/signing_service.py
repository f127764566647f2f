"""Signing a planned batch with the token: one login, one PIN; each signature stored with its record
in one transaction; the last required signature (the seal) issues the record.

Runs on whatever thread the caller chooses (the GUI: a worker thread; the CLI: the main thread);
every PKCS#11 call still goes through the token lane. A generator: the caller sees each record as
it is stored, and Cancel (a CancelToken) takes effect between records.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING, Callable, Iterator, cast

from sqlalchemy import LargeBinary, Table, bindparam, func, insert, select, update

from ..domain.errors import HocbasoError
from ..signing import (
    CancelToken,
    CertificateInfo,
    CertificateNotFound,
    CertificateUnusable,
    PinPrompt,
    Pkcs11Provider,
    SignerChoice,
    SignJob,
    TokenError,
    TokenInfo,
    check_certificate_usable,
    name_matches,
    owner_warning,
    sign_batch,
)
from ..signing.certs import common_name
from ..signing.policy import is_organisation_certificate  # noqa: F401 - the rule lives in signing/policy.py
from ..storage.engine import Store, Tx
from ..storage.models import AuditEntry, Enrolment, Record, RecordSignature, School
from ..sync.outbox import enqueue_issued
from . import settings as settings_service
from .certificates import CertificateNotRegistered, require_registered
from .corrections import on_version_issued
from .issue_copies import IssueCopies
from .signing_plan import VN_TZ, PlanItem, SigningPlan, content_xml, local_now, reset_to_draft, sha256_hex

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # annotations only
    from cryptography import x509

    from ..signing.chain_head import SignedHead

# The statements of SigningRun._store_signature, built once (portable SQL: SQLite and PostgreSQL).
_REC = cast(Table, Record.__table__)
_SIG = cast(Table, RecordSignature.__table__)
_HEAD = select(func.max(AuditEntry.id))
_TAKEN = select(func.count()).select_from(_REC).where(
    _REC.c.enrolment_id == bindparam("p_enrolment"), _REC.c.version == bindparam("p_version"))
_ENROLMENT = Enrolment.__table__.c
_NEW_RECORD = insert(_REC).values(
    enrolment_id=bindparam("p_enrolment"),
    student_id=select(_ENROLMENT.student_id).where(_ENROLMENT.id == bindparam("p_enrolment")).scalar_subquery(),
    year_id=select(_ENROLMENT.year_id).where(_ENROLMENT.id == bindparam("p_enrolment")).scalar_subquery(),
    version=bindparam("p_version"), status="signing", created_at=bindparam("p_created"), status_reason="",
    content_xml=bindparam("p_content"), signed_xml=bindparam("p_signed"),
).returning(_REC.c.id)
_RECORD_STATE = select(  # the signed bytes are compared in the database, not loaded
    _REC.c.status, _REC.c.content_xml, _REC.c.signed_xml == bindparam("p_xml", type_=LargeBinary),
    select(func.count()).select_from(_SIG).where(_SIG.c.record_id == _REC.c.id).scalar_subquery(),
).where(_REC.c.id == bindparam("p_id"))
_SIGNED = update(_REC).where(_REC.c.id == bindparam("p_id")).values(
    status="signing", signed_xml=bindparam("p_signed"), status_reason="")
_FREEZE = _SIGNED.values(content_xml=bindparam("p_content"))
_NEW_SIGNATURE = insert(_SIG)


# ---- which certificate ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CertificateChoice:
    token: TokenInfo
    certificate: CertificateInfo
    warnings: tuple[str, ...]

    @property
    def signer(self) -> SignerChoice:
        return SignerChoice(self.token.label, self.token.serial, self.certificate.cert_id)


def school_name(store: Store) -> str:
    with store.read() as s:
        return s.execute(select(School.name).order_by(School.id)).scalar() or ""


def choose_certificate(
    provider: Pkcs11Provider, token_label: str | None, role: str, actor_name: str, school: str,
    *, at: datetime | None = None,
) -> CertificateChoice:
    """Pick the signing certificate before asking for the PIN (certificates are public objects).

    A personal role takes a person's certificate, preferably the one in the acting staff member's
    name; the seal takes the school's organisation certificate. Refuses expired or non-signing
    certificates. A name mismatch is only a warning HERE: SigningRun then refuses any certificate
    not registered to the signer (services/certificates.py), before the PIN is asked.
    """
    token = provider.find_token(token_label)
    certs = [c for c in provider.list_certificates(token.label, token.serial) if c.has_private_key and not c.is_ca]
    if not certs:
        raise CertificateNotFound(f"thiết bị ký số «{token.label}» không có chứng thư nào kèm khoá riêng")
    parsed = [(c, c.certificate()) for c in certs]
    if role == "seal":
        pool = [(c, x) for c, x in parsed if is_organisation_certificate(x, school)]
        if not pool:
            raise CertificateNotFound(
                f"thiết bị ký số «{token.label}» không có chứng thư số của tổ chức (con dấu nhà trường): "
                "chứng thư cá nhân không dùng để đóng dấu")
        named = [(c, x) for c, x in pool if name_matches(x, school)]
        target = school
    else:
        pool = [(c, x) for c, x in parsed if not is_organisation_certificate(x, school)]
        if not pool:
            raise CertificateNotFound(f"thiết bị ký số «{token.label}» chỉ có chứng thư của tổ chức, không có chứng thư cá nhân")
        named = [(c, x) for c, x in pool if name_matches(x, actor_name)]
        target = actor_name
    if len(named) == 1:
        chosen = named[0]
    elif len(pool) == 1:
        chosen = pool[0]
    else:
        names = ", ".join(sorted(c.common_name for c, _ in pool))
        raise CertificateNotFound(f"thiết bị ký số «{token.label}» có nhiều chứng thư ({names}) và không có chứng thư nào "
                                  f"mang tên «{target}»: hãy cắm đúng thiết bị ký số")
    info, cert = chosen
    usable = check_certificate_usable(cert, at)
    if not usable.ok:
        raise CertificateUnusable(common_name(cert), list(usable.problems))
    warnings = [w for w in [owner_warning(cert, target)] if w]
    return CertificateChoice(token, info, tuple(warnings))


# ---- the batch -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordOutcome:
    enrolment_id: int
    student_name: str
    class_name: str
    ok: bool
    message: str  # Vietnamese: what happened, or why it could not be signed
    issued: bool = False
    record_id: int | None = None


@dataclass(frozen=True)
class SignProgress:
    done: int
    total: int
    label: str
    outcome: RecordOutcome | None = None


class SigningRun:
    """Iterate to sign; afterwards `outcomes`, `stopped` (a token error after some records) and
    `cancelled` tell what happened. Errors before the first record (PIN wrong, locked or cancelled,
    no certificate) are raised: nothing was signed."""

    def __init__(
        self, store: Store, plan: SigningPlan, provider: Pkcs11Provider, choice: CertificateChoice,
        prompt: PinPrompt, cancel: CancelToken | None = None,
    ) -> None:
        self.store = store
        self.plan = plan
        self.provider = provider
        self.choice = choice
        self.prompt = prompt
        self.cancel = cancel or CancelToken()
        self.outcomes: list[RecordOutcome] = []
        self.stopped: str | None = None
        self.cancelled = False
        self._place = settings_service.signing_settings(store).place_of_issue
        self.store_seconds = 0.0  # time spent storing (the benchmark reports it)
        # Fast path of the storing step's content check: every change made through the program is
        # audited, so while the audit log grew only by this batch's own entries since the plan (whose
        # checks rebuilt every content), nothing can have changed; anything else → full rebuild, and
        # for the rest of the batch (a foreign change may touch any record).
        self._audit_mark = plan.audit_seq
        self._foreign_change = False
        self._key: object | None = None  # the token key of this batch (its token_seconds: time inside the token)
        self._chain: list[x509.Certificate] = []  # the key's certificate and its issuers (signed audit heads)
        self._issued: tuple[int, bytes, date | None, str] | None = None  # the record the last _store issued, its hash
        self.copies: IssueCopies | None = None  # the seal's paper copies (stored, problems)
        self.loop_ended_at = 0.0  # perf_counter() when the last record was stored (copies may still be rendering)

    @property
    def token_seconds(self) -> float:
        return float(getattr(self._key, "token_seconds", 0.0))

    @property
    def signed(self) -> list[RecordOutcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def failed(self) -> list[RecordOutcome]:
        return [o for o in self.outcomes if not o.ok]

    def _ready(self, session: object, cert: CertificateInfo, key: object) -> None:
        # The certificate the token signs with must be the one checked against the registrations.
        if cert.der != self.choice.certificate.der:
            raise CertificateNotRegistered("ký học bạ", "chứng thư trên thiết bị ký số khác chứng thư đã kiểm tra")
        self._key = key
        if self.plan.role == "seal":  # the seal also signs the audit head: keep its chain at hand
            self._chain = list(session.chain_for(cert.certificate()))  # type: ignore[attr-defined]

    def _sign_audit_head(self, tx: object) -> SignedHead:
        """The seal that issues signs the audit chain's head, in the issue's own transaction: no
        issued record without a signed head after it (services/audit_heads.py). A failure here
        rolls the issue back; the record can be sealed again."""
        from .audit_heads import sign_head

        cert = getattr(self._key, "certificate", None) or self.choice.certificate.certificate()
        if self._key is None or cert is None:
            raise HocbasoError("không có khoá con dấu để ký đầu chuỗi nhật ký")
        return sign_head(tx, self._key, cert, self._chain)

    def _check_registered(self) -> None:
        """Refuse a certificate not registered to the signer (the seal: to the school); register it
        at its first use by its holder. Before the PIN: nothing is signed when refused."""
        plan = self.plan
        with self.store.read() as s:
            head = s.execute(select(func.max(AuditEntry.id))).scalar() or 0
        if require_registered(self.store, plan.actor_code, plan.staff_id, plan.role, self.choice.certificate.certificate()):
            if head == self._audit_mark:  # our own registration entry is no foreign change
                with self.store.read() as s:
                    self._audit_mark = s.execute(select(func.max(AuditEntry.id))).scalar() or 0

    def __iter__(self) -> Iterator[SignProgress]:
        items = self.plan.items
        jobs = [SignJob(str(i), item.label, item.xml) for i, item in enumerate(items)]
        total = len(jobs)
        done = 0
        if jobs:
            self._check_registered()
        # The seal's paper copies render in worker processes while the token signs on (issue_copies.py).
        issuing = sum(1 for item in items if item.issues)
        copies = self.copies = IssueCopies(self.store, self.plan.actor_code, issuing) if issuing else None
        try:
            if copies is not None:
                copies.start()
            for p in sign_batch(self.provider, self.choice.signer, jobs, self.plan.role, self.prompt, self.cancel,
                                on_ready=self._ready):
                assert p.outcome is not None
                item = items[int(p.outcome.ref)]
                if p.outcome.signed_xml is None:
                    outcome = RecordOutcome(item.enrolment_id, item.student_name, item.class_name, False,
                                            p.outcome.error or "không ký được")
                else:
                    outcome = self._store(item, p.outcome.signed_xml, p.outcome.signing_time)
                    if copies is not None and outcome.issued and self._issued is not None:
                        copies.add(*self._issued)
                self.outcomes.append(outcome)
                done = p.done
                if copies is not None and copies.store_ready():
                    self._after_copies(copies)
                yield SignProgress(done, total, item.label, outcome)
        except TokenError as e:
            if done == 0:
                raise  # nothing signed: PIN wrong/locked/cancelled, token missing — the caller says so
            self.stopped = e.message  # pulled mid-batch: what was stored stays stored
        finally:
            self.loop_ended_at = time.perf_counter()
            if copies is not None and (self.cancel.cancelled or sys.exc_info()[0] is not None):
                copies.close()  # cancelled or failing: what is not stored yet waits for the next batch / export
        self.cancelled = self.cancel.cancelled and done < total
        if copies is not None and not self.cancel.cancelled:
            # This batch's copies, and those an earlier batch left (a crash, a cancel): a progress step
            # each time some are stored, with no outcome (the records themselves are all reported).
            copies.heal()
            steps = copies.drain()
            try:
                for stored, queued in steps:
                    if self.cancel.cancelled:
                        break  # the rest is left to the next seal batch or the export
                    yield SignProgress(stored, queued, f"Lưu bản giấy {stored}/{queued}")
            finally:
                steps.close()  # stops the workers, whether the caller read to the end or not

    def _after_copies(self, copies: IssueCopies) -> None:
        # The copies' entries follow our last store with nothing between (their transaction read the
        # head under its write lock): no foreign change, the content check's fast path stays.
        span = copies.last_span
        if span is not None and span[0] == self._audit_mark:
            self._audit_mark = span[1]

    def _store(self, item: PlanItem, signed_xml: bytes, signed_at: datetime | None = None) -> RecordOutcome:
        self._issued = None
        start = time.perf_counter()
        try:
            return self._store_tx(item, signed_xml, signed_at)
        except HocbasoError as e:
            return RecordOutcome(item.enrolment_id, item.student_name, item.class_name, False, e.message)
        except Exception as e:  # noqa: BLE001 - a database refusal (trigger) must not end the batch silently
            log.exception("Không lưu được chữ ký của học bạ (enrolment %s)", item.enrolment_id)  # the why, for support
            return RecordOutcome(item.enrolment_id, item.student_name, item.class_name, False,
                                 f"không lưu được chữ ký: {e}")
        finally:
            self.store_seconds += time.perf_counter() - start

    def _store_signature(
        self, tx: Tx, item: PlanItem, signed_xml: bytes, signed_sha: str, when: datetime,
        fail: Callable[[str], RecordOutcome],
    ) -> tuple[RecordOutcome, int] | None:
        """A signature that does not issue, while nothing but this batch has written since the plan:
        in Core statements (the record's blobs are compared in the database, not loaded to be
        compared here). Returns the outcome and the audit head after it, or None when the full path
        must decide (a foreign change: rebuild the content; the content moved: reset) — nothing
        is written then. Same checks and rows as the full path below."""
        plan, cert = self.plan, self.choice.certificate
        c = tx.session.connection()  # the transaction's own connection: Core, no ORM layer to go through
        head = c.execute(_HEAD).scalar() or 0
        if self._foreign_change or head != self._audit_mark:
            return None
        if item.record_id is None:
            if c.execute(_TAKEN, {"p_enrolment": item.enrolment_id, "p_version": item.version}).scalar():
                return fail("học bạ vừa được người khác ký trong lúc đợt ký đang chạy: hãy ký lại"), head
            # The first signature's content is the plan's own bytes: their hash is item.content_sha.
            record_id = c.execute(_NEW_RECORD, {
                "p_enrolment": item.enrolment_id, "p_version": item.version, "p_created": item.created_at,
                "p_content": item.xml, "p_signed": signed_xml}).scalar_one()
        else:
            record_id = item.record_id
            row = c.execute(_RECORD_STATE, {"p_id": record_id, "p_xml": item.xml}).one_or_none()
            if row is None:
                return fail("học bạ không còn trong cơ sở dữ liệu"), head
            status, content, same_bytes, signatures = row
            if status not in ("draft", "signing") or signatures != item.seq - 1 or (item.seq > 1 and not same_bytes):
                return fail("học bạ đã thay đổi trạng thái trong lúc ký (có người khác vừa ký hoặc sửa): hãy ký lại"), head
            if item.seq > 1 and sha256_hex(content or b"") != item.content_sha:
                return None  # the frozen content moved: the full path resets the record
            if item.seq == 1:
                c.execute(_FREEZE, {"p_id": record_id, "p_signed": signed_xml, "p_content": item.xml})
            else:
                c.execute(_SIGNED, {"p_id": record_id, "p_signed": signed_xml})
        # the signature row goes in while the record is "signing" (triggers)
        c.execute(_NEW_SIGNATURE, {
            "record_id": record_id, "seq": item.seq, "role": plan.role, "staff_id": plan.staff_id,
            "signer_name": cert.common_name, "cert_subject": cert.subject[:400], "cert_serial": cert.serial_hex,
            "signed_at": when})
        tx.audit("record.sign", "record", record_id, {
            "enrolment_id": item.enrolment_id, "seq": item.seq, "role": plan.role, "staff": plan.actor_code,
            "cert_serial": cert.serial_hex, "cert_subject": cert.subject, "sha256": signed_sha,
        })
        assert tx.head is not None
        outcome = RecordOutcome(item.enrolment_id, item.student_name, item.class_name, True,
                                f"đã ký ({plan.role_title})", False, record_id)
        return outcome, tx.head[0]

    def _store_tx(self, item: PlanItem, signed_xml: bytes, signed_at: datetime | None) -> RecordOutcome:
        plan, cert = self.plan, self.choice.certificate
        fail = lambda msg: RecordOutcome(item.enrolment_id, item.student_name, item.class_name, False, msg, False,  # noqa: E731
                                         item.record_id)
        # The time the XAdES SigningTime says (the batch signs one record ahead: not "the last one")
        when = (signed_at or datetime.now(timezone.utc)).astimezone(VN_TZ).replace(tzinfo=None)
        signed_sha = sha256_hex(signed_xml)
        if not item.issues:
            with self.store.transaction(plan.actor_code) as tx:
                quick = self._store_signature(tx, item, signed_xml, signed_sha, when, fail)
            if quick is not None:
                outcome, mark = quick
                if outcome.ok:
                    self._audit_mark = mark
                return outcome
        with self.store.transaction(plan.actor_code) as tx:
            s = tx.session
            now = local_now()
            if item.record_id is None:
                taken = s.execute(select(func.count()).select_from(Record).where(
                    Record.enrolment_id == item.enrolment_id, Record.version == item.version)).scalar()
                if taken:
                    return fail("học bạ vừa được người khác ký trong lúc đợt ký đang chạy: hãy ký lại")
                rec = Record(enrolment_id=item.enrolment_id, student_id=0, year_id=0, version=item.version,
                             status="draft", created_at=item.created_at, status_reason="")
                enrol = s.get_one(Enrolment, item.enrolment_id)
                rec.student_id, rec.year_id = enrol.student_id, enrol.year_id
                sigs: list[RecordSignature] = []
            else:
                stored = s.get(Record, item.record_id)
                if stored is None:
                    return fail("học bạ không còn trong cơ sở dữ liệu")
                rec = stored
                sigs = list(s.execute(select(RecordSignature).where(RecordSignature.record_id == rec.id)).scalars())
                expected = rec.signed_xml if item.seq > 1 else None
                if rec.status not in ("draft", "signing") or len(sigs) != item.seq - 1 or (
                        item.seq > 1 and (expected is None or bytes(expected) != item.xml)):  # the bytes signed so far
                    return fail("học bạ đã thay đổi trạng thái trong lúc ký (có người khác vừa ký hoặc sửa): hãy ký lại")
            # The content must still be what the database says now (an edit may have landed meanwhile).
            head = s.execute(select(func.max(AuditEntry.id))).scalar() or 0
            if self._foreign_change or head != self._audit_mark:
                self._foreign_change = True
                current = content_xml(s, item.enrolment_id, rec, self._place)
            else:
                current = item.xml if item.seq == 1 else (rec.content_xml or b"")
            if sha256_hex(current) != item.content_sha:
                if sigs:
                    reason = "nội dung học bạ đã thay đổi trong lúc ký: các chữ ký trước bị huỷ, học bạ trở về bản nháp"
                    reset_to_draft(s, tx.audit, rec, reason)
                    return fail(reason)
                return fail("nội dung học bạ vừa thay đổi trong lúc ký: chữ ký này không được lưu, hãy ký lại")
            if item.seq == 1:
                rec.content_xml = current
                if rec.id is None:
                    s.add(rec)
            rec.status = "signing"
            rec.signed_xml = signed_xml
            rec.status_reason = ""
            s.flush()
            sig = RecordSignature(record_id=rec.id, seq=item.seq, role=plan.role, staff_id=plan.staff_id,
                                  signer_name=cert.common_name, cert_subject=cert.subject[:400],
                                  cert_serial=cert.serial_hex, signed_at=when)
            s.add(sig)
            s.flush()  # the signature row goes in while the record is still "signing" (triggers)
            tx.audit("record.sign", "record", rec.id, {
                "enrolment_id": item.enrolment_id, "seq": item.seq, "role": plan.role, "staff": plan.actor_code,
                "cert_serial": cert.serial_hex, "cert_subject": cert.subject, "sha256": signed_sha,
            })
            issued = False
            if item.issues:
                rec.status = "issued"
                rec.sha256 = signed_sha
                rec.issued_at = now
                rec.valid_from = when.date()  # ngày hiệu lực = the issue date (the seal's signing day, VN time)
                rec.status_changed_at = now
                s.flush()
                tx.audit("record.issue", "record", rec.id, {
                    "enrolment_id": item.enrolment_id, "version": rec.version, "sha256": rec.sha256,
                    "valid_from": rec.valid_from.isoformat(),
                })
                # A correction's new version: the old one becomes "replaced", the request applied and
                # the record's opening closed, in this same transaction (never one without the other).
                on_version_issued(s, tx.audit, rec)
                signed_head = self._sign_audit_head(tx)
                # The upload package, in this same transaction (reliability.md: no signed record misses
                # its upload, no upload exists for an unsigned record): NEW for version 1, UPDATE after.
                # Queued after the head is signed: the package carries the head covering this issue.
                enqueue_issued(s, rec, head=signed_head)
                issued = True
                # Its paper copy is rendered from these signed bytes once they are committed (issue_copies.py).
                self._issued = (rec.id, signed_xml, rec.valid_from, signed_sha)
            record_id = rec.id
            # our own last entry is the head (one writer, write lock held): no need to read it again
            mark = tx.head[0] if tx.head is not None else (s.execute(select(func.max(AuditEntry.id))).scalar() or 0)
        self._audit_mark = mark
        message = "đã ký và phát hành" if issued else f"đã ký ({plan.role_title})"
        return RecordOutcome(item.enrolment_id, item.student_name, item.class_name, True, message, issued, record_id)
