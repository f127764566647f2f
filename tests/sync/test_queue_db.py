"""The outbox in the database: what the triggers refuse, the issuing transaction (an injected failure
between issuing and queueing leaves neither half), versions in order, leases taken over."""

from __future__ import annotations

import hashlib
import random
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from hocbaso_desktop.services import outbox_service
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Enrolment, Record, RecordWithdrawal
from hocbaso_desktop.storage.outbox_models import OutboxEntry
from hocbaso_desktop.sync import enqueue_cancel, enqueue_issued, queue
from hocbaso_desktop.sync.backoff import Backoff, FakeClock
from hocbaso_desktop.sync.outbox import OutboxError
from hocbaso_desktop.sync.package import parse_package
from hocbaso_desktop.sync.sender import Sender
from hocbaso_desktop.sync.transport import ACKED, Outcome, SendRequest

from .helpers import issue, make_packages, running, scripted, signed_xml

T0 = 1_790_000_000.0


def _first_enrolment(s) -> Enrolment:  # noqa: ANN001
    return s.execute(select(Enrolment).order_by(Enrolment.id)).scalars().first()


def _count(store: Store, table: str, where: str = "1") -> int:
    with store.read() as s:
        return s.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar()


def test_no_entry_without_an_issued_record(store: Store) -> None:
    with pytest.raises(IntegrityError, match="needs an issued record"):
        with store.transaction("system") as tx:
            e = _first_enrolment(tx.session)
            rec = Record(enrolment_id=e.id, student_id=e.student_id, year_id=e.year_id, version=1, status="signing",
                         signed_xml=signed_xml(e.id, 1), created_at=datetime(2026, 5, 1), status_reason="")
            tx.session.add(rec)
            tx.session.flush()
            enqueue_issued(tx.session, rec)
    # CANCEL needs a withdrawn record and its sealed withdrawal document, NEW an issued one
    with pytest.raises(OutboxError, match="văn bản thu hồi"):
        with store.transaction("system") as tx:
            rec = issue(tx.session, _first_enrolment(tx.session), 1)
            enqueue_cancel(tx.session, rec, "thử")
    assert _count(store, "outbox") == 0 and _count(store, "record") == 0


def test_injected_failure_between_issuing_and_queueing_leaves_neither_half(store: Store, monkeypatch) -> None:
    import hocbaso_desktop.sync.outbox as outbox

    def boom(*_a, **_k):
        raise OSError("đĩa đầy (lỗi giả lập)")

    monkeypatch.setattr(outbox, "build_package", boom)
    with pytest.raises(OSError):
        with store.transaction("system") as tx:
            issue(tx.session, _first_enrolment(tx.session), 1)
    assert _count(store, "record") == 0 and _count(store, "outbox") == 0
    monkeypatch.undo()
    with store.transaction("system") as tx:
        issue(tx.session, _first_enrolment(tx.session), 1)
    assert _count(store, "record", "status = 'issued'") == 1 and _count(store, "outbox") == 1


def test_package_is_immutable_final_states_stay_and_nothing_is_deleted(store: Store) -> None:
    make_packages(store, 1, now=T0)
    for sql, why in [
        ("UPDATE outbox SET package = x'00'", "immutable"),
        ("UPDATE outbox SET version = 9", "immutable"),
        ("UPDATE outbox SET idempotency_key = 'x'", "immutable"),
        ("DELETE FROM outbox", "never deleted"),
        ("UPDATE outbox SET state = 'sent'", "CHECK"),  # no receipt
        ("UPDATE outbox SET state = 'sending'", "CHECK"),  # no lease
        ("UPDATE outbox SET state = 'gone'", "CHECK"),
    ]:
        with pytest.raises(Exception, match=why):
            store.execute_raw(sql)
    store.execute_raw("UPDATE outbox SET state = 'sent', receipt = 'BN-1', sent_at = '2026-05-20 10:00:00'")
    for sql in ("UPDATE outbox SET state = 'pending'", "UPDATE outbox SET receipt = 'BN-2'"):
        with pytest.raises(Exception, match="final"):
            store.execute_raw(sql)


