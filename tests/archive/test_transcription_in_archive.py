"""Issue 17: an issued trích lục goes into the archive of the live year during which it was issued —
its own folder, listed in the index with the paper book's reference, counted in bag-info, judged by
`archive verify` like the school's own records; one still being signed holds nothing up and is named
as not archived; an altered one fails verify naming its file. On the demo and from nothing."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.exchange.archive import layout
from hocbaso_desktop.exchange.archive.transcribed import archive_year_of
from hocbaso_desktop.exchange.archive.verify import verify_archive
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.archive_service import export_archive
from hocbaso_desktop.services.signing_setup import create_school_demo_token
from hocbaso_desktop.services.transcription import transcribe
from hocbaso_desktop.services.year_lock import lock_year
from hocbaso_desktop.signing import TrustStore
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Record
from tests.school_token import PIN, SchoolToken
from tests.services.test_transcription import _sign, earlier, workbook

from .conftest import seal_with
from .school import YEAR


def test_the_archive_year_of_a_trich_luc() -> None:
    live = [("2024-2025", date(2024, 9, 5)), ("2025-2026", date(2025, 9, 5)), ("2026-2027", None)]
    assert archive_year_of(date(2025, 3, 1), live) == "2024-2025"
    assert archive_year_of(date(2025, 9, 4), live) == "2024-2025"  # the summer before the new year opens
    assert archive_year_of(date(2025, 9, 5), live) == "2025-2026"
    assert archive_year_of(date(2027, 1, 1), live) == "2026-2027"  # no start stored: its name says
    assert archive_year_of(date(2020, 1, 1), live) == "2024-2025"  # before every live year: the earliest
    assert archive_year_of(date(2025, 1, 1), []) is None


def _paper(store: Store, tmp_path: Path, token: SchoolToken, cls: str, *, issue: bool, ref: str) -> tuple[str, int]:
    """A pupil of `cls`'s year before, transcribed; signed by the principal, and by the seal if `issue`."""
    live = directory.current_year_name(store)
    pupil = directory.students(store, cls, live)[0]
    grade = directory.find_class(store, cls, live).grade - 1
    paper = earlier(live)
    r = transcribe(store, "VP01", pupil.personal_id, paper, grade,
                   workbook(store, tmp_path, pupil.personal_id, paper, grade, name=f"{cls}.xlsx"),
                   paper_book_ref=ref, class_name=f"{grade}A")
    cid = directory.find_class(store, f"{grade}A", paper).id
    for code, seal in (("HT", False), ("VP01", True))[: 2 if issue else 1]:
        _plan, run = _sign(store, token, code, cid, seal=seal)
        assert run is not None and len(run.signed) == 1 and not run.failed
    return pupil.personal_id, r.enrolment_id


def _entries(bag: Path) -> list[dict]:
    return json.loads((bag / layout.INDEX).read_text(encoding="utf-8"))["transcribed"]


def test_demo_trich_luc_archived_with_the_year_and_verified(school_store: Store, token: SchoolToken, trust: TrustStore,
                                                           tmp_path: Path) -> None:
    store = school_store
    pid, eid = _paper(store, tmp_path, token, "3A", issue=True, ref="HB-2A/2024")
    waiting, _ = _paper(store, tmp_path, token, "5A", issue=False, ref="HB-4A/2024")
    paper = earlier(YEAR)
    # the trích lục only the principal signed is no record of the live year: the lock goes ahead
    lock_year(store, YEAR, "HT", seal_with(token))
    out = tmp_path / "usb"
    out.mkdir()
    res = export_archive(store, YEAR, out, "VP01", seal=seal_with(token))
    assert not res.interim and res.facts.transcribed == 1
    assert [(p.personal_id, p.school_year, p.state) for p in res.facts.transcribed_pending] == [
        (waiting, paper, "Hiệu trưởng đã ký, chưa đóng dấu")]
    assert "chưa phát hành nên không có trong kho này" in res.facts.transcribed_pending[0].line()

    (entry,) = _entries(res.path)
    assert (entry["personal_id"], entry["school_year"], entry["grade"], entry["paper_book_ref"], entry["status"]) == (
        pid, paper, 2, "HB-2A/2024", "issued")
    assert [g["role"] for g in entry["signatures"]] == ["principal", "seal"]
    assert entry["xml"].startswith(f"{layout.TRANSCRIBED_DIR}/{pid}/") and entry["xml"].endswith(f"_{paper}_v1.xml")
    xml = (res.path / entry["xml"]).read_bytes()
    assert b"<trichluc>1</trichluc>" in xml and (res.path / entry["pdf"]).read_bytes().startswith(b"%PDF")
    with store.read() as s:
        assert s.execute(select(Record.signed_xml).where(Record.enrolment_id == eid)).scalar() == xml
    index = json.loads((res.path / layout.INDEX).read_text(encoding="utf-8"))
    assert [p["personal_id"] for p in index["transcribed_not_archived"]] == [waiting]
    assert not any(waiting in p for p in (res.path / "manifest-sha256.txt").read_text(encoding="utf-8").split())
    info = (res.path / "bag-info.txt").read_text(encoding="utf-8")
    assert "Hocbaso-Records-Transcribed: 1" in info and "Hocbaso-Records-Transcribed-Not-Issued: 1" in info
    readme = (res.path / layout.README).read_text(encoding="utf-8")
    assert layout.TRANSCRIBED_DIR in readme and "trích lục từ học bạ giấy" in readme
    # no trích lục is counted as one of the live year's records
    own = [r for c in index["classes"] for st in c["students"] for r in st["records"]]
    assert all(not r["xml"].startswith(layout.TRANSCRIBED_DIR) for r in own)

    report = verify_archive(res.path, trust)
    assert report.ok, report.problems
    assert (report.transcribed_total, report.transcribed_ok) == (1, 1)
    assert any("Trích lục từ học bạ giấy: 1/1" in line for line in report.lines())

    # Hostile: the trích lục altered in the archive (its book reference) — verify names the file.
    target = res.path / entry["xml"]
    target.write_bytes(xml.replace(b"HB-2A/2024", b"HB-9A/2024"))
    bad = verify_archive(res.path, trust)
    assert not bad.ok and any(entry["xml"] in p for p in bad.problems)


