"""The paper copy of an issued record is its signed XML's, rendered once at issue and stored (issue 15).

Reproduced first: an insider renamed an issued pupil with sqlite3 (frozen-row triggers dropped); the
paper copy and the archive were rebuilt from the live rows and showed the new name beside a signed
XML saying the old one."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.exchange.record_xml_read import parse_record_xml
from hocbaso_desktop.services.archive_service import export_archive
from hocbaso_desktop.services.paper_copies import issued_paper
from hocbaso_desktop.services.record_export import paper_copy_pdf
from hocbaso_desktop.services.records import StudentRef
from hocbaso_desktop.signing import verify_record
from hocbaso_desktop.signing.policy import issued_policy
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Enrolment, Record, RecordPaperCopy, Student

from .school import YEAR

FAKE = "Tên Giả Mạo"


def text_of(pdf: bytes, tmp_path: Path) -> str:
    src = tmp_path / "t.pdf"
    src.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(src), "-"], check=True, capture_output=True).stdout.decode()


def issued(store: Store) -> list[tuple[Record, Student]]:
    with store.read() as s:
        rows = s.execute(select(Record, Student).join(Student, Student.id == Record.student_id)
                         .where(Record.status == "issued").order_by(Record.id)).all()
        s.expunge_all()
    return [tuple(r) for r in rows]


def test_every_seal_stored_the_signed_xmls_paper_copy(school_store: Store, tmp_path: Path) -> None:
    recs = issued(school_store)
    with school_store.read() as s:
        stored = {p.record_id: p for p in s.execute(select(RecordPaperCopy)).scalars()}
        audited = {e.entity_id for e in s.execute(select(AuditEntry).where(AuditEntry.action == "record.paper_copy")).scalars()}
        s.expunge_all()
    # the corrected v2 of tests/archive/school.py was issued without the signing service: no stored copy
    sealed = [(r, st) for r, st in recs if r.id in stored]
    assert len(sealed) >= 5 and len(recs) - len(sealed) == 1
    for r, st in sealed:
        row = stored[r.id]
        assert row.xml_sha256 == r.sha256 and hashlib.sha256(row.pdf).hexdigest() == row.sha256
        assert str(r.id) in {str(x) for x in audited}
    r, st = sealed[0]
    d = parse_record_xml(r.signed_xml)
    text = text_of(stored[r.id].pdf, tmp_path)
    assert st.full_name == d.student.full_name and d.student.full_name in text
    assert f"Lớp {d.class_name}" in text or d.class_name in text
    assert d.result_name and d.result_name in text
    assert "BẢN NHÁP" not in text  # signed: no draft stamp
    for sig in d.signatures:
        assert sig.signer_name in text


def test_stored_copy_cannot_be_changed_deleted_or_forged(school_db: Path, school_store: Store) -> None:
    (r, _st), *_ = issued(school_store)
    with sqlite3.connect(school_db) as c:
        for sql in (f"UPDATE record_paper_copy SET pdf = x'00' WHERE record_id = {r.id}",
                    f"DELETE FROM record_paper_copy WHERE record_id = {r.id}"):
            with pytest.raises(sqlite3.IntegrityError, match="immutable"):
                c.execute(sql)
        draft = c.execute("SELECT id FROM record WHERE status != 'issued' LIMIT 1").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="only for an issued record"):
            c.execute(f"INSERT INTO record_paper_copy VALUES ({draft[0] if draft else 999999}, x'00', '', '', '', '2026-01-01')")


def test_an_insider_renaming_the_pupil_changes_no_signed_paper(school_db: Path, school_store: Store, trust,
                                                               tmp_path: Path) -> None:
    (r, st), *_ = issued(school_store)
    signed_name = st.full_name
    with sqlite3.connect(school_db) as c:  # the insider: triggers dropped, name edited, no audit entry
        for (name,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'student'").fetchall():
            c.execute(f"DROP TRIGGER {name}")
        c.execute("UPDATE student SET full_name = ? WHERE id = ?", (FAKE, st.id))
    with school_store.read() as s:
        assert s.get(Student, st.id).full_name == FAKE
    # records pdf (one pupil, and a class mixing this issued pupil with the others)
    one = paper_copy_pdf(school_store, [StudentRef(r.enrolment_id, st.personal_id, FAKE)], tmp_path / "one.pdf")
    text = text_of(one.read_bytes(), tmp_path)
    assert signed_name in text and FAKE not in text
    with school_store.read() as s:
        assert one.read_bytes() == issued_paper(s, r).pdf  # exactly the stored bytes
        cls = [StudentRef(e.id, "", "") for e in s.execute(select(Enrolment).where(
            Enrolment.class_id == s.get(Enrolment, r.enrolment_id).class_id, Enrolment.status == "active")).scalars()]
    many = paper_copy_pdf(school_store, cls, tmp_path / "class.pdf")
    text = text_of(many.read_bytes(), tmp_path)
    assert signed_name in text and FAKE not in text
    # the archive: its PDF says the signed name, beside the signed XML
    out = tmp_path / "usb"
    out.mkdir()
    result = export_archive(school_store, YEAR, out, "VP01", partial=True)
    pdfs = sorted(result.path.rglob(f"*{st.lookup_code}_v{r.version}.pdf"))
    assert len(pdfs) == 1
    text = text_of(pdfs[0].read_bytes(), tmp_path)
    assert signed_name in text and FAKE not in text
    # and the verify path still holds: the signed XML is untouched
    xml = next(result.path.rglob(f"*{st.lookup_code}_v{r.version}.xml")).read_bytes()
    assert xml == r.signed_xml
    assert verify_record(xml, trust, policy=issued_policy()).ok


def test_issued_before_the_migration_renders_from_the_signed_xml(school_db: Path, school_store: Store,
                                                                 tmp_path: Path) -> None:
    """The corrected v2 (tests/archive/school.py) has no stored copy, like a record issued before 0012."""
    with school_store.read() as s:
        stored = set(s.execute(select(RecordPaperCopy.record_id)).scalars())
    (r, st), = [(r, st) for r, st in issued(school_store) if r.id not in stored]
    with sqlite3.connect(school_db) as c:
        c.execute("DROP TRIGGER student_issued_frozen")
        c.execute("UPDATE student SET full_name = ? WHERE id = ?", (FAKE, st.id))
    with school_store.read() as s:
        paper = issued_paper(s, r)
        assert not paper.stored and paper.student_name == st.full_name
        assert paper.pdf == issued_paper(s, r).pdf  # deterministic: same XML, same PDF
    text = text_of(paper.pdf, tmp_path)
    assert st.full_name in text and FAKE not in text


def test_gui_preview_of_an_issued_record_shows_the_stored_copy(qtbot, school_db: Path, school_store: Store,
                                                               tmp_path: Path) -> None:
    from hocbaso_desktop.gui.paper_preview import PaperPreviewDialog

    (r, st), *_ = issued(school_store)
    with sqlite3.connect(school_db) as c:
        c.execute("DROP TRIGGER student_issued_frozen")
        c.execute("UPDATE student SET full_name = ? WHERE id = ?", (FAKE, st.id))
    dlg = PaperPreviewDialog(school_store, r.enrolment_id)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: bool(dlg.pages), timeout=60_000)
    with school_store.read() as s:
        assert dlg.pdf == issued_paper(s, r).pdf
    assert st.full_name in dlg.windowTitle() and FAKE not in dlg.windowTitle()
    dlg.show()
    dlg.grab().save(str(tmp_path / "preview.png"))
