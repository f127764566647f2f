"""The ORM of the `outbox` table (migration 0004); kept beside models.py so the upload queue's shape
lives with the rest of the storage layer without growing the shared module.

Times the sender compares (`next_try_at`, `lease_until`) are epoch seconds (float, UTC): a clock
injected in tests is a number, and SQLite compares numbers without any date-format pitfalls.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base

EVENTS = ("NEW", "UPDATE", "CANCEL")
STATES = ("pending", "sending", "sent", "failed", "superseded")


class OutboxEntry(Base):
    """One package waiting for (or done with) the sector database."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("envelope_id", "version"),
        Index("ix_outbox_due", "state", "next_try_at"),
        Index("ix_outbox_record", "record_id"),
        CheckConstraint("event IN ('NEW', 'UPDATE', 'CANCEL')", name="event"),
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'superseded')", name="state"),
        CheckConstraint("state <> 'sent' OR (receipt IS NOT NULL AND receipt <> '' AND sent_at IS NOT NULL)",
                        name="sent_has_receipt"),
        CheckConstraint("state <> 'sending' OR (lease_owner IS NOT NULL AND lease_until IS NOT NULL)",
                        name="sending_has_lease"),
        CheckConstraint("version >= 1 AND attempts >= 0", name="counts"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    lookup_code: Mapped[str] = mapped_column(String(32))  # mã tra cứu (32 hex) of the student's book
    envelope_id: Mapped[str] = mapped_column(String(64))  # the envelope's record id: see sync/package.py
    version: Mapped[int] = mapped_column(Integer)  # the envelope version: increases on every send
    event: Mapped[str] = mapped_column(String(6))
    idempotency_key: Mapped[str] = mapped_column(String(36), unique=True)
    package: Mapped[bytes] = mapped_column(LargeBinary)
    package_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[float] = mapped_column(Float)
    lease_owner: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_status: Mapped[int | None] = mapped_column(Integer)  # the last HTTP status, if any
    receipt: Mapped[str | None] = mapped_column(String(200))
    sent_to: Mapped[str | None] = mapped_column(String(300))  # where the data went (personal data law)
    sent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
