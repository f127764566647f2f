"""The paper copies of the records a seal batch issues, rendered off the signing path.

Each issued record's copy is rendered from its signed XML (never live rows, issue 15) in worker
processes (exchange/paper_batch.PaperRenderer) while the token signs the next records, and stored as
soon as it is ready — the copies ready at that moment in one audited transaction of their own
(services/paper_copies.store_paper_copy). The issue itself never waits on reportlab.

The issue and its copy are no longer one transaction, and need not be: the copy is a deterministic
function of the signed bytes the issue committed. A crash (or a cancel) between the two leaves an
issued record without its copy, which `heal` renders at the end of the next seal batch and the
archive export renders before its snapshot (paper_copies.backfill_steps): the same
bytes, audited the same way. A copy is stored only if its record is still issued with the hash
it was rendered from, and once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Generator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import func, select

from ..domain.errors import HocbasoError
from ..exchange.paper_batch import PaperRenderer, SignedPaper, render_signed_xml
from ..storage.engine import Store
from ..storage.models import AuditEntry, Record, RecordPaperCopy
from .paper_copies import store_paper_copy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Pending:
    record_id: int
    sha256: str  # of the signed XML the copy is rendered from
    future: Future[tuple[bool, bytes | str]]
    job: SignedPaper


class IssueCopies:
    """One seal batch's copies: `add` after each issue commits, `store_ready` between records,
    `finish` (or `close` on cancel) at the end. `stored` and `problems` say what happened."""

    def __init__(self, store: Store, actor_code: str, expected: int) -> None:
        self.store = store
        self.actor_code = actor_code
        self._expected = expected
        self._renderer: PaperRenderer | None = None
        self._pending: list[_Pending] = []
        self._seen: set[int] = set()
        self.stored = 0
        self.problems: list[str] = []  # Vietnamese, one per copy left for the next seal batch / export
        # (head before, head after) of the audit log around the last transaction that stored copies,
        # the first read under its write lock: the signing run tells these entries of its own batch
        # from a foreign change (which makes it rebuild every content) by the head it last saw.
        self.last_span: tuple[int, int] | None = None

    def _render(self) -> PaperRenderer:
        if self._renderer is None:  # workers start with the first issue, not with the plan
            self._renderer = PaperRenderer(self._expected, background=True)
        return self._renderer

    def start(self) -> None:
        """Start the workers before the first issue (while the token logs in and the PIN is asked)."""
        self._render().warm_up()

    def add(self, record_id: int, signed_xml: bytes, valid_from: date | None, sha256: str | None = None) -> None:
        """Render the copy of `record_id` from these bytes; it is stored only if they are (still) the
        record's signed XML, by hash, and `valid_from` its issue date. `sha256`: their hash, when the
        caller has just computed it (the issue did)."""
        if record_id in self._seen:
            return
        self._seen.add(record_id)
        job = SignedPaper(signed_xml, valid_from)
        digest = sha256 or hashlib.sha256(signed_xml).hexdigest()
        self._pending.append(_Pending(record_id, digest, self._render().submit(job), job))

    def store_ready(self) -> int:
        """Store the copies rendered so far (one transaction); never waits on a worker."""
        ready = [p for p in self._pending if p.future.done()]
        return self._store(ready)

    def heal(self) -> None:
        """Queue the copies missing for any issued record (a crash or a cancel between an earlier
        issue and its copy; records issued before copies were stored): the export would make them
        anyway, here they render while this batch's last copies do."""
        with self.store.read() as s:
            rows = s.execute(
                select(Record.id, Record.signed_xml, Record.valid_from)
                .outerjoin(RecordPaperCopy, RecordPaperCopy.record_id == Record.id)
                .where(Record.status == "issued", RecordPaperCopy.record_id.is_(None))
                .order_by(Record.id)).all()
        self._expected = max(self._expected, len(self._seen) + len(rows))  # sizes the workers, if not started yet
        for rid, xml, valid_from in rows:
            if xml:  # bytes that do not match the record's hash are refused when storing
                self.add(int(rid), bytes(xml), valid_from)

    def drain(self) -> Generator[tuple[int, int], None, None]:
        """Wait for the copies still rendering, storing them as they come; yields (stored, queued)
        after each store, so a progress bar moves and Cancel can stop the wait (close: the rest is
        left for the next seal batch or the export). The workers stop at the end."""
        try:
            while self._pending:
                # The loop is over: this process renders too, taking the last copies no worker started.
                if not self._render_one_here():
                    wait([p.future for p in self._pending], return_when=FIRST_COMPLETED)
                self.store_ready()
                yield self.stored, self.queued
        finally:
            self.close()

    @property
    def queued(self) -> int:
        return len(self._seen)

    def _render_one_here(self) -> bool:
        for i in range(len(self._pending) - 1, -1, -1):  # from the end: the workers take from the front
            p = self._pending[i]
            if p.future.cancel():
                here: Future[tuple[bool, bytes | str]] = Future()
                try:
                    here.set_result((True, render_signed_xml(p.job.xml, p.job.valid_from)))
                except HocbasoError as e:
                    here.set_result((False, e.message))
                self._pending[i] = replace(p, future=here)
                return True
        return False

    def finish(self) -> int:
        """drain() to the end: the number of copies this batch stored."""
        for _ in self.drain():
            pass
        return self.stored

    def close(self) -> None:
        """Stop the workers; copies not stored yet are left for the next seal batch or export."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None
        left = len(self._pending)
        if left:
            self.problems.append(f"{left} bản giấy chưa lưu: sẽ được tạo lại ở lần đóng dấu hoặc xuất lưu trữ sau")
        self._pending = []

    def _store(self, ready: list[_Pending]) -> int:
        if not ready:
            return 0
        pdfs: list[tuple[_Pending, bytes]] = []
        for p in ready:
            self._pending.remove(p)
            ok, value = _result(p)
            if ok and isinstance(value, bytes):
                pdfs.append((p, value))
            else:
                self.problems.append(f"Không tạo được bản giấy của học bạ #{p.record_id}: {value!s}")
        if not pdfs:
            return 0
        stored = 0
        try:
            with self.store.transaction(self.actor_code) as tx:
                s = tx.session
                before = s.execute(select(func.max(AuditEntry.id))).scalar() or 0
                have = set(s.execute(select(RecordPaperCopy.record_id).where(
                    RecordPaperCopy.record_id.in_([p.record_id for p, _ in pdfs]))).scalars())
                for p, pdf in pdfs:
                    rec = s.get(Record, p.record_id)
                    if p.record_id in have or rec is None or rec.status != "issued":
                        continue  # stored meanwhile (an export's back-fill), or no longer an issued version
                    if rec.sha256 != p.sha256 or rec.valid_from != p.job.valid_from:
                        self.problems.append(f"Bản giấy của học bạ #{p.record_id} không được tạo từ đúng bản đã ký "
                                             "(mã băm hoặc ngày hiệu lực khác): không lưu")
                        continue
                    try:
                        store_paper_copy(s, tx.audit, rec, pdf=pdf)  # checks the signed bytes' hash first
                    except HocbasoError as e:
                        self.problems.append(e.message)
                        continue
                    stored += 1
                after = tx.head[0] if tx.head is not None else before
        except Exception as e:  # noqa: BLE001 - the records are issued already: their copies wait for the back-fill
            log.exception("paper copies of issued records not stored")
            self.problems.append(f"Không lưu được {len(pdfs)} bản giấy: {e}; sẽ được tạo lại ở lần đóng dấu hoặc xuất lưu trữ sau")
            return 0
        self.last_span = (before, after)
        self.stored += stored
        return stored


def _result(p: _Pending) -> tuple[bool, bytes | str]:
    try:
        return p.future.result()
    except BrokenProcessPool:  # a worker died (killed, out of memory): render this one here
        log.warning("paper-copy worker died; rendering record %s in process", p.record_id)
        try:
            return True, render_signed_xml(p.job.xml, p.job.valid_from)
        except Exception as e:  # noqa: BLE001 - left for the back-fill, said in `problems`
            return False, str(e)
