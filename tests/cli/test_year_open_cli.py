"""`hocbaso year open NEW --from OLD [--map 1A=2A]... [--copy-assignments] [--dry-run]
[--confirm-incomplete] --as CODE` (issue 17): prints the plan, exit 0; refused → exit 1, the Vietnamese
reason on stderr, nothing written. On a school from nothing (tests/rollover_school.py) and the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hocbaso_desktop.storage.engine import Store
from tests import rollover_school as rs
from tests.assign_school import PASSWORD, give_password
from tests.rollover_school import KEPT_5A, NEXT, YEAR

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_PASSWORD", "HOCBASO_AS")}
    env["HOCBASO_PASSWORD"] = PASSWORD  # every account of this school has the same one (a test's shortcut)
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=180)


def _data(db: Path) -> dict[str, int]:
    """Row counts, the audit log counted by its rollover entries only (every login is audited too)."""
    import sqlite3

    out = rs.counts(db)
    con = sqlite3.connect(db)
    try:
        out["audit_log"] = con.execute("SELECT count(*) FROM audit_log WHERE action = 'year.open'").fetchone()[0]
    finally:
        con.close()
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = rs.build(tmp_path_factory.mktemp("rollover-cli"))
    with Store.open(db) as store:
        for code in ("HT", "VP01", "GV101"):
            give_password(store, code)
    return db


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return rs.copy(template, tmp_path)


def test_year_open_from_nothing(db: Path) -> None:
    before = _data(db)
    r = run(db, "year", "open", NEXT, "--from", YEAR, "--dry-run", "--copy-assignments", "--as", "HT")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"Chạy thử, chưa ghi gì — mở năm học {NEXT} từ năm học {YEAR}")
    assert "cần Hiệu trưởng xác nhận" in r.stdout and _data(db) == before

    r = run(db, "year", "open", NEXT, "--from", YEAR, "--as", "VP01")
    assert r.returncode == 1 and "--confirm-incomplete" in r.stderr and r.stdout == ""
    assert _data(db) == before

    r = run(db, "year", "open", NEXT, "--from", YEAR, "--copy-assignments", "--confirm-incomplete", "--as", "HT")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert f"Đã mở năm học {NEXT} từ năm học {YEAR} (năm học mới được tạo)." in out
    assert "Lên lớp: 7 học sinh" in out and "Ở lại lớp: 1 học sinh" in out
    assert "Hoàn thành chương trình tiểu học: 2 học sinh" in out and "Không kết chuyển: 1 học sinh" in out
    assert f"5A → 5A\t{KEPT_5A}" in out and "Lớp tạo mới: 2A (khối 2), 4A (khối 4), 5A (khối 5)" in out
    assert "Không sao chép: lớp 4A, Mĩ thuật: GV199" in out

    # the promoted pupils are in the new year's classes
    r = run(db, "students", "--class", "4A", "--year", NEXT, "--as", "HT")
    assert r.returncode == 0, r.stderr
    listed = {line.split("\t")[0] for line in r.stdout.splitlines() if line.strip()}
    assert listed == {p[0] for p in rs.pupils(YEAR) if p[0] != rs.LEFT_3A}
    assert all(line.endswith("\t4A") for line in r.stdout.splitlines() if line.strip())

    after = _data(db)
    r = run(db, "year", "open", NEXT, "--from", YEAR, "--as", "VP01")  # nothing left that needs the principal
    assert r.returncode == 0 and "Không có gì mới: 11 học sinh đã được kết chuyển từ trước" in r.stdout, r.stderr
    assert _data(db) == after


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "1A=3A", "--confirm-incomplete", "--as", "HT"], "Chuyển lớp «1A=3A»: lớp 3A thuộc khối 3"),
    (["--map", "1A", "--as", "HT"], "LỚP_CŨ=LỚP_MỚI"),
    (["--as", "GV101"], "Không có quyền nhập danh sách học sinh"),
    (["--confirm-incomplete", "--as", "VP01"], "Không có quyền xác nhận mở năm học mới"),
    (["--copy-assignments", "--as", "VP01"], "Không có quyền phân công"),
])
def test_year_open_refusals_write_nothing(db: Path, args: list[str], message: str) -> None:
    before = _data(db)
    r = run(db, "year", "open", NEXT, "--from", YEAR, *args)
    assert r.returncode == 1 and message in r.stderr and r.stdout == "", (r.returncode, r.stdout, r.stderr)
    assert _data(db) == before


def test_year_open_wrong_years(db: Path) -> None:
    before = _data(db)
    later = f"{int(YEAR[:4]) + 2}-{int(YEAR[:4]) + 3}"
    r = run(db, "year", "open", later, "--from", YEAR, "--confirm-incomplete", "--as", "HT")
    assert r.returncode == 1 and f"tức {NEXT}" in r.stderr
    r = run(db, "year", "open", NEXT, "--from", YEAR)
    assert r.returncode == 2 and "--as" in r.stderr
    assert _data(db) == before


def test_year_open_on_the_demo(demo_db: Path) -> None:  # the demo's accounts log in without a password
    r = run(demo_db, "year", "open", "2026-2027", "--from", "2025-2026", "--map", "1A=2A", "--map", "1B=2A",
            "--confirm-incomplete", "--as", "HT")
    assert r.returncode == 0, r.stderr
    assert "Chuyển lớp: 1A → 2A; 1B → 2A; 2A → 3A" in r.stdout and "Chờ (chưa kết chuyển): 18 học sinh" in r.stdout
    r = run(demo_db, "students", "--class", "2A", "--year", "2026-2027", "--as", "HT")
    rows = [line for line in r.stdout.splitlines() if line.strip()]
    assert r.returncode == 0 and len(rows) > 50  # both grade-1 classes, merged
    r = run(demo_db, "year", "open", "2026-2027", "--from", "2025-2026", "--as", "HT")
    assert r.returncode == 0 and "Không có gì mới" in r.stdout and "1B → 2A" in r.stdout and "→ 2B" not in r.stdout
