"""Nhà trường › Cán bộ, giáo viên…: driven through real widgets on a school set up from nothing, and once on
the demo. Screenshots of the list, the form with a refusal, and the import with row problems."""

from __future__ import annotations

import os
import tempfile
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialog

from hocbaso_desktop.domain.roles import ADMIN
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.school_menu import school_menu
from hocbaso_desktop.gui.staff_ui import LeaveDialog, StaffDialog, StaffFormDialog
from hocbaso_desktop.services import account_admin, accounts, staff_admin
from hocbaso_desktop.storage.engine import Store
from tests.staff_fixtures import PEOPLE, write_csdl_giaovien

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or Path(tempfile.gettempdir()) / "hocbaso-shots")
PW = "Hòa Bình 2025!"


def shot(widget, name: str) -> None:  # noqa: ANN001
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


@pytest.fixture
def school(empty_store: Store) -> Store:
    accounts.create_first_admin(empty_store, "QT01", "Phạm Minh Tuấn", PW, role=ADMIN)
    return empty_store


def window(qtbot, store: Store, code: str) -> MainWindow:  # noqa: ANN001
    w = MainWindow(store, code)
    qtbot.addWidget(w)
    return w


def open_by_action(qtbot, w: MainWindow) -> StaffDialog:  # noqa: ANN001
    """Trigger the menu action; the modal dialog is grabbed and closed from a timer, as a user would see it."""
    action = w.findChild(QAction, "action_staff")
    assert action is not None and action in school_menu(w).actions() and action.text() == "Cán bộ, giáo viên…"
    seen: list[StaffDialog] = []

    def grab() -> None:
        d = QApplication.activeModalWidget()
        assert isinstance(d, StaffDialog)
        seen.append(d)
        d.accept()

    QTimer.singleShot(0, grab)
    action.trigger()
    assert seen
    dlg = w.staff_ui.open()
    qtbot.addWidget(dlg)
    return dlg


def fill(form: StaffFormDialog, qtbot, **values: str) -> None:  # noqa: ANN001
    for name, text in values.items():
        edit = getattr(form, name)
        edit.clear()
        edit.setFocus()
        if text.isascii():
            qtbot.keyClicks(edit, text)
        else:  # QTest cannot synthesise keys for "ị", "ễ"…: insert as an input method would
            edit.insert(text)


def test_add_edit_leave_through_the_dialog(qtbot, school: Store) -> None:  # noqa: ANN001
    w = window(qtbot, school, "QT01")
    dlg = open_by_action(qtbot, w)
    assert dlg.codes() == ["QT01"]

    form = dlg.form()
    qtbot.addWidget(form)
    fill(form, qtbot, name_edit="Trần Thị Mai", birth_edit="20/07/1988", pid_edit="0123", email_edit="mai@th.edu.vn")
    form.sex_combo.setCurrentText("Nữ")
    form.position_combo.setCurrentText("Giáo viên")
    form.role_boxes["homeroom"].setChecked(True)
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    # refused: the message names the field, the dialog stays open with what was typed
    assert "Số định danh" in form.message.text() and "12 chữ số" in form.message.text()
    assert form.result() != QDialog.DialogCode.Accepted and form.name_edit.text() == "Trần Thị Mai"
    form.show()
    shot(form, "staff-form-refused.png")
    fill(form, qtbot, pid_edit="001188003456")
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert form.result() == QDialog.DialogCode.Accepted, form.message.text()
    assert "mã tự đặt GV001" in dlg.message.text()
    assert dlg.row_texts("GV001") == ("GV001", "Trần Thị Mai", "Giáo viên", "GVCN", "001188003456", "đang làm việc")

    dlg.select("GV001")
    edit = dlg.form(dlg.selected())
    qtbot.addWidget(edit)
    assert edit.code_edit.isReadOnly() and edit.pid_edit.text() == "001188003456"
    edit.role_boxes["subject"].setChecked(True)
    qtbot.mouseClick(edit.ok_button, Qt.MouseButton.LeftButton)
    assert edit.result() == QDialog.DialogCode.Accepted
    assert dlg.row_texts("GV001")[3] == "GVCN, GVBM"

    dlg.select("GV001")
    leave = LeaveDialog(dlg.selected(), dlg)
    qtbot.addWidget(leave)
    leave.show()
    shot(leave, "staff-leave.png")
    assert dlg.deactivate_selected(date(2025, 12, 31), "Chuyển công tác")
    assert dlg.row_texts("GV001")[5] == "đã nghỉ (31/12/2025)"
    row = next(i for i, r in enumerate(dlg.model.rows) if r.code == "GV001")
    brush = dlg.model.data(dlg.model.index(row, 1), Qt.ItemDataRole.ForegroundRole)
    assert brush is not None and brush.color().lightness() > 100  # shown grey, as the dialog says
    assert "GV001" not in {r.code for r in staff_admin.assignable_staff(school)}
    dlg.show()
    shot(dlg, "staff-dialog.png")


def test_import_shows_row_problems_and_writes_nothing_then_imports(qtbot, school: Store, tmp_path: Path) -> None:  # noqa: ANN001
    w = window(qtbot, school, "QT01")
    dlg = open_by_action(qtbot, w)
    people = list(PEOPLE)
    people[2] = (*people[2][:4], "0123", *people[2][5:])
    bad = write_csdl_giaovien(tmp_path / "loi.xlsx", people)
    assert dlg.import_file(bad) is None
    assert "dòng 7: Số CCCD/Số định danh cá nhân «0123» không hợp lệ" in dlg.problems.toPlainText()
    assert dlg.codes() == ["QT01"] and "Chưa ghi gì" in dlg.message.text()
    dlg.show()
    shot(dlg, "staff-import-problems.png")
    res = dlg.import_file(write_csdl_giaovien(tmp_path / "CSDL_GiaoVien.xlsx"))
    assert res is not None and res.added == 7
    assert "Mã tự đặt: GV001\tTrần Thị Mai" in dlg.problems.toPlainText()
    assert "7901001" in dlg.codes() and dlg.row_texts("7901001")[3] == "Hiệu trưởng"
    out = dlg.export_template(tmp_path / "mau")
    assert out == tmp_path / "mau.xlsx" and out.exists()


def test_a_teacher_sees_the_refusal(qtbot, school: Store) -> None:  # noqa: ANN001
    qt = accounts.authenticate(school, "QT01", PW)
    account_admin.create_account(school, qt, "GV01", "tạm-thời-123", full_name="Trần Thị Mai", roles=["subject"])
    accounts.change_own_password(school, "GV01", "tạm-thời-123", "giáo-viên-mai-1")
    w = window(qtbot, school, "GV01")
    dlg = w.staff_ui.open()
    qtbot.addWidget(dlg)
    assert "bạn chỉ xem" in dlg.message.text()
    form = dlg.form()
    qtbot.addWidget(form)
    fill(form, qtbot, name_edit="Lê Văn Nam")
    qtbot.mouseClick(form.ok_button, Qt.MouseButton.LeftButton)
    assert "Không có quyền quản lý danh sách cán bộ" in form.message.text()
    dlg.select("QT01")
    assert not dlg.deactivate_selected(date(2025, 9, 1), "x") and "Không có quyền" in dlg.message.text()
    assert staff_admin.get_staff(school, "QT01").active


def test_on_the_demo(qtbot, demo_store: Store) -> None:  # noqa: ANN001
    w = window(qtbot, demo_store, "HT")
    dlg = w.staff_ui.open()
    qtbot.addWidget(dlg)
    assert "HT" in dlg.codes() and dlg.row_texts("HT")[5] == "đang làm việc"
