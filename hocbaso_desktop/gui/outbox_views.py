"""The outbox's views: the queue per class (state, attempts, next try, receipt) and the deadlines
per class. Qt model/view over frozen snapshots from services/outbox_service.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..services import directory, outbox_service
from ..services.outbox_service import EVENT_TITLES, ClassDeadline, QueueRow
from ..storage.engine import Store

_STATE_COLOURS = {"failed": "#f8d7da", "superseded": "#e2e3e5", "sent": "#d1e7dd", "sending": "#fff3cd"}
_LEVEL_COLOURS = {"overdue": "#f8d7da", "soon": "#fff3cd", "ok": None}


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%d/%m/%Y %H:%M:%S") if ts else ""


class _TableModel(QAbstractTableModel):
    """Rows are frozen dataclasses; `columns` are (title, getter) pairs."""

    columns: Sequence[tuple[str, Callable[[Any], Any]]] = ()

    def __init__(self, rows: list[Any] | None = None) -> None:
        super().__init__()
        self.rows: list[Any] = rows or []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section][0]
        return None

    def background(self, row: Any) -> str | None:
        return None

    def tooltip(self, row: Any) -> str | None:
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.columns[index.column()][1](row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = self.background(row)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row)
        return None


class QueueModel(_TableModel):
    columns = (
        ("Lớp", lambda r: r.class_name),
        ("Học sinh", lambda r: r.student_name),
        ("Sự kiện", lambda r: EVENT_TITLES.get(r.event, r.event)),
        ("Phiên bản", lambda r: r.version),
        ("Trạng thái", lambda r: r.state_title),
        ("Số lần thử", lambda r: r.attempts),
        ("Lần thử tới", lambda r: _when(r.next_try_at)),
        ("Biên nhận", lambda r: r.receipt),
        ("Lỗi gần nhất", lambda r: r.last_error),
    )

    def background(self, row: QueueRow) -> str | None:
        return _STATE_COLOURS.get(row.state)

    def tooltip(self, row: QueueRow) -> str | None:
        return row.last_error or None


class DeadlineModel(_TableModel):
    columns = (
        ("Lớp", lambda r: r.class_name),
        ("Khối", lambda r: r.grade),
        ("Sĩ số", lambda r: r.students),
        ("Chưa phát hành", lambda r: r.not_issued),
        ("Chưa gửi", lambda r: r.unsent),
        ("Đã gửi", lambda r: r.sent),
        ("Hạn chính", lambda r: f"{r.main_due:%d/%m/%Y}" if r.main_due else ""),
        ("Hạn cuối", lambda r: f"{r.final_due:%d/%m/%Y}" if r.final_due else ""),
        ("Cảnh báo", lambda r: r.warning.text),
    )

    def background(self, row: ClassDeadline) -> str | None:
        return _LEVEL_COLOURS.get(row.warning.level)


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class QueueDialog(QDialog):
    """Hàng chờ gửi, filtered per class; "Gửi lại" makes refused entries due again."""

    def __init__(self, store: Store, parent: QWidget | None = None, *, actor: str = "system",
                 class_id: int | None = None) -> None:
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.setWindowTitle("Hàng chờ gửi học bạ về CSDL ngành")
        self.resize(1100, 560)
        self.class_combo = QComboBox()
        self.class_combo.addItem("Tất cả các lớp", None)
        for c in directory.classes(store):
            self.class_combo.addItem(f"Lớp {c.name}", c.id)
        if class_id is not None:
            self.class_combo.setCurrentIndex(max(0, self.class_combo.findData(class_id)))
        self.class_combo.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        self.model = QueueModel()
        self.view = _table(self.model)
        self.retry_button = QPushButton("Gửi lại các gói bị từ chối")
        self.retry_button.clicked.connect(self.retry_failed)
        refresh = QPushButton("Làm mới")
        refresh.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel("Lớp:"))
        top.addWidget(self.class_combo)
        top.addStretch(1)
        top.addWidget(self.retry_button)
        top.addWidget(refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view)
        lay.addWidget(self.summary)
        lay.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        rows = outbox_service.queue_rows(self.store, self.class_combo.currentData())
        self.model.set_rows(rows)
        by_state: dict[str, int] = {}
        for r in rows:
            by_state[r.state_title] = by_state.get(r.state_title, 0) + 1
        self.summary.setText(" · ".join(f"{k}: {v}" for k, v in by_state.items()) or "Chưa có gói tin nào.")
        self.retry_button.setEnabled(any(r.state == "failed" for r in rows))

    def retry_failed(self) -> None:
        ids = [r.entry_id for r in self.model.rows if r.state == "failed"]
        n = outbox_service.retry_failed(self.store, self.actor, ids)
        self.summary.setText(f"Đã đưa {n} gói tin trở lại hàng chờ.")
        self.refresh()


class DeadlineDialog(QDialog):
    """What is still unsent per class against the year's deadlines (province defaults or settings)."""

    def __init__(self, store: Store, parent: QWidget | None = None, *, year: str | None = None) -> None:
        super().__init__(parent)
        self.store, self.year = store, year
        self.setWindowTitle("Hạn gửi học bạ về CSDL ngành")
        self.resize(1000, 520)
        self.model = DeadlineModel()
        self.view = _table(self.model)
        self.note = QLabel()
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view)
        lay.addWidget(self.note)
        lay.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        rows = outbox_service.deadline_report(self.store, self.year)
        self.model.set_rows(rows)
        urgent = [r for r in rows if r.warning.level != "ok"]
        self.note.setText(
            (f"{len(urgent)} lớp cần chú ý. " if urgent else "Không có lớp nào sắp đến hạn. ")
            + "Hạn mặc định theo kế hoạch của Sở (30/6 và 15/8, hoặc hạn riêng của tỉnh); "
            "trường có thể đặt hạn riêng ở Công cụ › Cài đặt › Năm học.")
