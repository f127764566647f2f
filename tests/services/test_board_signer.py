"""The authorised vice-principal (KT. Hiệu trưởng): the principal decides who signs for the board, the
records name that person, and nobody else signs in the board's role.

On a school set up from nothing (tests/assign_school.py) for the rules and the record content; on
the demo school with the SoftHSM2 token for the signatures themselves."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from hocbaso_desktop.domain.errors import HocbasoError, InvalidValue, NotFound, PermissionDenied
from hocbaso_desktop.services import board_signer, directory
from hocbaso_desktop.services.records import record_data
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.signing import TrustStore, verify_record
from hocbaso_desktop.signing.policy import issued_policy
from hocbaso_desktop.signing.record_shape import NS
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Enrolment
from tests.assign_school import PASSWORD, build_school, give_password
from tests.school_token import SchoolToken, school_token
from tests.services.test_signing_service import _class, _records, _sign


@pytest.fixture
def school(tmp_path: Path):
    path = build_school(tmp_path / "truong.sqlite3")
    with Store.open(path) as store:
        yield store


def _board_person(store: Store):
    with store.read() as s:
        enrolment_id = s.query(Enrolment.id).order_by(Enrolment.id).first()[0]
        return record_data(s, enrolment_id).principal


def test_principal_authorises_a_vice_principal_and_the_record_names_them(school: Store) -> None:
    assert board_signer.board_signer(school).code == "HT"
    assert _board_person(school).full_name == "Nguyễn Văn Hiệu"
    signer = board_signer.authorise(school, directory.actor(school, "HT"), "pht")
    assert (signer.code, signer.authorised, signer.person.position) == ("PHT", True, "Phó hiệu trưởng")
    person = _board_person(school)
    assert (person.full_name, person.position) == ("Đỗ Văn Phó", "Phó hiệu trưởng")
    assert board_signer.authorise(school, directory.actor(school, "HT"), "-").code == "HT"
    assert _board_person(school).position == "Hiệu trưởng"
    with school.read() as s:
        changes = [(a.actor, a.entity_id) for a in s.query(AuditEntry).filter(AuditEntry.action == "setting.set")]
    assert changes == [("HT", "signing.board_signer")] * 2
    assert school.verify_audit().ok


@pytest.mark.parametrize("who, code, error, text", [
    ("PHT", "PHT", PermissionDenied, "ủy quyền ký học bạ"),  # a vice-principal cannot authorise himself
    ("QT01", "PHT", PermissionDenied, "ủy quyền ký học bạ"),  # nor can Ban quản trị
    ("GV001", "PHT", PermissionDenied, "ủy quyền ký học bạ"),
    ("HT", "GV001", InvalidValue, "không phải Phó hiệu trưởng"),  # only a vice-principal signs for the principal
    ("HT", "GV009", InvalidValue, "đã nghỉ"),  # a teacher who left
    ("HT", "XX99", NotFound, "XX99"),
])
def test_authorisation_refused(school: Store, who: str, code: str, error: type, text: str) -> None:
    with pytest.raises(error, match=text):
        board_signer.authorise(school, directory.actor(school, who), code)
    assert board_signer.board_signer(school).code == "HT" and _board_person(school).position == "Hiệu trưởng"


def test_authorisation_lapses_when_the_vice_principal_leaves(school: Store) -> None:
    from hocbaso_desktop.services import staff_admin

    board_signer.authorise(school, directory.actor(school, "HT"), "PHT")
    staff_admin.deactivate_staff(school, directory.actor(school, "HT"), "PHT", date.today(), "chuyển công tác")
    assert board_signer.board_signer(school).code == "HT"  # never somebody no longer authorised


def test_cli_board_signer_needs_the_principal(tmp_path: Path) -> None:
    db = build_school(tmp_path / "truong.sqlite3")
    with Store.open(db) as store:
        for code in ("HT", "PHT"):
            give_password(store, code)
    env = {**os.environ, "HOCBASO_PASSWORD": PASSWORD}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hocbaso_desktop.cli", "--db", str(db), *args],
                              capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300)

    refused = run("settings", "set", "board-signer", "PHT", "--as", "PHT")
    assert refused.returncode == 1 and "ủy quyền ký học bạ" in refused.stderr
    ok = run("settings", "set", "board-signer", "PHT", "--as", "HT")
    assert ok.returncode == 0 and "Đỗ Văn Phó (PHT), Phó hiệu trưởng — KT. Hiệu trưởng" in ok.stdout
    assert "Đỗ Văn Phó (PHT)" in run("settings", "show").stdout
    with Store.open(db) as store:
        assert board_signer.board_signer(store).code == "PHT"


# ---- signing, on the demo school's SoftHSM2 token -------------------------------------------------------


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture
def store(demo_store: Store, token: SchoolToken) -> Store:
    token.attach(demo_store)
    return demo_store


def test_authorised_vice_principal_signs_and_the_record_verifies(store: Store, token: SchoolToken) -> None:
    board_signer.authorise(store, directory.actor(store, "HT"), "PHT")
    n = _class(store, "1A").student_count
    _sign(store, token, "GV001", ["1A"])
    with pytest.raises(HocbasoError, match="ủy quyền cho Phó hiệu trưởng Nguyễn Văn Hòa"):
        plan_signing(store, directory.actor(store, "HT"), [_class(store, "1A").id])  # the record names the PHT
    plan, run = _sign(store, token, "PHT", ["1A"])
    assert plan.role == "principal" and len(run.signed) == n
    _plan, run = _sign(store, token, "VP01", ["1A"], seal=True)
    assert all(o.issued for o in run.signed)
    trust = TrustStore.from_dirs(token.trust_dir)
    for rec in _records(store, "1A").values():
        content = etree.fromstring(rec.content_xml)
        assert content.findtext(f".//{{{NS}}}tengiamhieu") == "Nguyễn Văn Hòa"
        assert content.findtext(f".//{{{NS}}}chucvugiamhieu") == "Phó hiệu trưởng"
        report = verify_record(rec.signed_xml, trust, policy=issued_policy())
        assert report.ok and not report.policy_problems, report.lines()


def test_changing_the_board_signer_voids_unissued_signatures(store: Store, token: SchoolToken) -> None:
    _sign(store, token, "GV001", ["1A"])  # the content names the principal
    board_signer.authorise(store, directory.actor(store, "HT"), "PHT")
    plan = plan_signing(store, directory.actor(store, "PHT"), [_class(store, "1A").id])
    # the GVCN vouched for another board signer: back to draft, to be signed again
    assert not plan.items and len(plan.resets) == _class(store, "1A").student_count
    assert {r.status for r in _records(store, "1A").values()} == {"draft"}


def test_settings_screen_save_refuses_anyone_but_the_principal(school: Store) -> None:
    from hocbaso_desktop.services import school_settings, settings_form

    school_settings.save_school_details(school, directory.actor(school, "QT01"), {"name": "Trường Tiểu học Thử"})
    old = settings_form.load_form(school, None)
    assert [c for c, _label in old.board_choices] == ["", "PHT"]
    with pytest.raises(PermissionDenied, match="ủy quyền ký học bạ"):  # Ban quản trị may edit settings, not this
        settings_form.save_form(school, directory.actor(school, "QT01"), old.with_(board_signer="PHT"), old)
    assert board_signer.board_signer(school).code == "HT"
    assert settings_form.save_form(school, directory.actor(school, "HT"), old.with_(board_signer="PHT"), old) == 1
    assert settings_form.load_form(school, None).board_signer == "PHT"
