"""What the three signing benchmarks share: a school and its SoftHSM2 token set up through the
product, one signing step timed with the token's own time measured apart, and the checks that the
signatures timed are really in the database and verify.

The token's own time is the time inside the module's C_Sign (TokenRsaKey.inside_token_seconds,
added on the token lane around the C call alone): the floor no software can go under. The
software's own cost of a step is its wall time (plan, certificate choice, login, XAdES, storing each
signature in its own durable transaction, the issue) minus that token time, per record signature.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from hocbaso_desktop.services import directory
from hocbaso_desktop.services.demo import create_demo_school
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name
from hocbaso_desktop.services.signing_setup import create_school_demo_token, trust_store_for
from hocbaso_desktop.signing import Pkcs11Provider, ScriptedPinPrompt, verify_record
from hocbaso_desktop.signing.policy import issued_policy
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Record, RecordSignature

PIN = "112233"


@dataclass
class StepTimes:
    role: str
    signatures: int = 0  # record signatures stored
    planned: int = 0
    failed: list[str] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0
    plan: float = 0.0
    inside_token: float = 0.0  # inside C_Sign
    token_calls: int = 0  # C_Sign calls (the seal also signs the audit head)
    paper_copy: float = 0.0  # waiting for the paper copies after the last record was issued (inside `wall`)
    copies: int = 0  # paper copies stored by the batch

    @property
    def per_token_call(self) -> float:
        return self.inside_token / max(self.token_calls, 1)

    def software(self, *, paper_copy: bool = True) -> float:
        """Software's own seconds per record signature (the token's time taken out)."""
        own = self.wall - self.inside_token - (0.0 if paper_copy else self.paper_copy)
        return own / max(self.signatures, 1)

    def add(self, other: "StepTimes") -> None:
        for name in ("signatures", "planned", "wall", "cpu", "plan", "inside_token", "token_calls", "paper_copy", "copies"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failed += other.failed


class School:
    """The demo school (services/demo.py) and its demo token (signing_setup), in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.store = Store.open(folder / "bench.sqlite3")
        create_demo_school(self.store, seed=2025)
        self.token, _pin = create_school_demo_token(self.store, "system", pin=PIN)
        self.provider = Pkcs11Provider(self.token.module_path)

    def close(self) -> None:
        self.store.close()

    def sign(self, actor_code: str, class_ids: list[int], role: str) -> StepTimes:
        """One batch, as the sign dialog runs it: plan, choose the certificate, sign and store."""
        times = StepTimes(role)
        actor = directory.actor(self.store, actor_code)
        cpu0, t0 = time.process_time(), time.perf_counter()
        plan = plan_signing(self.store, actor, class_ids, role)
        times.plan = time.perf_counter() - t0
        choice = choose_certificate(self.provider, self.token.label, plan.role, actor.name, school_name(self.store))
        run = SigningRun(self.store, plan, self.provider, choice, ScriptedPinPrompt(lambda: PIN))
        for _progress in run:
            pass
        times.wall = time.perf_counter() - t0
        times.cpu = time.process_time() - cpu0
        key = run._key
        times.inside_token = float(getattr(key, "inside_token_seconds", 0.0))
        times.token_calls = int(getattr(key, "sign_count", 0))
        times.planned = len(plan.items)
        times.signatures = len(run.signed)
        times.failed = [f"{o.student_name}: {o.message}" for o in run.failed]
        # The copies render in workers during the loop; what is left after it is the wait for them.
        times.paper_copy = max(0.0, times.wall - (run.loop_ended_at - t0)) if run.copies is not None else 0.0
        times.copies = run.copies.stored if run.copies is not None else 0
        return times

    # -- what the database says ---------------------------------------------------------------
    def counts(self) -> tuple[int, int, int]:
        """(signature rows, record.sign audit entries, issued records)."""
        with self.store.read() as s:
            sigs = s.execute(select(func.count()).select_from(RecordSignature)).scalar() or 0
            audited = s.execute(select(func.count()).select_from(AuditEntry)
                                .where(AuditEntry.action == "record.sign")).scalar() or 0
            issued = s.execute(select(func.count()).select_from(Record).where(Record.status == "issued")).scalar() or 0
        return sigs, audited, issued

    def issued_xml(self) -> list[bytes]:
        with self.store.read() as s:
            return [x for x in s.execute(select(Record.signed_xml).where(Record.status == "issued")).scalars() if x]

    def verify_issued(self) -> tuple[int, int, list[str]]:
        """(verified, issued, first problems): each issued record against the issued-record policy."""
        trust = trust_store_for(self.store)
        xmls = self.issued_xml()
        bad: list[str] = []
        for xml in xmls:
            report = verify_record(xml, trust, policy=issued_policy())
            if not report.ok:
                bad.append("; ".join(report.problems + report.policy_problems
                                     + tuple(r for s in report.signatures for r in s.reasons))[:200])
        return len(xmls) - len(bad), len(xmls), bad[:3]


def bare_durable_commit(folder: Path, rounds: int = 60) -> float:
    """Median seconds of one durable commit (WAL, synchronous=FULL: the store's pragmas) of a small
    row on the same disk: the part of each signature's storing that only the disk decides."""
    path = folder / "floor-commit.sqlite3"
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=FULL")
        con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
        laps = []
        for _ in range(rounds):
            started = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            con.execute("INSERT INTO t (v) VALUES (?)", (os.urandom(64),))
            con.execute("COMMIT")
            laps.append(time.perf_counter() - started)
        return statistics.median(laps)
    finally:
        con.close()


def classes_by_size(store: Store) -> list[directory.ClassInfo]:
    return sorted(directory.classes(store), key=lambda c: -c.student_count)
