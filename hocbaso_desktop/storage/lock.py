"""One running copy of the program per database file (see reliability.md: SQLite's WAL-reset bug)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import BinaryIO

from ..domain.errors import StoreError
from ..file_modes import open_private

# sys.platform (not os.name) so that the type checker knows which of the two modules exists here.
if sys.platform == "win32":  # pragma: no cover - exercised on the Windows build
    import msvcrt
else:
    import fcntl


class InstanceLock:
    """An OS-level exclusive lock on `<db>.lock`; released by the OS if the process dies."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(str(db_path) + ".lock")
        self._fh: BinaryIO | None = None

    def acquire(self) -> None:
        fh = os.fdopen(open_private(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND), "a+b")
        try:
            if sys.platform == "win32":  # pragma: no cover
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise StoreError(
                f"Cơ sở dữ liệu {self.path.with_suffix('')} đang được một chương trình Học bạ số khác mở. "
                "Hãy đóng chương trình đó trước (chỉ một chương trình được ghi vào một tệp dữ liệu)."
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()).encode())
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
