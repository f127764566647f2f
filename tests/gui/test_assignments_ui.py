"""Nhà trường › Phân công GVCN, GVBM… offscreen on a school set up from nothing: the action in the
menu, values picked in the delegates' editors, one audited save, a refusal that keeps the edits and
paints the cells, the GVCN convenience, read-only for a teacher, Excel out and in, the window's
rights rebuilt after saving, and a screenshot at 1366×768."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QComboBox

from hocbaso_desktop.gui.assignments_ui import AssignmentsDialog, CheckList
from hocbaso_desktop.gui.fonts import install_ui_font
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.school_menu import school_menu
from hocbaso_desktop.services import assignments as A
from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Staff
from tests.assign_school import YEAR, build_school

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or Path(tempfile.gettempdir()) / "hocbaso-shots")


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(build_school(tmp_path / "school.sqlite3"))
    yield s
    s.close()


def make_window(qtbot, store: Store, code: str) -> MainWindow:
    QApplication.instance().setFont(install_ui_font())
    w = MainWindow(store, code)
    qtbot.addWidget(w)
    w.show()
    return w


def open_dialog(window: MainWindow) -> AssignmentsDialog:
    action = next(a for a in school_menu(window).actions() if a.objectName() == "action_assignments")
    assert action.text() == "Phân công GVCN, GVBM…"
    action.trigger()
    dlg = window.assignments_ui.dialog
    assert isinstance(dlg, AssignmentsDialog) and dlg.isVisible()
    return dlg


def pick_homeroom(qtbot, dlg: AssignmentsDialog, cls: str, code: str) -> None:
    idx = dlg.model.cell(cls, A.GVCN)
    dlg.view.setCurrentIndex(idx)
    dlg.view.edit(idx)
    box = dlg.view.findChild(QComboBox, "homeroomCombo")
    assert box is not None
    i = box.findData(code)
    assert i > 0, [box.itemText(k) for k in range(box.count())]
    box.setCurrentIndex(i)
    box.activated.emit(i)  # what a click on the item does: commits and closes
    qtbot.waitUntil(lambda: dlg.view.state() != QAbstractItemView.State.EditingState, timeout=60_000)


def tick_teachers(qtbot, dlg: AssignmentsDialog, cls: str, subject: str, codes: list[str]) -> list[str]:
    idx = dlg.model.cell(cls, subject)
    dlg.view.setCurrentIndex(idx)
    dlg.view.edit(idx)
    editor = dlg.view.findChild(CheckList, "assignmentCheckList")
    assert editor is not None and editor.isVisible()
    labels = [editor.item(i).text() for i in range(editor.count())]
    for code in codes:
        row = next(i for i, t in enumerate(labels) if t.startswith(code + " – "))
        rect = editor.visualItemRect(editor.item(row))
        QTest.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits and closes (queued)
    qtbot.waitUntil(lambda: dlg.view.state() != QAbstractItemView.State.EditingState, timeout=60_000)
    return labels


def rows(store: Store) -> set[str]:
    return {r.tsv() for r in A.list_assignments(store, YEAR)}


def test_pick_in_the_editors_save_and_rights_follow(qtbot, store: Store) -> None:
    window = make_window(qtbot, store, "HT")  # the principal may assign, and may teach
    assert window.actor.teaches == frozenset()
    dlg = open_dialog(window)
    assert dlg.year == YEAR and dlg.model.rowCount() == 3
    # subjects the grade lacks are disabled and read «—»
    kh = dlg.model.cell("2A", "KH")
    assert dlg.model.data(kh) == "—" and not (dlg.model.flags(kh) & Qt.ItemFlag.ItemIsEnabled)
    assert dlg.model.flags(dlg.model.cell("4A", "KH")) & Qt.ItemFlag.ItemIsEditable
    pick_homeroom(qtbot, dlg, "1A", "GV001")
    labels = tick_teachers(qtbot, dlg, "1A", "TOAN", ["GV003", "HT"])
    assert "GV001 – Trần Thị Mai" in labels and not any(x.startswith(("GV009", "VP01", "QT01")) for x in labels)
    assert dlg.model.data(dlg.model.cell("1A", "TOAN")) == "GV003, HT"
    assert dlg.model.data(dlg.model.cell("1A", A.GVCN)) == "GV001"
    assert dlg.cell_info.text() == "Lớp 1A · Toán: GV003 – Hoàng Thị Lan; HT – Nguyễn Văn Hiệu"
    assert rows(store) == set()  # nothing written before Lưu
    QTest.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert rows(store) == {"1A\tGVCN\tGV001", "1A\tTOAN\tGV003", "1A\tTOAN\tHT"}
    assert "Đã lưu phân công" in dlg.message.text() and not dlg.model.dirty
    # the window's actor was rebuilt from the new rows
    assert window.actor.teaches == {(directory.find_class(store, "1A").id, "TOAN")}


def test_refusal_keeps_the_edits_and_paints_the_cells(qtbot, store: Store) -> None:
    qt = directory.actor(store, "QT01")
    A.set_homeroom(store, qt, "2A", "GV002")
    A.add_subject_teacher(store, qt, "2A", "TOAN", "GV004")
    with store.transaction("system") as tx:  # GV004 leaves after being assigned
        tx.session.query(Staff).filter(Staff.code == "GV004").update({"active": False})
        tx.audit("test.leave", "staff", "GV004", {})
    window = make_window(qtbot, store, "QT01")
    dlg = open_dialog(window)
    pick_homeroom(qtbot, dlg, "1A", "GV001")
    before = rows(store)
    QTest.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert rows(store) == before  # nothing written
    assert "Không lưu" in dlg.message.text() and dlg.problems.isVisible()
    assert "Lớp 2A, Toán: GV004 – Vũ Minh Tâm đã nghỉ" in dlg.problems.toPlainText()
    bad = dlg.model.cell("2A", "TOAN")
    assert dlg.model.data(bad, Qt.ItemDataRole.BackgroundRole).color().name() == "#ffd6d6"
    assert dlg.model.data(dlg.model.cell("1A", A.GVCN)) == "GV001"  # the edit is still there
    # the left teacher shows in the editor, marked, and can be unticked
    labels = tick_teachers(qtbot, dlg, "2A", "TOAN", ["GV004", "GV003"])
    assert any(x.startswith("GV004") and "không còn phân công được" in x for x in labels)
    QTest.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert {"1A\tGVCN\tGV001", "2A\tTOAN\tGV003"} <= rows(store) and "2A\tTOAN\tGV004" not in rows(store)


def test_give_unassigned_subjects_to_the_homeroom_teacher(qtbot, store: Store) -> None:
    window = make_window(qtbot, store, "QT01")
    dlg = open_dialog(window)
    pick_homeroom(qtbot, dlg, "2A", "GV002")
    tick_teachers(qtbot, dlg, "2A", "AN", ["GV003"])
    QTest.mouseClick(dlg.fill_button, Qt.MouseButton.LeftButton)
    assert dlg.model.data(dlg.model.cell("2A", "TOAN")) == "GV002"
    assert dlg.model.data(dlg.model.cell("2A", "AN")) == "GV003"
    assert dlg.model.data(dlg.model.cell("2A", "NN1")) == ""  # optional, nobody takes it: left alone
    assert "1A" in dlg.message.text() and rows(store) == set()  # 1A has no GVCN yet; nothing saved
    QTest.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    assert "2A\tTV\tGV002" in rows(store) and "2A\tAN\tGV003" in rows(store)


def test_a_teacher_only_looks(qtbot, store: Store) -> None:
    A.set_homeroom(store, directory.actor(store, "QT01"), "1A", "GV001")
    window = make_window(qtbot, store, "GV001")
    dlg = open_dialog(window)
    idx = dlg.model.cell("1A", A.GVCN)
    assert dlg.model.data(idx) == "GV001" and not (dlg.model.flags(idx) & Qt.ItemFlag.ItemIsEditable)
    assert not dlg.save_button.isEnabled() and "Chỉ xem" in dlg.note.text()
    assert not dlg.model.setData(idx, ["GV002"])


def test_export_then_import_from_excel(qtbot, store: Store, tmp_path: Path) -> None:
    window = make_window(qtbot, store, "QT01")
    dlg = open_dialog(window)
    out = dlg.export_template(tmp_path / "pc.xlsx")
    assert out is not None and out.exists() and "Đã tạo mẫu" in dlg.message.text()
    wb = load_workbook(out)
    ws = wb["Phân công"]
    cols = {c.value: c.column for c in ws[2] if c.value}
    r4 = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "4A")
    ws.cell(r4, cols["GVCN"]).value = "GV002"
    ws.cell(r4, cols["Khoa học"]).value = "GV003, GV004"
    wb.save(out)
    report = dlg.import_excel(out)
    assert report is not None and report.ok
    assert dlg.model.data(dlg.model.cell("4A", "KH")) == "GV003, GV004"
    assert {"4A\tGVCN\tGV002", "4A\tKH\tGV003", "4A\tKH\tGV004"} == rows(store)
    # a bad workbook: lines shown, nothing written
    ws.cell(r4, cols["Tin học"]).value = "GV777"
    wb.save(out)
    report = dlg.import_excel(out)
    assert report is not None and not report.ok and "cột «Tin học»: không có cán bộ mã GV777" in dlg.problems.toPlainText()
    # unsaved edits block an import (it would overwrite them)
    pick_homeroom(qtbot, dlg, "1A", "GV001")
    assert dlg.import_excel(out) is None and "chưa lưu" in dlg.message.text()


def test_screenshot_at_1366x768(qtbot, store: Store) -> None:
    qt = directory.actor(store, "QT01")
    A.set_homeroom(store, qt, "1A", "GV001", teach_unassigned=True)
    A.add_subject_teacher(store, qt, "1A", "TOAN", "GV003")
    A.set_homeroom(store, qt, "4A", "GV002", teach_unassigned=True)
    A.add_subject_teacher(store, qt, "4A", "TIN", "GV004")
    window = make_window(qtbot, store, "QT01")
    window.resize(1366, 768)
    dlg = open_dialog(window)
    dlg.resize(1340, 700)
    dlg.view.setCurrentIndex(dlg.model.cell("1A", "TOAN"))
    qtbot.wait(50)
    # every column fits without scrolling sideways, the class names stay visible
    hh = dlg.view.horizontalHeader()
    assert hh.length() <= dlg.view.viewport().width(), (hh.length(), dlg.view.viewport().width())
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dlg.grab().save(str(SHOTS / "assignments.png"))
    # the check list of a subject cell, open over the cells below it
    idx = dlg.model.cell("4A", "TIN")
    dlg.view.setCurrentIndex(idx)
    dlg.view.edit(idx)
    editor = dlg.view.findChild(CheckList, "assignmentCheckList")
    assert editor is not None and editor.width() >= 260 and editor.height() > 3 * editor.sizeHintForRow(0)
    assert editor.codes() == ["GV002", "GV004"]
    qtbot.wait(50)
    assert dlg.grab().save(str(SHOTS / "assignments-editor.png"))
