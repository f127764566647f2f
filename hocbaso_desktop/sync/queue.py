"""The queue's SQL: claiming the next due entry under a lease, finishing it, counting, retrying.

Every function takes the caller's session and runs inside the caller's transaction (the store opens
each one with BEGIN IMMEDIATE, so a claim and its state change are one atomic step).
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, text
from sqlalchemy.orm import Session

from .backoff import Backoff, utc_from_epoch
from .transport import ACKED, FAILED, SUPERSEDED, Outcome, SendRequest

# Unique per process (a pid alone repeats after restarts): leases name the process that took them.
PROCESS_TOKEN = f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
COUNTED_STATES = ("pending", "sent", "failed", "superseded")

# Versions of one record go out in order: an entry waits while a lower version of the same record
# is still pending, in flight or failed (failed needs the user: "Gửi lại").
_IN_ORDER = """NOT EXISTS (SELECT 1 FROM outbox p WHERE p.envelope_id = o.envelope_id AND p.version < o.version
                         AND p.state IN ('pending', 'sending', 'failed'))"""

# Two small queries instead of one sorted OR: a lease left by a dead or stalled sender first (few
# rows, found through ix_outbox_due's state prefix), then the earliest due pending entry, read in the
# order of ix_outbox_due itself (state, next_try_at, id) so that LIMIT stops at the first one that is
# in order. One query sorting every due row cost a sort of the whole queue per claim: quadratic in
# the queue's length. Both run inside the caller's BEGIN IMMEDIATE; on a server engine they are the
# row-locking SELECT … FOR UPDATE SKIP LOCKED of the same shape (issue 22).
_EXPIRED_LEASE = f"""
SELECT o.id, o.envelope_id, o.version, o.event, o.idempotency_key, o.package, o.state FROM outbox o
WHERE o.state = 'sending' AND (o.lease_until <= :now OR (:others_dead AND o.lease_owner NOT LIKE :mine))
  AND {_IN_ORDER}
