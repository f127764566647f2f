"""Import a grid workbook filled in Excel: choose the file → preview every changed cell → confirm.

Reading and validating run as an Op (gui/operations.py; the GUI stays responsive on a big class); the
preview is a dry run of the very same service the CLI uses, so what is shown is what will be written
— all of it, or nothing when any cell is refused (shown in red with its reason).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.roles import Actor
from ..services.grid_excel import CellChange, ImportReport, import_grid
from ..storage.engine import Store
from .dialogs import ask_open_path
from .operations import Changes, Lane, Op

_Index = QModelIndex | QPersistentModelIndex
REFUSED_BG = QColor("#f8d3d3")
REFUSED_FG = QColor("#8b0000")


class PreviewModel(QAbstractTableModel):
    """One row per changed cell: where, who, old → new; refused cells red with the reason."""

    HEADERS = ("Trang", "Dòng", "Học sinh", "Cột", "Cũ", "Mới", "Ghi chú")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.changes: list[CellChange] = []

    def set_changes(self, changes: Sequence[CellChange]) -> None:
        self.beginResetModel()
        # Refused cells first: they are what the teacher must fix.
        self.changes = sorted(changes, key=lambda c: c.ok)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt signature
        return 0 if parent.isValid() else len(self.changes)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.changes[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and not c.ok:
                return c.message
            return (c.sheet, c.excel_row, c.student or c.personal_id, c.column, _show(c.old), _show(c.new),
                    c.message if not c.ok else "")[col]
        if not c.ok and role == Qt.ItemDataRole.BackgroundRole:
            return REFUSED_BG
        if not c.ok and role == Qt.ItemDataRole.ForegroundRole:
            return REFUSED_FG
        return None


def _show(v: Any) -> str:
    return "" if v is None else str(v)


class GridImportDialog(QDialog):
    """`GridImportDialog(store, actor, parent)`; optionally pinned to the class/period on screen."""

    previewReady = Signal(object)  # ImportReport of the dry run
    imported = Signal(object)  # ImportReport of the real run (written)
    failed = Signal(str)  # unreadable file, another class's workbook…

    def __init__(self, store: Store, actor: Actor, parent: QWidget | None = None, *,
                 expect_class_id: int | None = None, expect_period: str | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.expect_class_id, self.expect_period = expect_class_id, expect_period
        self.report: ImportReport | None = None
        self._job: Op | None = None
        self.setWindowTitle("Nhập bảng đánh giá từ Excel")
        self.resize(980, 560)

        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.path_edit.setPlaceholderText("Chọn tệp Excel đã xuất từ phần mềm và điền ở nhà…")
        self.browse_button = QPushButton("Chọn tệp…")
        self.browse_button.clicked.connect(self.choose_file)
        top = QHBoxLayout()
        who = QLabel(f"Người nhập: {actor.name} ({actor.code})")
        who.setTextFormat(Qt.TextFormat.PlainText)  # a name is text, never HTML
        top.addWidget(who)
        top.addWidget(self.path_edit, 1)
        top.addWidget(self.browse_button)

        self.status = QLabel("Chưa chọn tệp.")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: reading + validating has no meaningful percentage
        self.progress.setVisible(False)

        self.preview_model = PreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.preview_model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        h.setStretchLastSection(True)
        for i, w in enumerate((110, 50, 170, 170, 110, 110)):
            self.table.setColumnWidth(i, w)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Ghi vào học bạ", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.close_button = self.buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.clicked.connect(self.confirm)
        self.close_button.clicked.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.progress)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.buttons)

    # --- actions ------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path = ask_open_path(self, "Chọn bảng đánh giá Excel", "", "Bảng tính Excel (*.xlsx)")
        if path:
            self.start_preview(path)

    def start_preview(self, path: str | Path) -> None:
        """Read and validate (dry run) in the background; previewReady or failed follows."""
        self.path_edit.setText(str(path))
        self.report = None
        self.preview_model.set_changes([])
        self._run(lambda: import_grid(self.store, self.actor, path, dry_run=True, expect_class_id=self.expect_class_id,
                                      expect_period=self.expect_period),
                  "Đang đọc và kiểm tra từng ô…", self._on_preview)

    def confirm(self) -> None:
        """Write everything shown (all or nothing), again off the GUI thread."""
        if self.report is None or not self.report.ok or not self.report.accepted or self.busy:
            return
        path = self.report.path
        self._run(lambda: import_grid(self.store, self.actor, path, dry_run=False, expect_class_id=self.expect_class_id,
                                      expect_period=self.expect_period),
                  "Đang ghi vào cơ sở dữ liệu…", self._on_imported, lane="db",
                  changes=Changes(records=True, grid=self.expect_class_id or 0))

    @property
    def busy(self) -> bool:
        return self._job is not None and self._job.running

    # --- plumbing -----------------------------------------------------------------------------
    def _run(self, fn: Callable[[], ImportReport], label: str, on_done: Callable[[ImportReport], None], *,
             lane: Lane = "cpu", changes: Changes | None = None) -> None:
        self._set_busy(True, label)
        # the dialog's own busy bar and status line show the work: no second (dialog) bar
        self._job = Op(self, lambda _ctx: fn(), lane=lane, changes=changes).without_dialog() \
            .success(on_done).failure(self._on_failed).run_in_background()

    def _set_busy(self, busy: bool, label: str = "") -> None:
        self.progress.setVisible(busy)
        self.browse_button.setEnabled(not busy)
        self.close_button.setEnabled(not busy)
        self.import_button.setEnabled(False)
        if label:
            self.status.setText(label)

    def _on_preview(self, report: ImportReport) -> None:
        self._set_busy(False)
        self.report = report
        self.preview_model.set_changes(report.changes)
        self.status.setText(report.summary())
        self._paint_status(report.ok)
        self.import_button.setEnabled(report.ok and bool(report.accepted))
        self.previewReady.emit(report)

    def _on_imported(self, report: ImportReport) -> None:
        self._set_busy(False)
        self.report = report
        self.preview_model.set_changes(report.changes)
        self.status.setText(report.summary())
        self._paint_status(report.ok)
        if report.written:
            self.imported.emit(report)
            self.accept()

    def _on_failed(self, message: str) -> None:
        self._set_busy(False)
        self.status.setText(message)
        self._paint_status(False)
        self.failed.emit(message)

    def _paint_status(self, ok: bool) -> None:
        self.status.setStyleSheet("" if ok else f"color: {REFUSED_FG.name()}; font-weight: bold;")

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        # Closing while a job runs would let it signal a deleted dialog: let the (short) job finish first.
        if self._job is not None:
            self._job.wait(60)
        super().done(result)


__all__ = ["GridImportDialog", "PreviewModel"]
