"""Issue 17: records received by transfer are shown, opened and verified (read-only), and a mid-year
transfer carries the periods already evaluated, which stay read-only at the new school.

Receivers both ways: the demo school renamed (tests/transfer_schools.py) and a school set up from
nothing (tests/pupil_school.py) that trusts the sender's CA.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.exchange import transfer_package as pkg
from hocbaso_desktop.exchange.archive.bagit_format import MANIFEST, TAGMANIFEST, format_manifest
from hocbaso_desktop.services import directory, received_records
from hocbaso_desktop.services import settings as settings_service
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edit
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.records import find_student, load_record_data
from hocbaso_desktop.services.transfer import TransferRefused, export_transfer, import_transfer, seal_content
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.transfer_models import ReceivedPeriod
from tests.pupil_school import new_school
from tests.services.test_transfer import _counts, _members, _zip, seal_for
from tests.transfer_schools import RECEIVER_NAME, TwoSchools, copy_db, two_schools

DAY = date(2026, 1, 12)  # after CK1: a mid-year move


@pytest.fixture(scope="session")
def schools(demo_template: Path) -> TwoSchools:
    return two_schools(demo_template)


@pytest.fixture(scope="module")
def records_package(schools: TwoSchools, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("received-out")
    with Store.open(copy_db(schools.sender, base / "sender.sqlite3")) as store:
        return export_transfer(store, schools.student_pid, base / "ct.zip", "VP01", seal_for(schools),
                               destination=RECEIVER_NAME, on_date=DAY).path


def _drop_student(db: Path, pid: str) -> None:
    with Store.open(db) as store, store.engine.begin() as c:
        sid = c.exec_driver_sql("SELECT id FROM student WHERE personal_id = ?", (pid,)).scalar()
        eids = [r[0] for r in c.exec_driver_sql("SELECT id FROM enrolment WHERE student_id = ?", (sid,))]
        for t in ("subject_evaluation", "quality_evaluation", "period_summary", "year_result"):
            for e in eids:
                c.exec_driver_sql(f"DELETE FROM {t} WHERE enrolment_id = ?", (e,))
        c.exec_driver_sql("DELETE FROM enrolment WHERE student_id = ?", (sid,))
        c.exec_driver_sql("DELETE FROM student WHERE id = ?", (sid,))


@pytest.fixture(scope="module")
def mid_year(schools: TwoSchools, demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """The demo school as sender: a pupil of 2A evaluated GK1..GK2 (the CN rows removed: the year is not
    over), moved on DAY. Returns (package path, personal id, the sender's values {period: {subject: (level,
    score)}}, the sender's database)."""
    base = tmp_path_factory.mktemp("mid-year")
    db = copy_db(demo_template, base / "sender.sqlite3")
    with Store.open(db) as store:
        schools.token.attach(store)
        info = directory.find_class(store, "2A")
        with store.engine.begin() as c:
            eid, pid = c.exec_driver_sql(
                "SELECT e.id, st.personal_id FROM enrolment e JOIN student st ON st.id = e.student_id "
                "WHERE e.class_id = ? AND e.status = 'active' ORDER BY e.id LIMIT 1", (info.id,)).one()
            for t in ("subject_evaluation", "quality_evaluation", "period_summary"):
                c.exec_driver_sql(f"DELETE FROM {t} WHERE enrolment_id = ? AND period = 'CN'", (eid,))
            c.exec_driver_sql("DELETE FROM year_result WHERE enrolment_id = ?", (eid,))
            values = {}
            for period, code, level, score in c.exec_driver_sql(
                    "SELECT period, subject_code, level, score FROM subject_evaluation WHERE enrolment_id = ?", (eid,)):
                values.setdefault(period, {})[code] = (level, score)
        out = export_transfer(store, pid, base / "giua-nam.zip", "VP01", seal_for(schools),
                              destination=RECEIVER_NAME, on_date=DAY)
    return out.path, pid, values, db


@pytest.fixture
def receiver(schools: TwoSchools, mid_year, tmp_path: Path):
    db = copy_db(schools.receiver, tmp_path / "receiver.sqlite3")
    _drop_student(db, mid_year[1])  # the demo receiver is a copy of the same demo: the pupil arrives new
    store = Store.open(db)
    yield store
    store.close()


