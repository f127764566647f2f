"""hocbaso records pdf --student PID --book --out FILE.pdf (issue 17) as a real process: the whole
book of a pupil with two issued years, refusals (unknown pupil, nothing issued, a teacher of another
class, --book with --class) writing no file, and the one-year forms unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from tests.book_school import NEXT_YEAR, YEAR, BookSchool, book_school
from tests.transfer_schools import copy_db

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


@pytest.fixture(scope="module")
def school(demo_template: Path) -> BookSchool:
    return book_school(demo_template)


@pytest.fixture
def db(school: BookSchool, tmp_path: Path) -> Path:
    return copy_db(school.db, tmp_path / "book.sqlite3")


def run(db: Path, *args: str, as_code: str = "HT") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOCBASO_AS": as_code}
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=300, env=env)


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True).stdout.decode()


def test_book_of_a_pupil_with_two_years(db: Path, school: BookSchool, tmp_path: Path) -> None:
    out = tmp_path / "book.pdf"
    r = run(db, "records", "pdf", "--student", school.two_years_pid, "--book", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert f"Năm học {YEAR}" in r.stdout and f"Năm học {NEXT_YEAR}" in r.stdout and "(2 năm học)" in r.stdout
    pages = text_of(out).split("\f")[:-1]
    assert len(pages) == 8 and "Trang 8/8" in pages[-1]
    assert [p for p in pages if "Năm học: " in p and "Trường:" in p][0].count(YEAR) >= 1
    # the one-year form still prints one yearly copy (the latest year)
    one = tmp_path / "one.pdf"
    r = run(db, "records", "pdf", "--student", school.two_years_pid, "--out", str(one))
    assert r.returncode == 0, r.stderr
    assert "CÁC NĂM HỌC TRONG HỌC BẠ" not in text_of(one) and "CÁC NĂM HỌC TRONG HỌC BẠ" in "".join(pages)


def test_book_refusals_write_nothing(db: Path, school: BookSchool, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    r = run(db, "records", "pdf", "--student", "000000000000", "--book", "--out", str(out))
    assert r.returncode == 1 and "Không có học sinh mã định danh 000000000000" in r.stderr
    r = run(db, "records", "pdf", "--student", school.withdrawn_pid, "--book", "--out", str(out))
    assert r.returncode == 1 and "chưa có năm học nào đã phát hành" in r.stderr
    with Store.open(db) as store:
        other = directory.find_class(store, "5A", YEAR).homeroom_code
    r = run(db, "records", "pdf", "--student", school.two_years_pid, "--book", "--out", str(out), as_code=other)
    assert r.returncode != 0 and "Không có quyền" in r.stderr
    r = run(db, "records", "pdf", "--class", "1A", "--book", "--out", str(out))
    assert r.returncode == 2 and "--book" in r.stderr
    assert not out.exists()
