"""Trợ giúp › Mở thư mục nhật ký opens the log folder (the URL asked of the desktop is checked, no file
manager started), says where the folder is when no file manager answers; and an error nobody caught
— in a slot, in a worker thread — is logged with its traceback and shown once, in Vietnamese, naming
the log file."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from hocbaso_desktop import logs
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.storage.engine import Store

SHOTS = Path("/tmp/shots")


def _help_titles(win: MainWindow) -> list[str]:
    menu = next(a.menu() for a in win.menuBar().actions() if a.menu() and a.text() == "Trợ &giúp")
    return [a.text() for a in menu.actions() if a.text()]


def test_open_log_folder_through_the_menu(qtbot, demo_store: Store, log_folder: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: asked.append(QUrl(url)) or True)
    win = MainWindow(demo_store, "HT")
    qtbot.addWidget(win)
    assert "Mở thư mục &nhật ký" in _help_titles(win)
    win.help_ui.log_action.trigger()
    assert asked == [QUrl.fromLocalFile(str(log_folder))]
    assert log_folder.is_dir()  # made first: a file manager cannot open what is not there


def test_no_file_manager_names_the_folder(qtbot, demo_store: Store, log_folder: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)
    shown: list[str] = []
    monkeypatch.setattr("hocbaso_desktop.gui.help_ui.show_error", lambda parent, title, text: shown.append(text))
    win = MainWindow(demo_store, "HT")
    qtbot.addWidget(win)
    win.help_ui.log_action.trigger()
    assert len(shown) == 1 and str(log_folder) in shown[0] and "Không mở được trình quản lý tệp" in shown[0]


def _boom() -> None:
    raise LookupError("lỗi thử của một khe (slot)")


@pytest.mark.qt_no_exception_capture  # the program's own hook is under test, not pytest-qt's
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_an_uncaught_error_is_logged_and_shown_once(qtbot, log_folder: Path) -> None:
    from hocbaso_desktop.gui.unexpected import TITLE, install_error_reporter

    path = logs.setup_logging("gui")
    reporter = install_error_reporter(QApplication.instance())
    QTimer.singleShot(0, _boom)  # a slot's bug: PySide hands it to sys.excepthook
    qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible(), timeout=5000)
    box = reporter.box
    assert box.windowTitle() == TITLE
    assert box.text() == f"Đã xảy ra lỗi không mong đợi. Chi tiết đã ghi vào nhật ký: {path}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    box.grab().save(str(SHOTS / "unexpected_error.png"))
    # a worker thread's error while the box is open: logged, no second box
    t = threading.Thread(target=_boom, name="luong-lam-viec")
    t.start()
    t.join()
    qtbot.wait(50)
    assert reporter.box is box
    for h in logging.getLogger().handlers:
        h.flush()
    text = path.read_text(encoding="utf-8")
    assert text.count("LookupError: lỗi thử của một khe (slot)") == 2 and "in _boom" in text
    assert "luong-lam-viec" in text
    box.close()


def test_no_password_in_the_log_after_a_gui_login(qtbot, empty_store: Store, log_folder: Path) -> None:
    from PySide6.QtCore import Qt

    from hocbaso_desktop.gui.login import LoginDialog
    from hocbaso_desktop.services import accounts

    path = logs.setup_logging("gui")
    password = "Hoa-Binh 2025!"  # typed key by key: QTest types ASCII only
    accounts.create_first_admin(empty_store, "QT", "Phạm Minh Tuấn", password)
    d = LoginDialog(empty_store)
    qtbot.addWidget(d)
    d.show()
    qtbot.keyClicks(d.code_edit, "qt")
    qtbot.keyClicks(d.password_edit, "sai-mat-khau 99")  # a wrong one first, then the right one + Enter
    qtbot.keyClick(d.password_edit, Qt.Key.Key_Return)
    assert d.actor is None
    qtbot.keyClicks(d.password_edit, password)
    qtbot.keyClick(d.password_edit, Qt.Key.Key_Return)
    assert d.actor is not None and d.actor.code == "QT"
    logging.getLogger("hocbaso.test").info("sau khi đăng nhập")  # the log was written to all along
    for h in logging.getLogger().handlers:
        h.flush()
    text = path.read_text(encoding="utf-8")
    assert "sau khi đăng nhập" in text
    assert password not in text and "Hoa-Binh" not in text and "sai-mat-khau" not in text
