"""The pupil form driven like a user: menu action, typing, ticking, Lưu, refusals kept in the form (issue 14)."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QLineEdit
from sqlalchemy import select

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.pupil_ui import PupilDialog
from hocbaso_desktop.services.pupil_profile import pupil_profile
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Enrolment, Record, Student
from tests.pupil_school import AN, DUNG, new_school

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or tempfile.mkdtemp(prefix="hocbaso-shots-"))
SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> Store:
    new_school(empty_store, tmp_path)
    return empty_store


def window(qtbot, store: Store, who: str, class_name: str) -> MainWindow:
    w = MainWindow(store, who)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.select_class(class_name)
    return w


def select_pupil(w: MainWindow, personal_id: str) -> None:
    tv = w.current_view()
    row = next(i for i, r in enumerate(w.session.rows) if r.personal_id == personal_id)
    tv.setCurrentIndex(tv.model().index(row, 0))


def open_form(qtbot, w: MainWindow) -> PupilDialog:
    action = w.findChild(type(w.pupil_ui.action), "action_pupil_profile")
    assert action is not None and action in w.pupil_ui.action.parent().findChildren(type(action))
    action.trigger()
    d = w.pupil_ui.dialog
    assert d is not None
    qtbot.waitUntil(d.isVisible)
    return d


def type_into(edit: QLineEdit, text: str) -> None:
    """Type like a user: ASCII by key events; Vietnamese letters as an input method commits them
    (QTest cannot synthesise non-ASCII key presses)."""
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)
    for ch in text:
        if ch.isascii():
            QTest.keyClicks(edit, ch)
        else:
            edit.insert(ch)


def test_menu_action_exists(qtbot, school: Store) -> None:
    w = window(qtbot, school, "VP01", "1A")
    menu = next(a.menu() for a in w.menuBar().actions() if a.menu() and a.menu().objectName() == "school_menu")
    assert "action_pupil_profile" in [a.objectName() for a in menu.actions()]


def test_clerk_fills_the_form_and_the_grid_follows(qtbot, school: Store) -> None:
    w = window(qtbot, school, "VP01", "1A")
    assert "NN1" not in [s.code for s in w.grid.subjects]
    select_pupil(w, AN[3])
    d = open_form(qtbot, w)
    d.grab().save(str(SHOTS / "pupil-form.png"))
    assert d.width() <= 1366 and d.height() <= 768
    type_into(d.findChild(QLineEdit, "pupil_moet_code"), "0123456789")
    type_into(d.findChild(QLineEdit, "pupil_register_no"), "15/2025")
    type_into(d.findChild(QLineEdit, "pupil_address"), "Số 7 Hoàng Văn Thụ")
    d.fields["enrolled_on"].setDate(QDate(2025, 9, 5))
    d.findChild(QCheckBox, "pupil_optional_NN1").click()
    d.findChild(QCheckBox, "pupil_exempt_GDTC").click()
    d.findChild(QCheckBox, "pupil_not_assessed").click()
    QTest.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not d.isVisible())
    p = pupil_profile(school, AN[3])
    assert (p.moet_code, p.register_no, p.address, p.not_assessed) == ("0123456789", "15/2025", "Số 7 Hoàng Văn Thụ", True)
    assert p.enrolled_on.isoformat() == "2025-09-05" and p.optional_subjects == {"NN1"} and p.exempt_subjects == {"GDTC"}
    # the grid was reloaded: NN1 is a column now, GDTC reads M, the explanation says what the GVCN does
    assert "NN1" in [s.code for s in w.grid.subjects]
    row = next(r for r in w.session.rows if r.personal_id == AN[3])
    assert row.subjects["GDTC"].level == "M" and row.proposal.result is None
    select_pupil(w, AN[3])
    w._update_explain()
    assert "kế hoạch giáo dục cá nhân" in w.explain.toPlainText()
    w.grab().save(str(SHOTS / "pupil-after-save.png"))


def test_refusal_is_shown_and_typing_kept(qtbot, school: Store) -> None:
    w = window(qtbot, school, "VP01", "1A")
    select_pupil(w, AN[3])
    d = open_form(qtbot, w)
    pid = d.findChild(QLineEdit, "pupil_personal_id")
    type_into(pid, "0012190")
    pid.insert("\u200b")
    QTest.keyClicks(pid, "12345")
    type_into(d.findChild(QLineEdit, "pupil_address"), "Số 9")
    QTest.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert d.isVisible() and "Mã định danh" in d.error_label.text()
    assert d.findChild(QLineEdit, "pupil_address").text() == "Số 9"
    d.grab().save(str(SHOTS / "pupil-form-refused.png"))
    assert pupil_profile(school, AN[3]).address == ""
    d.reject()


def test_gvcn_of_another_class_is_refused(qtbot, school: Store) -> None:
    w = window(qtbot, school, "GV1", "4A")  # GV1 is GVCN of 1A, not 4A
    select_pupil(w, DUNG[3])
    d = open_form(qtbot, w)
    type_into(d.findChild(QLineEdit, "pupil_address"), "Số 1")
    QTest.mouseClick(d.save_button, Qt.MouseButton.LeftButton)
    assert d.isVisible() and "lớp 4A" in d.error_label.text()
    d.reject()


def test_issued_pupil_form_is_read_only(qtbot, school: Store) -> None:
    with school.transaction("system") as tx:
        s = tx.session
        e = s.execute(select(Enrolment).join(Student).where(Student.personal_id == AN[3])).scalars().one()
        s.add(Record(enrolment_id=e.id, student_id=e.student_id, year_id=e.year_id, version=1, status="issued",
                     created_at=datetime.now(), content_xml=b"<x/>", signed_xml=b"<x/>"))
    w = window(qtbot, school, "HT", "1A")
    select_pupil(w, AN[3])
    d = open_form(qtbot, w)
    assert not d.save_button.isEnabled() and "đã phát hành" in d.error_label.text()
    assert not d.findChild(QLineEdit, "pupil_full_name").isEnabled()
    d.reject()


def test_double_click_on_the_name_opens_it_on_the_demo(qtbot, demo_store: Store) -> None:
    w = window(qtbot, demo_store, "VP01", "4A")
    tv = w.current_view()
    tv.setCurrentIndex(tv.model().index(0, 0))
    tv.doubleClicked.emit(tv.model().index(0, 0))
    d = w.pupil_ui.dialog
    assert d is not None and d.isVisible()
    assert d.profile.personal_id == w.session.rows[0].personal_id
    # grade 4: NN1 is compulsory, so the only optional choice is Tiếng dân tộc; KH can be exempted
    assert list(d.optional_boxes) == ["TDT"] and "KH" in d.exempt_boxes and "TNXH" not in d.exempt_boxes
    d.reject()
    QApplication.processEvents()
