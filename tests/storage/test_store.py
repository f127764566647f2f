"""The store: pragmas, persistence across reopen, newer schema refused untouched, one instance, audit chain."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import StoreError
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Setting, Student


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_pragmas(empty_store: Store) -> None:
    with empty_store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_commit_survives_reopen(tmp_path: Path) -> None:
    p = tmp_path / "a.sqlite3"
    with Store.open(p) as s:
        with s.transaction("system") as tx:
            tx.session.add(Setting(key="k", value="giá trị có dấu"))
            tx.audit("setting.set", "setting", "k", {"value": [None, "giá trị có dấu"]})
    with Store.open(p) as s:
        with s.read() as r:
            assert r.get(Setting, "k").value == "giá trị có dấu"
        assert s.verify_audit().ok


def test_failed_action_writes_nothing(empty_store: Store) -> None:
    with pytest.raises(RuntimeError):
        with empty_store.transaction("system") as tx:
            tx.session.add(Setting(key="half", value="1"))
            tx.audit("x", "setting", "half", {})
            raise RuntimeError("boom")
    with empty_store.read() as r:
        assert r.get(Setting, "half") is None
    assert empty_store.verify_audit().count == 0


def test_foreign_keys_enforced(empty_store: Store) -> None:
    with pytest.raises(Exception):
        empty_store.execute_raw("INSERT INTO enrolment (student_id, year_id, class_id, status) VALUES (999, 999, 999, 'active')")


def test_second_instance_refused(tmp_path: Path) -> None:
    p = tmp_path / "b.sqlite3"
    with Store.open(p):
        with pytest.raises(StoreError, match="đang được một chương trình Học bạ số khác mở"):
            Store.open(p)
    Store.open(p).close()  # released when the first closes


def test_newer_schema_refused_and_untouched(tmp_path: Path) -> None:
    p = tmp_path / "c.sqlite3"
    Store.open(p).close()
    con = sqlite3.connect(p)
    con.execute("UPDATE alembic_version SET version_num='9999_from_the_future'")
    con.commit()
    con.close()
    before = sha(p)
    with pytest.raises(StoreError, match="phiên bản Học bạ số mới hơn"):
        Store.open(p)
    assert sha(p) == before


def test_damaged_file_refused(tmp_path: Path) -> None:
    p = tmp_path / "d.sqlite3"
    p.write_bytes(b"SQLite format 3\x00" + b"\x13" * 5000)
    with pytest.raises(StoreError):
        Store.open(p)


def test_migrations_create_everything(empty_store: Store) -> None:
    with empty_store.read() as r:
        assert r.execute(select(Student)).first() is None


# --- the audit chain -------------------------------------------------------------------------

def _write(store: Store, n: int) -> None:
    for i in range(n):
        with store.transaction("GV001") as tx:
            tx.session.add(Setting(key=f"k{i}", value=str(i)))
            tx.audit("setting.set", "setting", f"k{i}", {"value": [None, i]})


def _tamper(path: Path, *sql: str) -> None:
    """Someone with the file and sqlite3: drops the triggers, then edits."""
    con = sqlite3.connect(path)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")
    for q in sql:
        con.execute(q)
    con.commit()
    con.close()


def test_audit_log_is_append_only_in_the_database(empty_store: Store) -> None:
    _write(empty_store, 2)
    for q in ("UPDATE audit_log SET actor='HT' WHERE id=1", "DELETE FROM audit_log WHERE id=2"):
        with pytest.raises(Exception, match="append-only"):
            empty_store.execute_raw(q)
    assert empty_store.verify_audit().ok


@pytest.mark.parametrize(
    "sql,bad",
    [
        (["UPDATE audit_log SET changes='{\"value\":[null,99]}' WHERE id=3"], 3),  # edited
        (["DELETE FROM audit_log WHERE id=3"], 4),  # deleted in the middle
        (["INSERT INTO audit_log (id, at, actor, action, entity, entity_id, changes, prev_hash, hash) "
          "SELECT 99, at, actor, action, entity, entity_id, changes, prev_hash, hash FROM audit_log WHERE id=2",
          "UPDATE audit_log SET id=3, hash=(SELECT hash FROM audit_log WHERE id=99) WHERE id=99 AND 0"], None),
        (["UPDATE audit_log SET id=-3 WHERE id=3", "UPDATE audit_log SET id=3 WHERE id=4", "UPDATE audit_log SET id=4 WHERE id=-3"], 3),  # swapped
        (["DELETE FROM audit_log WHERE id=5"], 5),  # tail cut: caught by the anchor kept outside the DB
    ],
    ids=["edited", "deleted", "inserted", "swapped", "tail-truncated"],
)
def test_audit_chain_detects_tampering(tmp_path: Path, sql: list[str], bad: int | None) -> None:
    p = tmp_path / "audit.sqlite3"
    with Store.open(p) as s:
        _write(s, 5)
        assert s.verify_audit().ok
    _tamper(p, *sql)
    with Store.open(p) as s:
        rep = s.verify_audit()
    assert not rep.ok
    if bad is not None:
        assert rep.first_bad == bad, rep


def test_actor_and_changes_recorded(empty_store: Store) -> None:
    _write(empty_store, 1)
    con = sqlite3.connect(empty_store.path)
    row = con.execute("SELECT actor, action, changes FROM audit_log").fetchone()
    con.close()
    assert row == ("GV001", "setting.set", '{"value":[null,0]}')
