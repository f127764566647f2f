"""Học bạ › In học bạ cả cấp… (issue 17) driven through its QAction: the book of the selected pupil
made off the GUI thread and shown page by page; a teacher of another class and a pupil with nothing
issued get a message, no pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hocbaso_desktop.gui.book_ui import BookPreviewDialog
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from tests.book_school import NEXT_CLASS, NEXT_YEAR, YEAR, BookSchool, book_school
from tests.transfer_schools import copy_db

SHOTS = Path("/tmp/shots")


@pytest.fixture(scope="module")
def school(demo_template: Path) -> BookSchool:
    return book_school(demo_template)


@pytest.fixture
def store(school: BookSchool, tmp_path: Path):
    st = Store.open(copy_db(school.db, tmp_path / "book.sqlite3"))
    yield st
    st.close()


def _window(qtbot, store: Store, code: str) -> MainWindow:  # noqa: ANN001
    w = MainWindow(store)
    qtbot.addWidget(w)
    w.year_combo.setCurrentIndex(w.year_combo.findText(NEXT_YEAR))
    assert w.year == NEXT_YEAR
    w.set_acting(code)
    assert w.actor.code == code
    assert w.select_class(NEXT_CLASS)
    return w


def test_book_from_the_menu(qtbot, store: Store, school: BookSchool, tmp_path: Path) -> None:  # noqa: ANN001
    w = _window(qtbot, store, "HT")
    act = w.book_ui.action
    assert act in w.records_menu.actions()
    assert w.records_menu.actions().index(act) == 1  # beside the one-year preview
    row = next(i for i, r in enumerate(w.session.rows) if r.personal_id == school.two_years_pid)
    w.current_view().setCurrentIndex(w.current_view().model().index(row, 0))
    act.trigger()
    dlg: BookPreviewDialog = w.book_ui.dialog
    qtbot.waitUntil(lambda: bool(dlg.pages) or dlg.page_label.text() != "Đang tạo bản giấy…", timeout=60_000)
    assert len(dlg.pages) == 8, dlg.page_label.text()
    assert "học bạ cả cấp, 2 năm học" in dlg.windowTitle()
    assert [y.school_year for y in dlg.years if y.state == "printed"] == [YEAR, NEXT_YEAR]
    dlg.show_page(3)
    assert dlg.page_label.text() == "Trang 4/8"
    SHOTS.mkdir(exist_ok=True)
    dlg.resize(900, 1000)
    dlg.grab().save(str(SHOTS / "book.png"))
    out = tmp_path / "book.pdf"
    out.write_bytes(dlg.pdf)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "CÁC NĂM HỌC TRONG HỌC BẠ" in text and "Trang 8/8" in text


def test_book_refused_shows_the_reason(qtbot, store: Store, school: BookSchool, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _title, text, *a, **k: boxes.append(text))
    other = directory.find_class(store, "5A", YEAR).homeroom_code
    w = _window(qtbot, store, other)
    w.book_ui.action.trigger()
    dlg: BookPreviewDialog = w.book_ui.dialog
    # the dialog hears of the end one event-loop turn after the job (done is queued): wait for its text
    qtbot.waitUntil(lambda: "Không có quyền" in dlg.page_label.text(), timeout=60_000)
    assert not dlg.pages
    assert boxes and "Không có quyền in học bạ lớp 2A" in boxes[0]
    assert not dlg.save_btn.isEnabled() and not dlg.print_btn.isEnabled()
