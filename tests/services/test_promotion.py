"""The principal's lên lớp / ở lại lớp decision (Điều 11 khoản 1 điểm c): rights, eligibility, audit,
record XML (duoclenlop), paper copy, signing afterwards, refused once issued or in a locked year."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError, NotFound, PermissionDenied, RecordLocked
from hocbaso_desktop.exchange.paper_copy import render_student_paper_copy
from hocbaso_desktop.exchange.record_xml import NS, build_record_xml
from hocbaso_desktop.services import directory, promotion, records
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Record, SchoolYear, YearResult
from tests.correction_school import issue_class
from tests.school_token import SchoolToken, school_token
from tests.tools import require_tool

CLASS = "3A"  # the demo's 3A has pupils pending a supplementary evaluation


def _cht(store: Store, cls: str = CLASS) -> list[directory.StudentRow]:
    with store.read() as s:
        ids = set(s.execute(select(YearResult.enrolment_id).where(YearResult.confirmed_result == "CHT")).scalars())
    return [r for r in directory.students(store, cls) if r.enrolment_id in ids]


def _completed(store: Store, cls: str = CLASS) -> directory.StudentRow:
    with store.read() as s:
        ids = set(s.execute(select(YearResult.enrolment_id).where(YearResult.confirmed_result.in_(("HT", "HTT", "HTXS")))).scalars())
    return next(r for r in directory.students(store, cls) if r.enrolment_id in ids)


def _duoclenlop(store: Store, enrolment_id: int) -> str | None:
    xml = build_record_xml(records.load_record_data(store, enrolment_id))
    return etree.fromstring(xml).findtext(f".//{{{NS}}}duoclenlop")


def test_principal_decides_and_the_record_says_so(demo_store: Store, tmp_path: Path) -> None:
    pupil = _cht(demo_store)[0]
    assert _duoclenlop(demo_store, pupil.enrolment_id) is None  # not decided: the field is left out
    assert [w.personal_id for w in promotion.waiting(demo_store, directory.find_class(demo_store, CLASS).id)]
    d = promotion.decide(demo_store, directory.actor(demo_store, "HT"), pupil.personal_id, True, "  đạt sau  ôn hè ")
    assert d.promoted and d.decided_by == "HT" and d.note == "đạt sau ôn hè" and d.previous is None
    with demo_store.read() as s:
        yr = s.execute(select(YearResult).where(YearResult.enrolment_id == pupil.enrolment_id)).scalar_one()
        assert yr.promoted is True and yr.pending_supplementary is False and yr.promotion_decided_by is not None
        assert yr.promotion_decided_at is not None and yr.promotion_note == "đạt sau ôn hè"
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "year_result.promote")).scalar_one()
        assert entry.actor == "HT" and entry.entity_id == pupil.personal_id
    assert _duoclenlop(demo_store, pupil.enrolment_id) == "1"
    # the paper copy prints the decision
    require_tool("pdftotext")
    pdf = render_student_paper_copy(records.load_record_data(demo_store, pupil.enrolment_id), tmp_path / "p.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Được lên lớp" in text and "cần đánh giá bổ sung" not in text
    # changed to ở lại lớp before signing: allowed, audited with the old value
    d2 = promotion.decide(demo_store, directory.actor(demo_store, "HT"), pupil.personal_id, False)
    assert d2.previous is True and _duoclenlop(demo_store, pupil.enrolment_id) == "0"
    pdf = render_student_paper_copy(records.load_record_data(demo_store, pupil.enrolment_id), tmp_path / "q.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Chưa được lên lớp" in text


def test_only_the_principal_and_only_for_cht(demo_store: Store) -> None:
    pupil = _cht(demo_store)[0]
    gvcn = directory.find_class(demo_store, CLASS).homeroom_code
    for code in (gvcn, "PHT", "QT01"):
        with pytest.raises(PermissionDenied):
            promotion.decide(demo_store, directory.actor(demo_store, code), pupil.personal_id, True)
    done = _completed(demo_store)
    with pytest.raises(HocbasoError) as e:
        promotion.decide(demo_store, directory.actor(demo_store, "HT"), done.personal_id, False)
    assert done.full_name in e.value.message and "không cần quyết định" in e.value.message
    with pytest.raises(NotFound):
        promotion.decide(demo_store, directory.actor(demo_store, "HT"), "000000000000", True)
    with pytest.raises(NotFound):
        promotion.decide(demo_store, directory.actor(demo_store, "HT"), pupil.personal_id, True, year="1999-2000")
    with demo_store.read() as s:
        assert not s.execute(select(AuditEntry).where(AuditEntry.action == "year_result.promote")).first()


def test_refused_in_a_locked_year(demo_store: Store) -> None:
    pupil = _cht(demo_store)[0]
    with demo_store.transaction("system") as tx:
        for y in tx.session.execute(select(SchoolYear)).scalars():
            y.locked = True
    with pytest.raises(RecordLocked):
        promotion.decide(demo_store, directory.actor(demo_store, "HT"), pupil.personal_id, True)


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


def test_after_the_decision_the_record_is_signed_then_issued_and_frozen(demo_store: Store, token: SchoolToken) -> None:
    token.attach(demo_store)
    pupil = _cht(demo_store)[0]
    info = directory.find_class(demo_store, CLASS)
    plan = plan_signing(demo_store, directory.actor(demo_store, info.homeroom_code), [info.id])
    assert pupil.enrolment_id in {x.enrolment_id for x in plan.skipped}  # held back while undecided
    promotion.decide(demo_store, directory.actor(demo_store, "HT"), pupil.personal_id, True)
    plan = plan_signing(demo_store, directory.actor(demo_store, info.homeroom_code), [info.id])
    assert pupil.enrolment_id in {x.enrolment_id for x in plan.items}
    issue_class(demo_store, token, CLASS)
    with demo_store.read() as s:
        rec = s.execute(select(Record).where(Record.enrolment_id == pupil.enrolment_id)).scalars().first()
        assert rec is not None and rec.status == "issued"
        assert b"<duoclenlop>1</duoclenlop>" in rec.signed_xml.replace(b"hb:", b"")
    with pytest.raises(RecordLocked):
        promotion.decide(demo_store, directory.actor(demo_store, "HT"), pupil.personal_id, False)
