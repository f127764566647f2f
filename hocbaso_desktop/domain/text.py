"""Vietnamese text normalisation shared by import, search and matching."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WS = re.compile(r"\s+")
_FOLD_DROP = re.compile(r"[\s\-'’`´._/()]+")


def clean(text: str | None) -> str:
    """NFC, whitespace collapsed and trimmed: the same person typed twice is the same string."""
    if text is None:
        return ""
    text = str(text)
    # A printable text holds no whitespace but the ASCII space (isprintable is False for Zs/Zl/Zp and
    # control characters), so without a double space and already NFC it only needs trimming: the
    # common cell of an import, ~60,000 of them in a 2,000-pupil class list.
    if text.isprintable() and "  " not in text and unicodedata.is_normalized("NFC", text):
        return text.strip()
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str | None) -> str:
    """A key without diacritics, case, spaces, hyphens or apostrophes ("Khơ-me" == "khome")."""
    if isinstance(text, str) and len(text) <= 64:
        # the short labels folded on every row of an import (sex, ethnicity, status) repeat: remembered
        return _fold_short(text)
    return _fold(text)


def _fold(text: str | None) -> str:
    t = unicodedata.normalize("NFD", clean(text).lower()).replace("đ", "d")
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return _FOLD_DROP.sub("", t)


_fold_short = lru_cache(maxsize=4096)(_fold)


# Characters that change how a text is shown or compared without being seen: a name or ID carrying them
# reads as one thing and is another (an RLO override turns "Nguyễn An‮gpj.exe" around; a zero-width
# space makes two equal-looking IDs differ). Bidi embeddings/overrides/isolates and marks:
_BIDI = frozenset([0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_ZERO_WIDTH = frozenset([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF])
_WHITESPACE_CONTROLS = "\t\n\r"  # a line break typed with Alt+Enter: clean() turns it into a space


# Vietnamese letters are in Latin-1 (from À) and the Latin Extended blocks, which hold no digit of any
# kind (the superscripts ¹²³ sit below À): a text with nothing outside them has no digit to refuse.
_BEYOND_LATIN = re.compile("[^\x00-\x7f\u00c0-\u024f\u1e00-\u1eff]")


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def hidden_char_problem(text: object, *, digits: bool = True) -> str:
    """"" when `text` may be stored as a name, ID or comment; else why not, in Vietnamese.

    Refused: bidi controls, zero-width characters, control characters (other than tab and line breaks,
    which clean() folds into spaces), other invisible/format, private-use or unassigned code points,
    and — unless `digits` is False — digits other than 0-9 (Arabic-Indic ٠١٢, fullwidth ０, superscripts):
    Python's int() and isdigit() read them as numbers, a person reading the list does not.
    The one check behind the class-list, staff and grid imports (and every comment typed in).
    """
    if text is None:
        return ""
    text = str(text)
    # Fast path for the common cell: str.isprintable() is False for every category refused below (Cc,
    # Cf, Co, Cs, Cn; the bidi and zero-width marks are all Cf), so a printable text can only fail on
    # its digits, and ASCII digits are the allowed ones. A 2,000-pupil list has ~20,000 such cells.
    if text.isprintable() and (not digits or text.isascii() or not _BEYOND_LATIN.search(text)
                               or not any(ch.isdigit() and not "0" <= ch <= "9" for ch in text if ch > "\x7f")):
        return ""
    for ch in text:
        o = ord(ch)
        if o in _BIDI:
            return f"có ký tự ẩn đổi chiều hiển thị chữ ({_code(ch)}): hãy xoá ô này và gõ lại bằng bàn phím"
        if o in _ZERO_WIDTH:
            return f"có ký tự ẩn không nhìn thấy ({_code(ch)}): hãy xoá ô này và gõ lại bằng bàn phím"
        cat = unicodedata.category(ch)
        if cat == "Cc" and ch not in _WHITESPACE_CONTROLS:
            return f"có ký tự điều khiển ({_code(ch)}): hãy xoá ô này và gõ lại bằng bàn phím"
        if cat in ("Cf", "Co", "Cs", "Cn"):
            return f"có ký tự ẩn hoặc không hợp lệ ({_code(ch)}): hãy xoá ô này và gõ lại bằng bàn phím"
        if digits and ch.isdigit() and not "0" <= ch <= "9":
            return f"có chữ số không phải chữ số thường 0-9 («{ch}», {_code(ch)}): hãy gõ lại bằng bàn phím"
    return ""


def reveal(text: object) -> str:
    """`text` with every character hidden_char_problem refuses written as <U+XXXX>, for messages and reports."""
    if text is None:
        return ""
    out = []
    for ch in str(text):
        o = ord(ch)
        cat = unicodedata.category(ch)
        hidden = (o in _BIDI or o in _ZERO_WIDTH or cat in ("Cf", "Co", "Cs", "Cn")
                  or (cat == "Cc" and ch not in _WHITESPACE_CONTROLS))
        out.append(f"<{_code(ch)}>" if hidden else ch)
    return "".join(out)
