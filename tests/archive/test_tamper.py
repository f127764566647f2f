"""Tamper matrix on a real sealed archive: every change refused; the BagIt-regenerated bag by the seal.

Each case copies the pristine archive (fixture `bag`) and changes it at random positions (seeded, so a
failure replays); several positions per class of change.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import bagit
import pytest

from hocbaso_desktop.exchange.archive.bagit_format import BAG_INFO, BAGIT_TXT, MANIFEST, SEAL_CHAIN, SEAL_FILE, TAGMANIFEST
from hocbaso_desktop.exchange.archive.verify import verify_archive

POSITIONS = 6  # random positions per case (seeded, so a failure replays)


def _payload(bag: Path) -> list[Path]:
    return sorted(p for p in (bag / "data").rglob("*") if p.is_file())


def _refused(bag: Path, trust, *, needle: str | None = None) -> list[str]:
    report = verify_archive(bag, trust)
    assert not report.ok, f"tampered bag verified: {report.lines()}"
    assert report.lines()[-1].startswith("KẾT LUẬN: KHÔNG ĐẠT")
    if needle:
        assert any(needle in p for p in report.problems), report.problems
    return report.problems


def test_pristine_archive_verifies_and_bagit_python_agrees(bag: Path, trust) -> None:
    report = verify_archive(bag, trust)
    assert report.ok, report.lines()
    assert report.seal is not None and report.seal.ok and report.records_total == report.records_ok == 9
    assert report.info_value("Loại") == "CHÍNH THỨC (final)"
    b = bagit.Bag(str(bag))
    b.validate()  # raises BagValidationError on any problem; seal/ outside the manifests is allowed
    assert b.is_valid()


@pytest.mark.parametrize("seed", range(POSITIONS))
def test_payload_byte_flipped(bag: Path, trust, seed: int) -> None:
    rng = random.Random(seed)
    target = rng.choice(_payload(bag))
    data = bytearray(target.read_bytes())
    pos = rng.randrange(len(data))
    data[pos] ^= 1 << rng.randrange(8)
    target.write_bytes(bytes(data))
    _refused(bag, trust, needle="đã bị thay đổi")


@pytest.mark.parametrize("seed", range(POSITIONS))
def test_payload_file_added(bag: Path, trust, seed: int) -> None:
    rng = random.Random(100 + seed)
    folder = rng.choice([p for p in (bag / "data").rglob("*") if p.is_dir()] + [bag / "data"])
    (folder / f"them-{seed}.xml").write_bytes(b"<x/>")
    _refused(bag, trust, needle="không nằm trong danh mục")


@pytest.mark.parametrize("seed", range(POSITIONS))
def test_payload_file_removed(bag: Path, trust, seed: int) -> None:
    rng = random.Random(200 + seed)
    rng.choice(_payload(bag)).unlink()
    _refused(bag, trust, needle="thiếu")


@pytest.mark.parametrize("seed", range(POSITIONS))
def test_payload_file_renamed(bag: Path, trust, seed: int) -> None:
    rng = random.Random(300 + seed)
    target = rng.choice(_payload(bag))
    target.rename(target.with_name("0" + target.name))
    _refused(bag, trust)


@pytest.mark.parametrize("seed", range(POSITIONS))
def test_manifest_line_edited(bag: Path, trust, seed: int) -> None:
    rng = random.Random(400 + seed)
    lines = (bag / MANIFEST).read_text(encoding="utf-8").splitlines(keepends=True)
    i = rng.randrange(len(lines))
    digest, rest = lines[i][:64], lines[i][64:]
    j = rng.randrange(64)
    digest = digest[:j] + ("0" if digest[j] != "0" else "1") + digest[j + 1:]
    lines[i] = digest + rest
    (bag / MANIFEST).write_text("".join(lines), encoding="utf-8")
    _refused(bag, trust, needle=MANIFEST)


@pytest.mark.parametrize("seed", range(POSITIONS))
def test_bag_info_edited(bag: Path, trust, seed: int) -> None:
    rng = random.Random(500 + seed)
    lines = (bag / BAG_INFO).read_text(encoding="utf-8").splitlines(keepends=True)
    i = rng.randrange(len(lines))
    lines[i] = lines[i].replace(":", ": (sửa)", 1)
    (bag / BAG_INFO).write_text("".join(lines), encoding="utf-8")
    _refused(bag, trust, needle=BAG_INFO)


@pytest.mark.parametrize("name", [BAGIT_TXT, BAG_INFO, MANIFEST, TAGMANIFEST, SEAL_FILE, SEAL_CHAIN])
def test_tag_file_deleted(bag: Path, trust, name: str) -> None:
    (bag / name).unlink()
    problems = _refused(bag, trust)
    if name == SEAL_CHAIN:  # the chain file is only a convenience for openssl; its absence is still refused
        assert any(SEAL_CHAIN in p for p in problems) or problems


@pytest.mark.parametrize("seed", range(POSITIONS))
def test_regenerated_by_bagit_python_is_refused_by_the_seal(bag: Path, trust, seed: int) -> None:
    """Someone edits a record (or bag-info) and re-saves the bag with fresh checksums, without the token."""
    rng = random.Random(600 + seed)
    # files no second check covers (record XML carry their own signatures, the audit log its chain)
    target = rng.choice([p for p in _payload(bag) if p.suffix in (".json", ".txt", ".pdf", ".xlsx")])
    data = bytearray(target.read_bytes())
    data[rng.randrange(len(data))] ^= 0x20
    target.write_bytes(bytes(data))
    seal_dir = bag / "seal"
    keep = bag.parent / f"seal-{seed}"
    shutil.move(str(seal_dir), keep)  # bagit-python would otherwise list seal/ as tag files
    b = bagit.Bag(str(bag))
    b.info["Hocbaso-Note"] = "đã chỉnh"
    b.save(manifests=True)
    shutil.move(str(keep), seal_dir)
    assert bagit.Bag(str(bag)).is_valid()  # a BagIt library is satisfied...
    problems = _refused(bag, trust)  # ...the seal is not
    assert problems and all(p.startswith("niêm phong không hợp lệ") for p in problems), problems


def test_seal_from_another_bag_is_refused(bag: Path, trust, tmp_path: Path) -> None:
    # the seal of an older archive copied over a changed one: signature valid, digest wrong
    (bag / BAG_INFO).write_bytes((bag / BAG_INFO).read_bytes() + b"X: y\n")
    import hashlib

    new = hashlib.sha256((bag / BAG_INFO).read_bytes()).hexdigest()
    lines = (bag / TAGMANIFEST).read_text().splitlines()
    lines = [f"{new}  {BAG_INFO}" if ln.endswith(BAG_INFO) else ln for ln in lines]
    (bag / TAGMANIFEST).write_text("\n".join(lines) + "\n")
    problems = _refused(bag, trust, needle="niêm phong")
    assert any("tagmanifest-sha256.txt đã bị thay đổi sau khi niêm phong" in p for p in problems)


def test_untrusted_seal_is_refused(bag: Path) -> None:
    from hocbaso_desktop.signing import TrustStore

    report = verify_archive(bag, TrustStore())  # nobody trusted: the chain cannot be anchored
    assert not report.ok and report.seal is not None and not report.seal.trusted
