"""The main window on real widgets, offscreen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from hocbaso_desktop.gui.fonts import covers_vietnamese, install_ui_font
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.models.grid_columns import VIEW_QUALITIES, VIEW_SUBJECTS, VIEW_SUMMARY
from hocbaso_desktop.services import directory


@pytest.fixture
def window(qtbot, demo_store):
    QApplication.instance().setFont(install_ui_font())
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.show()
    return w


def test_font_covers_vietnamese(qapp) -> None:
    assert covers_vietnamese(install_ui_font())


def test_tree_lists_grades_and_classes(window: MainWindow) -> None:
    m = window.tree_model
    assert [m.item(r).text() for r in range(m.rowCount())] == [f"Khối {g}" for g in range(1, 6)]
    assert m.item(0).child(0).text().startswith("Lớp 1A")
    assert window.year_combo.currentText() == "2025-2026"


def test_selecting_a_class_fills_three_views(window: MainWindow, demo_store) -> None:
    assert window.select_class("5A")
    n = len(directory.students(demo_store, "5A"))
    subj = window.models[VIEW_SUBJECTS]
    assert subj.rowCount() == n
    headers = [subj.headerData(i, 1) for i in range(subj.columnCount())]
    assert "Họ và tên" in headers[0] and any("Lịch sử" in (subj.headerData(i, 1, 3) or "") for i in range(subj.columnCount()))
    assert window.models[VIEW_QUALITIES].columnCount() > 15
    summ = window.models[VIEW_SUMMARY]
    col = [c.kind for c in summ.columns].index("proposal")
    values = {summ.data(summ.index(r, col)) for r in range(n)}
    assert values <= {"HTXS", "HTT", "HT", "CHT"}
    tip = summ.data(summ.index(0, col), 3)  # ToolTipRole: the explanation
    assert tip and ("Điều 9" in tip or "Không đạt" in tip)
    assert "Lớp 5A" in window.windowTitle()


def test_period_changes_score_columns(window: MainWindow) -> None:
    window.select_class("3A")
    window.set_period("GK1")
    kinds = [c.kind for c in window.models[VIEW_SUBJECTS].columns]
    assert "subject_score" not in kinds  # grade 3 has no mid-term tests (Điều 7)
    window.set_period("CK1")
    assert [c.kind for c in window.models[VIEW_SUBJECTS].columns].count("subject_score") == 5


def test_missing_cells_counted(window: MainWindow, demo_store) -> None:
    with demo_store.transaction("system") as tx:
        tx.session.execute(__import__("sqlalchemy").text(
            "DELETE FROM subject_evaluation WHERE period='CN' AND subject_code='TOAN' AND enrolment_id IN "
            "(SELECT e.id FROM enrolment e JOIN school_class c ON c.id=e.class_id WHERE c.name='1B')"))
        tx.audit("test.delete", "subject_evaluation", "1B", {})
    window.select_class("1B")
    n = window.models[VIEW_SUBJECTS].rowCount()
    assert f"còn thiếu {2 * n} ô" in window.missing_label.text()  # level and score of Toán
    model = window.models[VIEW_SUBJECTS]
    toan = [model.headerData(i, 1) for i in range(model.columnCount()) if model.columns[i].code == "TOAN"]
    assert toan[0] == f"Toán\nMức\n(thiếu {n})" and toan[1] == f"Toán\nĐiểm\n(thiếu {n})"


def test_acting_staff(window: MainWindow) -> None:
    window.set_acting("GV009")
    assert window.actor.code == "GV009" and window.actor.homeroom_class_ids


def test_screenshot_command(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    r = subprocess.run([sys.executable, "-m", "hocbaso_desktop", "--db", str(demo_db), "--class", "1A", "--screenshot", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(out))
    assert img.width() >= 1000 and img.height() >= 600


def test_first_start_offers_demo(qtbot, tmp_path: Path) -> None:
    from hocbaso_desktop.gui.app import ask_create_demo

    def click_demo() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox) and "chưa có dữ liệu" in box.text()
        [b for b in box.buttons() if b.text() == "Tạo trường mẫu (dùng thử)"][0].click()

    QTimer.singleShot(200, click_demo)
    assert ask_create_demo() is True
