"""Qt's own texts in Vietnamese (issue 18): the standard buttons of message boxes and button boxes,
the context menu of a text field, the file dialog's columns — through the translator of gui/qt_vi.py,
answered both ways by the keyboard, with screenshots at /tmp/shots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QHeaderView, QLineEdit, QMenu, QMessageBox, QPushButton

from hocbaso_desktop.gui import dialogs, i18n
from hocbaso_desktop.gui.dialogs import answer_with
from hocbaso_desktop.gui.qt_vi import TABLE, install_qt_vietnamese, qm_path, ts_text
from tests.tools import require_tool

SHOTS = Path("/tmp/shots")
ENGLISH = {"Yes", "No", "OK", "Cancel", "Close", "Save", "Undo", "Redo", "Cut", "Copy", "Paste", "Delete",
           "Select All", "Name", "Size", "Type", "Date Modified", "Open", "Look in:", "File name:"}


@pytest.fixture(autouse=True)
def vietnamese_qt(qapp) -> None:  # noqa: ANN001
    assert install_qt_vietnamese(qapp)


def _plain(text: str) -> str:
    return text.replace("&", "").split("\t")[0]


def _question() -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Question, "Xóa học sinh", "Xóa học sinh Đỗ Văn An khỏi lớp 3A?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box


def test_yes_no_are_co_khong_and_the_keyboard_answers_both_ways(qtbot) -> None:  # noqa: ANN001
    answers = []
    for key in (Qt.Key.Key_Return, Qt.Key.Key_C, Qt.Key.Key_Escape):
        box = _question()
        qtbot.addWidget(box)
        box.resize(520, 160)
        texts = {_plain(b.text()) for b in box.buttons()}
        assert texts == {"Có", "Không"}, texts

        def press(box: QMessageBox = box, key: Qt.Key = key) -> None:
            if not box.isVisible():
                QTimer.singleShot(20, press)
                return
            box.activateWindow()
            if key is Qt.Key.Key_Return:
                box.grab().save(str(SHOTS / "qt_vi_question.png"))
            if key is Qt.Key.Key_C:
                yes = next(b for b in box.buttons() if _plain(b.text()) == "Có")
                QTest.mouseClick(yes, Qt.MouseButton.LeftButton)
            else:
                QTest.keyClick(box.focusWidget() or box, key)
            if box.isVisible():  # never leave a headless run waiting on a modal box
                QTimer.singleShot(2000, box.reject)

        QTimer.singleShot(0, press)
        answers.append(QMessageBox.StandardButton(box.exec()))
    # Enter takes the safe default (Không), a click on Có says yes, Escape is Không
    assert answers == [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No]


def test_button_boxes_speak_vietnamese(qtbot) -> None:  # noqa: ANN001
    std = QDialogButtonBox.StandardButton
    box = QDialogButtonBox(std.Ok | std.Cancel | std.Close | std.Save | std.Apply | std.Help)
    qtbot.addWidget(box)
    texts = {_plain(b.text()) for b in box.buttons()}
    assert texts == {"Đồng ý", "Hủy", "Đóng", "Lưu", "Áp dụng", "Trợ giúp"}
    assert not texts & ENGLISH


def test_the_text_field_menu_speaks_vietnamese_and_its_copy_works(qtbot) -> None:  # noqa: ANN001
    edit = QLineEdit("Đỗ Văn An")
    qtbot.addWidget(edit)
    edit.resize(300, 30)
    edit.show()
    qtbot.waitExposed(edit)
    edit.selectAll()
    menu: QMenu = edit.createStandardContextMenu()
    texts = [_plain(a.text()) for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Hoàn tác", "Làm lại", "Cắt", "Sao chép", "Dán", "Xóa", "Chọn tất cả"]
    assert any("Ctrl+C" in a.text() for a in menu.actions())  # the shortcut is kept, not swallowed
    menu.popup(edit.mapToGlobal(QPoint(10, 10)))
    qtbot.waitExposed(menu)
    SHOTS.mkdir(parents=True, exist_ok=True)
    menu.grab().save(str(SHOTS / "qt_vi_line_edit_menu.png"))
    QApplication.clipboard().clear()
    copy = next(a for a in menu.actions() if _plain(a.text()) == "Sao chép")
    copy.trigger()
    menu.close()
    assert QApplication.clipboard().text() == "Đỗ Văn An"


def test_the_file_dialog_columns_and_tool_tips_are_vietnamese(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "danh-sach-3A.xlsx").write_bytes(b"x")
    (tmp_path / "luu-tru").mkdir()
    dlg = dialogs.make_file_dialog(None, "Chọn tệp danh sách lớp", str(tmp_path), "Bảng tính Excel (*.xlsx)",
                                   dialogs.ChooserMode.OPEN)
    qtbot.addWidget(dlg)
    dlg.resize(1000, 600)
    dlg.show()
    qtbot.waitExposed(dlg)
    qtbot.wait(200)  # the file system model lists the folder in a thread
    header = dlg.findChild(QHeaderView)
    model = header.model()
    columns = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert columns[:4] == ["Tên", "Kích thước", "Loại", "Ngày sửa"], columns
    dlg.grab().save(str(SHOTS / "qt_vi_file_dialog.png"))


def test_english_settings_give_qt_english_and_back(qtbot, qapp) -> None:  # noqa: ANN001
    assert i18n.install_translator(qapp, "en")
    try:
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        qtbot.addWidget(bb)
        assert _plain(bb.buttons()[0].text()) == "Cancel"
    finally:
        i18n.install_translator(qapp, "vi")
    bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(bb)
    assert _plain(bb.buttons()[0].text()) == "Hủy"


def test_the_shipped_qm_is_the_table_compiled(tmp_path: Path) -> None:
    lrelease = require_tool("pyside6-lrelease", search=str(Path(sys.executable).parent))
    ts = tmp_path / "qtbase_vi.ts"
    ts.write_text(ts_text(), encoding="utf-8")
    assert ts.read_text(encoding="utf-8") == qm_path().with_suffix(".ts").read_text(encoding="utf-8"), \
        "run tools/update_qt_vi.py"
    subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(tmp_path / "vi.qm")], check=True)
    assert (tmp_path / "vi.qm").read_bytes() == qm_path().read_bytes(), "run tools/update_qt_vi.py"


def test_every_entry_of_the_table_is_vietnamese_not_a_copy() -> None:
    for context, entries in TABLE.items():
        for source, text in entries.items():
            assert text, (context, source)
            if source not in {"Show ", "Alias"}:
                assert text != source, (context, source)


def test_a_broken_record_file_is_refused_in_vietnamese_naming_file_and_line(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    from hocbaso_desktop.gui.verify_dialog import VerifyDialog

    bad = tmp_path / "hoc-ba-Do-Van-An.xml"
    bad.write_bytes(b"<?xml version='1.0' encoding='utf-8'?>\n<HocBa>\n  <HoTen>\xc4\x90\xe1\xbb\x97 V\xc4\x83n An</HoTen>\n  <Lop>3A\n</HocBa>\n")
    dlg = VerifyDialog(None, None)
    qtbot.addWidget(dlg)
    dlg.resize(900, 520)
    dlg.show()
    choose = next(b for b in dlg.findChildren(QPushButton) if b.text() == "Chọn tệp XML…")
    with answer_with(None):  # cancelled: nothing is read, nothing said
        QTest.mouseClick(choose, Qt.MouseButton.LeftButton)
    assert dlg.report is None and dlg.verdict.text() == ""
    with answer_with(bad):
        QTest.mouseClick(choose, Qt.MouseButton.LeftButton)
    assert "KHÔNG hợp lệ" in dlg.verdict.text()
    shown = dlg.view.toPlainText()
    assert "Tệp hoc-ba-Do-Van-An.xml: không phải XML hợp lệ — dòng 5" in shown, shown
    assert "thẻ <Lop> mở ở dòng 4 nhưng gặp thẻ đóng </HocBa>" in shown, shown  # escaped, shown as written
    assert "mismatch" not in shown and "line" not in shown
    dlg.grab().save(str(SHOTS / "verify_bad_xml.png"))


def test_a_device_error_in_background_work_is_told_in_vietnamese_not_as_pkcs11error(qtbot) -> None:  # noqa: ANN001
    import pkcs11.exceptions as p11

    from hocbaso_desktop.gui.operations import Op

    told: list[str] = []

    def work(_ctx):  # noqa: ANN001, ANN202
        raise p11.PKCS11Error("Unmapped error code 0x80000042")

    Op(None, work, lane="cpu").without_dialog().failure(told.append).run_in_background()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert told[0].startswith("Lỗi thiết bị ký số: lỗi riêng của nhà sản xuất thiết bị"), told
    assert "PKCS11Error" not in told[0] and "Unmapped" not in told[0]

    def bug(_ctx):  # noqa: ANN001, ANN202
        raise KeyError("outbox.endpoint")

    told.clear()
    Op(None, bug, lane="cpu").without_dialog().failure(told.append).run_in_background()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert told[0].startswith("Lỗi không mong đợi trong chương trình") and "KeyError" not in told[0], told
