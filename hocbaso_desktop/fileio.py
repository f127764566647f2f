"""Writing files safely (architecture.md): temp file → fsync → atomic rename → fsync the folder →
read back and compare the hash. A crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .domain.errors import HocbasoError


def fsync_dir(path: Path) -> None:
    """Make the rename itself durable (POSIX); Windows has no directory handles to fsync."""
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(path, os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(target: str | os.PathLike[str], data: bytes, *, read_back: bool = True) -> Path:
    path = Path(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    if read_back and hashlib.sha256(path.read_bytes()).digest() != hashlib.sha256(data).digest():
        raise HocbasoError(f"Tệp {path} ghi ra không khớp nội dung đã ghi (ổ đĩa lỗi?): hãy ghi lại.", path=str(path))
    return path
