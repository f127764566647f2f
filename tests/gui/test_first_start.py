"""First start of a real school: Enter at the start screen never creates the demo; the first account
can be Ban quản trị or Hiệu trưởng; the empty main window says what to do first ("Bắt đầu")."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from hocbaso_desktop.domain.roles import ADMIN, PRINCIPAL
from hocbaso_desktop.gui.app import ask_create_demo, make_start_box
from hocbaso_desktop.gui.login import FirstAdminDialog, login_flow
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.start_panel import STEPS
from hocbaso_desktop.services import accounts, class_import, directory
from hocbaso_desktop.storage.engine import Store

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or Path(tempfile.gettempdir()) / "hocbaso-shots")
PW = "Trường thật 2026 an toàn"


def test_enter_at_the_start_screen_does_not_create_the_demo(qtbot) -> None:  # noqa: ANN001
    box = make_start_box()
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    assert box.defaultButton().objectName() == "startReal"
    assert box.escapeButton().objectName() == "startReal"
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert box.clickedButton() is not None and box.clickedButton().objectName() == "startReal"


def test_enter_through_ask_create_demo_answers_no(qtbot) -> None:  # noqa: ANN001
    seen: list[str] = []

    def press_enter() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.grab().save(str(SHOTS / "start-box.png"))
        QTest.keyClick(box, Qt.Key.Key_Return)

    SHOTS.mkdir(parents=True, exist_ok=True)
    QTimer.singleShot(0, press_enter)
    assert ask_create_demo() is False
    assert seen and "trường mẫu" in seen[0]


def _first_account(qtbot, store: Store, role: str) -> None:  # noqa: ANN001
    def fill() -> None:
        w = QApplication.activeModalWidget()
        assert isinstance(w, FirstAdminDialog)
        w.role_combo.setCurrentIndex(w.role_combo.findData(role))
        w.code_edit.setText("qt")
        w.name_edit.setText("Đặng Thu Hà")
        w.new_edit.setText(PW)
        w.repeat_edit.setText(PW)
        qtbot.mouseClick(w.ok_button, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, fill)


def test_empty_school_first_account_then_start_panel(qtbot, empty_store: Store, tmp_path: Path,
                                                    _no_blocking_message_boxes) -> None:  # noqa: ANN001
    shown = _no_blocking_message_boxes
    _first_account(qtbot, empty_store, ADMIN)
    actor = login_flow(empty_store)
    assert actor is not None and actor.code == "QT" and actor.roles == {ADMIN}
    w = MainWindow(empty_store, actor.code, allow_actor_choice=False)
    qtbot.addWidget(w)
    w.show()
    host = w.start_panel
    assert host.showing and host.panel.isVisible()
    assert [host.panel.buttons[s.key].objectName() for s in STEPS] == [
        "start_school", "start_staff", "start_classes", "start_assignments"]
    host.panel.grab().save(str(SHOTS / "start-panel.png"))
    # 1: the settings dialog, on its school tab
    assert host.panel.run("school")
    dlg = host.panel.last_dialog
    assert dlg.tabs.currentWidget() is dlg.school
    dlg.reject()
    # 2 and 4: the other modules' actions, by object name; absent → said so, no crash
    for key, name in (("staff", "action_staff"), ("assignments", "action_assignments")):
        action = w.findChild(QAction, name)
        if action is None:
            shown.clear()
            assert not host.panel.run(key)
            assert shown and "chưa có" in shown[0][2]
        else:
            fired: list[bool] = []
            action.triggered.disconnect()
            action.triggered.connect(lambda *_a: fired.append(True))
            assert host.panel.run(key) and fired
    # 3: the class-list import wizard
    assert host.panel.run("classes")
    wizard = host.panel.last_dialog
    assert wizard is not None and wizard.isVisible()
    wizard.reject()
    # once classes exist the grid comes back
    wb = Workbook()
    ws = wb.active
    ws.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp", "Nơi ở hiện nay"])
    ws.append([1, "Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A", "Số 1 Trần Phú"])
    path = tmp_path / "ds.xlsx"
    wb.save(path)
    class_import.apply_import(empty_store, class_import.plan_import(empty_store, path), actor)
    w.refresh_school()  # what the wizard's "imported" signal does
    assert directory.classes(empty_store, w.year) and not host.showing


def test_first_account_as_principal(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    with Store.open(tmp_path / "ht.sqlite3") as store:
        _first_account(qtbot, store, PRINCIPAL)
        actor = login_flow(store)
        assert actor is not None and actor.roles == {PRINCIPAL}
        assert not accounts.needs_first_admin(store)


def test_the_demo_never_shows_the_panel(qtbot, demo_store) -> None:  # noqa: ANN001
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    assert not w.start_panel.showing
