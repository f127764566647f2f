"""What a database copy must show before it may replace the school's data (backup restore).

Triggers stop mistakes; a person with the file can drop them, edit or cut the audit log and put
them back. So a restore compares the copy's triggers (names and SQL) with the ones the migrations
themselves create at the copy's schema revision (a fresh database migrated to that revision is the
reference), and migrates the copy — never the live file — to the current schema before it is used.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
from contextlib import closing
from pathlib import Path

from alembic import command

from .migrate import _UPGRADE_LOCK, alembic_config

_CACHE_LOCK = threading.Lock()
_EXPECTED: dict[str, dict[str, str]] = {}  # revision → {trigger name: normalised SQL}


def _normalised(sql: str | None) -> str:
    # SQLite keeps a trigger's text exactly as created; only runs of whitespace are not meaningful.
    return " ".join((sql or "").split())


def triggers_in(path: Path) -> dict[str, str]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as c:
        return {name: _normalised(sql) for name, sql in
                c.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}


def upgrade_file(path: Path, revision: str = "head") -> None:
    """Migrate the (closed, unlocked) file at `path` to `revision`, through the store's own
    connection settings, without the automatic pre-migration backup (a copy needs none)."""
    from .engine import Store

    store = Store.open(path, migrate=False, exclusive=False)
    try:
        with _UPGRADE_LOCK, store.engine.begin() as conn:
            cfg = alembic_config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        store.close()


def expected_triggers(revision: str) -> dict[str, str]:
    """The triggers the migrations create up to `revision`, from a fresh database (cached)."""
    with _CACHE_LOCK:
        cached = _EXPECTED.get(revision)
    if cached is not None:
        return dict(cached)
    with tempfile.TemporaryDirectory(prefix="hocbaso-mau-") as d:
        p = Path(d) / "mau.sqlite3"
        upgrade_file(p, revision)
        found = triggers_in(p)
    with _CACHE_LOCK:
        _EXPECTED[revision] = found
    return dict(found)


def trigger_problems(path: Path, revision: str) -> list[str]:
    """Vietnamese phrases naming each missing, extra or altered trigger; empty when identical."""
    expected, actual = expected_triggers(revision), triggers_in(path)
    problems = [f"thiếu «{n}»" for n in sorted(set(expected) - set(actual))]
    problems += [f"bị sửa «{n}»" for n in sorted(set(expected) & set(actual)) if expected[n] != actual[n]]
    problems += [f"lạ «{n}»" for n in sorted(set(actual) - set(expected))]
    return problems
