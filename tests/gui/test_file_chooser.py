"""The program's one file chooser (gui/dialogs.ask_save_path / ask_open_path / ask_directory): its own
Qt dialog with Vietnamese labels, answered by a person (typed name + Enter, or Escape) and by a check
(answer_with)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLabel, QLineEdit, QPushButton

from hocbaso_desktop.gui import dialogs
from hocbaso_desktop.gui.dialogs import ChooserMode, answer_with, ask_directory, ask_open_path, ask_save_path

SHOTS = Path("/tmp/shots")


def _when_chooser_opens(act) -> None:  # noqa: ANN001 - callable(QFileDialog)
    def poll() -> None:
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QFileDialog) and w.isVisible():
                act(w)
                return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_the_chooser_speaks_vietnamese_and_is_not_the_platform_one(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    (tmp_path / "mau.xlsx").write_bytes(b"x")
    dlg = dialogs.make_file_dialog(None, "Lưu báo cáo", str(tmp_path / "bao-cao.xlsx"), "Excel (*.xlsx)",
                                   ChooserMode.SAVE)
    qtbot.addWidget(dlg)
    dlg.resize(900, 560)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.testOption(QFileDialog.Option.DontUseNativeDialog)
    texts = {b.text().replace("&", "") for b in dlg.findChildren(QPushButton) if b.isVisible()}
    assert {"Lưu", "Hủy"} <= texts, texts
    labels = {lab.text().replace("&", "") for lab in dlg.findChildren(QLabel) if lab.isVisible()}
    assert {"Tên tệp:", "Loại tệp:", "Tìm trong:"} <= labels, labels
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "file_chooser_save.png"))


def test_a_person_types_a_name_and_presses_enter(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    def type_name(dlg: QFileDialog) -> None:
        edit = dlg.findChild(QLineEdit, "fileNameEdit")
        edit.setText(str(tmp_path / "bao-cao-lop"))
        QTest.keyClick(edit, Qt.Key.Key_Return)

    _when_chooser_opens(type_name)
    chosen = ask_save_path(None, "Lưu báo cáo", str(tmp_path / "bao-cao.xlsx"), "Excel (*.xlsx)")
    assert chosen == str(tmp_path / "bao-cao-lop.xlsx")  # the filter's extension added


def test_escape_is_a_cancel_and_answers_none(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    _when_chooser_opens(lambda dlg: QTest.keyClick(dlg, Qt.Key.Key_Escape))
    assert ask_open_path(None, "Chọn tệp", str(tmp_path), "Excel (*.xlsx)") is None


def test_the_cancel_button_is_labelled_huy_and_cancels(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    def press_cancel(dlg: QFileDialog) -> None:
        box = dlg.findChild(QDialogButtonBox)
        cancel = [b for b in box.buttons() if b.text().replace("&", "") == "Hủy"]
        assert cancel
        QTest.mouseClick(cancel[0], Qt.MouseButton.LeftButton)

    _when_chooser_opens(press_cancel)
    assert ask_directory(None, "Thư mục sao lưu", str(tmp_path)) is None


def test_a_check_answers_in_order_and_an_unexpected_chooser_fails_loudly(tmp_path: Path) -> None:
    with answer_with(tmp_path / "a.pdf", None) as answers:
        assert ask_save_path(None, "Lưu bản giấy", "hocba.pdf", "PDF (*.pdf)") == str(tmp_path / "a.pdf")
        assert ask_open_path(None, "Chọn tệp học bạ", "", "Học bạ XML (*.xml)") is None
        with pytest.raises(AssertionError, match="Thư mục kho"):
            ask_directory(None, "Thư mục kho")
    assert answers.asked == ["Lưu bản giấy", "Chọn tệp học bạ", "Thư mục kho"]
    assert dialogs._answers is None  # the block ends, the real chooser is back
