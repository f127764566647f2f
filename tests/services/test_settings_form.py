"""Settings round trip: every field of the settings dialog saved in one audited transaction and read back."""

from __future__ import annotations

from datetime import date

import pytest

from hocbaso_desktop.domain.errors import InvalidValue, PermissionDenied
from hocbaso_desktop.services import directory, machine_config, outbox_service, settings_form
from hocbaso_desktop.services.account_admin import idle_lock_minutes
from hocbaso_desktop.services.settings import signing_settings
from hocbaso_desktop.sync import deadlines as dl

YEAR = "2025-2026"


def _changed(form: settings_form.SettingsForm, tmp_path) -> settings_form.SettingsForm:
    return form.with_(
        school={**form.school, "name": "Trường Tiểu học Hòa Bình", "moet_code": "01234567", "province": "Ninh Bình",
                "address": "Số 1 đường Lê Lợi, phường Đông Thành"},
        start_date=date(2025, 9, 5), end_date=date(2026, 5, 29), lock_date=date(2026, 7, 1),
        correction_cutoff=date(2026, 6, 24), main_deadline=date(2026, 6, 20), final_deadline=date(2026, 8, 5),
        pkcs11_module="/usr/lib/libcastle.so.1.0.0", softhsm_conf="", token_label="VNPT-CA 1234",
        trust_dirs=(str(tmp_path / "ca1"), str(tmp_path / "ca2")), endpoint="https://csdl.example.vn/hocba",
        token_env="HOCBASO_UPLOAD_TOKEN", idle_minutes=7.5, backup_dir=str(tmp_path / "sao-luu"), backup_keep=30,
        language="en")


def test_round_trip_of_every_field(demo_store, tmp_path) -> None:
    ht = directory.actor(demo_store, "HT", YEAR)
    before = settings_form.load_form(demo_store, YEAR)
    assert before.school["name"] and before.principal  # the demo school has a principal on its staff
    audit_before = demo_store.verify_audit().count
    new = _changed(before, tmp_path)
    n = settings_form.save_form(demo_store, ht, new, before)
    assert n >= 15
    after = settings_form.load_form(demo_store, YEAR)
    assert after == new
    # the other services see the same values
    assert signing_settings(demo_store).token_label == "VNPT-CA 1234"
    assert outbox_service.outbox_settings(demo_store).token_env == "HOCBASO_UPLOAD_TOKEN"
    assert idle_lock_minutes(demo_store) == 7.5
    assert machine_config.load().language == "en"
    rules = outbox_service.outbox_settings(demo_store).rules
    assert dl.resolve([*dl.DEFAULT_RULES, *rules], "Ninh Bình", YEAR, 3, dl.MAIN)[0] == date(2026, 6, 20)
    # one transaction, audited; saving the same form again changes nothing
    report = demo_store.verify_audit()
    assert report.ok and report.count > audit_before
    assert settings_form.save_form(demo_store, ht, after, after) == 0
    assert settings_form.save_form(demo_store, ht, after) == 0
    # clearing the overrides gives the defaults back
    cleared = after.with_(main_deadline=None, final_deadline=None, correction_cutoff=None, trust_dirs=(), backup_dir="",
                          backup_keep=14, language="vi")
    settings_form.save_form(demo_store, ht, cleared, after)
    assert settings_form.load_form(demo_store, YEAR) == cleared
    assert outbox_service.outbox_settings(demo_store).rules == ()


def test_a_refused_value_changes_nothing(demo_store, tmp_path) -> None:
    ht = directory.actor(demo_store, "HT", YEAR)
    before = settings_form.load_form(demo_store, YEAR)
    bad = _changed(before, tmp_path).with_(final_deadline=date(2026, 6, 1))  # before the main deadline
    with pytest.raises(InvalidValue, match="Hạn gửi cuối"):
        settings_form.save_form(demo_store, ht, bad, before)
    assert settings_form.load_form(demo_store, YEAR) == before
    with pytest.raises(InvalidValue, match="biến môi trường"):
        settings_form.save_form(demo_store, ht, before.with_(token_env="Bearer abc.def"), before)
    with pytest.raises(InvalidValue, match="Tên trường"):
        settings_form.save_form(demo_store, ht, before.with_(school={**before.school, "name": "  "}), before)


def test_rights_school_settings_but_not_the_language(demo_store) -> None:
    teacher = directory.actor(demo_store, "GV001", YEAR)
    before = settings_form.load_form(demo_store, YEAR)
    with pytest.raises(PermissionDenied):
        settings_form.save_form(demo_store, teacher, before.with_(idle_minutes=3.0), before)
    assert settings_form.save_form(demo_store, teacher, before.with_(language="en"), before) == 1
    assert machine_config.load().language == "en"
    machine_config.save(machine_config.MachineConfig())


def test_damaged_machine_config_gives_defaults(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv(machine_config.ENV_DIR, str(tmp_path))
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    assert machine_config.load().language == "vi"


def test_correction_cutoff_after_the_lock_date_is_refused(demo_store, tmp_path) -> None:
    # seed 004: requests close (one week) BEFORE the records are locked, never after
    ht = directory.actor(demo_store, "HT", YEAR)
    before = settings_form.load_form(demo_store, YEAR)
    bad = _changed(before, tmp_path).with_(correction_cutoff=date(2026, 7, 2))  # lock date 01/07/2026
    with pytest.raises(InvalidValue, match="không được sau ngày khóa học bạ"):
        settings_form.save_form(demo_store, ht, bad, before)
    assert settings_form.load_form(demo_store, YEAR) == before
