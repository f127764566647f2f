"""The ORM of the transfer tables (migration 0007): transfers in and out, records received from another
school (kept byte-exact, immutable), and the learning-history lines a transfer brings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base


class StudentTransfer(Base):
    """One transfer: out (this school sent the package) or in (this school imported it)."""

    __tablename__ = "student_transfer"
    __table_args__ = (UniqueConstraint("direction", "package_sha256"),
                      CheckConstraint("direction IN ('in', 'out')", name="direction"))
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolment.id"))
    on_date: Mapped[date] = mapped_column(Date)
    other_school: Mapped[str] = mapped_column(String(250), default="")  # destination (out) / source (in)
    package_sha256: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReceivedRecord(Base):
    """A yearly record issued by another school, exactly as received (its signatures still verify)."""

    __tablename__ = "received_record"
    __table_args__ = (UniqueConstraint("student_id", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("student_transfer.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    lookup_code: Mapped[str] = mapped_column(String(32))
    school_year: Mapped[str] = mapped_column(String(9))
    school_name: Mapped[str] = mapped_column(String(150))
    class_name: Mapped[str] = mapped_column(String(10))
    grade: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # issued | replaced | withdrawn, as the sender held it
    status_reason: Mapped[str] = mapped_column(Text, default="")
    signed_xml: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    paper_pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(DateTime)


class LearningHistory(Base):
    """A line of _quatrinhhoctap brought by a transfer (years at earlier schools)."""

    __tablename__ = "learning_history"
    __table_args__ = (UniqueConstraint("student_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("student_transfer.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    seq: Mapped[int] = mapped_column(Integer)
    school_year: Mapped[str] = mapped_column(String(9))
    class_name: Mapped[str] = mapped_column(String(10))
    school_name: Mapped[str] = mapped_column(String(150))
    province: Mapped[str] = mapped_column(String(100), default="")
    transfer_in_date: Mapped[date | None] = mapped_column(Date)


class ReceivedPeriod(Base):
    """A period of the current year evaluated at the old school, brought by a mid-year transfer
    (migration 0016). Its evaluations sit in the ordinary tables, frozen while this row names them."""

    __tablename__ = "received_period"
    __table_args__ = (UniqueConstraint("enrolment_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("student_transfer.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    period: Mapped[str] = mapped_column(String(3))
    school_name: Mapped[str] = mapped_column(String(150))
    class_name: Mapped[str] = mapped_column(String(10), default="", server_default="")
    package_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime)
