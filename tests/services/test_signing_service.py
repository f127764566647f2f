"""Signing service against SoftHSM2: order and rights, CHT skipped, resumable, cancel, content changed
→ reset, one PIN per batch, pulled token, issue (sha256, ngày hiệu lực), grid refusal once issued."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select, update

from hocbaso_desktop.domain.catalogue import FINAL_PERIOD
from hocbaso_desktop.domain.errors import HocbasoError, PermissionDenied
from hocbaso_desktop.services import directory
from hocbaso_desktop.services import settings as settings_service
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.signing_plan import issued_enrolments, plan_signing
from hocbaso_desktop.services.signing_service import (
    CertificateChoice,
    SigningRun,
    choose_certificate,
    is_organisation_certificate,
    school_name,
)
from hocbaso_desktop.signing import CancelToken, PinEntryCancelled, ScriptedPinPrompt, TrustStore, WrongPin, verify_record
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, PeriodSummary, Record, RecordSignature, SubjectEvaluation, YearResult
from tests.school_token import PIN, SchoolToken, school_token


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture(scope="module")
def lane_for_fakes():
    from hocbaso_desktop.signing import TokenLane

    with TokenLane("test-fake-lane") as lane:
        yield lane


@pytest.fixture
def store(demo_store: Store, token: SchoolToken) -> Store:
    token.attach(demo_store)
    return demo_store


def _class(store: Store, name: str):
    return directory.find_class(store, name)


def _sign(store: Store, token: SchoolToken, code: str, class_names: list[str], *, seal: bool = False,
          cancel_after: int | None = None, prompt: ScriptedPinPrompt | None = None):
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [_class(store, c).id for c in class_names], seal=seal)
    if not plan.items:
        return plan, None
    choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    cancel = CancelToken()
    run = SigningRun(store, plan, token.provider, choice, prompt or ScriptedPinPrompt(lambda: PIN), cancel)
    for p in run:
        if cancel_after is not None and p.done >= cancel_after:
            cancel.cancel()
    return plan, run


def _records(store: Store, class_name: str) -> dict[int, Record]:
    ids = {r.enrolment_id for r in directory.students(store, class_name)}
    with store.read() as s:
        out = {r.enrolment_id: r for r in s.execute(select(Record).where(Record.enrolment_id.in_(ids))).scalars()}
        s.expunge_all()  # plain snapshots: the read session's rollback must not expire them
        return out


def _roles(store: Store, record_id: int) -> list[str]:
    with store.read() as s:
        return list(s.execute(select(RecordSignature.role).where(RecordSignature.record_id == record_id)
                              .order_by(RecordSignature.seq)).scalars())


def test_order_and_rights_then_issue(store: Store, token: SchoolToken) -> None:
    n = _class(store, "1A").student_count
    # principal and seal before the GVCN: nothing to sign, every record says why
    plan, run = _sign(store, token, "HT", ["1A"])
    assert run is None and len(plan.skipped) == n and {x.reason for x in plan.skipped} == {"GVCN chưa ký"}
    plan, run = _sign(store, token, "VP01", ["1A"], seal=True)
    assert run is None and all("chưa ký" in x.reason for x in plan.skipped)
    # not their class / not a signer
    with pytest.raises(PermissionDenied):
        plan_signing(store, directory.actor(store, "GV002"), [_class(store, "1A").id], "gvcn")
    with pytest.raises(PermissionDenied):
        plan_signing(store, directory.actor(store, "QT01"), [_class(store, "1A").id])
    with pytest.raises(PermissionDenied):
        plan_signing(store, directory.actor(store, "GV001"), [_class(store, "1A").id], seal=True)

    plan, run = _sign(store, token, "GV001", ["1A"])
    assert plan.role == "gvcn" and len(run.signed) == n and not run.failed
    recs = _records(store, "1A")
    assert {r.status for r in recs.values()} == {"signing"} and all(r.content_xml for r in recs.values())
    # the seal still waits for the principal
    plan, run = _sign(store, token, "HT", ["1A"], seal=True)
    assert run is None and {x.reason for x in plan.skipped} == {"Hiệu trưởng chưa ký"}

    with pytest.raises(HocbasoError, match="chỉ ký khi được Hiệu trưởng ủy quyền"):  # not authorised
        plan_signing(store, directory.actor(store, "PHT"), [_class(store, "1A").id])
    plan, run = _sign(store, token, "HT", ["1A"])  # the principal the records name
    assert plan.role == "principal" and len(run.signed) == n
    plan, run = _sign(store, token, "VP01", ["1A"], seal=True)  # the văn thư applies the seal
    assert plan.role == "seal" and len(run.signed) == n and all(o.issued for o in run.signed)

    trust = TrustStore.from_dirs(token.trust_dir)
    for rec in _records(store, "1A").values():
        assert rec.status == "issued" and rec.issued_at and rec.valid_from == rec.issued_at.date()
        assert rec.sha256 == hashlib.sha256(rec.signed_xml).hexdigest()
        assert _roles(store, rec.id) == ["gvcn", "principal", "seal"]
        report = verify_record(rec.signed_xml, trust)
        assert report.ok, report.lines()
        assert [s.role for s in report.signatures] == ["gvcn", "principal", "seal"]
    assert issued_enrolments(store, _class(store, "1A").id) == set(_records(store, "1A"))
    with store.read() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).where(AuditEntry.action.like("record.%")))]
    assert actions.count("record.sign") == 3 * n and actions.count("record.issue") == n
    assert store.verify_audit().ok

    # everything is done: a second run signs nothing and counts them as already signed
    plan, run = _sign(store, token, "VP01", ["1A"], seal=True)
    assert run is None and len(plan.already) == n


def test_cht_student_stays_unsigned_while_the_class_goes_ahead(store: Store, token: SchoolToken) -> None:
    info = _class(store, "3A")
    with store.read() as s:
        cht = set(s.execute(select(YearResult.enrolment_id).where(YearResult.pending_supplementary.is_(True))).scalars())
    cht &= {r.enrolment_id for r in directory.students(store, "3A")}
    assert cht, "the demo's 3A has students pending a supplementary evaluation"
    plan, run = _sign(store, token, info.homeroom_code, ["3A"])
    assert {x.enrolment_id for x in plan.skipped} == cht
    assert all(x.kind == "pending" and "CHT" in x.reason for x in plan.skipped)
    assert len(run.signed) == info.student_count - len(cht)
    assert not (set(_records(store, "3A")) & cht)


def test_incomplete_or_unconfirmed_record_is_not_signed(store: Store, token: SchoolToken) -> None:
    rows = directory.students(store, "1B")
    a, b = rows[0].enrolment_id, rows[1].enrolment_id
    with store.transaction("system") as tx:
        tx.session.execute(update(SubjectEvaluation).where(SubjectEvaluation.enrolment_id == a,
                           SubjectEvaluation.period == FINAL_PERIOD, SubjectEvaluation.subject_code == "TV").values(level=None))
        tx.session.execute(update(YearResult).where(YearResult.enrolment_id == b).values(confirmed_result=None))
    plan = plan_signing(store, directory.actor(store, _class(store, "1B").homeroom_code), [_class(store, "1B").id])
    notes = {x.enrolment_id: x for x in plan.skipped}
    assert notes[a].kind == "incomplete" and "Thiếu mức đạt được môn Tiếng Việt" in notes[a].reason
    assert notes[b].kind == "result" and "chưa xác nhận" in notes[b].reason
    others = [x for x in plan.skipped if x.enrolment_id not in (a, b)]
    assert all(x.kind == "pending" for x in others)  # 1B also has CHT students
    assert len(plan.items) == len(rows) - 2 - len(others)


def test_cancel_mid_batch_then_resume_with_one_pin_each(store: Store, token: SchoolToken) -> None:
    n = _class(store, "2A").student_count
    prompt = ScriptedPinPrompt(lambda: PIN)
    logins = token.provider.login_count
    _plan, run = _sign(store, token, "GV003", ["2A"], cancel_after=5, prompt=prompt)
    assert len(run.signed) == 5 and run.cancelled
    assert prompt.calls == 1 and token.provider.login_count == logins + 1  # one PIN, one login
    assert len(_records(store, "2A")) == 5
    plan, run = _sign(store, token, "GV003", ["2A"], prompt=prompt)
    assert len(plan.already) == 5 and len(run.signed) == n - 5 and not run.cancelled
    assert prompt.calls == 2


def test_content_changed_between_gvcn_and_principal_voids_the_signatures(store: Store, token: SchoolToken) -> None:
    _sign(store, token, "GV001", ["1A"])
    victim = directory.students(store, "1A")[3]
    with store.transaction("GV001") as tx:  # e.g. a comment fixed after the GVCN signed
        tx.session.execute(update(PeriodSummary).where(PeriodSummary.enrolment_id == victim.enrolment_id,
                           PeriodSummary.period == FINAL_PERIOD).values(teacher_comment="Em cần cố gắng hơn."))
    plan, run = _sign(store, token, "HT", ["1A"])
    assert [x.enrolment_id for x in plan.resets] == [victim.enrolment_id]
    assert "thay đổi" in plan.resets[0].reason
    assert victim.enrolment_id not in {o.enrolment_id for o in run.signed}
    rec = _records(store, "1A")[victim.enrolment_id]
    assert rec.status == "draft" and rec.signed_xml is None and rec.content_xml is None and _roles(store, rec.id) == []
    with store.read() as s:
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "record.reset")).first() is not None
    # the GVCN signs the new content; the principal can then go on
    plan, run = _sign(store, token, "GV001", ["1A"])
    assert [o.enrolment_id for o in run.signed] == [victim.enrolment_id] and len(plan.already) == len(plan.already)
    plan, run = _sign(store, token, "HT", ["1A"])
    assert [o.enrolment_id for o in run.signed] == [victim.enrolment_id]


def test_content_changed_while_the_batch_runs(store: Store, token: SchoolToken) -> None:
    _sign(store, token, "GV001", ["1A"])
    actor = directory.actor(store, "HT")
    plan = plan_signing(store, actor, [_class(store, "1A").id])
    late = plan.items[-1]
    choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN))
    for p in run:
        if p.done == 1:  # the GVCN edits the last student's record (through the grid) while the principal signs
            out = apply_edits(store, directory.actor(store, "GV001"),
                              [CellEdit(late.enrolment_id, FINAL_PERIOD, "days_excused", value="9")])
            assert out[0].ok, out[0].message
    assert [o.enrolment_id for o in run.failed] == [late.enrolment_id]
    assert "thay đổi" in run.failed[0].message
    rec = _records(store, "1A")[late.enrolment_id]
    assert rec.status == "draft" and _roles(store, rec.id) == []


def test_wrong_or_cancelled_pin_signs_nothing(store: Store, token: SchoolToken) -> None:
    with pytest.raises(WrongPin):
        _sign(store, token, "GV001", ["1A"], prompt=ScriptedPinPrompt(lambda: "000000"))
    with pytest.raises(PinEntryCancelled):
        _sign(store, token, "GV001", ["1A"], prompt=ScriptedPinPrompt(lambda: None))
    assert _records(store, "1A") == {}


def test_pulled_token_keeps_what_was_signed(store: Store, lane_for_fakes) -> None:
    from hocbaso_desktop.signing import Pkcs11Provider, TokenInfo
    from hocbaso_desktop.signing.session import _cert_info
    from tests.signing.fakes import FakeLib, FakeToken
    from tests.signing.softca import soft_identity

    actor = directory.actor(store, "GV001")
    plan = plan_signing(store, actor, [_class(store, "1A").id])
    lib = FakeLib()
    fake = FakeToken(lib, "FAKE-TOKEN", "123456")
    lib.tokens.append(fake)
    ident = soft_identity(actor.name, "svc")
    fake.add_identity(ident.cert, ident.key, b"\x07", fail_after=3)
    provider = Pkcs11Provider("/fake/libfake.so", lane=lane_for_fakes, loader=lambda path: lib)
    cert = _cert_info(fake.objects[0], {b"\x07"})
    info = TokenInfo("FAKE-TOKEN", "FAKE0001", "Fake", "Fake token", "/fake/libfake.so")
    run = SigningRun(store, plan, provider, CertificateChoice(info, cert, ()), ScriptedPinPrompt(lambda: "123456"))
    outcomes = list(run)
    assert len(outcomes) == 3 and len(run.signed) == 3
    assert run.stopped and "rút ra" in run.stopped
    recs = _records(store, "1A")
    assert len(recs) == 3 and all(r.status == "signing" and _roles(store, r.id) == ["gvcn"] for r in recs.values())
    assert all(s.closed for s in fake.sessions)


def test_certificate_choice(store: Store, token: SchoolToken) -> None:
    school = school_name(store)
    seal = choose_certificate(token.provider, token.info.label, "seal", "Lê Thị Hồng Nhung", school)
    assert seal.certificate.common_name == school and is_organisation_certificate(seal.certificate.certificate(), school)
    mine = choose_certificate(token.provider, token.info.label, "principal", "Đỗ Thị Thanh Hương", school)
    assert mine.certificate.common_name == "Đỗ Thị Thanh Hương" and not mine.warnings
    assert not is_organisation_certificate(mine.certificate.certificate(), school)
    from hocbaso_desktop.signing import CertificateNotFound

    with pytest.raises(CertificateNotFound):  # many people's certificates, none in this name
        choose_certificate(token.provider, token.info.label, "gvcn", "Người Không Có", school)


def test_issued_record_is_locked_in_the_grid_path(store: Store, token: SchoolToken) -> None:
    for code, seal in (("GV001", False), ("HT", False), ("HT", True)):
        _sign(store, token, code, ["1A"], seal=seal)
    row = directory.students(store, "1A")[0]
    out = apply_edits(store, directory.actor(store, "GV001"),
                      [CellEdit(row.enrolment_id, FINAL_PERIOD, "teacher_comment", value="Sửa sau khi phát hành")])
    assert not out[0].ok and "đã phát hành" in out[0].message


def test_settings_are_audited(store: Store) -> None:
    assert settings_service.signing_settings(store).gvbm_signs is False
    assert settings_service.set_value(store, "HT", settings_service.GVBM_SIGNS, "1")
    assert not settings_service.set_value(store, "HT", settings_service.GVBM_SIGNS, "1")  # unchanged: no entry
    assert settings_service.signing_settings(store).gvbm_signs is True
    with store.read() as s:
        actors = s.execute(select(AuditEntry.actor).where(AuditEntry.action == "setting.set",
                                                          AuditEntry.entity_id == settings_service.GVBM_SIGNS)).scalars().all()
    assert actors == ["HT"]


def test_gvbm_signs_first_when_the_school_asks(store: Store, token: SchoolToken) -> None:
    settings_service.set_value(store, "HT", settings_service.GVBM_SIGNS, "1")
    plan = plan_signing(store, directory.actor(store, "GV001"), [_class(store, "1A").id])
    assert not plan.items and all(x.reason.startswith("còn chờ GVBM ký") for x in plan.skipped)
    gvbm_plan = plan_signing(store, directory.actor(store, "GV011"), [_class(store, "1A").id])
    assert gvbm_plan.role == "gvbm" and len(gvbm_plan.items) == _class(store, "1A").student_count
