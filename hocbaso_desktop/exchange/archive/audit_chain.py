"""Re-checking the audit log's hash chain from the archive's JSON lines, without any database.

The formula is storage/audit.py's (h_i = SHA-256(h_{i-1} ‖ canonical JSON of entry i)), written out
again here on purpose: the verifier must run years later without the storage package. A test pins
the two implementations to the same hashes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

from ...signing.chain_head import (
    HEAD_ACTION,
    ISSUE_ACTION,
    SEALED_ACTIONS,
    head_message,  # noqa: F401 - re-exported: tests pin one format
)

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
    hashes: dict[int, str] = field(default_factory=dict, compare=False, repr=False)  # seq → hash
    signed_heads: tuple[tuple[int, str, str], ...] = ()  # (seq, at, changes) of every audit.head_signed entry
    issue_only: tuple[int, ...] = ()  # seq of every record.issue entry
    issues: tuple[int, ...] = ()  # seq of every entry a signed head must follow (issue, year lock)


def check_chain(lines: Iterable[str]) -> ChainCheck:
    prev, expected, last = GENESIS, 1, (0, GENESIS)
    hashes: dict[int, str] = {}
    heads: list[tuple[int, str, str]] = []
    issues: list[int] = []
    issue_only: list[int] = []
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
        hashes[seq] = stored
        if fields[2] == HEAD_ACTION:
            heads.append((seq, fields[0], fields[5]))
        elif fields[2] in SEALED_ACTIONS:
            issues.append(seq)
            if fields[2] == ISSUE_ACTION:
                issue_only.append(seq)
    return ChainCheck(True, expected - 1, last, hashes=hashes, signed_heads=tuple(heads), issues=tuple(issues),
                      issue_only=tuple(issue_only))


# ---- the seal-signed heads (services/audit_heads.py writes them; one format: signing/chain_head.py) ----


def check_signed_heads(chain: ChainCheck, trust: Any, school: str) -> list[str]:
    """Every signed head in the archive's log must vouch for the chain as it is: the chain up to its
    seq still hashes to the hash the school's seal signed, the signature verifies, the certificate is
    a trusted organisation certificate of `school`; and no record.issue lies beyond the last signed
    head. A log an insider recomputed end to end (no seal key) fails at the first head after the edit;
    one whose heads were deleted fails on the issues nobody vouches for."""
    from ...signing.chain_head import HeadFormatError, SignedHead

    problems: list[str] = []
    covered = 0
    for entry_seq, at, changes in chain.signed_heads:
        where = f"đầu chuỗi đã ký ở mục #{entry_seq}"
        try:
            head = SignedHead.from_detail(json.loads(changes), at)
            head.signing_time()
        except (ValueError, HeadFormatError):
            problems.append(f"{where}: nội dung không đọc được")
            continue
        seq = head.seq
        if not 0 < seq < entry_seq or chain.hashes.get(seq) != head.hash:
            problems.append(f"{where}: chuỗi nhật ký đến mục #{seq} không còn cho mã băm đã ký bằng con dấu — "
                            "nhật ký đã bị viết lại")
            continue
        why = head.problem(trust, school)
        if why is not None:
            problems.append(f"{where}: {why}")
            continue
        covered = max(covered, seq)
    bare = next((i for i in chain.issues if i > covered), None)
    issue_seqs = set(chain.issue_only)
    if bare is not None:
        what = "phát hành học bạ" if bare in issue_seqs else "khóa năm học"
        problems.append(f"mục #{bare} ({what}) không có đầu chuỗi nào ký bằng con dấu nhà trường xác nhận: "
                        "các đầu chuỗi đã ký đã bị xóa hoặc nhật ký đã bị viết lại")
    return problems
