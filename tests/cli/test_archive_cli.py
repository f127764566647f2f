"""`hocbaso year lock|unlock` and `hocbaso archive export|verify` in subprocesses, exact forms."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.archive.conftest import small_school, token  # noqa: F401 - fixtures
from tests.conftest import hocbaso_cmd
from tests.school_token import PIN


def _run(*args: str, db: Path | None = None, pin: str | None = None, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SOFTHSM2_CONF", "HOCBASO_PIN", "HOCBASO_DB")}
    env["XDG_DATA_HOME"] = str(home)
    if pin:
        env["HOCBASO_PIN"] = pin
    cmd = hocbaso_cmd() + (["--db", str(db)] if db else []) + list(args)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)


@pytest.fixture
def db(small_school: Path, tmp_path: Path) -> Path:  # noqa: F811
    dst = tmp_path / "truong.sqlite3"
    shutil.copyfile(small_school, dst)
    shutil.copyfile(Path(str(small_school) + ".audit-head"), Path(str(dst) + ".audit-head"))
    return dst


def test_lock_export_verify_tamper(db: Path, token, tmp_path: Path) -> None:  # noqa: F811
    home, usb = tmp_path / "home", tmp_path / "usb"
    usb.mkdir()
    out = _run("archive", "export", "--year", "2025-2026", "--to", str(usb), "--as", "VP01", db=db, home=home)
    assert out.returncode == 1 and "chưa khóa" in out.stderr and list(usb.iterdir()) == []

    out = _run("year", "lock", "2025-2026", "--as", "GV001", db=db, home=home)
    assert out.returncode == 1 and "Không có quyền" in out.stderr
    out = _run("year", "lock", "2025-2026", "--as", "HT", db=db, pin="000000", home=home)  # the seal's PIN
    assert out.returncode == 1 and "PIN" in out.stderr and "Đã khóa" not in out.stdout
    out = _run("year", "lock", "2025-2026", "--as", "HT", db=db, pin=PIN, home=home)
    assert out.returncode == 0 and "Đã khóa năm học 2025-2026" in out.stdout, out.stderr
    _lock_head_verifies(db, token)

    out = _run("archive", "export", "--year", "2025-2026", "--to", str(usb), "--as", "VP01", "--seal", db=db, pin=PIN, home=home)
    assert out.returncode == 0, out.stderr
    path = Path(out.stdout.strip().splitlines()[-1])
    assert path.parent == usb and path.is_dir() and "Niêm phong: Trường Tiểu học Hòa Bình" in out.stdout

    out = _run("archive", "verify", str(path), "--trust", str(token.trust_dir), home=home)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "KẾT LUẬN: KHO LƯU TRỮ NGUYÊN VẸN" in out.stdout and "Niêm phong: HỢP LỆ" in out.stdout
    out = _run("archive", "verify", str(path), home=home)  # the demo CA is not trusted by default
    assert out.returncode == 1 and "KHÔNG ĐẠT" in out.stdout

    pdf = next((path / "data" / "ban-giay").rglob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"%")
    out = _run("archive", "verify", str(path), "--trust", str(token.trust_dir), home=home)
    assert out.returncode == 1 and "đã bị thay đổi" in out.stdout


def _lock_head_verifies(db: Path, token) -> None:  # noqa: ANN001
    """The lock's audit head was signed with the seal and verifies against the school's trust."""
    from hocbaso_desktop.services.audit_heads import verify_heads
    from hocbaso_desktop.signing.trust import TrustStore
    from hocbaso_desktop.storage.engine import Store

    with Store.open(db) as store, store.read() as s:
        report = verify_heads(s, TrustStore.from_dirs(token.trust_dir))
    assert report.ok and report.checked >= 1, report.reason


def test_wrong_pin_leaves_nothing(db: Path, tmp_path: Path) -> None:
    home, usb = tmp_path / "home", tmp_path / "usb"
    usb.mkdir()
    assert _run("year", "lock", "2025-2026", "--as", "HT", db=db, pin=PIN, home=home).returncode == 0
    out = _run("archive", "export", "--year", "2025-2026", "--to", str(usb), "--as", "VP01", "--seal", db=db,
               pin="000000", home=home)
    assert out.returncode == 1 and "PIN" in out.stderr and list(usb.iterdir()) == []


def test_unlock_needs_reason_and_principal(db: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert _run("year", "lock", "2025-2026", "--as", "HT", db=db, pin=PIN, home=home).returncode == 0
    out = _run("year", "unlock", "2025-2026", "--as", "HT", db=db, home=home)
    assert out.returncode == 2 and "--reason" in out.stderr
    out = _run("year", "unlock", "2025-2026", "--as", "VP01", "--reason", "đính chính", db=db, home=home)
    assert out.returncode == 1 and "Không có quyền" in out.stderr
    out = _run("year", "unlock", "2025-2026", "--as", "HT", "--reason", "Đính chính theo biên bản 2", db=db, home=home)
    assert out.returncode == 0 and "Đã mở khóa" in out.stdout


def test_partial_export_without_token(db: Path, token, tmp_path: Path) -> None:  # noqa: F811
    home, usb = tmp_path / "home", tmp_path / "usb"
    usb.mkdir()
    out = _run("archive", "export", "--year", "2025-2026", "--to", str(usb), "--as", "VP01", "--partial", db=db, home=home)
    assert out.returncode == 0, out.stderr
    path = Path(out.stdout.strip().splitlines()[-1])
    assert path.name.endswith("_TAM") and "TẠM" in out.stdout
    trust = ("--trust", str(token.trust_dir))  # the records' signatures still need their CA
    out = _run("archive", "verify", str(path), *trust, home=home)
    assert out.returncode == 1 and "không được niêm phong" in out.stdout
    assert _run("archive", "verify", str(path), *trust, "--allow-unsealed", home=home).returncode == 0
