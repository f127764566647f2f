"""The typed ORM of the local SQLite store.

Tables for later capabilities (records, signatures, outbox, corrections, accounts) are declared in
their own migrations as they arrive; this module holds the current shape of every table.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


YEAR_LIVE = "live"
YEAR_TRANSCRIBED = "transcribed"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class School(Base):
    __tablename__ = "school"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    moet_code: Mapped[str] = mapped_column(String(20), default="")
    province: Mapped[str] = mapped_column(String(100), default="")
    district: Mapped[str] = mapped_column(String(100), default="")
    commune: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(250), default="")


class SchoolYear(Base):
    __tablename__ = "school_year"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(9), unique=True)  # "2025-2026"
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    lock_date: Mapped[date | None] = mapped_column(Date)  # records editable only before it
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_at: Mapped[datetime | None] = mapped_column(DateTime)
    # live: a year the school keeps in học bạ số; transcribed: a paper year holding only trích lục (0015)
    kind: Mapped[str] = mapped_column(String(12), default=YEAR_LIVE, server_default=YEAR_LIVE)


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # GV001, HT: used by --as
    full_name: Mapped[str] = mapped_column(String(150))
    personal_id: Mapped[str] = mapped_column(String(12), default="")
    sex: Mapped[str] = mapped_column(String(3), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[str] = mapped_column(String(100), default="")  # chức vụ / vị trí việc làm
    email: Mapped[str] = mapped_column(String(150), default="")
    subjects_text: Mapped[str] = mapped_column(String(200), default="")  # "Môn dạy" as the ministry's file says it
    birth_date: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)  # left the school: kept, cannot log in or be assigned
    roles: Mapped[list[StaffRole]] = relationship(back_populates="staff", cascade="all, delete-orphan")


class StaffRole(Base):
    """principal, vice_principal, admin, homeroom, subject, clerk, archivist."""

    __tablename__ = "staff_role"
    __table_args__ = (UniqueConstraint("staff_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    role: Mapped[str] = mapped_column(String(20))
    staff: Mapped[Staff] = relationship(back_populates="roles")


class SchoolClass(Base):
    __tablename__ = "school_class"
    __table_args__ = (UniqueConstraint("year_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("school_year.id"))
    name: Mapped[str] = mapped_column(String(10))
    grade: Mapped[int] = mapped_column(Integer)
    homeroom_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    optional_subjects: Mapped[str] = mapped_column(String(100), default="")  # comma-separated codes
    year: Mapped[SchoolYear] = relationship()
    homeroom: Mapped[Staff | None] = relationship()


class TeachingAssignment(Base):
    """A teacher teaches a subject in a class (rights of the grid follow from it); several GVBM may
    share one subject of a class."""

    __tablename__ = "teaching_assignment"
    __table_args__ = (UniqueConstraint("class_id", "subject_code", "staff_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    subject_code: Mapped[str] = mapped_column(String(10))


class Student(Base):
    __tablename__ = "student"
    id: Mapped[int] = mapped_column(primary_key=True)
    personal_id: Mapped[str] = mapped_column(String(12), unique=True)  # số định danh cá nhân
    moet_code: Mapped[str] = mapped_column(String(20), default="")
    lookup_code: Mapped[str] = mapped_column(String(32), unique=True)  # mã tra cứu: uuid hex, for the whole book
    full_name: Mapped[str] = mapped_column(String(150))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(3))  # Nam | Nữ
    ethnicity_code: Mapped[str] = mapped_column(String(2), default="01")
    nationality: Mapped[str] = mapped_column(String(50), default="Việt Nam")
    birthplace: Mapped[str] = mapped_column(String(250), default="")
    hometown: Mapped[str] = mapped_column(String(250), default="")
    address: Mapped[str] = mapped_column(String(250), default="")
    father_name: Mapped[str] = mapped_column(String(150), default="")
    mother_name: Mapped[str] = mapped_column(String(150), default="")
    guardian_name: Mapped[str] = mapped_column(String(150), default="")
    # assessed by an individual education plan (a disabled pupil, TT27 Điều 14): no result computed
    not_assessed: Mapped[bool] = mapped_column(Boolean, default=False)
    register_no: Mapped[str] = mapped_column(String(30), default="")  # số đăng bộ
    enrolled_on: Mapped[date | None] = mapped_column(Date)  # ngày vào trường
    policy_group: Mapped[str] = mapped_column(String(100), default="")  # đối tượng chính sách
    disability: Mapped[str] = mapped_column(String(100), default="")  # loại khuyết tật, empty when none


class Enrolment(Base):
    __tablename__ = "enrolment"
    __table_args__ = (UniqueConstraint("student_id", "year_id"), Index("ix_enrolment_class", "class_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("school_year.id"))
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    status: Mapped[str] = mapped_column(String(20), default="active")  # active | transferred_out | left
    joined_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    # per pupil and year, comma-separated catalogue codes: optional subjects taken beyond the class's
    # own (Ngoại ngữ 1 in grades 1-2, Tiếng dân tộc) and subjects the pupil is exempt from (M)
    optional_subjects: Mapped[str] = mapped_column(String(100), default="")
    exempt_subjects: Mapped[str] = mapped_column(String(100), default="")
    student: Mapped[Student] = relationship()
    school_class: Mapped[SchoolClass] = relationship()


class SubjectEvaluation(Base):
    __tablename__ = "subject_evaluation"
    __table_args__ = (UniqueConstraint("enrolment_id", "period", "subject_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    period: Mapped[str] = mapped_column(String(3))
    subject_code: Mapped[str] = mapped_column(String(10))
    level: Mapped[str | None] = mapped_column(String(1))  # T/H/C/M
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")


class QualityEvaluation(Base):
    """Phẩm chất and năng lực (chung, đặc thù): level T/Đ/C and an optional comment per item."""

    __tablename__ = "quality_evaluation"
    __table_args__ = (UniqueConstraint("enrolment_id", "period", "quality_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    period: Mapped[str] = mapped_column(String(3))
    quality_code: Mapped[str] = mapped_column(String(10))
    level: Mapped[str | None] = mapped_column(String(1))
    comment: Mapped[str] = mapped_column(Text, default="")


class PeriodSummary(Base):
    """Per student and period: attendance and the group comments of the học bạ (PC / NLC / NLD)."""

    __tablename__ = "period_summary"
    __table_args__ = (UniqueConstraint("enrolment_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    period: Mapped[str] = mapped_column(String(3))
    days_excused: Mapped[int | None] = mapped_column(Integer)
    days_unexcused: Mapped[int | None] = mapped_column(Integer)
    comment_pc: Mapped[str] = mapped_column(Text, default="")
    comment_nlc: Mapped[str] = mapped_column(Text, default="")
    comment_nld: Mapped[str] = mapped_column(Text, default="")
    teacher_comment: Mapped[str] = mapped_column(Text, default="")


class YearResult(Base):
    """End of year: the GVCN's confirmed result (the proposal is computed, never stored as truth)."""

    __tablename__ = "year_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    confirmed_result: Mapped[str | None] = mapped_column(String(4))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    change_reason: Mapped[str] = mapped_column(Text, default="")
    awards: Mapped[str] = mapped_column(Text, default="")  # one per line
    adhoc_awards: Mapped[str] = mapped_column(Text, default="")
    pending_supplementary: Mapped[bool] = mapped_column(Boolean, default=False)
    promoted: Mapped[bool | None] = mapped_column(Boolean)  # after đánh giá bổ sung: the principal's decision
    promotion_decided_by: Mapped[int | None] = mapped_column(Integer)  # staff.id of the principal
    promotion_decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    promotion_note: Mapped[str] = mapped_column(Text, default="")
    height_cm: Mapped[float | None] = mapped_column()
    weight_kg: Mapped[float | None] = mapped_column()


