"""Several threads opening fresh databases at once each get a migrated store (issue 14).

Alembic keeps the running migration in module-global proxies (alembic.op, alembic.context): two
upgrades at once in one process crossed each other's connections."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import select

from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.migrate import alembic_config, current_revision
from hocbaso_desktop.storage.models import Setting

THREADS = 4
ROUNDS = 3
JOIN_TIMEOUT = 300.0  # bounds a hang only


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_threads_open_fresh_databases_at_once(tmp_path: Path) -> None:
    head = _head()
    for round_no in range(ROUNDS):
        start = threading.Barrier(THREADS)
        errors: list[str] = []
        revisions: dict[int, str | None] = {}

        def open_one(i: int) -> None:
            try:
                start.wait(JOIN_TIMEOUT)
                with Store.open(tmp_path / f"r{round_no}-t{i}.sqlite3") as store:
                    revisions[i] = current_revision(store.engine)
                    with store.transaction("system") as tx:  # the schema is whole: a write works
                        tx.session.add(Setting(key=f"t{i}", value=str(round_no)))
                        tx.audit("setting.set", "setting", f"t{i}", {"value": [None, str(round_no)]})
                    with store.read() as s:
                        assert s.execute(select(Setting.value).where(Setting.key == f"t{i}")).scalar_one() == str(round_no)
                    assert store.integrity_check() == []
            except BaseException as e:  # reported to the test below, not lost with the thread
                errors.append(f"thread {i}: {e!r}")

        threads = [threading.Thread(target=open_one, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(JOIN_TIMEOUT)
        assert not any(t.is_alive() for t in threads), "a thread hung opening its database"
        assert not errors, errors
        assert revisions == {i: head for i in range(THREADS)}