@pytest.fixture
def fresh_receiver(schools: TwoSchools, empty_store: Store, tmp_path: Path) -> Store:
    """A school set up from nothing that trusts the sender's CA."""
    new_school(empty_store, tmp_path)
    settings_service.set_many(empty_store, "system", {settings_service.TRUST_DIRS: settings_service.encode_dirs(
        [str(schools.token.trust_dir)])})
    return empty_store


# ---- part 1: received records shown, opened, verified -----------------------------------------------


@pytest.mark.parametrize("which", ["demo", "from_nothing"])
def test_received_records_are_listed_openable_and_verify(records_package: Path, schools: TwoSchools, which: str,
                                                         receiver: Store, fresh_receiver: Store) -> None:
    store = receiver if which == "demo" else fresh_receiver
    import_transfer(store, records_package, "2A", "VP01", on_date=DAY)
    rows = received_records.for_student(store, schools.student_pid)
    assert [(r.version, r.status) for r in rows] == [(1, "replaced"), (2, "issued")]
    sender_name = rows[0].school_name
    assert sender_name and sender_name != RECEIVER_NAME
    assert rows[1].origin == f"Nhận khi chuyển đến — {sender_name}"
    assert rows[1].transfer_in_date == DAY and rows[1].has_paper
    assert received_records.for_enrolment(store, find_student(store, schools.student_pid).enrolment_id) == rows
    title, pdf = received_records.paper_pdf(store, rows[1].id)
    assert pdf.startswith(b"%PDF") and sender_name in title
    check = received_records.verify(store, rows[1].id)
    assert check.ok and check.stored_hash_ok and check.report.ok
    assert any("Nhận khi chuyển đến" in line for line in check.lines())


def test_received_paper_renders_from_signed_xml_when_none_travelled(records_package: Path, receiver: Store,
                                                                     schools: TwoSchools) -> None:
    import_transfer(receiver, records_package, "2A", "VP01", on_date=DAY)
    rid = received_records.for_student(receiver, schools.student_pid)[1].id
    # a package from an older sender may carry no PDF: the copy comes from the signed bytes, not our rows
    receiver.execute_raw("DROP TRIGGER received_record_no_update")
    receiver.execute_raw(f"UPDATE received_record SET paper_pdf = NULL WHERE id = {rid}")
    _title, pdf = received_records.paper_pdf(receiver, rid)
    assert pdf.startswith(b"%PDF")


def test_received_record_altered_in_the_database_fails_verification(records_package: Path, receiver: Store,
                                                                    schools: TwoSchools) -> None:
    import_transfer(receiver, records_package, "2A", "VP01", on_date=DAY)
    rid = received_records.for_student(receiver, schools.student_pid)[1].id
    xml = received_records.signed_xml(receiver, rid)
    forged = xml.replace(b"<tenlop>1A</tenlop>", b"<tenlop>1B</tenlop>", 1)
    assert forged != xml
    receiver.execute_raw("DROP TRIGGER received_record_no_update")  # what an attacker with sqlite3 does
    with receiver.engine.begin() as c:
        c.exec_driver_sql("UPDATE received_record SET signed_xml = ? WHERE id = ?", (forged, rid))
    check = received_records.verify(receiver, rid)
    assert not check.ok and not check.stored_hash_ok and not check.report.ok
    assert any("bị thay đổi sau khi nhận" in line for line in check.lines())


def test_received_record_from_a_school_no_longer_trusted_is_reported(records_package: Path, receiver: Store,
                                                                     schools: TwoSchools) -> None:
    import_transfer(receiver, records_package, "2A", "VP01", on_date=DAY)
    settings_service.set_many(receiver, "system", {settings_service.TRUST_DIRS: settings_service.encode_dirs(
        [str(schools.own_ca_dir)])})
    check = received_records.verify(receiver, received_records.for_student(receiver, schools.student_pid)[1].id)
    assert check.stored_hash_ok and not check.ok
    assert all(s.intact and not s.trusted for s in check.report.signatures)


# ---- part 3: a mid-year transfer carries the evaluated periods ----------------------------------------


def _meta(path: Path) -> dict:
    return json.loads(_members(path)[pkg.META])


