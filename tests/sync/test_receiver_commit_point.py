"""The receiver's commit point is the package file, whose name carries its key and receipt (issue 19:
one synced file per package instead of two); keys/ is an index rebuilt from packages/ at start.
A key file lost, cut by a crash or edited comes back from its package; a crash before the package
was stored leaves nothing acknowledged; a store of the older layout (key file as commit point) is
still read."""

from __future__ import annotations

import json
from pathlib import Path

from hocbaso_desktop.sync.receiver import PackageStore

from .helpers import UNSIGNED_OK, running
from .test_receiver import GOOD_INNER, KEY, RID, package, post


def _stored(recv_dir: Path) -> dict:
    with running(recv_dir) as recv:
        status, data = post(recv.url, package(GOOD_INNER))
        assert status == 201
    (f,) = (recv_dir / "packages" / RID).glob("v*.xml")
    assert f.name == f"v001-{KEY}-{data['receipt']}.xml"  # one file says key, version and receipt
    return data


def test_key_file_lost_or_cut_comes_back_from_the_package(recv_dir: Path) -> None:
    data = _stored(recv_dir)
    key_file = recv_dir / "keys" / f"{KEY}.json"
    for damage in (lambda: key_file.unlink(), lambda: key_file.write_bytes(b""), lambda: key_file.write_text('{"rec')):
        damage()
        again = PackageStore(recv_dir, verifier=UNSIGNED_OK)
        assert again.keys[KEY]["receipt"] == data["receipt"] and again.keys[KEY]["event"] == "NEW"
        assert again.highest[RID].version == 1
        assert json.loads(key_file.read_text())["receipt"] == data["receipt"]  # the index rewritten
    with running(recv_dir) as recv:  # the repeat after the restart: the same receipt, no second file
        assert post(recv.url, package(GOOD_INNER)) == (200, data)
    assert len(list((recv_dir / "packages" / RID).glob("v*.xml"))) == 1


def test_an_edited_key_file_does_not_change_the_receipt(recv_dir: Path) -> None:
    data = _stored(recv_dir)
    key_file = recv_dir / "keys" / f"{KEY}.json"
    forged = json.loads(key_file.read_text()) | {"receipt": "BN-20990101-forged", "version": 9}
    key_file.write_text(json.dumps(forged))
    again = PackageStore(recv_dir, verifier=UNSIGNED_OK)
    assert again.keys[KEY]["receipt"] == data["receipt"] and again.highest[RID].version == 1


def test_crash_before_the_package_was_stored_leaves_nothing_acknowledged(recv_dir: Path) -> None:
    # what a kill leaves before the rename: a temp file; and a key file whose package never landed
    folder = recv_dir / "packages" / RID
    folder.mkdir(parents=True)
    (folder / f".v001-{KEY}.xml.abc.tmp").write_bytes(package(GOOD_INNER)[:100])
    (recv_dir / "keys").mkdir(exist_ok=True)
    (recv_dir / "keys" / f"{KEY}.json").write_text(json.dumps(
        {"receipt": "BN-20260101-x", "record_id": RID, "version": 1, "event": "NEW",
         "file": f"packages/{RID}/v001-{KEY}-BN-20260101-x.xml"}))
    store = PackageStore(recv_dir, verifier=UNSIGNED_OK)
    assert KEY not in store.keys and RID not in store.highest
    with running(recv_dir) as recv:
        status, data = post(recv.url, package(GOOD_INNER))
        assert status == 201 and data["receipt"] != "BN-20260101-x"


def test_a_store_of_the_older_layout_is_read(recv_dir: Path) -> None:
    folder = recv_dir / "packages" / RID
    folder.mkdir(parents=True)
    (folder / f"v001-{KEY}.xml").write_bytes(package(GOOD_INNER))
    (recv_dir / "keys").mkdir(exist_ok=True)
    info = {"receipt": "BN-20250101-0123456789abcdef0123", "record_id": RID, "version": 1, "event": "NEW",
            "file": f"packages/{RID}/v001-{KEY}.xml", "stored_at": "2025-01-01T00:00:00+00:00"}
    (recv_dir / "keys" / f"{KEY}.json").write_text(json.dumps(info))
    with running(recv_dir) as recv:
        assert post(recv.url, package(GOOD_INNER)) == (200, {"receipt": info["receipt"], "record_id": RID, "version": 1})
