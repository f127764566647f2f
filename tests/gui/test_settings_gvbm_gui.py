"""Cài đặt › Ký số: the "GVBM ký phần môn mình dạy trước GVCN" box, saved in the one audited Lưu."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QCheckBox

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.services import settings

SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or Path(tempfile.gettempdir()) / "hocbaso-shots")


def test_checkbox_round_trip(qtbot, demo_store) -> None:  # noqa: ANN001
    w = MainWindow(demo_store, "QT01")
    qtbot.addWidget(w)
    dlg = w.settings_ui.open()
    qtbot.addWidget(dlg)
    box = dlg.findChild(QCheckBox, "gvbmSigns")
    assert box is not None and not box.isChecked() and box.text() == "GVBM ký phần môn mình dạy trước GVCN"
    dlg.tabs.setCurrentWidget(dlg.signing)
    box.setChecked(True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "settings-signing-gvbm.png"))
    assert dlg.save()
    assert settings.signing_settings(demo_store).gvbm_signs is True
    again = w.settings_ui.open()
    qtbot.addWidget(again)
    assert again.findChild(QCheckBox, "gvbmSigns").isChecked()


def test_read_only_for_a_teacher(qtbot, demo_store) -> None:  # noqa: ANN001
    w = MainWindow(demo_store, "GV001")
    qtbot.addWidget(w)
    dlg = w.settings_ui.open()
    qtbot.addWidget(dlg)
    assert not dlg.findChild(QCheckBox, "gvbmSigns").isEnabled()


def test_principal_names_the_board_signer(qtbot, demo_store) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QComboBox

    from hocbaso_desktop.services import board_signer

    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    dlg = w.settings_ui.open()
    qtbot.addWidget(dlg)
    combo = dlg.findChild(QComboBox, "boardSigner")
    assert combo.currentData() == "" and combo.currentText().startswith("Hiệu trưởng Đỗ Thị Thanh Hương")
    dlg.tabs.setCurrentWidget(dlg.signing)
    combo.setCurrentIndex(combo.findData("PHT"))
    assert combo.currentText() == "KT. Hiệu trưởng — Phó hiệu trưởng Nguyễn Văn Hòa (PHT)"
    dlg.grab().save(str(SHOTS / "settings-board-signer.png"))
    assert dlg.save()
    assert board_signer.board_signer(demo_store).code == "PHT"
    again = w.settings_ui.open()
    qtbot.addWidget(again)
    assert again.findChild(QComboBox, "boardSigner").currentData() == "PHT"


def test_board_signer_is_read_only_for_the_admin_team(qtbot, demo_store) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QComboBox

    w = MainWindow(demo_store, "QT01")
    qtbot.addWidget(w)
    dlg = w.settings_ui.open()
    qtbot.addWidget(dlg)
    assert dlg.findChild(QCheckBox, "gvbmSigns").isEnabled()  # Ban quản trị edits settings…
    assert not dlg.findChild(QComboBox, "boardSigner").isEnabled()  # …but does not name the board signer
