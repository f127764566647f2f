"""Vietnamese text normalisation shared by import, search and matching."""

from __future__ import annotations

import re
import unicodedata

_WS = re.compile(r"\s+")


def clean(text: str | None) -> str:
    """NFC, whitespace collapsed and trimmed: the same person typed twice is the same string."""
    if text is None:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def fold(text: str | None) -> str:
    """A key without diacritics, case, spaces, hyphens or apostrophes ("Khơ-me" == "khome")."""
    t = unicodedata.normalize("NFD", clean(text).lower()).replace("đ", "d")
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return re.sub(r"[\s\-'’`´._/()]+", "", t)
