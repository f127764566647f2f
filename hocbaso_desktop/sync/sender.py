"""The sender: drains due outbox entries, one request in flight, state only in the database.

Each step is one short transaction that finishes the previous entry and claims the next under a
lease; the network call happens between transactions, holding no session (architecture.md: the
network worker holds no DB session). A kill -9 at any moment leaves either the old state or the new
one; an entry left "sending" is taken over when its lease expires (at once by the next process, since
the instance lock proves its owner dead), and re-sent with the same idempotency key, which the
receiver answers with the receipt it already gave.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..storage.engine import Store
from . import queue
from .backoff import Backoff, Clock, SystemClock
from .transport import ACKED, FAILED, RETRY, SUPERSEDED, UNREACHABLE, Outcome, SendRequest, Transport

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
LEASE_SECONDS = 300.0  # well above the HTTP timeout: a live sender never loses its lease mid-request


@dataclass
class SendReport:
    requests: int = 0
    sent: int = 0
    superseded: int = 0
    failed: int = 0
    retried: int = 0
    lost_leases: int = 0
    unreachable: str | None = None  # why the batch could not start or stopped early
    timed_out: bool = False  # stopped by the run's time limit (max_seconds)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"đã gửi {self.sent}"]
        if self.superseded:
            parts.append(f"{self.superseded} đã có bản mới hơn ở máy chủ")
        if self.retried:
            parts.append(f"{self.retried} sẽ thử lại")
        if self.failed:
            parts.append(f"{self.failed} bị từ chối")
        text = ", ".join(parts)
        if self.unreachable:
            text += f" — {self.unreachable}"
        return text


Progress = Callable[[SendRequest, Outcome], None]


class Sender:
    def __init__(self, store: Store, transport: Transport, *, clock: Clock | None = None, backoff: Backoff | None = None,
                 lease_seconds: float = LEASE_SECONDS, actor: str = "system") -> None:
        self.store = store
        self.transport = transport
        self.clock = clock or SystemClock()
        self.backoff = backoff or Backoff()
        self.lease_seconds = lease_seconds
        self.actor = actor
        self.owner = queue.new_owner()
        # Holding the instance lock makes every other process's lease a dead process's lease.
        self.others_dead = getattr(store, "_lock", None) is not None

    def run(self, *, max_requests: int | None = None, cancel: Callable[[], bool] | None = None,
            progress: Progress | None = None, max_seconds: float | None = None) -> SendReport:
        """Send what is due. `max_seconds` bounds the whole run (wall time, not the injectable clock:
        it is about a person waiting): no request starts after it, and the one in flight is cut at it."""
        report = SendReport()
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        problem = self.transport.probe()
        if problem is not None:
            report.unreachable = problem.message
            return report
        held: tuple[SendRequest, Outcome] | None = None
        stop = False
        try:
            while True:
                with self.store.transaction(self.actor) as tx:
                    now = self.clock.time()
                    if held is not None:
                        self._finish(tx.session, *held, now, report)
                        held = None
                    if stop:
                        break
                    if deadline is not None and time.monotonic() >= deadline:
                        self._out_of_time(report, max_seconds)
                        break
                    request = queue.claim_next(tx.session, self.owner, now, self.lease_seconds, others_dead=self.others_dead)
                if request is None:
                    break
                if deadline is None:
                    outcome = self.transport.send(request, self.clock.time())  # no session held here
                else:
                    outcome = self.transport.send(request, self.clock.time(), time_limit=deadline - time.monotonic())
                report.requests += 1
                held = (request, outcome)
                if progress is not None:
                    progress(request, outcome)
                if outcome.kind == UNREACHABLE:
                    report.unreachable = outcome.message
                    stop = True
                if deadline is not None and time.monotonic() >= deadline:
                    self._out_of_time(report, max_seconds)
                    stop = True
                if (cancel is not None and cancel()) or (max_requests is not None and report.requests >= max_requests):
                    stop = True
        finally:
            self.transport.close()
        if report.requests:
            with self.store.transaction(self.actor) as tx:
                tx.audit("outbox.send", "outbox", "batch", {
                    "to": self.transport.description, "requests": report.requests, "sent": report.sent,
                    "superseded": report.superseded, "failed": report.failed, "retried": report.retried,
                })
        return report

    @staticmethod
    def _out_of_time(report: SendReport, max_seconds: float | None) -> None:
        report.timed_out = True
        report.unreachable = (f"đã hết thời gian cho lần gửi này ({max_seconds:g} giây); "
                              "các gói tin còn lại sẽ được gửi ở lần sau")

    def _finish(self, s: Session, request: SendRequest, outcome: Outcome, now: float, report: SendReport) -> None:
        done = queue.finish(s, request, self.owner, outcome, now, self.backoff, self.transport.description)
        if not done.applied:
            report.lost_leases += 1
            log.warning("outbox %s: lease lost before the outcome was stored", request.entry_id)
            return
        if outcome.kind == ACKED:
            report.sent += 1
        elif outcome.kind == SUPERSEDED:
            report.superseded += 1
        elif outcome.kind == FAILED:
            report.failed += 1
            report.errors.append(f"{request.envelope_id} v{request.version}: {outcome.message}")
        elif outcome.kind in (RETRY, UNREACHABLE):
            report.retried += 1
