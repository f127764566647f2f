"""Store.open recognises a database at the newest schema by one SELECT and imports Alembic only to
create or upgrade one (storage/migrate.HEAD_REVISION); every refusal of the full path still holds."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hocbaso_desktop.domain.errors import StoreError
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.migrate import HEAD_REVISION, alembic_config, current_revision, stored_revisions

# Opens the file given as argv[1] and prints which of Alembic / the migration scripts were imported.
OPEN_AND_REPORT = """
import sys
from hocbaso_desktop.storage.engine import Store
with Store.open(sys.argv[1]) as store:
    pass
print(sorted(m for m in sys.modules if m == "alembic" or m.startswith(("alembic.", "hocbaso_desktop.storage.migrations"))))
"""


def _imports_on_open(path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", OPEN_AND_REPORT, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_head_revision_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert HEAD_REVISION == head, (
        f"storage/migrate.py: HEAD_REVISION = {HEAD_REVISION!r} but the newest migration is {head!r}. "
        "Update HEAD_REVISION with every new migration, or databases at the old head are never upgraded.")


def test_a_new_school_is_migrated_then_reopened_without_alembic(tmp_path: Path) -> None:
    p = tmp_path / "new.sqlite3"
    assert _imports_on_open(p) != "[]"  # created from nothing: Alembic ran every migration
    with Store.open(p) as store:
        assert stored_revisions(store.engine) == [HEAD_REVISION] == [current_revision(store.engine)]
    assert _imports_on_open(p) == "[]"  # the everyday start


def test_the_demo_school_opens_without_alembic(demo_db: Path) -> None:
    assert _imports_on_open(demo_db) == "[]"


def test_an_older_schema_is_still_upgraded(tmp_path: Path) -> None:
    from alembic import command

    p = tmp_path / "old.sqlite3"
    old = Store.open(p, migrate=False)
    cfg = alembic_config()
    with old.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0015")
    old.close()
    with Store.open(p) as store:
        assert stored_revisions(store.engine) == [HEAD_REVISION]


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _set_versions(p: Path, rows: list[str]) -> None:
    con = sqlite3.connect(p)
    con.execute("DELETE FROM alembic_version")
    con.executemany("INSERT INTO alembic_version (version_num) VALUES (?)", [(r,) for r in rows])
    con.commit()
    con.close()


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    p = tmp_path / "newer.sqlite3"
    Store.open(p).close()
    _set_versions(p, ["9999_from_the_future"])
    before = _sha(p)
    with pytest.raises(StoreError, match="phiên bản Học bạ số mới hơn"):
        Store.open(p)
    assert _sha(p) == before


def test_a_second_version_row_beside_the_head_is_not_taken_for_the_head(tmp_path: Path) -> None:
    # Only exactly one row equal to the head skips Alembic; anything else goes to Alembic, which refuses.
    p = tmp_path / "forked.sqlite3"
    Store.open(p).close()
    _set_versions(p, [HEAD_REVISION, "9999_from_the_future"])
    before = _sha(p)
    with pytest.raises(Exception, match="more than one head"):
        Store.open(p)
    assert _sha(p) == before


def test_a_dropped_version_table_is_not_taken_for_a_new_file(tmp_path: Path) -> None:
    # No alembic_version but tables present: Alembic's upgrade from nothing fails on the existing
    # tables, so nothing is half-written and the user is told the file cannot be opened.
    p = tmp_path / "dropped.sqlite3"
    Store.open(p).close()
    con = sqlite3.connect(p)
    con.execute("DROP TABLE alembic_version")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="Không mở được tệp dữ liệu"):
        Store.open(p)
    con = sqlite3.connect(p)
    try:
        assert con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'").fetchone() == (0,)
    finally:
        con.close()
