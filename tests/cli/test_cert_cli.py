"""`hocbaso cert register|list` (issue 15): the admin team registers whose certificate is whose;
exit 0 done, 1 refused (no right, wrong password, a person's certificate as the seal), 2 usage."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso_desktop.services import accounts, certificates
from hocbaso_desktop.storage.engine import Store
from tests.cli.test_trust_cli import PASSWORD, run
from tests.signing.softca import soft_identity


def _school(tmp_path: Path) -> Path:
    db = tmp_path / "school.sqlite3"
    with Store.open(db) as store:
        accounts.create_first_admin(store, "QT", "Lê Quản Trị", PASSWORD)
    return db


def test_register_and_list(tmp_path: Path) -> None:
    db = _school(tmp_path)
    ident = soft_identity("Lê Quản Trị", "cli-cert")
    pem = tmp_path / "qt.pem"
    pem.write_bytes(ident.cert.public_bytes(Encoding.PEM))
    fp = certificates.fingerprint(ident.cert)

    r = run(db, "cert", "register", "QT", str(pem), "--as", "QT")
    assert r.returncode == 0, r.stderr
    assert f"Đã đăng ký chứng thư SHA-256 {fp} cho Lê Quản Trị (QT)" in r.stdout
    listing = run(db, "cert", "list", "--as", "QT")
    assert listing.returncode == 0, listing.stderr
    rows = [ln.split("\t") for ln in listing.stdout.splitlines()]
    assert rows[0][0] == "sha256" and rows[1][:3] == [fp, "QT Lê Quản Trị", "Lê Quản Trị"]
    assert rows[1][5] == "Ban quản trị" and rows[1][6] == "QT"


def test_refusals(tmp_path: Path) -> None:
    db = _school(tmp_path)
    pem = tmp_path / "nguoi.pem"
    pem.write_bytes(soft_identity("Lê Quản Trị", "cli-cert2").cert.public_bytes(Encoding.PEM))
    seal = run(db, "cert", "register", "--seal", str(pem), "--as", "QT")  # a person's certificate as the seal
    assert seal.returncode == 1 and "không phải chứng thư tổ chức của trường" in seal.stderr
    wrong = run(db, "cert", "register", "QT", str(pem), "--as", "QT", password="sai mật khẩu")
    assert wrong.returncode == 1
    assert run(db, "cert", "register", str(pem), "--as", "QT").returncode == 2  # no staff code, no --seal
    assert run(db, "cert", "register", "--seal", "QT", str(pem), "--as", "QT").returncode == 2
    missing = run(db, "cert", "register", "QT", str(tmp_path / "khong-co.pem"), "--as", "QT")
    assert missing.returncode == 2 and "Không đọc được chứng thư số" in missing.stderr
    listing = run(db, "cert", "list", "--as", "QT")
    assert listing.stdout.splitlines()[1:] == []
