"""`hocbaso transfer received --student PID --as CODE [--verify]`: the records another school issued,
listed read-only and verified; a record altered in the database file fails with exit 1."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_transfer_cli import run
from tests.transfer_schools import RECEIVER_NAME, TwoSchools, copy_db, two_schools


@pytest.fixture(scope="module")
def schools(demo_template: Path) -> TwoSchools:
    return two_schools(demo_template)


def test_received_lists_verifies_and_catches_an_altered_copy(schools: TwoSchools, tmp_path: Path) -> None:
    sender = copy_db(schools.sender, tmp_path / "sender.sqlite3")
    receiver = copy_db(schools.receiver, tmp_path / "receiver.sqlite3")
    pkg = tmp_path / "goi.zip"
    assert run(sender, "transfer", "export", "--student", schools.student_pid, "--out", str(pkg), "--as", "VP01",
               "--to", RECEIVER_NAME).returncode == 0
    assert run(receiver, "transfer", "import", str(pkg), "--class", "2A", "--as", "VP01", pin=None).returncode == 0

    r = run(receiver, "transfer", "received", "--student", schools.student_pid, "--as", "VP01", "--verify", pin=None)
    assert r.returncode == 0, r.stderr
    lines = [x for x in r.stdout.splitlines() if x.startswith("#")]
    assert len(lines) == 2 and all("Nhận khi chuyển đến — " in x for x in lines)
    assert "phiên bản 1 (đã được thay thế)" in lines[0] and "phiên bản 2 (có hiệu lực)" in lines[1]
    assert "✗" not in r.stdout

    with sqlite3.connect(receiver) as c:  # someone with the file and sqlite3
        c.execute("DROP TRIGGER received_record_no_update")
        xml = c.execute("SELECT signed_xml FROM received_record WHERE version = 2").fetchone()[0]
        c.execute("UPDATE received_record SET signed_xml = ? WHERE version = 2", (bytes(xml).replace(b"1A", b"1B", 1),))
    r = run(receiver, "transfer", "received", "--student", schools.student_pid, "--as", "VP01", "--verify", pin=None)
    assert r.returncode == 1
    assert "bị thay đổi sau khi nhận" in r.stdout

    r = run(receiver, "transfer", "received", "--student", "999999999999", "--as", "VP01", pin=None)
    assert r.returncode != 0 and "Không có học sinh mã định danh 999999999999" in r.stderr
