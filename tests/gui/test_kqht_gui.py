"""Gửi CSDL › Xuất tệp KQHT cho CSDL ngành… in the main window (issue 16): the menu QAction opens the
dialog, the export runs on the worker thread, missing data is listed as plain text with "Vẫn xuất"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest

from hocbaso_desktop.gui.kqht_ui import KqhtDialog
from hocbaso_desktop.gui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _no_user_layouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOCBASO_KQHT_DIR", str(tmp_path / "kqht-user"))


def _action(w: MainWindow):
    for top in w.menuBar().actions():
        if top.text().replace("&", "") == "Gửi CSDL":
            for a in top.menu().actions():
                if a.text() == "Xuất tệp KQHT cho CSDL ngành…":
                    return a
    raise AssertionError("no Gửi CSDL › Xuất tệp KQHT cho CSDL ngành… action")


def _pick(dlg: KqhtDialog, grade: int, period: str, out: Path) -> None:
    dlg.grade.setCurrentIndex(dlg.grade.findData(grade))
    dlg.period.setCurrentIndex(dlg.period.findData(period))
    dlg.out.setText(str(out))


def test_menu_exports_a_grade(qtbot, demo_store, tmp_path: Path) -> None:
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    _action(w).trigger()
    dlg = w.kqht_ui.dialog
    assert isinstance(dlg, KqhtDialog) and dlg.isVisible()
    out = tmp_path / "kqht-k2.xlsx"
    _pick(dlg, 2, "CN", out)
    with qtbot.waitSignal(dlg.completed, timeout=120_000):
        dlg.run_button.click()
    assert dlg.error is None and dlg.result is not None, dlg.status.text()
    assert "Đã lưu tệp KQHT khối 2" in dlg.status.text()
    ws = openpyxl.load_workbook(out)["Sheet1"]
    assert ws["A1"].value == "STT" and ws["AH1"].value == "Xếp loại" and ws["B4"].value.startswith("2")


def test_missing_data_is_listed_then_exported_anyway(qtbot, demo_db: Path, tmp_path: Path) -> None:
    from hocbaso_desktop.storage.engine import Store

    con = sqlite3.connect(demo_db)
    con.execute("UPDATE student SET full_name='<b>Nguyễn Văn Đậm</b>', moet_code='' WHERE id=(SELECT e.student_id "
                "FROM enrolment e JOIN school_class c ON c.id=e.class_id WHERE c.name='3A' LIMIT 1)")
    con.commit()
    con.close()
    with Store.open(demo_db) as store:
        w = MainWindow(store, "HT")
        qtbot.addWidget(w)
        _action(w).trigger()
        dlg = w.kqht_ui.dialog
        out = tmp_path / "kqht-k3.xlsx"
        _pick(dlg, 3, "CK1", out)
        with qtbot.waitSignal(dlg.completed, timeout=120_000):
            dlg.run_button.click()
        assert not out.exists()
        assert dlg.missing.isVisible() and dlg.anyway_button.isVisible()
        assert "Lớp 3A, <b>Nguyễn Văn Đậm</b>: thiếu Mã học sinh" in dlg.missing.toPlainText()
        with qtbot.waitSignal(dlg.completed, timeout=120_000):
            dlg.anyway_button.click()
        assert out.exists() and dlg.error is None, dlg.status.text()
        assert "1 học sinh có ô để trống" in dlg.status.text() and "cột giả định" in dlg.status.text()
        w.close()


def test_a_teacher_is_refused_from_the_menu(qtbot, demo_store, _no_blocking_message_boxes) -> None:
    w = MainWindow(demo_store, "GV001", allow_actor_choice=False)
    qtbot.addWidget(w)
    _no_blocking_message_boxes_before = list(_no_blocking_message_boxes)
    _action(w).trigger()
    assert w.kqht_ui.dialog is None
    shown = [s for s in _no_blocking_message_boxes if s not in _no_blocking_message_boxes_before]
    assert shown and "Không có quyền đồng bộ lên CSDL ngành" in shown[0][2]
    _no_blocking_message_boxes.clear()  # the warning was expected
