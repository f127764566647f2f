"""`hocbaso user …` as real processes: passwords only from the environment (or a terminal), never argv."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]
PW = "Hòa Bình 2025!"


def run(db: Path, *args: str, password: str | None = None, new: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_PASSWORD", "HOCBASO_NEW_PASSWORD", "HOCBASO_DB")}
    if password is not None:
        env["HOCBASO_PASSWORD"] = password
    if new is not None:
        env["HOCBASO_NEW_PASSWORD"] = new
    # stdin is not a terminal: nothing may wait for a prompt
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


def users(db: Path) -> dict[str, list[str]]:
    """The accounts as `user list` prints them, read through the service (the only admin may be
    locked out by the test; `user list` itself logs in, see test_user_list_logs_in)."""
    from hocbaso_desktop.services import account_admin
    from hocbaso_desktop.storage.engine import Store

    with Store.open(db) as store:
        rows = account_admin.list_accounts(store)
        return {a.code: [a.code, a.name, a.role_names, account_admin.state_text(a)] for a in rows}


def test_user_list_logs_in(tmp_path: Path) -> None:
    db = tmp_path / "truong.sqlite3"
    assert run(db, "user", "create", "QT", "--name", "Phạm Minh Tuấn", "--role", "admin", new=PW).returncode == 0
    r = run(db, "user", "list")
    assert r.returncode == 2 and "Cần cho biết ai thao tác" in r.stderr and r.stdout == ""
    r = run(db, "user", "list", "--as", "QT", password="sai")
    assert r.returncode == 1 and r.stdout == ""
    r = run(db, "user", "list", "--as", "QT", password=PW)
    assert r.returncode == 0 and r.stdout.startswith("QT\tPhạm Minh Tuấn\t"), r.stderr


def test_demo_set_password_then_it_is_needed(demo_db: Path) -> None:
    assert users(demo_db)["GV001"][3] == "chưa có mật khẩu (trường mẫu)"
    r = run(demo_db, "user", "set-password", "GV001", new="mật-khẩu-GV-1")
    assert r.returncode == 0 and "Đã đổi mật khẩu của GV001" in r.stdout, r.stderr
    assert users(demo_db)["GV001"][3] == "hoạt động"
    # now changing it needs the current one, from HOCBASO_PASSWORD (no terminal here)
    r = run(demo_db, "user", "set-password", "GV001", new="mật-khẩu-GV-2")
    assert r.returncode == 2 and "HOCBASO_PASSWORD" in r.stderr
    r = run(demo_db, "user", "set-password", "GV001", password="sai-mat-khau", new="mật-khẩu-GV-2")
    assert r.returncode == 1 and "Sai mã cán bộ hoặc mật khẩu" in r.stderr
    r = run(demo_db, "user", "set-password", "GV001", password="mật-khẩu-GV-1", new="ngắn")
    assert r.returncode == 1 and "ít nhất 8 ký tự" in r.stderr
    r = run(demo_db, "user", "set-password", "GV001", password="mật-khẩu-GV-1", new="mật-khẩu-GV-2")
    assert r.returncode == 0, r.stderr
    # the password is in no command line and in no output
    for out in (r.stdout, r.stderr):
        assert "mật-khẩu-GV" not in out


def test_admin_sets_a_temporary_password_and_disables(demo_db: Path) -> None:
    r = run(demo_db, "user", "set-password", "GV002", "--as", "GV001", new="tạm-thời-123")
    assert r.returncode == 1 and "Không có quyền quản lý tài khoản: cần vai trò Ban quản trị" in r.stderr
    r = run(demo_db, "user", "set-password", "GV002", "--as", "QT01", new="tạm-thời-123")
    assert r.returncode == 0 and "phải đổi mật khẩu" in r.stdout, r.stderr
    assert users(demo_db)["GV002"][3] == "phải đổi mật khẩu"
    # the owner changes it with the temporary one
    r = run(demo_db, "user", "set-password", "GV002", password="tạm-thời-123", new="của-riêng-tôi-1")
    assert r.returncode == 0, r.stderr
    assert users(demo_db)["GV002"][3] == "hoạt động"

    r = run(demo_db, "user", "disable", "GV002", "--as", "QT01", "--reason", "chuyển công tác")
    assert r.returncode == 0 and "Đã vô hiệu hóa tài khoản GV002" in r.stdout, r.stderr
    assert users(demo_db)["GV002"][3] == "vô hiệu hóa"  # still listed: never deleted
    r = run(demo_db, "user", "set-password", "GV002", password="của-riêng-tôi-1", new="thử-lại-123")
    assert r.returncode == 1 and "vô hiệu hóa" in r.stderr
    r = run(demo_db, "grid", "import", "--as", "GV002", str(demo_db))  # any --as refuses it
    assert r.returncode != 0 and "vô hiệu hóa" in r.stderr
    r = run(demo_db, "user", "disable", "GV003")
    assert r.returncode == 2 and "--as" in r.stderr


def test_acting_admin_with_a_password_needs_it(demo_db: Path) -> None:
    assert run(demo_db, "user", "set-password", "QT01", new="quản-trị-2025").returncode == 0
    r = run(demo_db, "user", "disable", "GV004", "--as", "QT01")
    assert r.returncode == 2 and "HOCBASO_PASSWORD" in r.stderr
    r = run(demo_db, "user", "disable", "GV004", "--as", "QT01", password="sai-mat-khau")
    assert r.returncode == 1 and "Sai mã cán bộ hoặc mật khẩu" in r.stderr
    r = run(demo_db, "user", "disable", "GV004", "--as", "QT01", password="quản-trị-2025")
    assert r.returncode == 0, r.stderr
    r = run(demo_db, "user", "enable", "GV004", "--as", "QT01", password="quản-trị-2025")
    assert r.returncode == 0 and users(demo_db)["GV004"][3] != "vô hiệu hóa"


def test_no_password_option_exists(demo_db: Path) -> None:
    r = run(demo_db, "user", "set-password", "GV001", "--password", "lộ-mật-khẩu")
    assert r.returncode == 2 and "tham số không hiểu được" in r.stderr


def test_first_admin_of_an_empty_install_then_lock_out(tmp_path: Path) -> None:
    db = tmp_path / "truong.sqlite3"
    r = run(db, "user", "create", "QT", "--name", "Phạm Minh Tuấn", "--role", "admin", new=PW)
    assert r.returncode == 0 and "quản trị đầu tiên QT" in r.stdout, r.stderr
    r = run(db, "user", "create", "X", "--name", "Người lạ", new=PW)  # no second "first admin"
    assert r.returncode == 2 and "--as" in r.stderr
    r = run(db, "user", "create", "GV01", "--name", "Trần Thị Mai", "--role", "GVCN", "--role", "subject",
            "--as", "QT", password=PW, new="tạm-thời-123")
    assert r.returncode == 0, r.stderr
    assert users(db)["GV01"][2:4] == ["GVCN, GVBM", "phải đổi mật khẩu"]
    for _ in range(4):
        assert run(db, "user", "reset", "GV01", "--as", "QT", password="sai", new="tạm-thời-456").returncode == 1
    r = run(db, "user", "reset", "GV01", "--as", "QT", password="sai", new="tạm-thời-456")
    assert r.returncode == 1 and "tạm khóa" in r.stderr and "Thử lại sau 30 giây" in r.stderr
    r = run(db, "user", "reset", "GV01", "--as", "QT", password=PW, new="tạm-thời-456")
    assert r.returncode == 1 and "tạm khóa" in r.stderr  # the right password waits too
    assert users(db)["QT"][3] == "tạm khóa"
