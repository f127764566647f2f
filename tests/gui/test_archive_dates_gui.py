"""The archive browser shows dates as dd/mm/yyyy (issue 18): opened the way a person does — the
«Mở kho lưu trữ…» button, the folder chooser answered (and once cancelled: nothing opens)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hocbaso_desktop.domain.vn_collation import name_key
from hocbaso_desktop.gui.archive_browser import ArchiveBrowser
from hocbaso_desktop.gui.dialogs import answer_with
from tests.archive.conftest import sealed_archive, small_school, token, trust  # noqa: F401

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
VN = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def test_archive_dates_read_dd_mm_yyyy(qtbot, sealed_archive: Path, trust) -> None:  # noqa: ANN001, F811
    dlg = ArchiveBrowser(None, trust)
    qtbot.addWidget(dlg)
    dlg.resize(1366, 740)
    dlg.show()
    with answer_with(None) as answers:  # the person cancels the chooser: nothing is opened
        QTest.mouseClick(dlg.open_btn, Qt.MouseButton.LeftButton)
    assert answers.asked == ["Chọn thư mục kho lưu trữ"] and dlg.root is None
    with answer_with(sealed_archive):
        QTest.mouseClick(dlg.open_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60_000)
    texts: list[str] = []
    births: list[str] = []
    for i in range(dlg.tree.topLevelItemCount()):
        top = dlg.tree.topLevelItem(i)
        for j in range(top.childCount()):
            pupil = top.child(j)
            texts += [pupil.text(c) for c in range(3)]
            if pupil.childCount() and pupil.text(0).startswith("Phiên bản") is False and top.text(0).startswith("Lớp"):
                births.append(pupil.text(1))
            for k in range(pupil.childCount()):
                texts += [pupil.child(k).text(c) for c in range(3)]
    assert births and all(VN.match(b) for b in births), births
    assert not [t for t in texts if ISO.search(t)], [t for t in texts if ISO.search(t)]
    report = dlg.report_view.toPlainText()
    assert "Tạo lúc: " in report and not ISO.search(report.split("Tạo lúc: ")[1].split(";")[0]), report
    for i in range(dlg.tree.topLevelItemCount()):  # each class in Vietnamese order (Đỗ … not last by SQL's)
        top = dlg.tree.topLevelItem(i)
        if top.text(0).startswith("Lớp"):
            names = [top.child(j).text(0) for j in range(top.childCount())]
            assert names == sorted(names, key=name_key), names
    Path("/tmp/shots").mkdir(exist_ok=True)
    dlg.grab().save("/tmp/shots/archive_browser_dates.png")
