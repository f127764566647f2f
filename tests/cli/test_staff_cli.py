"""import-staff / template-staff / staff-add / -edit / -deactivate / -reactivate as real processes, on a
school set up from nothing: exit codes 0 / 1 / 2, "dòng N" lines, nothing written on error, --as login."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hocbaso_desktop.domain.roles import ADMIN
from hocbaso_desktop.services import accounts
from hocbaso_desktop.storage.engine import Store
from tests.staff_fixtures import PEOPLE, write_csdl_giaovien

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]
PW = "Hòa Bình 2025!"


def run(db: Path, *args: str, password: str | None = PW) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_PASSWORD")}
    if password is not None:
        env["HOCBASO_PASSWORD"] = password
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, env=env, stdin=subprocess.DEVNULL)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "hb.sqlite3"
    with Store.open(path) as store:
        accounts.create_first_admin(store, "QT01", "Phạm Minh Tuấn", PW, role=ADMIN)
    return path


def staff_lines(db: Path) -> dict[str, list[str]]:
    r = run(db, "staff", "--as", "QT01")
    assert r.returncode == 0, r.stderr
    return {line.split("\t")[0]: line.split("\t") for line in r.stdout.splitlines()}


def test_import_dry_run_then_import_then_again(db: Path, tmp_path: Path) -> None:
    f = write_csdl_giaovien(tmp_path / "CSDL_GiaoVien.xlsx")
    r = run(db, "import-staff", str(f), "--dry-run", "--as", "QT01")
    assert r.returncode == 0, r.stderr
    assert "Chạy thử" in r.stdout and "7 người mới" in r.stdout and "Mã tự đặt: GV001\tTrần Thị Mai" in r.stdout
    assert set(staff_lines(db)) == {"QT01"}
    r = run(db, "import-staff", str(f), "--as", "QT01")
    assert r.returncode == 0, r.stderr
    assert "7 người mới, 0 cập nhật" in r.stdout and "2 không nhập" in r.stdout and "2 mã tự đặt" in r.stdout
    rows = staff_lines(db)
    assert rows["GV001"][:3] == ["GV001", "Trần Thị Mai", "GVCN, GVBM"] and rows["GV001"][4] == "001188003456"
    assert all(len(v) == 5 for v in rows.values())  # code, name, roles, classes, personal ID
    r = run(db, "import-staff", str(f), "--as", "QT01")
    assert r.returncode == 0 and "0 người mới, 0 cập nhật, 7 không đổi" in r.stdout and "0 mã tự đặt" in r.stdout


def test_bad_rows_exit_1_with_dong_lines_nothing_written(db: Path, tmp_path: Path) -> None:
    people = list(PEOPLE)
    people[2] = (*people[2][:4], "0123", *people[2][5:])
    people[3] = (*people[3][:4], "079080002345", *people[3][5:])  # = the vice principal's
    f = write_csdl_giaovien(tmp_path / "x.xlsx", people)
    r = run(db, "import-staff", str(f), "--as", "QT01")
    assert r.returncode == 1
    assert "dòng 7: Số CCCD/Số định danh cá nhân «0123» không hợp lệ" in r.stderr
    assert "dòng 6: số định danh «079080002345» trùng với dòng 8 trong tệp" in r.stderr
    assert "Không nhập" in r.stdout and "Traceback" not in r.stderr
    assert set(staff_lines(db)) == {"QT01"}


def test_unreadable_file_exit_2_and_login_needed(db: Path, tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    assert run(db, "import-staff", str(tmp_path / "x.xlsx"), "--as", "QT01").returncode == 2
    assert run(db, "import-staff", str(tmp_path / "none.xlsx"), "--as", "QT01").returncode == 2
    f = write_csdl_giaovien(tmp_path / "ok.xlsx")
    r = run(db, "import-staff", str(f), "--as", "QT01", password="sai-mat-khau")
    assert r.returncode == 1 and "Sai mã cán bộ hoặc mật khẩu" in r.stderr
    assert run(db, "import-staff", str(f)).returncode == 2  # --as is required
    assert set(staff_lines(db)) == {"QT01"}


def test_template_add_edit_deactivate_reactivate(db: Path, tmp_path: Path) -> None:
    r = run(db, "template-staff", str(tmp_path / "mau.xlsx"), password=None)
    assert r.returncode == 0 and (tmp_path / "mau.xlsx").exists()
    r = run(db, "staff-add", "--name", "Ngô Thị Bích", "--sex", "Nữ", "--birth", "1991-03-04", "--personal-id",
            "001191001111", "--role", "GVCN,GVBM", "--position", "Giáo viên", "--as", "QT01")
    assert r.returncode == 0, r.stderr
    assert "mã tự đặt GV001" in r.stdout
    r = run(db, "staff-add", "--name", "Lê Văn Nam", "--personal-id", "0123", "--as", "QT01")
    assert r.returncode == 1 and "Số định danh" in r.stderr and "12 chữ số" in r.stderr
    r = run(db, "staff-add", "--name", "Lê Văn Nam", "--personal-id", "001191001111", "--as", "QT01")
    assert r.returncode == 1 and "trùng với GV001" in r.stderr
    r = run(db, "staff-edit", "GV001", "--email", "bich@th.edu.vn", "--as", "QT01")
    assert r.returncode == 0, r.stderr
    assert staff_lines(db)["GV001"][2] == "GVCN, GVBM"  # options not given keep their values
    r = run(db, "staff-deactivate", "GV001", "--date", "2025-12-31", "--reason", "Chuyển công tác", "--as", "QT01")
    assert r.returncode == 0 and "đã nghỉ (31/12/2025)" in r.stdout
    r = run(db, "staff-deactivate", "GV001", "--date", "31/12/2025", "--reason", "x", "--as", "QT01")
    assert r.returncode == 2  # a date not in YYYY-MM-DD is a usage error
    assert run(db, "staff-reactivate", "GV001", "--as", "QT01").returncode == 0


def test_hostile_teacher_and_a_left_teacher(db: Path) -> None:
    with Store.open(db) as store:
        from hocbaso_desktop.services import account_admin

        qt = accounts.authenticate(store, "QT01", PW)
        account_admin.create_account(store, qt, "GV01", "tạm-thời-123", full_name="Trần Thị Mai", roles=["subject"])
        accounts.change_own_password(store, "GV01", "tạm-thời-123", "giáo-viên-mai-1")
    r = run(db, "staff-add", "--name", "Lê Văn Nam", "--as", "GV01", password="giáo-viên-mai-1")
    assert r.returncode == 1 and "Không có quyền quản lý danh sách cán bộ" in r.stderr
    r = run(db, "staff-deactivate", "GV01", "--date", "2025-12-31", "--reason", "Nghỉ việc", "--as", "QT01")
    assert r.returncode == 0, r.stderr
    r = run(db, "staff-add", "--name", "Lê Văn Nam", "--as", "GV01", password="giáo-viên-mai-1")
    assert r.returncode == 1 and "vô hiệu hóa" in r.stderr
