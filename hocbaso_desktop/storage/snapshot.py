"""Backup files of the database: SQLite's online backup API, written safely, kept to the last N.

This is the storage half (no rights, no audit): it must work before the schema is migrated, so
`storage/migrate.py` can call it without importing the services. services/backup.py builds the
use cases (daily backup, list, check, restore) on top of it.

Why the online backup API and not a file copy: a copy of a live WAL database can miss committed
pages still in the -wal file or catch a page mid-write (reliability.md). The backup runs on the
store's own connection, so no second connection ever touches the live file (the WAL-reset bug).
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..file_modes import create_private, private_dir

if TYPE_CHECKING:  # only for the annotation: this module is imported before SQLAlchemy is needed
    from sqlalchemy import Engine

DIR_KEY = "backup.dir"  # the setting rows read here; services/settings.py owns their writing
KEEP_KEY = "backup.keep"
DEFAULT_KEEP = 14
ENV_DIR = "HOCBASO_BACKUP_DIR"  # a per-process override (tests, a school's script); beats the setting
SUFFIX = ".sqlite3"
# hocbaso-<db stem>-<YYYYmmdd-HHMMSS>-<reason>.sqlite3 : sorts by time within one database
_NAME = re.compile(r"^hocbaso-(?P<stem>.+)-(?P<ts>\d{8}-\d{6})-(?P<reason>[a-z0-9-]+)\.sqlite3$")


@dataclass(frozen=True)
class BackupFile:
    path: Path
    db_stem: str
    taken_at: datetime
    reason: str  # daily | manual | migration | year-lock | before-restore
    size: int
    mtime_ns: int  # orders two backups taken within the same second


def default_backup_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("hocbaso", "hocbaso")) / "backups"


def configured_dir(setting_value: str | None) -> Path:
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    return Path(setting_value) if setting_value else default_backup_dir()


def parse_keep(value: str | None) -> int:
    try:
        n = int(value) if value else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP
    return n if 1 <= n <= 365 else DEFAULT_KEEP


def read_settings_raw(dbapi_conn: sqlite3.Connection) -> tuple[Path, int]:
    """Backup folder and count straight from the `setting` table (works on any schema revision)."""
    values: dict[str, str] = {}
    try:
        for key, value in dbapi_conn.execute("SELECT key, value FROM setting WHERE key IN (?, ?)", (DIR_KEY, KEEP_KEY)):
            values[key] = value
    except sqlite3.DatabaseError:
        pass  # no setting table yet: defaults
    return configured_dir(values.get(DIR_KEY)), parse_keep(values.get(KEEP_KEY))


def backup_name(db_path: Path, reason: str, now: datetime | None = None) -> str:
    ts = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"hocbaso-{db_path.stem}-{ts}-{reason}{SUFFIX}"


def parse_name(path: Path) -> BackupFile | None:
    m = _NAME.match(path.name)
    if not m:
        return None
    try:
        taken = datetime.strptime(m["ts"], "%Y%m%d-%H%M%S")
        st = path.stat()
    except (ValueError, OSError):
        return None
    return BackupFile(path, m["stem"], taken, m["reason"], st.st_size, st.st_mtime_ns)


def list_files(folder: Path, db_stem: str | None = None) -> list[BackupFile]:
    """Backups in `folder` (of one database when `db_stem` is given), oldest first."""
    if not folder.is_dir():
        return []
    found = [b for p in folder.glob(f"hocbaso-*{SUFFIX}") if (b := parse_name(p)) is not None]
    if db_stem is not None:
        found = [b for b in found if b.db_stem == db_stem]
    return sorted(found, key=lambda b: (b.taken_at, b.mtime_ns, b.path.name))


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a directory for fsync; NTFS journals the rename
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_backup(source: sqlite3.Connection, dest: Path) -> Path:
    """Online backup of `source` into `dest`: temp file → backup → fsync → rename.

    The copy is switched to journal_mode=DELETE so it is one self-contained file (the live file's
    header says WAL; a WAL-mode backup would want -wal/-shm files beside it when opened)."""
    # Backups hold the whole school: owner-only, and so is a backup folder we create (or our default one).
    private_dir(dest.parent, existing_too=dest.parent == default_backup_dir())
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        create_private(tmp)  # an empty file is an empty database; SQLite keeps its mode (and its journal's)
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
            ok = target.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            target.close()
        if ok != "ok":
            raise sqlite3.DatabaseError(f"quick_check of the copy: {ok}")
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


ROUTINE = ("hang-ngay", "thu-cong")  # rotated; backups taken before an event (migration, lock, restore) are kept


def prune(folder: Path, db_stem: str, keep: int, spare: Path | None = None) -> list[Path]:
    """Delete all but the newest `keep` routine backups of one database; returns what was removed.

    Backups taken before a migration, a year lock or a restore are rare and mark a point the school
    may need to go back to, so the rotation leaves them alone."""
    files = [b for b in list_files(folder, db_stem) if any(b.reason == r or b.reason.startswith(r + "-") for r in ROUTINE)]
    doomed = [b for b in (files[:-keep] if keep > 0 else []) if b.path != spare]
    removed = []
    for b in doomed:
        try:
            b.path.unlink()
            removed.append(b.path)
        except OSError:
            pass  # a backup someone opened elsewhere: try again next time
    return removed


def backup_connection(dbapi_conn: sqlite3.Connection, db_path: Path, reason: str,
                      folder: Path | None = None, keep: int | None = None) -> Path:
    """One backup of an open connection into the configured (or given) folder, then rotation."""
    cfg_dir, cfg_keep = read_settings_raw(dbapi_conn)
    target_dir = folder or cfg_dir
    dest = target_dir / backup_name(db_path, reason)
    n = 1
    while dest.exists():  # two backups in the same second (a migration right after a manual one)
        dest = target_dir / backup_name(db_path, f"{reason}-{n}")
        n += 1
    write_backup(dbapi_conn, dest)
    prune(target_dir, db_path.stem, keep or cfg_keep, spare=dest)
    return dest


def backup_before_migration(engine: Engine, db_path: Path, from_revision: str) -> Path:
    """Called by migrate.py when an existing schema is about to be upgraded.

    No backup, no migration: the school keeps the old program working on the untouched file rather
    than an upgraded file nobody can go back from."""
    from ..domain.errors import StoreError

    reason = "truoc-nang-cap-" + re.sub(r"[^a-z0-9]+", "-", from_revision.lower()).strip("-")
    try:
        with engine.connect() as c:
            # migrate.py only upgrades SQLite files, whose DBAPI connection SQLAlchemy types as Any | None
            raw = cast(sqlite3.Connection, c.connection.driver_connection)
            return backup_connection(raw, db_path, reason)
    except (OSError, sqlite3.Error) as e:
        raise StoreError(
            f"Không tạo được bản sao lưu trước khi nâng cấp dữ liệu {db_path} ({e}). Tệp dữ liệu chưa bị thay đổi. "
            f"Hãy kiểm tra thư mục sao lưu (còn chỗ trống, có quyền ghi) rồi mở lại chương trình.") from None
