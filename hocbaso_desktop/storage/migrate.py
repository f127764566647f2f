"""Alembic, applied automatically at start; a database from a newer program is refused, untouched."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from ..domain.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Alembic runs a migration through module-global proxies (alembic.op, alembic.context) and loads the
# revision files into shared module state: two upgrades at once in one process (two threads opening
# two fresh databases) crossed each other ("KeyError: 'script'", "table … already exists"). Every
# look at the scripts and every upgrade in this process therefore happens under one lock.
_UPGRADE_LOCK = threading.RLock()


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as c:
        return MigrationContext.configure(c).get_current_revision()


def upgrade_to_head(engine: Engine, path: Path) -> None:
    with _UPGRADE_LOCK:
        _upgrade_to_head(engine, path)


def _upgrade_to_head(engine: Engine, path: Path) -> None:
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
