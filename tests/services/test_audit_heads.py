"""Signed audit heads (issue 15): every issue signs the chain head with the school's seal, and
`audit verify` checks each signed head. An insider with the file who edits an entry and recomputes
every hash and the anchor fools the chain alone, but fails at the first signed head; deleting the
signed heads, or forging one with another key or a teacher's certificate, fails too; a backup so
rewritten is refused by restore."""

from __future__ import annotations

import base64
import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from hocbaso_desktop.cli import main
from hocbaso_desktop.services import backup, directory
from hocbaso_desktop.services.audit_heads import HEAD_ACTION, audit_state, head_message, trust_for, verify_heads
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name
from hocbaso_desktop.signing import ScriptedPinPrompt
from hocbaso_desktop.storage import snapshot
from hocbaso_desktop.storage.audit import GENESIS, entry_hash
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry
from tests.school_token import PIN, SchoolToken, school_token

YEAR = "2025-2026"


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


def _sign(store: Store, token: SchoolToken, code: str, seal: bool = False) -> SigningRun:
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [directory.find_class(store, "1A").id], seal=seal)
    choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN))
    list(run)
    assert run.signed and not run.failed, [o.message for o in run.failed]
    return run


@pytest.fixture
def issued(demo_store: Store, token: SchoolToken) -> Store:
    """Class 1A issued: GVCN, principal, seal."""
    token.attach(demo_store)
    for code, seal in (("GV001", False), ("HT", False), ("HT", True)):
        _sign(demo_store, token, code, seal)
    return demo_store


def _entries(store: Store, action: str) -> list[AuditEntry]:
    with store.read() as s:
        rows = list(s.execute(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).scalars())
        s.expunge_all()
        return rows


def _heads(store: Store):
    with store.read() as s:
        return verify_heads(s, trust_for(store))


