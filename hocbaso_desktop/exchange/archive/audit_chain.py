"""Re-checking the audit log's hash chain from the archive's JSON lines, without any database.

The formula is storage/audit.py's (h_i = SHA-256(h_{i-1} ‖ canonical JSON of entry i)), written out
again here on purpose: the verifier must run years later without the storage package. A test pins
the two implementations to the same hashes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

GENESIS = "0" * 64
AUDIT_FIELDS = ("seq", "at", "actor", "action", "entity", "entity_id", "changes", "prev_hash", "hash")


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, entity: str, entity_id: str, changes: str) -> str:
    body = canonical_json(
        {"seq": seq, "at": at, "actor": actor, "action": action, "entity": entity, "entity_id": entity_id, "changes": changes}
    )
    return hashlib.sha256(bytes.fromhex(prev_hash) + body.encode("utf-8")).hexdigest()


def audit_line(entry: dict[str, Any]) -> str:
    return canonical_json({k: entry[k] for k in AUDIT_FIELDS}) + "\n"


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    count: int
    head: tuple[int, str]
    reason: str = ""


def check_chain(lines: Iterable[str]) -> ChainCheck:
    prev, expected, last = GENESIS, 1, (0, GENESIS)
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            e = json.loads(line)
            seq = int(e["seq"])
            fields = [str(e[k]) for k in ("at", "actor", "action", "entity", "entity_id", "changes")]
            stored_prev, stored = str(e["prev_hash"]), str(e["hash"])
            bytes.fromhex(stored_prev)
        except (ValueError, KeyError, TypeError):
            return ChainCheck(False, expected - 1, last, f"dòng {n} của nhật ký không đọc được")
        if seq != expected:
            return ChainCheck(False, expected - 1, last, f"thiếu hoặc thừa mục trước mục #{seq} (mong đợi #{expected})")
        if stored_prev != prev:
            return ChainCheck(False, expected - 1, last, f"mục #{seq} không nối với mục trước")
        if entry_hash(prev, seq, *fields) != stored:
            return ChainCheck(False, expected - 1, last, f"mục #{seq} đã bị sửa (mã băm không khớp)")
        prev, last, expected = stored, (seq, stored), expected + 1
    return ChainCheck(True, expected - 1, last)
