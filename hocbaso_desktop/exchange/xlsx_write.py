"""Saving a workbook we produced: temp file → fsync → atomic rename, so a crash never leaves half a file.

Every workbook the program writes goes through `save_atomic` (or `neutralize` right before its own
save), and that is where user text is made harmless: a cell whose text begins with = + - @ or a
tab/CR/control character is stored as text (type "s", quote-prefixed), never as a formula — a pupil
named `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` is a name in the teacher's Excel, not a link or a
command. The program writes no formula of its own, so no cell leaves here as one.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook import Workbook

from ..domain.text import reveal
from ..file_modes import tighten

_FORMULA_START = "=+-@"  # what Excel, LibreOffice and Sheets read as the start of a formula


def needs_text(value: str) -> bool:
    """True for text a spreadsheet could take for a formula (or that hides its first character)."""
    if not value:
        return False
    first = value[0]
    return first in _FORMULA_START or unicodedata.category(first) == "Cc"


def cell_text(value: object) -> object:
    """A value to put in a cell: text loses the characters an .xlsx cannot hold (shown as <U+XXXX>)
    instead of making openpyxl refuse the whole export; other values pass unchanged."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS_RE.search(value):
        return reveal(value)
    return value


def neutralize(wb: Workbook) -> int:
    """Make every formula-looking text cell of `wb` a text cell; returns how many were changed."""
    changed = 0
    for ws in wb.worksheets:
        cells = getattr(ws, "_cells", None)  # a write-only sheet keeps none (and is written by us only)
        if not cells:
            continue
        for cell in cells.values():
            v = cell.value
            if isinstance(v, str) and (cell.data_type == "f" or needs_text(v)):
                cell.data_type = "s"
                cell.quotePrefix = True  # Excel keeps it text even after the teacher edits the cell
                changed += 1
    return changed


def save_atomic(wb: Workbook, path: str | Path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    neutralize(wb)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        wb.save(tmp)
        tighten(tmp)  # pupils' data: readable by the owner only, where the filesystem has modes
        with tmp.open("rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return p
