"""Học bạ › Quyết định lên lớp / ở lại lớp…: the principal decides for the class's CHT pupils."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from sqlalchemy import select

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.storage.models import YearResult

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or Path(tempfile.gettempdir()) / "hocbaso-shots")


def test_principal_decides_in_the_dialog(qtbot, demo_store, _no_blocking_message_boxes) -> None:  # noqa: ANN001
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    action = w.findChild(QAction, "action_promotion")
    assert action is not None and action in w.records_menu.actions()
    assert w.select_class("3A")
    dlg = w.promotion_ui.open()
    qtbot.addWidget(dlg)
    assert dlg.rows and all(r.result == "CHT" for r in dlg.rows)
    first = dlg.rows[0]
    assert dlg.table.item(0, 3).text().startswith("chờ quyết định")
    dlg.table.selectRow(0)
    dlg.retain_radio.setChecked(True)
    dlg.note_edit.setText("chưa đạt sau đánh giá bổ sung")
    dlg.show()
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "promotion-dialog.png"))
    qtbot.mouseClick(dlg.save_button, Qt.MouseButton.LeftButton)
    with demo_store.read() as s:
        yr = s.execute(select(YearResult).where(YearResult.enrolment_id == first.enrolment_id)).scalar_one()
        assert yr.promoted is False and yr.promotion_note == "chưa đạt sau đánh giá bổ sung"
        assert not yr.pending_supplementary
    row = next(i for i, r in enumerate(dlg.rows) if r.personal_id == first.personal_id)
    assert dlg.table.item(row, 3).text() == "chưa được lên lớp (ở lại lớp)"
    assert dlg.decide(first.personal_id, True) is not None and dlg.rows[row].promoted is True
    assert not _no_blocking_message_boxes


def test_a_homeroom_teacher_only_sees(qtbot, demo_store) -> None:  # noqa: ANN001
    from hocbaso_desktop.services import directory

    gvcn = directory.find_class(demo_store, "3A").homeroom_code
    w = MainWindow(demo_store, gvcn)
    qtbot.addWidget(w)
    assert w.select_class("3A")
    dlg = w.promotion_ui.open()
    qtbot.addWidget(dlg)
    assert dlg.rows and not dlg.save_button.isEnabled() and not dlg.promote_radio.isEnabled()


def test_no_class_chosen_says_so(qtbot, demo_store, _no_blocking_message_boxes) -> None:  # noqa: ANN001
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    w.class_id = None
    assert w.promotion_ui.open() is None
    assert _no_blocking_message_boxes[-1][0] == "information"
