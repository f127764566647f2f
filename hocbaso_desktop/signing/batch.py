"""Batch signing: one login, one PIN, many records; progress, cancel, resumable.

A generator, so the caller decides what happens between records: the service stores each signed
record (signature + outbox row in one transaction) while the next record is being signed. A pulled
token stops the batch with TokenRemoved after the last completed record: nothing half-signed is ever
yielded.

One record ahead: while the caller stores record i (its durable commit waits on the disk), the token
lane already builds record i+1's signature and the token signs it (both the token's C call and the
disk wait release the GIL). So a slow token, not the software, sets the pace. Each record is
still signed in order and stored in its own transaction; a signature made ahead is only ever held
in memory, and dropped unseen when the batch is cancelled or the caller stops reading.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator, Sequence

from ..domain.errors import HocbasoError
from ..domain.progress import CancelToken
from .certs import check_certificate_usable, common_name
from .errors import CertificateNotFound, CertificateUnusable, TokenError
from .info import CertificateInfo
from .keys import TokenRsaKey
from .lane import TokenLane
from .prompt import PinPrompt
from .session import TokenSession
from .token import Pkcs11Provider
from .xml_signature import sign_record


@dataclass(frozen=True)
class SignJob:
    ref: str  # the caller's key for the record (e.g. its database id or lookup code)
    label: str  # shown in the progress dialog (e.g. the student's name)
    xml: bytes


@dataclass(frozen=True)
class SignOutcome:
    ref: str
    label: str
    signed_xml: bytes | None  # None when this record could not be signed
    error: str | None = None  # Vietnamese reason, for the "could not be signed" list
    signing_time: datetime | None = None  # the XAdES SigningTime written into this signature (UTC)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    label: str
    outcome: SignOutcome | None = None


@dataclass(frozen=True)
class SignerChoice:
    """Which token and certificate to sign with; `cert_id=None` means the token's only signing cert."""

    token_label: str | None = None
    token_serial: str | None = None
    cert_id: bytes | None = None


def choose_certificate(session: TokenSession, cert_id: bytes | None) -> CertificateInfo:
    candidates = session.signing_certificates()
    if cert_id is not None:
        for c in candidates:
            if c.cert_id == cert_id:
                return c
        raise CertificateNotFound(f"không có chứng thư mã {cert_id.hex()} kèm khoá riêng trên thiết bị ký số")
    if not candidates:
        raise CertificateNotFound("thiết bị ký số không có chứng thư nào kèm khoá riêng")
    if len(candidates) > 1:
        names = ", ".join(c.common_name for c in candidates)
        raise CertificateNotFound(f"thiết bị ký số có nhiều chứng thư ({names}): hãy chọn một")
    return candidates[0]


def sign_batch(
    provider: Pkcs11Provider,
    choice: SignerChoice,
    jobs: Sequence[SignJob],
    role: str,
    prompt: PinPrompt,
    cancel: CancelToken | None = None,
    *,
    signing_time: Callable[[], datetime] | None = None,
    on_ready: Callable[[TokenSession, CertificateInfo, TokenRsaKey], None] | None = None,
) -> Iterator[Progress]:
    """Sign `jobs` in order with one login; yield Progress after each record.

    Raises before the first record (PIN wrong/locked/cancelled, no usable certificate) and
    TokenRemoved mid-batch; per-record problems (malformed XML, content changed since an earlier
    signature) become an outcome with `error` and the batch goes on. `on_ready` lets the caller
    inspect the chosen certificate before the first record (e.g. warn when its name is not the
    acting staff member's) and the key (the benchmark reads its `token_seconds`).
    """
    cancel = cancel or CancelToken()
    total = len(jobs)
    if total == 0 or cancel.cancelled:
        return
    with provider.open_session(choice.token_label, choice.token_serial, prompt=prompt) as session:
        cert_info = choose_certificate(session, choice.cert_id)
        cert = cert_info.certificate()
        usable = check_certificate_usable(cert)
        if not usable.ok:
            raise CertificateUnusable(common_name(cert), list(usable.problems))
        key = session.signing_key(cert_info)
        if on_ready is not None:
            on_ready(session, cert_info, key)
        chain = session.chain_for(cert)

        def sign_one(job: SignJob) -> SignOutcome:
            when = (signing_time() if signing_time else datetime.now(timezone.utc)).replace(microsecond=0)
            try:
                signed = sign_record(job.xml, key, chain, role, when)
            except TokenError:
                raise  # the token itself failed (pulled, lost login): stop after the last complete record
            except HocbasoError as e:
                return SignOutcome(job.ref, job.label, None, e.message)
            return SignOutcome(job.ref, job.label, signed, signing_time=when)

        # The record ahead is signed ON the token lane: the key's C_Sign then runs inline there
        # instead of being handed from one thread to another (~1.7 ms a signature on a busy PC).
        # Whatever ends the batch, the session is closed by a call queued on the same lane, so only
        # after the record signed ahead is done with the token.
        lane = provider.lane
        pending: Future[SignOutcome] | None = _submit(lane, sign_one, jobs[0])
        for done, job in enumerate(jobs):
            if pending is None or cancel.cancelled:
                return
            outcome = pending.result()  # TokenError: records before this one are stored already
            pending = _submit(lane, sign_one, jobs[done + 1]) if done + 1 < total and not cancel.cancelled else None
            yield Progress(done + 1, total, job.label, outcome)


def _submit(lane: TokenLane, fn: Callable[[SignJob], SignOutcome], job: SignJob) -> Future[SignOutcome]:
    if not lane.on_lane():
        return lane.submit(fn, job)
    done: Future[SignOutcome] = Future()  # called from the lane itself: run now (waiting would deadlock)
    try:
        done.set_result(fn(job))
    except BaseException as e:
        done.set_exception(e)
    return done
