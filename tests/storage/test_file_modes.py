"""Issue 15: what the program creates for a school is readable by its owner only — the database and
its -wal/-shm, the audit anchor and the lock file, backups, the machine's config, the signing home.
(No group/other bits; on a filesystem without modes nothing is attempted.)"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hocbaso_desktop.file_modes import create_private, private_dir, tighten, write_private_text
from hocbaso_desktop.services import backup, machine_config
from hocbaso_desktop.storage.engine import Store
from tests.tools import requires

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def assert_owner_only(*paths: Path) -> None:
    for p in paths:
        assert p.exists(), p
        assert mode(p) & 0o077 == 0, f"{p}: {oct(mode(p))}"


@pytest.fixture
def open_umask():
    """The common default umask (022): files come out world-readable unless the program says otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_store_open_creates_an_owner_only_database_folder_wal_shm_anchor_and_lock(tmp_path: Path, open_umask) -> None:
    db = tmp_path / "truong" / "hocbaso.sqlite3"
    with Store.open(db) as store:
        with store.transaction("system") as tx:
            tx.audit("test.mode", "x", "1", {})
        wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
        assert_owner_only(db.parent, db, wal, shm, store.anchor_path, Path(f"{db}.lock"))


def test_an_existing_world_readable_database_is_tightened_on_open(tmp_path: Path, open_umask) -> None:
    db = tmp_path / "old.sqlite3"
    with Store.open(db):
        pass
    os.chmod(db, 0o644)
    anchor = Path(f"{db}.audit-head")
    if anchor.exists():
        os.chmod(anchor, 0o644)
    with Store.open(db) as store:
        with store.transaction("system") as tx:
            tx.audit("test.mode", "x", "1", {})
        assert_owner_only(db, Path(f"{db}-wal"), store.anchor_path)


def test_a_folder_the_user_chose_is_left_alone(tmp_path: Path, open_umask) -> None:
    os.chmod(tmp_path, 0o755)
    with Store.open(tmp_path / "db.sqlite3"):
        pass
    assert mode(tmp_path) == 0o755


def test_backups_are_owner_only(tmp_path: Path, open_umask) -> None:
    with Store.open(tmp_path / "db.sqlite3") as store:
        info = backup.backup_now(store, folder=tmp_path / "sao-luu")
    assert_owner_only(info.path, info.path.parent)


def test_machine_config_is_owner_only(tmp_path: Path, open_umask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCBASO_CONFIG_DIR", str(tmp_path / "cfg"))
    p = machine_config.save(machine_config.MachineConfig())
    assert_owner_only(p, p.parent)


def test_helpers(tmp_path: Path, open_umask) -> None:
    f = tmp_path / "a"
    f.write_text("x")
    assert mode(f) == 0o644
    tighten(f)
    assert mode(f) == 0o600
    assert mode(create_private(tmp_path / "b")) == 0o600
    assert mode(write_private_text(tmp_path / "c", "x")) == 0o600
    assert mode(private_dir(tmp_path / "d" / "e")) == 0o700
    tighten(tmp_path / "missing")  # nothing to do, no error


@requires("softhsm2-util")
def test_softhsm_configuration_and_token_folder_are_owner_only(tmp_path: Path, open_umask) -> None:
    from hocbaso_desktop.signing import softhsm

    home = tmp_path / "db-kyso"
    conf = softhsm.write_config(home / "softhsm" / "softhsm2.conf", home / "softhsm" / "tokens")
    softhsm.init_token(conf, "HOCBASO-MODE", "123456", "12345678")
    created = [home / "softhsm", conf, *(home / "softhsm" / "tokens").rglob("*")]
    assert len(created) > 3
    assert_owner_only(*created)

