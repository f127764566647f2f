"""The "Bắt đầu" panel: what a school that has never seen the demo does first, in order.

Shown in place of the class tree and grid while the year shown has no class; hidden as soon as one
exists (MainWindow.refresh_classes asks it after every import). The steps' actions belong to other
modules (staff, assignments): they are looked up by object name when clicked, so a step whose module
is absent says so instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..services import directory

if TYPE_CHECKING:
    from .main_window import MainWindow

TITLE = "Bắt đầu"


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    text: str
    button: str


STEPS = (
    Step("school", "Thông tin nhà trường", "Tên trường, mã trường trên CSDL ngành, địa chỉ: in trên mọi học bạ.",
         "Nhập thông tin trường…"),
    Step("staff", "Cán bộ, giáo viên", "Nhập danh sách từ CSDL ngành hoặc mẫu Excel, tạo tài khoản cho Hiệu trưởng "
         "và giáo viên.", "Danh sách cán bộ…"),
    Step("classes", "Danh sách lớp", "Nhập danh sách học sinh từng lớp từ tệp Excel (có mẫu để điền).",
         "Nhập danh sách lớp…"),
    Step("assignments", "Phân công GVCN, GVBM", "Mỗi lớp một GVCN, mỗi môn một hoặc nhiều GVBM: quyền nhập đánh giá "
         "và ký số theo đúng phân công này.", "Phân công…"),
)
# Actions of other modules, found at click time (they may be installed after this panel).
STEP_ACTIONS = {"staff": "action_staff", "assignments": "action_assignments"}


class StartPanel(QFrame):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.setObjectName("startPanel")
        self.buttons: dict[str, QPushButton] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 30, 40, 30)
        head = QLabel(f"<h2>{TITLE}</h2>Năm học này chưa có lớp nào. Để học bạ số chạy được, hãy làm lần lượt:")
        head.setWordWrap(True)
        outer.addWidget(head)
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(14)
        for i, step in enumerate(STEPS):
            number = QLabel(f"<b style='font-size:16pt'>{i + 1}</b>")
            number.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            label = QLabel(f"<b>{step.title}</b><br>{step.text}")
            label.setWordWrap(True)
            button = QPushButton(step.button)
            button.setObjectName(f"start_{step.key}")
            button.setMinimumWidth(200)
            button.clicked.connect(lambda _c=False, k=step.key: self.run(k))
            self.buttons[step.key] = button
            grid.addWidget(number, i, 0)
            grid.addWidget(label, i, 1)
            grid.addWidget(button, i, 2, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        outer.addLayout(grid)
        tail = QLabel("Sau đó giáo viên nhập đánh giá trong bảng của lớp; bảng hiện ra ở đây khi đã có lớp.")
        tail.setStyleSheet("color: #666")
        tail.setWordWrap(True)
        outer.addWidget(tail)
        outer.addStretch(1)
        self.last_dialog: QDialog | None = None  # the step's dialog, for checks

    # --- steps -------------------------------------------------------------------------------
    def run(self, key: str) -> bool:
        """Start one step; False (and a note) when its function is not in this program."""
        w = self.window_
        if key == "school":
            dlg = w.settings_ui.open()
            dlg.tabs.setCurrentWidget(dlg.school)
            dlg.open()  # window-modal, non-blocking: the panel stays responsive
            self.last_dialog = dlg
            return True
        if key == "classes":
            w.open_import_wizard()
            self.last_dialog = w.import_wizard
            return True
        action = w.findChild(QAction, STEP_ACTIONS[key])
        if action is None or not action.isEnabled():
            return self._missing(key)
        action.trigger()
        return True

    def _missing(self, key: str) -> bool:
        step = next(s for s in STEPS if s.key == key)
        QMessageBox.information(self, TITLE, f"Chức năng «{step.title}» chưa có trong phiên bản này của chương trình.")
        return False


class StartPanelHost:
    """Puts the panel and the usual body (tree + grid) in one stack as the central widget."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        # a main window without a body yet (checks that build only menus) gets an empty one
        body = window.takeCentralWidget() or QWidget()
        self.stack = QStackedWidget()
        self.stack.setObjectName("centralStack")
        self.body: QWidget = body
        self.panel = StartPanel(window)
        self.stack.addWidget(body)
        self.stack.addWidget(self.panel)
        window.setCentralWidget(self.stack)
        self.update()

    @property
    def showing(self) -> bool:
        return self.stack.currentWidget() is self.panel

    def update(self) -> None:
        w = self.window
        empty = not directory.classes(w.store, w.year)
        self.stack.setCurrentWidget(self.panel if empty else self.body)


def install_start_panel(window: MainWindow) -> StartPanelHost:
    return StartPanelHost(window)
