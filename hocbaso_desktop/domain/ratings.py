"""Validation of one rating cell, the single rule used by the grid, paste, and Excel round trips."""

from __future__ import annotations

from .catalogue import EXEMPT, QUALITY_LEVELS, SUBJECT_LEVELS, Catalogue, catalogue
from .errors import InvalidValue

_LEVEL_ALIASES = {"D": "Đ", "đ": "Đ", "d": "Đ"}


def parse_subject_level(raw: str | None, subject_name: str, allow_exempt: bool = True) -> str | None:
    if raw is None or str(raw).strip() == "":
        return None
    v = str(raw).strip().upper()
    if v in SUBJECT_LEVELS or (allow_exempt and v == EXEMPT):
        return v
    if v in ("Đ", "D"):
        raise InvalidValue(subject_name, raw, "môn học chỉ nhận T, H hoặc C (Đ dùng cho phẩm chất, năng lực)")
    raise InvalidValue(subject_name, raw, "mức đạt được phải là T, H hoặc C" + (" (M nếu miễn)" if allow_exempt else ""))


def parse_quality_level(raw: str | None, quality_name: str) -> str | None:
    if raw is None or str(raw).strip() == "":
        return None
    v = str(raw).strip()
    v = _LEVEL_ALIASES.get(v, v).upper()
    v = _LEVEL_ALIASES.get(v, v)
    if v in QUALITY_LEVELS:
        return v
    if v == "H":
        raise InvalidValue(quality_name, raw, "phẩm chất, năng lực chỉ nhận T, Đ hoặc C (H dùng cho môn học)")
    raise InvalidValue(quality_name, raw, "mức đạt được phải là T, Đ hoặc C")


def parse_score(raw: object, subject_name: str, tested: bool, cat: Catalogue | None = None) -> int | None:
    cat = cat or catalogue()
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if not tested:
        raise InvalidValue(f"Điểm {subject_name}", raw, "môn này không có bài kiểm tra định kỳ ở kì này")
    if isinstance(raw, bool):
        raise InvalidValue(f"Điểm {subject_name}", raw, "điểm phải là số nguyên")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise InvalidValue(f"Điểm {subject_name}", raw, "điểm phải là số nguyên, không có phần thập phân")
        raw = int(raw)
    if isinstance(raw, str):
        s = raw.strip().replace(",", ".")
        try:
            f = float(s)
        except ValueError:
            raise InvalidValue(f"Điểm {subject_name}", raw, "điểm phải là số nguyên từ 1 đến 10") from None
        if not f.is_integer():
            raise InvalidValue(f"Điểm {subject_name}", raw, "điểm phải là số nguyên, không có phần thập phân")
        raw = int(f)
    if not isinstance(raw, int):
        raise InvalidValue(f"Điểm {subject_name}", raw, "điểm phải là số nguyên từ 1 đến 10")
    if not cat.score_min <= raw <= cat.score_max:
        raise InvalidValue(f"Điểm {subject_name}", raw, f"điểm phải từ {cat.score_min} đến {cat.score_max}")
    return raw


def parse_days(raw: object, label: str) -> int | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    try:
        f = float(str(raw).strip())
    except ValueError:
        raise InvalidValue(label, raw, "số ngày phải là số nguyên không âm") from None
    if not f.is_integer() or f < 0 or f > 366:
        raise InvalidValue(label, raw, "số ngày phải là số nguyên không âm")
    return int(f)