class CommentBank(Base):
    """Ngân hàng nhận xét: suggestions per subject/quality (target) and level, editable by the school."""

    __tablename__ = "comment_bank"
    id: Mapped[int] = mapped_column(primary_key=True)
    target: Mapped[str] = mapped_column(String(10))  # subject or quality code, or group PC/NLC/NLD
    level: Mapped[str] = mapped_column(String(1))
    text: Mapped[str] = mapped_column(Text)


class Setting(Base):
    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """Append-only hash chain: hash = SHA-256(prev_hash ‖ canonical JSON of the entry)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"), Index("ix_audit_actor", "actor"))
    id: Mapped[int] = mapped_column(primary_key=True)  # the sequence number
    at: Mapped[str] = mapped_column(String(32))  # ISO-8601 UTC, stored as text so the hashed bytes never move
    actor: Mapped[str] = mapped_column(String(20))  # staff code or "system"
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class Record(Base):
    """One version of a student's yearly Học bạ số.

    draft → signing (content frozen, signatures going on) → issued (immutable: triggers) →
    replaced (by version + 1 after a correction) or withdrawn (thu hồi). Never deleted once signed.
    """

    __tablename__ = "record"
    __table_args__ = (UniqueConstraint("enrolment_id", "version"), Index("ix_record_status", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("student.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("school_year.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    content_xml: Mapped[bytes | None] = mapped_column(LargeBinary)  # unsigned XML the signatures cover
    signed_xml: Mapped[bytes | None] = mapped_column(LargeBinary)  # with every signature so far
    sha256: Mapped[str | None] = mapped_column(String(64))  # of signed_xml, once issued
    created_at: Mapped[datetime] = mapped_column(DateTime)
    issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    valid_from: Mapped[date | None] = mapped_column(Date)  # ngày hiệu lực
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("record.id"))
    status_reason: Mapped[str] = mapped_column(Text, default="")  # why replaced / withdrawn
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime)


class RecordSignature(Base):
    __tablename__ = "record_signature"
    __table_args__ = (UniqueConstraint("record_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(12))  # gvcn / gvbm / principal / seal
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    signer_name: Mapped[str] = mapped_column(String(150))
    cert_subject: Mapped[str] = mapped_column(String(400))
    cert_serial: Mapped[str] = mapped_column(String(80))
    signed_at: Mapped[datetime] = mapped_column(DateTime)


class RecordPaperCopy(Base):
    """The paper copy of an issued record: rendered from its signed XML at issue, never changed
    (migration 0012's triggers: written only for an issued record, from the XML its hash names)."""

    __tablename__ = "record_paper_copy"
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))  # of pdf
    xml_sha256: Mapped[str] = mapped_column(String(64))  # of the signed XML it was rendered from (= record.sha256)
    renderer: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class RecordWithdrawal(Base):
    """The signed withdrawal document of a withdrawn record (exchange/withdrawal_xml.py): the content
    with status 2 and <thuhoi>, sealed; the CANCEL package carries it (migration 0014: one per
    withdrawn record, naming its signed XML by hash, never changed)."""

    __tablename__ = "record_withdrawal"
    record_id: Mapped[int] = mapped_column(ForeignKey("record.id"), primary_key=True)
    signed_xml: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))  # of signed_xml
    withdrawn_sha256: Mapped[str] = mapped_column(String(64))  # = record.sha256
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    seal_cert_serial: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class RecordUnlock(Base):
    """An approved correction opens one student's issued record for change (correction workflow)."""

    __tablename__ = "record_unlock"
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    correction_id: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
