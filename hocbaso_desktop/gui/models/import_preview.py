"""Preview of a class-list import: one row per file row, bad cells red, doubtful cells yellow, changes blue."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from ...services.class_import import NEW, UNCHANGED, UPDATED, ImportPlan
from ...services.class_list_view import FIELD_LABELS, ListRow, Problem

ERROR_BG = QColor("#FFC7CE")
ERROR_FG = QColor("#9C0006")
WARNING_BG = QColor("#FFEB9C")
CHANGED_BG = QColor("#DDEBF7")
STATUS_TEXT = {NEW: "Mới", UPDATED: "Cập nhật", UNCHANGED: "Không đổi", "error": "Lỗi", "skip": "—"}
# Fields always shown, then the optional ones that the file actually has.
CORE = ("class_name", "full_name", "birth_date", "sex", "personal_id", "ethnicity")
OPTIONAL = ("moet_code", "birthplace", "hometown", "address", "father_name", "mother_name", "guardian_name", "nationality")
# Student fields named differently in the plan's change list than in the file's columns.
_CHANGE_FIELD = {"ethnicity_code": "ethnicity"}

Index = QModelIndex | QPersistentModelIndex
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 1  # "error" | "warning" | "" for a row (used by the filter)


class ImportPreviewModel(QAbstractTableModel):
    def __init__(self, plan: ImportPlan, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.plan = plan
        cl = plan.class_list
        self.rows: list[ListRow] = cl.rows
        present = {f for r in cl.rows for f, v in r.raw.items() if v}
        self.fields = list(CORE) + [f for f in OPTIONAL if f in present]
        self.headers = ["Trạng thái", "Trang", "Dòng"] + [FIELD_LABELS[f] for f in self.fields]
        self.cell_problems: dict[tuple[str, int, str], list[Problem]] = {}
        self.row_problems: dict[tuple[str, int], list[Problem]] = {}
        for p in cl.problems:
            self.cell_problems.setdefault((p.sheet, p.row, p.field), []).append(p)
            self.row_problems.setdefault((p.sheet, p.row), []).append(p)
        self.status = plan.row_status()
        self.changes: dict[tuple[str, int], dict[str, tuple[object, object]]] = {
            (c.sheet, c.row): {_CHANGE_FIELD.get(f, f): v for f, v in c.changes.items()} for c in plan.updated
        }

    # --- shape ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    # --- cells ---------------------------------------------------------------------------
    def severity(self, row: int) -> str:
        r = self.rows[row]
        ps = self.row_problems.get((r.sheet, r.row), [])
        if any(p.is_error for p in ps):
            return "error"
        return "warning" if ps else ""

    def field_at(self, column: int) -> str | None:
        return self.fields[column - 3] if column >= 3 else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        field = self.field_at(col)
        key = (r.sheet, r.row)
        if role == PROBLEM_ROLE:
            return self.severity(index.row())
        if col == 0:
            return self._status_data(index.row(), role)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 1:
                return r.sheet
            if col == 2:
                return r.row
            return r.raw.get(field or "", "")
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if field is None:
            return None
        problems = self.cell_problems.get((r.sheet, r.row, field), [])
        change = self.changes.get(key, {}).get(field)
        if role == Qt.ItemDataRole.BackgroundRole:
            if any(p.is_error for p in problems):
                return QBrush(ERROR_BG)
            if problems:
                return QBrush(WARNING_BG)
            if change is not None:
                return QBrush(CHANGED_BG)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and any(p.is_error for p in problems):
            return QBrush(ERROR_FG)
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [("Lỗi: " if p.is_error else "Cảnh báo: ") + p.reason for p in problems]
            if change is not None:
                lines.append(f"Thay đổi: «{_show(change[0])}» → «{_show(change[1])}»")
            return "\n".join(lines) or None
        return None

    def _status_data(self, row: int, role: int) -> object:
        r = self.rows[row]
        sev = self.severity(row)
        kind = "error" if sev == "error" else self.status.get((r.sheet, r.row), "skip")
        if role == Qt.ItemDataRole.DisplayRole:
            return STATUS_TEXT[kind]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(ERROR_BG) if sev == "error" else QBrush(WARNING_BG) if sev == "warning" else None
        if role == Qt.ItemDataRole.ToolTipRole:
            ps = self.row_problems.get((r.sheet, r.row), [])
            lines = [p.message() for p in ps]
            for f, (old, new) in self.changes.get((r.sheet, r.row), {}).items():
                lines.append(f"{FIELD_LABELS.get(f, f)}: «{_show(old)}» → «{_show(new)}»")
            return "\n".join(lines) or None
        return None


class ProblemFilter(QSortFilterProxyModel):
    """Show every row, or only rows with an error or a warning."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.only_problems = False

    def set_only_problems(self, on: bool) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.9; invalidateFilter() is deprecated there
            self.beginFilterChange()
            self.only_problems = on
            self.endFilterChange()
        else:
            self.only_problems = on
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self.only_problems:
            return True
        m = self.sourceModel()
        return bool(m.index(source_row, 0, source_parent).data(PROBLEM_ROLE))


def _show(v: object) -> str:
    from datetime import date

    if v is None:
        return ""
    if isinstance(v, date):
        return v.strftime("%d/%m/%Y")
    return str(v)
