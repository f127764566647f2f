"""The import wizard offscreen: file → preview (colours, tooltips, filter, report) → confirm, off the GUI thread."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list
from hocbaso_desktop.gui.import_wizard import PAGE_CONFIRM, PAGE_FILE, PAGE_PREVIEW, ImportWizard
from hocbaso_desktop.gui.models.import_preview import ERROR_BG, WARNING_BG
from hocbaso_desktop.services import directory

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp", "Nơi ở hiện nay"]


def xlsx(tmp_path: Path, rows: list[list], name: str = "ds.xlsx") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỌC SINH NĂM HỌC 2025-2026"])
    ws.append(HEADER)
    for i, r in enumerate(rows, start=1):
        ws.append([i, *r])
    p = tmp_path / name
    wb.save(p)
    return p


GOOD = [["Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A", "Số 1 Trần Phú"],
        ["Trần Thị Bình", "05/06/2019", "Nữ", "079319000002", "Tày", "1A", ""],
        ["Lê Văn Cường", date(2016, 1, 9), "Nam", "031216000003", "Kinh", "3B", ""]]  # older than usual: warning
BAD = GOOD + [["Phạm Thị Dung", "31/02/2019", "Nữ", "001319000004", "Klingon", "1A", ""]]


@pytest.fixture
def wizard(qtbot, empty_store):
    w = ImportWizard(empty_store, "system")
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.job is not None:
        w.job.wait(60)


def go_to_preview(qtbot, w: ImportWizard, path: Path) -> None:
    assert w.currentId() == PAGE_FILE
    w.file_page.path_edit.setText(str(path))
    qtbot.mouseClick(w.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.currentId() == PAGE_PREVIEW, timeout=60_000)


def cell(w: ImportWizard, excel_row: int, header: str):  # type: ignore[no-untyped-def]
    m = w.preview_page.model
    row = next(i for i, r in enumerate(m.rows) if r.row == excel_row)
    return m.index(row, m.headers.index(header))


def test_errors_are_red_with_tooltips_and_block(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    go_to_preview(qtbot, wizard, xlsx(tmp_path, BAD))
    dob = cell(wizard, 6, "Ngày sinh")
    assert dob.data() == "31/02/2019"
    assert dob.data(Qt.ItemDataRole.BackgroundRole).color() == ERROR_BG
    assert "ngày không có thật" in dob.data(Qt.ItemDataRole.ToolTipRole)
    assert cell(wizard, 6, "Dân tộc").data(Qt.ItemDataRole.BackgroundRole).color() == ERROR_BG
    assert cell(wizard, 6, "Trạng thái").data() == "Lỗi"
    assert cell(wizard, 5, "Trạng thái").data() == "Mới"  # good rows still say what would happen
    warn = cell(wizard, 5, "Ngày sinh")
    assert warn.data(Qt.ItemDataRole.BackgroundRole).color() == WARNING_BG
    assert cell(wizard, 3, "Ngày sinh").data(Qt.ItemDataRole.BackgroundRole) is None
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert "2 lỗi" in wizard.preview_page.summary.text()
    wizard.grab().save("/tmp/import_wizard_errors.png")
    # with errors the filter starts on: only rows with a problem are listed
    assert wizard.preview_page.only_problems.isChecked()
    assert wizard.preview_page.filter.rowCount() == 2
    wizard.preview_page.only_problems.setChecked(False)
    assert wizard.preview_page.filter.rowCount() == 4
    # the error report marks the bad cells
    out = wizard.save_report(tmp_path / "bao_cao.xlsx")
    ws = load_workbook(out)["Danh sách đã đọc"]
    header = [c.value for c in ws[1]]
    bad_row = next(r for r in ws.iter_rows(min_row=2) if r[1].value == 6)
    assert bad_row[header.index("Ngày sinh")].fill.fgColor.rgb.endswith("FFC7CE")
    assert directory.years(wizard.store) == []


def test_good_file_imports_off_the_gui_thread(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    go_to_preview(qtbot, wizard, xlsx(tmp_path, GOOD))
    assert cell(wizard, 3, "Trạng thái").data() == "Mới"
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.grab().save("/tmp/import_wizard.png")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    assert wizard.currentId() == PAGE_CONFIRM
    assert "3 học sinh mới" in wizard.confirm_page.text.toPlainText()
    with qtbot.waitSignal(wizard.imported, timeout=60_000) as sig:
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    result = sig.args[0]
    assert (result.new, result.classes_created) == (3, ("1A", "3B"))
    assert [c.name for c in directory.classes(wizard.store, "2025-2026")] == ["1A", "3B"]
    assert wizard.import_result is result


def test_second_import_shows_changes_in_blue(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    from hocbaso_desktop.gui.models.import_preview import CHANGED_BG
    from hocbaso_desktop.services import class_import

    class_import.apply_import(wizard.store, class_import.plan_import(wizard.store, xlsx(tmp_path, GOOD)))
    changed = [["Nguyễn Văn Ân", *GOOD[0][1:]], *GOOD[1:]]
    go_to_preview(qtbot, wizard, xlsx(tmp_path, changed, "v2.xlsx"))
    name = cell(wizard, 3, "Họ và tên")
    assert name.data(Qt.ItemDataRole.BackgroundRole).color() == CHANGED_BG
    assert "Nguyễn Văn An» → «Nguyễn Văn Ân" in name.data(Qt.ItemDataRole.ToolTipRole)
    assert cell(wizard, 3, "Trạng thái").data() == "Cập nhật"
    assert cell(wizard, 4, "Trạng thái").data() == "Không đổi"


def test_unreadable_file_message_stays_on_first_page(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    p = tmp_path / "enc.xlsx"
    p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 512)
    wizard.file_page.path_edit.setText(str(p))
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    # the refusal comes back in microseconds: its signal must not be lost before it is connected
    qtbot.waitUntil(lambda: "mật khẩu" in wizard.file_page.message.text(), timeout=60_000)
    assert wizard.currentId() == PAGE_FILE
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_progress_bar_for_a_big_file(qtbot, wizard: ImportWizard, tmp_path: Path) -> None:
    f = tmp_path / "big.xlsx"
    write_sample_class_list(f, 1500)
    seen: list[int] = []
    bar = wizard.file_page.progress
    bar.valueChanged.connect(seen.append)
    go_to_preview(qtbot, wizard, f)
    assert seen and max(seen) > 0
    assert bar.isHidden()
    assert wizard.preview_page.model.rowCount() == 1500
