"""Vietnamese alphabetical order, as a dictionary and a class list use it.

The alphabet is a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z): ă, â, đ,
ê, ô, ơ, ư are letters of their own, placed after their base letter (so "Đức" comes after every
"D…" name, not after "Z"). Tone marks are not letters: words compare by their letters first, and
only when the letters are equal by their tones, in the dictionary's order ngang, huyền, hỏi, ngã,
sắc, nặng (a à ả ã á ạ). Case decides last.

`collation_key` is a plain str so the same key serves Python's sort and a Qt model's sort role.
"""

from __future__ import annotations

import unicodedata

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {ch: i for i, ch in enumerate(ALPHABET)}

_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_LETTER_MARKS = {("a", _BREVE): "ă", ("a", _CIRCUMFLEX): "â", ("e", _CIRCUMFLEX): "ê",
                 ("o", _CIRCUMFLEX): "ô", ("o", _HORN): "ơ", ("u", _HORN): "ư"}
# ngang (no mark) = 0, then huyền, hỏi, ngã, sắc, nặng
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}

_SPACE = "\u0001"  # a word ends before any letter: "An Bình" before "Anh"
_OTHER = "\u0002"  # punctuation: after a space, before digits and letters
_DIGIT0 = 0x10
_LETTER0 = 0x100
_FOREIGN0 = 0x1000
_LEVEL = "\u0000"


def _letter_and_tone(ch: str) -> tuple[str, int]:
    """The Vietnamese letter (lower case) and tone of one precomposed character."""
    if ch in ("đ", "ð"):  # ð (eth) is how some keyboards type Đ
        return "đ", 0
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    tone = 0
    for m in marks:
        if (base, m) in _LETTER_MARKS:
            base = _LETTER_MARKS[(base, m)]
        elif m in _TONES:
            tone = _TONES[m]
    return base, tone


def collation_key(text: str) -> str:
    """A key whose plain code-point order is Vietnamese alphabetical order (letters, then tones,
    then case, then the text itself so different texts never tie)."""
    primary: list[str] = []
    tones: list[str] = []
    cases: list[str] = []
    for ch in unicodedata.normalize("NFC", " ".join(text.split())):
        lower = ch.lower()
        if ch.isspace():
            primary.append(_SPACE)
            continue
        letter, tone = _letter_and_tone(lower)
        if letter in _RANK:
            primary.append(chr(_LETTER0 + _RANK[letter]))
        elif letter.isdigit():
            primary.append(chr(_DIGIT0 + (unicodedata.digit(letter, 0))))
        elif letter.isalpha():
            primary.append(chr(_FOREIGN0 + ord(letter)))
        else:
            primary.append(_OTHER)
            continue
        tones.append(chr(0x30 + tone))
        cases.append("1" if ch != lower else "0")
    return _LEVEL.join(("".join(primary), "".join(tones), "".join(cases), text))


def name_key(full_name: str) -> tuple[str, str]:
    """Vietnamese class lists sort by the given name (the last word), then by the whole name
    (family and middle names in order)."""
    parts = full_name.split()
    return (collation_key(parts[-1]) if parts else "", collation_key(full_name))


def sorted_vn(items: list[str]) -> list[str]:
    return sorted(items, key=collation_key)
