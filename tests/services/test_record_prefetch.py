"""Planning a class reads what its records need in a few queries for the whole class
(records.prefetch_record_rows, issue 19), and builds exactly the content the per-record path builds:
the same RecordData, the same content XML bytes, on the demo school and on a school set up from
nothing; the content a GVCN froze through the prefetched path is what the per-record path rebuilds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import event, select

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.services import directory, settings
from hocbaso_desktop.services.records import latest_record, prefetch_record_rows, record_data
from hocbaso_desktop.services.signing_plan import content_xml, plan_signing
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Enrolment, Record, SchoolClass, SchoolYear
from tests.pupil_school import new_school


def _content(s, eid: int, rec: Record, rows=None) -> bytes | str:  # noqa: ANN001
    try:
        return content_xml(s, eid, rec, "Hà Nội", rows=rows)
    except HocbasoError as e:  # the same refusal either way
        return e.message


def _same_either_way(store: Store, *, xml_for: int = 10_000) -> int:
    with store.read() as s:
        ids = list(s.execute(select(Enrolment.id).order_by(Enrolment.id)).scalars())
        bulk = prefetch_record_rows(s, ids)
        assert sorted(bulk) == ids
        for n, eid in enumerate(ids):
            rec = latest_record(s, eid)
            assert record_data(s, eid, rec, rows=bulk[eid]) == record_data(s, eid, rec)
            if n < xml_for:
                probe = rec or Record(enrolment_id=eid, version=1, status="signing", created_at=None)
                assert _content(s, eid, probe, bulk[eid]) == _content(s, eid, probe)
    return len(ids)


def test_the_demo_school_builds_the_same_records_either_way(demo_store: Store) -> None:
    assert _same_either_way(demo_store, xml_for=40) > 100


def test_a_school_from_nothing_builds_the_same_records_either_way(empty_store: Store, tmp_path: Path) -> None:
    classes = new_school(empty_store, tmp_path)
    # One pupil with a history here: a year before, and a year after that her record must not state.
    with empty_store.transaction("system") as tx:
        s = tx.session
        four_a = s.get_one(SchoolClass, classes["4A"])
        dung = s.execute(select(Enrolment).where(Enrolment.class_id == four_a.id)).scalars().one()
        for year_name, class_name, grade in (("2024-2025", "3A", 3), ("2026-2027", "5A", 5)):
            year = SchoolYear(name=year_name, start_date=date(int(year_name[:4]), 9, 5))
            s.add(year)
            s.flush()
            cls = SchoolClass(year_id=year.id, name=class_name, grade=grade)
            s.add(cls)
            s.flush()
            s.add(Enrolment(student_id=dung.student_id, year_id=year.id, class_id=cls.id, status="active"))
    assert _same_either_way(empty_store) == 6
    with empty_store.read() as s:
        eid = s.execute(select(Enrolment.id).where(Enrolment.class_id == classes["4A"])).scalar_one()
        history = record_data(s, eid).history
    assert [(h.school_year, h.class_name) for h in history] == [("2024-2025", "3A"), ("2025-2026", "4A")]


def test_planning_a_class_costs_queries_per_class_not_per_pupil(demo_store: Store) -> None:
    cls = max(directory.classes(demo_store), key=lambda c: c.student_count)
    actor = directory.actor(demo_store, cls.homeroom_code)
    statements: list[str] = []
    listener = lambda *a: statements.append(a[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(demo_store.engine, "before_cursor_execute", listener)
    try:
        plan = plan_signing(demo_store, actor, [cls.id], "gvcn")
    finally:
        event.remove(demo_store.engine, "before_cursor_execute", listener)
    assert len(plan.items) > 20
    assert len(statements) < 80  # ~350 when each record was read on its own


def test_content_frozen_through_the_prefetch_is_what_the_per_record_path_rebuilds(demo_store: Store) -> None:
    cls = directory.find_class(demo_store, "1A")
    plan = plan_signing(demo_store, directory.actor(demo_store, cls.homeroom_code), [cls.id], "gvcn")
    assert plan.items
    place = settings.signing_settings(demo_store).place_of_issue
    with demo_store.read() as s:
        for item in plan.items:
            probe = Record(enrolment_id=item.enrolment_id, version=item.version, status="signing",
                           created_at=item.created_at)
            assert content_xml(s, item.enrolment_id, probe, place) == item.xml
