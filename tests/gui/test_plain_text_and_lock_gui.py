"""pytest-qt: message boxes show users' text and error messages as PLAIN text (issue 15: a teacher
cannot paint a fake "ĐÃ PHÊ DUYỆT" banner), and Lưu trữ › Khóa năm học confirms the lock with the
school's seal (PIN asked off the GUI thread), refusing it with a plain message when the PIN is wrong."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox

from hocbaso_desktop.gui.operations import WindowContext
from hocbaso_desktop.services import directory
from hocbaso_desktop.signing import ScriptedPinPrompt
from hocbaso_desktop.storage.engine import Store
from tests.archive.conftest import small_school, token  # noqa: F401
from tests.school_token import PIN

FAKE = "<b>ĐÃ PHÊ DUYỆT</b> bởi Phòng GD&ĐT"


def _shot(widget, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("HOCBASO_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


def test_show_error_shows_markup_literally(qtbot, tmp_path: Path) -> None:
    from hocbaso_desktop.gui.dialogs import plain_label, show_error, show_info

    parent = QMainWindow()
    qtbot.addWidget(parent)
    box = show_error(parent, "Lỗi", f"Yêu cầu «{FAKE}» không hợp lệ")
    assert box.textFormat() == Qt.TextFormat.PlainText and FAKE in box.text()
    assert box.icon() == QMessageBox.Icon.Warning and box.isVisible()
    _shot(box, tmp_path, "show_error_plain")
    box.close()
    assert show_info(parent, "Tin", FAKE).textFormat() == Qt.TextFormat.PlainText
    label = plain_label(FAKE)
    assert label.textFormat() == Qt.TextFormat.PlainText and label.text() == FAKE


@pytest.fixture
def window(qtbot, small_school: Path, tmp_path: Path, token):  # noqa: F811
    from hocbaso_desktop.gui.archive_menu import install_archive_ui

    db = tmp_path / "gui.sqlite3"
    shutil.copyfile(small_school, db)
    shutil.copyfile(Path(str(small_school) + ".audit-head"), Path(str(db) + ".audit-head"))
    token.activate()
    store = Store.open(db)
    w = QMainWindow()
    w.store = store
    actor = directory.actor(store, "HT", "2025-2026")
    WindowContext(w, actor=lambda: actor, year=lambda: "2025-2026")  # who acts, in which year
    install_archive_ui(w)
    qtbot.addWidget(w)
    yield w
    store.close()


def test_gui_lock_signs_with_the_seal_and_a_wrong_pin_locks_nothing(window, qtbot) -> None:
    from hocbaso_desktop.services.audit_heads import trust_for, verify_heads
    from hocbaso_desktop.services.year_lock import year_status

    ui = window.archive_ui
    ui.lock_year(prompt=ScriptedPinPrompt(lambda: "000000"))
    box = ui.last_message
    assert box.textFormat() == Qt.TextFormat.PlainText and "PIN" in box.text()
    assert not year_status(window.store, "2025-2026").locked
    box.close()
    ui.lock_year(prompt=ScriptedPinPrompt(lambda: PIN))
    assert "Đã khóa năm học 2025-2026" in ui.last_message.text()
    assert year_status(window.store, "2025-2026").locked
    with window.store.read() as s:
        report = verify_heads(s, trust_for(window.store))
    assert report.ok and report.checked >= 1, report.reason
