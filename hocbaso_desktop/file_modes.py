"""Files and folders holding the school's data are readable by their owner only.

The database (and the -wal/-shm files SQLite creates with the main file's mode), its audit anchor and
lock, backups, the machine's configuration, the signing home (SoftHSM token files) and the workbooks
we write: pupils' identity numbers, birth dates and evaluations are not for the other accounts of a
shared PC. Modes are set when a file is created (os.open with 0o600, folders 0o700), and group/other
bits are taken away from ones that already exist. Where the filesystem has no modes (Windows, a
FAT32/exFAT USB stick) nothing is done and nothing fails.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

OWNER_FILE = 0o600
OWNER_DIR = 0o700
_POSIX = os.name == "posix"
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no CRLF translation under our own text layer


def tighten(path: str | os.PathLike[str]) -> None:
    """Drop the group and other bits of an existing file or folder (a no-op without modes)."""
    if not _POSIX:
        return
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if mode & 0o077:
            os.chmod(path, mode & ~0o077)
    except OSError:  # gone meanwhile, or a filesystem that refuses modes (vfat mounted without them)
        pass


def private_dir(path: str | os.PathLike[str], *, existing_too: bool = True) -> Path:
    """mkdir -p, the last folder owner-only. `existing_too=False` leaves a folder the user already had
    (the Documents folder she chose for the database) as it is and only protects one we create."""
    p = Path(path)
    new = not p.exists()
    p.mkdir(parents=True, exist_ok=True, mode=OWNER_DIR)
    if new or existing_too:
        tighten(p)
    return p


def create_private(path: str | os.PathLike[str]) -> Path:
    """Make sure `path` exists as an owner-only file (created empty with 0o600, or tightened)."""
    p = Path(path)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_FILE)
    except FileExistsError:
        tighten(p)
    else:
        os.close(fd)
    return p


def open_private(path: str | os.PathLike[str], flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """os.open with 0o600 for a new file; an existing one is tightened first. Returns the descriptor."""
    tighten(path)
    return os.open(path, flags | _BINARY, OWNER_FILE)


def write_private_text(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    fd = open_private(path)
    with os.fdopen(fd, "w", encoding=encoding) as f:
        f.write(text)
    return Path(path)
