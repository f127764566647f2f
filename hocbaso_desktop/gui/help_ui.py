"""`install_help_ui(window)`: Trợ giúp › Hướng dẫn sử dụng (F1) opens the Vietnamese user guide;
Trợ giúp › Mở thư mục nhật ký opens the folder of the log file (hocbaso_desktop/logs.py) in the file
manager, so a school can send it to whoever supports them.

The guide is Markdown with screenshots in docs/huong-dan/, shipped inside the bundle. It is shown
in a QTextBrowser rather than handed to a web browser: a school PC may have no default browser
for .md files, and the guide must work offline; links between the role pages are followed in place.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDialog, QHBoxLayout, QMainWindow, QMenu, QPushButton, QTextBrowser, QVBoxLayout

from .. import logs
from ..paths import guide_dir
from .dialogs import show_error

INDEX = "README.md"


class GuideDialog(QDialog):
    def __init__(self, parent: QMainWindow | None = None, page: str = INDEX) -> None:
        super().__init__(parent)
        self.setWindowTitle("Hướng dẫn sử dụng — Học bạ số")
        self.setObjectName("guideDialog")
        self.resize(900, 680)
        lay = QVBoxLayout(self)
        self.view = QTextBrowser()
        self.view.setObjectName("guideView")
        self.view.setOpenExternalLinks(True)
        self.view.setSearchPaths([str(guide_dir())])
        lay.addWidget(self.view)
        row = QHBoxLayout()
        home = QPushButton("Trang đầu")
        home.clicked.connect(lambda: self.show_page(INDEX))
        back = QPushButton("Quay lại")
        back.clicked.connect(self.view.backward)
        ext = QPushButton("Mở thư mục hướng dẫn")
        ext.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(guide_dir()))))
        close = QPushButton("Đóng")
        close.clicked.connect(self.accept)
        for b in (home, back, ext):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        lay.addLayout(row)
        self.show_page(page)

    def show_page(self, page: str) -> None:
        path = guide_dir() / page
        if path.is_file():
            self.view.setSource(QUrl.fromLocalFile(str(path)))
        else:
            self.view.setMarkdown(f"# Không tìm thấy hướng dẫn\n\nThiếu tệp `{path}`. Hãy cài đặt lại chương trình.")


def help_menu(window: QMainWindow) -> QMenu:
    for act in window.menuBar().actions():
        menu = act.menu()
        if isinstance(menu, QMenu) and act.text().replace("&", "") in ("Trợ giúp", "Help"):
            return menu
    return window.menuBar().addMenu("Trợ &giúp")


class HelpUi:
    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.dialog: GuideDialog | None = None
        self.action = QAction("&Hướng dẫn sử dụng", window)
        self.action.setObjectName("guideAction")
        self.action.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.action.triggered.connect(lambda _checked=False: self.open())  # not `checked` as the page
        menu = help_menu(window)
        first = menu.actions()[0] if menu.actions() else None
        self._put(menu, first, self.action)  # before "Giới thiệu"
        self.log_action = QAction("Mở thư mục &nhật ký", window)
        self.log_action.setObjectName("openLogFolderAction")
        self.log_action.triggered.connect(lambda _checked=False: self.open_log_folder())
        self._put(menu, first, self.log_action)

    @staticmethod
    def _put(menu: QMenu, before: QAction | None, action: QAction) -> None:
        if before is None:
            menu.addAction(action)
        else:
            menu.insertAction(before, action)

    def open_log_folder(self) -> bool:
        folder = logs.log_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # a file manager cannot open what is not there
        except OSError as e:
            show_error(self.window, "Mở thư mục nhật ký", f"Không tạo được thư mục nhật ký {folder}: {e.strerror or e}")
            return False
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            show_error(self.window, "Mở thư mục nhật ký",
                       f"Không mở được trình quản lý tệp. Thư mục nhật ký là:\n{folder}")
            return False
        return True

    def open(self, page: str = INDEX) -> GuideDialog:
        if self.dialog is None:
            self.dialog = GuideDialog(self.window, page if isinstance(page, str) else INDEX)
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog


def install_help_ui(window: QMainWindow) -> HelpUi:
    ui = HelpUi(window)
    window.help_ui = ui  # type: ignore[attr-defined]
    return ui
