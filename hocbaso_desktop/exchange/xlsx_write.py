"""Saving a workbook we produced: temp file → fsync → atomic rename, so a crash never leaves half a file."""

from __future__ import annotations

import os
from pathlib import Path

from openpyxl.workbook import Workbook


def save_atomic(wb: Workbook, path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        wb.save(tmp)
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return p
