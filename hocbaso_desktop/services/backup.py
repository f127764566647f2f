"""Backups of the school's database: daily, on demand, before a migration and a year lock; restore.

The files are written by storage/snapshot.py (SQLite online backup API on the store's own
connection). A restore:
  1. copies the chosen file beside the database, so what is checked is exactly what is restored
     (a USB stick can change or vanish between the check and the copy);
  2. refuses it unless integrity_check and foreign_key_check are clean and its schema revision is
     one this program knows (reliability.md: integrity check around a restore), its triggers are
     exactly those the migrations create at that revision (someone with the file can drop them,
     edit, and put them back: storage/restore_check.py), its audit chain is consistent and every
     head signed with the school's seal still matches (services/audit_heads.py);
  3. migrates the COPY to the current schema and checks it again (integrity, triggers at head):
     the live file is never migrated half-way from a backup;
  4. backs up the current database ("truoc-khoi-phuc"), so a wrong choice can itself be undone;
  5. copies the checked file INTO the live connection with the backup API (the instance lock stays
     held the whole time: no other program can open the file half-restored);
  6. runs integrity_check again, and writes an audited "backup.restore" entry whose commit
     re-anchors the audit chain beside the database.
The GUI then restarts the program: its windows still show the data from before.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import cast

from ..domain.errors import HocbasoError, InvalidValue
from ..domain.rights import EDIT_SETTINGS, require
from ..domain.roles import Actor
from ..storage import snapshot
from ..storage.engine import Store
from ..storage.migrate import alembic_config, upgrade_to_head
from . import settings

DAILY, MANUAL, YEAR_LOCK, BEFORE_RESTORE = "hang-ngay", "thu-cong", "truoc-khoa-nam", "truoc-khoi-phuc"
REASON_TITLES = {DAILY: "hằng ngày", MANUAL: "sao lưu ngay", YEAR_LOCK: "trước khi khóa năm học",
                 BEFORE_RESTORE: "trước khi khôi phục"}


class BackupRejected(HocbasoError):
    """A file that must not replace the school's data; the message says why, in Vietnamese."""

    exit_code = 2


@dataclass(frozen=True)
class BackupSettings:
    folder: Path  # effective folder (env override, setting, or the default)
    folder_setting: str | None  # what the school set, None = default
    keep: int


@dataclass(frozen=True)
class RestoreResult:
    restored_from: Path
    previous_saved_as: Path  # the database as it was just before the restore
    revision: str  # schema revision of the restored file before its migration
    audit_entries: int


def reason_title(reason: str) -> str:
    if reason.startswith("truoc-nang-cap"):
        return "trước khi nâng cấp dữ liệu"
    return REASON_TITLES.get(reason.rsplit("-", 1)[0] if reason[-1:].isdigit() else reason, reason)


# --- settings ----------------------------------------------------------------------------------
def backup_settings(store: Store) -> BackupSettings:
    with store.read() as s:
        folder_value = settings.read(s, settings.BACKUP_DIR) or None
        keep = snapshot.parse_keep(settings.read(s, settings.BACKUP_KEEP))
    return BackupSettings(snapshot.configured_dir(folder_value), folder_value, keep)


def settings_values(folder: str | None, keep: int) -> dict[str, str | None]:
    """Validated setting rows for the settings dialog's single audited "Lưu"."""
    if not 1 <= keep <= 365:
        raise InvalidValue("Số bản sao lưu giữ lại", keep, "từ 1 đến 365")
    folder = (folder or "").strip() or None
    if folder is not None and not Path(folder).is_absolute():
        raise InvalidValue("Thư mục sao lưu", folder, "cần một đường dẫn đầy đủ (ví dụ D:\\SaoLuu hoặc /media/usb)")
    return {settings.BACKUP_DIR: folder, settings.BACKUP_KEEP: None if keep == snapshot.DEFAULT_KEEP else str(keep)}


def set_backup_settings(store: Store, actor: Actor, folder: str | None, keep: int) -> int:
    require(actor, EDIT_SETTINGS)
    return settings.set_many(store, actor.code, settings_values(folder, keep))


