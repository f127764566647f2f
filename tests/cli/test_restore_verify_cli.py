"""`hocbaso backup restore` refuses a backup whose triggers were dropped (exit 2, the check named,
the live data untouched) and restores the honest one."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from tests.conftest import hocbaso_cmd


def run(db: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(hocbaso_cmd() + ["--db", str(db), *args], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_restore_refuses_a_backup_without_its_triggers(demo_db: Path, tmp_path: Path) -> None:
    env = dict(os.environ, HOCBASO_BACKUP_DIR=str(tmp_path / "sao-luu"))
    to = tmp_path / "usb"
    assert run(demo_db, "backup", "now", "--as", "HT", "--to", str(to), env=env).returncode == 0
    [honest] = list(to.glob("hocbaso-demo-*.sqlite3"))
    bad = to / "hocbaso-demo-20260101-020000-thu-cong.sqlite3"
    bad.write_bytes(honest.read_bytes())
    with sqlite3.connect(bad) as c:  # the attack: no more append-only log in the copy
        c.execute("DROP TRIGGER audit_log_no_delete")
        c.execute("DELETE FROM audit_log WHERE id = 2")
    with sqlite3.connect(demo_db) as c:
        c.execute("DELETE FROM comment_bank")
    out = run(demo_db, "backup", "restore", str(bad), "--as", "HT", env=env)
    assert out.returncode == 2, out.stdout + out.stderr
    assert "kiểm tra trigger" in out.stderr and "audit_log_no_delete" in out.stderr and "không bị thay đổi" in out.stderr
    with sqlite3.connect(demo_db) as c:
        assert c.execute("SELECT count(*) FROM comment_bank").fetchone()[0] == 0
    out = run(demo_db, "backup", "restore", str(honest), "--as", "HT", env=env)
    assert out.returncode == 0, out.stderr
    with sqlite3.connect(demo_db) as c:
        assert c.execute("SELECT count(*) FROM comment_bank").fetchone()[0] > 0
