"""The principal's dashboard (services/dashboard.py): completeness counts missing cells, signatures per
role, issued, outbox queued/uploaded, and archived once a final archive of the year exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocbaso_desktop.services.dashboard import load_dashboard
from hocbaso_desktop.storage.engine import Store
from tests.transfer_schools import TwoSchools, copy_db, two_schools


def test_demo_school_complete_and_missing_cells(demo_store: Store) -> None:
    d = load_dashboard(demo_store, "CN")
    assert len(d.classes) == 10 and all(c.completeness > 0.95 for c in d.classes)
    base = next(c for c in d.classes if c.name == "4A").missing
    assert all(c.issued == 0 and c.archived is None for c in d.classes)
    with demo_store.engine.begin() as c:
        eid = c.exec_driver_sql("SELECT e.id FROM enrolment e JOIN school_class k ON k.id = e.class_id "
                                "WHERE k.name = '4A' LIMIT 1").scalar()
        c.exec_driver_sql("UPDATE subject_evaluation SET level = NULL WHERE enrolment_id = ? AND period = 'CN' "
                          "AND subject_code = 'TOAN'", (eid,))
        c.exec_driver_sql("UPDATE subject_evaluation SET score = NULL WHERE enrolment_id = ? AND period = 'CN' "
                          "AND subject_code = 'TV'", (eid,))
        c.exec_driver_sql("DELETE FROM quality_evaluation WHERE enrolment_id = ? AND period = 'CN' AND quality_code IN "
                          "(SELECT quality_code FROM quality_evaluation WHERE enrolment_id = ? AND period = 'CN' LIMIT 2)",
                          (eid, eid))
    c4 = next(c for c in load_dashboard(demo_store, "CN").classes if c.name == "4A")
    assert c4.missing == base + 4 and c4.completeness < 1.0
    with pytest.raises(Exception, match="GK1, CK1, GK2 hoặc CN"):
        load_dashboard(demo_store, "HK9")


def test_signed_issued_queued_archived(demo_template: Path, tmp_path: Path) -> None:
    t: TwoSchools = two_schools(demo_template)
    with Store.open(copy_db(t.sender, tmp_path / "s.sqlite3")) as store:
        d = load_dashboard(store)
        with store.engine.connect() as c:
            issued = dict(c.exec_driver_sql(
                "SELECT k.name, count(*) FROM record r JOIN enrolment e ON e.id = r.enrolment_id JOIN school_class k "
                "ON k.id = e.class_id WHERE r.status = 'issued' AND e.status = 'active' GROUP BY 1").all())
            queued = dict(c.exec_driver_sql(
                "SELECT k.name, count(*) FROM outbox o JOIN record r ON r.id = o.record_id JOIN enrolment e "
                "ON e.id = r.enrolment_id JOIN school_class k ON k.id = e.class_id WHERE e.status = 'active' "
                "AND o.state IN ('pending', 'sending', 'failed') GROUP BY 1").all())
        assert {c.name: c.issued for c in d.classes} == issued
        assert {c.name: c.queued for c in d.classes if c.queued} == queued
        assert all(c.signed["gvcn"] >= c.issued and c.signed["seal"] == c.issued for c in d.classes)
        assert d.classes[0].archived is None
        with store.transaction("VP01") as tx:  # what services/archive_service.py records after a final export
            tx.audit("archive.export", "school_year", d.year, {"kind": "final", "path": "/media/usb"})
        d2 = load_dashboard(store)
        assert all(c.archived is not None and c.archived >= c.issued for c in d2.classes)
        assert "đã xuất lúc" in d2.archive_note