def test_versions_only_increase_and_cancel_gets_a_higher_one(store: Store) -> None:
    with store.transaction("system") as tx:
        e = _first_enrolment(tx.session)
        issue(tx.session, e, 1)
        rec2 = issue(tx.session, e, 2)
        rec2.status, rec2.status_reason, rec2.status_changed_at = "withdrawn", "nhầm học sinh", datetime(2026, 6, 1)
        tx.session.flush()
        doc = signed_xml(e.id, 3)  # stands in for the sealed withdrawal document (tests/services/test_withdrawal.py)
        tx.session.add(RecordWithdrawal(record_id=rec2.id, signed_xml=doc, sha256=hashlib.sha256(doc).hexdigest(),
                                        withdrawn_sha256=rec2.sha256, created_at=datetime(2026, 6, 1)))
        tx.session.flush()
        cancel = enqueue_cancel(tx.session, rec2)
        assert cancel.version == 3  # higher than the record's own version 2: the receiver must not ignore it
    with store.read() as s:
        rows = s.execute(select(OutboxEntry).order_by(OutboxEntry.id)).scalars().all()
        assert [(r.event, r.version) for r in rows] == [("NEW", 1), ("UPDATE", 2), ("CANCEL", 3)]
        env = parse_package(rows[2].package).envelope
        assert (env.status, env.record_version, env.reason) == ("2", 2, "nhầm học sinh")
        assert env.record_id.endswith("-2025-2026") and env.record_id.startswith(env.lookup_code)
    with pytest.raises(Exception, match="version must increase"):
        store.execute_raw("INSERT INTO outbox (record_id, lookup_code, envelope_id, version, event, idempotency_key, package,"
                          " package_sha256, state, attempts, next_try_at, last_error, created_at) SELECT record_id,"
                          " lookup_code, envelope_id, 1, 'CANCEL', 'k2', package, package_sha256, 'pending', 0, 0, '',"
                          " created_at FROM outbox WHERE version = 3")  # a lower version, otherwise valid


def test_versions_go_out_in_order(store: Store, recv_dir: Path) -> None:
    clock = FakeClock(T0)
    make_packages(store, 9, versions=3, now=T0)  # 3 records × v1..v3, queued record by record
    # v1 of the first record is rejected (400): its v2 and v3 must wait for the user
    handler = scripted((400, {}, {"error": "thiếu trường"}))
    with running(recv_dir, handler) as recv:
        from hocbaso_desktop.sync.transport import HttpTransport

        send = lambda: outbox_service.send_due(store, HttpTransport(recv.url), clock=clock)  # noqa: E731
        send()
        first = handler.arrivals[0][0]
        assert [a[1] for a in handler.arrivals if a[0] == first] == [1]  # v2, v3 held back
        for rid in {a[0] for a in handler.arrivals if a[0] != first}:
            assert [a[1] for a in handler.arrivals if a[0] == rid] == [1, 2, 3]
        assert _count(store, "outbox", "state = 'pending'") == 2
        outbox_service.retry_failed(store, now=clock.time())
        send()
        assert [a[1] for a in handler.arrivals if a[0] == first] == [1, 1, 2, 3]
    assert outbox_service.status(store).counts["sent"] == 9


def test_a_dead_senders_lease_is_taken_over_after_expiry(store: Store) -> None:
    """Inside one process (no instance-lock shortcut) a lease waits for its expiry."""
    clock = FakeClock(T0)
    make_packages(store, 1, now=T0)
    with store.transaction("system") as tx:
        req = queue.claim_next(tx.session, "dead-sender", clock.time(), 300)  # claimed, then the sender died
    assert req is not None

    class Ack:
        description = "test"

        def probe(self):
            return None

        def send(self, r: SendRequest, now: float) -> Outcome:
            self.seen = r
            return Outcome(ACKED, receipt="BN-x", status=201)

        def close(self) -> None:
            pass

    sender = Sender(store, Ack(), clock=clock, backoff=Backoff(random.Random(0)))
    sender.others_dead = False
    assert sender.run().requests == 0  # the lease still holds
    clock.advance(301)
    rep = sender.run()
    assert rep.sent == 1 and sender.transport.seen.idempotency_key == req.idempotency_key  # same key again
    with store.read() as s:
        row = s.execute(select(OutboxEntry)).scalar_one()
        assert (row.state, row.attempts, row.lease_owner) == ("sent", 2, None)
    # the dead sender's late outcome is not applied over the new owner's
    with store.transaction("system") as tx:
        late = queue.finish(tx.session, req, "dead-sender", Outcome("failed", "muộn"), clock.time(), Backoff(), "x")
    assert not late.applied


def test_another_process_lease_is_taken_over_at_once(store: Store) -> None:
    """Holding the instance lock proves another process's lease dead (kill -9): no wait."""
    make_packages(store, 1, now=T0)
    store.execute_raw("UPDATE outbox SET state = 'sending', lease_owner = 'otherhost:1234:abc:1', "
                      f"lease_until = {T0 + 300}, attempts = 1")
    with store.transaction("system") as tx:
        assert queue.claim_next(tx.session, queue.new_owner(), T0, 300, others_dead=False) is None
        assert queue.claim_next(tx.session, queue.new_owner(), T0, 300, others_dead=True) is not None
