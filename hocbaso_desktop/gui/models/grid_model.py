"""Qt table model of the class grid over a ClassGrid snapshot (one class, one period, one view)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from ...domain.catalogue import catalogue
from ...domain.results import completion
from ...services.grid import ClassGrid, GridRow
from .grid_columns import Column, columns_for, is_missing, missing_count

MISSING_BG = QBrush(QColor("#fff3c4"))
LEVEL_C_FG = QBrush(QColor("#b00020"))
LEVEL_T_FG = QBrush(QColor("#1b5e20"))
READONLY_BG = QBrush(QColor("#f3f3f3"))

Index = QModelIndex | QPersistentModelIndex


class GridModel(QAbstractTableModel):
    def __init__(self, grid: ClassGrid, view: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.grid = grid
        self.view = view
        self.columns: list[Column] = columns_for(grid, view)
        self.rows: list[GridRow] = list(grid.rows)

    # --- shape -------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def column_missing(self, col: int) -> int:
        c = self.columns[col]
        return sum(1 for r in self.rows if is_missing(self.grid, r, c))

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            return None
        c = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            n = self.column_missing(section) if c.kind in ("subject_level", "subject_score", "quality_level") else 0
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
            n = missing_count(self.grid, row)
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
            return "; ".join(x for x in (row.year.awards.replace("\n", "; "), row.year.adhoc_awards) if x)
        if k == "completion":
            res = row.year.confirmed_result
            return completion(self.grid.info.grade, res, cat).text if res else ""
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        c = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.display_value(row, c)
        if role == Qt.ItemDataRole.BackgroundRole:
            if is_missing(self.grid, row, c):
                return MISSING_BG
            return None
        if role == Qt.ItemDataRole.ForegroundRole and c.is_level:
            v = self.display_value(row, c)
            return LEVEL_C_FG if v == "C" else (LEVEL_T_FG if v == "T" else None)
        if role == Qt.ItemDataRole.TextAlignmentRole and c.kind not in ("name", "subject_comment", "group_comment", "awards", "completion"):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if c.kind == "proposal" and row.proposal:
                return row.proposal.explanation
            if c.kind == "confirmed" and row.year.change_reason:
                return f"Lý do thay đổi: {row.year.change_reason}"
            if c.kind in ("subject_comment", "group_comment", "awards") or c.kind == "name":
                text = self.display_value(row, c)
                return text or None
            if c.kind == "name":
                return f"Mã định danh: {row.personal_id}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # --- counters ----------------------------------------------------------------------------
    def total_missing(self) -> int:
        return sum(missing_count(self.grid, r) for r in self.rows)
