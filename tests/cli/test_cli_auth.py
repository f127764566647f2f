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
    assert run(["--db", str(demo_db), "grid", "export", "--as", "GV009", "--class", "5A", "--period", "CN", str(wb)],
               {"HOCBASO_PASSWORD": "mật khẩu mới 2026"}).returncode == 0
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


def test_acting_commands_refuse_without_the_password(demo_db: Path, tmp_path: Path) -> None:
    """sign, year lock/unlock and archive export log in like grid import: a principal with a
    password cannot be impersonated by typing --as HT (issue 14: every command that acts)."""
    with Store.open(demo_db) as store:
        accounts.change_own_password(store, "HT", None, "hiệu trưởng 2026!")
        accounts.change_own_password(store, "VP01", None, "văn phòng 2026!")
    db = ["--db", str(demo_db)]
    attempts = [
        ["sign", "--class", "5A", "--as", "HT"],
        ["year", "lock", "2025-2026", "--as", "HT"],
        ["year", "unlock", "2025-2026", "--as", "HT", "--reason", "thử"],
        ["archive", "export", "--year", "2025-2026", "--to", str(tmp_path / "usb"), "--as", "VP01"],
    ]
    for argv in attempts:
        r = run([*db, *argv])
        assert r.returncode == 2 and "HOCBASO_PASSWORD" in r.stderr, (argv, r.stdout, r.stderr)
        r = run([*db, *argv], {"HOCBASO_PASSWORD": "đoán bừa 123"})
        assert r.returncode != 0 and "mật khẩu" in r.stderr.lower(), (argv, r.stdout, r.stderr)
    assert not (tmp_path / "usb").exists() or not any((tmp_path / "usb").iterdir())
    with Store.open(demo_db) as store:
        from hocbaso_desktop.services import directory

        assert directory.years(store) == ["2025-2026"]
        from sqlalchemy import select

        from hocbaso_desktop.storage.models import SchoolYear

        with store.read() as s:
            assert s.execute(select(SchoolYear.locked)).scalar() is False
    # with the password the principal is let in, and the year's own rule speaks (unissued records)
    r = run([*db, "year", "lock", "2025-2026", "--as", "HT"], {"HOCBASO_PASSWORD": "hiệu trưởng 2026!"})
    assert r.returncode == 1 and "chưa phát hành" in r.stderr and "mật khẩu" not in r.stderr.lower(), r.stderr
