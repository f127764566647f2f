"""`hocbaso promote PERSONAL_ID --decision len-lop|o-lai --as CODE`: principal only, CHT pupils only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from hocbaso_desktop.exchange.record_xml import NS, build_record_xml
from hocbaso_desktop.services import directory, records
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import YearResult

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_PASSWORD")}
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)


def _pupils(db: Path) -> tuple[tuple[str, int], str, str]:
    with Store.open(db) as store:
        with store.read() as s:
            by_result = {e: r for e, r in s.execute(select(YearResult.enrolment_id, YearResult.confirmed_result))}
        rows = directory.students(store, "3A")
        cht = next(r for r in rows if by_result.get(r.enrolment_id) == "CHT")
        done = next(r for r in rows if by_result.get(r.enrolment_id) in ("HT", "HTT", "HTXS"))
        return (cht.personal_id, cht.enrolment_id), done.personal_id, directory.find_class(store, "3A").homeroom_code


def test_promote(demo_db: Path) -> None:
    (pid, enrolment_id), done, gvcn = _pupils(demo_db)
    r = run(demo_db, "promote", pid, "--decision", "o-lai", "--as", "HT", "--note", "chưa đạt môn Toán")
    assert r.returncode == 0, r.stderr
    assert "chưa được lên lớp (ở lại lớp)" in r.stdout
    r = run(demo_db, "promote", pid, "--decision", "len-lop", "--as", "HT")
    assert r.returncode == 0 and "được lên lớp (thay quyết định trước: ở lại lớp)" in r.stdout
    with Store.open(demo_db) as store:
        xml = build_record_xml(records.load_record_data(store, enrolment_id))
    assert etree.fromstring(xml).findtext(f".//{{{NS}}}duoclenlop") == "1"


def test_promote_refusals(demo_db: Path) -> None:
    (pid, _e), done, gvcn = _pupils(demo_db)
    r = run(demo_db, "promote", pid, "--decision", "len-lop", "--as", gvcn)
    assert r.returncode == 1 and "Không có quyền quyết định lên lớp" in r.stderr
    r = run(demo_db, "promote", done, "--decision", "o-lai", "--as", "HT")
    assert r.returncode == 1 and "không cần quyết định" in r.stderr
    r = run(demo_db, "promote", "999999999999", "--decision", "o-lai", "--as", "HT")
    assert r.returncode == 1 and "999999999999" in r.stderr
    assert run(demo_db, "promote", pid, "--decision", "maybe", "--as", "HT").returncode == 2
    assert run(demo_db, "promote", pid, "--decision", "len-lop").returncode == 2  # --as is required
