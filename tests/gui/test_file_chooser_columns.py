"""The program's file chooser shows sizes, types and dates in Vietnamese (issue 18: "English file dialogs"):
Qt takes those columns from the system's locale and MIME database, which say "2 KiB", "PNG image",
"12/4/26" on an English or C-locale school PC."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileSystemModel, QTreeView

from hocbaso_desktop.gui.dialogs import ChooserMode, FileColumnsInVietnamese, file_size_text, make_file_dialog
from hocbaso_desktop.gui.qt_vi import install_qt_vietnamese, remove_qt_vietnamese

SHOTS = Path("/tmp/shots")


def test_size_text() -> None:
    assert file_size_text(0) == "0 byte" and file_size_text(1023) == "1023 byte"
    assert file_size_text(2048) == "2,0 KB" and file_size_text(5 * 1024 * 1024) == "5,0 MB"


def test_the_columns_read_in_vietnamese(qtbot, tmp_path: Path) -> None:
    install_qt_vietnamese()  # as gui/app.py does at start: the headers and the side bar are Qt's own texts
    try:
        _columns(qtbot, tmp_path)
    finally:
        remove_qt_vietnamese()


def _columns(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "bang-diem.xlsx").write_bytes(b"x" * 2048)
    (tmp_path / "ho-so").mkdir()
    dlg = make_file_dialog(None, "Chọn bảng nhập liệu", str(tmp_path), "Tất cả (*)", ChooserMode.OPEN)
    qtbot.addWidget(dlg)
    proxy = dlg.proxyModel()
    assert isinstance(proxy, FileColumnsInVietnamese)
    source = proxy.sourceModel()
    assert isinstance(source, QFileSystemModel)
    dlg.show()
    root = source.index(str(tmp_path))
    qtbot.waitUntil(lambda: source.rowCount(root) == 2, timeout=10000)

    rows = {}
    for r in range(source.rowCount(root)):
        p = proxy.mapFromSource(source.index(r, 0, root))
        rows[p.data()] = [proxy.index(p.row(), c, p.parent()).data() for c in (1, 2, 3)]
    size, kind, when = rows["bang-diem.xlsx"]
    assert size == "2,0 KB" and kind == "Tệp XLSX" and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", when)
    size, kind, when = rows["ho-so"]
    assert size == "" and kind == "Thư mục" and re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", when)
    # what the person sees in the detail view is the proxy's text, not Qt's
    dlg.setViewMode(dlg.ViewMode.Detail)
    view = next(v for v in dlg.findChildren(QTreeView) if v.isVisible())
    assert view.model() is proxy
    assert [proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == ["Tên", "Kích thước", "Loại", "Ngày sửa"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "file_chooser_columns.png"))
    dlg.reject()
