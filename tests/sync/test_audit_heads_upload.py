"""The seal-signed head of the school's audit chain travels in every upload package and the
reference receiver checks it (issue 15): a package without one, with one re-signed by a teacher's
own valid certificate, with an edited hash, or contradicting a head the receiver already holds for
the same entry (the school's chain rewritten since) is refused and not stored."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import text

from hocbaso_desktop.signing import TrustStore
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.package import build_package, parse_package
from hocbaso_desktop.sync.payload_check import SignedRecordCheck

from .helpers import make_packages, running
from .signed import identity, sign_head, signed_record, soft_ca
from .test_receiver import post


def _trust(tmp_path: Path) -> TrustStore:
    soft_ca("SO").write_root(tmp_path / "trust")
    return TrustStore.from_dirs(tmp_path / "trust")


def _packages(store: Store) -> list[bytes]:
    with store.read() as s:
        return [bytes(r[0]) for r in s.execute(text("SELECT package FROM outbox ORDER BY id"))]


def _send(url: str, body: bytes) -> tuple[int, dict]:
    env = parse_package(body).envelope
    return post(url, body, {"Idempotency-Key": env.idempotency_key, "X-Record-Id": env.record_id,
                            "X-Record-Version": str(env.version), "X-Event": env.event})


def _rebuilt(body: bytes, **head_changes: object) -> bytes:
    pkg = parse_package(body)
    head = None if head_changes.pop("strip", False) else dataclasses.replace(pkg.envelope.head, **head_changes)
    return build_package(dataclasses.replace(pkg.envelope, head=head), pkg.payload)


def test_each_package_carries_the_seal_signed_head_and_the_receiver_keeps_it(store: Store, tmp_path: Path) -> None:
    make_packages(store, 2, now=1.0, xml_for=signed_record)
    bodies = _packages(store)
    heads = [parse_package(b).envelope.head for b in bodies]
    assert all(h is not None for h in heads) and heads[0].seq < heads[1].seq
    with store.read() as s:
        assert s.execute(text("SELECT hash FROM audit_log WHERE id = :i"), {"i": heads[1].seq}).scalar() == heads[1].hash
    with running(tmp_path / "recv", verifier=SignedRecordCheck(_trust(tmp_path))) as recv:
        assert [_send(recv.url, b)[0] for b in bodies] == [201, 201]
        school = parse_package(bodies[0]).envelope.school_code
        assert recv.store.heads.heads(school) == {h.seq: h.hash for h in heads}


def test_stripped_resigned_or_edited_heads_are_refused(store: Store, tmp_path: Path) -> None:
    make_packages(store, 1, now=1.0, xml_for=signed_record)
    (body,) = _packages(store)
    head = parse_package(body).envelope.head
    teacher_cert, teacher_key = identity("SO", "Nguyễn Thị Giáo Viên", "001234567890", "person",
                                         "Trường Tiểu học bất kỳ")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from hocbaso_desktop.signing.chain_head import head_message

    forged_hash = "f" * 64
    forgeries = {
        "stripped": (_rebuilt(body, strip=True), "thiếu đầu chuỗi"),
        "hash edited": (_rebuilt(body, hash=forged_hash), "chữ ký số không hợp lệ"),
        "re-signed by a teacher": (_rebuilt(body, hash=forged_hash, cert=teacher_cert, chain=(soft_ca("SO").inter,),
                                            signature=teacher_key.sign(head_message(head.seq, forged_hash),
                                                                       padding.PKCS1v15(), hashes.SHA256())),
                                   "không phải con dấu"),
        "signed by a look-alike seal from an untrusted CA": (_untrusted_seal(store, body), "không được tin cậy"),
    }
    with running(tmp_path / "recv", verifier=SignedRecordCheck(_trust(tmp_path))) as recv:
        for name, (forged, reason) in forgeries.items():
            status, answer = _send(recv.url, forged)
            assert status == 422 and reason in answer["error"], (name, status, answer)
        assert recv.stored_files() == []
        assert _send(recv.url, body)[0] == 201  # the honest one still goes in


def test_a_rewritten_chain_contradicts_the_head_the_receiver_holds(store: Store, tmp_path: Path) -> None:
    """An insider rewrites the audit log (same seq, new hash) and even holds the seal key to sign the
    new head: the receiver, which already holds the old head for that seq, refuses."""
    make_packages(store, 2, now=1.0, xml_for=signed_record)
    first, second = _packages(store)
    head = parse_package(first).envelope.head
    with store.transaction("system") as tx:  # the "rewritten" chain: a head at the same seq, another hash
        tx.audit("test.rewrite", "audit_log", 0, {})
    with store.transaction("system") as tx:
        sign_head(tx)
    with running(tmp_path / "recv", verifier=SignedRecordCheck(_trust(tmp_path))) as recv:
        assert _send(recv.url, first)[0] == 201
        seal_cert, seal_key = identity("SO", *_seal_identity(store))
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        from hocbaso_desktop.signing.chain_head import head_message

        other = "0" * 64
        resigned = _rebuilt(second, seq=head.seq, hash=other,
                            signature=seal_key.sign(head_message(head.seq, other), padding.PKCS1v15(), hashes.SHA256()))
        status, answer = _send(recv.url, resigned)
        assert status == 422 and "viết lại" in answer["error"] and f"#{head.seq}" in answer["error"], answer
        assert len(recv.stored_files()) == 1
        assert recv.store.heads.heads(parse_package(first).envelope.school_code) == {head.seq: head.hash}
    # the ledger survives a restart of the receiver
    with running(tmp_path / "recv", verifier=SignedRecordCheck(_trust(tmp_path))) as recv:
        assert _send(recv.url, resigned)[0] == 422
        assert _send(recv.url, second)[0] == 201


def _seal_identity(store: Store) -> tuple[str, str, str, str]:
    with store.read() as s:
        name, code = s.execute(text("SELECT name, moet_code FROM school ORDER BY id")).first()
    return name, code or "0100000000", "seal", name


def _untrusted_seal(store: Store, body: bytes) -> bytes:
    """The school's name and tax code on a certificate from a CA the receiver does not trust."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from hocbaso_desktop.signing.chain_head import head_message

    head = parse_package(body).envelope.head
    cert, key = identity("OTHER", *_seal_identity(store))
    return _rebuilt(body, cert=cert, chain=(soft_ca("OTHER").inter,),
                    signature=key.sign(head_message(head.seq, head.hash), padding.PKCS1v15(), hashes.SHA256()))
