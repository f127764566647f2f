"""The results upload "KQHT" for CSDL ngành: one grade, one period, every pupil of the grade (issue 16).

Shared by `hocbaso export-kqht` and the GUI (Gửi CSDL › Xuất tệp KQHT cho CSDL ngành…). The values
come from the class grid (services.grid.load_grid), the same read as the grid and the reports; the
columns from the layout file (domain.kqht_layout). A pupil with a value missing — or a value that is
not one the portal takes, as after someone edited the database file by hand — stops the export and
is listed, because the portal would take an empty cell as "not evaluated" for that pupil; with
allow_missing the cell stays empty and the list comes back as warnings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..domain import rights
from ..domain.catalogue import EXEMPT, FINAL_PERIOD, PERIODS, QUALITY_LEVELS, RESULT_LEVELS, SUBJECT_LEVELS, catalogue
from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..domain.kqht_layout import Layout, find_layout
from ..domain.progress import Progress
from ..domain.results import completion
from ..domain.roles import Actor
from ..storage.engine import Store
from . import directory
from .grid import GridRow, load_grid

DIR_ENV = "HOCBASO_KQHT_DIR"  # tests and schools with a shared folder point here instead of the data folder
FLAG = "x"


def user_layout_dir() -> Path:
    """Where a school puts corrected layout files: <user data dir>/kqht (or $HOCBASO_KQHT_DIR)."""
    override = os.environ.get(DIR_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("hocbaso", "hocbaso")) / "kqht"


@dataclass(frozen=True)
class MissingLine:
    class_name: str
    full_name: str
    missing: tuple[str, ...]  # "Toán (mức)", "Điểm KTĐK Toán", …
    invalid: tuple[str, ...] = ()  # "Toán (mức) «X»": a value the portal does not take

    @property
    def text(self) -> str:
        parts = []
        if self.missing:
            parts.append("thiếu " + ", ".join(self.missing))
        if self.invalid:
            parts.append("giá trị sai " + ", ".join(self.invalid))
        return f"Lớp {self.class_name}, {self.full_name}: " + "; ".join(parts)


@dataclass(frozen=True)
class KqhtSheet:
    """What goes in the workbook: the layout and one tuple of cell values per pupil (None = empty)."""

    layout: Layout
    grade: int
    period: str
    year: str
    classes: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    missing: tuple[MissingLine, ...]


@dataclass(frozen=True)
class KqhtResult:
    path: Path
    sheet: KqhtSheet

    @property
    def pupils(self) -> int:
        return len(self.sheet.rows)


class KqhtIncomplete(HocbasoError):
    """Some pupils lack values: nothing was written; `missing` lists them."""

    def __init__(self, grade: int, period: str, missing: tuple[MissingLine, ...]) -> None:
        lines = "\n".join(f"  {m.text}" for m in missing)
        super().__init__(
            f"Chưa xuất tệp KQHT khối {grade} kì {period}: {len(missing)} học sinh thiếu dữ liệu (chưa ghi tệp nào). "
            f"Nhập đủ rồi xuất lại, hoặc dùng --allow-missing để để trống các ô thiếu:\n{lines}", missing=missing)
        self.missing = missing


def _label_subject(code: str) -> str:
    return catalogue().subject(code).name


def _label_quality(code: str) -> str:
    q = catalogue().quality(code)
    return f"{'Phẩm chất' if q.group == 'PC' else 'Năng lực'} {q.name}"


def build_sheet(store: Store, grade: int, period: str, *, year: str | None = None,
                layout_dir: Path | None = None, progress: Progress | None = None) -> KqhtSheet:
    """Read the grade's classes and fill the layout's columns; no file is written, nothing is checked
    against rights (export_kqht does that)."""
    if period not in PERIODS:
        raise InvalidValue("Kì đánh giá", period, "phải là GK1, CK1, GK2 hoặc CN")
    if grade not in range(1, 6):
        raise InvalidValue("Khối", grade, "phải từ 1 đến 5")
    layout = find_layout(grade, period, layout_dir if layout_dir is not None else user_layout_dir())
    classes = [c for c in directory.classes(store, year) if c.grade == grade]
    year = year or directory.current_year_name(store)
    if not classes:
        raise NotFound(f"Không có lớp nào của khối {grade}" + (f" trong năm học {year}" if year else ""))
    year = classes[0].year
    born = {s.enrolment_id: s for s in directory.students(store, None, year)}
    moet = _moet_codes(store, [s.student_id for s in born.values()])
    rows: list[tuple[Any, ...]] = []
    missing: list[MissingLine] = []
    for i, info in enumerate(classes):
        if progress:
            progress(i, len(classes), f"lớp {info.name}")
        grid = load_grid(store, info.id, period, info=info)
        for r in grid.rows:
            person = born.get(r.enrolment_id)
            values, lacks, wrong = _pupil_values(layout, info.name, grade, period, len(rows) + 1, r,
                                                 person.birth_date if person else None, moet.get(r.student_id, ""))
            rows.append(values)
            if lacks or wrong:
                missing.append(MissingLine(info.name, r.full_name, tuple(lacks), tuple(wrong)))
    if progress:
        progress(len(classes), len(classes), "xong")
    return KqhtSheet(layout, grade, period, year, tuple(c.name for c in classes), tuple(rows), tuple(missing))


def _moet_codes(store: Store, student_ids: list[int]) -> dict[int, str]:
    from sqlalchemy import select

    from ..storage.models import Student

    with store.read() as s:
        return dict(s.execute(select(Student.id, Student.moet_code).where(Student.id.in_(student_ids))).all())


def _pupil_values(layout: Layout, class_name: str, grade: int, period: str, stt: int, r: GridRow,
                  birth: date | None, moet_code: str) -> tuple[tuple[Any, ...], list[str], list[str]]:
    cat = catalogue()
    lacks: list[str] = []
    wrong: list[str] = []
    # A pupil assessed by an individual plan (không đánh giá) may have no ratings: empty is right there.
    ratings_needed = not r.not_assessed
    result = (r.year.confirmed_result or (r.proposal.result if r.proposal else None)) if period == FINAL_PERIOD else None
    comp = completion(grade, result if result in RESULT_LEVELS else None)
    out: list[Any] = []
    for c in layout.columns:
        v: Any = None
        k = c.value
        if k == "stt":
            v = stt
        elif k == "class_name":
            v = class_name
        elif k == "moet_code":
            v = moet_code.strip() or None
            if v is None:
                lacks.append("Mã học sinh")
        elif k == "full_name":
            v = r.full_name
        elif k == "birth_date":
            v = birth.strftime("%d/%m/%Y") if birth else None
            if v is None:
                lacks.append("Ngày sinh")
        elif k in ("subject_level", "subject_score"):
            subject = cat.subject(c.code)
            if not subject.offered_in(grade) or not r.takes(c.code) or r.is_exempt(c.code):
                pass  # not this pupil's subject (or miễn): the portal's cell stays empty
            elif k == "subject_level":
                cell = r.subjects.get(c.code)
                level = cell.level if cell else None
                if level is None:
                    if ratings_needed:
                        lacks.append(f"{subject.name} (mức)")
                elif level in SUBJECT_LEVELS:
                    v = level
                elif level != EXEMPT:
                    wrong.append(f"{subject.name} (mức) «{level}»")
            elif subject.is_tested(grade, period):
                cell = r.subjects.get(c.code)
                score = cell.score if cell else None
                if score is None:
                    if ratings_needed:
                        lacks.append(f"Điểm KTĐK {subject.name}")
                elif isinstance(score, int) and not isinstance(score, bool) and cat.score_min <= score <= cat.score_max:
                    v = score
                else:
                    wrong.append(f"Điểm KTĐK {subject.name} «{score}»")
        elif k == "quality":
            q = cat.quality(c.code)
            if grade in q.grades:
                q_cell = r.qualities.get(c.code)
                level = q_cell.level if q_cell else None
                if level is None:
                    if ratings_needed:
                        lacks.append(_label_quality(c.code))
                elif level in QUALITY_LEVELS:
                    v = level
                else:
                    wrong.append(f"{_label_quality(c.code)} «{level}»")
        elif k == "result":
            if result is None:
                lacks.append("Xếp loại")
            elif result in RESULT_LEVELS:
                v = result
            else:
                wrong.append(f"Xếp loại «{result}»")
        elif k == "completed":
            v = FLAG if comp.completed_grade else None
        elif k == "promoted":
            # Điều 11: completing the grade is going up; a CHT pupil only on the principal's decision
            v = FLAG if comp.completed_grade or r.year.promoted is True else None
        out.append(v)
    return tuple(out), lacks, wrong


def export_kqht(store: Store, actor: Actor, grade: int, period: str, out: str | Path, *, year: str | None = None,
                allow_missing: bool = False, layout_dir: Path | None = None,
                progress: Progress | None = None) -> KqhtResult:
    """Check the right, build, refuse on missing data (nothing written) unless allowed, write, audit."""
    from ..exchange.kqht_xlsx import write_kqht

    rights.require(actor, rights.SYNC)
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise InvalidValue("Tệp kết quả", str(out), "phải có đuôi .xlsx")
    sheet = build_sheet(store, grade, period, year=year, layout_dir=layout_dir, progress=progress)
    if sheet.missing and not allow_missing:
        raise KqhtIncomplete(grade, period, sheet.missing)
    write_kqht(sheet.layout, sheet.rows, path)
    with store.transaction(actor.code) as tx:
        tx.audit("kqht.export", "school_year", sheet.year, {
            "grade": grade, "period": period, "file": path.name, "pupils": len(sheet.rows),
            "layout": sheet.layout.path, "missing": len(sheet.missing)})
    return KqhtResult(path, sheet)


__all__ = ["DIR_ENV", "KqhtIncomplete", "KqhtResult", "KqhtSheet", "MissingLine", "build_sheet", "export_kqht",
           "user_layout_dir"]
