"""Qt table model of the class grid: one view (subjects / qualities / summary) over a GridSession."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ...domain.catalogue import catalogue
from ...domain.results import completion
from ...services.evaluation_edit import CellEdit
from ...services.grid import ClassGrid, GridRow
from ...services.signing_plan import stale_confirmation
from .grid_columns import Column, columns_for, is_missing, missing_count, required_columns_all_views

MISSING_BG = QBrush(QColor("#fff3c4"))
LEVEL_C_FG = QBrush(QColor("#b00020"))
LEVEL_T_FG = QBrush(QColor("#1b5e20"))
READONLY_BG = QBrush(QColor("#eeeeee"))
MISMATCH_BG = QBrush(QColor("#ffd8a8"))  # the confirmed result no longer matches the proposal
CARRIED_BG = QBrush(QColor("#eeeeee"))  # a period evaluated at the old school (mid-year transfer): read-only
CARRIED_FG = QBrush(QColor("#6b6b6b"))
ISSUED_BG = QBrush(QColor("#e3ecf7"))  # issued record: locked, changed only by an approved correction

Index = QModelIndex | QPersistentModelIndex
COUNTED_KINDS = ("subject_level", "subject_score", "quality_level")  # their header shows «(thiếu n)»
EDITABLE_KINDS = {
    "subject_level", "subject_score", "subject_comment", "quality_level", "group_comment",
    "days_excused", "days_unexcused", "confirmed", "awards",
}


class GridModel(QAbstractTableModel):
    def __init__(self, grid: ClassGrid, view: str, parent: Any = None, session: Any = None) -> None:
        super().__init__(parent)
        self.grid = grid
        self.view = view
        self.session = session  # GridSession, or None for a read-only snapshot
        self.columns: list[Column] = columns_for(grid, view)
        self._rows = list(grid.rows)
        # Counted once here and then per changed row: the headers and the counters are read on every
        # paint, and recounting 45 rows × every required column of three views each time was most of
        # a keystroke's cost.
        self._required = required_columns_all_views(grid)
        self._counted = [i for i, c in enumerate(self.columns) if c.kind in COUNTED_KINDS]
        self._counted_set = frozenset(self._counted)
        self._position = {r.enrolment_id: i for i, r in enumerate(self.rows)}
        self._row_missing: list[tuple[int, frozenset[int]]] = []  # counted when first asked: a hidden view waits
        self._col_missing: list[int] = []
        self._counted_yet = False
        # The rows as this model last showed them: a change is compared with them cell by cell, so
        # that only the cells that changed are repainted (a range of a whole row repaints the view).
        self._seen: list[GridRow] = list(self.rows)
        self._depends = [_depends_on(c) for c in self.columns]
        self._missing_col = next((i for i, c in enumerate(self.columns) if c.kind == "missing"), -1)
        if session is not None:
            session.rows_changed.connect(self._rows_changed)

    @property
    def rows(self) -> list[GridRow]:
        return self.session.rows if self.session is not None else self._rows

    def _counts(self) -> None:
        if self._counted_yet:
            return
        self._counted_yet = True
        self._row_missing = [self._missing_of(i) for i in range(len(self.rows))]
        self._col_missing = [0] * len(self.columns)
        for cols in self._row_missing:
            for i in cols[1]:
                self._col_missing[i] += 1

    def _missing_of(self, i: int) -> tuple[int, frozenset[int]]:
        """(missing cells of the row over every view, this view's columns that are missing)."""
        row = self.rows[i]
        total = self.session.missing_in_row(i) if self.session is not None else missing_count(self.grid, row, self._required)
        return (total,
                frozenset(i for i in self._counted if is_missing(self.grid, row, self.columns[i])))

    def _rows_changed(self, indices: list[int]) -> None:
        """Announce the cells that changed, one by one (a range wider than one cell repaints the whole
        view: ~150 cells, ~10 ms on a 1366×768 window, after every keystroke), and keep the missing counts
        by recounting only those cells."""
        if not indices:
            return
        everything = range(len(self.columns))
        changed_cols: set[int] = set()
        cells: list[tuple[int, int]] = []
        whole: list[int] = []
        for r in indices:
            old_row, new_row = self._seen[r], self.rows[r]
            self._seen[r] = new_row
            if _identity(old_row) != _identity(new_row):
                whole.append(r)  # who the pupil is, what they take, carried: every cell may read otherwise
                cols: Iterable[int] = everything
            else:
                cols = [i for i, dep in enumerate(self._depends) if dep is not None and dep(old_row) != dep(new_row)]
                cells += [(r, i) for i in cols]
            if not self._counted_yet:
                if self._missing_col >= 0:
                    cells.append((r, self._missing_col))
                continue
            old_total, old_missing = self._row_missing[r]
            total = self.session.missing_in_row(r) if self.session is not None else \
                missing_count(self.grid, new_row, self._required)
            now_missing = set(old_missing)
            for i in cols:
                if i in self._counted_set:
                    if is_missing(self.grid, new_row, self.columns[i]):
                        now_missing.add(i)
                    else:
                        now_missing.discard(i)
            missing = frozenset(now_missing)
            self._row_missing[r] = (total, missing)
            for i in old_missing - missing:
                self._col_missing[i] -= 1
            for i in missing - old_missing:
                self._col_missing[i] += 1
            changed_cols |= old_missing ^ missing
            if total != old_total and self._missing_col >= 0:
                cells.append((r, self._missing_col))  # the row's total over the three views
        if len(cells) > _CELLS_ONE_BY_ONE:  # a pasted block: whole rows, the view repaints once anyway
            whole = sorted(set(whole) | {r for r, _c in cells})
            cells = []
        for r, c in cells:
            index = self.index(r, c)
            self.dataChanged.emit(index, index)
        last = self.columnCount() - 1
        for r in whole:
            self.dataChanged.emit(self.index(r, 0), self.index(r, last))
        if changed_cols:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, min(changed_cols), max(changed_cols))

    # --- shape -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def column_missing(self, col: int) -> int:
        self._counts()
        return self._col_missing[col]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        c = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            n = self.column_missing(section)
            return f"{c.header}\n(thiếu {n})" if n else c.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return c.tooltip or c.header
        return None

    # --- cells -------------------------------------------------------------------------------
    def display_value(self, row: GridRow, c: Column) -> str:
        cat = catalogue()
        k = c.kind
        if k == "name":
            return row.full_name
        if k == "missing":
            self._counts()
            n = self._row_missing[self._position[row.enrolment_id]][0]
            return str(n) if n else ""
        if k.startswith("subject_"):
            cell = row.subjects.get(c.code)
            if cell is None:
                return ""
            if k == "subject_level":
                return cell.level or ""
            if k == "subject_score":
                return "" if cell.score is None else str(cell.score)
            return cell.comment
        if k == "quality_level":
            q = row.qualities.get(c.code)
            return (q.level or "") if q else ""
        if k == "group_comment":
            return {"PC": row.summary.comment_pc, "NLC": row.summary.comment_nlc, "NLD": row.summary.comment_nld}[c.code]
        if k == "days_excused":
            return "" if row.summary.days_excused is None else str(row.summary.days_excused)
        if k == "days_unexcused":
            return "" if row.summary.days_unexcused is None else str(row.summary.days_unexcused)
        if k == "proposal":
            return (row.proposal.result or "Chưa đủ") if row.proposal else ""
        if k == "confirmed":
            return row.year.confirmed_result or ""
        if k == "awards":
            return row.year.awards.replace("\n", "; ")
        if k == "completion":
            res = row.year.confirmed_result
            return completion(self.grid.info.grade, res, cat).text if res else ""
        return ""

    def can_edit(self, row: GridRow, c: Column) -> bool:
        if self.session is None or c.kind not in EDITABLE_KINDS:
            return False
        if c.kind in ("confirmed", "awards") and self.grid.period != "CN":
            return False
        if self.session.is_locked(row.enrolment_id) or row.carried_from:
            return False  # carried: evaluated at the old school, kept as received (the service refuses too)
        actor = self.session.actor
        if c.kind.startswith("subject_"):
            if not row.takes(c.code):
                return False  # the pupil does not take this subject: not applicable
            if row.is_exempt(c.code) and c.kind != "subject_comment":
                return False  # M in every period while the exemption holds (Hồ sơ học sinh)
            return actor.can_edit_subject(self.grid.info.id, c.code)
        return actor.can_edit_class_summary(self.grid.info.id)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        c = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.display_value(row, c)
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.carried_from:
                return CARRIED_BG
            if is_missing(self.grid, row, c):
                return MISSING_BG
            if c.kind == "confirmed" and row.year.confirmed_result and row.proposal and row.proposal.result \
                    and row.proposal.result != row.year.confirmed_result and not row.year.change_reason:
                return MISMATCH_BG
            if self.session is not None and self.session.is_locked(row.enrolment_id):
                return ISSUED_BG
            if self.session is not None and c.kind in EDITABLE_KINDS and not self.can_edit(row, c):
                return READONLY_BG
            return None
        if role == Qt.ItemDataRole.ForegroundRole and row.carried_from:
            return CARRIED_FG
        if role == Qt.ItemDataRole.ForegroundRole and c.is_level:
            v = self.display_value(row, c)
            return LEVEL_C_FG if v == "C" else (LEVEL_T_FG if v == "T" else None)
        if role == Qt.ItemDataRole.TextAlignmentRole and c.kind not in ("name", "subject_comment", "group_comment", "awards", "completion"):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.carried_from:
                value = self.display_value(row, c) if c.kind in ("subject_comment", "group_comment") else ""
                return row.carried_from + (f"\n{value}" if value else "")
            if c.kind == "proposal" and row.proposal:
                return row.proposal.explanation
            if c.kind == "confirmed" and row.year.change_reason:
                return f"Lý do thay đổi: {row.year.change_reason}"
            if c.kind == "name":
                locked = ""
                if self.session is not None and self.session.is_locked(row.enrolment_id):
                    locked = ("\nNăm học đã khóa" if self.session.year_locked else "\nHọc bạ đã phát hành") + \
                        ": chỉ sửa qua phiếu đính chính đã được duyệt"
                return f"Mã định danh: {row.personal_id}{locked}"
            if c.kind.startswith("subject_") and not row.takes(c.code):
                return "Học sinh không học môn này"
            if c.kind.startswith("subject_") and row.is_exempt(c.code) and c.kind != "subject_comment":
                return "Học sinh được miễn môn này (M): bỏ miễn trong Hồ sơ học sinh để nhập mức, điểm"
            if c.kind in ("subject_comment", "group_comment", "awards"):
                return self.display_value(row, c) or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.can_edit(self.rows[index.row()], self.columns[index.column()]):
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    # --- editing -----------------------------------------------------------------------------
    def edit_for(self, row: int, col: int, value: Any) -> CellEdit | None:
        c = self.columns[col]
        if c.kind not in EDITABLE_KINDS:
            return None
        r = self.rows[row]
        v = None if value is None or (isinstance(value, str) and value.strip() == "") else value
        return CellEdit(r.enrolment_id, self.grid.period, c.kind, c.code, v)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or self.session is None or not index.isValid():
            return False
        row, c = self.rows[index.row()], self.columns[index.column()]
        if str(value if value is not None else "") == self.display_value(row, c):
            # Typing the same value again changes nothing — except on a stale confirmed result, where the
            # GVCN typing it again is the re-confirmation that signing waits for.
            if not (c.kind == "confirmed" and stale_confirmation(row) is not None):
                return True
        e = self.edit_for(index.row(), index.column(), value)
        if e is None:
            return False
        out = self.session.submit([e], {id(e): self.columns[index.column()].header.replace("\n", " ")})
        return bool(out) and out[0].ok

    # --- counters ----------------------------------------------------------------------------
    def total_missing(self) -> int:
        self._counts()
        return sum(n for n, _cols in self._row_missing)


