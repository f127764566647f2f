"""The upload package has a schema (schemas/goitin-2.xsd, issue 16): the outbox builds packages that
validate and carry the national envelope fields; the reference receiver refuses one that does not
(400, nothing stored); `hocbaso validate` checks a package and the record inside it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from lxml import etree
from sqlalchemy import text

from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.package import NS, package_problems, parse_package

from .helpers import make_packages, running
from .test_receiver import post

Q = f"{{{NS}}}"


def _bodies(store: Store) -> list[bytes]:
    with store.read() as s:
        return [bytes(r[0]) for r in s.execute(text("SELECT package FROM outbox ORDER BY id"))]


def _send(url: str, body: bytes, like: bytes | None = None) -> tuple[int, dict]:
    env = parse_package(like or body).envelope  # a forged body is sent under its original's headers
    return post(url, body, {"Idempotency-Key": env.idempotency_key, "X-Record-Id": env.record_id,
                            "X-Record-Version": str(env.version), "X-Event": env.event})


def test_outbox_packages_validate_and_carry_the_national_envelope(store: Store) -> None:
    make_packages(store, 3, versions=2, now=1.0)
    for body in _bodies(store):
        root = etree.fromstring(body)
        assert root.get("phienbangoitin") == "2" and package_problems(root) == []
        pb = root.find(f"{Q}phongbi")
        assert pb.findtext(f"{Q}idbanghi") == pb.findtext(f"{Q}mahocba")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", pb.findtext(f"{Q}thoigiancapnhat"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", pb.findtext(f"{Q}ngaycapnhat"))
        assert pb.findtext(f"{Q}ngaykyphathanh") == "2026-05-20"  # the issue date the record was given
    versions = [parse_package(b).envelope.version for b in _bodies(store)]
    assert versions == [1, 2, 1, 2][: len(versions)]  # strictly increasing per record


def _edited(body: bytes, old: bytes, new: bytes) -> bytes:
    assert old in body
    return body.replace(old, new, 1)


def test_the_receiver_refuses_a_package_outside_the_schema(store: Store, tmp_path: Path) -> None:
    make_packages(store, 1, now=1.0)
    (body,) = _bodies(store)
    idbanghi = re.search(rb"<idbanghi>[^<]*</idbanghi>", body).group(0)
    when = re.search(rb"<thoigiancapnhat>[^<]*</thoigiancapnhat>", body).group(0)
    bad = {
        "no idbanghi": _edited(body, idbanghi, b""),
        "a foreign element in the envelope": _edited(body, b"</phongbi>", b"<quyen>admin</quyen></phongbi>"),
        "a time in another form": _edited(body, when, b"<thoigiancapnhat>20/05/2026</thoigiancapnhat>"),
        "an unknown protocol version": _edited(body, b'phienbangoitin="2"', b'phienbangoitin="7"'),
    }
    with running(tmp_path / "recv") as recv:
        for name, forged in bad.items():
            status, answer = _send(recv.url, forged, like=body)
            assert status == 400 and "lược đồ gói tin" in answer["error"], (name, status, answer)
        assert recv.stored_files() == []
        assert _send(recv.url, body)[0] == 201


def test_validate_checks_a_package_and_the_record_inside(store: Store, tmp_path: Path) -> None:
    make_packages(store, 1, now=1.0)
    (body,) = _bodies(store)
    f = tmp_path / "goi.xml"
    f.write_bytes(body)
    r = subprocess.run([sys.executable, "-m", "hocbaso_desktop.cli", "validate", str(f)], capture_output=True,
                       text=True, encoding="utf-8", timeout=120)
    # the stand-in record of the delivery tests is no real record: the package is fine, its record is not
    assert r.returncode == 1 and "học bạ bên trong" in r.stdout, r.stdout + r.stderr
    f.write_bytes(body.replace(b"<idbanghi>", b"<idbanghi>x", 1))
    r = subprocess.run([sys.executable, "-m", "hocbaso_desktop.cli", "validate", str(f)], capture_output=True,
                       text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 1 and "idbanghi" in r.stdout and "học bạ bên trong" not in r.stdout, r.stdout
