"""The ORM of `correction_request` (migration 0008): the phiếu đề nghị sửa dữ liệu of seed 004, Điều 8.

Kept beside models.py (like outbox_models.py) so the correction workflow's shape lives in the storage
layer without growing the shared module. The evidence file is stored in the database itself: a
request must stay complete when the lab PC's folders are cleaned up, and the sealed archive carries
the database's content, not loose files.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base

STATES = ("open", "approved", "rejected", "applied", "cancelled")
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024  # a scanned page or a photo of one; more belongs on paper


class CorrectionRequest(Base):
    """open → approved (record opened, witnesses recorded) → applied (new version issued);
    open → rejected | cancelled; approved → cancelled. Decided rows never change again (triggers)."""

    __tablename__ = "correction_request"
    __table_args__ = (
        Index("ix_correction_request_state", "state"),
        Index("ix_correction_request_enrolment", "enrolment_id"),
        CheckConstraint("state IN ('open', 'approved', 'rejected', 'applied', 'cancelled')", name="state"),
        CheckConstraint(f"evidence IS NULL OR length(evidence) <= {MAX_EVIDENCE_BYTES}", name="evidence_size"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))  # the issued version to correct
    new_record_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"))  # the version that applies it
    requester_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    fields: Mapped[str] = mapped_column(Text, default="[]")  # JSON list: what is to change, in words
    reason: Mapped[str] = mapped_column(Text)
    evidence_name: Mapped[str] = mapped_column(String(255), default="")
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(10), default="open")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    witnesses: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {"name", "code", "role"}
    created_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)  # rejected, applied or cancelled
