"""The real issuing path (SoftHSM2 token, GVCN → principal → seal): each issued record gets its NEW
package in the issuing transaction, the packages reach a receiver that verifies their signatures; a failure injected between
issuing and queueing leaves the record unissued and the queue empty."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from hocbaso_desktop.services import directory, outbox_service
from hocbaso_desktop.services import signing_service as ss
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.signing import CancelToken, ScriptedPinPrompt, TrustStore
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.package import parse_package
from hocbaso_desktop.sync.payload_check import SignedRecordCheck
from hocbaso_desktop.sync.transport import HttpTransport
from tests.school_token import PIN, SchoolToken, school_token

from .helpers import running


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


def _sign(store: Store, token: SchoolToken, code: str, cls: str, *, seal: bool = False) -> ss.SigningRun:
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [directory.find_class(store, cls).id], seal=seal)
    choice = ss.choose_certificate(token.provider, token.info.label, plan.role, actor.name, ss.school_name(store))
    run = ss.SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN), CancelToken())
    list(run)
    return run


def _count(store: Store, sql: str) -> int:
    with store.read() as s:
        return s.execute(text(sql)).scalar()


def test_issuing_queues_each_record_and_the_packages_arrive(demo_store: Store, token: SchoolToken, tmp_path: Path) -> None:
    store = demo_store
    token.attach(store)
    _sign(store, token, "GV001", "1A")
    _sign(store, token, "HT", "1A")  # the principal the record names (tengiamhieu)
    assert _count(store, "SELECT count(*) FROM outbox") == 0  # signed, not issued: nothing to send yet
    run = _sign(store, token, "VP01", "1A", seal=True)
    n = len(run.signed)
    assert n > 0 and all(o.issued for o in run.signed)
    assert _count(store, "SELECT count(*) FROM record WHERE status = 'issued'") == n
    assert _count(store, "SELECT count(*) FROM outbox o JOIN record r ON r.id = o.record_id "
                         "WHERE o.event = 'NEW' AND o.version = 1 AND r.status = 'issued'") == n
    with store.read() as s:
        pkg_bytes, signed = s.execute(text("SELECT o.package, r.signed_xml FROM outbox o JOIN record r ON r.id = o.record_id")).first()
    assert parse_package(bytes(pkg_bytes)).payload == bytes(signed)  # the signed bytes, exactly
    # every package and the record inside it validate against their schemas (issue 16)
    from lxml import etree

    from hocbaso_desktop.exchange.record_xml import validate_record_xml
    from hocbaso_desktop.sync.package import package_problems

    with store.read() as s:
        for (body,) in s.execute(text("SELECT package FROM outbox")):
            assert package_problems(etree.fromstring(bytes(body))) == []
            assert validate_record_xml(parse_package(bytes(body)).payload) == []
    # the receiver checks every record's signatures against the school's CA, as a district's would
    with running(tmp_path / "recv", verifier=SignedRecordCheck(TrustStore.from_dirs(token.trust_dir))) as recv:
        report = outbox_service.send_due(store, HttpTransport(recv.url))
        assert len(recv.stored_files()) == n, outbox_service.status(store).last_error
    assert report.sent == n and outbox_service.exit_code(outbox_service.status(store)) == 0


def test_failure_between_issuing_and_queueing_leaves_neither_half(demo_store: Store, token: SchoolToken, monkeypatch) -> None:
    store = demo_store
    token.attach(store)
    _sign(store, token, "GV001", "1A")
    _sign(store, token, "HT", "1A")  # the principal the record names (tengiamhieu)

    def boom(*_a, **_k):
        raise RuntimeError("mất điện giả lập giữa phát hành và xếp hàng")

    monkeypatch.setattr(ss, "enqueue_issued", boom)
    run = _sign(store, token, "VP01", "1A", seal=True)
    assert run.outcomes and not run.signed and all("mất điện" in o.message for o in run.failed)
    assert _count(store, "SELECT count(*) FROM record WHERE status = 'issued'") == 0
    assert _count(store, "SELECT count(*) FROM outbox") == 0
    monkeypatch.undo()
    run = _sign(store, token, "VP01", "1A", seal=True)  # the seal again, now whole
    assert len(run.signed) == len(run.outcomes) and _count(store, "SELECT count(*) FROM outbox") == len(run.signed)
