"""The ORM of `staff_certificate` (migration 0010): which signing certificate is whose.

Kept beside models.py (like correction_models.py). One row per certificate, by the SHA-256 of its
DER encoding: a staff member's (staff_id) or the school's seal (seal, no staff_id). services/
certificates.py is the only writer; signing refuses every certificate without a row here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class StaffCertificate(Base):
    __tablename__ = "staff_certificate"
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the DER, lowercase hex
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))  # None: the school's seal
    seal: Mapped[bool] = mapped_column(Boolean, default=False)
    common_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(400), default="")
    serial_hex: Mapped[str] = mapped_column(String(80), default="")
    not_after: Mapped[datetime | None] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(12))  # admin | first_use
    registered_by: Mapped[str] = mapped_column(String(20))  # staff code of the admin / the holder
    registered_at: Mapped[datetime] = mapped_column(DateTime)
