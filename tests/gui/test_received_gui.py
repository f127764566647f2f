"""Issue 17 in the window: a mid-year pupil's periods from the old school are greyed, marked and not
editable in the grid; received records are listed in Lịch sử học bạ (opened, verified) and in the
pupil form, read-only. Screenshots in /tmp/shots/received*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from sqlalchemy import text

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.models.grid_model import CARRIED_BG
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.transfer import import_transfer
from hocbaso_desktop.storage.engine import Store
from tests.services import test_transfer_received as base

DAY = base.DAY
# the two schools, both packages and the receiver, shared with the service tests
schools, records_package, mid_year, receiver = base.schools, base.records_package, base.mid_year, base.receiver

SHOTS = Path("/tmp/shots")


@pytest.fixture
def win(qtbot, receiver: Store, records_package: Path, mid_year, schools):
    import_transfer(receiver, records_package, "2A", "VP01", on_date=DAY)
    import_transfer(receiver, mid_year[0], "2A", "VP01", on_date=DAY)
    w = MainWindow(receiver, directory.find_class(receiver, "2A").homeroom_code)
    qtbot.addWidget(w)
    w.resize(1500, 800)
    w.show()
    w.select_class("2A")
    return w


def _row_of(w: MainWindow, pid: str) -> int:
    return next(i for i, r in enumerate(w.session.rows) if r.personal_id == pid)


def _db_level(store: Store, pid: str, period: str, code: str) -> str | None:
    with store.read() as s:
        return s.execute(text(
            "SELECT se.level FROM subject_evaluation se JOIN enrolment e ON e.id = se.enrolment_id JOIN student st "
            "ON st.id = e.student_id WHERE st.personal_id = :p AND se.period = :per AND se.subject_code = :c"),
            {"p": pid, "per": period, "c": code}).scalar()


def test_carried_periods_are_greyed_marked_and_not_editable(win: MainWindow, receiver: Store, mid_year) -> None:
    _path, pid, values, _db = mid_year
    win.set_period("GK1")
    view = win.views["subjects"]
    model = view.model()
    r = _row_of(win, pid)
    code = "TV"
    col = next(i for i, c in enumerate(model.columns) if c.kind == "subject_level" and c.code == code)
    idx = model.index(r, col)
    assert not (model.flags(idx) & Qt.ItemFlag.ItemIsEditable)
    assert model.data(idx, Qt.ItemDataRole.BackgroundRole) == CARRIED_BG
    assert "Đánh giá tại trường cũ" in model.data(idx, Qt.ItemDataRole.ToolTipRole)
    assert model.data(idx) == values["GK1"][code][0]
    other = next(i for i, row in enumerate(win.session.rows) if row.personal_id != pid)
    assert model.flags(model.index(other, col)) & Qt.ItemFlag.ItemIsEditable
    before = _db_level(receiver, pid, "GK1", code)
    view.setCurrentIndex(idx)
    QTest.keyClick(view, Qt.Key.Key_C if before != "C" else Qt.Key.Key_T)  # the teacher tries anyway
    assert _db_level(receiver, pid, "GK1", code) == before
    assert model.setData(idx, "C" if before != "C" else "T") is False  # and through the model: the service refuses
    assert _db_level(receiver, pid, "GK1", code) == before
    view.scrollTo(idx)
    SHOTS.mkdir(parents=True, exist_ok=True)
    win.grab().save(str(SHOTS / "received_grid.png"))
    win.set_period("CN")  # the year end is this school's
    r = _row_of(win, pid)
    assert win.views["subjects"].model().flags(win.views["subjects"].model().index(r, col)) & Qt.ItemFlag.ItemIsEditable


def test_history_window_lists_opens_and_verifies_received_records(qtbot, win: MainWindow, schools) -> None:
    win.set_period("CN")
    win.views["subjects"].setCurrentIndex(win.views["subjects"].model().index(_row_of(win, schools.student_pid), 0))
    dlg = win.corrections_ui.open_history(modal=False)
    qtbot.addWidget(dlg)
    dlg.show()
    table = dlg.received
    assert table.rowCount() == 2
    assert all(table.item(i, 0).text().startswith("Nhận khi chuyển đến — ") for i in range(2))
    assert [table.item(i, 3).text() for i in range(2)] == ["1", "2"]
    assert not (table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable)
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "received.png"))
    table.selectRow(1)
    paper = dlg.open_received_paper(modal=False)
    qtbot.addWidget(paper)
    qtbot.waitUntil(lambda: bool(paper.pages), timeout=60_000)
    assert paper.pdf.startswith(b"%PDF") and "Nhận khi chuyển đến" in paper.windowTitle()
    paper.grab().save(str(SHOTS / "received_paper.png"))
    check = dlg.verify_received(modal=False)
    qtbot.addWidget(check)
    assert check.report is not None and check.report.ok
    assert "hợp lệ" in check.verdict.text() and "Nhận khi chuyển đến" in check.file_label.text()


def test_pupil_form_shows_received_records_read_only(qtbot, win: MainWindow, schools) -> None:
    win.set_period("CN")
    win.views["subjects"].setCurrentIndex(win.views["subjects"].model().index(_row_of(win, schools.student_pid), 0))
    dlg = win.pupil_ui.open_current()
    qtbot.addWidget(dlg)
    assert dlg.received_label is not None and "Nhận khi chuyển đến" in dlg.received_label.text()
    dlg.grab().save(str(SHOTS / "received_pupil.png"))


def test_archive_browser_shows_the_received_branch(qtbot, win: MainWindow, receiver: Store, schools,
                                                   tmp_path: Path) -> None:
    from hocbaso_desktop.gui.archive_browser import ArchiveBrowser
    from hocbaso_desktop.services.archive_service import export_archive
    from hocbaso_desktop.signing import TrustStore

    out = tmp_path / "usb"
    out.mkdir()
    res = export_archive(receiver, "2025-2026", out, "VP01", partial=True)
    dlg = ArchiveBrowser(None, TrustStore.from_dirs(schools.token.trust_dir))
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.open_archive(res.path)
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60_000)
    top = next(dlg.tree.topLevelItem(i) for i in range(dlg.tree.topLevelItemCount())
               if dlg.tree.topLevelItem(i).text(0) == "Học bạ nhận khi chuyển đến")
    assert top.childCount() == 2 and all("Nhận khi chuyển đến — " in top.child(i).text(2) for i in range(2))
    dlg.tree.setCurrentItem(top.child(1))
    assert dlg.pdf_btn.isEnabled()
    viewer = dlg.show_pdf()
    qtbot.addWidget(viewer)
    assert viewer is not None and viewer.images
    dlg.grab().save(str(SHOTS / "received_archive.png"))
