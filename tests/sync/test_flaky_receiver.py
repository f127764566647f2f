"""1,000 packages through a receiver that drops 20% of requests, loses 10% of answers after storing
and answers 503 + Retry-After to 10%: every package stored exactly once, every entry acknowledged
with the receipt the receiver gave for its key. A fake clock stands in for the waiting."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from hocbaso_desktop.services import outbox_service
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync import queue
from hocbaso_desktop.sync.backoff import Backoff, FakeClock
from hocbaso_desktop.sync.transport import HttpTransport

from .helpers import FlakyHandler, make_packages, running

N = 1000


def drain(store: Store, transport: HttpTransport, clock: FakeClock, backoff: Backoff, max_rounds: int = 5000) -> int:
    rounds = 0
    while outbox_service.status(store).pending:
        rounds += 1
        assert rounds <= max_rounds, "the queue does not drain"
        outbox_service.send_due(store, transport, clock=clock, backoff=backoff)
        with store.read() as s:
            due = queue.next_due_at(s)
        if due is not None:
            clock.set(due)  # nothing due now: jump to the next retry instead of sleeping
    return rounds


def test_thousand_packages_through_a_flaky_receiver(store: Store, recv_dir: Path) -> None:
    clock = FakeClock(time.time())
    make_packages(store, N, versions=4, now=clock.time())  # 250 records × 4 versions: ordering under fire
    handler = type("Flaky", (FlakyHandler,), {"rng": random.Random(20261127), "stats": Counter()})
    start = time.perf_counter()
    with running(recv_dir, handler) as recv:
        transport = HttpTransport(recv.url, timeout=60)  # a hang bound: a slow machine is not a lost answer
        rounds = drain(store, transport, clock, Backoff(random.Random(5)))
        stats = dict(handler.stats)
    elapsed = time.perf_counter() - start  # reported, never asserted: correctness, not speed
    # the failure modes really happened
    assert stats["dropped"] > 100 and stats["lost"] > 50 and stats["busy"] > 50, stats

    keys = {p.stem: json.loads(p.read_text()) for p in (recv_dir / "keys").glob("*.json")}
    files = recv.stored_files()
    assert len(keys) == N and len(files) == N  # 1,000 stored, nothing lost
    assert len({(k["record_id"], k["version"]) for k in keys.values()}) == N  # 0 duplicates
    with store.read() as s:
        rows = s.execute(text("SELECT idempotency_key, envelope_id, version, state, receipt FROM outbox")).all()
    assert len(rows) == N
    assert {r.state for r in rows} == {"sent"}
    for r in rows:  # the receipt stored is the receiver's receipt for this key
        assert keys[r.idempotency_key]["receipt"] == r.receipt
        assert (keys[r.idempotency_key]["record_id"], keys[r.idempotency_key]["version"]) == (r.envelope_id, r.version)
    assert outbox_service.status(store).counts == {"pending": 0, "sent": N, "failed": 0, "superseded": 0}
    print(f"\n{N} packages, {sum(stats.values())} requests, {rounds} rounds, {elapsed:.1f} s, {stats}")
