"""Cell values of a class list as people type them → typed values, or a Vietnamese reason why not.

Each parser returns (value, reason): value None with a reason means the cell is refused; the caller
decides whether that blocks (error) or not (warning) and adds sheet, row and column.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from ..domain.identity import SEX_FEMALE, SEX_MALE, restore_leading_zeros
from ..domain.text import clean, fold

EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"}


def display(value: object) -> str:
    """How a cell value is shown back to the user in messages and the preview."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(str(value))


def is_excel_error(value: object) -> bool:
    # every error text starts with "#": the plain cell is answered without strip() and upper()
    return isinstance(value, str) and "#" in value and value.strip().upper() in EXCEL_ERRORS


_SEX = {
    "nam": SEX_MALE, "m": SEX_MALE, "male": SEX_MALE, "trai": SEX_MALE, "1": SEX_MALE,
    "nu": SEX_FEMALE, "f": SEX_FEMALE, "female": SEX_FEMALE, "gai": SEX_FEMALE, "2": SEX_FEMALE,
}


def parse_sex(value: object) -> tuple[str | None, str]:
    # 1 = nam, 2 = nữ is the national code list (QCVN 109:2017); "x" in a "Nữ" column is handled by the reader.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    sex = _SEX.get(fold(str(value)))
    return (sex, "") if sex else (None, "giới tính phải là Nam hoặc Nữ")


def parse_personal_id(value: object) -> tuple[str | None, str, bool]:
    """(12-digit id, reason, restored): numbers lose their leading zeros in Excel; put them back when sure."""
    if isinstance(value, bool):
        return None, "Mã định danh phải gồm đúng 12 chữ số", False
    if isinstance(value, (int, float)):
        restored = restore_leading_zeros(value)
        if restored is None:
            return None, ("Mã định danh phải gồm đúng 12 chữ số (ô kiểu số đã mất các số 0 ở đầu và không "
                          "khôi phục chắc chắn được — hãy định dạng cột là Văn bản và gõ lại)"), False
        return restored, "", len(display(value)) != 12
    text = re.sub(r"[\s.\u00a0]", "", clean(str(value))).lstrip("'")
    if text.isascii() and text.isdigit() and 10 <= len(text) < 12:
        restored = restore_leading_zeros(text)
        if restored:
            return restored, "", True
    if not re.fullmatch(r"[0-9]{12}", text):
        return None, "Mã định danh phải gồm đúng 12 chữ số", False
    return text, "", False


_CLASS = re.compile(r"^([0-9]{1,2})([A-ZĐ]{1,3}[0-9]{0,2}|[/.\-][0-9]{1,2})?$")


def parse_class_name(value: object) -> tuple[tuple[str, int] | None, str]:
    """"3A", "3a1", "Lớp 3A", "3/1" → ("3A", 3): the leading number is the grade (1-5 in primary school)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean(str(value)).upper()
    text = re.sub(r"^(LỚP|LOP)\s*", "", text)
    text = re.sub(r"\s+", "", text)
    m = _CLASS.match(text)
    if not m:
        return None, "tên lớp phải bắt đầu bằng khối, ví dụ 3A, 3A1 hoặc Lớp 3A"
    grade = int(m.group(1))
    if not 1 <= grade <= 5:
        return None, f"khối {grade} không phải khối tiểu học (1-5)"
    if len(text) > 10:
        return None, "tên lớp dài quá 10 ký tự"
    return (text, grade), ""


def parse_grade(value: object) -> int | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    m = re.search(r"[0-9]+", clean(str(value)))
    return int(m.group()) if m else None


def age_problem(birth: date, grade: int, year_start: int) -> tuple[str, str] | None:
    """("error" | "warning", reason) when the birth year does not fit the grade in the school year.

    Pupils of grade g in the year starting Y are normally born in Y-5-g. Repeaters, late starters and
    children with disabilities may be a few years older (Điều lệ trường tiểu học), a gifted child one year
    younger: that is a warning. A child too young to be at school, or far too old, is a typing error.
    """
    expected = year_start - 5 - grade
    diff = expected - birth.year  # > 0: older than usual
    if diff == 0:
        return None
    if -1 <= diff <= 5:
        older = "lớn hơn" if diff > 0 else "nhỏ hơn"
        return "warning", f"sinh năm {birth.year}: {older} {abs(diff)} tuổi so với độ tuổi thường gặp của khối {grade} (sinh năm {expected})"
    return "error", f"sinh năm {birth.year} không phù hợp với khối {grade} (thường sinh năm {expected})"
