"""The phân công workbook against the school: the template with the year's classes and current
assignments, and the import — read, check every cell (exchange problems, then the same checks as
apply_assignments, mapped back to «dòng N, cột «Toán»»), then one all-or-nothing apply."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..domain.roles import Actor
from ..exchange.assignment_sheet import (
    CLASS_HEADER,
    SheetProblem,
    TemplateClass,
    TemplateStaff,
    read_sheet,
    write_template,
)
from ..storage.engine import Store
from . import assignments as A


@dataclass(frozen=True)
class SheetImport:
    path: Path
    year: str
    problems: tuple[SheetProblem, ...]
    result: A.ApplyResult | None  # None when refused, or a dry run
    classes: int
    ignored_columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_lines(self) -> list[str]:
        return [p.line() for p in self.problems]

    def summary(self) -> str:
        if not self.ok:
            return (f"Không nhập: {len(self.problems)} lỗi trong tệp {self.path.name}. Cơ sở dữ liệu không thay đổi. "
                    "Sửa các ô trên rồi nhập lại.")
        if self.result is None:
            return f"Tệp {self.path.name} hợp lệ: {self.classes} lớp, năm học {self.year} (chạy thử, không ghi gì)."
        return self.result.summary()


def export_template(store: Store, path: str | Path, year: str | None = None) -> Path:
    """The workbook to fill in: every class of the year with its current assignments."""
    name = A.year_name(store, year)
    table = A.current_table(store, name)
    classes = [TemplateClass(c.name, c.grade, frozenset(c.subjects), table.get(c.name, {}))
               for c in A.class_columns(store, name)]

    def note(s: A.StaffChoice) -> str:
        return ", ".join(x for x, ok in (("GVCN", s.may_homeroom), ("GVBM", s.may_teach)) if ok)

    staff = [TemplateStaff(s.code, s.full_name, note(s)) for s in A.staff_choices(store) if s.may_homeroom or s.may_teach]
    return write_template(path, name, classes, staff)


def import_sheet(store: Store, actor: Actor, path: str | Path, *, year: str | None = None,
                 dry_run: bool = False) -> SheetImport:
    """Unreadable files raise InputFileError (exit 2); refused cells come back as problems (nothing written);
    a wrong right, a locked year or an unknown year raise HocbasoError (exit 1)."""
    A.require_assign(actor)  # a teacher handing in a workbook is refused before it is even read
    sheet = read_sheet(path)
    problems = list(sheet.problems)
    name = A.year_name(store, year or sheet.year or None)
    if year and sheet.year and sheet.year != name:
        problems.append(SheetProblem(0, "", f"tệp là phân công năm học {sheet.year}, không phải {name}"))
    row_of = {r.class_name: r for r in sheet.rows}
    table = {r.class_name: {k: codes for k, (_raw, codes) in r.cells.items()} for r in sheet.rows}
    for p in A.check_assignments(store, name, table):
        r = row_of.get(p.class_name.upper())
        column = sheet.headers.get(p.column, p.column) if p.column else CLASS_HEADER
        problems.append(SheetProblem(r.row if r else 0, column, p.message))
    problems.sort(key=lambda p: p.row)
    if problems:
        return SheetImport(sheet.path, name, tuple(problems), None, len(sheet.rows), sheet.ignored_columns)
    if dry_run:
        return SheetImport(sheet.path, name, (), None, len(sheet.rows), sheet.ignored_columns)
    result = A.apply_assignments(store, actor, name, table)
    return SheetImport(sheet.path, name, (), result, len(sheet.rows), sheet.ignored_columns)
