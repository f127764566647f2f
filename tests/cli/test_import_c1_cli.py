"""`hocbaso --db PATH import-classes C1-HocSinh.xlsx --as CODE` on the portal's export as it comes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from hocbaso_desktop.exchange.c1_statuses import C1_STATUSES
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Enrolment, Student
from tests.cli.test_import_cli import CMD, run, school
from tests.exchange.test_c1_hocsinh import PUPIL, VER2, VER3, c1_book


def counts(db: Path) -> tuple[int, int]:
    with Store.open(db) as store, store.read() as s:
        return (s.execute(select(func.count()).select_from(Student)).scalar_one(),
                s.execute(select(func.count()).select_from(Enrolment)).scalar_one())


def every_status() -> list[dict]:
    return [PUPIL | {"status": label, "name": f"Học Sinh {chr(65 + i)}", "moet": f"79000000{i:02d}",
                     "pid": f"0012190{i:05d}"} for i, label in enumerate(C1_STATUSES)]


def test_c1_export_imports_on_a_school_from_nothing(tmp_path: Path) -> None:
    db = school(tmp_path)
    r = run(db, "import-classes", str(c1_book(tmp_path, VER2, every_status())), "--as", "QT01")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Chuyển đi" in r.stdout + r.stderr  # the not-studying pupils are reported
    assert counts(db) == (3, 3)
    with Store.open(db) as store, store.read() as s:
        codes = set(s.execute(select(Student.moet_code)).scalars())
        dis = set(s.execute(select(Student.disability)).scalars())
    assert codes == {"7900000000", "7900000001", "7900000002"} and dis == {"Khuyết tật vận động"}


def test_c1_bad_files_write_nothing(tmp_path: Path) -> None:
    db = school(tmp_path)
    before = counts(db)
    other = PUPIL | {"pid": "001219000002", "moet": "7900000002", "name": "Trần Văn Bình"}
    for name, rows, needle in (
        ("status.xlsx", [PUPIL, other | {"status": "Đi du lịch"}], "Đi du lịch"),
        ("class.xlsx", [PUPIL, other | {"cls": "XYZ"}], "XYZ"),
        ("dup.xlsx", [PUPIL, other | {"moet": PUPIL["moet"]}], "mã học sinh trùng"),
    ):
        r = run(db, "import-classes", str(c1_book(tmp_path, VER3, rows, name)), "--as", "QT01")
        out = r.stdout + r.stderr
        assert r.returncode != 0 and needle in out and "dòng 6" in out, out
        assert counts(db) == before


def demo_run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_AS", "HOCBASO_PASSWORD")}
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, env=env)


def test_c1_export_on_the_demo_db(demo_db: Path, tmp_path: Path) -> None:
    f = str(c1_book(tmp_path, VER3, every_status()))
    before = counts(demo_db)
    r = demo_run(demo_db, "import-classes", f, "--as", "GV001")  # hostile: a teacher may not import lists
    assert r.returncode != 0 and counts(demo_db) == before, r.stdout + r.stderr
    r = demo_run(demo_db, "import-classes", f, "--as", "VP01")
    assert r.returncode == 0, r.stdout + r.stderr
    assert counts(demo_db) == (before[0] + 3, before[1] + 3)
