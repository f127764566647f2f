"""Run in a child process on an offscreen 1366×768 screen: open every dialog of the program through its
menu item (QAction.trigger(), as a person clicks it), save a screenshot of each to OUT_DIR/<name>.png,
read what it shows and print one JSON list for tests/gui/test_dialog_screens.py.

    python -m tests.gui.dialog_screens DB OUT_DIR CLASS ACTOR

Modal dialogs are caught by a timer while their exec() runs, read, grabbed and closed unanswered
(reject(): a question is answered «Không»); file choosers are answered «cancelled»; windows opened
without exec() are caught after the click.
"""

from __future__ import annotations

import html
import json
import re
import sys
import time
import unicodedata
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QHeaderView,
    QLabel,
    QMenu,
    QTabBar,
    QWidget,
)

# Items that leave the program or hand the desktop to another program (a file manager).
SKIPPED = ("Thoát", "Mở thư mục")
SETTLE_S = 0.4  # a dialog filling itself on a worker thread (the dashboard, the queue) gets this long
AFTER_CLICK_S = 1.2


def slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def menu_items(menu: QMenu, trail: str) -> list[tuple[str, QAction]]:
    out: list[tuple[str, QAction]] = []
    for a in menu.actions():
        if a.isSeparator():
            continue
        name = f"{trail} › {a.text().replace('&', '')}"
        sub = a.menu()
        if isinstance(sub, QMenu):
            out += menu_items(sub, name)
        else:
            out.append((name, a))
    return out


def plain(text: str) -> str:
    if "<" in text and ">" in text:
        text = re.sub(r"<[^>]+>", " ", text)
    return html.unescape(text).replace("&", "")


def rect(r) -> list[int]:  # noqa: ANN001 - QRect
    return [r.x(), r.y(), r.width(), r.height()]


def read(w: QWidget) -> dict:
    """What a person sees on `w`: its texts (where they come from) and the labels cut short."""
    texts: list[list[str]] = [["window title", w.windowTitle()]]
    clipped: list[dict] = []
    for lab in w.findChildren(QLabel):
        if not lab.isVisibleTo(w) or not lab.text():
            continue
        texts.append([f"QLabel {lab.objectName()}".strip(), plain(lab.text())])
        if not lab.wordWrap() and lab.sizeHint().width() > lab.width() + 1:
            clipped.append({"text": plain(lab.text())[:80], "needs": lab.sizeHint().width(), "has": lab.width()})
    for b in w.findChildren(QAbstractButton):
        if b.isVisibleTo(w) and b.text():
            texts.append([type(b).__name__, plain(b.text())])
    for g in w.findChildren(QGroupBox):
        if g.isVisibleTo(w) and g.title():
            texts.append(["QGroupBox", plain(g.title())])
    for bar in w.findChildren(QTabBar):
        if bar.isVisibleTo(w):
            texts += [["QTabBar", plain(bar.tabText(i))] for i in range(bar.count())]
    for h in w.findChildren(QHeaderView):
        model = h.model()
        if not h.isVisibleTo(w) or model is None:
            continue
        n = model.columnCount() if h.orientation() == Qt.Orientation.Horizontal else 0
        for i in range(n):
            value = model.headerData(i, h.orientation(), Qt.ItemDataRole.DisplayRole)
            if value and not h.isSectionHidden(i):
                texts.append(["QHeaderView", str(value)])
    screen = w.screen().availableGeometry()
    return {"texts": texts, "clipped": clipped, "frame": rect(w.frameGeometry()), "geometry": rect(w.geometry()),
            "available": rect(screen), "class": type(w).__name__}


SEEN, DONE = "dialogScreensSeen", "dialogScreensDone"  # marks on the widgets themselves: Python ids get reused


class Catcher:
    """Grabs and closes each window that appears and was not there at the start."""

    def __init__(self, out: Path) -> None:
        self.out = out
        for w in QApplication.topLevelWidgets():
            w.setProperty(DONE, True)
        self.item = ""
        self.results: list[dict] = []
        self.timer = QTimer()
        self.timer.setInterval(50)
        self.timer.timeout.connect(self.tick)

    def new_windows(self) -> list[QWidget]:
        return [w for w in QApplication.topLevelWidgets()
                if w.isVisible() and not w.property(DONE) and not isinstance(w, QMenu) and w.isWindow()]

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        for w in self.new_windows():
            seen = w.property(SEEN)
            if seen is None:
                w.setProperty(SEEN, now)
                seen = now
            if not force and now - seen < SETTLE_S:
                continue
            self.capture(w)

    def capture(self, w: QWidget) -> None:
        n = sum(1 for r in self.results if r["item"] == self.item)
        name = slug(self.item) + (f"-{n + 1}" if n else "")
        w.grab().save(str(self.out / f"{name}.png"))
        rec = read(w)
        rec.update(item=self.item, name=name)
        self.results.append(rec)
        w.setProperty(DONE, True)  # never twice, even if it refuses to close
        if isinstance(w, QDialog):
            w.reject()
        else:
            w.close()


def main(db: str, out_dir: str, class_name: str, actor: str) -> int:
    from hocbaso_desktop.gui import dialogs
    from hocbaso_desktop.gui.app import open_main_window

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    dialogs._choose = lambda *_a, **_k: None  # every file chooser: the person cancels  # type: ignore[assignment]
    w = open_main_window(db=db, class_name=class_name, actor=actor)
    w.show()
    app.processEvents()
    catcher = Catcher(out)
    catcher.timer.start()
    tried: list[str] = []
    for top in w.menuBar().actions():
        menu = top.menu()
        if not isinstance(menu, QMenu):
            continue
        for name, action in menu_items(menu, top.text().replace("&", "")):
            if any(s in name for s in SKIPPED) or not action.isEnabled():
                continue
            catcher.item = name
            action.trigger()  # a modal dialog is caught inside its exec() by the timer
            end = time.monotonic() + AFTER_CLICK_S
            while time.monotonic() < end:
                app.processEvents()
                time.sleep(0.02)
            catcher.tick(force=True)
            app.processEvents()
            tried.append(name)
    catcher.timer.stop()
    print(json.dumps({"tried": tried, "dialogs": catcher.results}, ensure_ascii=False))
    w.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
