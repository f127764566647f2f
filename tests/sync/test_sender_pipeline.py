"""The sender leases the next entry while the previous outcome is being stored (issue 19): still one
request in flight, every outcome its own commit before it counts, and an entry leased ahead but not
sent (the run stopped: limit, cancel, unreachable, an error) goes back to pending with its attempt
not counted, due at once."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import text

from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.backoff import Backoff, FakeClock
from hocbaso_desktop.sync.sender import Sender
from hocbaso_desktop.sync.transport import ACKED, UNREACHABLE, Outcome, SendRequest

from .helpers import make_packages

T0 = 1_790_000_000.0


class Watching:
    """Acks each package; records what was in the database when each request left."""

    description = "thử nghiệm"

    def __init__(self, store: Store, fail_at: int | None = None, unreachable_at: int | None = None) -> None:
        self.store, self.fail_at, self.unreachable_at = store, fail_at, unreachable_at
        self.sent: list[SendRequest] = []
        self.busy = threading.Lock()
        self.overlaps = 0
        self.sent_before: list[int] = []

    def probe(self) -> Outcome | None:
        return None

    def send(self, r: SendRequest, now: float) -> Outcome:
        if not self.busy.acquire(blocking=False):
            self.overlaps += 1
        try:
            self.sent.append(r)
            with self.store.read() as s:
                self.sent_before.append(s.execute(text("SELECT count(*) FROM outbox WHERE state = 'sent'")).scalar())
            if self.unreachable_at == len(self.sent):
                return Outcome(UNREACHABLE, "mất mạng")
            return Outcome(ACKED, receipt=f"BN-{r.entry_id}", status=201)
        finally:
            self.busy.release()

    def close(self) -> None:
        pass


def _states(store: Store) -> list[tuple[str, int, object]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(text("SELECT state, attempts, lease_owner FROM outbox ORDER BY id"))]


def _sender(store: Store, transport: Watching) -> Sender:
    return Sender(store, transport, clock=FakeClock(T0), backoff=Backoff(random.Random(0)))


def test_all_sent_one_at_a_time_each_outcome_stored_before_the_next_but_one_leaves(store: Store) -> None:
    make_packages(store, 12, versions=3, now=T0)  # 4 records × v1..v3: versions wait for each other
    t = Watching(store)
    report = _sender(store, t).run()
    assert report.sent == report.requests == 12 and t.overlaps == 0
    assert sorted(r.entry_id for r in t.sent) == list(range(1, 13))  # each once
    # when request k leaves, the outcomes of all but the one just before it are durable
    assert all(before >= k - 1 for k, before in enumerate(t.sent_before))
    assert _states(store) == [("sent", 1, None)] * 12
    with store.read() as s:  # versions of one record in order
        order = [(r.envelope_id, r.version) for r in t.sent]
        for env in {e for e, _v in order}:
            assert [v for e, v in order if e == env] == [1, 2, 3]
        assert s.execute(text("SELECT count(*) FROM outbox WHERE receipt = 'BN-' || id")).scalar() == 12


@pytest.mark.parametrize("stop", ["max_requests", "cancel", "unreachable"])
def test_an_entry_leased_ahead_and_not_sent_is_released(store: Store, stop: str) -> None:
    make_packages(store, 4, now=T0)
    t = Watching(store, unreachable_at=2 if stop == "unreachable" else None)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] >= 2

    kw = {"max_requests": 2} if stop == "max_requests" else {"cancel": cancel} if stop == "cancel" else {}
    report = _sender(store, t).run(**kw)
    assert report.requests == len(t.sent) == 2 and t.overlaps == 0
    states = _states(store)
    sent = 1 if stop == "unreachable" else 2
    assert [s for s, _a, _o in states].count("sent") == sent
    # nothing left leased, and what was never sent has no attempt counted
    assert all(owner is None for _s, _a, owner in states)
    never = [r.entry_id for r in t.sent]
    with store.read() as s:
        for i, (state, attempts, _o) in enumerate(states, start=1):
            if i not in never:
                assert (state, attempts) == ("pending", 0)
        assert s.execute(text("SELECT count(*) FROM outbox WHERE state = 'pending' AND next_try_at <= :t"),
                         {"t": T0}).scalar() == 4 - len(never)


def test_an_error_before_the_next_request_left_releases_the_lease_ahead(store: Store) -> None:
    make_packages(store, 3, now=T0)
    t = Watching(store)

    def progress(_r: SendRequest, _o: Outcome) -> None:
        raise RuntimeError("giao diện lỗi")

    with pytest.raises(RuntimeError):
        _sender(store, t).run(progress=progress)
    assert len(t.sent) == 1
    states = _states(store)
    # the answered one keeps its lease (its outcome was not stored: re-sent with the same key later);
    # the one leased ahead is due again at once, its attempt not counted
    assert states[0][:2] == ("sending", 1) and states[1:] == [("pending", 0, None)] * 2
