"""Copying a staged bag onto the medium so that a half-written archive never looks like a whole one.

1. everything goes into a hidden temporary folder beside the target (`.<name>.dang-ghi`), each file
   created exclusively, fsync'd; `bagit.txt` is written LAST — a folder without it is not a bag;
2. every directory is fsync'd, the folder renamed to its final name, the parent fsync'd;
3. every file is read back from the medium (page cache dropped first where the OS allows) and
   re-hashed against the digests computed when staging; nothing extra may be there.
Any error, or Cancel, removes `bagit.txt` first and then the folder; if even that fails the
leftover is named `…LOI-KHONG-DUNG` and has no `bagit.txt`, so it can never pass as an archive.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ...domain.errors import HocbasoError
from ...domain.progress import Cancelled
from .bagit_format import BAGIT_TXT

CHUNK = 1024 * 1024
FAILED_SUFFIX = ".LOI-KHONG-DUNG"


class MediumWriteError(HocbasoError):
    """Writing or reading back the archive on the medium failed; nothing usable was left there."""


class ExportCancelled(Cancelled):
    """The archive export was cancelled; nothing stays on the drive."""


@dataclass(frozen=True)
class StagedFile:
    rel: str  # POSIX path inside the bag
    size: int
    sha256: str


@dataclass(frozen=True)
class WriteProgress:
    stage: str  # "ghi" | "đọc lại"
    done: int  # bytes
    total: int
    label: str


def write_order(files: list[StagedFile]) -> list[StagedFile]:
    """Payload first, tag files after, bagit.txt last (its presence means everything else is there)."""
    return sorted(files, key=lambda f: (f.rel == BAGIT_TXT, not f.rel.startswith("data/"), f.rel))


def _write_file(src: Path, dst: Path) -> None:
    """Copy one file onto the medium and fsync it. Tests replace this to inject ENOSPC / EIO."""
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        while chunk := fin.read(CHUNK):
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # pragma: no cover - Windows cannot open a directory; NTFS/FAT metadata is flushed with the files
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_back_hash(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        if hasattr(os, "posix_fadvise"):
            # Drop the (clean, just fsync'd) cached pages so the bytes come from the medium itself.
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _remove(folder: Path) -> bool:
    """Make `folder` unusable as an archive, then remove it. True when it is gone."""
    try:
        (folder / BAGIT_TXT).unlink(missing_ok=True)
    except OSError:
        pass
    try:
        shutil.rmtree(folder)
        return True
    except OSError:
        pass
    if not folder.name.endswith(FAILED_SUFFIX):
        try:
            folder.rename(folder.with_name(folder.name.lstrip(".") + FAILED_SUFFIX))
        except OSError:
            pass
    return False


def temp_name(bag_name: str) -> str:
    return f".{bag_name}.dang-ghi"


def write_to_medium(
    staged: Path, files: list[StagedFile], target_dir: Path, bag_name: str,
    cancel: Callable[[], bool] = lambda: False,
) -> Iterator[WriteProgress]:
    """Yield progress while writing; return normally only when the read-back matched every byte."""
    final = target_dir / bag_name
    tmp = target_dir / temp_name(bag_name)
    if final.exists():
        raise MediumWriteError(f"Đã có thư mục {final}: không ghi đè một kho lưu trữ có sẵn.")
    if tmp.exists():  # left by a crash during an earlier export of this very name
        _remove(tmp)
    ordered = write_order(files)
    total = sum(f.size for f in ordered)
    renamed = False
    try:
        tmp.mkdir(parents=False)
        done = 0
        dirs = {tmp}
        for f in ordered:
            if cancel():
                raise ExportCancelled("Đã hủy: kho lưu trữ chưa được ghi, đã xóa phần ghi dở.")
            dst = tmp / f.rel
            for parent in reversed(dst.relative_to(tmp).parents[:-1]):
                d = tmp / parent
                if d not in dirs:
                    d.mkdir()
                    dirs.add(d)
            _write_file(staged / f.rel, dst)
            done += f.size
            yield WriteProgress("ghi", done, total, f.rel)
        for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
            _fsync_dir(d)
        os.rename(tmp, final)
        renamed = True
        _fsync_dir(target_dir)

        done = 0
        expected = {f.rel: f for f in ordered}
        present = {p.relative_to(final).as_posix() for p in final.rglob("*") if p.is_file() or p.is_symlink()}
        if present != set(expected):
            raise MediumWriteError("Đọc lại thất bại: các tệp trên ổ đích không đúng như đã ghi.")
        for f in ordered:
            if cancel():
                raise ExportCancelled("Đã hủy khi đang đọc lại: kho lưu trữ đã bị xóa khỏi ổ đích.")
            if _read_back_hash(final / f.rel) != f.sha256:
                raise MediumWriteError(f"Đọc lại thất bại: tệp {f.rel} trên ổ đích khác với bản đã ghi (ổ hỏng?).")
            done += f.size
            yield WriteProgress("đọc lại", done, total, f.rel)
    except BaseException as e:
        gone = _remove(final if renamed else tmp)
        if isinstance(e, (ExportCancelled, MediumWriteError, GeneratorExit, KeyboardInterrupt)):
            raise
        if isinstance(e, OSError):
            what = "ổ đích đầy" if e.errno == errno.ENOSPC else (e.strerror or str(e))
            left = "" if gone else f" (còn sót thư mục hỏng bên cạnh, tên kết thúc bằng {FAILED_SUFFIX}: hãy xóa)"
            raise MediumWriteError(f"Ghi kho lưu trữ thất bại: {what}; không có kho nào được để lại{left}.") from None
        raise
