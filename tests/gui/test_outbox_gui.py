"""The outbox in the main window, offscreen: counts in the status bar, "Gửi ngay" on a worker
thread against a real receiver, the queue per class and the deadline view."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.outbox_ui import install_outbox_ui
from hocbaso_desktop.services import outbox_service
from tests.sync.helpers import make_packages, running, scripted


@pytest.fixture
def window(qtbot, demo_store):
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.show()
    return w


def test_send_now_updates_the_status_bar_and_the_queue(qtbot, window: MainWindow, demo_store, tmp_path: Path) -> None:
    make_packages(demo_store, 5, versions=1)
    ui = install_outbox_ui(window, auto_send_ms=0)
    assert "chờ 5" in ui.label.text() and "đã gửi 0" in ui.label.text()
    assert ui.send_action in ui.menu.actions()
    # not configured: the reason shows, nothing breaks
    with qtbot.waitSignal(ui.send_finished, timeout=60_000):
        ui.send_now()
    assert "chưa cài đặt địa chỉ gửi" in ui.label.text()
    handler = scripted((400, {}, {"error": "thiếu mã trường"}))
    with running(tmp_path / "recv", handler) as recv:
        outbox_service.set_settings(demo_store, "system", {outbox_service.ENDPOINT: recv.url})
        with qtbot.waitSignal(ui.send_finished, timeout=60_000):
            assert ui.send_now()
            assert not ui.send_now()  # one sender at a time
    assert "đã gửi 4" in ui.label.text() and "bị từ chối 1" in ui.label.text()
    assert "thiếu mã trường" in ui.label.text()

    dlg = ui.open_queue()
    assert dlg.model.rowCount() == 5
    states = {dlg.model.index(r, 4).data() for r in range(5)}
    assert states == {"đã gửi", "bị từ chối"}
    receipts = [dlg.model.index(r, 7).data() for r in range(5)]
    assert sum(1 for x in receipts if x.startswith("BN-")) == 4
    first_class = dlg.model.rows[0].class_id
    dlg.class_combo.setCurrentIndex(dlg.class_combo.findData(first_class))
    assert all(r.class_id == first_class for r in dlg.model.rows)
    dlg.class_combo.setCurrentIndex(0)
    assert dlg.retry_button.isEnabled()
    dlg.retry_failed()
    assert not dlg.retry_button.isEnabled()
    assert ui.refresh().pending == 1 and "chờ 1" in ui.label.text()


def test_deadline_view_lists_every_class(qtbot, window: MainWindow, demo_store) -> None:
    make_packages(demo_store, 3)
    ui = install_outbox_ui(window, auto_send_ms=0)
    dlg = ui.open_deadlines()
    n = dlg.model.rowCount()
    assert n == len(outbox_service.deadline_report(demo_store))
    assert dlg.model.headerData(8, Qt.Orientation.Horizontal) == "Cảnh báo"
    first = dlg.model.rows[0]
    assert first.unsent == 3 and dlg.model.index(0, 7).data() == "20/08/2026"  # Hải Phòng, seed 004
