"""`hocbaso backup now / list / restore` in subprocesses on a copy of the demo school."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from tests.conftest import hocbaso_cmd


def run(db: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(hocbaso_cmd() + ["--db", str(db), *args], env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_backup_now_list_restore_and_a_refused_file(demo_db: Path, tmp_path: Path) -> None:
    env = dict(os.environ, HOCBASO_BACKUP_DIR=str(tmp_path / "sao-luu"))
    to = tmp_path / "usb"
    out = run(demo_db, "backup", "now", "--as", "HT", "--to", str(to), env=env)
    assert out.returncode == 0, out.stderr
    assert "Đã sao lưu dữ liệu vào" in out.stdout
    [made] = list(to.glob("hocbaso-demo-*-thu-cong.sqlite3"))

    out = run(demo_db, "backup", "now", "--as", "HT", env=env)
    assert out.returncode == 0 and str(tmp_path / "sao-luu") in out.stdout
    out = run(demo_db, "backup", "list", env=env)
    assert out.returncode == 0 and "sao lưu ngay" in out.stdout and out.stdout.count("hocbaso-demo-") == 1
    out = run(demo_db, "backup", "list", "--folder", str(to), env=env)
    assert str(made) in out.stdout

    with sqlite3.connect(demo_db) as c:
        c.execute("DELETE FROM comment_bank")
    out = run(demo_db, "backup", "restore", str(made), "--as", "HT", env=env)
    assert out.returncode == 0, out.stderr
    assert "Đã khôi phục dữ liệu" in out.stdout and "truoc-khoi-phuc" in out.stdout
    with sqlite3.connect(demo_db) as c:
        assert c.execute("SELECT count(*) FROM comment_bank").fetchone()[0] > 0

    bad = tmp_path / "hong.sqlite3"
    bad.write_bytes(made.read_bytes()[:50_000])
    out = run(demo_db, "backup", "restore", str(bad), "--as", "HT", env=env)
    assert out.returncode == 2 and "bị hỏng" in out.stderr and "không bị thay đổi" in out.stderr
    out = run(demo_db, "backup", "restore", str(made), env=env)  # who restores must be named
    assert out.returncode != 0 and "--as" in out.stderr
