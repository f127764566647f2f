"""The settings dialog: reachable from Công cụ › Cài đặt…, round trip through its widgets, refusals
shown, read-only for someone without the right; the backup menu and its restore flow."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtWidgets import QMessageBox

from hocbaso_desktop.gui import i18n
from hocbaso_desktop.gui.backup_ui import install_backup_ui
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.settings_dialog import TAB_TITLES, install_settings_ui
from hocbaso_desktop.services import backup, machine_config, settings_form
from hocbaso_desktop.storage import snapshot

YEAR = "2025-2026"


@pytest.fixture
def window(qtbot, demo_store):
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    install_settings_ui(w)
    yield w
    i18n.install_translator(None, "vi")
    machine_config.save(machine_config.MachineConfig())


def test_menu_entry_and_tabs(window: MainWindow) -> None:
    assert window.settings_ui.action in window.tools_menu.actions()
    dlg = window.settings_ui.open()
    assert [dlg.tabs.tabText(i) for i in range(dlg.tabs.count())] == list(TAB_TITLES)
    assert dlg.school.edits["name"].text() and dlg.school.principal.text()
    assert dlg.year.year_label.text() == YEAR


def test_round_trip_through_the_widgets(window: MainWindow, demo_store, tmp_path, monkeypatch) -> None:
    dlg = window.settings_ui.open()
    dlg.school.edits["moet_code"].setText("79000123")
    dlg.school.edits["province"].setText("Ninh Bình")
    dlg.year.main.set(date(2026, 6, 22))
    dlg.year.final.set(date(2026, 8, 9))
    dlg.year.cutoff.set(date(2026, 7, 31))
    dlg.signing.preset.setCurrentIndex(dlg.signing.preset.findData("softhsm2"))
    assert dlg.signing.module.text()  # filled from the preset
    dlg.signing.label.setText("HOCBASO-DEMO")
    dlg.signing.trust.addItem(str(tmp_path / "ca"))
    dlg.upload.endpoint.setText("https://nhan.example.vn/hocba")
    dlg.upload.token_env.setText("HOCBASO_TOKEN")
    dlg.security.minutes.setValue(5)
    dlg.backup.folder.setText(str(tmp_path / "sao-luu"))
    dlg.backup.keep.setValue(20)
    dlg.language.combo.setCurrentIndex(dlg.language.combo.findData("en"))
    assert dlg.save()

    f = settings_form.load_form(demo_store, YEAR)
    assert (f.school["moet_code"], f.school["province"]) == ("79000123", "Ninh Bình")
    assert (f.main_deadline, f.final_deadline, f.correction_cutoff) == (date(2026, 6, 22), date(2026, 8, 9), date(2026, 7, 31))
    assert f.token_label == "HOCBASO-DEMO" and f.trust_dirs == (str(tmp_path / "ca"),) and f.pkcs11_module
    assert (f.endpoint, f.token_env, f.idle_minutes) == ("https://nhan.example.vn/hocba", "HOCBASO_TOKEN", 5.0)
    assert (f.backup_dir, f.backup_keep, f.language) == (str(tmp_path / "sao-luu"), 20, "en")
    # the language applies at once to the main window
    assert window.menuBar().actions()[0].text() == "&File"
    # a new dialog shows what was saved
    again = window.settings_ui.open()
    assert again.collected() == f


def test_a_refusal_is_shown_and_nothing_is_saved(window: MainWindow, demo_store, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    dlg = window.settings_ui.open()
    before = settings_form.load_form(demo_store, YEAR)
    dlg.upload.token_env.setText("Bearer eyJhbGciOi")  # a token pasted where its variable's name belongs
    dlg.security.minutes.setValue(3)
    assert not dlg.save()
    assert shown and "biến môi trường" in shown[0]
    assert settings_form.load_form(demo_store, YEAR) == before


def test_a_province_outside_the_national_list_is_refused_naming_the_field(window: MainWindow, demo_store,
                                                                          monkeypatch) -> None:
    """Every record names the school's province by its national code: the form refuses a name the
    list (QĐ 19/2025/QĐ-TTg) does not know, instead of letting every later signature fail."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: shown.append(text))
    dlg = window.settings_ui.open()
    before = settings_form.load_form(demo_store, YEAR)
    dlg.school.edits["province"].setText("Tỉnh Không Có")
    assert not dlg.save()
    assert shown and "Tỉnh/Thành phố" in shown[0] and "Tỉnh Không Có" in shown[0]
    assert settings_form.load_form(demo_store, YEAR) == before
    dlg.school.edits["province"].setText("Bắc Giang")  # a pre-merger name is still a province
    assert dlg.save()


def test_without_the_right_only_the_language(qtbot, demo_store) -> None:
    w = MainWindow(demo_store, "GV001")
    qtbot.addWidget(w)
    ui = install_settings_ui(w)
    dlg = ui.open()
    assert not dlg.may_edit
    assert not dlg.school.isEnabled() and not dlg.backup.isEnabled() and dlg.language.isEnabled()


def test_backup_menu_daily_backup_and_restore_flow(window: MainWindow, demo_store, qtbot, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(snapshot.ENV_DIR, str(tmp_path / "bk"))
    ui = install_backup_ui(window, first_check_ms=10)
    assert ui.menu.menuAction() in window.tools_menu.actions()
    with qtbot.waitSignal(ui.done, timeout=60_000) as sig:  # the first daily check, on a worker thread
        pass
    made, error = sig.args
    assert error is None and made.reason == backup.DAILY
    assert "Đã sao lưu" in window.statusBar().currentMessage()
    with qtbot.waitSignal(ui.done, timeout=60_000):
        ui.now_action.trigger()
    assert len(backup.list_backups(demo_store)) == 2

    demo_store.execute_raw("DELETE FROM comment_bank")
    restarted: list[bool] = []
    ui.restart = lambda: restarted.append(True)
    infos: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: infos.append(text))
    result = ui.restore(str(made.path))
    assert result is not None and restarted == [True] and "khởi động lại" in infos[0]
    with demo_store.engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM comment_bank").scalar() > 0

    bad = tmp_path / "hong.sqlite3"
    bad.write_bytes(made.path.read_bytes()[:40_000])
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    assert ui.restore(str(bad)) is None and restarted == [True]
    assert "bị hỏng" in warnings[0]
