"""The English translation (resources/i18n/hocbaso_en.qm, Qt's own .ts/.qm machinery) switches the main
window's texts — menu titles, actions, tab titles, dock titles, tool bar labels — and back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDockWidget

from hocbaso_desktop.gui import i18n
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.settings_dialog import install_settings_ui
from hocbaso_desktop.services import machine_config
from tests.tools import require_tool


def _menu_titles(w: MainWindow) -> list[str]:
    return [a.text() for a in w.menuBar().actions() if a.menu() is not None]


@pytest.fixture
def window(qtbot, demo_store):
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    yield w
    i18n.install_translator(None, "vi")


def test_english_switches_the_main_window_and_back(window: MainWindow) -> None:
    vi_titles = _menu_titles(window)
    assert vi_titles[:4] == ["&Tệp", "&Nhà trường", "&Sửa", "&Học bạ"]
    vi_tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]

    assert i18n.apply_language(window, "en")
    titles = _menu_titles(window)
    assert titles[:4] == ["&File", "&School", "&Edit", "&Records"] and "&Tools" in titles and "&Help" in titles
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["Subjects", "Qualities – Competences", "Summary"]
    docks = {d.objectName(): d.windowTitle() for d in window.findChildren(QDockWidget)}
    assert docks["explainDock"] == "Why this result (Article 9)" and docks["noticeDock"] == "Notices"
    file_actions = [a.text() for a in window.file_menu.actions() if not a.isSeparator()]
    assert "&Quit" in file_actions and "&Import class lists from Excel…" in file_actions
    # the school's data is not a UI text: the school name stays as it is
    assert window.school_label.text().startswith("<b>")

    assert i18n.apply_language(window, "vi")  # back, exactly
    assert _menu_titles(window) == vi_titles
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == vi_tabs


def test_a_text_the_program_changes_later_is_not_overwritten(window: MainWindow) -> None:
    i18n.apply_language(window, "en")
    window.tabs.setTabText(2, "Tổng hợp (mới)")  # changed by code after a translation
    i18n.apply_language(window, "en")
    assert window.tabs.tabText(2) == "Tổng hợp (mới)"  # no translation: stays, is now the source
    assert window.tabs.tabText(0) == "Subjects"


def test_untranslated_text_stays_vietnamese(qapp) -> None:
    i18n.install_translator(None, "en")
    assert i18n.tr("&Tệp") == "&File" and i18n.tr(" Năm học: ") == " School year: "
    assert i18n.tr("Một câu chưa dịch") == "Một câu chưa dịch"
    i18n.install_translator(None, "vi")
    assert QCoreApplication.translate("MainWindow", "&Tệp") == "&Tệp"


def test_saved_language_applies_when_the_window_opens(qtbot, demo_store) -> None:
    machine_config.save(machine_config.MachineConfig(language="en"))
    try:
        w = MainWindow(demo_store)
        qtbot.addWidget(w)
        install_settings_ui(w)
        qtbot.waitUntil(lambda: _menu_titles(w)[0] == "&File", timeout=60_000)
    finally:
        machine_config.save(machine_config.MachineConfig())
        i18n.install_translator(None, "vi")


def test_the_shipped_qm_is_compiled_from_the_ts(tmp_path: Path) -> None:
    ts = i18n.qm_path("en").with_suffix(".ts")
    lrelease = require_tool("pyside6-lrelease", search=str(Path(sys.executable).parent))  # ships with PySide6
    out = tmp_path / "en.qm"
    subprocess.run([str(lrelease), "-silent", str(ts), "-qm", str(out)], check=True)
    assert out.read_bytes() == i18n.qm_path("en").read_bytes(), "run tools/update_translations.py"
    assert "type=\"unfinished\"" not in ts.read_text(encoding="utf-8")
