"""Alembic, applied automatically at start; a database from a newer program is refused, untouched.

Alembic itself (with every dialect it registers: ~0.2 s) is imported only when a database must be
created or upgraded. A database already at HEAD_REVISION is recognised by one SELECT; a test
(tests/storage/test_head_revision.py) fails when a new migration is added without updating it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from ..domain.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# The newest migration in migrations/versions/: update it with every new migration.
HEAD_REVISION = "0016"

# Alembic runs a migration through module-global proxies (alembic.op, alembic.context) and loads the
# revision files into shared module state: two upgrades at once in one process (two threads opening
# two fresh databases) crossed each other ("KeyError: 'script'", "table … already exists"). Every
# look at the scripts and every upgrade in this process therefore happens under one lock.
_UPGRADE_LOCK = threading.RLock()


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as c:
        return MigrationContext.configure(c).get_current_revision()


def stored_revisions(engine: Engine) -> list[str]:
    """The alembic_version rows, read without Alembic; [] for a new file (no table yet)."""
    with engine.connect() as c:
        try:
            return [str(r[0]) for r in c.exec_driver_sql("SELECT version_num FROM alembic_version")]
        except OperationalError:  # no such table: a database being created
            return []


def upgrade_to_head(engine: Engine, path: Path) -> None:
    if stored_revisions(engine) == [HEAD_REVISION]:
        return  # the everyday start: nothing to migrate, Alembic not imported
    with _UPGRADE_LOCK:
        _upgrade_to_head(engine, path)


def _upgrade_to_head(engine: Engine, path: Path) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    rev = current_revision(engine)
    if rev is not None and rev not in known:
        raise StoreError(
            f"Tệp dữ liệu {path} được tạo bởi phiên bản Học bạ số mới hơn (lược đồ {rev}). "
            "Hãy cập nhật chương trình; tệp không bị thay đổi."
        )
    if rev == script.get_current_head():
        return
    if rev is not None:  # an existing school's data is about to change shape: keep a copy first
        from .snapshot import backup_before_migration

        backup_before_migration(engine, path, rev)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
