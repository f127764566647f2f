"""Storing a signature that does not issue (SigningRun._store_signature, Core statements, issue 19):
the same rows as the full path — one signature row, one record.sign audit entry, the record
"signing" with the signed bytes — and the same refusals. Hostile: a write that leaves no audit entry
(so the batch's fast path is taken) cannot slip past it: other signed bytes, a signature added, a
record row created for the pupil, or frozen content changed, each refused or reset, with nothing
of this signature written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from hocbaso_desktop.services import directory
from hocbaso_desktop.services.signing_plan import plan_signing, sha256_hex
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name
from hocbaso_desktop.signing import ScriptedPinPrompt
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Record, RecordSignature
from tests.school_token import PIN, SchoolToken, school_token


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture
def store(demo_store: Store, token: SchoolToken) -> Store:
    token.attach(demo_store)
    return demo_store


def _run(store: Store, token: SchoolToken, code: str, class_id: int, role: str, meddle=None) -> SigningRun:  # noqa: ANN001
    """Sign; `meddle(plan)` runs once after the first record is stored, as a raw write (no audit)."""
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [class_id], role)
    assert plan.items
    choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN))
    for p in run:
        if meddle is not None and p.done == 1:
            with store.engine.begin() as c:
                meddle(c, plan)
            meddle = None
    return run


def _signatures_of(store: Store, record_id: int) -> list[tuple[int, str]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(select(RecordSignature.seq, RecordSignature.role)
                                            .where(RecordSignature.record_id == record_id).order_by(RecordSignature.seq))]


def _sign_entries(store: Store, record_id: int) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "record.sign", AuditEntry.entity_id == str(record_id))).scalar() or 0


def test_first_and_second_signatures_store_the_same_rows_as_ever(store: Store, token: SchoolToken) -> None:
    cls = directory.find_class(store, "1A")
    first = _run(store, token, cls.homeroom_code, cls.id, "gvcn")
    second = _run(store, token, "HT", cls.id, "principal")
    assert len(first.signed) == len(second.signed) == cls.student_count
    with store.read() as s:
        for o in second.signed:
            rec = s.get_one(Record, o.record_id)
            assert rec.status == "signing" and rec.signed_xml and rec.content_xml and rec.status_reason == ""
            assert rec.student_id and rec.year_id and rec.version == 1
            sigs = list(s.execute(select(RecordSignature).where(RecordSignature.record_id == rec.id)
                                  .order_by(RecordSignature.seq)).scalars())
            assert [(x.seq, x.role) for x in sigs] == [(1, "gvcn"), (2, "principal")]
            assert all(x.signer_name and x.cert_serial and x.signed_at for x in sigs)
            entry = s.execute(select(AuditEntry).where(AuditEntry.action == "record.sign",
                                                       AuditEntry.entity_id == str(rec.id))
                              .order_by(AuditEntry.id.desc()).limit(1)).scalars().one()
            assert f'"sha256": "{sha256_hex(bytes(rec.signed_xml))}"' in entry.changes or \
                sha256_hex(bytes(rec.signed_xml)) in entry.changes
    assert store.verify_audit().ok


def test_other_signed_bytes_written_unaudited_refuse_that_signature(store: Store, token: SchoolToken) -> None:
    cls = directory.find_class(store, "1A")
    _run(store, token, cls.homeroom_code, cls.id, "gvcn")
    victim: dict[str, int] = {}

    def swap_bytes(c, plan) -> None:  # noqa: ANN001
        item = plan.items[-1]
        victim["id"] = item.record_id
        c.execute(text("UPDATE record SET signed_xml = :x WHERE id = :id"), {"x": item.xml + b" ", "id": item.record_id})

    run = _run(store, token, "HT", cls.id, "principal", swap_bytes)
    refused = [o for o in run.failed if o.record_id == victim["id"]]
    assert len(refused) == 1 and "đã thay đổi trạng thái" in refused[0].message
    assert len(run.signed) == cls.student_count - 1
    assert _signatures_of(store, victim["id"]) == [(1, "gvcn")] and _sign_entries(store, victim["id"]) == 1


def test_a_signature_added_unaudited_refuses_the_next_one(store: Store, token: SchoolToken) -> None:
    cls = directory.find_class(store, "1A")
    _run(store, token, cls.homeroom_code, cls.id, "gvcn")
    victim: dict[str, int] = {}

    def add_signature(c, plan) -> None:  # noqa: ANN001
        victim["id"] = rid = plan.items[-1].record_id
        c.execute(text("INSERT INTO record_signature (record_id, seq, role, signer_name, cert_subject, cert_serial, "
                       "signed_at) VALUES (:r, 2, 'principal', 'X', 'CN=X', '01', '2020-01-01 00:00:00')"), {"r": rid})

    run = _run(store, token, "HT", cls.id, "principal", add_signature)
    assert [o.record_id for o in run.failed] == [victim["id"]]
    assert _signatures_of(store, victim["id"]) == [(1, "gvcn"), (2, "principal")]  # only the forged row
    assert _sign_entries(store, victim["id"]) == 1


def test_a_record_row_created_unaudited_refuses_the_first_signature(store: Store, token: SchoolToken) -> None:
    cls = directory.find_class(store, "1A")
    victim: dict[str, int] = {}

    def create_row(c, plan) -> None:  # noqa: ANN001
        item = plan.items[-1]
        assert item.record_id is None
        victim["enrolment"] = item.enrolment_id
        c.execute(text("INSERT INTO record (enrolment_id, student_id, year_id, version, status, created_at, status_reason) "
                       "SELECT id, student_id, year_id, :v, 'draft', '2020-01-01 00:00:00', '' FROM enrolment WHERE id = :e"),
                  {"v": item.version, "e": item.enrolment_id})

    run = _run(store, token, cls.homeroom_code, cls.id, "gvcn", create_row)
    refused = [o for o in run.failed]
    assert len(refused) == 1 and "người khác ký" in refused[0].message
    with store.read() as s:
        rec = s.execute(select(Record).where(Record.enrolment_id == victim["enrolment"])).scalars().one()
        assert rec.status == "draft" and rec.signed_xml is None
        rid = rec.id
    assert _signatures_of(store, rid) == [] and _sign_entries(store, rid) == 0


def test_frozen_content_changed_unaudited_resets_the_record(store: Store, token: SchoolToken) -> None:
    cls = directory.find_class(store, "1A")
    _run(store, token, cls.homeroom_code, cls.id, "gvcn")
    victim: dict[str, int] = {}

    def change_content(c, plan) -> None:  # noqa: ANN001
        victim["id"] = rid = plan.items[-1].record_id
        c.execute(text("UPDATE record SET content_xml = CAST(content_xml || x'20' AS BLOB) WHERE id = :id"), {"id": rid})

    run = _run(store, token, "HT", cls.id, "principal", change_content)
    refused = [o for o in run.failed]
    assert len(refused) == 1 and refused[0].record_id == victim["id"] and "trở về bản nháp" in refused[0].message
    with store.read() as s:
        assert s.get_one(Record, victim["id"]).status == "draft"
    assert _signatures_of(store, victim["id"]) == []
    assert len(run.signed) == cls.student_count - 1
