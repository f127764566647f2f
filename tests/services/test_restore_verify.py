"""Restore verifies the backup copy before anything replaces the live file (issue 15): triggers
identical to what the migrations create at the copy's revision, the audit chain consistent, the copy
migrated to the current schema first. Hostile copies — a trigger dropped or defanged, audit rows cut
or edited behind re-created triggers — are refused naming the check; an older schema's backup is
restored and the database opens."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from hocbaso_desktop.services import backup, directory
from hocbaso_desktop.storage import snapshot
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.migrate import alembic_config, current_revision
from hocbaso_desktop.storage.models import CommentBank, School
from hocbaso_desktop.storage.restore_check import expected_triggers, trigger_problems, triggers_in

YEAR = "2025-2026"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "sao-luu"
    monkeypatch.setenv(snapshot.ENV_DIR, str(d))
    return d


def _count(store: Store) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(CommentBank)).scalar_one()


def _trigger_sql(path: Path, name: str) -> str:
    with sqlite3.connect(path) as c:
        return c.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()[0]


def _tamper(path: Path, sql: list[str], *, restore_triggers: bool) -> None:
    """What someone with the file does: drop the audit triggers, change the log, maybe put them back."""
    saved = {n: _trigger_sql(path, n) for n in ("audit_log_no_update", "audit_log_no_delete")}
    con = sqlite3.connect(path)
    for name in saved:
        con.execute(f"DROP TRIGGER {name}")
    for stmt in sql:
        con.execute(stmt)
    if restore_triggers:
        for stmt in saved.values():
            con.execute(stmt)
    con.commit()
    con.close()


def _refused(store: Store, path: Path, check: str) -> str:
    ht = directory.actor(store, "HT", YEAR)
    with pytest.raises(backup.BackupRejected) as e:
        backup.restore(store, path, ht)
    msg = e.value.message
    assert path.name in msg and check in msg and "không bị thay đổi" in msg, msg
    return msg


def _untouched(store: Store) -> None:
    assert _count(store) == 0  # the mistake made after the backup is still there: nothing replaced
    assert not any(b.reason == backup.BEFORE_RESTORE for b in backup.list_backups(store))
    assert not list(store.path.parent.glob("*.khoi-phuc.tmp*"))
    assert store.verify_audit().ok


def test_expected_triggers_come_from_the_migrations(demo_store: Store, folder: Path) -> None:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    honest = backup.backup_now(demo_store).path
    assert triggers_in(honest) == expected_triggers(str(head)) and trigger_problems(honest, str(head)) == []
    assert {"audit_log_no_update", "audit_log_no_delete"} <= set(expected_triggers("0005"))
    assert set(expected_triggers("0005")) < set(expected_triggers(str(head)))  # later revisions add triggers


def test_a_backup_with_a_dropped_or_defanged_trigger_is_refused(demo_store: Store, folder: Path) -> None:
    dropped = backup.backup_now(demo_store).path
    with sqlite3.connect(dropped) as c:
        c.execute("DROP TRIGGER audit_log_no_update")
    defanged = backup.backup_now(demo_store).path
    with sqlite3.connect(defanged) as c:  # same name, never fires
        c.execute("DROP TRIGGER audit_log_no_delete")
        c.execute("CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0 "
                  "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")
    demo_store.execute_raw("DELETE FROM comment_bank")
    msg = _refused(demo_store, dropped, "kiểm tra trigger")
    assert "thiếu «audit_log_no_update»" in msg
    msg = _refused(demo_store, defanged, "kiểm tra trigger")
    assert "bị sửa «audit_log_no_delete»" in msg
    _untouched(demo_store)


def test_a_backup_with_audit_rows_cut_is_refused(demo_store: Store, folder: Path) -> None:
    cut = backup.backup_now(demo_store).path
    _tamper(cut, ["DELETE FROM audit_log WHERE id IN (3, 4)"], restore_triggers=False)
    hidden = backup.backup_now(demo_store).path  # the same cut, triggers put back to look untouched
    _tamper(hidden, ["DELETE FROM audit_log WHERE id IN (3, 4)"], restore_triggers=True)
    assert trigger_problems(hidden, str(current_revision(demo_store.engine))) == []
    demo_store.execute_raw("DELETE FROM comment_bank")
    _refused(demo_store, cut, "kiểm tra trigger")
    msg = _refused(demo_store, hidden, "kiểm tra chuỗi nhật ký")
    assert "#5" in msg  # the first entry after the gap
    _untouched(demo_store)


def test_a_backup_with_an_edited_audit_row_is_refused(demo_store: Store, folder: Path) -> None:
    edited = backup.backup_now(demo_store).path
    _tamper(edited, ["UPDATE audit_log SET actor = 'GV001' WHERE id = 2"], restore_triggers=True)
    demo_store.execute_raw("DELETE FROM comment_bank")
    msg = _refused(demo_store, edited, "kiểm tra chuỗi nhật ký")
    assert "#2" in msg and "bị sửa" in msg
    _untouched(demo_store)


def _old_school(path: Path, revision: str = "0005") -> None:
    old = Store.open(path, migrate=False)
    cfg = alembic_config()
    with old.engine.begin() as conn:  # the schema as an older program left it
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    with old.transaction("system") as tx:
        tx.session.execute(text("INSERT INTO school (name, moet_code, province, district, commune, address) "
                                "VALUES ('Trường cũ', '', '', '', '', '')"))
        tx.audit("school.create", "school", 1, {"name": "Trường cũ"})
    old.close()


def test_a_backup_of_an_older_schema_is_migrated_in_a_copy_and_opens(demo_store: Store, folder: Path,
                                                                     tmp_path: Path) -> None:
    made = tmp_path / "truong-cu.sqlite3"
    _old_school(made)
    with sqlite3.connect(made) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0005"
    src = tmp_path / "usb" / "hocbaso-truong-cu-20260101-020000-thu-cong.sqlite3"
    src.parent.mkdir()
    src.write_bytes(made.read_bytes())
    before = src.read_bytes()
    r = backup.restore(demo_store, src, directory.actor(demo_store, "HT", YEAR))
    assert r.revision == "0005" and src.read_bytes() == before  # the chosen file itself is never changed
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(demo_store.engine) == head
    assert demo_store.integrity_check() == [] and demo_store.verify_audit().ok
    assert trigger_problems(demo_store.path, str(head)) == []
    path = demo_store.path
    demo_store.close()
    with Store.open(path) as again:  # opens: already at head, nothing to migrate
        with again.read() as s:
            assert s.execute(select(School.name)).scalar() == "Trường cũ"
        assert again.verify_audit().ok
    assert not [b for b in snapshot.list_files(folder) if b.reason.startswith("truoc-nang-cap")]


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_staged_copy_is_owner_only_from_the_start(demo_store: Store, folder: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy a restore checks is created 0600 (not chmod'ed after the pupils' data is in it), even
    under a permissive umask and over a world-readable leftover of a crashed restore."""
    made = backup.backup_now(demo_store).path
    staged = demo_store.path.with_name(demo_store.path.name + ".khoi-phuc.tmp")
    staged.write_bytes(b"leftover")
    staged.chmod(0o644)
    seen: dict[str, int] = {}
    chmods: list[str] = []
    real_verify, real_chmod = backup.verify_copy, os.chmod

    def spy_verify(store: Store, path: Path, shown: str) -> str:
        seen["mode"] = stat.S_IMODE(os.stat(path).st_mode)
        seen["same"] = int(path.read_bytes() == made.read_bytes())
        return real_verify(store, path, shown)

    def spy_chmod(path, mode, *a, **k):  # noqa: ANN001, ANN002, ANN003
        chmods.append(str(path))
        return real_chmod(path, mode, *a, **k)

    monkeypatch.setattr(backup, "verify_copy", spy_verify)
    monkeypatch.setattr(os, "chmod", spy_chmod)
    old_umask = os.umask(0)
    try:
        backup.restore(demo_store, made, directory.actor(demo_store, "HT", YEAR))
    finally:
        os.umask(old_umask)
    assert seen == {"mode": 0o600, "same": 1}
    assert not [c for c in chmods if ".khoi-phuc.tmp" in c]  # created so, never chmod'ed
    assert not list(demo_store.path.parent.glob("*.khoi-phuc.tmp*"))
