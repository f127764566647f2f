"""Học bạ › Nhập trích lục từ học bạ giấy… driven like a user (issue 17): the menu action, the form,
«Tạo bảng trống», the work on a worker thread, the refusal in Vietnamese with nothing written, the
teacher refused; the paper year never shows as a live year in the year selector."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from sqlalchemy import func, select

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.transcription_models import Transcription
from tests.pupil_school import CHI, new_school
from tests.transcription_xlsx import fill

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or "/tmp/shots")


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> Store:
    new_school(empty_store, tmp_path)
    return empty_store


def window(qtbot, store: Store, who: str) -> MainWindow:
    w = MainWindow(store, who)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.select_class("2A")
    return w


def transcriptions(store: Store) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(Transcription)).scalar()


def open_dialog(qtbot, w: MainWindow):
    action = w.findChild(QAction, "action_transcribe")
    assert action is not None and action in w.records_menu.actions()
    action.trigger()
    return w.transcription_ui.dialog


def test_transcribe_through_the_dialog(qtbot, school: Store, tmp_path: Path) -> None:
    live = directory.current_year_name(school)
    w = window(qtbot, school, "VP01")
    tv = w.current_view()
    row = next(i for i, r in enumerate(w.session.rows) if r.personal_id == CHI[3])
    tv.setCurrentIndex(tv.model().index(row, 0))
    d = open_dialog(qtbot, w)
    qtbot.waitUntil(d.isVisible)
    paper = f"{int(live[:4]) - 1}-{live[:4]}"
    # prefilled: the selected pupil, the year before the school's first year
    assert d.pid_edit.text() == CHI[3] and d.year_edit.text() == paper
    d.grade_spin.setValue(1)
    QTest.keyClicks(d.class_edit, "1A")
    QTest.keyClicks(d.ref_edit, "So 4-2024")
    assert d.write_template(str(tmp_path / "blank.xlsx"))
    assert "Đã tạo bảng trống" in d.status.toPlainText()

    # first a workbook with a bad cell: refused in the form, naming the cell, nothing written
    bad = fill(tmp_path / "blank.xlsx", tmp_path / "bad.xlsx", CHI[3], 1, cells={("Môn học", "Toán – Mức"): "X"})
    d.file_edit.setText(str(bad))
    job = d.start()
    qtbot.waitUntil(lambda: job.finished_flag, timeout=30000)
    qtbot.waitUntil(lambda: d.run_button.isEnabled())
    assert "Toán – Mức" in d.status.toPlainText() and "không ghi gì" in d.status.toPlainText()
    assert transcriptions(school) == 0

    good = fill(tmp_path / "blank.xlsx", tmp_path / "good.xlsx", CHI[3], 1)
    d.file_edit.setText(str(good))
    with qtbot.waitSignal(d.transcribed, timeout=30000):
        d.run_button.click()
    text = d.status.toPlainText()
    assert f"năm học {paper}, khối 1, lớp 1A, sổ So 4-2024" in text and "Hiệu trưởng ký" in text
    assert transcriptions(school) == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    d.grab().save(str(SHOTS / "transcribe.png"))
    # the paper year is not offered as a year to work in
    w.refresh_school()
    assert paper not in [w.year_combo.itemText(i) for i in range(w.year_combo.count())]


def test_teacher_gets_no_dialog(qtbot, school: Store) -> None:
    w = window(qtbot, school, "GV1")
    assert open_dialog(qtbot, w) is None
    assert "Không có quyền nhập trích lục từ học bạ giấy" in w.statusBar().currentMessage()
