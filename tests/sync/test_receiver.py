"""The reference receiver: hostile and garbage packages refused with 400 (never a crash, never a
file), size limit 413, header/envelope mismatch, a key reused for another package, state rebuilt
from disk after a restart."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.package import parse_package
from hocbaso_desktop.sync.receiver import PackageStore

from .helpers import make_packages, running

KEY = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
RID = "0123456789abcdef0123456789abcdef-2025-2026"


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    h = {"Content-Type": "application/xml", "Idempotency-Key": KEY, "X-Record-Id": RID, "X-Record-Version": "1",
         "X-Event": "NEW"}
    h.update(headers or {})
    conn.request("POST", "/packages", body=body, headers=h)
    resp = conn.getresponse()
    data = json.loads(resp.read() or b"{}")
    conn.close()
    return resp.status, data


def package(inner: bytes, *, key: str = KEY, sha: str | None = None, extra: str = "") -> bytes:
    b64 = base64.b64encode(inner).decode()
    sha = sha or hashlib.sha256(inner).hexdigest()
    return (f"<?xml version='1.0' encoding='UTF-8'?>{extra}<goitin xmlns='urn:hocbaso:goitin:1' phienbangoitin='1'><phongbi>"
            f"<mahocba>{RID}</mahocba><matracuu>{RID[:32]}</matracuu><namhoc>2025-2026</namhoc><sukien>NEW</sukien>"
            f"<phienban>1</phienban><phienbanhocba>1</phienbanhocba><trangthai>1</trangthai>"
            f"<thoidiem>2026-05-20T10:00:00+07:00</thoidiem><khoaluydang>{key}</khoaluydang><matruong>1</matruong>"
            f"</phongbi><hocba mahoa='base64' sha256='{sha}'>{b64}</hocba></goitin>").encode()


GOOD_INNER = b"<hocbaso xmlns='urn:hocbaso:tieuhoc:1.0'><a/></hocbaso>"
BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        b"<lolz>&lol2;</lolz>")
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'

HOSTILE = {
    "entity bomb": BOMB,
    "external entity": XXE,
    "doctype inside the package": package(GOOD_INNER, extra="<!DOCTYPE goitin>"),
    "entity bomb as the record": package(BOMB),
    "external entity as the record": package(XXE),
    "garbage": bytes(range(256)) * 4,
    "truncated": package(GOOD_INNER)[:150],
    "empty": b"",
    "wrong hash": package(GOOD_INNER, sha="0" * 64),
    "not base64": package(GOOD_INNER).replace(b"<hocba mahoa='base64'", b"<hocba mahoa='base64'").replace(
        base64.b64encode(GOOD_INNER), b"%%%not-base64%%%"),
    "other root": b"<goitin><phongbi/></goitin>",
    "headers disagree with envelope": package(GOOD_INNER, key="aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_and_garbage_packages_get_400_and_store_nothing(recv_dir: Path, name: str) -> None:
    with running(recv_dir) as recv:
        status, data = post(recv.url, HOSTILE[name])
        assert status == 400 and data["error"], (name, data)
        assert recv.stored_files() == [] and not list((recv_dir / "keys").iterdir())
        assert post(recv.url, package(GOOD_INNER))[0] == 201  # and the server is still fine


def test_parse_package_refuses_doctype_through_safe_xml() -> None:
    with pytest.raises(InputFileError, match="DOCTYPE"):
        parse_package(package(BOMB))


def test_size_type_and_path_limits(recv_dir: Path) -> None:
    with running(recv_dir, max_bytes=2000) as recv:
        assert post(recv.url, package(GOOD_INNER * 40))[0] == 413
        assert post(recv.url, package(GOOD_INNER), {"Content-Type": "text/plain"})[0] == 415
        assert post(recv.url, package(GOOD_INNER), {"X-Record-Version": "abc"})[0] == 400
        assert post(recv.url, package(GOOD_INNER), {"X-Event": "DELETE"})[0] == 400


def test_repeat_same_receipt_key_reuse_refused_and_restart_keeps_state(recv_dir: Path) -> None:
    with running(recv_dir) as recv:
        s1, d1 = post(recv.url, package(GOOD_INNER))
        s2, d2 = post(recv.url, package(GOOD_INNER))
        assert (s1, s2) == (201, 200) and d1 == d2 and d1["record_id"] == RID and d1["version"] == 1
        assert post(recv.url, package(GOOD_INNER), {"X-Record-Version": "2"})[0] == 422  # same key, other package
    restarted = PackageStore(recv_dir)  # state comes back from disk
    assert restarted.keys[KEY]["receipt"] == d1["receipt"] and restarted.highest[RID].version == 1
    with running(recv_dir) as recv:
        assert post(recv.url, package(GOOD_INNER)) == (200, d1)
        other = "11111111-2222-4333-8444-555555555555"
        assert post(recv.url, package(GOOD_INNER, key=other), {"Idempotency-Key": other})[0] == 409


def test_packages_from_the_store_validate(store: Store, recv_dir: Path) -> None:
    make_packages(store, 2, versions=2)
    with store.read() as s:
        for (data,) in s.execute(text("SELECT package FROM outbox")):
            pkg = parse_package(bytes(data))
            assert pkg.envelope.event in ("NEW", "UPDATE") and b"HB-" in pkg.payload
