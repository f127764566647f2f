"""--as on the CLI: an account with a password needs it (env or terminal), never from argv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hocbaso_desktop.services import accounts
from hocbaso_desktop.storage.engine import Store

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def run(args: list[str], env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCBASO_")}
    env.update(env_extra or {})
    return subprocess.run([*CMD, *args], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=120)


def test_grid_import_asks_for_the_password(demo_db: Path, tmp_path: Path) -> None:
    with Store.open(demo_db) as store:
        accounts.change_own_password(store, "GV009", None, "mật khẩu mới 2026")
    wb = tmp_path / "5a.xlsx"
    assert run(["--db", str(demo_db), "grid", "export", "--class", "5A", "--period", "CN", str(wb)]).returncode == 0
    r = run(["--db", str(demo_db), "grid", "import", str(wb), "--as", "GV009"])
    assert r.returncode == 2 and "HOCBASO_PASSWORD" in r.stderr
    r = run(["--db", str(demo_db), "grid", "import", str(wb), "--as", "GV009"], {"HOCBASO_PASSWORD": "sai rồi"})
    assert r.returncode != 0 and "mật khẩu" in r.stderr.lower()
    r = run(["--db", str(demo_db), "grid", "import", str(wb), "--as", "GV009"], {"HOCBASO_PASSWORD": "mật khẩu mới 2026"})
    assert r.returncode == 0, r.stderr
