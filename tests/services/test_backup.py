"""Backups: online backup + restore round trip, corrupted backups refused, rotation, daily, and the
automatic backups before a migration and before a year lock."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select

from hocbaso_desktop.services import backup, directory
from hocbaso_desktop.storage import snapshot
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.migrate import alembic_config, current_revision
from hocbaso_desktop.storage.models import AuditEntry, CommentBank, Student

YEAR = "2025-2026"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "sao-luu"
    monkeypatch.setenv(snapshot.ENV_DIR, str(d))
    return d


def _count(store: Store, model) -> int:  # noqa: ANN001
    with store.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_backup_and_restore_round_trip(demo_store: Store, folder: Path) -> None:
    ht = directory.actor(demo_store, "HT", YEAR)
    students, bank = _count(demo_store, Student), _count(demo_store, CommentBank)
    b = backup.backup_now(demo_store)
    assert b.path.parent == folder and b.reason == backup.MANUAL and b.db_stem == "demo"
    assert backup.check_backup_file(b.path) == current_revision(demo_store.engine)
    with sqlite3.connect(b.path) as c:  # one self-contained file, not a WAL database wanting -wal/-shm
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "delete"

    demo_store.execute_raw("DELETE FROM comment_bank")  # the mistake the school wants to undo
    assert _count(demo_store, CommentBank) == 0
    r = backup.restore(demo_store, b.path, ht)

    assert _count(demo_store, CommentBank) == bank and _count(demo_store, Student) == students
    assert demo_store.integrity_check() == []
    # the database as it was just before the restore is kept, and holds the mistake
    assert r.previous_saved_as.is_file() and "truoc-khoi-phuc" in r.previous_saved_as.name
    with sqlite3.connect(r.previous_saved_as) as c:
        assert c.execute("SELECT count(*) FROM comment_bank").fetchone()[0] == 0
    # the restore is audited and the chain (with its anchor beside the database) verifies
    chain = demo_store.verify_audit()
    assert chain.ok, chain.reason
    with demo_store.read() as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
        assert last.action == "backup.restore" and last.actor == "HT" and b.path.name in last.changes
    with demo_store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    # the store keeps working, and a reopened file is the restored one
    path = demo_store.path
    demo_store.close()
    with Store.open(path) as again:
        assert _count(again, CommentBank) == bank and again.verify_audit().ok


def _corruptions(good: Path, tmp: Path) -> dict[str, Path]:
    data = good.read_bytes()
    out = {}
    (out_rand := tmp / "ngau-nhien.sqlite3").write_bytes(bytes(range(256)) * 64)
    out["random bytes"] = out_rand
    (half := tmp / "cat-doi.sqlite3").write_bytes(data[: len(data) // 2])
    out["truncated"] = half
    # a page in the middle overwritten: the header is fine, the b-tree is not
    page = 4096
    mid = (len(data) // page // 2) * page
    (holed := tmp / "trang-hong.sqlite3").write_bytes(data[:mid] + b"\xa5" * page * 3 + data[mid + page * 3:])
    out["damaged pages"] = holed
    (empty := tmp / "rong.sqlite3").write_bytes(b"")
    out["empty"] = empty
    (text := tmp / "van-ban.sqlite3").write_text("không phải cơ sở dữ liệu", encoding="utf-8")
    out["text"] = text
    return out


def test_corrupted_backups_are_refused_and_nothing_changes(demo_store: Store, folder: Path, tmp_path: Path) -> None:
    ht = directory.actor(demo_store, "HT", YEAR)
    good = backup.backup_now(demo_store).path
    demo_store.execute_raw("DELETE FROM comment_bank")
    for what, bad in _corruptions(good, tmp_path).items():
        with pytest.raises(backup.BackupRejected) as e:
            backup.restore(demo_store, bad, ht)
        msg = e.value.message
        assert bad.name in msg and "không bị thay đổi" in msg, (what, msg)
        assert "bị hỏng" in msg or "không phải" in msg, (what, msg)
    assert _count(demo_store, CommentBank) == 0  # untouched
    assert not any("truoc-khoi-phuc" in b.reason for b in backup.list_backups(demo_store))
    assert not list(demo_store.path.parent.glob("*.khoi-phuc.tmp"))
    assert demo_store.verify_audit().ok


def test_backup_with_broken_links_or_from_a_newer_program_is_refused(demo_store: Store, folder: Path) -> None:
    ht = directory.actor(demo_store, "HT", YEAR)
    fk = backup.backup_now(demo_store).path
    with sqlite3.connect(fk) as c:  # foreign_keys is off on a plain connection: an orphan gets in
        c.execute("UPDATE enrolment SET class_id = 999999 WHERE id = (SELECT min(id) FROM enrolment)")
    with pytest.raises(backup.BackupRejected, match="liên kết dữ liệu bị đứt"):
        backup.restore(demo_store, fk, ht)
    newer = backup.backup_now(demo_store).path
    with sqlite3.connect(newer) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(backup.BackupRejected, match="mới hơn"):
        backup.restore(demo_store, newer, ht)
    other = folder / "khac.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(backup.BackupRejected, match="không phải bản sao lưu dữ liệu Học bạ số"):
        backup.check_backup_file(other)


def test_restore_needs_the_right(demo_store: Store, folder: Path) -> None:
    from hocbaso_desktop.domain.errors import PermissionDenied

    b = backup.backup_now(demo_store)
    with pytest.raises(PermissionDenied):
        backup.restore(demo_store, b.path, directory.actor(demo_store, "GV001", YEAR))


def test_rotation_keeps_the_last_n_routine_backups(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    names = [f"hocbaso-truong-202601{d:02d}-020000-hang-ngay.sqlite3" for d in range(1, 21)]
    names += ["hocbaso-truong-20260105-020000-truoc-khoa-nam.sqlite3",
              "hocbaso-truong-20260102-020000-truoc-nang-cap-0005.sqlite3",
              "hocbaso-khac-20260101-020000-hang-ngay.sqlite3", "ghi-chu.txt"]
    for n in names:
        (folder / n).write_bytes(b"x")
    removed = snapshot.prune(folder, "truong", 14)
    assert len(removed) == 6
    left = {p.name for p in folder.iterdir()}
    assert "hocbaso-truong-20260120-020000-hang-ngay.sqlite3" in left
    assert "hocbaso-truong-20260106-020000-hang-ngay.sqlite3unused" not in left
    assert "hocbaso-truong-20260106-020000-hang-ngay.sqlite3" not in left
    assert "hocbaso-truong-20260107-020000-hang-ngay.sqlite3" in left
    assert {"hocbaso-truong-20260105-020000-truoc-khoa-nam.sqlite3",
            "hocbaso-truong-20260102-020000-truoc-nang-cap-0005.sqlite3",
            "hocbaso-khac-20260101-020000-hang-ngay.sqlite3", "ghi-chu.txt"} <= left


def test_daily_backup_once_a_day_into_the_configured_folder(demo_store: Store, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(snapshot.ENV_DIR, raising=False)
    ht = directory.actor(demo_store, "HT", YEAR)
    where = tmp_path / "o-ngoai"
    backup.set_backup_settings(demo_store, ht, str(where), 3)
    cfg = backup.backup_settings(demo_store)
    assert cfg.folder == where and cfg.keep == 3
    assert backup.daily_due(demo_store)
    first = backup.run_daily(demo_store)
    assert first is not None and first.path.parent == where and first.reason == backup.DAILY
    assert backup.run_daily(demo_store) is None  # already done today
    assert backup.daily_due(demo_store, date(2099, 1, 1))
    for _ in range(4):
        backup.backup_now(demo_store, backup.DAILY)
    assert len(backup.list_backups(demo_store)) == 3  # keep = 3


def test_backup_before_a_migration(tmp_path: Path, folder: Path) -> None:
    path = tmp_path / "truong-cu.sqlite3"
    old = Store.open(path, migrate=False)
    cfg = alembic_config()
    with old.engine.begin() as conn:  # the schema as an older program left it
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    old.execute_raw("INSERT INTO school (name, moet_code, province, district, commune, address) "
                    "VALUES ('Trường cũ', '', '', '', '', '')")
    old.close()
    assert snapshot.list_files(folder) == []
    with Store.open(path) as store:  # the program starts: migration to head, after a backup
        assert current_revision(store.engine) != "0005"
    files = snapshot.list_files(folder, "truong-cu")
    assert [b.reason for b in files] == ["truoc-nang-cap-0005"]
    with sqlite3.connect(files[0].path) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0005"
        assert c.execute("SELECT name FROM school").fetchone()[0] == "Trường cũ"
    with Store.open(path):  # already at head: no second backup
        pass
    with Store.open(tmp_path / "moi.sqlite3"):  # a new, empty database: nothing to keep
        pass
    assert len(snapshot.list_files(folder)) == 1


def test_no_backup_no_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hocbaso_desktop.domain.errors import StoreError

    blocker = tmp_path / "khong-phai-thu-muc"
    blocker.write_text("x")
    monkeypatch.setenv(snapshot.ENV_DIR, str(blocker / "sao-luu"))
    path = tmp_path / "truong-cu.sqlite3"
    old = Store.open(path, migrate=False)
    cfg = alembic_config()
    with old.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
    old.close()
    with pytest.raises(StoreError, match="Không tạo được bản sao lưu trước khi nâng cấp"):
        Store.open(path)
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0005"


def test_backup_before_a_year_lock(demo_store: Store, demo_template: Path, folder: Path) -> None:
    from hocbaso_desktop.services.year_lock import lock_year
    from tests.archive.conftest import seal_with
    from tests.school_token import school_token

    # a year with no pupils is ready to lock at once (the demo year is not: nothing is issued yet)
    demo_store.execute_raw("INSERT INTO school_year (name, locked) VALUES ('2026-2027', 0)")
    token = school_token(demo_template)
    token.attach(demo_store)  # the lock is confirmed with the school's seal (signed audit head)
    status = lock_year(demo_store, "2026-2027", "HT", seal_with(token))
    assert status.locked
    files = backup.list_backups(demo_store)
    assert [b.reason for b in files] == [backup.YEAR_LOCK]
    with sqlite3.connect(files[0].path) as c:  # taken before the lock
        assert c.execute("SELECT locked FROM school_year WHERE name = '2026-2027'").fetchone()[0] == 0
