"""Signed heads of the audit chain: checkpoints an insider with the database file cannot forge.

Anyone with the file can edit an entry and recompute every hash after it (and the sidecar anchor):
the chain alone then verifies again. So whenever the school's seal key is at hand (the seal batch
that issues records), the head (seq, hash) is signed with it and stored as an audit entry itself,
"audit.head_signed". A verifier checks each such entry: the chain up to `seq` must still hash to the
signed hash, the signature must verify, and the certificate must be a trusted organisation
certificate of the school. A rewritten chain fails at the first signed head after the edit; deleting
the signed heads leaves issues no signed head covers, which fails too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.errors import HocbasoError
from ..signing.chain_head import (
    HEAD_ACTION,
    ISSUE_ACTION,
    LOCK_ACTION,
    SEALED_ACTIONS,
    WITHDRAW_ACTION,
    HeadFormatError,
    SignedHead,
    head_message,
)
from ..signing.trust import TrustStore
from ..storage.models import AuditEntry, School


def current_head(session: Session) -> tuple[int, str]:
    session.flush()
    row = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    if row is None:
        raise ValueError("audit log is empty")
    return int(row[0]), str(row[1])


def record_signed_head(tx, key, cert: x509.Certificate, chain: list[x509.Certificate] | tuple = (),  # noqa: ANN001
                       *, after: str = ISSUE_ACTION) -> tuple[int, str]:
    """Sign the head as it stands in `tx` with the token key (RSA PKCS#1 v1.5, SHA-256) and append the
    signed head to the chain in that same transaction: a failure here rolls the issue (or lock) back.
    `after` only says, for a reader, what the head closes; it is not part of what is signed."""
    head = sign_head(tx, key, cert, chain, after=after)
    return head.seq, head.hash


def sign_head(tx, key, cert: x509.Certificate, chain: list[x509.Certificate] | tuple = (),  # noqa: ANN001
              *, after: str = ISSUE_ACTION) -> SignedHead:
    """record_signed_head, giving the signed head as its audit entry states it (with the entry's time):
    what the issue's upload package carries, without reading back and re-parsing the entry just written."""
    seq, head_hash = current_head(tx.session)
    signature = key.sign(head_message(seq, head_hash), padding.PKCS1v15(), hashes.SHA256())
    head = SignedHead(seq, head_hash, signature, cert, tuple(chain))
    tx.audit(HEAD_ACTION, "audit_log", seq, {**head.detail(), "after": after})
    entry = tx.session.get(AuditEntry, tx.head[0]) if tx.head is not None else None  # in the session: no query
    if entry is None or entry.action != HEAD_ACTION:
        raise HocbasoError("đầu chuỗi nhật ký vừa ký không có trong nhật ký")
    return SignedHead(seq, head_hash, signature, cert, tuple(c for c in chain if c != cert), signed_at=str(entry.at or ""))


class SealRequired(HocbasoError):
    """The act must be confirmed with the school's seal and no seal token was offered."""


@contextmanager
def seal_key(store, actor_code: str, seal, what: str) -> Iterator[tuple[rsa.RSAPrivateKey, x509.Certificate, list[x509.Certificate]]]:  # noqa: ANN001
    """The school's seal key for signing audit heads outside a signing batch (year lock): the same
    rules as every seal (services/archive_service.seal_bytes): an organisation certificate of the
    school, registered as its seal (first use by the person logged in registers it), PIN asked by
    `seal.prompt`. Yields (key, certificate, chain) while the token session is open."""
    from ..storage.models import Staff
    from .certificates import CertificateNotRegistered, require_registered
    from .signing_service import choose_certificate, school_name

    if seal is None:
        raise SealRequired(
            f"Cần con dấu của nhà trường để {what}: đầu chuỗi nhật ký được ký xác nhận bằng chứng thư số của "
            "tổ chức (con dấu). Hãy cắm thiết bị ký số chứa con dấu nhà trường và nhập mã PIN.")
    with store.read() as s:
        staff_id = s.execute(select(Staff.id).where(Staff.code == actor_code)).scalar()
    if staff_id is None:
        raise CertificateNotRegistered(what, f"«{actor_code}» không phải cán bộ của trường")
    choice = choose_certificate(seal.provider, seal.token_label, "seal", "", school_name(store))
    require_registered(store, actor_code, staff_id, "seal", choice.certificate.certificate())
    with seal.provider.open_session(choice.token.label, choice.token.serial, prompt=seal.prompt, attempts=3) as session:
        info = next(c for c in session.signing_certificates() if c.cert_id == choice.certificate.cert_id)
        cert = info.certificate()
        yield session.signing_key(info), cert, list(session.chain_for(cert))


@dataclass(frozen=True)
class HeadsReport:
    ok: bool
    checked: int  # signed heads that verified
    covered: int  # highest seq a verified signed head vouches for (0: none)
    entry: int | None = None  # the signed-head entry (or the uncovered issue) that failed
    reason: str = ""


def _school(session: Session) -> str:
    return session.execute(select(School.name).order_by(School.id)).scalar() or ""


def verify_heads(session: Session, trust: TrustStore, school: str | None = None) -> HeadsReport:
    """Check every signed head (call after the chain itself verified: its links are then sound)."""
    school = _school(session) if school is None else school
    checked = covered = 0
    heads = session.execute(select(AuditEntry).where(AuditEntry.action == HEAD_ACTION).order_by(AuditEntry.id)).scalars()
    for e in heads:
        seq: object = "?"

        def fail(why: str) -> HeadsReport:
            return HeadsReport(False, checked, covered, e.id, f"Đầu chuỗi đã ký ở mục #{e.id} (xác nhận đến mục #{seq}): {why}")

        try:
            head = SignedHead.from_detail(json.loads(e.changes), str(e.at or ""))
            seq = head.seq
        except (ValueError, HeadFormatError):
            return fail("nội dung không đọc được (đã bị sửa)")
        if not 0 < seq < e.id:
            return fail("số thứ tự không hợp lệ")
        target = session.get(AuditEntry, seq)
        if target is None or target.hash != head.hash:
            return fail(f"chuỗi nhật ký đến mục #{seq} không còn cho mã băm đã ký bằng con dấu "
                        "— nhật ký đã bị viết lại")
        why = head.problem(trust, school)
        if why is not None:
            return fail(why)
        checked += 1
        covered = max(covered, seq)
    # Deleting the signed heads (and recomputing the chain) must not pass either: every issue the
    # chain records was followed by a signed head in its own transaction.
    bare = session.execute(select(AuditEntry.id, AuditEntry.action)
                           .where(AuditEntry.action.in_(SEALED_ACTIONS), AuditEntry.id > covered)
                           .order_by(AuditEntry.id).limit(1)).first()
    if bare is not None:
        what = {LOCK_ACTION: "khóa năm học", WITHDRAW_ACTION: "thu hồi học bạ"}.get(bare[1], "phát hành học bạ")
        return HeadsReport(False, checked, covered, int(bare[0]),
                           f"Mục #{bare[0]} ({what}) không có đầu chuỗi nào được ký bằng con dấu nhà trường "
                           "xác nhận: các đầu chuỗi đã ký đã bị xóa hoặc nhật ký đã bị viết lại")
    return HeadsReport(True, checked, covered)


def trust_for(store) -> TrustStore:  # noqa: ANN001 - Store
    """The school's trust anchors (bundled, demo CA, `hocbaso trust add`, Cài đặt › Ký số)."""
    from ..signing.trust import default_trust_store
    from .trust_anchors import dirs_for_db_path

    return default_trust_store(*[d for d in dirs_for_db_path(store.path) if d.is_dir()])


def audit_state(store) -> tuple[bool, str]:  # noqa: ANN001 - Store
    """The audit log's state in one line for the viewer: the chain, then its signed heads."""
    from .record_history import chain_text

    report = store.verify_audit()
    if not report.ok:
        return False, chain_text(report)
    with store.read() as s:
        heads = verify_heads(s, trust_for(store))
    if not heads.ok:
        return False, f"Nhật ký BỊ VIẾT LẠI: {heads.reason}"
    return True, chain_text(report) + (f"; {heads.checked} đầu chuỗi đã ký bằng con dấu hợp lệ" if heads.checked else "")


def heads_text(report: HeadsReport) -> str:
    if report.ok:
        if not report.checked:
            return "Chưa có đầu chuỗi nào được ký bằng con dấu nhà trường (chưa phát hành học bạ, chưa khóa năm học nào)."
        return f"Đầu chuỗi đã ký bằng con dấu: {report.checked}, hợp lệ (xác nhận đến mục #{report.covered})."
    return report.reason
