"""A withdrawal (thu hồi) says so in signed content (issue 16): the principal's decision becomes a
document the school's seal signs — the withdrawn version's content with status 2 and <thuhoi>
naming that version's signed XML by hash — stored beside the record, covered by a signed audit
head, and carried by the CANCEL package; the reference receiver takes it and refuses every imitation.

Hostile cases beside the honest one: no seal or a wrong PIN (nothing withdrawn), a teacher signing a
withdrawal with her own valid certificate, the status flipped without <thuhoi> or <thuhoi> under
status 1, an issued record replayed in a CANCEL envelope, a withdrawal sent as an UPDATE, a withdrawal
of another version, and the file's own rows edited behind the program's back."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.exchange.record_xml import NS, validate_record_xml
from hocbaso_desktop.exchange.withdrawal_xml import Withdrawal, withdrawal_document, withdrawal_in
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.audit_heads import SealRequired, verify_heads
from hocbaso_desktop.services.record_history import versions, withdraw, withdrawal_xml_of
from hocbaso_desktop.signing import ScriptedPinPrompt, TrustStore, verify_record
from hocbaso_desktop.signing.errors import WrongPin
from hocbaso_desktop.signing.policy import issued_policy
from hocbaso_desktop.signing.xml_signature import sign_record
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Record, RecordWithdrawal
from hocbaso_desktop.storage.outbox_models import OutboxEntry
from hocbaso_desktop.sync.outbox import OutboxError, enqueue_cancel
from hocbaso_desktop.sync.package import build_package, parse_package
from hocbaso_desktop.sync.payload_check import SignedRecordCheck
from tests.correction_school import YEAR, build_issued_school, copy_school, first_student
from tests.school_token import PIN, SchoolToken, school_token
from tests.sync.helpers import running
from tests.sync.test_receiver import post

REASON = "Cấp nhầm cho học sinh đã chuyển trường"


@pytest.fixture(scope="module")
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture(scope="module")
def issued_db(demo_template: Path, token: SchoolToken, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_issued_school(demo_template, token, tmp_path_factory.mktemp("withdraw"))


@pytest.fixture
def store(issued_db: Path, token: SchoolToken, tmp_path: Path):
    token.activate()
    s = Store.open(copy_school(issued_db, tmp_path))
    yield s
    s.close()


def _trust(token: SchoolToken) -> TrustStore:
    return TrustStore.from_dirs(token.trust_dir)


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _content(xml: bytes) -> etree._Element:
    return etree.fromstring(xml).find(_q("thongtinhocba"))


def _issued(store: Store, enrolment_id: int) -> Record:
    with store.read() as s:
        rec = s.execute(select(Record).where(Record.enrolment_id == enrolment_id).order_by(Record.version.desc())).scalars().first()
        s.expunge(rec)
        return rec


def _packages(store: Store, record_id: int) -> list[OutboxEntry]:
    with store.read() as s:
        rows = list(s.execute(select(OutboxEntry).where(OutboxEntry.record_id == record_id).order_by(OutboxEntry.id)).scalars())
        s.expunge_all()
        return rows


def _send(url: str, body: bytes) -> tuple[int, dict]:
    env = parse_package(body).envelope
    return post(url, body, {"Idempotency-Key": env.idempotency_key, "X-Record-Id": env.record_id,
                            "X-Record-Version": str(env.version), "X-Event": env.event})


def _sign_as(token: SchoolToken, xml: bytes, staff_code: str, role: str) -> bytes:
    ident = next(i for i in token.info.identities if i.staff_code == staff_code)
    with token.provider.open_session(token.info.label, prompt=ScriptedPinPrompt(lambda: PIN)) as s:
        cert = next(c for c in s.signing_certificates() if c.cert_id == ident.cert_id)
        return sign_record(xml, s.signing_key(cert), s.chain_for(cert.certificate()), role,
                           datetime.now(timezone.utc).replace(microsecond=0))


def _seal_code(token: SchoolToken) -> str:
    return next(i.staff_code for i in token.info.identities if i.kind == "seal")


def test_the_withdrawal_is_a_sealed_document_saying_status_2(store: Store, token: SchoolToken, tmp_path: Path) -> None:
    st = first_student(store)
    issued = _issued(store, st.enrolment_id)
    v = withdraw(store, directory.actor(store, "HT", YEAR), st.enrolment_id, REASON, token.seal())
    assert v.status == "withdrawn" and v.status_reason == REASON

    doc = withdrawal_xml_of(store, v.record_id)
    assert doc is not None and validate_record_xml(doc) == []
    report = verify_record(doc, _trust(token), policy=issued_policy())
    assert report.ok, (report.problems, report.policy_problems, [s.reasons for s in report.signatures])
    assert [s.role for s in report.signatures] == ["seal"]
    signed = etree.fromstring(report.signed_content)
    assert signed.findtext(_q("trangthaithongtinhocba")) == "2"
    w = withdrawal_in(signed)
    assert w is not None and w.reason == REASON and abs((w.on - date.today()).days) <= 1  # Vietnam's date
    assert w.withdrawn_sha256 == issued.sha256 == hashlib.sha256(issued.signed_xml).hexdigest()
    assert w.decided_by == directory.actor(store, "HT", YEAR).name
    # the rest of the content is the issued version's, unchanged
    old = _content(bytes(issued.content_xml))
    for name in ("madinhdanhhocba", "namhoc", "hoten", "tengvcn", "tengiamhieu", "tentruong"):
        assert signed.findtext(_q(name)) == old.findtext(_q(name)), name
    # the issued version stays readable and verifiable as it was issued
    assert verify_record(bytes(issued.signed_xml), _trust(token), policy=issued_policy()).ok

    # the CANCEL package carries the withdrawal document, and a signed head covering the withdrawal
    events = _packages(store, v.record_id)
    assert [e.event for e in events] == ["NEW", "CANCEL"]
    cancel = parse_package(events[1].package)
    assert cancel.payload == doc and cancel.envelope.status == "2"
    with store.read() as s:
        heads = verify_heads(s, _trust(token))
    assert heads.ok, heads.reason
    assert cancel.envelope.head is not None and cancel.envelope.head.seq > 0

    # the reference receiver takes the NEW, then the CANCEL
    with running(tmp_path / "recv", verifier=SignedRecordCheck(_trust(token))) as recv:
        assert _send(recv.url, events[0].package)[0] == 201
        status, body = _send(recv.url, events[1].package)
        assert status == 201, body
        assert len(recv.stored_files()) == 2

    with pytest.raises(HocbasoError, match="không có gì để thu hồi"):
        withdraw(store, directory.actor(store, "HT", YEAR), st.enrolment_id, "Thu hồi lần hai", token.seal())


def test_without_the_seal_or_with_a_wrong_pin_nothing_is_withdrawn(store: Store, token: SchoolToken) -> None:
    st = first_student(store)
    ht = directory.actor(store, "HT", YEAR)
    with pytest.raises(SealRequired):
        withdraw(store, ht, st.enrolment_id, REASON, None)
    with pytest.raises(WrongPin):
        withdraw(store, ht, st.enrolment_id, REASON, token.seal(pin="000000"))
    rec = _issued(store, st.enrolment_id)
    assert rec.status == "issued"
    assert [e.event for e in _packages(store, rec.id)] == ["NEW"]
    assert withdrawal_xml_of(store, rec.id) is None
    assert [x.status for x in versions(store, st.enrolment_id)] == ["issued"]


def test_a_teacher_signing_a_withdrawal_with_her_own_certificate_is_not_the_school(store: Store, token: SchoolToken,
                                                                                   tmp_path: Path) -> None:
    st = first_student(store)
    rec = _issued(store, st.enrolment_id)
    doc = withdrawal_document(bytes(rec.content_xml), Withdrawal(date.today(), REASON, "Nguyễn Văn Hiệu", "", rec.sha256))
    forged = _sign_as(token, doc, "GV001", "seal")  # her own valid certificate, claiming the seal's role
    report = verify_record(forged, _trust(token), policy=issued_policy())
    assert report.signatures[0].valid  # the signature itself is fine ...
    assert not report.ok and any("con dấu" in p for p in report.policy_problems)  # ... but it is not the school
    # in an upload package: refused by the receiver, not stored
    real = parse_package(_packages(store, rec.id)[0].package)
    env = dataclasses.replace(real.envelope, event="CANCEL", status="2", version=2, issued_on="",
                              idempotency_key="8b0e4a59-3c1f-4d7e-9a55-0c6f1e2d3b4a")
    with running(tmp_path / "recv", verifier=SignedRecordCheck(_trust(token))) as recv:
        assert _send(recv.url, _packages(store, rec.id)[0].package)[0] == 201
        status, body = _send(recv.url, build_package(env, forged))
        assert status == 422 and "con dấu" in body["error"], body
        assert len(recv.stored_files()) == 1


def test_the_status_and_the_withdrawal_element_go_together(store: Store, token: SchoolToken) -> None:
    st = first_student(store)
    rec = _issued(store, st.enrolment_id)
    doc = withdrawal_document(bytes(rec.content_xml), Withdrawal(date.today(), REASON, "Nguyễn Văn Hiệu", "", rec.sha256))
    seal = _seal_code(token)
    # status 2 with the <thuhoi> element cut out, then sealed: the seal is genuine, the document is not a withdrawal
    root = etree.fromstring(doc)
    el = root.find(f".//{_q('thuhoi')}")
    el.getparent().remove(el)
    bare = _sign_as(token, etree.tostring(root, xml_declaration=True, encoding="UTF-8"), seal, "seal")
    report = verify_record(bare, _trust(token), policy=issued_policy())
    assert not report.ok and any("không có thông tin thu hồi" in p for p in report.policy_problems)
    # <thuhoi> under status 1: neither a withdrawal nor an issued record (and the seal alone is not enough)
    root = etree.fromstring(doc)
    root.find(f".//{_q('trangthaithongtinhocba')}").text = "1"
    odd = _sign_as(token, etree.tostring(root, xml_declaration=True, encoding="UTF-8"), seal, "seal")
    report = verify_record(odd, _trust(token), policy=issued_policy())
    assert not report.ok and any("không phải thu hồi" in p for p in report.policy_problems)
    # editing the signed withdrawal (another reason) breaks the seal
    withdraw(store, directory.actor(store, "HT", YEAR), st.enrolment_id, REASON, token.seal())
    real = withdrawal_xml_of(store, rec.id)
    edited = real.replace(REASON.encode(), "Lý do khác hẳn".encode())
    assert edited != real and not verify_record(edited, _trust(token), policy=issued_policy()).ok


def test_the_receiver_refuses_replayed_and_misdirected_cancels(store: Store, token: SchoolToken, tmp_path: Path) -> None:
    a, b = directory.students(store, "1A")[:2]
    rec_a, rec_b = _issued(store, a.enrolment_id), _issued(store, b.enrolment_id)
    new_a = _packages(store, rec_a.id)[0].package
    pkg = parse_package(new_a)
    cancel_env = dataclasses.replace(pkg.envelope, event="CANCEL", status="2", version=2, issued_on="",
                                     idempotency_key="5d7c2b1a-9e8f-4a3b-8c6d-1f2e3d4c5b6a")
    seal = _seal_code(token)
    with running(tmp_path / "recv", verifier=SignedRecordCheck(_trust(token))) as recv:
        assert _send(recv.url, new_a)[0] == 201
        # the issued record (status 1) replayed in a CANCEL envelope: the envelope is not signed, the record says 1
        status, body = _send(recv.url, build_package(cancel_env, pkg.payload))
        assert status == 422 and "trạng thái 2" in body["error"], body
        # a genuine sealed withdrawal of pupil A's record, but naming pupil B's signed XML
        doc = withdrawal_document(bytes(rec_a.content_xml), Withdrawal(date.today(), REASON, "Nguyễn Văn Hiệu", "",
                                                                       rec_b.sha256))
        status, body = _send(recv.url, build_package(cancel_env, _sign_as(token, doc, seal, "seal")))
        assert status == 422 and "phiên bản học bạ máy nhận đang giữ" in body["error"], body
        # the real withdrawal sent as an UPDATE
        withdraw(store, directory.actor(store, "HT", YEAR), a.enrolment_id, REASON, token.seal())
        real = withdrawal_xml_of(store, rec_a.id)
        update_env = dataclasses.replace(cancel_env, event="UPDATE", status="1",
                                         idempotency_key="0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
        status, body = _send(recv.url, build_package(update_env, real))
        assert status == 422 and "trạng thái" in body["error"], body
        assert len(recv.stored_files()) == 1  # only pupil A's NEW
        # and the real CANCEL passes
        cancel = _packages(store, rec_a.id)[-1].package
        assert _send(recv.url, cancel)[0] == 201


def test_the_database_keeps_the_withdrawal_document_as_it_was_signed(store: Store, token: SchoolToken) -> None:
    a, b = directory.students(store, "1A")[:2]
    v = withdraw(store, directory.actor(store, "HT", YEAR), a.enrolment_id, REASON, token.seal())
    con = sqlite3.connect(store.path, isolation_level=None)  # autocommit: a refused statement holds no lock
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        con.execute("UPDATE record_withdrawal SET signed_xml = x'00' WHERE record_id = ?", (v.record_id,))
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        con.execute("DELETE FROM record_withdrawal WHERE record_id = ?", (v.record_id,))
    # a withdrawal row for a record that is still issued (someone with the file "withdrawing" B)
    rec_b = _issued(store, b.enrolment_id)
    with pytest.raises(sqlite3.DatabaseError, match="only for a withdrawn record"):
        con.execute("INSERT INTO record_withdrawal (record_id, signed_xml, sha256, withdrawn_sha256, seal_cert_serial, "
                    "created_at) VALUES (?, x'00', ?, ?, '', '2026-01-01')", (rec_b.id, "0" * 64, rec_b.sha256))
    con.close()
    # and the queue will not send a CANCEL without the sealed document
    with pytest.raises(OutboxError, match="văn bản thu hồi"), store.transaction("system") as tx:
        enqueue_cancel(tx.session, tx.session.get(Record, rec_b.id), "thử")
    with store.read() as s:
        assert s.get(RecordWithdrawal, rec_b.id) is None


def test_the_envelope_issue_date_is_the_day_the_seal_signed(store: Store, token: SchoolToken, tmp_path: Path) -> None:
    """ngaykyphathanh is not inside the frozen content, but the seal's signing time is signed: an envelope
    that backdates (or postdates) the issue is refused."""
    st = first_student(store)
    body = _packages(store, _issued(store, st.enrolment_id).id)[0].package
    pkg = parse_package(body)
    assert pkg.envelope.issued_on
    backdated = build_package(dataclasses.replace(pkg.envelope, issued_on="2020-05-31"), pkg.payload)
    with running(tmp_path / "recv", verifier=SignedRecordCheck(_trust(token))) as recv:
        status, answer = _send(recv.url, backdated)
        assert status == 422 and "ngày ký phát hành" in answer["error"], answer
        assert _send(recv.url, body)[0] == 201
