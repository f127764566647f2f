"""`hocbaso trust add|list|remove`, and the verifiers trusting what the school added (no --trust needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso_desktop.paths import resources_dir
from hocbaso_desktop.services import accounts
from hocbaso_desktop.storage.engine import Store
from tests.signing.softca import soft_identity

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]
PASSWORD = "Quản trị 2026 an toàn"
SAMPLES = resources_dir() / "samples"


def run(db: Path, *args: str, password: str | None = PASSWORD) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_PASSWORD")}
    if password is not None:
        env["HOCBASO_PASSWORD"] = password
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)


def _school(tmp_path: Path) -> Path:
    """A school set up from nothing: one Ban quản trị account, no demo."""
    db = tmp_path / "school.sqlite3"
    with Store.open(db) as store:
        accounts.create_first_admin(store, "QT", "Lê Quản Trị", PASSWORD)
    return db


def test_add_list_remove_and_verify_uses_the_school_anchors(tmp_path: Path) -> None:
    db = _school(tmp_path)
    sample = SAMPLES / "hoc-ba-mau-da-ky.xml"
    before = run(db, "verify", str(sample))
    assert before.returncode == 1 and "--trust THƯ_MỤC" not in before.stdout + before.stderr
    r = run(db, "trust", "add", str(SAMPLES / "ca-thu-nghiem"), "--as", "QT")
    assert r.returncode == 0, r.stderr
    assert "Đã thêm 2 chứng thư" in r.stdout
    again = run(db, "trust", "add", str(SAMPLES / "ca-thu-nghiem"), "--as", "QT")
    assert again.returncode == 0 and "Đã thêm 0 chứng thư, 2 đã có sẵn" in again.stdout
    listing = run(db, "trust", "list", password=None)
    assert listing.returncode == 0
    lines = [ln.split("\t") for ln in listing.stdout.splitlines()]
    assert lines[0][0] == "sha256" and len(lines) == 3
    demo_rows = [ln for ln in lines[1:] if ln[6] == "có" and ln[5] == "của trường"]
    assert len(demo_rows) == 2  # demo- names kept: still reported as demo CAs
    # verify opens no Store but reads the school's settings: trusted without --trust
    after = run(db, "verify", str(sample), password=None)
    assert after.returncode == 0, after.stdout + after.stderr
    root = next(ln for ln in lines[1:] if ln[1] == ln[2])
    gone = run(db, "trust", "remove", root[0], "--as", "QT")
    assert gone.returncode == 0 and root[0] in gone.stdout
    assert run(db, "verify", str(sample), password=None).returncode == 1


def test_hostile_trust_commands(tmp_path: Path) -> None:
    db = _school(tmp_path)
    with Store.open(db) as store:
        from hocbaso_desktop.domain.roles import HOMEROOM
        from hocbaso_desktop.services import account_admin, directory

        account_admin.create_account(store, directory.actor(store, "QT"), "GV1", "Giáo viên Một 2026",
                                     full_name="Trần Thị Giáo", roles=[HOMEROOM])
        accounts.change_own_password(store, "GV1", "Giáo viên Một 2026", "Giáo viên Hai 2027")
    ident = soft_identity("Người Ký", "TCLI")
    leaf = tmp_path / "leaf.cer"
    leaf.write_bytes(ident.cert.public_bytes(Encoding.DER))
    root = tmp_path / "root.pem"
    root.write_bytes(ident.root.public_bytes(Encoding.PEM))
    r = run(db, "trust", "add", str(leaf), "--as", "QT")
    assert r.returncode == 1 and "leaf.cer" in r.stderr and "CA" in r.stderr
    junk = tmp_path / "ghi-chu.crt"
    junk.write_text("chỉ là văn bản")
    r = run(db, "trust", "add", str(junk), "--as", "QT")
    assert r.returncode == 1 and "ghi-chu.crt" in r.stderr
    assert run(db, "trust", "add", str(tmp_path / "khong-co.pem"), "--as", "QT").returncode == 2
    r = run(db, "trust", "add", str(root), "--as", "GV1", password="Giáo viên Hai 2027")
    assert r.returncode == 1 and "Không có quyền" in r.stderr
    r = run(db, "trust", "remove", "abcdef0123", "--as", "QT")
    assert r.returncode == 1
    listing = run(db, "trust", "list", password=None)
    assert len(listing.stdout.splitlines()) == 1  # header only: nothing was added
