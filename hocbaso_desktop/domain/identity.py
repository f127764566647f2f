"""Số định danh cá nhân: 12 digits `PPP G YY RRRRRR` (Thông tư 07/2016/TT-BCA, Phụ lục 1)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hòa Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang",
    "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định", "037": "Ninh Bình",
    "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định",
    "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước",
    "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh",
    "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ", "093": "Hậu Giang",
    "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}

_DIGITS12 = re.compile(r"^[0-9]{12}$")  # not \d: it also matches Arabic-Indic and fullwidth digits
SEX_MALE = "Nam"
SEX_FEMALE = "Nữ"


def century_sex_digit(birth_year: int, sex: str) -> str:
    """G = 2*(century index) + (0 for nam, 1 for nữ); 1900s → 0/1, 2000s → 2/3."""
    base = (birth_year // 100 - 19) * 2
    return str(base + (1 if sex == SEX_FEMALE else 0))


@dataclass(frozen=True)
class IdCheck:
    ok: bool  # structurally a 12-digit number with a known province
    errors: tuple[str, ...]  # why it is not a personal number at all
    warnings: tuple[str, ...]  # disagreements with the row (birth year, sex): reported, not blocking


def check_personal_id(value: str, birth: date | None = None, sex: str | None = None) -> IdCheck:
    errors: list[str] = []
    warnings: list[str] = []
    if not _DIGITS12.match(value or ""):
        return IdCheck(False, ("Mã định danh phải gồm đúng 12 chữ số",), ())
    if value[:3] not in PROVINCES:
        errors.append(f"Mã tỉnh {value[:3]} không có trong danh mục")
    g, yy = value[3], value[4:6]
    if birth is not None:
        if yy != f"{birth.year % 100:02d}":
            warnings.append(f"Năm sinh trong mã ({yy}) khác năm sinh {birth.year}")
        if sex in (SEX_MALE, SEX_FEMALE) and g != century_sex_digit(birth.year, sex):
            warnings.append(f"Chữ số giới tính/thế kỷ ({g}) không khớp với giới tính {sex}, sinh năm {birth.year}")
    elif sex in (SEX_MALE, SEX_FEMALE) and int(g) % 2 != (1 if sex == SEX_FEMALE else 0):
        warnings.append(f"Chữ số giới tính ({g}) không khớp với giới tính {sex}")
    return IdCheck(not errors, tuple(errors), tuple(warnings))


def restore_leading_zeros(raw: str | int | float) -> str | None:
    """Excel stores 001219012345 as 1219012345: pad back to 12 when the result names a real province.

    Returns None when padding would be a guess (too long, not an integer, or no province fits).
    """
    if isinstance(raw, float):
        if not raw.is_integer():
            return None
        raw = int(raw)
    s = str(raw).strip()
    if not (s.isascii() and s.isdigit()):
        return None
    if len(s) == 12:
        return s
    if len(s) > 12 or len(s) < 10:
        return None
    padded = s.zfill(12)
    return padded if padded[:3] in PROVINCES else None