def test_trich_luc_forged_in_the_database_fails_verify(school_store: Store, token: SchoolToken, trust: TrustStore,
                                                      tmp_path: Path) -> None:
    """Whoever holds sqlite3 turns a trích lục into an «original» (trichluc 0) and fixes the stored hash:
    the export carries it as stored, verify names the file (the signatures no longer hold)."""
    store = school_store
    _pid, eid = _paper(store, tmp_path, token, "3A", issue=True, ref="HB-2A/2024")
    with store.read() as s:
        rid, xml = s.execute(select(Record.id, Record.signed_xml).where(Record.enrolment_id == eid)).one()
    forged = bytes(xml).replace(b"<trichluc>1</trichluc>", b"<trichluc>0</trichluc>")

    digest = hashlib.sha256(forged).hexdigest()

    def forge(*statements: tuple[str, tuple]) -> None:
        con = sqlite3.connect(store.path)
        saved = list(con.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger' "
                                 "AND tbl_name IN ('record', 'record_paper_copy')"))
        for name, _sql in saved:
            con.execute(f'DROP TRIGGER "{name}"')
        for sql, args in statements:
            con.execute(sql, args)
        for _name, sql in saved:
            con.execute(sql)
        con.commit()
        con.close()

    forge(("UPDATE record SET signed_xml = ?, sha256 = ? WHERE id = ?", (forged, digest, rid)))
    out = tmp_path / "usb"
    out.mkdir()
    # the stored paper copy no longer matches the record: the export refuses, naming it, and leaves nothing
    with pytest.raises(HocbasoError, match=f"#{rid}"):
        export_archive(store, YEAR, out, "VP01", partial=True, seal=seal_with(token))
    assert list(out.iterdir()) == []
    forge(("UPDATE record_paper_copy SET xml_sha256 = ? WHERE record_id = ?", (digest, rid)))
    res = export_archive(store, YEAR, out, "VP01", partial=True, seal=seal_with(token))
    (entry,) = _entries(res.path)
    report = verify_archive(res.path, trust)
    assert not report.ok and report.transcribed_ok == 0
    assert any(p.startswith(f"trích lục «{entry['xml']}»") for p in report.problems), report.problems


@pytest.fixture
def fresh(empty_store: Store, tmp_path: Path, token: SchoolToken) -> tuple[Store, SchoolToken]:
    from tests.pupil_school import new_school

    new_school(empty_store, tmp_path)
    token.activate()
    info, _ = create_school_demo_token(empty_store, "system", pin=PIN, home=tmp_path / "token", label="HOCBASO-MOI",
                                       provider=token.provider)
    return empty_store, SchoolToken(token.provider, info, tmp_path / "token")


def test_a_school_set_up_from_nothing_archives_its_trich_luc(fresh, tmp_path: Path) -> None:
    store, tok = fresh
    live = directory.current_year_name(store)
    pid, _eid = _paper(store, tmp_path, tok, "2A", issue=True, ref="Sổ 1/2025")
    pending, _ = _paper(store, tmp_path, tok, "4A", issue=False, ref="")
    out = tmp_path / "usb"
    out.mkdir()
    res = export_archive(store, live, out, "VP01", partial=True, seal=tok.seal())
    assert res.facts.transcribed == 1 and [p.personal_id for p in res.facts.transcribed_pending] == [pending]
    (entry,) = _entries(res.path)
    assert entry["personal_id"] == pid and entry["paper_book_ref"] == "Sổ 1/2025" and entry["grade"] == 1
    report = verify_archive(res.path, TrustStore.from_dirs(tok.trust_dir))
    assert report.ok, report.problems
    assert (report.transcribed_total, report.transcribed_ok) == (1, 1)
