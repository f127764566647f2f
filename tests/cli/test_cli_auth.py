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


def test_import_classes_as_a_teacher_is_refused(demo_db: Path, tmp_path: Path) -> None:
    tpl = tmp_path / "mau.xlsx"
    assert run(["--db", str(demo_db), "template-classes", str(tpl)]).returncode == 0
    import openpyxl

    wb = openpyxl.load_workbook(tpl)
    ws = wb.worksheets[0]
    header_row = next(r for r in range(1, 15) if any(str(c.value or "").strip().lower() == "họ và tên" for c in ws[r]))
    cols = {str(c.value).strip().lower(): c.column for c in ws[header_row] if c.value}
    values = {"họ và tên": "Trần Bảo Ngọc", "ngày sinh": "12/03/2019", "giới tính": "Nữ", "dân tộc": "Kinh", "lớp": "1A"}
    for key, col in cols.items():
        for name, v in values.items():
            if key.startswith(name):
                ws.cell(header_row + 1, col, v)
        if key.startswith("mã định danh"):
            ws.cell(header_row + 1, col, "031319777001")
    wb.save(tpl)
    r = run(["--db", str(demo_db), "import-classes", str(tpl), "--as", "GV001"])
    assert r.returncode != 0 and "Không có quyền" in r.stderr, r.stdout + r.stderr
    r = run(["--db", str(demo_db), "import-classes", str(tpl), "--as", "VP01"])
    assert r.returncode == 0, r.stdout + r.stderr
