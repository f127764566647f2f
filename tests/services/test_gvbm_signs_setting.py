"""GVBM sign-off (seed 004 Điều 5, 11) as an editable, audited school setting: the settings form, the
CLI (`hocbaso settings show|set`) and its effect on the signing plan."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError, PermissionDenied
from hocbaso_desktop.services import directory, settings, settings_form
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry

CMD = [sys.executable, "-m", "hocbaso_desktop.cli"]


def _entries(store: Store) -> list[tuple[str, str]]:
    with store.read() as s:
        return [(e.actor, e.changes) for e in s.execute(select(AuditEntry).where(
            AuditEntry.entity_id == settings.GVBM_SIGNS)).scalars()]


def test_form_turns_it_on_and_the_gvcn_waits_for_the_gvbm(demo_store: Store) -> None:
    class_id = directory.find_class(demo_store, "1A", None).id
    gvcn = directory.actor(demo_store, "GV001")
    assert not any(n.reason.startswith("còn chờ GVBM ký") for n in plan_signing(demo_store, gvcn, [class_id]).skipped)
    with pytest.raises(HocbasoError):  # off: a GVBM has no part to sign
        plan_signing(demo_store, directory.actor(demo_store, "GV011"), [class_id], "gvbm")
    old = settings_form.load_form(demo_store, None)
    assert old.gvbm_signs is False
    assert settings_form.save_form(demo_store, directory.actor(demo_store, "QT01"), old.with_(gvbm_signs=True), old) == 1
    assert settings.signing_settings(demo_store).gvbm_signs is True
    assert [a for a, _c in _entries(demo_store)] == ["QT01"]
    plan = plan_signing(demo_store, gvcn, [class_id])
    assert not plan.items and plan.skipped
    assert all(n.reason.startswith("còn chờ GVBM ký") for n in plan.skipped)
    gvbm_plan = plan_signing(demo_store, directory.actor(demo_store, "GV011"), [class_id])
    assert gvbm_plan.role == "gvbm" and gvbm_plan.items
    # saving the same form again writes nothing
    again = settings_form.load_form(demo_store, None)
    assert settings_form.save_form(demo_store, directory.actor(demo_store, "QT01"), again, again) == 0
    assert len(_entries(demo_store)) == 1


def test_a_teacher_cannot_switch_it(demo_store: Store) -> None:
    old = settings_form.load_form(demo_store, None)
    with pytest.raises(PermissionDenied):
        settings_form.save_form(demo_store, directory.actor(demo_store, "GV011"), old.with_(gvbm_signs=True), old)
    assert settings.signing_settings(demo_store).gvbm_signs is False and not _entries(demo_store)


def _run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_PASSWORD")}
    return subprocess.run([*CMD, "--db", str(db), *args], capture_output=True, text=True, env=env,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_cli_show_and_set(demo_db: Path) -> None:
    shown = _run(demo_db, "settings", "show")
    assert shown.returncode == 0 and "GVBM ký phần môn mình dạy trước GVCN (gvbm-signs): tắt" in shown.stdout
    assert "Tên trường: " in shown.stdout
    r = _run(demo_db, "settings", "set", "gvbm-signs", "on", "--as", "QT01")
    assert r.returncode == 0 and ": bật" in r.stdout, r.stderr
    assert "(gvbm-signs): bật" in _run(demo_db, "settings", "show").stdout
    assert "không thay đổi" in _run(demo_db, "settings", "set", "gvbm-signs", "on", "--as", "QT01").stdout
    refused = _run(demo_db, "settings", "set", "gvbm-signs", "off", "--as", "GV001")
    assert refused.returncode == 1 and "Không có quyền" in refused.stderr
    bad = _run(demo_db, "settings", "set", "gvbm-signs", "maybe", "--as", "QT01")
    assert bad.returncode == 1 and "maybe" in bad.stderr
    assert _run(demo_db, "settings", "set", "unknown-key", "on", "--as", "QT01").returncode == 2
    with Store.open(demo_db) as store:
        assert settings.signing_settings(store).gvbm_signs is True
        assert [a for a, _c in _entries(store)] == ["QT01"]
