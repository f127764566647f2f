"""The "Trạng thái HS" values of the CSDL ngành C1-HocSinh export, as data.

Confirmed by csdl-nganh.md: đang học, chuyển đến, nghỉ học xin học lại (studying), chuyển đi, thôi học.
ASSUMPTIONS (the portal has 12 values, the other seven are not confirmed here): bảo lưu kết quả, nghỉ học
tạm thời, đã tốt nghiệp, hoàn thành chương trình, chết, chuyển trường trong huyện... are read as "not
studying": reported, never placed in a class. An unknown value is an error, so a wrong guess refuses the
file instead of silently placing or dropping a pupil.
"""

from __future__ import annotations

import re

from ..domain.text import fold

STUDYING, TRANSFERRED_OUT, LEFT, OTHER = "studying", "transferred_out", "left", "other"

# label as the portal writes it → kind
C1_STATUSES: dict[str, str] = {
    "Đang học": STUDYING,
    "Chuyển đến": STUDYING,
    "Nghỉ học xin học lại": STUDYING,
    "Chuyển đi": TRANSFERRED_OUT,
    "Thôi học": LEFT,
    # assumptions below (see the module docstring)
    "Bảo lưu kết quả": OTHER,
    "Nghỉ học tạm thời": OTHER,
    "Đã tốt nghiệp": OTHER,
    "Hoàn thành chương trình": OTHER,
    "Chết": OTHER,
    "Bỏ học": LEFT,
    "Chuyển cấp": OTHER,
}
assert len(C1_STATUSES) == 12

_BY_KEY = {re.sub(r"[^a-z0-9]", "", fold(k)): (k, v) for k, v in C1_STATUSES.items()}


def status_of(text: object) -> tuple[str, str] | None:
    """(portal label, kind) for a cell, matched without diacritics/case/spaces; None when unknown."""
    return _BY_KEY.get(re.sub(r"[^a-z0-9]", "", fold(str(text or ""))))
