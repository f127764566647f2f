"""Issue 17: records received by transfer go into the yearly archive (their own folder, listed in the
index) and `archive verify` judges their signatures on their own: a broken one is an error naming the
file, one the verifier cannot trust is a note per file that leaves the archive's own verdict alone."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hocbaso_desktop.exchange.archive import layout
from hocbaso_desktop.exchange.archive.verify import verify_archive
from hocbaso_desktop.services.archive_service import export_archive
from hocbaso_desktop.services.transfer import export_transfer, import_transfer
from hocbaso_desktop.signing import TrustStore
from hocbaso_desktop.storage.engine import Store
from tests.services.test_transfer import seal_for
from tests.transfer_schools import RECEIVER_NAME, TwoSchools, copy_db, two_schools

YEAR = "2025-2026"  # the demo's year, which the receiver (a demo copy) keeps
DAY = date(2026, 1, 12)


@pytest.fixture(scope="module")
def package(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[TwoSchools, Path]:
    schools = two_schools(demo_template)
    base = tmp_path_factory.mktemp("archive-package")
    with Store.open(copy_db(schools.sender, base / "sender.sqlite3")) as store:
        return schools, export_transfer(store, schools.student_pid, base / "ct.zip", "VP01", seal_for(schools),
                                        destination=RECEIVER_NAME, on_date=DAY).path


@pytest.fixture(scope="module")
def received_school(package, tmp_path_factory: pytest.TempPathFactory) -> tuple[TwoSchools, Path]:
    schools, package = package
    base = tmp_path_factory.mktemp("archive-received")
    db = copy_db(schools.receiver, base / "receiver.sqlite3")
    with Store.open(db) as store:
        import_transfer(store, package, "2A", "VP01", on_date=DAY)
    return schools, db


def _export(db: Path, tmp_path: Path, tamper: bytes | None = None):
    work = copy_db(db, tmp_path / "school.sqlite3")
    with Store.open(work) as store:
        if tamper is not None:
            store.execute_raw("DROP TRIGGER received_record_no_update")  # an attacker with sqlite3
            with store.engine.begin() as c:
                xml = c.exec_driver_sql("SELECT signed_xml FROM received_record WHERE version = 2").scalar()
                c.exec_driver_sql("UPDATE received_record SET signed_xml = ? WHERE version = 2",
                                  (bytes(xml).replace(b"1A", tamper, 1),))
        out = tmp_path / "usb"
        out.mkdir()
        return export_archive(store, YEAR, out, "VP01", partial=True)


def test_received_records_are_archived_listed_and_verified(received_school, tmp_path: Path) -> None:
    schools, db = received_school
    res = _export(db, tmp_path)
    assert res.facts.received == 2 and not res.facts.warnings
    index = json.loads((res.path / layout.INDEX).read_text(encoding="utf-8"))
    got = index["received"]
    assert [(r["version"], r["status"], r["personal_id"]) for r in got] == [(1, "replaced", schools.student_pid),
                                                                          (2, "issued", schools.student_pid)]
    for r in got:
        assert r["xml"].startswith(f"{layout.RECEIVED_DIR}/{schools.student_pid}/") and (res.path / r["xml"]).is_file()
        assert r["pdf"] and (res.path / r["pdf"]).read_bytes().startswith(b"%PDF")
        assert r["school_name"] != RECEIVER_NAME and r["sha256"] == r["received_sha256"]
    manifest = (res.path / "manifest-sha256.txt").read_text(encoding="utf-8")
    assert all(r["xml"] in manifest for r in got)
    assert "Hocbaso-Records-Received: 2" in (res.path / "bag-info.txt").read_text(encoding="utf-8")

    trusting = verify_archive(res.path, TrustStore.from_dirs(schools.own_ca_dir, schools.token.trust_dir), allow_unsealed=True)
    assert trusting.ok, trusting.problems
    assert (trusting.received_total, trusting.received_ok, trusting.received_untrusted) == (2, 2, [])
    assert any("Học bạ nhận khi chuyển đến" in line and "2/2" in line for line in trusting.lines())


def test_untrusted_old_school_is_noted_per_file_without_failing_the_archive(received_school, tmp_path: Path) -> None:
    schools, db = received_school
    res = _export(db, tmp_path)
    report = verify_archive(res.path, TrustStore.from_dirs(schools.own_ca_dir), allow_unsealed=True)
    assert report.ok, report.problems  # the archive itself proves itself; the old school is merely unknown here
    assert report.received_ok == 0 and len(report.received_untrusted) == 2
    notes = [n for n in report.notes if "học bạ nhận khi chuyển đến" in n]
    assert len(notes) == 2 and all("chưa xác minh được nguồn gốc" in n and "--trust" in n for n in notes)
    assert all(any(p in n for n in notes) for p in report.received_untrusted)


def test_received_record_altered_in_the_database_is_reported_by_verify(received_school, tmp_path: Path) -> None:
    schools, db = received_school
    res = _export(db, tmp_path, tamper=b"1B")
    assert any("không khớp mã băm lúc nhận" in w for w in res.facts.warnings)
    report = verify_archive(res.path, TrustStore.from_dirs(schools.own_ca_dir, schools.token.trust_dir), allow_unsealed=True)
    assert not report.ok
    bad = [p for p in report.problems if "học bạ nhận khi chuyển đến" in p]
    assert len(bad) == 1 and "chữ ký số hỏng" in bad[0] and layout.RECEIVED_DIR in bad[0]
    assert report.received_ok == 1


def test_received_file_removed_from_the_archive_is_reported(received_school, tmp_path: Path) -> None:
    schools, db = received_school
    res = _export(db, tmp_path)
    index = json.loads((res.path / layout.INDEX).read_text(encoding="utf-8"))
    (res.path / index["received"][0]["xml"]).unlink()
    report = verify_archive(res.path, TrustStore.from_dirs(schools.token.trust_dir), allow_unsealed=True)
    assert not report.ok and any(index["received"][0]["xml"] in p for p in report.problems)


def test_a_school_set_up_from_nothing_archives_its_received_records(package, tmp_path: Path) -> None:
    from hocbaso_desktop.services import settings as settings_service
    from tests.pupil_school import YEAR as FRESH_YEAR
    from tests.pupil_school import new_school

    schools, pkg_path = package
    db = tmp_path / "moi.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
        settings_service.set_many(store, "system", {settings_service.TRUST_DIRS: settings_service.encode_dirs(
            [str(schools.token.trust_dir)])})
        import_transfer(store, pkg_path, "2A", "VP01", on_date=DAY)
        out = tmp_path / "usb"
        out.mkdir()
        res = export_archive(store, FRESH_YEAR, out, "VP01", partial=True)
    assert res.facts.received == 2
    report = verify_archive(res.path, TrustStore.from_dirs(schools.token.trust_dir), allow_unsealed=True)
    assert report.ok, report.problems
    assert (report.received_total, report.received_ok) == (2, 2)