def test_package_carries_the_periods_evaluated_so_far(mid_year) -> None:
    path, pid, values, _db = mid_year
    ev = _meta(path)["evaluations"]
    assert ev["grade"] == 2 and ev["class_name"] == "2A" and ev["school_year"] == "2025-2026"
    assert [p["period"] for p in ev["periods"]] == [p for p in ("GK1", "CK1", "GK2") if p in values]
    assert ev["periods"] and "CN" not in values
    gk1 = next(p for p in ev["periods"] if p["period"] == "GK1")
    assert {s["code"]: (s["level"], s["score"]) for s in gk1["subjects"]} == values["GK1"]


@pytest.mark.parametrize("which", ["demo", "from_nothing"])
def test_import_stores_carried_periods_read_only(mid_year, which: str, receiver: Store, fresh_receiver: Store) -> None:
    path, pid, values, _db = mid_year
    store = receiver if which == "demo" else fresh_receiver
    got = import_transfer(store, path, "2A", "VP01", on_date=DAY)
    assert got.periods == tuple(p for p in ("GK1", "CK1", "GK2") if p in values)
    eid = find_student(store, pid).enrolment_id
    info = directory.find_class(store, "2A")
    grid = load_grid(store, info.id, "GK1")
    row = next(r for r in grid.rows if r.enrolment_id == eid)
    assert row.carried_from.startswith("Đánh giá tại trường cũ:")
    assert {k: (c.level, c.score) for k, c in row.subjects.items() if c.level or c.score is not None} == values["GK1"]
    others = [r for r in grid.rows if r.enrolment_id != eid]
    assert all(not r.carried_from for r in others)
    assert not next(r for r in load_grid(store, info.id, "CN").rows if r.enrolment_id == eid).carried_from
    with store.read() as s:
        assert {r.period for r in s.execute(select(ReceivedPeriod).where(ReceivedPeriod.enrolment_id == eid)).scalars()} \
            == set(got.periods)


def _gvcn(store: Store, class_name: str) -> str:
    code = directory.find_class(store, class_name).homeroom_code
    return code or "GV1"


def test_edit_of_a_carried_period_is_refused_by_the_service_and_the_database(mid_year, receiver: Store) -> None:
    path, pid, values, _db = mid_year
    import_transfer(receiver, path, "2A", "VP01", on_date=DAY)
    eid = find_student(receiver, pid).enrolment_id
    actor = directory.actor(receiver, _gvcn(receiver, "2A"))
    cid = directory.find_class(receiver, "2A").id
    code, (level, _score) = next((k, v) for k, v in sorted(values["GK1"].items()) if actor.can_edit_subject(cid, k))
    new = "C" if level != "C" else "T"
    before = _counts(receiver)
    for kind, c, value in (("subject_level", code, new), ("subject_comment", code, "sửa"),
                           ("days_excused", "", 3), ("teacher_comment", "", "sửa nhận xét")):
        out = apply_edit(receiver, actor, CellEdit(eid, "GK1", kind, c, value))
        assert not out.ok and "trường cũ" in out.message and "không sửa được" in out.message
    assert _counts(receiver) == before  # nothing written, not even an audit entry
    with receiver.read() as s:
        assert s.execute(text("SELECT level FROM subject_evaluation WHERE enrolment_id = :e AND period = 'GK1' "
                              "AND subject_code = :c"), {"e": eid, "c": code}).scalar() == level
    for sql in (f"UPDATE subject_evaluation SET level = 'C' WHERE enrolment_id = {eid} AND period = 'GK1'",
                f"DELETE FROM quality_evaluation WHERE enrolment_id = {eid} AND period = 'GK1'",
                f"INSERT INTO period_summary (enrolment_id, period, comment_pc, comment_nlc, comment_nld, teacher_comment) "
                f"VALUES ({eid}, 'GK1', '', '', '', '')",
                "DELETE FROM received_period", "UPDATE received_period SET school_name = 'X'"):
        with pytest.raises(Exception, match="old school|immutable|never deleted|UNIQUE"):
            receiver.execute_raw(sql)
    # the year-end period is this school's: it is edited as usual and the record uses it
    out = apply_edit(receiver, actor, CellEdit(eid, "CN", "subject_level", code, "H"))
    assert out.ok, out.message
    data = load_record_data(receiver, eid)
    assert next(s for s in data.subjects if s.code == code).level == "H"


def test_a_class_of_another_grade_is_refused_and_nothing_written(mid_year, receiver: Store) -> None:
    path, _pid, _values, _db = mid_year
    before = _counts(receiver)
    with pytest.raises(HocbasoError, match="khối 2.*khối 3.*chưa ghi gì"):
        import_transfer(receiver, path, "3A", "VP01", on_date=DAY)
    assert _counts(receiver) == before


