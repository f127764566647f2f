"""Screenshots of the user guide (docs/huong-dan/anh/), made by the program itself on a fresh demo school.

Main windows come from the real command line (`hocbaso-desktop --db … --class … --as … --screenshot`);
dialogs that no command opens are built in-process from the program's own widgets and grabbed.
Run:  QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
OUT = REPO / "docs" / "huong-dan" / "anh"
BIN = Path(sys.executable).parent

# (file, staff code, class, period): whose view each role page shows
MAIN_SHOTS = [
    ("van-thu-cua-so-chinh.png", "VP01", "1A", "CN"),
    ("giao-vien-bang-danh-gia.png", "GV001", "1A", "CK1"),
    ("giao-vien-bo-mon.png", "GV013", "3A", "CN"),
    ("hieu-truong-cua-so-chinh.png", "HT", "5A", "CN"),
    ("luu-tru-cua-so-chinh.png", "VP01", "5B", "CN"),
]


def main_window_shots(db: Path) -> None:
    exe = BIN / "hocbaso-desktop"
    for name, who, cls, period in MAIN_SHOTS:
        cmd = [str(exe), "--db", str(db), "--class", cls, "--period", period, "--as", who, "--screenshot", str(OUT / name)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        print(OUT / name)


def dialog_shots(db: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from hocbaso_desktop.gui.backup_ui import RestoreDialog, install_backup_ui
    from hocbaso_desktop.gui.fonts import install_ui_font
    from hocbaso_desktop.gui.help_ui import GuideDialog, install_help_ui
    from hocbaso_desktop.gui.import_wizard import ImportWizard
    from hocbaso_desktop.gui.main_window import MainWindow
    from hocbaso_desktop.gui.settings_dialog import SettingsDialog, install_settings_ui
    from hocbaso_desktop.services import backup, directory
    from hocbaso_desktop.storage.engine import Store

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(install_ui_font())

    def grab(widget, name: str) -> None:  # noqa: ANN001
        widget.show()
        for _ in range(3):
            app.processEvents()
        widget.grab().save(str(OUT / name))
        print(OUT / name)
        widget.close()

    with Store.open(db) as store:
        for _ in range(2):
            backup.backup_now(store, backup.DAILY)
        backup.backup_now(store, backup.MANUAL)
        win = MainWindow(store, "HT")
        install_settings_ui(win)
        install_backup_ui(win, first_check_ms=3_600_000)
        install_help_ui(win)
        win.select_class("1A")
        grab(ImportWizard(store, directory.actor(store, "VP01"), win), "van-thu-nhap-danh-sach.png")
        dlg = SettingsDialog(store, directory.actor(store, "HT"), win.year, win)
        dlg.signing.preset.setCurrentIndex(dlg.signing.preset.findData("softhsm2"))  # show a preset filled in
        for tab, name in ((0, "cai-dat-truong.png"), (1, "cai-dat-nam-hoc.png"), (2, "cai-dat-ky-so.png"),
                          (5, "cai-dat-sao-luu.png")):
            dlg.tabs.setCurrentIndex(tab)
            grab(dlg, name)
        grab(RestoreDialog(store, win), "luu-tru-khoi-phuc.png")
        tools = win.tools_menu
        win.show()
        app.processEvents()
        tools.popup(win.mapToGlobal(win.menuBar().actionGeometry(tools.menuAction()).bottomLeft()))
        win.backup_ui.menu.popup(tools.mapToGlobal(tools.actionGeometry(win.backup_ui.menu.menuAction()).topRight()))
        app.processEvents()
        # the open menus are separate windows: paint the main window, then both menus onto one picture
        from PySide6.QtGui import QPainter

        pic = win.grab()
        p = QPainter(pic)
        for m in (tools, win.backup_ui.menu):
            p.drawPixmap(win.mapFromGlobal(m.pos()), m.grab())
        p.end()
        pic.save(str(OUT / "luu-tru-menu-sao-luu.png"))
        print(OUT / "luu-tru-menu-sao-luu.png")
        tools.close()
        grab(GuideDialog(win), "tro-giup-huong-dan.png")
        win.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env_backup = os.environ.setdefault("HOCBASO_BACKUP_DIR", str(Path(tmp) / "sao-luu"))
        db = Path(tmp) / "truong-mau.sqlite3"
        subprocess.run([str(BIN / "hocbaso"), "--db", str(db), "demo"], check=True, capture_output=True, timeout=300)
        main_window_shots(db)
        dialog_shots(db)
        del env_backup
    return 0


if __name__ == "__main__":
    sys.exit(main())