def _canon(d: dict) -> str:
    return json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def rewrite(db: Path, edit: Callable[[sqlite3.Connection], None],
            forge: Callable[[int, str], tuple[bytes, x509.Certificate]] | None = None) -> None:
    """The insider: triggers off, `edit`, every hash recomputed (renumbered if rows went), triggers
    back, the anchor beside the database rewritten. The chain alone then verifies again. `forge`
    re-signs each signed head over its new hash with the insider's own key (signature, certificate)."""
    con = sqlite3.connect(db)
    triggers = con.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'").fetchall()
    for name, _sql in triggers:
        con.execute(f"DROP TRIGGER {name}")
    edit(con)
    rows = con.execute("SELECT at, actor, action, entity, entity_id, changes FROM audit_log ORDER BY id").fetchall()
    con.execute("DELETE FROM audit_log")
    prev, hashes_by_seq = GENESIS, {}
    for seq, (at, actor, action, entity, eid, ch) in enumerate(rows, 1):
        if forge is not None and action == HEAD_ACTION:
            d = json.loads(ch)
            d["hash"] = hashes_by_seq[d["seq"]]
            sig, cert = forge(d["seq"], d["hash"])
            d.update(signature=base64.b64encode(sig).decode(), chain=[],
                     cert=base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode())
            ch = _canon(d)
        h = entry_hash(prev, seq, at, actor, action, entity, eid, ch)
        con.execute("INSERT INTO audit_log (id, at, actor, action, entity, entity_id, changes, prev_hash, hash) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (seq, at, actor, action, entity, eid, ch, prev, h))
        prev = hashes_by_seq[seq] = h
    for _name, sql in triggers:
        con.execute(sql)
    con.commit()
    con.close()
    Path(str(db) + ".audit-head").write_text(f"{len(rows)} {prev}\n", encoding="ascii")


def test_every_issue_signs_the_head_with_the_seal(issued: Store) -> None:
    issues, heads = _entries(issued, "record.issue"), _entries(issued, HEAD_ACTION)
    n = directory.find_class(issued, "1A").student_count
    assert len(issues) == len(heads) == n
    school = school_name(issued)
    with issued.read() as s:
        for e in heads:
            d = json.loads(e.changes)
            assert d["seq"] == e.id - 1 and int(e.entity_id) == d["seq"]  # the head just before, same transaction
            assert s.get(AuditEntry, d["seq"]).hash == d["hash"]
            cert = x509.load_der_x509_certificate(base64.b64decode(d["cert"]))
            assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == school
    assert all(any(h.id > i.id for h in heads) for i in issues)
    report = _heads(issued)
    assert report.ok and report.checked == n, report.reason
    ok, text = audit_state(issued)
    assert ok and text.startswith("Nhật ký toàn vẹn") and f"{n} đầu chuỗi đã ký" in text
    assert issued.verify_audit().ok


def test_each_package_carries_the_head_its_issue_signed_as_the_log_states_it(issued: Store) -> None:
    """The issuer hands the head it has just signed to the outbox instead of reading it back: the
    package must still carry exactly the audit entry's head (seq, hash, signature, seal, time)."""
    from hocbaso_desktop.signing.chain_head import SignedHead
    from hocbaso_desktop.storage.outbox_models import OutboxEntry
    from hocbaso_desktop.sync.package import parse_package

    heads = {e.id: SignedHead.from_detail(json.loads(e.changes), e.at) for e in _entries(issued, HEAD_ACTION)}
    with issued.read() as s:
        packages = [bytes(p) for p in s.execute(select(OutboxEntry.package).order_by(OutboxEntry.id)).scalars()]
    assert len(packages) == len(heads) > 0
    for package, entry_id in zip(packages, sorted(heads)):
        carried, logged = parse_package(package).envelope.head, heads[entry_id]
        assert carried is not None
        assert (carried.seq, carried.hash, carried.signature, carried.cert, carried.signed_at) == \
            (logged.seq, logged.hash, logged.signature, logged.cert, logged.signed_at)
        assert carried.seq == entry_id - 1  # the head just before the signed-head entry: it covers the issue


def test_cli_audit_verify_reports_the_signed_heads(issued: Store, capsys: pytest.CaptureFixture[str]) -> None:
    path = issued.path
    issued.close()
    assert main(["--db", str(path), "audit", "verify", "--as", "HT"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nhật ký toàn vẹn:") and "Đầu chuỗi đã ký bằng con dấu:" in out


def test_a_rewritten_chain_fails_at_the_first_signed_head(issued: Store, capsys: pytest.CaptureFixture[str]) -> None:
    first_head = _entries(issued, HEAD_ACTION)[0]
    victim = _entries(issued, "record.sign")[0]  # the GVCN's signature entry, well before it
    path = issued.path
    issued.close()

    def edit(con: sqlite3.Connection) -> None:
        ch = json.loads(con.execute("SELECT changes FROM audit_log WHERE id = ?", (victim.id,)).fetchone()[0])
        ch["staff"] = "HT"
        con.execute("UPDATE audit_log SET changes = ? WHERE id = ?", (_canon(ch), victim.id))

    rewrite(path, edit)
    with Store.open(path) as store:
        assert store.verify_audit().ok  # the chain alone is fooled: that is the attack
        report = _heads(store)
        ok, text = audit_state(store)  # what the audit viewer shows
    assert not ok and "BỊ VIẾT LẠI" in text and f"mục #{first_head.id}" in text
    assert not report.ok and report.entry == first_head.id, report
    assert f"mục #{first_head.id}" in report.reason and "viết lại" in report.reason
    code = main(["--db", str(path), "audit", "verify", "--as", "HT"])
    out = capsys.readouterr().out
    assert code == 1 and f"Đầu chuỗi đã ký ở mục #{first_head.id}" in out and "viết lại" in out


def test_deleted_signed_heads_leave_issues_uncovered(issued: Store, capsys: pytest.CaptureFixture[str]) -> None:
    path = issued.path
    issued.close()
    rewrite(path, lambda con: con.execute("DELETE FROM audit_log WHERE action = ?", (HEAD_ACTION,)))
    with Store.open(path) as store:
        assert store.verify_audit().ok
        first_issue = _entries(store, "record.issue")[0]
        report = _heads(store)
    assert not report.ok and report.entry == first_issue.id and "phát hành học bạ" in report.reason
    assert main(["--db", str(path), "audit", "verify", "--as", "HT"]) == 1
    assert f"Mục #{first_issue.id} (phát hành học bạ)" in capsys.readouterr().out


def _resign(path: Path, key, cert: x509.Certificate) -> None:  # noqa: ANN001
    """Edit the first entry, recompute the chain and re-sign every signed head over its new hash
    with `key` (the insider's own key or certificate)."""
    def forge(seq: int, h: str) -> tuple[bytes, x509.Certificate]:
        return key.sign(head_message(seq, h), padding.PKCS1v15(), hashes.SHA256()), cert

    rewrite(path, lambda con: con.execute("UPDATE audit_log SET actor = 'HT' WHERE id = 1"), forge)


def test_a_head_forged_with_a_self_made_seal_is_refused(issued: Store) -> None:
    heads = _entries(issued, HEAD_ACTION)
    school = school_name(issued)
    path = issued.path
    issued.close()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, school), x509.NameAttribute(NameOID.USER_ID, "MST:0101")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=400))
            .not_valid_after(now + timedelta(days=400)).sign(key, hashes.SHA256()))
    _resign(path, key, cert)  # every head re-signed: the first one is the one reported
    with Store.open(path) as store:
        assert store.verify_audit().ok
        report = _heads(store)
    assert not report.ok and report.entry == heads[0].id and "không được tin cậy" in report.reason, report


def test_a_head_forged_with_a_teachers_certificate_is_refused(issued: Store, token: SchoolToken) -> None:
    heads = _entries(issued, HEAD_ACTION)
    teacher = directory.actor(issued, "GV001")
    choice = choose_certificate(token.provider, token.info.label, "gvcn", teacher.name, school_name(issued))
    path = issued.path
    issued.close()
    with token.provider.open_session(choice.token.label, choice.token.serial, prompt=ScriptedPinPrompt(lambda: PIN)) as s:
        _resign(path, s.signing_key(choice.certificate), choice.certificate.certificate())
    with Store.open(path) as store:
        assert store.verify_audit().ok
        report = _heads(store)
    assert not report.ok and report.entry == heads[0].id and "không phải con dấu" in report.reason, report


def test_restore_refuses_a_backup_whose_chain_was_rewritten(issued: Store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(snapshot.ENV_DIR, str(tmp_path / "sao-luu"))
    honest = backup.backup_now(issued).path
    forged = backup.backup_now(issued).path
    rewrite(forged, lambda con: con.execute("UPDATE audit_log SET actor = 'HT' WHERE id = 1"))
    ht = directory.actor(issued, "HT", YEAR)
    with pytest.raises(backup.BackupRejected) as e:
        backup.restore(issued, forged, ht)
    assert "kiểm tra đầu chuỗi đã ký" in e.value.message and "không bị thay đổi" in e.value.message
    r = backup.restore(issued, honest, ht)  # the honest backup of the same school restores
    assert r.revision and _heads(issued).ok
