"""Trợ giúp › Hướng dẫn sử dụng opens the Vietnamese user guide, whose pages and screenshots exist."""

from __future__ import annotations

import re

from hocbaso_desktop.gui.help_ui import INDEX, install_help_ui
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.paths import guide_dir

ROLE_PAGES = ("van-thu.md", "giao-vien.md", "hieu-truong.md", "luu-tru.md")


def test_help_action_opens_the_guide(qtbot, demo_store) -> None:
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    ui = install_help_ui(w)
    help_menu = [a.menu() for a in w.menuBar().actions() if a.menu() and a.text() == "Trợ &giúp"][0]
    assert help_menu.actions()[0] is ui.action  # first entry, before "Giới thiệu"
    ui.action.trigger()
    dlg = ui.dialog
    assert dlg is not None and dlg.isVisible()
    text = dlg.view.toPlainText()
    assert "Hướng dẫn sử dụng" in text and "Văn thư" in text and "Hiệu trưởng" in text
    dlg.show_page("hieu-truong.md")
    assert "Ký số" in dlg.view.toPlainText()


def test_every_role_page_and_screenshot_exists() -> None:
    d = guide_dir()
    index = (d / INDEX).read_text(encoding="utf-8")
    for page in ROLE_PAGES:
        assert f"({page})" in index
        body = (d / page).read_text(encoding="utf-8")
        images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", body)
        assert images, page
        for img in images:
            assert (d / img).is_file(), (page, img)
