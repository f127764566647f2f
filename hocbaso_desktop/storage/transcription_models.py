"""The ORM of `transcription` (migration 0015): an enrolment entered from the paper học bạ (trích lục).

Kept beside models.py (like transfer_models.py). One row per transcribed enrolment, naming the paper
book it was copied from; the enrolment's school year is of kind 'transcribed' (SchoolYear.kind).
services/transcription.py is the only writer; rows never change (triggers).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base

MAX_BOOK_REF = 100


class Transcription(Base):
    __tablename__ = "transcription"
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    paper_book_ref: Mapped[str] = mapped_column(String(MAX_BOOK_REF), default="")  # số / ký hiệu of the paper book
    entered_by: Mapped[str] = mapped_column(String(20))  # staff code
    entered_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
