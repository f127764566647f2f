"""One login path (issue 15): import-classes and demo-token log in like `grid import` — --as or
HOCBASO_AS, the password from HOCBASO_PASSWORD — and refuse without it, with the wrong one, for a
locked-out principal and for someone without the right; demo-token never quietly adds its CA to a
real school's trust store."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from hocbaso_desktop.domain.roles import ADMIN
from hocbaso_desktop.services import accounts, directory
from hocbaso_desktop.services import settings as settings_service
from hocbaso_desktop.storage.engine import Store

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]
PW = "quản trị 2026 thử!"
HT_PW = "hiệu trưởng 2026!"


def run(db: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_AS", "HOCBASO_PASSWORD", "HOCBASO_PIN")}
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, encoding="utf-8",
                          env={**base, **(env or {})}, stdin=subprocess.DEVNULL, timeout=120)


def class_list(tmp_path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp"])
    ws.append([1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A"])
    p = tmp_path / "ds.xlsx"
    wb.save(p)
    return p


def real_school(tmp_path: Path) -> Path:
    db = tmp_path / "that.sqlite3"
    with Store.open(db) as store:
        accounts.create_first_admin(store, "QT01", "Nguyễn Quản Trị", PW, ADMIN)
    return db


def pupils(db: Path) -> int:
    with Store.open(db) as store:
        return len(directory.students(store)) if directory.years(store) else 0


def test_import_classes_needs_someone_logged_in(tmp_path: Path) -> None:
    db, f = real_school(tmp_path), class_list(tmp_path)
    r = run(db, "import-classes", str(f))  # the contract form, nobody named
    assert r.returncode == 2 and "--as" in r.stderr and "HOCBASO_AS" in r.stderr, r.stderr
    r = run(db, "import-classes", str(f), "--dry-run")  # a dry run compares with the school's pupils: also logged in
    assert r.returncode == 2 and "HOCBASO_AS" in r.stderr
    r = run(db, "import-classes", str(f), env={"HOCBASO_AS": "QT01"})  # no password, no terminal
    assert r.returncode == 2 and "HOCBASO_PASSWORD" in r.stderr
    r = run(db, "import-classes", str(f), env={"HOCBASO_AS": "QT01", "HOCBASO_PASSWORD": "đoán bừa 123"})
    assert r.returncode == 1 and "mật khẩu" in r.stderr.lower()
    assert pupils(db) == 0
    r = run(db, "import-classes", str(f), env={"HOCBASO_AS": "QT01", "HOCBASO_PASSWORD": PW})
    assert r.returncode == 0, r.stderr
    assert pupils(db) == 1
    with Store.open(db) as store:
        assert store.verify_audit().ok
        from sqlalchemy import select

        from hocbaso_desktop.storage.models import AuditEntry

        with store.read() as s:
            actors = {a for (a,) in s.execute(select(AuditEntry.actor).where(AuditEntry.action == "import.class_list"))}
        assert actors == {"QT01"}  # never "system"


def _lock_out(db: Path, code: str) -> None:
    with Store.open(db) as store:
        store.execute_raw(f"UPDATE account SET failed_attempts = 9, locked_until = '2999-01-01 00:00:00' "
                          f"WHERE staff_id = (SELECT id FROM staff WHERE code = '{code}')")


def test_a_locked_out_principal_acts_through_no_command(demo_db: Path, tmp_path: Path) -> None:
    with Store.open(demo_db) as store:
        accounts.change_own_password(store, "HT", None, HT_PW)
    _lock_out(demo_db, "HT")
    env = {"HOCBASO_PASSWORD": HT_PW}
    for argv in (["import-classes", str(class_list(tmp_path)), "--as", "HT"],
                 ["demo-token", "--as", "HT"],
                 ["grid", "import", str(class_list(tmp_path)), "--as", "HT"]):
        r = run(demo_db, *argv, env=env)
        assert r.returncode == 1 and "tạm khóa" in r.stderr, (argv, r.stdout, r.stderr)
    assert "001219012345" not in run(demo_db, "students").stdout


def test_demo_token_on_a_real_school_is_refused_without_the_confirmation(tmp_path: Path) -> None:
    db = real_school(tmp_path)
    with Store.open(db) as store:
        store.execute_raw("INSERT INTO staff (code, full_name, personal_id, sex, active, position, email, subjects_text) "
                          "VALUES ('GV01', 'Lê Thị Giáo', '', 'Nữ', 1, '', '', '')")
        store.execute_raw("INSERT INTO staff_role (staff_id, role) SELECT id, 'homeroom' FROM staff WHERE code = 'GV01'")
        before = settings_service.signing_settings(store).trust_dirs
    r = run(db, "demo-token")
    assert r.returncode == 2 and "HOCBASO_AS" in r.stderr
    r = run(db, "demo-token", "--as", "GV01")  # a teacher (no password yet: refused at login)
    assert r.returncode == 1
    r = run(db, "demo-token", "--as", "QT01", env={"HOCBASO_PASSWORD": PW})
    assert r.returncode == 1 and "--yes-real-school" in r.stderr and "trường thật" in r.stderr, r.stderr
    with Store.open(db) as store:
        assert settings_service.signing_settings(store).trust_dirs == before
    assert not any(tmp_path.glob("*kyso*"))  # no token, no CA folder made


def test_demo_token_refuses_a_teacher_on_the_demo(demo_db: Path) -> None:
    r = run(demo_db, "demo-token", "--as", "GV001")
    assert r.returncode == 1 and "Không có quyền" in r.stderr, r.stderr
    r = run(demo_db, "demo-token")
    assert r.returncode == 2 and "HOCBASO_AS" in r.stderr
