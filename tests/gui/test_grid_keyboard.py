"""The grid as a keyboard user meets it: Tab / Shift+Tab stay inside the grid, focus comes back to the
cell after the «Lý do thay đổi kết quả» question, and the name column never scrolls away."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from hocbaso_desktop.gui.app import open_main_window
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.storage.engine import Store
from tests.gui.test_grid_editing import col_of, db_subject
from tests.pupil_school import new_school

SHOTS = Path("/tmp/shots")


def shown(qtbot, w: MainWindow) -> MainWindow:
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    w.activateWindow()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def demo_win(qtbot, demo_db: Path) -> MainWindow:
    w = shown(qtbot, open_main_window(db=demo_db, class_name="5A", actor="GV009", period="CN"))  # GVCN of 5A
    return w


@pytest.fixture
def new_win(qtbot, tmp_path: Path) -> MainWindow:
    db = tmp_path / "new.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
    return shown(qtbot, open_main_window(db=db, class_name="1A", actor="GV1", period="CK1"))


def focus_cell(w: MainWindow, row: int, col: int):
    v = w.current_view()
    v.setFocus(Qt.FocusReason.OtherFocusReason)
    v.setCurrentIndex(v.model().index(row, col))
    QApplication.processEvents()
    return v


@pytest.mark.parametrize("which", ["demo_win", "new_win"])
def test_tab_and_shift_tab_move_between_cells_and_typing_lands_in_the_grid(request, which: str) -> None:
    w: MainWindow = request.getfixturevalue(which)
    v = w.current_view()
    m = v.model()
    c = col_of(m, "subject_level", "TV")
    v = focus_cell(w, 0, c - 1)
    QTest.keyClick(v, Qt.Key.Key_Tab)
    assert v.currentIndex().column() == c and QApplication.focusWidget() is v
    QTest.keyClick(v, Qt.Key.Key_Tab)
    QTest.keyClick(v, Qt.Key.Key_Backtab)
    assert v.currentIndex().column() == c and QApplication.focusWidget() is v
    # at the first cell Shift+Tab stays put instead of leaving for the class tree
    v.setCurrentIndex(m.index(0, 0))
    QTest.keyClick(v, Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is v and v.currentIndex().column() == 0
    # the keystrokes after a Tab are not lost: the level is saved in the cell Tab reached
    v.setCurrentIndex(m.index(0, c - 1))
    QTest.keyClick(v, Qt.Key.Key_Tab)
    cell = m.rows[0].subjects.get("TV")
    new = "H" if cell is None or cell.level != "H" else "T"
    QTest.keyClick(v, getattr(Qt.Key, f"Key_{new}"))
    assert db_subject(w.store, m.rows[0].enrolment_id, w.period, "TV").level == new


def answer_reason(qtbot, reason: str | None) -> list[str]:
    """Answer the next «Lý do thay đổi kết quả» question: type `reason` and OK, or Cancel (None)."""
    seen: list[str] = []

    def answer() -> None:
        d = QApplication.activeModalWidget()
        if not isinstance(d, QInputDialog):
            QTimer.singleShot(20, answer)
            return
        seen.append(d.windowTitle())
        if reason is None:
            d.reject()
            return
        edit = d.findChild(QLineEdit)
        edit.setText(reason)  # QTest types ASCII only; Enter is a real keystroke
        QTest.keyClick(edit, Qt.Key.Key_Return)

    QTimer.singleShot(20, answer)
    return seen


@pytest.mark.parametrize("reason", ["Hội đồng lớp đề nghị khen", None])
def test_focus_returns_to_the_cell_after_the_reason_question(qtbot, demo_win: MainWindow, reason: str | None) -> None:
    w = demo_win
    w.tabs.setCurrentIndex(2)
    v = w.current_view()
    m = v.model()
    c = col_of(m, "confirmed")
    r = next(i for i, row in enumerate(m.rows) if row.proposal.result in ("HT", "HTT"))
    before = m.rows[r].year.confirmed_result
    v = focus_cell(w, r, c)
    seen = answer_reason(qtbot, reason)
    QTest.keyClick(v, Qt.Key.Key_H)  # the first key opens the cell editor, the rest go into it
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    QTest.keyClicks(editor, "TXS")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    QApplication.processEvents()
    assert seen == ["Lý do thay đổi kết quả"]
    assert QApplication.focusWidget() is v, QApplication.focusWidget()
    assert m.rows[r].year.confirmed_result == ("HTXS" if reason else before)
    # and the next key is the grid's: Enter moved on from the confirmed cell, Tab goes on from there
    QTest.keyClick(v, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is v and v.currentIndex().column() == min(c + 1, m.columnCount() - 1)


@pytest.mark.parametrize("which", ["demo_win", "new_win"])
def test_the_name_column_stays_while_the_grid_scrolls(qtbot, request, which: str) -> None:
    w: MainWindow = request.getfixturevalue(which)
    v = w.current_view()
    m = v.model()
    f = v.frozen
    assert v.frozen_count == 2 and [c.kind for c in m.columns[:2]] == ["name", "missing"]
    assert f.selectionModel() is v.selectionModel() and f.focusPolicy() == Qt.FocusPolicy.NoFocus
    last = m.columnCount() - 1
    focus_cell(w, 1, last)
    assert v.horizontalScrollBar().value() > 0
    assert v.visualRect(m.index(1, 0)).right() < v.frozen_width()  # the grid's own name cell is under the overlay…
    assert f.isVisible() and f.geometry().left() == v.verticalHeader().width() + v.frameWidth()
    assert f.width() == v.columnWidth(0) + v.columnWidth(1)
    name_rect = f.visualRect(m.index(1, 0))  # …and the frozen copy shows the name beside the last column
    assert name_rect.left() >= 0 and name_rect.right() <= f.width()
    assert f.rowViewportPosition(1) == v.rowViewportPosition(1)  # same row heights and scroll
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert w.grab().save(str(SHOTS / f"grid-frozen-{which}.png"))
    # moving back to the first scrolling column shows it beside the frozen ones, not under them
    focus_cell(w, 1, 2)
    assert v.visualRect(m.index(1, 2)).left() >= v.frozen_width()
    # a click on a frozen name is a click on the grid: that row current, keystrokes to the grid
    focus_cell(w, 0, last)
    w.tree.setFocus()
    QTest.mouseClick(f.viewport(), Qt.MouseButton.LeftButton, pos=f.visualRect(m.index(1, 0)).center())
    assert v.currentIndex().row() == 1 and v.currentIndex().column() == 0
    assert QApplication.focusWidget() is v
    # hostile: the frozen copy edits nothing; a key on the name is refused with the reason
    QTest.keyClick(v, Qt.Key.Key_T)
    assert "không sửa trực tiếp" in w.statusBar().currentMessage()
    assert f.editTriggers() == f.EditTrigger.NoEditTriggers


def test_double_click_on_a_frozen_name_opens_the_pupil(qtbot, demo_win: MainWindow) -> None:
    w = demo_win
    v = w.current_view()
    m = v.model()
    focus_cell(w, 2, m.columnCount() - 1)
    at = v.frozen.visualRect(m.index(2, 0)).center()
    QTest.mouseClick(v.frozen.viewport(), Qt.MouseButton.LeftButton, pos=at)  # a double click starts as a click
    QTest.mouseDClick(v.frozen.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.waitUntil(lambda: w.pupil_ui.dialog is not None and w.pupil_ui.dialog.isVisible(), timeout=10_000)
    assert w.pupil_ui.dialog.profile.personal_id == w.session.rows[2].personal_id
    w.pupil_ui.dialog.reject()


def test_frozen_columns_follow_a_reload(qtbot, demo_win: MainWindow) -> None:
    """A new period or class gives the views new models: the overlay follows (widths, rows, selection)."""
    w = demo_win
    w.set_period("GK1")
    v = w.views["qualities"]
    w.tabs.setCurrentIndex(1)
    assert v.frozen.model() is v.model() and v.frozen.selectionModel() is v.selectionModel()
    assert v.frozen.width() == v.columnWidth(0) + v.columnWidth(1)
    v.setColumnWidth(0, 240)
    assert v.frozen.columnWidth(0) == 240 and v.frozen.width() == 240 + v.columnWidth(1)
    assert all(v.frozen.isColumnHidden(c) for c in range(2, v.model().columnCount()))