# --- taking and listing backups ----------------------------------------------------------------
def backup_now(store: Store, reason: str = MANUAL, folder: Path | str | None = None) -> snapshot.BackupFile:
    """One backup on the store's connection (never a second connection to the live file)."""
    try:
        with store.engine.connect() as c:
            # the store is always SQLite, whose DBAPI connection SQLAlchemy types as Any | None
            raw = cast(sqlite3.Connection, c.connection.driver_connection)
            path = snapshot.backup_connection(raw, store.path, reason, Path(folder) if folder else None)
    except (OSError, sqlite3.Error) as e:
        raise HocbasoError(f"Không sao lưu được dữ liệu: {e}. Hãy kiểm tra thư mục sao lưu (còn chỗ trống, có quyền ghi).") from None
    info = snapshot.parse_name(path)
    assert info is not None  # we named it
    return info


def list_backups(store: Store, folder: Path | str | None = None) -> list[snapshot.BackupFile]:
    """Backups of this database, newest first."""
    where = Path(folder) if folder else backup_settings(store).folder
    return list(reversed(snapshot.list_files(where, store.path.stem)))


def daily_due(store: Store, today: date | None = None) -> bool:
    """True when this database has no backup of any kind dated today."""
    today = today or date.today()
    return not any(b.taken_at.date() == today for b in list_backups(store))


def run_daily(store: Store, today: date | None = None) -> snapshot.BackupFile | None:
    return backup_now(store, DAILY) if daily_due(store, today) else None


# --- checking and restoring ----------------------------------------------------------------------
def check_backup_file(path: Path, shown_name: str | None = None) -> str:
    """The schema revision of a sound backup; BackupRejected (Vietnamese) for anything else."""
    name = shown_name or path.name
    if not path.is_file():
        raise BackupRejected(f"Không tìm thấy tệp sao lưu {path}.")
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupRejected(f"Tệp {name} không phải bản sao lưu dữ liệu Học bạ số (không phải tệp SQLite). "
                                 "Dữ liệu hiện tại không bị thay đổi.")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as e:
        raise BackupRejected(f"Không mở được tệp sao lưu {name}: {e}. Dữ liệu hiện tại không bị thay đổi.") from None
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        if problems:
            raise BackupRejected(
                f"Tệp sao lưu {name} bị hỏng (kiểm tra toàn vẹn: {'; '.join(problems[:3])}). "
                "Không khôi phục từ tệp này; dữ liệu hiện tại không bị thay đổi. Hãy chọn một bản sao lưu khác.")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            raise BackupRejected(
                f"Tệp sao lưu {name} có {len(fk)} liên kết dữ liệu bị đứt (bảng {fk[0][0]}). "
                "Không khôi phục từ tệp này; dữ liệu hiện tại không bị thay đổi. Hãy chọn một bản sao lưu khác.")
        try:
            rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            conn.execute("SELECT count(*) FROM audit_log").fetchone()
        except sqlite3.DatabaseError:
            rev = None
    except sqlite3.DatabaseError as e:  # "file is not a database", "database disk image is malformed"
        raise BackupRejected(f"Tệp sao lưu {name} bị hỏng ({e}). Không khôi phục từ tệp này; "
                             "dữ liệu hiện tại không bị thay đổi. Hãy chọn một bản sao lưu khác.") from None
    finally:
        conn.close()
    if not rev:
        raise BackupRejected(f"Tệp {name} không phải bản sao lưu dữ liệu Học bạ số. Dữ liệu hiện tại không bị thay đổi.")
    from alembic.script import ScriptDirectory

    known = {r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if rev[0] not in known:
        raise BackupRejected(f"Tệp sao lưu {name} do phiên bản Học bạ số mới hơn tạo ra (lược đồ {rev[0]}). "
                             "Hãy cập nhật chương trình trước khi khôi phục.")
    return str(rev[0])


def _refuse(name: str, check: str, detail: str) -> BackupRejected:
    return BackupRejected(f"Tệp sao lưu {name} không qua {check}: {detail}. Không khôi phục từ tệp này; "
                          "dữ liệu hiện tại không bị thay đổi. Hãy chọn một bản sao lưu khác.")


def verify_copy(store: Store, staged: Path, shown_name: str) -> str:
    """Every check a restore needs, on the staged copy; migrates the copy to the current schema.
    Returns the copy's revision before its migration; BackupRejected names the failed check."""
    from alembic.script import ScriptDirectory

    from ..storage.audit import verify_chain
    from ..storage.restore_check import trigger_problems, upgrade_file
    from .audit_heads import trust_for, verify_heads

    revision = check_backup_file(staged, shown_name)  # integrity_check, foreign_key_check, known schema
    problems = trigger_problems(staged, revision)
    if problems:
        raise _refuse(shown_name, "kiểm tra trigger bảo vệ dữ liệu",
                      f"khác với trigger chương trình tạo ở lược đồ {revision} ({', '.join(problems[:5])}); "
                      "tệp có thể đã bị sửa")
    trust = trust_for(store)
    copy = Store.open(staged, migrate=False, exclusive=False)
    try:
        with copy.read() as s:
            chain = verify_chain(s)
            if not chain.ok:
                raise _refuse(shown_name, "kiểm tra chuỗi nhật ký", chain.reason)
            heads = verify_heads(s, trust)
            if not heads.ok:
                raise _refuse(shown_name, "kiểm tra đầu chuỗi đã ký bằng con dấu", heads.reason)
    finally:
        copy.close()
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if revision != head:
        try:
            upgrade_file(staged, "head")
        except Exception as e:  # noqa: BLE001 - any failure of an old file's migration refuses it
            raise _refuse(shown_name, f"nâng cấp lược đồ {revision} → {head} (trên bản sao)", str(e)) from None
        with closing(sqlite3.connect(staged)) as c:
            bad = [r[0] for r in c.execute("PRAGMA integrity_check") if r[0] != "ok"]
        if bad:
            raise _refuse(shown_name, "kiểm tra toàn vẹn sau khi nâng cấp", "; ".join(bad[:3]))
        problems = trigger_problems(staged, str(head))
        if problems:
            raise _refuse(shown_name, "kiểm tra trigger sau khi nâng cấp",
                          f"khác với trigger của lược đồ {head} ({', '.join(problems[:5])})")
    return revision


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _stage_private(source: Path, staged: Path) -> None:
    """Copy `source` to `staged`, the copy owner-only from its first byte: created with 0o600
    (file_modes), never chmod'ed afterwards, so another account of the PC never sees the pupils' data
    in it, not even for the moments the checks take. SQLite gives its -wal/-shm the same mode."""
    from ..file_modes import _BINARY, OWNER_FILE

    for leftover in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm")):
        leftover.unlink(missing_ok=True)  # a crash's leftover could carry another mode: never reuse it
    with open(source, "rb") as src:
        fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, OWNER_FILE)
        with os.fdopen(fd, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)


