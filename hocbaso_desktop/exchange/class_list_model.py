"""What reading a class list gives: typed student values, the rows as shown, every problem as data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..domain.progress import Cancelled
from .problems import ERROR, ProblemSummary


class ImportCancelled(Cancelled):
    def __init__(self) -> None:
        super().__init__("Đã hủy đọc tệp.")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or one column / sheet, at its header row)."""

    severity: str  # ERROR blocks the import, WARNING does not
    sheet: str
    row: int  # as Excel shows it
    column: str  # the header as written in the file, or the expected label when the column is missing
    cell: str  # "C7", or "" for a missing column
    field: str  # canonical field key ("" for the whole row)
    value: str
    reason: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def message(self) -> str:
        kind = "Lỗi" if self.is_error else "Cảnh báo"
        where = f"trang «{self.sheet}», dòng {self.row}"
        if self.column:
            where += f", cột «{self.column}»" + (f" ({self.cell})" if self.cell else "")
        value = f": «{self.value}»" if self.value else ""
        return f"{kind}: {where}{value} — {self.reason}"


@dataclass(frozen=True)
class StudentData:
    """Values to store. None: the column is absent or the cell empty — keep what the database has."""

    personal_id: str
    full_name: str
    birth_date: date
    sex: str
    class_name: str
    grade: int
    ethnicity_code: str | None = None
    moet_code: str | None = None
    nationality: str | None = None
    birthplace: str | None = None
    hometown: str | None = None
    address: str | None = None
    father_name: str | None = None
    mother_name: str | None = None
    guardian_name: str | None = None
    # optional per-pupil facts (issue 14); None: column absent or cell blank
    register_no: str | None = None
    enrolled_on: date | None = None
    policy_group: str | None = None
    disability: str | None = None
    not_assessed: bool | None = None
    optional_subjects: frozenset[str] | None = None  # catalogue codes, for the enrolment of the year
    exempt_subjects: frozenset[str] | None = None


@dataclass(frozen=True)
class ListRow:
    sheet: str
    row: int
    raw: dict[str, str]  # field → text as shown in the file (for the preview)
    cells: dict[str, str]  # field → coordinate ("C7")
    student: StudentData | None  # None when a required value could not be read


@dataclass
class ClassList(ProblemSummary):
    path: Path
    year: str
    rows: list[ListRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    ignored_columns: list[tuple[str, str]] = field(default_factory=list)  # (sheet, header)
    skipped_sheets: list[str] = field(default_factory=list)
    title_year: str | None = None
    restored_ids: int = 0  # identity numbers whose lost leading zeros were put back
    column_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # sheet → field → header in the file

    def students(self) -> list[StudentData]:
        return [r.student for r in self.rows if r.student is not None]


