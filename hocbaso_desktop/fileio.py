"""Writing files safely (architecture.md): temp file → fsync → atomic rename → fsync the folder →
read back and compare the hash. A crash leaves the old file or the new one, never half of one."""

from __future__ import annotations

import errno
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


_REASONS = {errno.EACCES: "không có quyền ghi vào đó", errno.EPERM: "không có quyền ghi vào đó",
            errno.EROFS: "ổ đĩa chỉ cho đọc", errno.ENOSPC: "ổ đĩa đã đầy", errno.EIO: "ổ đĩa báo lỗi đọc/ghi",
            errno.ENOENT: "thư mục không còn (ổ USB đã rút?)", errno.ENOTDIR: "thư mục không còn (ổ USB đã rút?)",
            errno.EISDIR: "ở đó đã có một thư mục cùng tên"}


def require_folder(target: str | os.PathLike[str]) -> Path:
    """The folder `target` is to be written in must already exist: a folder that vanished since it was
    chosen (a pulled USB drive) must not be re-created on the local disk, where nobody looks for it."""
    path = Path(target)
    if not path.parent.is_dir():
        raise HocbasoError(f"Không có thư mục {path.parent} (ổ USB đã rút?): chưa ghi tệp {path.name}. "
                           "Hãy cắm lại ổ hoặc chọn nơi lưu khác.", path=str(path))
    return path


def write_failed(target: str | os.PathLike[str], error: OSError) -> HocbasoError:
    """The Vietnamese message for a file that could not be written, naming it and why."""
    path = Path(target)
    if error.errno in (errno.ENOENT, errno.ENOTDIR) and not path.parent.is_dir():
        return HocbasoError(f"Không có thư mục {path.parent} (ổ USB đã rút?): chưa ghi tệp {path.name}.", path=str(path))
    reason = _REASONS.get(error.errno or -1) or (error.strerror or type(error).__name__)
    return HocbasoError(f"Không ghi được tệp {path}: {reason}. Không có tệp nào được ghi; hãy chọn nơi lưu khác.",
                        path=str(path))
