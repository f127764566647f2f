"""The content of one yearly Học bạ số record as a frozen snapshot.

Services build it from the store; the XML builder and the paper-copy renderer only read it, so they
never touch the database (and can run off the GUI thread).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class SchoolInfo:
    name: str
    moet_code: str = ""
    province: str = ""
    district: str = ""
    commune: str = ""
    address: str = ""


@dataclass(frozen=True)
class StudentInfo:
    personal_id: str  # số định danh cá nhân, 12 digits
    full_name: str
    birth_date: date
    sex: str  # "Nam" | "Nữ"
    ethnicity_code: str  # 2-digit QĐ 1019 code
    ethnicity_name: str
    nationality: str = "Việt Nam"
    moet_code: str = ""  # mã học sinh of CSDL ngành, when known
    birthplace: str = ""
    hometown: str = ""
    address: str = ""
    father_name: str = ""
    mother_name: str = ""
    guardian_name: str = ""
    not_assessed: bool = False  # khuyết tật không đánh giá


@dataclass(frozen=True)
class SubjectRow:
    code: str
    name: str
    print_name: str
    level: str | None  # T/H/C or M
    score: int | None
    comment: str = ""
    tested: bool = False  # has an end-of-year test in this grade


@dataclass(frozen=True)
class QualityRow:
    code: str
    group: str  # PC / NLC / NLD
    name: str
    national: str  # field name of the national dictionary, e.g. phamchatyeunuoc
    level: str | None  # T/Đ/C


@dataclass(frozen=True)
class Person:
    full_name: str
    personal_id: str = ""
    position: str = ""  # e.g. "Hiệu trưởng", "Phó hiệu trưởng", "Giáo viên chủ nhiệm"


@dataclass(frozen=True)
class HistoryRow:
    school_year: str
    class_name: str
    school_name: str
    province: str = ""
    transfer_in_date: date | None = None


@dataclass(frozen=True)
class SignatureInfo:
    """What the paper copy prints about a signature already on the record."""

    role: str  # gvcn / principal / seal / gvbm
    signer_name: str
    certificate_subject: str
    signed_at: datetime


@dataclass(frozen=True)
class RecordData:
    lookup_code: uuid.UUID  # mã tra cứu: one UUID per student's record book, kept across five years
    school: SchoolInfo
    school_year: str  # "2025-2026"
    grade: int
    class_name: str
    student: StudentInfo
    subjects: tuple[SubjectRow, ...]
    qualities: tuple[QualityRow, ...]
    group_comments: dict[str, str] = field(default_factory=dict, hash=False)  # PC / NLC / NLD → comment
    days_absent_excused: int = 0
    days_absent_unexcused: int = 0
    result: str | None = None  # HTXS/HTT/HT/CHT (confirmed by the GVCN)
    result_name: str = ""
    awards: tuple[str, ...] = ()
    adhoc_awards: tuple[str, ...] = ()
    completed_grade: bool = False
    completed_primary: bool = False
    completion_text: str = ""
    promoted: bool | None = None  # được lên lớp, after a supplementary evaluation
    teacher_comment: str = ""
    height_cm: float | None = None
    weight_kg: float | None = None
    homeroom_teacher: Person | None = None
    principal: Person | None = None
    history: tuple[HistoryRow, ...] = ()
    version: int = 1
    status: str = "1"  # national code: 1 = Có hiệu lực, 2 = Thu hồi
    valid_from: date | None = None  # ngày hiệu lực
    place_of_issue: str = ""
    regulation: str = "TT27"
    created_on: date | None = None
    signatures: tuple[SignatureInfo, ...] = ()
    # trích lục: the year was entered from the paper học bạ (national `trichluc`), never the original
    transcribed: bool = False
    paper_book_ref: str = ""  # số / ký hiệu of the paper book it was copied from ("" when not kept)

    @property
    def lookup_hex(self) -> str:
        """The 32-character form printed on paper and used as the file name."""
        return self.lookup_code.hex
