"""How a column of the assignment workbook, or an argument of `hocbaso assign`, names what is assigned:
«GVCN» or a subject by its code or its name (case and spacing ignored). One reading for the CLI, the GUI
and the workbook; here in the domain so that reading it needs no Excel library.
"""

from __future__ import annotations

from .catalogue import catalogue

GVCN = "GVCN"


def column_key(text: object) -> str | None:
    """A column named by code or by name (case and spacing ignored) → "GVCN" or the subject code."""
    t = " ".join(str(text or "").split()).casefold()
    if not t:
        return None
    if t in (GVCN.casefold(), "giáo viên chủ nhiệm"):
        return GVCN
    for s in catalogue().subjects:
        if t in (s.code.casefold(), s.name.casefold(), s.print_name.casefold()):
            return s.code
    return None
