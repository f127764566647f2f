"""Refresh resources/i18n/*.ts from the texts the main window really shows, then compile the .qm.

The UI strings are plain str literals (not self.tr()), so pyside6-lupdate finds nothing to
extract; instead this builds the main window offscreen on a demo school, with every extension
menu installed, and collects what gui/i18n.py translates (menus, actions, tabs, docks, tool bar).
Existing translations are kept; new texts are added as unfinished (they show in Vietnamese until
someone translates them, e.g. with pyside6-linguist). Run:  .venv/bin/python tools/update_translations.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
I18N = REPO / "resources" / "i18n"
CONTEXT = "MainWindow"


def collect() -> list[str]:
    from PySide6.QtWidgets import QApplication, QDockWidget, QLabel, QTabWidget, QToolBar

    from hocbaso_desktop.gui.backup_ui import install_backup_ui
    from hocbaso_desktop.gui.help_ui import install_help_ui
    from hocbaso_desktop.gui.main_window import MainWindow
    from hocbaso_desktop.gui.settings_dialog import install_settings_ui
    from hocbaso_desktop.services import demo
    from hocbaso_desktop.storage.engine import Store

    app = QApplication.instance() or QApplication([])
    texts: list[str] = []

    def add(t: str) -> None:
        t = t.strip()
        if t and "<" not in t and t not in texts:
            texts.append(t)

    def menu(m) -> None:  # noqa: ANN001
        add(m.title())
        for a in m.actions():
            if a.menu() is not None and a.menu() is not m:
                menu(a.menu())
            elif not a.isSeparator():
                add(a.text())

    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "demo.sqlite3") as store:
        demo.create_demo_school(store)
        win = MainWindow(store, None)
        if not hasattr(win, "settings_ui"):
            install_settings_ui(win)
        if not hasattr(win, "backup_ui"):
            install_backup_ui(win)
        if not hasattr(win, "help_ui"):
            install_help_ui(win)
        for a in win.menuBar().actions():
            if a.menu() is not None:
                menu(a.menu())
        for tabs in win.findChildren(QTabWidget):
            for i in range(tabs.count()):
                add(tabs.tabText(i))
        for d in win.findChildren(QDockWidget):
            add(d.windowTitle())
        for tb in win.findChildren(QToolBar):
            add(tb.windowTitle())
            for lab in tb.findChildren(QLabel):
                add(lab.text())
        win.close()
    app.processEvents()
    return texts


def write_ts(path: Path, lang: str, texts: list[str]) -> None:
    old: dict[str, str] = {}
    if path.exists():
        for msg in ET.parse(path).getroot().iter("message"):
            tr = msg.find("translation")
            if tr is not None and tr.text and tr.get("type") != "unfinished":
                old[msg.findtext("source") or ""] = tr.text
    ts = ET.Element("TS", version="2.1", language=lang, sourcelanguage="vi_VN")
    ctx = ET.SubElement(ts, "context")
    ET.SubElement(ctx, "name").text = CONTEXT
    for t in sorted(set(texts) | set(old), key=lambda x: (x not in texts, texts.index(x) if x in texts else 0, x)):
        m = ET.SubElement(ctx, "message")
        ET.SubElement(m, "source").text = t
        tr = ET.SubElement(m, "translation")
        if lang.startswith("vi"):
            tr.text = t  # the source language: identity, kept so translators see every text
        elif t in old:
            tr.text = old[t]
        else:
            tr.set("type", "unfinished")
        if t not in texts:
            tr.set("type", "vanished")
    ET.indent(ts)
    body = ET.tostring(ts, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8")


def lrelease(ts: Path) -> Path:
    qm = ts.with_suffix(".qm")
    exe = Path(sys.executable).with_name("pyside6-lrelease")
    subprocess.run([str(exe), "-silent", str(ts), "-qm", str(qm)], check=True)
    return qm


def main() -> int:
    texts = collect()
    I18N.mkdir(parents=True, exist_ok=True)
    write_ts(I18N / "hocbaso_vi.ts", "vi_VN", texts)
    write_ts(I18N / "hocbaso_en.ts", "en_GB", texts)
    print(f"{len(texts)} texts; compiled {lrelease(I18N / 'hocbaso_en.ts')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
