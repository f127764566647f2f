"""import-classes / template-classes as real processes: exit codes 0 / 1 / 2 and what they print.

import-classes logs in (issue 15, one login path): a school whose first account is Ban quản trị
QT01, named by HOCBASO_AS with its password in HOCBASO_PASSWORD — the contract form
`hocbaso --db PATH import-classes FILE.xlsx` stays as it is."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook

from hocbaso_desktop.domain.roles import ADMIN
from hocbaso_desktop.services import accounts
from hocbaso_desktop.storage.engine import Store

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"]
ROWS = [
    [1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A"],
    [2, "Trần Thị Bình", "05/06/2019", "Nữ", 79319000002, "Tày", "1A"],
    [3, "Lê Văn Cường", date(2017, 1, 9), "Nam", "031217000003", "Kinh", "3B"],
]


PW = "quản trị 2026 thử!"


def school(tmp_path: Path) -> Path:
    """An install whose first account exists (nothing else): the state before the first class list."""
    db = tmp_path / "hb.sqlite3"
    with Store.open(db) as store:
        accounts.create_first_admin(store, "QT01", "Nguyễn Quản Trị", PW, ADMIN)
    return db


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_AS", "HOCBASO_PASSWORD")}
    env.update({"HOCBASO_AS": "QT01", "HOCBASO_PASSWORD": PW})
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, env=env)


def xlsx(tmp_path: Path, rows: list[list], name: str = "ds.xlsx") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    p = tmp_path / name
    wb.save(p)
    return p


def test_import_dry_run_then_import_then_again(tmp_path: Path) -> None:
    db = school(tmp_path)
    f = xlsx(tmp_path, ROWS)
    r = run(db, "import-classes", str(f), "--year", "2025-2026", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "Chạy thử" in r.stdout and "3 học sinh mới" in r.stdout
    assert run(db, "classes", "--year", "2025-2026").returncode != 0  # nothing written, not even the year

    r = run(db, "import-classes", str(f), "--year", "2025-2026")
    assert r.returncode == 0, r.stderr
    assert "3 học sinh mới, 0 cập nhật, 0 không đổi" in r.stdout and "lớp tạo mới: 1A, 3B" in r.stdout
    assert "khôi phục số 0" in r.stdout  # the number-typed identity
    assert "Traceback" not in r.stderr

    r = run(db, "import-classes", str(f), "--year", "2025-2026")
    assert r.returncode == 0 and "0 học sinh mới, 0 cập nhật, 3 không đổi" in r.stdout
    assert run(db, "classes").stdout.splitlines() == ["1A\t1\t2", "3B\t3\t1"]


def test_errors_exit_1_one_line_per_problem_db_untouched(tmp_path: Path) -> None:
    db = school(tmp_path)
    rows = ROWS + [[4, "", "31/02/2019", "x", "123", "Klingon", "9A"], [5, "Đỗ Văn Em", date(2019, 1, 1), "Nam", "001219012345", "Kinh", "1A"]]
    r = run(db, "import-classes", str(xlsx(tmp_path, rows)), "--year", "2025-2026")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 8  # 6 cells of row 5 + the duplicate id, named on both rows 2 and 6
    assert all("dòng " in line for line in lines)
    assert any("dòng 5" in line and "Ngày sinh" in line and "ngày không có thật" in line for line in lines)
    assert any("dòng 2" in line and "trùng với dòng 6" in line for line in lines)
    assert "Cơ sở dữ liệu không thay đổi" in r.stdout
    assert run(db, "classes", "--year", "2025-2026").returncode != 0


def test_unreadable_files_exit_2_with_one_message(tmp_path: Path) -> None:
    db = school(tmp_path)
    enc = tmp_path / "enc.xlsx"
    enc.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 2048)
    csv = tmp_path / "ds.xlsx"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(xlsx(tmp_path, ROWS, "src.xlsx").read_bytes()[:700])
    for path, word in ((enc, "mật khẩu"), (csv, "không phải tệp Excel"), (empty, "rỗng"), (damaged, "hỏng"),
                       (tmp_path / "none.xlsx", "Không tìm thấy")):
        r = run(db, "import-classes", str(path))
        assert r.returncode == 2, (path, r.stdout, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1 and word in r.stderr
        assert "Traceback" not in r.stderr


def test_bad_year_is_a_usage_error(tmp_path: Path) -> None:
    r = run(tmp_path / "hb.sqlite3", "import-classes", str(xlsx(tmp_path, ROWS)), "--year", "2025")
    assert r.returncode == 2 and "2025-2026" in r.stderr


def test_template(tmp_path: Path) -> None:
    out = tmp_path / "mau.xlsx"
    db = tmp_path / "none.sqlite3"
    r = run(db, "template-classes", str(out))
    assert r.returncode == 0, r.stderr
    assert not db.exists()  # a template never creates a database
    wb = load_workbook(out)
    assert "Họ và tên" in [c.value for c in wb.active[1]]
    assert run(db, "template-classes", str(tmp_path / "mau.csv")).returncode == 1
