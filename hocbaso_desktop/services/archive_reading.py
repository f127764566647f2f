"""Reading a sealed archive on a drive, and choosing the drive to write one to.

No database and no rights are involved — the archive is read from the medium it sits on — but the
GUI and the CLI still reach the archive format through here, so the format can change below them.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain.progress import Progress
from ..exchange.archive import medium
from ..exchange.archive.bagit_format import UnsafePath, check_relative_path
from ..exchange.archive.medium import Drive
from ..exchange.archive.verify import ArchiveReport, load_index, verify_archive
from ..signing.trust import TrustStore

__all__ = ["ArchiveReport", "Drive", "archive_file", "archive_index", "drive_summary", "drives",
           "human_size", "verify_archive_on_drive"]


def verify_archive_on_drive(path: str | os.PathLike[str], trust: TrustStore, *, allow_unsealed: bool = False,
                            progress: Progress | None = None, now: datetime | None = None) -> ArchiveReport:
    """Check every byte, the seal and each record's signature; problems are listed in Vietnamese, never raised."""
    return verify_archive(path, trust, allow_unsealed=allow_unsealed, progress=progress, now=now)


def archive_index(root: str | os.PathLike[str]) -> dict[str, Any]:
    """The archive's index.json (classes → pupils → records). Raises OSError/ValueError when unreadable."""
    return load_index(root)


def archive_file(root: Path, rel: str | None) -> Path | None:
    """A file named by the index, only if it is a plain relative path inside the archive.

    The index is data from a medium anyone may have edited: "../" or an absolute path must not
    open a file outside the archive, and a symlink must not point elsewhere.
    """
    if not rel:
        return None
    try:
        check_relative_path(rel)
    except UnsafePath:
        return None
    p = root / rel
    return p if p.is_file() and not p.is_symlink() else None


def drives() -> list[Drive]:
    """The mounted drives a person may write an archive to, removable ones first."""
    return medium.list_drives()


def drive_summary(target: str | os.PathLike[str]) -> tuple[str, str]:
    """(file system or «không rõ», free space as people read it) of the folder chosen as target."""
    return medium.filesystem_type(target) or "không rõ", human_size(medium.free_space(target))


def human_size(n: float) -> str:
    return medium.human_size(n)
