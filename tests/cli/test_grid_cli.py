"""`hocbaso grid export | import | summary` as real processes: exit codes 0 / 1 / 2 and their messages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from hocbaso_desktop.exchange.grid_layout import SHEET_SUBJECTS
from tests.grid_xlsx import edit, headers

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def run(*args: str, db: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = {k: v for k, v in os.environ.items() if k != "HOCBASO_AS"}
    e.update(env or {})
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, encoding="utf-8", timeout=180, env=e)


def _pids(path: Path) -> list[str]:
    ws = load_workbook(path)[SHEET_SUBJECTS]
    col = headers(ws)["Mã định danh"]
    return [ws.cell(r, col).value for r in range(4, ws.max_row + 1)]


def test_export_import_summary(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "5A-CK1.xlsx"
    r = run("grid", "export", "--as", "GV009", "--class", "5a", "--period", "CK1", str(out), db=demo_db)
    assert r.returncode == 0, r.stderr
    assert "lớp 5A, kì CK1" in r.stdout and out.exists()
    pids = _pids(out)

    edited = tmp_path / "edited.xlsx"
    edit(out, edited, [(SHEET_SUBJECTS, pids[0], "Toán – Nhận xét", "Tiến bộ rõ."), (SHEET_SUBJECTS, pids[1], "Toán – Điểm KTĐK", 8),
                       (SHEET_SUBJECTS, pids[1], "Toán – Mức", "T")])
    # Without --as and without HOCBASO_AS the import refuses to run (it would be anonymous in the audit).
    r = run("grid", "import", str(edited), db=demo_db)
    assert r.returncode == 2 and "--as" in r.stderr and "HOCBASO_AS" in r.stderr

    r = run("grid", "import", str(edited), "--as", "GV009", "--dry-run", db=demo_db)
    assert r.returncode == 0, r.stderr
    assert "Kiểm tra xong, chưa ghi" in r.stdout
    n = int(re.search(r"(\d+) ô sẽ thay đổi", r.stdout).group(1))
    assert 1 <= n <= 3  # the level or score may already have been T / 8

    r = run("grid", "import", str(edited), db=demo_db, env={"HOCBASO_AS": "GV009"})
    assert r.returncode == 0, r.stderr
    assert f"Đã ghi {n} ô thay đổi" in r.stdout
    r = run("grid", "export", "--as", "GV009", "--class", "5A", "--period", "CK1", str(tmp_path / "again.xlsx"), db=demo_db)
    ws = load_workbook(tmp_path / "again.xlsx")[SHEET_SUBJECTS]
    h = headers(ws)
    assert ws.cell(4, h["Toán – Nhận xét"]).value == "Tiến bộ rõ." and ws.cell(5, h["Toán – Điểm KTĐK"]).value == 8

    r = run("grid", "summary", "--as", "GV009", "--class", "5A", "--period", "CN", str(tmp_path / "tonghop.xlsx"), db=demo_db)
    assert r.returncode == 0 and (tmp_path / "tonghop.xlsx").exists(), r.stderr
    assert "BẢNG TỔNG HỢP" in load_workbook(tmp_path / "tonghop.xlsx").active["A4"].value


def test_refused_cells_exit_1_with_row_lines(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "5A.xlsx"
    assert run("grid", "export", "--as", "GV009", "--class", "5A", "--period", "CN", str(out), db=demo_db).returncode == 0
    pids = _pids(out)
    rows = edit(out, tmp_path / "bad.xlsx", [(SHEET_SUBJECTS, pids[0], "Toán – Điểm KTĐK", 11),
                                             (SHEET_SUBJECTS, pids[2], "Toán – Nhận xét", "hợp lệ nhưng không được ghi")])
    r = run("grid", "import", str(tmp_path / "bad.xlsx"), "--as", "GV011", db=demo_db)
    assert r.returncode == 1
    lines = [x for x in r.stderr.splitlines() if "dòng" in x]
    assert len(lines) == 2, r.stderr
    assert f"dòng {rows[(SHEET_SUBJECTS, pids[0], 'Toán – Điểm KTĐK')]}," in lines[0] and "«Toán – Điểm KTĐK»" in lines[0]
    assert "Không có quyền" in lines[1] and "Không ghi gì" in r.stderr
    again = run("grid", "import", str(tmp_path / "bad.xlsx"), "--as", "GV009", db=demo_db)
    assert again.returncode == 1 and "điểm phải từ 1 đến 10" in again.stderr and "Không có quyền" not in again.stderr


def test_unreadable_files_exit_2(demo_db: Path, tmp_path: Path) -> None:
    csv = tmp_path / "lop.xlsx"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    r = run("grid", "import", str(csv), "--as", "GV009", db=demo_db)
    assert r.returncode == 2 and "không phải tệp Excel" in r.stderr and "Traceback" not in r.stderr
    r = run("grid", "import", str(tmp_path / "khong-co.xlsx"), "--as", "GV009", db=demo_db)
    assert r.returncode == 2 and "Không tìm thấy" in r.stderr
    r = run("grid", "export", "--as", "GV009", "--class", "5A", "--period", "HK3", str(tmp_path / "x.xlsx"), db=demo_db)
    assert r.returncode == 2 and "lựa chọn không hợp lệ" in r.stderr
    r = run("grid", "import", str(csv), "--as", "KHONGCO", db=demo_db)
    assert r.returncode == 1 and "Không có cán bộ mã KHONGCO" in r.stderr
