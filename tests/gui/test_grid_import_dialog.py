"""The Excel import dialog: background preview, refused cells in red, confirm writes all of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from hocbaso_desktop.exchange.grid_layout import SHEET_SUBJECTS
from hocbaso_desktop.gui.grid_import_dialog import REFUSED_BG, GridImportDialog
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.grid_excel import export_grid
from tests.grid_xlsx import edit


@pytest.fixture
def setup(demo_store, tmp_path: Path):
    cls = directory.find_class(demo_store, "5A")
    out = export_grid(demo_store, cls.id, "CN", tmp_path / "5A.xlsx").path
    rows = load_grid(demo_store, cls.id, "CN").rows
    return cls, out, rows


def _dialog(qtbot, store, code: str, **kw) -> GridImportDialog:
    d = GridImportDialog(store, directory.actor(store, code), None, **kw)
    qtbot.addWidget(d)
    d.show()
    return d


def test_preview_then_confirm_writes(qtbot, demo_store, setup, tmp_path: Path) -> None:
    cls, out, rows = setup
    edit(out, tmp_path / "ok.xlsx", [(SHEET_SUBJECTS, rows[0].personal_id, "Toán – Nhận xét", "Nhập từ hộp thoại"),
                                      (SHEET_SUBJECTS, rows[1].personal_id, "Khoa học – Nhận xét", "Ham học hỏi")])
    d = _dialog(qtbot, demo_store, "GV009", expect_class_id=cls.id, expect_period="CN")
    with qtbot.waitSignal(d.previewReady, timeout=60_000) as sig:
        d.start_preview(tmp_path / "ok.xlsx")
        assert d.progress.isVisible() or d.report is not None  # busy indicator while the pool works
    report = sig.args[0]
    assert report.ok and not report.written
    m = d.preview_model
    assert m.rowCount() == 2 and m.headerData(5, Qt.Orientation.Horizontal) == "Mới"
    assert {m.data(m.index(r, 5)) for r in range(2)} == {"Nhập từ hộp thoại", "Ham học hỏi"}
    assert d.import_button.isEnabled() and not d.progress.isVisible()
    assert load_grid(demo_store, cls.id, "CN").rows == rows  # the preview wrote nothing
    with qtbot.waitSignal(d.imported, timeout=60_000):
        d.import_button.click()
    after = {r.personal_id: r for r in load_grid(demo_store, cls.id, "CN").rows}
    assert after[rows[0].personal_id].subjects["TOAN"].comment == "Nhập từ hộp thoại"
    assert after[rows[1].personal_id].subjects["KH"].comment == "Ham học hỏi"
    assert d.result() == d.DialogCode.Accepted


def test_refused_cells_red_with_reason_and_no_confirm(qtbot, demo_store, setup, tmp_path: Path) -> None:
    cls, out, rows = setup
    edit(out, tmp_path / "bad.xlsx", [(SHEET_SUBJECTS, rows[0].personal_id, "Toán – Điểm KTĐK", 11),
                                       (SHEET_SUBJECTS, rows[1].personal_id, "Ngoại ngữ 1 – Nhận xét", "Good")])
    d = _dialog(qtbot, demo_store, "GV011")  # English teacher: the Toán cell is not theirs either
    with qtbot.waitSignal(d.previewReady, timeout=60_000):
        d.start_preview(tmp_path / "bad.xlsx")
    m = d.preview_model
    assert m.rowCount() == 2
    first = m.index(0, 6)
    assert "Không có quyền sửa môn Toán" in m.data(first) and m.data(first, Qt.ItemDataRole.BackgroundRole) == REFUSED_BG
    assert m.data(m.index(1, 6)) == "" and m.data(m.index(1, 0), Qt.ItemDataRole.BackgroundRole) is None
    assert not d.import_button.isEnabled() and "Không ghi gì" in d.status.text()
    d.confirm()  # ignored: nothing may be written while a cell is refused
    assert load_grid(demo_store, cls.id, "CN").rows == rows


def test_unreadable_or_foreign_file(qtbot, demo_store, setup, tmp_path: Path) -> None:
    cls, out, _rows = setup
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook at all")
    d = _dialog(qtbot, demo_store, "GV009")
    with qtbot.waitSignal(d.failed, timeout=60_000) as sig:
        d.start_preview(junk)
    assert "không phải tệp Excel" in sig.args[0] and sig.args[0] in d.status.text()
    assert not d.import_button.isEnabled() and d.browse_button.isEnabled()
    other = directory.find_class(demo_store, "4A")
    d2 = _dialog(qtbot, demo_store, "GV009", expect_class_id=other.id)
    with qtbot.waitSignal(d2.failed, timeout=60_000) as sig:
        d2.start_preview(out)
    assert "không phải lớp 4A" in sig.args[0]