# A pasted block changes hundreds of cells: past this many, whole rows are announced (one repaint).
_CELLS_ONE_BY_ONE = 64


def _identity(row: GridRow) -> tuple[Any, ...]:
    """What every cell of a row reads besides its own value: name, subjects taken, exemptions, carried."""
    return (row.full_name, row.personal_id, row.not_assessed, row.taken, row.exempt, row.optional, row.carried_from)


def _depends_on(c: Column) -> Callable[[GridRow], Any] | None:
    """What a column's cell shows (text, colours, tooltip) reads from its row, beyond _identity.
    None: the name and the missing count (compared by _identity, and announced for every change)."""
    code = c.code
    k = c.kind
    if k == "subject_level":
        return lambda r: (cell.level if (cell := r.subjects.get(code)) else None)
    if k == "subject_score":  # required, and so coloured when empty, unless the level is M
        return lambda r: ((cell.level, cell.score) if (cell := r.subjects.get(code)) else None)
    if k == "subject_comment":
        return lambda r: (cell.comment if (cell := r.subjects.get(code)) else None)
    if k.startswith("quality_"):
        return lambda r: r.qualities.get(code)
    if k in ("group_comment", "days_excused", "days_unexcused"):
        return lambda r: r.summary
    if k == "proposal":
        return lambda r: r.proposal
    if k == "confirmed":
        return lambda r: (r.year, r.proposal)  # coloured when it differs from the proposal
    if k in ("awards", "completion"):
        return lambda r: r.year
    return None
