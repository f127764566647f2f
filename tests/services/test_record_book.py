"""The whole primary record (học bạ cả cấp, issue 17): identity pages once, then every issued year in
order, each rendered from its signed XML with its own signatures, lookup code and version; received
records included; drafts and withdrawn years listed, never printed as valid; a forged year refuses
the book."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hocbaso_desktop.domain.errors import HocbasoError, NotFound, PermissionDenied
from hocbaso_desktop.exchange.record_xml_read import parse_record_xml
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.record_book import NOT_ISSUED, PRINTED, RECEIVED, WITHDRAWN, book_pdf, book_years
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Record, Student
from tests.book_school import NEXT_YEAR, YEAR, BookSchool, book_school
from tests.transfer_schools import copy_db


@pytest.fixture(scope="session")
def school(demo_template: Path) -> BookSchool:
    return book_school(demo_template)


@pytest.fixture
def store(school: BookSchool, tmp_path: Path):
    st = Store.open(copy_db(school.db, tmp_path / "book.sqlite3"))
    yield st
    st.close()


def pages_of(pdf: bytes, tmp_path: Path) -> list[str]:
    src = tmp_path / "book.pdf"
    src.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(src), "-"], check=True, capture_output=True).stdout.decode()
    return out.split("\f")[:-1]


def issued_xmls(store: Store, pid: str) -> list[bytes]:
    with store.read() as s:
        return [bytes(x) for x in s.execute(
            select(Record.signed_xml).join(Student, Student.id == Record.student_id)
            .where(Student.personal_id == pid, Record.status == "issued").order_by(Record.year_id)).scalars()]


def raw(db: Path, *sql: tuple[str, tuple]) -> None:
    """An insider with sqlite3: the frozen-row triggers are no obstacle."""
    con = sqlite3.connect(db)
    with con:
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            con.execute(f'DROP TRIGGER "{name}"')
        for q, args in sql:
            con.execute(q, args)
    con.close()


def test_two_years_in_order_each_with_its_own_signatures(store: Store, school: BookSchool, tmp_path: Path) -> None:
    years = book_years(store, school.two_years_pid)
    assert [(y.school_year, y.state, y.version) for y in years] == [(YEAR, PRINTED, 2), (NEXT_YEAR, PRINTED, 1)]
    t0 = time.perf_counter()
    pdf = book_pdf(store, school.two_years_pid)
    assert time.perf_counter() - t0 < 10
    pages = pages_of(pdf, tmp_path)
    total = len(pages)
    signed = [parse_record_xml(x) for x in issued_xmls(store, school.two_years_pid)]
    assert [d.school_year for d in signed] == [YEAR, NEXT_YEAR]
    # identity pages once: cover, HỌC BẠ, QUÁ TRÌNH HỌC TẬP, contents; then two pages per year
    assert total == 4 + 2 * len(signed)
    assert sum("QUÁ TRÌNH HỌC TẬP" in p for p in pages) == 1
    assert sum("Ngày, tháng, năm sinh" in p for p in pages) == 1
    assert sum("Họ và tên cha" in p for p in pages) == 1
    for n, p in enumerate(pages[1:], start=2):
        assert f"Trang {n}/{total}" in p
    for i, d in enumerate(signed):
        a, b = pages[4 + 2 * i], pages[5 + 2 * i]
        assert f"Năm học {d.school_year} · Phiên bản {d.version}" in a and d.lookup_hex in a
        assert f"Năm học: {d.school_year}" in b and d.lookup_hex in b
        assert d.signatures and all(sg.signer_name in b for sg in d.signatures)
        assert "1. Các môn học và hoạt động giáo dục" in a
    assert sum(f"Năm học: {YEAR}" in p for p in pages) == 1 and sum(f"Năm học: {NEXT_YEAR}" in p for p in pages) == 1
    # the history table holds both years, each once
    history = next(p for p in pages if "QUÁ TRÌNH HỌC TẬP" in p)
    for d in signed:
        assert history.count(d.school_year.replace("-", " - ")) == 1
    assert "BẢN NHÁP" not in "".join(pages)


def test_a_draft_year_is_listed_never_printed(store: Store, school: BookSchool, tmp_path: Path) -> None:
    years = book_years(store, school.draft_pid)
    assert [(y.school_year, y.state) for y in years] == [(YEAR, PRINTED), (NEXT_YEAR, NOT_ISSUED)]
    pages = pages_of(book_pdf(store, school.draft_pid), tmp_path)
    assert len(pages) == 4 + 2
    assert "Chưa phát hành — không in" in pages[3]
    assert not any(f"Năm học: {NEXT_YEAR}" in p for p in pages)


def test_a_withdrawn_year_is_not_printed_as_valid(store: Store, school: BookSchool, tmp_path: Path) -> None:
    years = book_years(store, school.withdrawn_pid)
    assert [(y.school_year, y.state) for y in years] == [(YEAR, WITHDRAWN)]
    with pytest.raises(HocbasoError, match="chưa có năm học nào đã phát hành"):
        book_pdf(store, school.withdrawn_pid)


def test_status_flipped_back_to_issued_over_a_newer_version_prints_nothing_old(
        store: Store, school: BookSchool, tmp_path: Path) -> None:
    """An insider marks v1 issued again and v2 replaced: the current version is still the highest signed one."""
    db = Path(store.path)
    store.close()
    raw(db, ("UPDATE record SET status = CASE version WHEN 1 THEN 'issued' ELSE 'replaced' END "
             "WHERE student_id = (SELECT id FROM student WHERE personal_id = ?) AND year_id = "
             "(SELECT id FROM school_year WHERE name = ?)", (school.two_years_pid, YEAR)))
    with Store.open(db) as again:
        first = book_years(again, school.two_years_pid)[0]
        assert (first.school_year, first.state) == (YEAR, NOT_ISSUED)
        pages = pages_of(book_pdf(again, school.two_years_pid), tmp_path)
        assert not any(f"Năm học: {YEAR}" in p for p in pages)


@pytest.mark.parametrize("attack", ["rename_and_rehash", "rename_only", "other_pupils_record"])
def test_an_altered_signed_xml_refuses_the_book(school: BookSchool, tmp_path: Path, attack: str) -> None:
    db = copy_db(school.db, tmp_path / "forged.sqlite3")
    with Store.open(db) as st, st.read() as s:
        rec = s.execute(select(Record).join(Student, Student.id == Record.student_id)
                        .where(Student.personal_id == school.two_years_pid, Record.status == "issued")
                        .order_by(Record.year_id.desc())).scalars().first()
        rid, xml = rec.id, bytes(rec.signed_xml)
        other = s.execute(select(Record.signed_xml, Record.sha256).join(Student, Student.id == Record.student_id)
                          .where(Student.personal_id == school.draft_pid, Record.status == "issued")).one()
    name = parse_record_xml(xml).student.full_name
    forged = xml.replace(name.encode(), "Tên Giả Mạo".encode())
    assert forged != xml
    if attack == "rename_and_rehash":
        raw(db, ("UPDATE record SET signed_xml = ?, sha256 = ? WHERE id = ?", (forged, hashlib.sha256(forged).hexdigest(), rid)))
        why = "chữ ký"
    elif attack == "rename_only":
        raw(db, ("UPDATE record SET signed_xml = ? WHERE id = ?", (forged, rid)))
        why = "không khớp mã băm"
    else:  # a genuinely signed record, of another pupil, slipped under this one
        raw(db, ("UPDATE record SET signed_xml = ?, sha256 = ? WHERE id = ?", (bytes(other[0]), other[1], rid)))
        why = "học sinh khác"
    with Store.open(db) as st:
        with pytest.raises(HocbasoError, match=why) as e:
            book_pdf(st, school.two_years_pid)
        assert f"Năm học {NEXT_YEAR}" in e.value.message and "không in học bạ cả cấp" in e.value.message


def test_rights_unknown_pupil_and_a_pupil_with_nothing_issued(store: Store, school: BookSchool) -> None:
    info = directory.find_class(store, "2A", NEXT_YEAR)
    own = directory.actor(store, info.homeroom_code)
    assert book_pdf(store, school.two_years_pid, own).startswith(b"%PDF")  # the GVCN of the pupil's class
    other = directory.find_class(store, "5A", YEAR).homeroom_code
    with pytest.raises(PermissionDenied):
        book_pdf(store, school.two_years_pid, directory.actor(store, other))
    with pytest.raises(NotFound, match="Không có học sinh mã định danh 000000000000"):
        book_pdf(store, "000000000000")


def test_demo_school_pupil_has_no_issued_year(demo_store: Store) -> None:
    with demo_store.read() as s:
        pid = s.execute(text("SELECT personal_id FROM student ORDER BY id LIMIT 1")).scalar()
    assert [y.state for y in book_years(demo_store, pid)] == [NOT_ISSUED]
    with pytest.raises(HocbasoError, match="chưa có năm học nào đã phát hành"):
        book_pdf(demo_store, pid)


def test_received_record_from_a_transfer_is_a_year_of_the_book(demo_template: Path, tmp_path: Path) -> None:
    from hocbaso_desktop.services.transfer import export_transfer, import_transfer
    from tests.services.test_transfer import seal_for
    from tests.transfer_schools import RECEIVER_NAME, two_schools

    two = two_schools(demo_template)
    with Store.open(copy_db(two.sender, tmp_path / "sender.sqlite3")) as sender:
        res = export_transfer(sender, two.student_pid, tmp_path / "pkg.zip", "VP01", seal_for(two),
                              destination=RECEIVER_NAME)
    with Store.open(copy_db(two.receiver, tmp_path / "receiver.sqlite3")) as receiver:
        import_transfer(receiver, res.path, "2A", "VP01")
        years = book_years(receiver, two.student_pid)
        got = [(y.origin, y.state, y.version) for y in years]
        assert (RECEIVED, PRINTED, 2) in got and ("here", NOT_ISSUED, None) in got
        pages = pages_of(book_pdf(receiver, two.student_pid), tmp_path)
    assert len(pages) == 4 + 2
    assert "Nhận khi chuyển trường, phiên bản 2" in pages[3] and "Chưa phát hành — không in" in pages[3]
    assert "Nhận khi chuyển trường" in pages[4] and "Phiên bản 2" in pages[4]
    assert "QUÁ TRÌNH HỌC TẬP" in pages[2]


def test_a_withdrawal_document_wins_over_a_status_set_back_to_issued(store: Store, school: BookSchool,
                                                                      tmp_path: Path) -> None:
    """A year with a sealed withdrawal is withdrawn, even when an insider writes 'issued' back."""
    db = Path(store.path)
    with store.read() as s:
        rid, sha = s.execute(select(Record.id, Record.sha256).join(Student, Student.id == Record.student_id)
                             .where(Student.personal_id == school.two_years_pid, Record.status == "issued")
                             .order_by(Record.year_id.desc())).first()
    store.close()
    raw(db, ("INSERT INTO record_withdrawal (record_id, signed_xml, sha256, withdrawn_sha256, seal_cert_serial, "
             "created_at) VALUES (?, x'00', '', ?, '', '2026-01-01 00:00:00')", (rid, sha)))
    with Store.open(db) as again:
        last = book_years(again, school.two_years_pid)[-1]
        assert (last.school_year, last.state) == (NEXT_YEAR, WITHDRAWN)
        pages = pages_of(book_pdf(again, school.two_years_pid), tmp_path)
    assert len(pages) == 4 + 2 and f"Đã thu hồi (phiên bản {last.version}) — không in" in pages[3]
    assert not any(f"Năm học: {NEXT_YEAR}" in p for p in pages)
