"""Every item of the main window's menus, triggered as a person clicks it (QAction.trigger()), on the demo
and on a school set up from nothing: none raises (a slot taking `checked` as its path once printed a
TypeError and did nothing). File choosers are answered with a path, other dialogs are closed unanswered."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox

from hocbaso_desktop.gui import dialogs
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.storage.engine import Store
from tests.pupil_school import new_school


def menu_actions(menu: QMenu, trail: str = "") -> list[tuple[str, QAction]]:
    out: list[tuple[str, QAction]] = []
    for a in menu.actions():
        if a.isSeparator():
            continue
        name = f"{trail} › {a.text().replace('&', '')}" if trail else a.text().replace("&", "")
        if a.menu() is not None:
            out += menu_actions(a.menu(), name)
        else:
            out.append((name, a))
    return out


def all_actions(w: MainWindow) -> list[tuple[str, QAction]]:
    out: list[tuple[str, QAction]] = []
    for top in w.menuBar().actions():
        if top.menu() is not None:
            out += menu_actions(top.menu(), top.text().replace("&", ""))
    return out


def close_what_opened(keep: set[int]) -> None:
    """Close every window the action opened (modal ones first, so a blocked exec() returns)."""
    for _ in range(20):
        w = QApplication.activePopupWidget() or QApplication.activeModalWidget()
        if w is None:
            break
        w.close()
        QApplication.processEvents()
    for w in QApplication.topLevelWidgets():
        if w.isVisible() and id(w) not in keep:
            w.close()


@pytest.fixture
def answered_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _no_blocking_message_boxes: list) -> Iterator[list[str]]:
    """File choosers answered with a path in tmp_path; every Yes/No question answered No (nothing
    irreversible is done by a test that only checks the items react). Refusal boxes are expected."""
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)

    def save(_parent, title, suggested="", _filter="", *a, **k):
        asked.append(title)
        return str(tmp_path / (Path(suggested).name or "out.bin")), ""

    def open_(_parent, title, *a, **k):
        asked.append(title)
        return "", ""  # nothing chosen: the honest "cancelled" path

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(tmp_path)))

    def choose(_parent, title, start, _filter, mode):
        asked.append(title)
        if mode is dialogs.ChooserMode.SAVE:
            return str(tmp_path / (Path(start).name or "out.bin"))
        return str(tmp_path) if mode is dialogs.ChooserMode.DIRECTORY else None

    monkeypatch.setattr(dialogs, "_choose", choose)  # the program's one chooser door (gui.dialogs)
    yield asked
    print("boxes:", _no_blocking_message_boxes)
    _no_blocking_message_boxes.clear()


def trigger_all(qtbot, w: MainWindow, minimum: int = 30) -> list[str]:
    errors: list[str] = []
    old_hook = sys.excepthook
    sys.excepthook = lambda t, v, tb: errors.append(f"{t.__name__}: {v}")
    keep = {id(x) for x in QApplication.topLevelWidgets() if x.isVisible()}
    closer = QTimer()
    closer.setInterval(30)
    closer.timeout.connect(lambda: close_what_opened(keep))
    closer.start()
    tried = []
    try:
        for name, action in all_actions(w):
            if action.shortcut().toString() == "Ctrl+Q" or name.endswith("Thoát"):
                continue
            before = len(errors)
            with qtbot.captureExceptions() as caught:
                action.trigger()
                qtbot.wait(60)
                close_what_opened(keep)
                qtbot.wait(20)
            errors += [f"{e[0].__name__}: {e[1]}" for e in caught]
            if len(errors) > before:
                errors[before:] = [f"{name}: {e}" for e in errors[before:]]
            tried.append(name)
    finally:
        closer.stop()
        sys.excepthook = old_hook
    assert len(tried) >= minimum, tried
    return errors


def test_every_menu_item_on_the_demo(qtbot, demo_store: Store, answered_files: list[str]) -> None:
    w = MainWindow(demo_store, "HT", allow_actor_choice=False)
    qtbot.addWidget(w)
    w.show()
    w.select_class("5A")
    errors = trigger_all(qtbot, w)
    assert not errors, errors
    # the four exports that once took `checked` as their path asked for a file, then wrote it
    for title in ("Mẫu danh sách lớp", "Xuất bảng đánh giá", "Bảng tổng hợp", "Xuất bản giấy cả lớp"):
        assert title in answered_files, (title, answered_files)


def test_every_menu_item_on_a_new_school(qtbot, empty_store: Store, tmp_path: Path, answered_files: list[str]) -> None:
    new_school(empty_store, tmp_path)
    w = MainWindow(empty_store, "VP01", allow_actor_choice=False)
    qtbot.addWidget(w)
    w.show()
    w.select_class("1A")
    errors = trigger_all(qtbot, w)
    assert not errors, errors


def test_the_check_catches_a_slot_taking_checked_as_its_path(qtbot, demo_store: Store, answered_files: list[str]) -> None:
    """The hostile case: an item wired straight to a slot with a default parameter (the old defect:
    triggered(bool) arrives as `path=False`) is reported, so the check above would have seen it."""
    w = MainWindow(demo_store, "HT", allow_actor_choice=False)
    qtbot.addWidget(w)
    w.select_class("5A")
    for top in list(w.menuBar().actions())[1:]:
        w.menuBar().removeAction(top)  # only Tệp, plus the broken item, to keep this quick
    broken = QAction("Xuất mẫu (nối sai)", w)
    broken.triggered.connect(w.export_class_template)
    w.file_menu.addAction(broken)
    errors = trigger_all(qtbot, w, minimum=3)
    assert any("Xuất mẫu (nối sai)" in e and "TypeError" in e for e in errors), errors
