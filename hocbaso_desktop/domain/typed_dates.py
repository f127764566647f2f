"""A date as a person types it (in a spreadsheet cell or a form field) → a date, or the Vietnamese reason why not.

One rule for the class list, the staff list, the pupil profile and the staff form: dd/mm/yyyy with
/ . or - between the parts, the ISO form a spreadsheet exports, and the serial number of a date
typed into a cell formatted as a number. A two-digit year is refused rather than guessed (18 → 1918
or 2018 decides a pupil's age).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .text import clean

# [0-9], not \d: Python's \d and int() also read Arabic-Indic ٠١٢ and fullwidth ０ digits
_DMY = re.compile(r"^([0-9]{1,2})\s*[/.\-]\s*([0-9]{1,2})\s*[/.\-]\s*([0-9]{2,4})$")
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T]00:00(?::00)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value: object) -> tuple[date | None, str]:
    if isinstance(value, datetime):
        return value.date(), ""
    if isinstance(value, date):
        return value, ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A date typed into a cell formatted as General/Number keeps its serial (43831 = 01/01/2020).
        if 20000 <= value <= 60000 and float(value).is_integer():
            return _EXCEL_EPOCH + timedelta(days=int(value)), ""
        return None, "không phải ngày tháng (cần dạng ngày/tháng/năm, ví dụ 05/09/2018)"
    text = clean(str(value))
    m = _DMY.match(text)
    if m:
        d, mth, y = (int(g) for g in m.groups())
        if len(m.group(3)) != 4:
            return None, "năm sinh phải đủ 4 chữ số (ví dụ 05/09/2018)"
    else:
        m = _ISO.match(text)
        if not m:
            return None, "không đọc được ngày (cần dạng ngày/tháng/năm, ví dụ 05/09/2018)"
        y, mth, d = (int(g) for g in m.groups())
    try:
        return date(y, mth, d), ""
    except ValueError:
        return None, "ngày không có thật"