def restore(store: Store, backup_file: Path | str, actor: Actor) -> RestoreResult:
    """Replace the open database's content with a checked backup (see the module's docstring)."""
    require(actor, EDIT_SETTINGS)
    source = Path(backup_file)
    staged = store.path.with_name(store.path.name + ".khoi-phuc.tmp")
    try:
        try:
            _stage_private(source, staged)
        except OSError as e:
            raise BackupRejected(f"Không đọc được tệp sao lưu {source}: {e}. Dữ liệu hiện tại không bị thay đổi.") from None
        digest = _sha256(staged)  # of the file as chosen, before its copy is migrated
        revision = verify_copy(store, staged, source.name)
        previous = backup_now(store, BEFORE_RESTORE)
        src = sqlite3.connect(staged)
        try:
            with store.engine.connect() as c:
                live = cast(sqlite3.Connection, c.connection.driver_connection)  # SQLite: see backup_now
                src.backup(live)
                live.execute("PRAGMA journal_mode=WAL")  # the copied header says DELETE; the store runs in WAL
        finally:
            src.close()
    finally:
        for leftover in (staged, Path(f"{staged}-wal"), Path(f"{staged}-shm")):
            leftover.unlink(missing_ok=True)
    upgrade_to_head(store.engine, store.path)  # a no-op: the copy was migrated to head before
    problems = store.integrity_check()
    if problems:  # checked before copying, so this means the disk itself misbehaves
        raise HocbasoError(f"Sau khi khôi phục, kiểm tra toàn vẹn báo lỗi: {'; '.join(problems[:3])}. "
                           f"Bản dữ liệu trước khi khôi phục vẫn còn: {previous.path}.")
    with store.transaction(actor.code) as tx:
        tx.audit("backup.restore", "database", store.path.name, {
            "from": source.name, "sha256": digest, "revision": revision,
            "previous_saved_as": previous.path.name, "at": datetime.now().isoformat(timespec="seconds")})
    return RestoreResult(source, previous.path, revision, store.verify_audit().count)