def test_carried_periods_altered_after_sealing_are_refused(mid_year, receiver: Store, tmp_path: Path) -> None:
    path, _pid, _values, _db = mid_year
    members = _members(path)
    meta = json.loads(members[pkg.META])
    meta["evaluations"]["periods"][0]["subjects"][0]["level"] = "T" if \
        meta["evaluations"]["periods"][0]["subjects"][0]["level"] != "T" else "H"
    members[pkg.META] = json.dumps(meta, ensure_ascii=False).encode()
    before = _counts(receiver)
    with pytest.raises(TransferRefused, match="hocba.json đã bị thay đổi"):
        import_transfer(receiver, _zip(dict(members), tmp_path / "sua.zip"), "2A", "VP01")
    # rehashing both manifests does not help: the seal covers the tag manifest
    payload = {n: b for n, b in members.items() if n.startswith("data/")}
    members[MANIFEST] = format_manifest((n, hashlib.sha256(b).hexdigest()) for n, b in sorted(payload.items()))
    members[TAGMANIFEST] = format_manifest((t, hashlib.sha256(members[t]).hexdigest())
                                           for t in ("bagit.txt", "bag-info.txt", MANIFEST))
    with pytest.raises(TransferRefused, match="niêm phong|chữ ký"):
        import_transfer(receiver, _zip(members, tmp_path / "sua2.zip"), "2A", "VP01")
    assert _counts(receiver) == before


def test_sealed_package_with_a_bad_carried_value_is_refused(mid_year, schools: TwoSchools, demo_template: Path,
                                                           receiver: Store, tmp_path: Path) -> None:
    """Even the sending school's own seal does not make a value the grid would refuse acceptable."""
    path, _pid, _values, _db = mid_year
    members = _members(path)
    meta = json.loads(members[pkg.META])
    meta["evaluations"]["periods"][0]["subjects"][0]["level"] = "X"
    payload = {n: b for n, b in members.items() if n.startswith("data/")}
    payload[pkg.META] = json.dumps(meta, ensure_ascii=False).encode()
    bag_info = [tuple(line.split(": ", 1)) for line in members["bag-info.txt"].decode().splitlines() if ": " in line]
    with Store.open(copy_db(demo_template, tmp_path / "s.sqlite3")) as sender:
        schools.token.attach(sender)
        data = pkg.build_package(payload, bag_info, lambda c: seal_content(sender, "VP01", seal_for(schools), c)[:2])
    bad = tmp_path / "x.zip"
    bad.write_bytes(data)
    before = _counts(receiver)
    with pytest.raises(TransferRefused, match="kì GK1.*«X»|kì GK1.*mức"):
        import_transfer(receiver, bad, "2A", "VP01")
    assert _counts(receiver) == before


def test_a_full_year_record_package_carries_no_periods(records_package: Path) -> None:
    assert _meta(records_package)["evaluations"] is None  # the year was issued: it travels as a record


def test_package_members_are_all_in_the_manifest(mid_year) -> None:
    with zipfile.ZipFile(mid_year[0]) as z:
        assert pkg.META in z.namelist()


def test_a_re_export_carries_the_same_periods(mid_year, schools: TwoSchools, tmp_path: Path) -> None:
    path, pid, _values, db = mid_year
    with Store.open(copy_db(db, tmp_path / "s.sqlite3")) as store:  # the first package was lost
        again = export_transfer(store, pid, tmp_path / "lai.zip", "VP01", seal_for(schools), destination=RECEIVER_NAME,
                                on_date=DAY)
    assert _meta(again.path)["evaluations"]["periods"] == _meta(path)["evaluations"]["periods"]


def test_periods_received_here_keep_the_old_school_when_the_pupil_moves_again(mid_year, receiver: Store) -> None:
    from hocbaso_desktop.services.received_periods import carried_for_package

    path, pid, _values, _db = mid_year
    got = import_transfer(receiver, path, "2A", "VP01", on_date=DAY)
    with receiver.read() as s:
        onward = carried_for_package(s, find_student(receiver, pid).enrolment_id, RECEIVER_NAME)
    assert onward is not None and [p.period for p in onward.periods] == list(got.periods)
    assert {p.school_name for p in onward.periods} == {got.source_school} != {RECEIVER_NAME}
