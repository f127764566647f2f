"""The CLI contracts other issues and checks rely on, run as real processes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def run(*args: str, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    full = [*CMD, *(["--db", str(db)] if db else []), *args]
    # the demo's principal (no password on the demo): listing pupils is logged in (issue 15)
    env = {**os.environ, "HOCBASO_AS": "HT"}
    return subprocess.run(full, capture_output=True, text=True, encoding="utf-8", timeout=120, env=env)


def test_demo_then_lists(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    r = run("demo", "--seed", "3", db=db)
    assert r.returncode == 0, r.stderr
    assert "Đã tạo trường mẫu" in r.stdout
    classes = [line.split("\t") for line in run("classes", db=db).stdout.splitlines()]
    assert [c[0] for c in classes] == ["1A", "1B", "2A", "2B", "3A", "3B", "4A", "4B", "5A", "5B"]
    assert all(28 <= int(c[2]) <= 35 and c[1] == c[0][0] for c in classes)

    lines = run("students", "--class", "2A", db=db).stdout.splitlines()
    assert len(lines) == int(dict((c[0], c[2]) for c in classes)["2A"])
    for line in lines:
        pid, name, born, sex, ethnic, cls = line.split("\t")
        assert re.fullmatch(r"\d{12}", pid) and cls == "2A" and sex in ("Nam", "Nữ")
        assert born.startswith(("2017", "2018"))
        assert pid[3] == ("2" if sex == "Nam" else "3") and pid[4:6] == born[2:4]
    # demo is deterministic for a seed
    db2 = tmp_path / "y.sqlite3"
    run("demo", "--seed", "3", db=db2)
    assert run("students", db=db).stdout == run("students", db=db2).stdout


def test_staff_and_results(demo_db: Path) -> None:
    staff = [line.split("\t") for line in run("staff", db=demo_db).stdout.splitlines()]
    codes = {s[0]: s for s in staff}
    assert "HT" in codes and "Hiệu trưởng" in codes["HT"][2]
    assert any("GVCN 5A" in s[3] for s in staff)
    r = run("results", "--class", "5A", db=demo_db)
    assert r.returncode == 0, r.stderr
    rows = [line.split("\t") for line in r.stdout.splitlines()]
    assert rows and all(len(x) == 4 and x[2] in ("HTXS", "HTT", "HT", "CHT") and x[3] for x in rows)
    for x in rows:
        if x[2] == "HTT":
            assert x[3].startswith("Không đạt HTXS vì:")


def test_errors_are_vietnamese_and_nonzero(demo_db: Path, tmp_path: Path) -> None:
    r = run("results", "--class", "9Z", db=demo_db)
    assert r.returncode != 0 and "Không có lớp 9Z" in r.stderr
    r = run("demo", db=demo_db)
    assert r.returncode != 0 and "đã có dữ liệu" in r.stderr
    r = run("results", db=demo_db)
    assert r.returncode == 2 and "thiếu tham số bắt buộc" in r.stderr


def test_env_var_selects_db(demo_db: Path) -> None:
    import os

    env = dict(os.environ, HOCBASO_DB=str(demo_db), HOCBASO_AS="HT")
    r = subprocess.run([*CMD, "classes"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("1A\t1\t")


@pytest.mark.parametrize("command", [[], ["demo"], ["classes"], ["students"], ["staff"], ["results"]])
def test_help_everywhere(command: list[str]) -> None:
    r = subprocess.run([*CMD, *command, "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "usage" in r.stdout.lower()
