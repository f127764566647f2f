"""hocbaso pupil set|show as real processes: logged in like grid import, exit codes 0 / 1 / 2 (issue 14)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.services import directory
from hocbaso_desktop.services.passwords import hash_password
from hocbaso_desktop.services.pupil_profile import pupil_profile
from hocbaso_desktop.storage.account_models import Account
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Staff
from tests.pupil_school import AN, CHI, DUNG, new_school

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]
PASSWORDS = {"VP01": "văn phòng 2026!", "GV1": "cô một 2026!", "GV3": "thầy ba 2026!"}


def run(db: Path, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_PASSWORD")}
    if password is not None:
        env["HOCBASO_PASSWORD"] = password
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def school_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("pupil-cli")
    db = tmp / "school.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp)
        with store.transaction("system") as tx:
            for code, pw in PASSWORDS.items():
                staff_id = tx.session.execute(select(Staff.id).where(Staff.code == code)).scalar()
                tx.session.add(Account(staff_id=staff_id, password_hash=hash_password(pw), must_change_password=False,
                                       failed_attempts=0, created_at=datetime.now(), disabled_by="", disabled_reason=""))
            tx.audit("test.passwords", "staff", "-", {"codes": list(PASSWORDS)})
    return db


@pytest.fixture
def db(school_template: Path, tmp_path: Path) -> Path:
    import shutil

    dst = tmp_path / "school.sqlite3"
    shutil.copyfile(school_template, dst)
    anchor = Path(str(school_template) + ".audit-head")
    if anchor.exists():
        shutil.copyfile(anchor, Path(str(dst) + ".audit-head"))
    return dst


def test_set_then_show(db: Path) -> None:
    r = run(db, "pupil", "set", AN[3], "--as", "VP01", "--optional", "NN1", "--optional", "Tiếng dân tộc",
            "--exempt", "GDTC", "--individual-plan", "--student-code", "0123456789", "--register-no", "15/2025",
            "--enrolled-on", "05/09/2025", "--disability", "Khuyết tật vận động", password=PASSWORDS["VP01"])
    assert r.returncode == 0, r.stderr
    assert "Đã sửa hồ sơ học sinh Nguyễn Văn An" in r.stdout
    r = run(db, "pupil", "show", AN[3], "--as", "VP01", password=PASSWORDS["VP01"])
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert lines["Mã học sinh"] == "0123456789" and lines["Số đăng bộ"] == "15/2025"
    assert lines["Môn tự chọn"] == "NN1 (Ngoại ngữ 1), TDT (Tiếng dân tộc)"
    assert lines["Miễn môn"] == "GDTC (Giáo dục thể chất)"
    assert lines["Đánh giá theo KHGD cá nhân"] == "có" and lines["Ngày vào trường"] == "05/09/2025"
    assert lines["Lớp"] == "1A (khối 1)"
    # clear again
    r = run(db, "pupil", "set", AN[3], "--as", "GV1", "--no-optional", "--no-exempt", "--no-individual-plan",
            password=PASSWORDS["GV1"])
    assert r.returncode == 0, r.stderr
    with Store.open(db) as store:
        p = pupil_profile(store, AN[3])
    assert not p.optional_subjects and not p.exempt_subjects and not p.not_assessed


def test_refusals_exit_1_and_write_nothing(db: Path) -> None:
    for args, who, words in (
        (["--exempt", "KH"], "VP01", "khối 2 không có môn Khoa học"),
        (["--optional", "NN1"], "VP01", "bắt buộc ở khối 4"),
        (["--address", "x"], "GV1", "lớp 4A"),   # a GVCN of another class
        (["--address", "x"], "GV3", "sửa hồ sơ học sinh"),  # a GVBM
    ):
        pid = CHI[3] if args == ["--exempt", "KH"] else DUNG[3]
        r = run(db, "pupil", "set", pid, "--as", who, *args, password=PASSWORDS[who])
        assert r.returncode == 1 and words in r.stderr, (args, r.stderr)
    r = run(db, "pupil", "set", AN[3], "--as", "VP01", "--personal-id", "0012190\u200b12345", password=PASSWORDS["VP01"])
    assert r.returncode == 1 and "Mã định danh" in r.stderr
    with Store.open(db) as store:
        assert pupil_profile(store, DUNG[3]).address == "" and not pupil_profile(store, CHI[3]).exempt_subjects


def test_login_and_usage(db: Path) -> None:
    r = run(db, "pupil", "set", AN[3], "--as", "VP01", "--register-no", "1")  # no password available
    assert r.returncode == 2 and "HOCBASO_PASSWORD" in r.stderr
    r = run(db, "pupil", "set", AN[3], "--as", "VP01", "--register-no", "1", password="sai")
    assert r.returncode == 1
    r = run(db, "pupil", "set", AN[3], "--register-no", "1")  # --as is required
    assert r.returncode == 2
    r = run(db, "pupil", "set", AN[3], "--as", "VP01", password=PASSWORDS["VP01"])  # nothing to change
    assert r.returncode == 2 and "Không có gì để sửa" in r.stderr
    r = run(db, "pupil", "set", AN[3], "--as", "VP01", "--individual-plan", "--no-individual-plan", password=PASSWORDS["VP01"])
    assert r.returncode == 2
    r = run(db, "pupil", "show", "999999999999", "--as", "VP01", password=PASSWORDS["VP01"])
    assert r.returncode == 1 and "Không có học sinh" in r.stderr


def test_on_the_demo(demo_db: Path) -> None:
    with Store.open(demo_db) as store:
        pid = directory.students(store, "2A")[0].personal_id
    r = run(demo_db, "pupil", "set", pid, "--as", "VP01", "--optional", "NN1", "--exempt", "NN1")
    assert r.returncode == 0, r.stderr
    r = run(demo_db, "pupil", "show", pid, "--as", "VP01")
    assert "Miễn môn: NN1 (Ngoại ngữ 1)" in r.stdout


def test_show_logs_in_and_a_teacher_reads_only_her_classes(db: Path) -> None:
    """Issue 15: the pupil's form carries her ID, birth date, family — not for anyone at the keyboard."""
    r = run(db, "pupil", "show", AN[3])
    assert r.returncode == 2 and "Cần cho biết ai thao tác" in r.stderr and r.stdout == ""
    r = run(db, "pupil", "show", AN[3], "--as", "VP01", password="sai mật khẩu")
    assert r.returncode == 1 and r.stdout == ""
    r = run(db, "pupil", "show", DUNG[3], "--as", "GV1", password=PASSWORDS["GV1"])  # GVCN of another class
    assert r.returncode == 1 and "lớp 4A" in r.stderr and r.stdout == "", r.stderr
    r = run(db, "pupil", "show", AN[3], "--as", "GV1", password=PASSWORDS["GV1"])  # her own class: yes
    assert r.returncode == 0 and "Lớp: 1A" in r.stdout, r.stderr
