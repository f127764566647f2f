"""The seal batch's paper copies are rendered off the signing path and stored as they are ready
(services/issue_copies.py, issue 19): each issued record gets exactly one copy, rendered from its
signed XML and audited; a batch cancelled before its copies were stored leaves them to the next
seal batch of the class, which stores them. Hostile: a copy rendered from other bytes than the
record's signed XML is never stored, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from hocbaso_desktop.domain.progress import CancelToken
from hocbaso_desktop.exchange.paper_batch import render_signed_xml
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.audit_heads import trust_for, verify_heads
from hocbaso_desktop.services.issue_copies import IssueCopies
from hocbaso_desktop.services.paper_copies import checked_copies, missing_copies
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name
from hocbaso_desktop.signing import ScriptedPinPrompt
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Record, RecordPaperCopy
from tests.school_token import PIN, SchoolToken, school_token


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture
def store(demo_store: Store, token: SchoolToken) -> Store:
    token.attach(demo_store)
    return demo_store


def _run(store: Store, token: SchoolToken, code: str, class_id: int, role: str,
         cancel_after: int | None = None, *, steps: list | None = None, cancel_in_copies: bool = False) -> SigningRun:
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [class_id], role)
    assert plan.items
    choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    cancel = CancelToken()
    run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN), cancel)
    for p in run:
        if steps is not None:
            steps.append(p)
        if cancel_after is not None and p.done == cancel_after and p.outcome is not None:
            cancel.cancel()
        if cancel_in_copies and p.outcome is None:
            cancel.cancel()
    return run


def _to_seal(store: Store, token: SchoolToken, name: str) -> directory.ClassInfo:
    cls = directory.find_class(store, name)
    _run(store, token, cls.homeroom_code, cls.id, "gvcn")
    _run(store, token, "HT", cls.id, "principal")
    return cls


def _issued(store: Store, class_id: int) -> list[Record]:
    from hocbaso_desktop.storage.models import Enrolment

    with store.read() as s:
        out = list(s.execute(select(Record).join(Enrolment, Enrolment.id == Record.enrolment_id)
                             .where(Enrolment.class_id == class_id, Record.status == "issued")).scalars())
        s.expunge_all()
    return out


def test_the_seal_stores_one_audited_copy_per_record_from_its_signed_xml(store: Store, token: SchoolToken) -> None:
    cls = _to_seal(store, token, "1A")
    steps: list = []
    run = _run(store, token, "HT", cls.id, "seal", steps=steps)
    assert len(run.signed) == cls.student_count and all(o.issued for o in run.signed)
    # every record reported first, then the wait for the copies as steps without an outcome, to the end
    records = [p for p in steps if p.outcome is not None]
    tail = steps[len(records):]
    assert [p.done for p in records] == list(range(1, cls.student_count + 1))
    assert all(p.outcome is None for p in tail) and (tail == [] or (tail[-1].done, tail[-1].total) == (
        cls.student_count, cls.student_count))
    assert run.copies is not None and run.copies.stored == cls.student_count and run.copies.problems == []
    recs = _issued(store, cls.id)
    with store.read() as s:
        copies = checked_copies(s, recs)  # hashes of the copy, of its XML, and its record.paper_copy audit entry
        audited = s.execute(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action == "record.paper_copy")).scalar()
        assert verify_heads(s, trust_for(store)).ok
    assert len(copies) == len(recs) == audited == cls.student_count
    for rec in (recs[0], recs[-1]):  # rendered by a worker: the same bytes as here
        assert copies[rec.id] == render_signed_xml(bytes(rec.signed_xml), rec.valid_from)
    assert store.verify_audit().ok


def test_a_cancelled_seal_leaves_its_copies_to_the_next_seal_of_the_class(store: Store, token: SchoolToken) -> None:
    cls = _to_seal(store, token, "1A")
    first = _run(store, token, "HT", cls.id, "seal", cancel_after=2)
    assert first.cancelled and len(first.signed) == 2
    assert first.copies is not None
    with store.read() as s:
        left = len(missing_copies(s))
    assert first.copies.stored + left == 2  # whatever was not ready when Cancel came is not stored
    second = _run(store, token, "HT", cls.id, "seal")
    assert len(second.signed) == cls.student_count - 2
    recs = _issued(store, cls.id)
    with store.read() as s:
        assert missing_copies(s) == []
        assert len(checked_copies(s, recs)) == cls.student_count
    assert store.verify_audit().ok


def test_cancel_while_waiting_for_the_copies_leaves_them_to_the_next_batch(store: Store, token: SchoolToken) -> None:
    one = _to_seal(store, token, "1A")
    first = _run(store, token, "HT", one.id, "seal", cancel_in_copies=True)
    assert len(first.signed) == one.student_count and first.copies is not None
    with store.read() as s:
        assert first.copies.stored + len(missing_copies(s)) == one.student_count
    other = _to_seal(store, token, "1B")  # 1A has nothing left to seal: the next seal batch is another class's
    second = _run(store, token, "HT", other.id, "seal")
    assert second.copies is not None and second.copies.problems == []
    recs = _issued(store, one.id) + _issued(store, other.id)
    with store.read() as s:
        assert missing_copies(s) == []
        assert len(checked_copies(s, recs)) == len(recs) == one.student_count + len(second.signed)


def test_a_copy_of_other_bytes_than_the_signed_xml_is_not_stored(store: Store, token: SchoolToken) -> None:
    cls = _to_seal(store, token, "1A")
    # issue without copies (as if the program died right after the issue), then offer forged ones
    from hocbaso_desktop.services import signing_service

    real = signing_service.IssueCopies
    signing_service.IssueCopies = lambda *_a, **_k: None  # type: ignore[assignment,misc]
    try:
        _run(store, token, "HT", cls.id, "seal")
    finally:
        signing_service.IssueCopies = real  # type: ignore[misc]
    rec = _issued(store, cls.id)[0]
    with store.read() as s:
        head = s.execute(select(func.max(AuditEntry.id))).scalar()
    forged = bytes(rec.signed_xml).replace(b"</", b" </", 1)
    copies = IssueCopies(store, "HT", 1)
    copies.add(rec.id, forged, rec.valid_from)
    copies.add(rec.id, bytes(rec.signed_xml), rec.valid_from)  # the same record again: ignored
    assert copies.finish() == 0 and copies.stored == 0 and copies.problems
    with store.read() as s:
        assert s.get(RecordPaperCopy, rec.id) is None
        assert s.execute(select(func.max(AuditEntry.id))).scalar() == head


def _seal_counting_rebuilds(store: Store, token: SchoolToken, cls: directory.ClassInfo, monkeypatch: pytest.MonkeyPatch,
                            foreign_at: int | None = None) -> tuple[SigningRun, int]:
    """Seal `cls` with every copy ready (and stored) before the next record is stored; count the
    storing step's content rebuilds (its slow path). `foreign_at`: after that many issues, another
    writer's audited change lands just before the copies' transaction."""
    from hocbaso_desktop.services import signing_service

    actor = directory.actor(store, "HT")
    plan = plan_signing(store, actor, [cls.id], "seal")
    choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    rebuilds = [0]
    real_content, real_add = signing_service.content_xml, IssueCopies.add

    def counting(*a: object, **k: object) -> bytes:
        rebuilds[0] += 1
        return real_content(*a, **k)  # type: ignore[arg-type]

    def add_and_wait(self: IssueCopies, record_id: int, *rest: object) -> None:
        real_add(self, record_id, *rest)  # type: ignore[arg-type]
        for p in self._pending:
            p.future.result()
        if foreign_at is not None and len(self._seen) == foreign_at:
            with store.transaction("system") as tx:
                tx.audit("test.foreign", "record", record_id, {"why": "another writer"})

    monkeypatch.setattr(signing_service, "content_xml", counting)
    monkeypatch.setattr(IssueCopies, "add", add_and_wait)
    run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN))
    for _ in run:
        pass
    return run, rebuilds[0]


def test_the_copies_stored_during_the_seal_are_no_foreign_change(store: Store, token: SchoolToken,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cls = _to_seal(store, token, "1A")
    run, rebuilds = _seal_counting_rebuilds(store, token, cls, monkeypatch)
    assert len(run.signed) == cls.student_count and run.copies is not None and run.copies.stored == cls.student_count
    assert rebuilds == 0  # the batch's own copy entries keep the storing step's fast path
    assert store.verify_audit().ok


def test_a_foreign_change_between_an_issue_and_its_copies_rebuilds_every_later_content(
        store: Store, token: SchoolToken, monkeypatch: pytest.MonkeyPatch) -> None:
    cls = _to_seal(store, token, "1A")
    run, rebuilds = _seal_counting_rebuilds(store, token, cls, monkeypatch, foreign_at=2)
    assert len(run.signed) == cls.student_count  # the content did not change: rebuilt, still issued
    assert rebuilds == cls.student_count - 2  # every record after the foreign entry, none before
    assert store.verify_audit().ok
