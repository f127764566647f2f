"""Roles of records.md (seed 004, Điều 3-9) and who is at the keyboard. What each role may do is
domain/rights.py alone: an Actor has no role test of its own, so no decision can bypass the matrix."""

from __future__ import annotations

from dataclasses import dataclass, field

PRINCIPAL = "principal"
VICE_PRINCIPAL = "vice_principal"
ADMIN = "admin"
HOMEROOM = "homeroom"
SUBJECT = "subject"
CLERK = "clerk"
ARCHIVIST = "archivist"

ROLE_NAMES: dict[str, str] = {
    PRINCIPAL: "Hiệu trưởng",
    VICE_PRINCIPAL: "Phó hiệu trưởng",
    ADMIN: "Ban quản trị",
    HOMEROOM: "GVCN",
    SUBJECT: "GVBM",
    CLERK: "Văn phòng",
    ARCHIVIST: "Lưu trữ",
}
ROLE_BY_NAME = {v.lower(): k for k, v in ROLE_NAMES.items()}

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who is at the keyboard: a staff member with their roles and classes, or the system itself."""

    code: str
    name: str
    roles: frozenset[str] = frozenset()
    homeroom_class_ids: frozenset[int] = frozenset()
    # (class_id, subject_code) pairs this person teaches as GVBM
    teaches: frozenset[tuple[int, str]] = field(default_factory=frozenset)

    @property
    def is_system(self) -> bool:
        return self.code == SYSTEM

    def can_edit_subject(self, class_id: int, subject_code: str) -> bool:
        # In primary school the GVCN teaches most subjects of the class: that is a teaching assignment too.
        return self.is_system or (class_id, subject_code) in self.teaches

    def can_edit_class_summary(self, class_id: int) -> bool:
        """Qualities, competencies, attendance, results, awards and comments of the class."""
        return self.is_system or class_id in self.homeroom_class_ids


SYSTEM_ACTOR = Actor(SYSTEM, "Hệ thống", frozenset(ROLE_NAMES))

# Nobody chosen at the keyboard: may look, may not change anything.
VIEWER = Actor("-", "Chưa chọn người thao tác")
