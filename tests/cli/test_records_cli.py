"""records build / records pdf / validate as real processes on the demo school."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOCBASO_AS": "HT"}  # the demo's principal: reading records is logged in (issue 15)
    return subprocess.run([*CMD, *args], capture_output=True, text=True, encoding="utf-8", timeout=300, env=env)


def test_build_validate_every_student(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "xml"
    r = run("--db", str(demo_db), "records", "build", "--class", "4A", "--out", str(out))
    assert r.returncode == 0, r.stderr
    n = len(run("--db", str(demo_db), "students", "--class", "4A").stdout.splitlines())
    files = sorted(out.glob("*.xml"))
    assert len(files) == n
    assert all(len(f.stem) == 32 and all(c in "0123456789abcdef" for c in f.stem) for f in files)
    for f in files[:5]:
        v = run("validate", str(f))
        assert v.returncode == 0 and "hợp lệ" in v.stdout
    # deterministic: building again gives the same bytes
    again = tmp_path / "xml2"
    run("--db", str(demo_db), "records", "build", "--class", "4A", "--out", str(again))
    assert all((again / f.name).read_bytes() == f.read_bytes() for f in files)


def test_build_names_students_that_fail(demo_db: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(demo_db)
    pid = con.execute("SELECT s.personal_id FROM student s JOIN enrolment e ON e.student_id=s.id "
                      "JOIN school_class c ON c.id=e.class_id WHERE c.name='1B' LIMIT 1").fetchone()[0]
    con.execute("UPDATE student SET personal_id='12345' WHERE personal_id=?", (pid,))  # a broken identity number
    con.commit()
    con.close()
    r = run("--db", str(demo_db), "records", "build", "--class", "1B", "--out", str(tmp_path / "o"))
    assert r.returncode == 1
    assert "12345" in r.stderr and "sodinhdanh" in r.stderr


def test_validate_refuses_bad_and_hostile(tmp_path: Path, demo_db: Path) -> None:
    out = tmp_path / "x"
    run("--db", str(demo_db), "records", "build", "--class", "5B", "--out", str(out))
    good = next(out.glob("*.xml")).read_text(encoding="utf-8")
    bad = tmp_path / "bad.xml"
    bad.write_text(good.replace("<mucdatduoc>T</mucdatduoc>", "<mucdatduoc>Đ</mucdatduoc>", 1)
                   .replace("<mucdatduoc>H</mucdatduoc>", "<mucdatduoc>Đ</mucdatduoc>", 1), encoding="utf-8")
    r = run("validate", str(bad))
    assert r.returncode == 1 and "mucdatduoc" in r.stdout
    xxe = tmp_path / "xxe.xml"
    xxe.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    r = run("validate", str(xxe))
    assert r.returncode == 2 and "DOCTYPE" in r.stderr and "root:" not in r.stdout + r.stderr
    r = run("validate", str(tmp_path / "missing.xml"))
    assert r.returncode == 2 and "không đọc được" in r.stderr


def test_pdf_for_a_class_and_a_student(demo_db: Path, tmp_path: Path) -> None:
    students = [line.split("\t") for line in run("--db", str(demo_db), "students", "--class", "3B").stdout.splitlines()]
    pdf = tmp_path / "3b.pdf"
    r = run("--db", str(demo_db), "records", "pdf", "--class", "3B", "--out", str(pdf))
    assert r.returncode == 0, r.stderr
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for pid, name, *_ in students[:10]:
        assert name in text
    assert "1. Các môn học và hoạt động giáo dục" in text and "BẢN NHÁP" in text
    one = tmp_path / "one.pdf"
    r = run("--db", str(demo_db), "records", "pdf", "--student", students[0][0], "--out", str(one))
    assert r.returncode == 0
    t1 = subprocess.run(["pdftotext", str(one), "-"], capture_output=True, text=True).stdout
    assert students[0][1] in t1 and students[1][1] not in t1
