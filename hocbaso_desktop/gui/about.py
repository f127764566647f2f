"""Giới thiệu: a static layout from Qt Designer (ui/about_dialog.ui), filled with live facts."""

from __future__ import annotations

import sqlite3

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QWidget

from .. import __version__
from ..paths import resources_dir
from ..storage.engine import Store
from .forms.ui_about_dialog import Ui_AboutDialog


class AboutDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_AboutDialog()
        self.ui.setupUi(self)
        self.ui.versionLabel.setText(f"Phiên bản {__version__}")
        self.ui.iconLabel.setPixmap(QPixmap(str(resources_dir() / "icons" / "hocbaso.png")))
        chain = store.verify_audit()
        self.ui.detailsLabel.setText(
            f"Tệp dữ liệu: {store.path}\n"
            f"SQLite {sqlite3.sqlite_version}; nhật ký thao tác: {chain.count} mục, "
            + ("chuỗi băm nguyên vẹn" if chain.ok else f"CHUỖI BỊ HỎNG tại mục #{chain.first_bad}")
            + "\nPhông chữ DejaVu Sans và Liberation Serif kèm theo giấy phép trong resources/fonts."
        )
