"""School-year names and dates: one place for "2025-2026", its first and last day and its lock date.

A Vietnamese primary school year runs from early September to the end of May; records are locked by
30 June (seed 004). Every year the program creates — by a class-list import or by opening the next
year from the previous one — gets these dates, so a year looks the same whichever door made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .errors import HocbasoError

_NAME = re.compile(r"(\d{4})\s*-\s*(\d{4})")


@dataclass(frozen=True)
class YearDates:
    start: date
    end: date
    lock: date


def year_start(year: str) -> int:
    """2025 for "2025-2026"; a name that is not two consecutive years is refused."""
    m = _NAME.fullmatch((year or "").strip())
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise HocbasoError(f"Năm học «{year}» không hợp lệ: cần dạng 2025-2026.")
    return int(m.group(1))


def year_name(start: int) -> str:
    return f"{start}-{start + 1}"


def next_year(year: str) -> str:
    return year_name(year_start(year) + 1)


def year_dates(year: str) -> YearDates:
    ys = year_start(year)
    return YearDates(date(ys, 9, 5), date(ys + 1, 5, 31), date(ys + 1, 6, 30))


__all__ = ["YearDates", "next_year", "year_dates", "year_name", "year_start"]
