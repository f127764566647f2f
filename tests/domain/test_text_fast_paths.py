"""clean() and hidden_char_problem() take a fast path for the common cell (issue 19): it must answer
exactly what the full path answers, for every kind of character an import can meet."""

from __future__ import annotations

import random
import re
import unicodedata

from hocbaso_desktop.domain import text as T

_WS = re.compile(r"\s+")
# Latin with Vietnamese letters, combining marks (NFD input), every whitespace kind, bidi and zero-width
# marks, controls, private use, unassigned, Arabic-Indic / fullwidth / superscript digits
ALPHABET = [chr(c) for c in [*range(0, 0x250), *range(0x1E00, 0x1F00), 0x200B, 0x200D, 0x202E, 0x2066, 0xFEFF, 0xA0,
                             0x2028, 0x2029, 0x3000, 0x85, 0x660, 0xFF10, 0xB2, 0x301, 0x303, 0xE000, 0x378]]


def _slow_clean(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _slow_hidden(text: str, digits: bool) -> bool:
    for ch in text:
        cat = unicodedata.category(ch)
        if ord(ch) in T._BIDI or ord(ch) in T._ZERO_WIDTH or cat in ("Cf", "Co", "Cs", "Cn"):
            return True
        if (cat == "Cc" and ch not in T._WHITESPACE_CONTROLS) or (digits and ch.isdigit() and not "0" <= ch <= "9"):
            return True
    return False


def test_fast_paths_agree_with_the_full_rules() -> None:
    rng = random.Random(19)
    for _ in range(20_000):
        s = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 8)))
        assert T.clean(s) == _slow_clean(s), repr(s)
        for digits in (True, False):
            assert bool(T.hidden_char_problem(s, digits=digits)) == _slow_hidden(s, digits), repr(s)


def test_common_cells() -> None:
    assert T.clean("  Nguyễn   Thị\tÁnh ") == "Nguyễn Thị Ánh"
    assert T.clean("Nguye\u0302\u0303n") == "Nguyễn"  # NFD typed on a Mac: composed
    assert T.hidden_char_problem("Nguyễn Thị Ánh 012345678901") == ""
    assert "U+202E" in T.hidden_char_problem("An\u202egpj.exe")
    assert "chữ số" in T.hidden_char_problem("0123\u0664")
    assert T.hidden_char_problem("0123\u0664", digits=False) == ""


def test_the_latin_blocks_skipped_by_the_digit_check_hold_no_digit() -> None:
    # hidden_char_problem skips the per-character digit test for text within these blocks
    for o in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        assert not chr(o).isdigit(), hex(o)
        assert not T._BEYOND_LATIN.search(chr(o))
    for ch in "\u00b2\u00b3\u00b9\u0660\uff10\u2460":
        assert T._BEYOND_LATIN.search(ch) and "chữ số" in T.hidden_char_problem(f"Nguyễn {ch}")


def test_remembered_fold_answers_the_full_fold() -> None:
    rng = random.Random(27)
    for _ in range(5_000):
        s = "".join(rng.choice(ALPHABET + list("-'’. /()")) for _ in range(rng.randint(0, 12)))
        assert T.fold(s) == T._fold(s) == T.fold(s), repr(s)
    long = "Nguyễn " * 20
    assert T.fold(long) == T._fold(long) and T.fold(None) == "" and T.fold("Khơ-me") == "khome"
