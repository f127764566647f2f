"""Hostile manifest paths are refused before any file is opened; symlinks are never followed; the
verifier imports neither the storage layer nor Qt; its audit-chain formula is storage's."""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hocbaso_desktop.exchange.archive.bagit_format import MANIFEST, TAGMANIFEST, UnsafePath, check_relative_path
from hocbaso_desktop.exchange.archive.verify import verify_archive
from tests.tools import require_tool

HOSTILE = [
    "../x", "data/../../x", "data/../bagit.txt", "/etc/passwd", "data//x", "data/./x", "C:/Windows/win.ini",
    "c:x", "data/a:b", "data\\..\\x", "data/x\x00.xml", "data/%00x", "data/a%0A../x", "data/CON.xml",
    "data/x.", "data/x ", "", "data/\x1bx",
]


@pytest.mark.parametrize("path", HOSTILE)
def test_check_relative_path_refuses(path: str) -> None:
    from hocbaso_desktop.exchange.archive.bagit_format import decode_path

    with pytest.raises(UnsafePath):
        check_relative_path(decode_path(path))


def test_plain_paths_pass() -> None:
    assert check_relative_path("data/hoc-ba/1A/abc_v1.xml") == "data/hoc-ba/1A/abc_v1.xml"


class OpenRecorder:
    """Records every path opened through builtins.open / io.open / os.open while active."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        real_open, real_os_open = builtins.open, os.open

        def rec_open(file, *a, **kw):  # noqa: ANN001, ANN002, ANN003
            if isinstance(file, (str, bytes, os.PathLike)):
                self.paths.append(os.path.realpath(os.fsdecode(file)))
            return real_open(file, *a, **kw)

        def rec_os_open(file, *a, **kw):  # noqa: ANN001, ANN002, ANN003
            self.paths.append(os.path.realpath(os.fsdecode(file)))
            return real_os_open(file, *a, **kw)

        monkeypatch.setattr(builtins, "open", rec_open)
        monkeypatch.setattr(io, "open", rec_open)
        monkeypatch.setattr(os, "open", rec_os_open)


@pytest.mark.parametrize("hostile", ["../secret.txt", "data/../../secret.txt", "/SECRET", "C:/secret.txt",
                                     "data/x%00y", "data\\..\\..\\secret.txt", "C:secret.txt"])
@pytest.mark.parametrize("which", [MANIFEST, TAGMANIFEST])
def test_hostile_manifest_refused_before_opening(bag: Path, trust, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 hostile: str, which: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("bí mật")
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    line = f"{digest}  {hostile.replace('SECRET', str(secret).lstrip('/'))}\n"
    with open(bag / which, "a", encoding="utf-8") as f:
        f.write(line)
    rec = OpenRecorder(monkeypatch)
    report = verify_archive(bag, trust)
    monkeypatch.undo()
    assert not report.ok
    assert any("đường dẫn nguy hiểm" in p for p in report.problems), report.problems
    inside = os.path.realpath(bag) + os.sep
    assert all(p.startswith(inside) for p in rec.paths), rec.paths
    # only the three fixed tag files were read, never a listed file
    assert {os.path.basename(p) for p in rec.paths} <= {"bagit.txt", MANIFEST, TAGMANIFEST}


def test_symlink_in_payload_is_refused_not_followed(bag: Path, trust, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    target = next((bag / "data" / "hoc-ba").rglob("*.xml"))
    target.unlink()
    target.symlink_to(secret)
    rec = OpenRecorder(monkeypatch)
    report = verify_archive(bag, trust)
    monkeypatch.undo()
    assert not report.ok and any("symlink" in p for p in report.problems)
    assert str(secret) not in rec.paths and rec.paths == []


def test_not_a_bag(tmp_path: Path, trust) -> None:
    report = verify_archive(tmp_path, trust)
    assert not report.ok and any("bagit.txt" in p for p in report.problems)
    assert not verify_archive(tmp_path / "không-có", trust).ok


def test_verifier_runs_without_storage_gui_or_database(sealed_archive: Path, token) -> None:
    """Import and run the verifier with sqlalchemy, alembic, PySide6, storage, services and gui blocked."""
    code = f"""
import sys
BLOCKED = ("sqlalchemy", "alembic", "PySide6", "hocbaso_desktop.storage", "hocbaso_desktop.services", "hocbaso_desktop.gui")
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.startswith(BLOCKED):
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
from hocbaso_desktop.exchange.archive.verify import verify_archive
from hocbaso_desktop.signing.trust import default_trust_store
r = verify_archive({str(sealed_archive)!r}, default_trust_store({str(token.trust_dir)!r}))
print(r.lines()[-1])
assert not [m for m in sys.modules if m.startswith(BLOCKED)]
sys.exit(0 if r.ok else 1)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stdout + out.stderr
    assert "NGUYÊN VẸN" in out.stdout


def test_audit_chain_formula_matches_storage() -> None:
    from hocbaso_desktop.exchange.archive import audit_chain
    from hocbaso_desktop.storage import audit

    args = ("ab" * 32, 7, "2026-06-01T01:02:03.000004+00:00", "HT", "year.lock", "school_year", "1", '{"a":"ữ"}')
    assert audit_chain.entry_hash(*args) == audit.entry_hash(*args)
    assert audit_chain.GENESIS == audit.GENESIS


def test_openssl_verifies_the_seal_by_hand(sealed_archive: Path, token) -> None:
    """The README's manual check: stock OpenSSL accepts the seal over the tag manifest."""
    require_tool("openssl")
    root = next(token.trust_dir.glob("*root*"))
    out = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER",
                          "-in", str(sealed_archive / "seal" / "tagmanifest-sha256.txt.p7s"),
                          "-content", str(sealed_archive / TAGMANIFEST), "-CAfile", str(root),
                          "-certfile", str(sealed_archive / "seal" / "chain.pem"), "-purpose", "any", "-out", os.devnull],
                         capture_output=True, text=True)
    assert out.returncode == 0 and "Verification successful" in out.stderr, out.stderr
    sums = subprocess.run(["sha256sum", "--quiet", "-c", MANIFEST], cwd=sealed_archive, capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
