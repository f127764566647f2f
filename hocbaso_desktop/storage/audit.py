"""The audit log as a hash chain: h_i = SHA-256(h_{i-1} ‖ canonical JSON of entry i).

Triggers stop UPDATE/DELETE by mistake; the chain makes deliberate edits evident, and the head
anchored outside the database (sidecar file, archives, packages) makes a truncated tail evident.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from .models import AuditEntry

GENESIS = "0" * 64
_HEAD = select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
_INSERT = insert(cast(Table, AuditEntry.__table__))


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str, entity_id: str, changes: str) -> str:
    body = canonical_json(
        {"seq": seq, "at": at, "actor": actor, "action": action, "entity": entity, "entity_id": entity_id, "changes": changes}
    )
    return hashlib.sha256(bytes.fromhex(prev_hash) + body.encode("utf-8")).hexdigest()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


class AuditWriter:
    """Appends to the chain inside the caller's transaction; keeps the head cached for speed."""

    def __init__(self) -> None:
        self._head: tuple[int, str] | None = None

    def head(self, session: Session) -> tuple[int, str]:
        # On the session's connection, a statement built once: this runs on every keystroke of the grid.
        row = session.connection().execute(_HEAD).first()
        return (row[0], row[1]) if row else (0, GENESIS)

    def append(
        self, session: Session, actor: str, action: str, entity: str, entity_id: object, changes: dict[str, Any] | None,
        *, head: tuple[int, str] | None = None,
    ) -> AuditEntry:
        """`head`: the (seq, hash) the caller KNOWS is the head inside this same transaction (Tx.audit
        passes the entry it appended last, if still persistent); otherwise the head is read here, since a
        copy kept across transactions could be stale after one was rolled back."""
        seq, prev = head if head is not None else self.head(session)
        seq += 1
        at = now_iso()
        ch = canonical_json(changes or {})
        eid = str(entity_id)
        h = entry_hash(prev, seq, at, actor, action, entity, eid, ch)
        e = AuditEntry(id=seq, at=at, actor=actor, action=action, entity=entity, entity_id=eid, changes=ch, prev_hash=prev, hash=h)
        session.add(e)
        session.flush()
        return e


    def append_many(self, session: Session, actor: str, events: Sequence[tuple[str, str, object, dict[str, Any] | None]]) -> tuple[int, str]:
        """Many entries chained exactly like append, in bulk INSERTs: an import of 2,000 pupils would
        otherwise spend seconds re-reading the head and flushing per entry. Returns the new head."""
        session.flush()  # the caller's pending rows first, as the ORM's own bulk insert would
        seq, prev = self.head(session)
        rows = []
        for action, entity, entity_id, changes in events:
            seq += 1
            at = now_iso()
            ch = canonical_json(changes or {})
            eid = str(entity_id)
            h = entry_hash(prev, seq, at, actor, action, entity, eid, ch)
            rows.append({"id": seq, "at": at, "actor": actor, "action": action, "entity": entity, "entity_id": eid,
                         "changes": ch, "prev_hash": prev, "hash": h})
            prev = h
        conn = session.connection()
        for i in range(0, len(rows), 500):
            conn.execute(_INSERT, rows[i:i + 500])  # Core executemany on the table: no ORM bulk machinery
        return seq, prev


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head: tuple[int, str]
    first_bad: int | None = None
    reason: str = ""


def verify_chain(session: Session, anchor: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole chain; the anchor (seq, hash) kept outside the DB catches a cut-off tail."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    last = (0, GENESIS)
    for e in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
        if e.id != expected_seq:
            return ChainReport(False, count, last, e.id, f"Thiếu hoặc thừa mục trước mục #{e.id} (mong đợi #{expected_seq})")
        if e.prev_hash != prev:
            return ChainReport(False, count, last, e.id, f"Mục #{e.id} không nối với mục trước (prev_hash sai)")
        h = entry_hash(prev, e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.changes)
        if h != e.hash:
            return ChainReport(False, count, last, e.id, f"Mục #{e.id} đã bị sửa (hash không khớp)")
        prev = e.hash
        last = (e.id, e.hash)
        expected_seq += 1
        count += 1
    if anchor is not None and anchor[0] > 0:
        seq, h = anchor
        if seq > last[0]:
            return ChainReport(False, count, last, last[0] + 1, f"Nhật ký bị cắt: mục #{seq} đã ghi nhận nhưng không còn trong cơ sở dữ liệu")
        row = session.get(AuditEntry, seq)
        if row is None or row.hash != h:
            return ChainReport(False, count, last, seq, f"Mục #{seq} không khớp với đầu chuỗi đã lưu bên ngoài")
    return ChainReport(True, count, last)
