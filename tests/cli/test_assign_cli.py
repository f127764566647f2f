"""hocbaso assign … on a school set up from nothing, logged in through --as with passwords: the
contracts (homeroom, subject, remove, list TSV, import, template-assign), exit codes and refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hocbaso_desktop.storage.engine import Store
from tests.assign_school import PASSWORD, YEAR, build_school, give_password

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build_school(tmp_path_factory.mktemp("assign-cli") / "school.sqlite3")
    with Store.open(db) as store:
        for code in ("QT01", "GV003"):
            give_password(store, code)
    return db


@pytest.fixture
def db(template_db: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "school.sqlite3"
    dst.write_bytes(template_db.read_bytes())
    anchor = Path(str(template_db) + ".audit-head")
    if anchor.exists():
        Path(str(dst) + ".audit-head").write_bytes(anchor.read_bytes())
    return dst


def run(db: Path, *args: str, password: str | None = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCBASO_")}
    if password is not None:
        env["HOCBASO_PASSWORD"] = password
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)


def listed(db: Path) -> list[str]:
    r = run(db, "assign", "list", "--year", YEAR)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def test_homeroom_subject_list_remove(db: Path) -> None:
    r = run(db, "assign", "homeroom", "1A", "GV001", "--as", "QT01", "--teach-unassigned")
    assert r.returncode == 0, r.stderr
    assert "Lớp 1A: GVCN GV001" in r.stdout and "GV001 dạy Toán" in r.stdout
    r = run(db, "assign", "subject", "1A", "TOAN", "GV003", "--as", "QT01")
    assert r.returncode == 0, r.stderr
    assert run(db, "assign", "subject", "1A", "NN1", "GV004", "--as", "QT01", "--year", YEAR).returncode == 0
    rows = listed(db)
    assert rows[0] == "1A\tGVCN\tGV001"
    assert {"1A\tTOAN\tGV001", "1A\tTOAN\tGV003", "1A\tNN1\tGV004"} <= set(rows)
    assert all(len(x.split("\t")) == 3 for x in rows)
    # second GVCN
    r = run(db, "assign", "homeroom", "1A", "GV002", "--as", "QT01")
    assert r.returncode == 1 and "Lớp 1A đã có GVCN GV001 – Trần Thị Mai; dùng --replace để thay" in r.stderr
    assert run(db, "assign", "homeroom", "1A", "GV002", "--as", "QT01", "--replace").returncode == 0
    assert "1A\tGVCN\tGV002" in listed(db)
    # remove a GVBM and the GVCN
    assert run(db, "assign", "remove", "1A", "TOAN", "GV003", "--as", "QT01").returncode == 0
    r = run(db, "assign", "remove", "1A", "GVCN", "GV001", "--as", "QT01")
    assert r.returncode == 1 and "GV001 không phải GVCN lớp 1A" in r.stderr
    assert run(db, "assign", "remove", "1A", "GVCN", "GV002", "--as", "QT01").returncode == 0
    rows = listed(db)
    assert "1A\tTOAN\tGV003" not in rows and not any("\tGVCN\t" in x for x in rows)


@pytest.mark.parametrize("args, message", [
    (("assign", "subject", "2A", "KH", "GV003"), "khối 2 không học môn Khoa học"),
    (("assign", "subject", "2A", "HOA", "GV003"), "Môn học: giá trị «HOA»"),
    (("assign", "subject", "7C", "TOAN", "GV003"), "Không có lớp 7C"),
    (("assign", "homeroom", "2A", "GV009"), "GV009 – Bùi Thị Nghỉ đã nghỉ"),
    (("assign", "subject", "2A", "TOAN", "GV404"), "không có cán bộ mã GV404"),
])
def test_refusals_exit_1(db: Path, args: tuple[str, ...], message: str) -> None:
    r = run(db, *args, "--as", "QT01")
    assert r.returncode == 1 and message in r.stderr, r.stdout + r.stderr
    assert listed(db) == []


def test_a_teacher_cannot_assign_herself_and_login_is_required(db: Path) -> None:
    r = run(db, "assign", "subject", "2A", "TOAN", "GV003", "--as", "GV003")
    assert r.returncode == 1 and "Không có quyền phân công GVCN, GVBM" in r.stderr
    r = run(db, "assign", "subject", "2A", "TOAN", "GV003", "--as", "QT01", password=None)
    assert r.returncode == 2 and "HOCBASO_PASSWORD" in r.stderr
    r = run(db, "assign", "subject", "2A", "TOAN", "GV003", "--as", "QT01", password="sai mật khẩu rồi")
    assert r.returncode != 0 and listed(db) == []
    r = run(db, "assign", "subject", "2A", "TOAN", "GV003")
    assert r.returncode == 2  # --as is required: usage error


def test_template_fill_import(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "phan-cong.xlsx"
    r = run(db, "template-assign", str(out), "--year", YEAR)
    assert r.returncode == 0 and out.exists(), r.stderr
    wb = load_workbook(out)
    ws = wb["Phân công"]
    cols = {c.value: c.column for c in ws[2] if c.value}
    rows = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    ws.cell(rows["2A"], cols["GVCN"]).value = "GV002"
    ws.cell(rows["2A"], cols["Toán"]).value = "GV002,GV003"
    wb.save(out)
    r = run(db, "assign", "import", str(out), "--as", "QT01", "--dry-run")
    assert r.returncode == 0 and "chạy thử" in r.stdout and listed(db) == []
    r = run(db, "assign", "import", str(out), "--as", "QT01")
    assert r.returncode == 0, r.stderr
    assert set(listed(db)) == {"2A\tGVCN\tGV002", "2A\tTOAN\tGV002", "2A\tTOAN\tGV003"}
    # a bad cell: dòng lines on stderr, exit 1, nothing written
    ws.cell(rows["2A"], cols["GVCN"]).value = "GV001"
    ws.cell(rows["4A"], cols["Tin học"]).value = "GV009"
    wb.save(out)
    r = run(db, "assign", "import", str(out), "--as", "QT01")
    assert r.returncode == 1
    assert f"dòng {rows['4A']}, cột «Tin học»: GV009 – Bùi Thị Nghỉ đã nghỉ" in r.stderr
    assert "2A\tGVCN\tGV002" in listed(db)
    # unreadable
    bad = tmp_path / "bad.xlsx"
    bad.write_text("Lớp,GVCN\n1A,GV001\n", encoding="utf-8")
    r = run(db, "assign", "import", str(bad), "--as", "QT01")
    assert r.returncode == 2 and "không phải tệp Excel" in r.stderr
