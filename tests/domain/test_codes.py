from __future__ import annotations

from datetime import date

import pytest

from hocbaso_desktop.domain.errors import InvalidValue
from hocbaso_desktop.domain.ethnic import ETHNIC_GROUPS, ethnic_code
from hocbaso_desktop.domain.identity import check_personal_id, restore_leading_zeros
from hocbaso_desktop.domain.ratings import parse_quality_level, parse_score, parse_subject_level
from hocbaso_desktop.domain.text import clean, fold


def test_personal_id_agrees_with_birth_and_sex() -> None:
    assert check_personal_id("031219012345", date(2019, 3, 1), "Nam").warnings == ()
    assert check_personal_id("031319012345", date(2019, 3, 1), "Nữ").warnings == ()
    w = check_personal_id("031319012345", date(2018, 3, 1), "Nam").warnings
    assert len(w) == 2  # year digits and the sex digit disagree: warnings, not errors
    assert check_personal_id("031319012345", date(2018, 3, 1), "Nam").ok


@pytest.mark.parametrize("bad", ["12345", "03121901234a", "0312190123456", ""])
def test_personal_id_shape(bad: str) -> None:
    assert not check_personal_id(bad).ok


def test_unknown_province() -> None:
    r = check_personal_id("003219012345")
    assert not r.ok and "003" in r.errors[0]


def test_restore_leading_zeros() -> None:
    assert restore_leading_zeros(1219012345) == "001219012345"  # Hà Nội lost its zeros
    assert restore_leading_zeros(31219012345.0) == "031219012345"
    assert restore_leading_zeros("999219012345") == "999219012345"  # already 12: kept, validated elsewhere
    assert restore_leading_zeros(3219012345) is None  # "003…" is no province: don't guess
    assert restore_leading_zeros(12.5) is None


def test_ethnic_groups() -> None:
    assert len(ETHNIC_GROUPS) == 55
    for label, code in [("Kinh", "01"), ("KHMER", "05"), ("Khơ-me", "05"), ("H'Mông", "08"), ("Raglay", "19"),
                        ("X’Tiêng", "22"), ("Gié-Triêng", "29"), ("dân tộc Tày", "02"), ("Thái", "03"), ("Thổ", "21")]:
        assert ethnic_code(label) == code, label
    assert ethnic_code("Klingon") is None


def test_text_normalisation() -> None:
    nfd = "Nguye\u0302\u0303n  Thi\u0323 \u00a0 A\u0301nh"
    assert clean(nfd) == "Nguyễn Thị Ánh"
    assert fold("Đặng Văn") == "dangvan"


@pytest.mark.parametrize("raw,expected", [("t", "T"), (" H ", "H"), ("c", "C"), ("m", "M"), ("", None)])
def test_subject_levels(raw: str, expected: str | None) -> None:
    assert parse_subject_level(raw, "Toán") == expected


def test_subject_level_refuses_d() -> None:
    with pytest.raises(InvalidValue, match="Đ dùng cho phẩm chất"):
        parse_subject_level("Đ", "Toán")


@pytest.mark.parametrize("raw,expected", [("t", "T"), ("d", "Đ"), ("D", "Đ"), ("đ", "Đ"), ("Đ", "Đ"), ("c", "C")])
def test_quality_levels(raw: str, expected: str) -> None:
    assert parse_quality_level(raw, "Chăm chỉ") == expected


@pytest.mark.parametrize("raw,reason", [(11, "từ 1 đến 10"), ("7.5", "số nguyên"), (7.5, "số nguyên"), (0, "từ 1 đến 10"), ("abc", "số nguyên")])
def test_scores_refused(raw: object, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        parse_score(raw, "Toán", tested=True)


def test_score_for_untested_period_refused() -> None:
    with pytest.raises(InvalidValue, match="không có bài kiểm tra"):
        parse_score(8, "Đạo đức", tested=False)
    assert parse_score("9", "Toán", tested=True) == 9 and parse_score(10.0, "Toán", tested=True) == 10
