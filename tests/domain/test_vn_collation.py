"""Vietnamese alphabetical order (domain/vn_collation.py): đ after d, ă/â after a, ê after e,
ô/ơ after o, ư after u, tones only when the letters are equal, class lists by given name."""

from __future__ import annotations

import random
import unicodedata

from hocbaso_desktop.domain.vn_collation import collation_key, name_key, sorted_vn


def test_the_letters_of_the_alphabet_in_order() -> None:
    words = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "g", "h", "i", "k", "l", "m", "n", "o", "ô", "ơ", "p",
             "q", "r", "s", "t", "u", "ư", "v", "x", "y"]
    shuffled = words[:]
    random.Random(7).shuffle(shuffled)
    assert sorted_vn(shuffled) == words


def test_d_with_stroke_comes_after_every_d_and_before_e() -> None:
    assert sorted_vn(["Đức", "Em", "Dũng", "Dương", "Đào", "Duy", "Zin"]) == \
        ["Dũng", "Duy", "Dương", "Đào", "Đức", "Em", "Zin"]


def test_tones_decide_only_when_the_letters_are_equal() -> None:
    assert sorted_vn(["ạ", "á", "ã", "ả", "à", "a"]) == ["a", "à", "ả", "ã", "á", "ạ"]
    # the letters first: "án" is the word "an" with a tone, it comes before "anh"
    assert sorted_vn(["anh", "án", "an"]) == ["an", "án", "anh"]
    assert sorted_vn(["ăn", "ẵm", "ân", "ấm", "am"]) == ["am", "ẵm", "ăn", "ấm", "ân"]  # ẵm: ă then m, before ăn
    assert sorted_vn(["ơn", "ổn", "on", "ốc", "óc"]) == ["óc", "on", "ốc", "ổn", "ơn"]
    assert sorted_vn(["ưa", "ua", "ủa", "ứa"]) == ["ua", "ủa", "ưa", "ứa"]


def test_decomposed_input_and_case_and_spaces() -> None:
    nfd = unicodedata.normalize("NFD", "Đỗ Thị Ánh")
    assert collation_key(nfd).split("\0")[:3] == collation_key("Đỗ Thị Ánh").split("\0")[:3]
    assert sorted_vn(["an", "An"]) == ["an", "An"]
    assert sorted_vn(["Anh", "An Bình"]) == ["An Bình", "Anh"]
    assert collation_key("a") != collation_key("A")  # never a tie between different texts


def test_a_class_list_by_given_name_then_family() -> None:
    names = ["Trần Văn Đức", "Nguyễn Thị Dung", "Lê Minh Anh", "Phạm Thu Ánh", "Đỗ Văn An", "Bùi Thị Ánh",
             "Hoàng Ðức Em"]
    assert sorted(names, key=name_key) == ["Đỗ Văn An", "Lê Minh Anh", "Bùi Thị Ánh", "Phạm Thu Ánh",
                                           "Nguyễn Thị Dung", "Trần Văn Đức", "Hoàng Ðức Em"]


def test_the_eth_lookalike_sorts_as_d_with_stroke() -> None:
    assert sorted_vn(["Ðức", "Dung", "Em"]) == ["Dung", "Ðức", "Em"]
