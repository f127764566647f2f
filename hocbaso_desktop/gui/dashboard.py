"""Bảng điều khiển: the principal's view of the year's progress, per class (services/dashboard.py).

A Qt model/view table; the completeness and signing columns are drawn as colour bars by a delegate
(red → amber → green by share), so a glance finds the class that is behind. Loading is one read of
the store (a few hundred milliseconds for a whole school): done on the GUI thread on open and on
"Làm mới", never while a transaction is open.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QPainter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.catalogue import PERIODS, catalogue
from ..domain.errors import HocbasoError
from ..services.dashboard import ClassProgress, Dashboard, load_dashboard
from ..storage.engine import Store

BAR_ROLE = Qt.ItemDataRole.UserRole + 1  # a share 0..1 for the delegate
# (header, how to get the shown value, how to get the bar share or None)
COLUMNS: list[tuple[str, Any, Any]] = [
    ("Lớp", lambda c: c.name, None),
    ("GVCN", lambda c: c.homeroom, None),
    ("Sĩ số", lambda c: c.students, None),
    ("Nhập đánh giá", lambda c: f"{c.completeness:.0%} (thiếu {c.missing})", lambda c: c.completeness),
    ("GVCN đã ký", lambda c: c.signed.get("gvcn", 0), lambda c: _share(c.signed.get("gvcn", 0), c.students)),
    ("HT đã ký", lambda c: c.signed.get("principal", 0), lambda c: _share(c.signed.get("principal", 0), c.students)),
    ("Đã phát hành", lambda c: c.issued, lambda c: _share(c.issued, c.students)),
    ("Chờ gửi", lambda c: c.queued, None),
    ("Đã gửi lên", lambda c: c.uploaded, lambda c: _share(c.uploaded, c.students)),
    ("Đã lưu trữ", lambda c: "—" if c.archived is None else c.archived,
     lambda c: None if c.archived is None else _share(c.archived, c.students)),
]


def _share(n: int, of: int) -> float:
    return min(1.0, n / of) if of else 0.0


def bar_colour(share: float) -> QColor:
    if share >= 0.999:
        return QColor("#43A047")
    if share >= 0.5:
        return QColor("#FBC02D")
    return QColor("#E53935")


class DashboardModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ClassProgress] = []

    def set_dashboard(self, d: Dashboard) -> None:
        self.beginResetModel()
        self.rows = list(d.classes)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        _h, value, bar = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value(c))
        if role == BAR_ROLE:
            return bar(c) if bar else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter if index.column() >= 2 else Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return f"{c.cells_filled}/{c.cells_expected} ô đã nhập (mức đạt, điểm KTĐK, phẩm chất, năng lực, kết quả)"
        return None


class BarDelegate(QStyledItemDelegate):
    """A coloured bar behind the text, as long as the share."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        share = index.data(BAR_ROLE)
        if share is not None:
            r: QRect = option.rect.adjusted(3, 4, -3, -4)
            painter.save()
            painter.fillRect(r, QColor("#EEEEEE"))
            painter.fillRect(QRect(r.left(), r.top(), int(r.width() * float(share)), r.height()), QBrush(bar_colour(float(share))))
            painter.restore()
        super().paint(painter, option, index)


class DashboardDialog(QDialog):
    def __init__(self, parent: QWidget | None, store: Store, year: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard_dialog")
        self.setWindowTitle("Bảng điều khiển — tiến độ năm học")
        self.resize(1040, 460)
        self.store, self.year = store, year
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Kì đánh giá:"))
        self.period = QComboBox()
        for p in PERIODS:
            self.period.addItem(catalogue().periods[p], p)
        self.period.setCurrentIndex(len(PERIODS) - 1)
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())
        top.addWidget(self.period)
        top.addStretch(1)
        self.refresh_button = QPushButton("Làm mới")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(self.refresh_button)
        lay.addLayout(top)
        self.model = DashboardModel(self)
        self.view = QTableView()
        self.view.setObjectName("dashboard_table")
        self.view.setModel(self.model)
        self.view.setItemDelegate(BarDelegate(self.view))
        self.view.verticalHeader().setVisible(False)
        # every column as wide as its widest text ("100% (thiếu 0)" was cut to "100% (thiế…" when the
        # columns shared the width equally); the GVCN's name takes what is left
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.view.setAlternatingRowColors(True)
        lay.addWidget(self.view, 1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.dashboard: Dashboard | None = None
        self.refresh()

    def refresh(self) -> None:
        try:
            d = load_dashboard(self.store, self.period.currentData(), self.year)
        except HocbasoError as e:
            self.summary.setText(e.message)
            return
        self.dashboard = d
        self.model.set_dashboard(d)
        filled, expected = d.total("cells_filled"), d.total("cells_expected")
        self.summary.setText(
            f"Năm học {d.year}: {d.total('students')} học sinh, {len(d.classes)} lớp — đánh giá đã nhập "
            f"{filled}/{expected} ô ({(filled / expected if expected else 1):.1%}); đã phát hành {d.total('issued')}, "
            f"chờ gửi {d.total('queued')}, đã gửi {d.total('uploaded')}.\n{d.archive_note}")
