"""Opening the store: lock, pragmas, migrations, integrity check. One engine, one connection."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from ..domain.errors import RecordLocked, StoreError
from ..file_modes import create_private, open_private, private_dir, tighten
from .audit import AuditWriter, ChainReport, verify_chain
from .lock import InstanceLock
from .migrate import upgrade_to_head
from .models import AuditEntry

log = logging.getLogger(__name__)

# Migration 0011's triggers abort with this when a row an issued record was built from would change;
# a transaction turns it into the user's reason (services/frozen.py names the rows).
FROZEN_ABORT = "issued rows are frozen"
FROZEN_TEXT = ("Dữ liệu này thuộc học bạ đã phát hành (học sinh, lớp, trường hoặc cán bộ ghi trong học bạ): "
               "không thay đổi được, chỉ sửa qua phiếu đính chính đã được Hiệu trưởng duyệt.")
# Migrations 0005 and 0013: a locked school year's evaluations, classes, enrolments and assignments.
YEAR_LOCKED_ABORT = "school year is locked"
YEAR_LOCKED_TEXT = ("Năm học đã khóa: lớp, học sinh, phân công và đánh giá của năm học đó không thay đổi được "
                    "(Hiệu trưởng mở khóa năm học, ghi lý do, hoặc sửa qua phiếu đính chính đã được duyệt).")


def _frozen_refusal(e: BaseException) -> RecordLocked | None:
    from sqlalchemy.exc import DBAPIError

    if isinstance(e, DBAPIError) and FROZEN_ABORT in str(e.orig):
        return RecordLocked(FROZEN_TEXT)
    if isinstance(e, DBAPIError) and YEAR_LOCKED_ABORT in str(e.orig):
        return RecordLocked(YEAR_LOCKED_TEXT)
    return None


def default_db_path() -> Path:
    """--db wins, then HOCBASO_DB, then the platform's user data dir."""
    env = os.environ.get("HOCBASO_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("hocbaso", "hocbaso")) / "hocbaso.sqlite3"


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Python's sqlite3 opens implicit transactions; SQLAlchemy drives BEGIN itself (see _on_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _on_begin(conn: Any) -> None:
    # BEGIN IMMEDIATE: take the write lock at the start, so a user action never fails half-way on a busy DB.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass
class Tx:
    """One user action: a session plus the audit trail it must leave."""

    session: Session
    actor: str
    _audit: AuditWriter
    audited: int = 0

    head: tuple[int, str] | None = None
    # The last entry this transaction appended through audit(): while it is still persistent in the
    # session it IS the chain's head (one writer, BEGIN IMMEDIATE), so the next append need not read
    # the head again. A SAVEPOINT rolled back after it expunges it (it turns transient) and the head
    # is read from the database again: the chain can never skip or reuse a number.
    _last: AuditEntry | None = None

    def audit(self, action: str, entity: str, entity_id: object, changes: dict[str, Any] | None = None) -> None:
        last = self._last
        known = (last.id, last.hash) if last is not None and sa_inspect(last).persistent else None
        e = self._audit.append(self.session, self.actor, action, entity, entity_id, changes, head=known)
        self._last = e
        self.audited += 1
        self.head = (e.id, e.hash)

    def audit_many(self, events: Sequence[tuple[str, str, object, dict[str, Any] | None]]) -> None:
        """(action, entity, entity_id, changes) for each event, chained in order, inserted in bulk."""
        if events:
            self._last = None  # bulk rows are not tracked by the session: the next append reads the head
            self.head = self._audit.append_many(self.session, self.actor, events)
            self.audited += len(events)


class Store:
    """The open database file. Create with `Store.open(path)`; close when done."""

    def __init__(self, path: Path, engine: Engine, lock: InstanceLock | None) -> None:
        self.path = path
        self.engine = engine
        self._lock = lock
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._audit = AuditWriter()

    @classmethod
    def open(cls, path: str | Path | None = None, *, migrate: bool = True, exclusive: bool = True) -> "Store":
        p = Path(path) if path else default_db_path()
        private_dir(p.parent, existing_too=False)  # a folder we create is the owner's; one she chose is left
        lock = InstanceLock(p) if exclusive else None
        if lock:
            lock.acquire()
        try:
            # Owner-only before SQLite opens it: SQLite gives -wal/-shm the main file's mode.
            create_private(p)
            for extra in ("-wal", "-shm"):
                tighten(f"{p}{extra}")
            engine = create_engine(
                f"sqlite:///{p}",
                poolclass=QueuePool,
                pool_size=1,  # one connection: the single writer SQLite's WAL wants (reliability.md)
                max_overflow=0,
                pool_timeout=30,  # a deadlock on the single connection is a bug: fail loudly, not forever
                connect_args={"check_same_thread": False},
            )
            event.listen(engine, "connect", _on_connect)
            event.listen(engine, "begin", _on_begin)
            with engine.connect() as c:
                ver = c.exec_driver_sql("select sqlite_version()").scalar()
                log.info("SQLite %s, database %s", ver, p)
                qc = c.exec_driver_sql("PRAGMA quick_check").scalar()
                if qc != "ok":
                    raise StoreError(f"Tệp dữ liệu {p} bị hỏng (quick_check: {qc}). Hãy khôi phục từ bản sao lưu.")
            if migrate:
                upgrade_to_head(engine, p)
            store = cls(p, engine, lock)
            return store
        except sqlite3.DatabaseError as e:
            if lock:
                lock.release()
            raise StoreError(f"Không mở được tệp dữ liệu {p}: {e}") from None
        except Exception as e:
            if lock:
                lock.release()
            from sqlalchemy.exc import DatabaseError

            if isinstance(e, DatabaseError):
                raise StoreError(f"Không mở được tệp dữ liệu {p}: {e.orig}") from None
            raise

    def close(self) -> None:
        self.engine.dispose()
        if self._lock:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- sessions ---------------------------------------------------------------------------
    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit: never commits."""
        with self._sessions() as s:
            try:
                yield s
            finally:
                s.rollback()

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Tx]:
        """One user action = one transaction, audited; the chain head is anchored after commit."""
        with self._sessions() as s:
            tx = Tx(s, actor, self._audit)
            try:
                yield tx
                s.commit()
            except BaseException as e:
                s.rollback()
                refusal = _frozen_refusal(e)
                if refusal is not None:
                    raise refusal from None
                raise
        if tx.audited:
            # The head we appended is the committed head (one writer): no second read needed.
            self._anchor_head(tx.head if tx.head is not None else None)

    # --- audit -----------------------------------------------------------------------------
    @property
    def anchor_path(self) -> Path:
        return Path(str(self.path) + ".audit-head")

    def _anchor_head(self, head: tuple[int, str] | None = None) -> None:
        if head is None:
            with self.read() as s:
                head = self._audit.head(s)
        seq, h = head
        # One write() of ~80 bytes at offset 0 of the one file, then the length: a reader (or a crash)
        # sees the old line or the new one, as with a temp file renamed over it, but without the
        # rename, which costs about half a durable commit right after SQLite's fsync (every edit).
        data = f"{seq} {h}\n".encode("ascii")
        fd = open_private(self.anchor_path, os.O_WRONLY | os.O_CREAT)
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, data)
            os.ftruncate(fd, len(data))
        finally:
            os.close(fd)

    def read_anchor(self) -> tuple[int, str] | None:
        try:
            seq, h = self.anchor_path.read_text(encoding="ascii").split()
            return int(seq), h
        except (OSError, ValueError):
            return None

    def verify_audit(self) -> ChainReport:
        with self.read() as s:
            return verify_chain(s, self.read_anchor())

    def integrity_check(self) -> list[str]:
        """Full integrity_check + foreign_key_check (before an export, after a restore)."""
        problems: list[str] = []
        with self.engine.connect() as c:
            for row in c.exec_driver_sql("PRAGMA integrity_check"):
                if row[0] != "ok":
                    problems.append(str(row[0]))
            for row in c.exec_driver_sql("PRAGMA foreign_key_check"):
                problems.append(f"foreign key: {tuple(row)}")
        return problems

    def execute_raw(self, sql: str) -> None:
        """For tests that act as someone with the file and sqlite3 (triggers must still hold)."""
        with self.engine.begin() as c:
            c.execute(text(sql))
