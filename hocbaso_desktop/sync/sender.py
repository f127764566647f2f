"""The sender: drains due outbox entries, one request in flight, state only in the database.

Each step is one short transaction that stores the outcome of the request just answered and claims,
under a lease, the entry after the one about to leave: the next request is already leased when an
answer arrives, so it goes out at once on the network thread while this thread makes the previous
outcome durable (the two no longer wait for each other; each outcome is still its own commit before
the run counts it). The network call holds no session (architecture.md: the network worker holds no
DB session). An entry claimed ahead and not sent because the run stopped is released (pending, its
attempt not counted). A kill -9 at any moment leaves either the old state or the new
one; an entry left "sending" is taken over when its lease expires (at once by the next process, since
the instance lock proves its owner dead), and re-sent with the same idempotency key, which the
receiver answers with the receipt it already gave.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
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
        net = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-send")
        flight: tuple[SendRequest, Future[Outcome]] | None = None
        ahead: SendRequest | None = None  # leased, not yet sent
        try:
            with self.store.transaction(self.actor) as tx:
                first = self._claim(tx.session)
                ahead = self._claim(tx.session) if first is not None and self._may_send(report, 1, max_requests) else None
            if first is not None and not self._stop_before_send(report, deadline, max_seconds):
                flight = (first, net.submit(self._send, first, deadline))
            elif first is not None:
                self._release([first, *([ahead] if ahead else [])])
                ahead = None
            while flight is not None:
                request, future = flight
                outcome = future.result()
                flight = None
                report.requests += 1
                if progress is not None:
                    progress(request, outcome)
                stop = False
                if outcome.kind == UNREACHABLE:
                    report.unreachable = outcome.message
                    stop = True
                if deadline is not None and time.monotonic() >= deadline:
                    self._out_of_time(report, max_seconds)
                    stop = True
                if (cancel is not None and cancel()) or not self._may_send(report, 0, max_requests):
                    stop = True
                if ahead is not None and not stop:
                    flight = (ahead, net.submit(self._send, ahead, deadline))  # travels during the commit below
                    ahead = None
                after: SendRequest | None = None  # claimed now, to leave once this commit is done
                with self.store.transaction(self.actor) as tx:
                    self._finish(tx.session, request, outcome, self.clock.time(), report)
                    if stop:
                        if ahead is not None:
                            queue.release(tx.session, ahead, self.owner)
                            ahead = None
                    elif flight is not None:
                        ahead = self._claim(tx.session) if self._may_send(report, 1, max_requests) else None
                    else:
                        # nothing was leased ahead (e.g. the next due entry was the next version of the
                        # one just answered): claimed now that its predecessor's outcome is stored
                        after = self._claim(tx.session)
                if after is not None and not self._stop_before_send(report, deadline, max_seconds):
                    flight = (after, net.submit(self._send, after, deadline))
                    with self.store.transaction(self.actor) as tx:
                        ahead = self._claim(tx.session) if self._may_send(report, 1, max_requests) else None
                elif after is not None:
                    self._release([after])
        finally:
            if flight is not None:  # an error above: the request in flight still ends before the run does
                try:
                    flight[1].result()
                except Exception:  # noqa: BLE001 - the first error is the one raised
                    log.exception("outbox: the request in flight failed while the run was ending")
            net.shutdown(wait=True)
            self.transport.close()
            if ahead is not None:  # leased ahead and never sent: due again at once, not after the lease
                try:
                    self._release([ahead])
                except Exception:  # noqa: BLE001 - the first error is the one raised
                    log.exception("outbox %s: could not release the entry leased ahead", ahead.entry_id)
        if report.requests:
            with self.store.transaction(self.actor) as tx:
                tx.audit("outbox.send", "outbox", "batch", {
                    "to": self.transport.description, "requests": report.requests, "sent": report.sent,
                    "superseded": report.superseded, "failed": report.failed, "retried": report.retried,
                })
        return report

    def _claim(self, s: Session) -> SendRequest | None:
        return queue.claim_next(s, self.owner, self.clock.time(), self.lease_seconds, others_dead=self.others_dead)

    def _release(self, requests: list[SendRequest]) -> None:
        with self.store.transaction(self.actor) as tx:
            for r in requests:
                queue.release(tx.session, r, self.owner)

    @staticmethod
    def _may_send(report: SendReport, in_flight: int, max_requests: int | None) -> bool:
        """Whether one more request may start, with `in_flight` already started and not yet answered."""
        return max_requests is None or report.requests + in_flight < max_requests

    def _stop_before_send(self, report: SendReport, deadline: float | None, max_seconds: float | None) -> bool:
        if deadline is not None and time.monotonic() >= deadline:
            self._out_of_time(report, max_seconds)
            return True
        return False

    def _send(self, request: SendRequest, deadline: float | None) -> Outcome:
        if deadline is None:
            return self.transport.send(request, self.clock.time())
        return self.transport.send(request, self.clock.time(), time_limit=deadline - time.monotonic())

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
