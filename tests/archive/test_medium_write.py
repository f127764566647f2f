"""Writing to the medium: ENOSPC / EIO injected at each write in turn (and at fsync, rename, read-back)
never leaves an archive that verifies nor a folder that looks complete; silent corruption is caught by
the read-back; pre-flight refuses too little space and >4 GiB files on FAT32."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import pytest

from hocbaso_desktop.exchange.archive import medium, writer
from hocbaso_desktop.exchange.archive.verify import verify_archive
from hocbaso_desktop.exchange.archive.writer import MediumWriteError, StagedFile, write_to_medium


def _staged(bag: Path) -> list[StagedFile]:
    out = []
    for p in sorted(bag.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            out.append(StagedFile(p.relative_to(bag).as_posix(), len(data), hashlib.sha256(data).hexdigest()))
    return out


def _assert_nothing_usable(target: Path, trust) -> None:
    for d in [p for p in target.rglob("*") if p.is_dir()] + [target]:
        assert not (d / "bagit.txt").exists(), f"complete-looking folder left: {d}"
        if (d / "manifest-sha256.txt").exists():
            assert not verify_archive(d, trust).ok


def _run(staged: Path, files, target: Path) -> None:
    for _ in write_to_medium(staged, files, target, "KHO"):
        pass


def test_clean_write_verifies(bag: Path, trust, tmp_path: Path) -> None:
    target = tmp_path / "usb"
    target.mkdir()
    _run(bag, _staged(bag), target)
    assert verify_archive(target / "KHO", trust).ok
    assert sorted(p.name for p in target.iterdir()) == ["KHO"]
    with pytest.raises(MediumWriteError):  # never overwrite an existing archive
        _run(bag, _staged(bag), target)


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EIO])
def test_error_at_each_write_in_turn(bag: Path, trust, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, err: int) -> None:
    files = _staged(bag)
    real = writer._write_file
    for k in range(len(files)):
        target = tmp_path / f"usb-{err}-{k}"
        target.mkdir()
        calls = {"n": 0}

        def failing(src: Path, dst: Path, k: int = k) -> None:
            calls["n"] += 1
            if calls["n"] == k + 1:
                real(src, dst) if k % 2 else None  # sometimes the bytes land and only the fsync fails
                raise OSError(err, "injected")
            real(src, dst)

        monkeypatch.setattr(writer, "_write_file", failing)
        with pytest.raises(MediumWriteError) as e:
            _run(bag, files, target)
        assert ("đầy" in e.value.message) == (err == errno.ENOSPC)
        assert list(target.iterdir()) == [], f"left behind after failure at write {k}: {list(target.iterdir())}"
        _assert_nothing_usable(target, trust)


@pytest.mark.parametrize("where", ["_fsync_dir", "rename", "_read_back_hash"])
def test_error_after_the_files(bag: Path, trust, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    target = tmp_path / "usb"
    target.mkdir()

    def boom(*_a, **_k):  # noqa: ANN002, ANN003
        raise OSError(errno.EIO, "injected")

    if where == "rename":
        monkeypatch.setattr(writer.os, "rename", boom)
    else:
        monkeypatch.setattr(writer, where, boom)
    with pytest.raises(MediumWriteError):
        _run(bag, _staged(bag), target)
    monkeypatch.undo()
    assert list(target.iterdir()) == []


def test_silent_corruption_caught_by_read_back(bag: Path, trust, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "usb"
    target.mkdir()
    real = writer._write_file

    def corrupting(src: Path, dst: Path) -> None:
        real(src, dst)
        if dst.suffix == ".pdf":
            data = bytearray(dst.read_bytes())
            data[len(data) // 2] ^= 0xFF
            dst.write_bytes(bytes(data))

    monkeypatch.setattr(writer, "_write_file", corrupting)
    with pytest.raises(MediumWriteError, match="Đọc lại thất bại"):
        _run(bag, _staged(bag), target)
    assert list(target.iterdir()) == []


def test_cancel_and_abandon_leave_nothing(bag: Path, tmp_path: Path) -> None:
    target = tmp_path / "usb"
    target.mkdir()
    files = _staged(bag)
    state = {"n": 0}

    def cancel() -> bool:
        state["n"] += 1
        return state["n"] > 5

    with pytest.raises(writer.ExportCancelled):
        for _ in write_to_medium(bag, files, target, "KHO", cancel):
            pass
    assert list(target.iterdir()) == []
    gen = write_to_medium(bag, files, target, "KHO")
    next(gen), next(gen)
    gen.close()  # the GUI thread stopped iterating
    assert list(target.iterdir()) == []


def test_unremovable_leftover_is_renamed_and_not_a_bag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / ".KHO.dang-ghi"
    folder.mkdir()
    (folder / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    monkeypatch.setattr(writer.shutil, "rmtree", lambda *_a, **_k: (_ for _ in ()).throw(OSError(errno.EIO, "x")))
    assert writer._remove(folder) is False
    left = list(tmp_path.iterdir())
    assert [p.name for p in left] == ["KHO.dang-ghi" + writer.FAILED_SUFFIX]
    assert not (left[0] / "bagit.txt").exists()


def test_preflight() -> None:
    ok = medium.preflight("/", 100 * 2**20, 10, free=10 * 2**30, fs_type="ext4")
    assert ok.ok and ok.needed == int(100 * 2**20 * 1.1) + 64 * 2**20
    low = medium.preflight("/", 100 * 2**20, 10, free=150 * 2**20, fs_type="ext4")
    assert not low.ok and "cần ít nhất" in low.problems[0]
    fat = medium.preflight("/", 6 * 2**30, 5 * 2**30, free=100 * 2**30, fs_type="vfat")
    assert not fat.ok and "FAT32" in fat.problems[0]
    assert medium.preflight("/", 6 * 2**30, 5 * 2**30, free=100 * 2**30, fs_type="exfat").ok


def test_filesystem_and_drives_from_proc_mounts(tmp_path: Path) -> None:
    usb = tmp_path / "media" / "usb"
    usb.mkdir(parents=True)
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/vda / ext4 rw 0 0\n/dev/sdb1 {usb} vfat rw 0 0\n/dev/sdc1 /media/KHÔNG\\040CÓ vfat rw 0 0\n")
    sys_block = tmp_path / "block"
    for name, flag in (("vda", "0"), ("sdb", "1")):
        (sys_block / name).mkdir(parents=True)
        (sys_block / name / "removable").write_text(flag + "\n")
    assert medium.filesystem_type(usb / "a" / "b", str(mounts)) == "vfat"
    assert medium.filesystem_type(tmp_path, str(mounts)) == "ext4"
    drives = medium.list_drives(str(mounts), str(sys_block))
    assert [d.path for d in drives] == [str(usb)] and drives[0].removable and drives[0].fs_type == "vfat"
    assert "vfat" in drives[0].describe()
    assert medium._disk_of("/dev/mmcblk0p1") == "mmcblk0" and medium._disk_of("/dev/nvme0n1p2") == "nvme0n1"
