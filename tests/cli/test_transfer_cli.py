"""`hocbaso transfer export|import` end to end in subprocesses, between two school databases:
exact command forms, PIN from HOCBASO_PIN, exit 0 / non-zero with reasons, re-import changes nothing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import hocbaso_cmd
from tests.transfer_schools import PIN, RECEIVER_NAME, TwoSchools, copy_db, two_schools


@pytest.fixture(scope="module")
def schools(demo_template: Path) -> TwoSchools:
    return two_schools(demo_template)


def run(db: Path, *args: str, pin: str | None = PIN) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_PIN", "HOCBASO_DB", "HOCBASO_PASSWORD")}
    if pin is not None:
        env["HOCBASO_PIN"] = pin
    return subprocess.run(hocbaso_cmd() + ["--db", str(db), *args], env=env, capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as c:
        return c.execute(sql).fetchone()[0]


def test_export_import_reimport_and_tamper(schools: TwoSchools, tmp_path: Path) -> None:
    sender = copy_db(schools.sender, tmp_path / "sender.sqlite3")
    receiver = copy_db(schools.receiver, tmp_path / "receiver.sqlite3")
    pkg = tmp_path / "goi.zip"
    r = run(sender, "transfer", "export", "--student", schools.student_pid, "--out", str(pkg), "--as", "VP01",
            "--to", RECEIVER_NAME)
    assert r.returncode == 0, r.stderr
    assert "Đã xuất gói chuyển trường" in r.stdout and "2 học bạ" in r.stdout
    assert _count(sender, "SELECT count(*) FROM enrolment WHERE status = 'transferred_out'") >= 1

    r = run(receiver, "transfer", "import", str(pkg), "--class", "4A", "--as", "VP01", pin=None)
    assert r.returncode == 0, r.stderr
    assert "Gói chuyển trường: HỢP LỆ" in r.stdout and "Đã nhận" in r.stdout and "lớp 4A" in r.stdout
    assert _count(receiver, "SELECT count(*) FROM received_record") == 2
    counts = [_count(receiver, f"SELECT count(*) FROM {t}") for t in
              ("student", "enrolment", "received_record", "learning_history", "student_transfer")]

    r = run(receiver, "transfer", "import", str(pkg), "--class", "4A", "--as", "VP01", pin=None)
    assert r.returncode == 0 and "không có gì thay đổi" in r.stdout
    # Nothing written but the CLI login's own audit line.
    assert counts == [_count(receiver, f"SELECT count(*) FROM {t}") for t in
                      ("student", "enrolment", "received_record", "learning_history", "student_transfer")]
    assert _count(receiver, "SELECT count(*) FROM audit_log WHERE action = 'student.transfer_in'") == 1

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(pkg) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("v1.xml"):
                data = data.replace(b"<namhoc>2025-2026</namhoc>", b"<namhoc>2024-2025</namhoc>", 1)
            zout.writestr(info.filename, data)
    fresh = copy_db(schools.receiver, tmp_path / "fresh.sqlite3")
    r = run(fresh, "transfer", "import", str(bad), "--class", "4A", "--as", "VP01", pin=None)
    assert r.returncode != 0
    assert "BỊ TỪ CHỐI" in r.stderr and "data/records/2025-2026/v1.xml đã bị thay đổi" in r.stderr
    assert _count(fresh, "SELECT count(*) FROM received_record") == 0


def test_wrong_pin_and_missing_arguments(schools: TwoSchools, tmp_path: Path) -> None:
    sender = copy_db(schools.sender, tmp_path / "sender.sqlite3")
    r = run(sender, "transfer", "export", "--student", schools.student_pid, "--out", str(tmp_path / "x.zip"),
            "--as", "VP01", pin="000000")
    assert r.returncode != 0 and "PIN" in r.stderr
    assert not (tmp_path / "x.zip").exists()
    assert _count(sender, "SELECT count(*) FROM student_transfer") == 0
    r = run(sender, "transfer", "import", "--class", "1A", "--as", "VP01")
    assert r.returncode == 2 and "thiếu tham số" in r.stderr