ORDER BY o.id
LIMIT 1"""

_DUE_PENDING = f"""
SELECT o.id, o.envelope_id, o.version, o.event, o.idempotency_key, o.package, o.state FROM outbox o
WHERE o.state = 'pending' AND o.next_try_at <= :now AND {_IN_ORDER}
ORDER BY o.next_try_at, o.id
LIMIT 1"""


def new_owner() -> str:
    return f"{PROCESS_TOKEN}:{uuid.uuid4().hex[:8]}"


def claim_next(s: Session, owner: str, now: float, lease_seconds: float, *, others_dead: bool = False) -> SendRequest | None:
    """Take the next due entry (or one whose lease expired) for `owner`; None when nothing is due.

    `others_dead`: the caller holds the database's instance lock, so a lease taken by another
    process belongs to a process that died (kill -9, power cut) and is taken over at once instead of
    after its expiry. Leases of this process still wait for their expiry.
    """
    p = {"now": now, "others_dead": others_dead, "mine": PROCESS_TOKEN + ":%"}
    row = s.execute(text(_EXPIRED_LEASE), p).first() or s.execute(text(_DUE_PENDING), p).first()
    if row is None:
        return None
    # Guarded by the state just read: without the single writer's lock (a server engine), a claim
    # that lost the race changes nothing instead of taking another sender's entry.
    taken = cast(CursorResult[Any], s.execute(
        text("""UPDATE outbox SET state = 'sending', lease_owner = :owner, lease_until = :until,
                attempts = attempts + 1 WHERE id = :id AND state = :was"""),
        {"owner": owner, "until": now + lease_seconds, "id": row.id, "was": row.state})).rowcount
    if taken != 1:
        return None
    return SendRequest(row.id, row.envelope_id, row.version, row.event, row.idempotency_key, bytes(row.package))


def release(s: Session, request: SendRequest, owner: str) -> bool:
    """Give back an entry claimed ahead and never sent (the run stopped first): pending and due as it
    was, its attempt not counted. False when `owner` no longer holds it."""
    done = cast(CursorResult[Any], s.execute(
        text("""UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL,
                attempts = max(attempts - 1, 0) WHERE id = :id AND state = 'sending' AND lease_owner = :owner"""),
        {"id": request.entry_id, "owner": owner}))
    return done.rowcount == 1


@dataclass(frozen=True)
class Finished:
    applied: bool  # False: the lease was lost meanwhile (another sender owns the entry now)
    state: str
    next_try_at: float | None = None


def finish(s: Session, request: SendRequest, owner: str, outcome: Outcome, now: float, backoff: Backoff,
           destination: str) -> Finished:
    """Turn the transport's outcome into the entry's new state, only if `owner` still holds the lease."""
    guard = "WHERE id = :id AND state = 'sending' AND lease_owner = :owner"
    p = {"id": request.entry_id, "owner": owner, "status": outcome.status, "msg": outcome.message}
    if outcome.kind == ACKED:
        # One statement: the receipt is stored in the same write that makes the entry "sent"
        # (and a CHECK refuses "sent" without a receipt).
        p |= {"receipt": outcome.receipt, "at": utc_from_epoch(now), "to": destination[:300]}
        sql = f"""UPDATE outbox SET state = 'sent', receipt = :receipt, sent_at = :at, sent_to = :to,
                  last_status = :status, last_error = '', lease_owner = NULL, lease_until = NULL {guard}"""
        state, next_try = "sent", None
    elif outcome.kind in (SUPERSEDED, FAILED):
        state, next_try = outcome.kind, None
        p |= {"state": state}
        sql = f"""UPDATE outbox SET state = :state, last_status = :status, last_error = :msg,
                  lease_owner = NULL, lease_until = NULL {guard}"""
    else:  # retry / unreachable: back to pending, later
        attempts = s.execute(text("SELECT attempts FROM outbox WHERE id = :id"), {"id": request.entry_id}).scalar() or 1
        delay = outcome.retry_after if outcome.retry_after is not None else backoff.delay(attempts)
        state, next_try = "pending", now + delay
        p |= {"next": next_try}
        sql = f"""UPDATE outbox SET state = 'pending', next_try_at = :next, last_status = :status, last_error = :msg,
                  lease_owner = NULL, lease_until = NULL {guard}"""
    # An UPDATE's result is a CursorResult (it has rowcount); Session.execute is typed as the general Result.
    applied = cast(CursorResult[Any], s.execute(text(sql), p)).rowcount == 1
    return Finished(applied, state, next_try)


def counts(s: Session) -> dict[str, int]:
    """Entries per state; "sending" counts as pending (a sender holds it, it is not done)."""
    out = dict.fromkeys(COUNTED_STATES, 0)
    for state, n in s.execute(text("SELECT state, count(*) FROM outbox GROUP BY state")):
        out["pending" if state == "sending" else state] += n
    return out


def next_due_at(s: Session) -> float | None:
    """When the earliest pending entry that is not waiting for a lower version becomes due."""
    return s.execute(text(f"SELECT min(o.next_try_at) FROM outbox o WHERE o.state = 'pending' AND {_IN_ORDER}")).scalar()


def due_count(s: Session, now: float) -> int:
    return s.execute(text(f"SELECT count(*) FROM outbox o WHERE o.state = 'pending' AND o.next_try_at <= :now AND {_IN_ORDER}"),
                     {"now": now}).scalar() or 0


def retry_failed(s: Session, now: float, entry_ids: list[int] | None = None) -> list[int]:
    """The user asks to try failed entries again: due now, with a fresh backoff."""
    sql = "SELECT id FROM outbox WHERE state = 'failed'"
    ids = [r[0] for r in s.execute(text(sql))]
    if entry_ids is not None:
        wanted = set(entry_ids)
        ids = [i for i in ids if i in wanted]
    for i in ids:
        s.execute(text("UPDATE outbox SET state = 'pending', next_try_at = :now, attempts = 0 WHERE id = :id"),
                  {"now": now, "id": i})
    return ids


def last_error(s: Session) -> str:
    row = s.execute(text("""SELECT last_error FROM outbox WHERE last_error <> '' AND state IN ('pending', 'failed')
                            ORDER BY id DESC LIMIT 1""")).first()
    return row[0] if row else ""
