"""Offline entry in Excel: export a class + period as a workbook, import it back all or nothing.

The import never validates on its own: every changed cell becomes a CellEdit and goes through
evaluation_edit.apply_edits (rights, TT27 rules, locks, audit), first or only as a dry run. So a
value the grid refuses is refused here with the same Vietnamese reason, and nothing is written
unless every changed cell of the file is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..domain.catalogue import PERIODS
from ..domain.errors import HocbasoError, InvalidValue, NotFound
from ..domain.ratings import parse_quality_level, parse_subject_level
from ..domain.roles import Actor
from ..domain.text import clean, hidden_char_problem, reveal
from ..exchange.grid_layout import SHEET_SUMMARY, SheetColumn, grid_layout
from ..exchange.grid_workbook import GridMeta, ParsedRow, WorkbookRow, read_grid_workbook, write_grid_workbook
from ..storage.engine import Store
from .directory import class_by_id, school
from .evaluation_edit import SUMMARY_KINDS, CellEdit, EditOutcome, apply_edits
from .grid import GridRow, load_grid


class WorkbookMismatch(HocbasoError):
    """A readable workbook of ours, but for another class / period / year / database."""


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    class_name: str
    period: str
    students: int


@dataclass(frozen=True)
class CellChange:
    """One cell that changes (ok) or is refused (not ok, with the reason), located in the workbook."""

    sheet: str
    excel_row: int
    column: str
    personal_id: str
    student: str
    old: Any
    new: Any
    ok: bool
    message: str = ""

    def line(self) -> str:
        where = f"Trang «{self.sheet}», dòng {self.excel_row}, cột «{self.column}»"
        who = f" ({self.student})" if self.student else ""
        return f"{where}{who}: {self.message}" if not self.ok else f"{where}{who}: {_show(self.old)} → {_show(self.new)}"


@dataclass(frozen=True)
class ImportReport:
    path: str
    meta: GridMeta
    dry_run: bool
    written: bool
    changes: tuple[CellChange, ...]

    @property
    def problems(self) -> list[CellChange]:
        return [c for c in self.changes if not c.ok]

    @property
    def accepted(self) -> list[CellChange]:
        return [c for c in self.changes if c.ok]

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem_lines(self) -> list[str]:
        return [c.line() for c in self.problems]

    def summary(self) -> str:
        where = f"lớp {self.meta.class_name}, {self.meta.period_name}, năm học {self.meta.year}"
        n = len(self.accepted)
        students = len({c.personal_id for c in self.accepted})
        if self.problems:
            return (f"Không ghi gì vào cơ sở dữ liệu ({where}): {len(self.problems)} ô bị từ chối. "
                    "Sửa các ô trên trong tệp Excel rồi nhập lại.")
        if self.dry_run:
            return f"Kiểm tra xong, chưa ghi ({where}): {n} ô sẽ thay đổi ở {students} học sinh, không có lỗi."
        if not n:
            return f"Không có ô nào thay đổi ({where}); không ghi gì."
        return f"Đã ghi {n} ô thay đổi của {students} học sinh ({where})."


def _show(v: Any) -> str:
    return "(trống)" if v is None or v == "" else str(v)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return clean(str(v))


def _norm(kind: str, v: Any) -> str:
    """A cell's value as the rules would store it, to tell "changed" from "typed differently" ('t' vs 'T').

    Uses the domain parsers themselves (no second copy of the rules); a value they refuse stays as typed,
    so it counts as a change and gets refused with its reason later.
    """
    try:
        if kind == "subject_level":
            return parse_subject_level(v, "") or ""
        if kind == "quality_level":
            return parse_quality_level(v, "") or ""
    except InvalidValue:
        pass
    text = _text(v)
    return text.upper() if kind == "confirmed" else text


# --- export ------------------------------------------------------------------------------------------
_SUMMARY_FIELD = {k.split(":")[1]: v for k, v in SUMMARY_KINDS.items() if k.startswith("group_comment:")}


def cell_value(row: GridRow, key: str) -> Any:
    """What the program holds for a workbook column (the same value the grid shows)."""
    kind, _, code = key.partition(":")
    if kind.startswith("subject_"):
        c = row.subjects.get(code)
        return None if c is None else {"subject_level": c.level, "subject_score": c.score, "subject_comment": c.comment}[kind]
    if kind == "quality_level":
        q = row.qualities.get(code)
        return q.level if q else None
    if kind == "group_comment":
        return getattr(row.summary, _SUMMARY_FIELD[code])
    if kind in ("days_excused", "days_unexcused"):
        return getattr(row.summary, kind)
    if kind == "proposal":
        return row.proposal.result if row.proposal else None
    if kind == "confirmed":
        return row.year.confirmed_result
    if kind == "reason":
        return row.year.change_reason
    if kind in ("awards", "adhoc_awards"):
        return getattr(row.year, kind)
    raise KeyError(key)


def export_grid(store: Store, class_id: int, period: str, path: str | Path) -> ExportSummary:
    if period not in PERIODS:
        raise InvalidValue("Kì đánh giá", period, "phải là GK1, CK1, GK2 hoặc CN")
    grid = load_grid(store, class_id, period)
    optional = grid.optional or grid.info.optional_subjects  # columns: the union of the pupils' subjects
    keys = [c.key for lay in grid_layout(grid.info.grade, optional, period) for c in lay.columns
            if c.kind not in ("stt", "pid", "name")]
    rows = [WorkbookRow(r.personal_id, r.full_name, {k: cell_value(r, k) for k in keys}) for r in grid.rows]
    sc = school(store)
    meta = GridMeta(grid.info.id, grid.info.name, grid.info.year, grid.info.grade, period, optional,
                    sc.name if sc else "")
    out = write_grid_workbook(path, meta, rows)
    return ExportSummary(out, grid.info.name, period, len(rows))


# --- import ------------------------------------------------------------------------------------------
def _check_target(store: Store, meta: GridMeta, name: str, expect_class_id: int | None, expect_period: str | None) -> None:
    try:
        info = class_by_id(store, meta.class_id)
    except NotFound:
        info = None
    if info is None or info.name != meta.class_name or info.year != meta.year or info.grade != meta.grade:
        raise WorkbookMismatch(f"Tệp {name} là của lớp {meta.class_name} năm học {meta.year}, không khớp với lớp nào "
                               "trong cơ sở dữ liệu đang mở (tệp của trường khác hoặc lớp đã bị xóa/đổi tên).")
    if expect_class_id is not None and expect_class_id != meta.class_id:
        try:
            want = class_by_id(store, expect_class_id)
            want_text = f"lớp {want.name} năm học {want.year}"
        except NotFound:
            want_text = "lớp khác"
        raise WorkbookMismatch(f"Tệp {name} là của lớp {meta.class_name} năm học {meta.year}, không phải {want_text}.")
    if expect_period is not None and expect_period != meta.period:
        raise WorkbookMismatch(f"Tệp {name} là của kì {meta.period_name} ({meta.period}), không phải kì {expect_period}.")


@dataclass
class _Pending:
    edit: CellEdit
    where: CellChange  # location and identity; ok/message filled from the outcome


def _edits_for_row(prow: ParsedRow, grow: GridRow, columns: dict[str, SheetColumn], period: str,
                   add: Callable[[_Pending], None], refuse: Callable[[CellChange], None]) -> None:
    orig = prow.original
    for letter, value in prow.stray:
        refuse(CellChange(prow.sheet, prow.excel_row, f"{letter} (ngoài bảng)", prow.personal_id, grow.full_name, None, value, False,
                          f"ô nằm ngoài các cột của bảng, giá trị «{_show(value)}» không thể nhập; xóa ô này hoặc nhập vào đúng cột"))
    for key, raw in prow.values.items():
        col = columns[key]
        if col.kind == "reason":
            continue  # travels with the confirmed result below
        before = orig.get(key) if orig is not None else cell_value(grow, key)
        now = cell_value(grow, key)
        n_raw, n_before, n_now = (_norm(col.kind, v) for v in (raw, before, now))
        reason_changed = False
        if col.kind == "confirmed":
            reason_now = prow.values.get("reason:")
            reason_before = orig.get("reason:") if orig is not None else cell_value(grow, "reason:")
            reason_changed = _text(reason_now) != _text(reason_before)
        if n_raw == n_before and not reason_changed:
            continue  # untouched in Excel: no edit, no audit, whatever the program holds now
        base = CellChange(prow.sheet, prow.excel_row, col.header, prow.personal_id, grow.full_name, now, raw, True)
        if n_now != n_before and n_now != n_raw:
            # Someone changed this cell in the program after the export: do not overwrite blindly.
            refuse(_replace(base, ok=False, message=f"ô này đã được sửa trong phần mềm sau khi xuất tệp (lúc xuất «{_show(before)}», "
                                                    f"hiện tại «{_show(now)}»); hãy xuất lại tệp mới rồi nhập lại"))
            continue
        kind, _, code = key.partition(":")
        reason = _text(prow.values.get("reason:")) if kind == "confirmed" else ""
        add(_Pending(CellEdit(grow.enrolment_id, period, kind, code, raw, reason), base))


def _replace(c: CellChange, **kw: Any) -> CellChange:
    from dataclasses import replace

    return replace(c, **kw)


def import_grid(store: Store, actor: Actor, path: str | Path, dry_run: bool = False, *,
                expect_class_id: int | None = None, expect_period: str | None = None) -> ImportReport:
    """Read, compare with the export, validate every changed cell, then write all of them or none.

    Raises InputFileError (exit 2) for a file that is not one of our workbooks, WorkbookMismatch for
    one of another class/period/database; cell problems come back in the report (exit 1 in the CLI).
    """
    p = Path(path)
    parsed = read_grid_workbook(p)
    meta = parsed.meta
    _check_target(store, meta, p.name, expect_class_id, expect_period)
    grid = load_grid(store, meta.class_id, meta.period)
    by_pid = {r.personal_id: r for r in grid.rows}
    columns = {(lay.title, c.key): c for lay in parsed.layouts for c in lay.columns}
    pending: list[_Pending] = []
    refused: list[CellChange] = []
    seen: dict[tuple[str, str], int] = {}
    for prow in parsed.rows:
        pid_header = parsed.column(prow.sheet, "pid:").header
        bad = next(((col, v, why) for col, v in (("pid:", prow.personal_id), ("name:", prow.full_name))
                    if (why := hidden_char_problem(v))), None)
        if bad:
            # An ID or name with a bidi override, a zero-width or control character or foreign digits:
            # the row is refused, whatever else it brings (nothing of the file is written then).
            col, v, why = bad
            refused.append(CellChange(prow.sheet, prow.excel_row, parsed.column(prow.sheet, col).header,
                                      reveal(prow.personal_id), reveal(prow.full_name), None, None, False,
                                      f"«{reveal(v)}» {why}"))
            continue
        if not prow.personal_id:
            refused.append(CellChange(prow.sheet, prow.excel_row, pid_header, "", prow.full_name, None, None, False,
                                      "dòng có dữ liệu nhưng thiếu mã định danh học sinh"))
            continue
        grow = by_pid.get(prow.personal_id)
        if grow is None:
            refused.append(CellChange(prow.sheet, prow.excel_row, pid_header, prow.personal_id, prow.full_name, None, None, False,
                                      f"mã định danh «{prow.personal_id}» không có trong lớp {meta.class_name} (năm học {meta.year})"))
            continue
        if (prow.sheet, prow.personal_id) in seen:
            refused.append(CellChange(prow.sheet, prow.excel_row, pid_header, prow.personal_id, grow.full_name, None, None, False,
                                      f"mã định danh «{prow.personal_id}» lặp lại (đã có ở dòng {seen[(prow.sheet, prow.personal_id)]})"))
            continue
        seen[(prow.sheet, prow.personal_id)] = prow.excel_row
        sheet_cols = {k: c for (s, k), c in columns.items() if s == prow.sheet}
        _edits_for_row(prow, grow, sheet_cols, meta.period, pending.append, refused.append)

    edits = [x.edit for x in pending]
    outcomes: list[EditOutcome] = []
    written = False
    if edits:
        if refused or dry_run:
            outcomes = apply_edits(store, actor, edits, dry_run=True)
        else:
            outcomes = apply_edits(store, actor, edits, all_or_nothing=True)
            written = all(o.ok for o in outcomes)
    changes: list[CellChange] = list(refused)
    for x, o in zip(pending, outcomes):
        if not o.ok:
            changes.append(_replace(x.where, ok=False, message=o.message))
        elif o.old != o.new or x.edit.kind == "confirmed":
            changes.append(_replace(x.where, old=o.old, new=o.new))
    changes.sort(key=lambda c: ([lay.title for lay in parsed.layouts].index(c.sheet), c.excel_row))
    if refused or any(not o.ok for o in outcomes):
        written = False
    return ImportReport(str(p), meta, dry_run, written, tuple(changes))


__all__ = ["CellChange", "ExportSummary", "ImportReport", "SHEET_SUMMARY", "WorkbookMismatch", "cell_value", "export_grid", "import_grid"]
