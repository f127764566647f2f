"""The ORM of the `account` table (migration 0006); beside models.py so the shared module does not grow
with every capability. One login per staff member; see services/accounts.py for the rules.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class Account(Base):
    """The login of one staff member (issue 7). No row, or no hash: no password set yet.

    Disabling uses Staff.active (already refused by every service); this row only says when, by
    whom and why. Staff rows are never deleted: the audit keeps pointing at them.
    """

    __tablename__ = "account"
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # Argon2id, PHC string; never the password
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)  # UTC, naive
    last_failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime)
    disabled_by: Mapped[str] = mapped_column(String(20), default="")
    disabled_reason: Mapped[str] = mapped_column(Text, default="")
