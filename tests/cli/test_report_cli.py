"""`hocbaso report --period P [--class NAME | --grade N] --out FILE.xlsx|FILE.pdf` in a subprocess."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import openpyxl

from tests.conftest import hocbaso_cmd


def run(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HOCBASO_AS": "HT"}  # the demo's principal: reports are logged in (issue 15)
    return subprocess.run(hocbaso_cmd() + ["--db", str(db), *args], capture_output=True, text=True, timeout=300, env=env)


def test_report_forms(demo_db: Path, tmp_path: Path) -> None:
    r = run(demo_db, "report", "--period", "CN", "--out", str(tmp_path / "truong.xlsx"))
    assert r.returncode == 0, r.stderr
    assert "Toàn trường" in r.stdout and "313 học sinh" in r.stdout
    assert openpyxl.load_workbook(tmp_path / "truong.xlsx")["Môn học"]["C7"].value == 313
    r = run(demo_db, "report", "--period", "gk1", "--grade", "4", "--out", str(tmp_path / "k4.pdf"))
    assert r.returncode == 0 and "Khối 4" in r.stdout and (tmp_path / "k4.pdf").read_bytes().startswith(b"%PDF")
    r = run(demo_db, "report", "--period", "CK1", "--class", "2B", "--out", str(tmp_path / "2b.xlsx"))
    assert r.returncode == 0 and "Lớp 2B" in r.stdout


def test_report_refusals(demo_db: Path, tmp_path: Path) -> None:
    r = run(demo_db, "report", "--period", "CN", "--out", str(tmp_path / "x.docx"))
    assert r.returncode != 0 and ".xlsx hoặc .pdf" in r.stderr
    r = run(demo_db, "report", "--period", "CN", "--class", "9Z", "--out", str(tmp_path / "x.xlsx"))
    assert r.returncode != 0 and "Không có lớp 9Z" in r.stderr
    r = run(demo_db, "report", "--period", "CN", "--class", "1A", "--grade", "1", "--out", str(tmp_path / "x.xlsx"))
    assert r.returncode == 2
    r = run(demo_db, "report", "--period", "HK3", "--out", str(tmp_path / "x.xlsx"))
    assert r.returncode == 2
