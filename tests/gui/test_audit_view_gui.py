"""Nhật ký thao tác as a school reads it (issue 18): settings by name, no raw keys, no JSON — on the demo
and on a database set up from nothing; the action filter chosen by the keyboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hocbaso_desktop.gui.history_views import AuditViewer
from hocbaso_desktop.services import outbox_service
from hocbaso_desktop.storage.engine import Store

RAW = re.compile(r"outbox\.endpoint|setting\.set|[{}\[\]]|\"\w+\":")


def _cells(view: AuditViewer) -> list[list[str]]:
    t = view.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


@pytest.mark.parametrize("school", ["demo", "new"])
def test_the_audit_view_reads_in_vietnamese(qtbot, school: str, demo_db: Path, tmp_path: Path) -> None:  # noqa: ANN001
    db = demo_db if school == "demo" else tmp_path / "new.sqlite3"
    with Store.open(db) as store:
        outbox_service.set_settings(store, "system", {outbox_service.ENDPOINT: "https://so.gd.vn/hocba",
                                                      outbox_service.WARN_DAYS: "7"})
        view = AuditViewer(store)
        qtbot.addWidget(view)
        view.resize(1366, 700)
        view.show()
        rows = _cells(view)
        setting_rows = [r for r in rows if r[3] == "đổi cài đặt"]
        assert len(setting_rows) == 2, rows
        endpoint = next(r for r in setting_rows if "Địa chỉ máy nhận" in r[4])
        assert endpoint[5] == "«(trống)» → «https://so.gd.vn/hocba»"
        assert not [c for r in rows for c in r[3:] if RAW.search(c)], rows
        # the filter: the keyboard picks «Mọi thao tác về cài đặt» (typing its first letters, then Enter)
        combo = view.action
        combo.setFocus()
        idx = combo.findData("setting")
        assert combo.itemText(idx) == "Mọi thao tác về cài đặt"
        while combo.currentIndex() != idx:
            QTest.keyClick(combo, Qt.Key.Key_Down)
        assert {r[3] for r in _cells(view)} == {"đổi cài đặt"}
        QTest.keyClick(combo, Qt.Key.Key_Home)  # back to every action
        assert combo.currentIndex() == 0 and len(_cells(view)) == len(rows)
        Path("/tmp/shots").mkdir(exist_ok=True)
        view.grab().save(f"/tmp/shots/audit_view_{school}.png")
        view.close()
