"""The whole primary record of a pupil whose first two years were kept on paper (issue 17): grades 1
and 2 entered as trích lục, signed by the principal and the seal, then grade 3 issued here — the book
prints the three years in order, the paper years banded as transcriptions and never as originals, and
a trích lục whose flag is stripped in the database is refused."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.record_book import PRINTED, book_pdf, book_years
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name
from hocbaso_desktop.services.transcription import transcribe
from hocbaso_desktop.signing import ScriptedPinPrompt
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Record, SchoolYear
from tests.correction_school import issue_class
from tests.school_token import PIN, school_token
from tests.services.test_transcription import earlier, workbook
from tests.tools import require_tool

BAND = "TRÍCH LỤC TỪ HỌC BẠ GIẤY"


def _pages(pdf: bytes, tmp_path: Path) -> list[str]:
    f = tmp_path / "book.pdf"
    f.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(f), "-"], capture_output=True, text=True, check=True).stdout
    return [p for p in text.split("\f") if p.strip()]


def test_book_of_a_pupil_with_two_paper_years(demo_store: Store, demo_template: Path, tmp_path: Path) -> None:
    require_tool("pdftotext")
    store = demo_store
    token = school_token(demo_template)
    token.attach(store)
    live = directory.current_year_name(store)
    pupil = directory.students(store, "3A", live)[0]
    refs = {}
    for n, grade in ((2, 1), (1, 2)):
        year = earlier(live, n)
        refs[year] = f"HB-{grade}/{year[:4]}"
        transcribe(store, "VP01", pupil.personal_id, year, grade,
                   workbook(store, tmp_path, pupil.personal_id, year, grade, name=f"g{grade}.xlsx"),
                   paper_book_ref=refs[year], class_name=f"{grade}A")
        cls = f"{grade}A"
        cid = directory.find_class(store, cls, year).id
        for code, seal in (("HT", False), ("VP01", True)):  # a trích lục: the principal, then the seal
            actor = directory.actor(store, code)
            plan = plan_signing(store, actor, [cid], seal=seal)
            assert len(plan.items) == 1, plan.skipped
            choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
            run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN))
            list(run)
            assert len(run.signed) == 1 and not run.failed
    issue_class(store, token, "3A")

    years = book_years(store, pupil.personal_id)
    assert [y.school_year for y in years if y.state == PRINTED] == [earlier(live, 2), earlier(live, 1), live]
    pages = _pages(book_pdf(store, pupil.personal_id), tmp_path)
    by_year = {y: [p for p in pages if f"Năm học {y}" in p.splitlines()[-1] or f"Năm học: {y}" in p] for y in refs}
    for year, ref in refs.items():
        assert by_year[year], year
        assert all(f"{BAND} — Sổ: {ref}" in p for p in by_year[year]), year
    live_pages = [p for p in pages if f"Năm học: {live}" in p]
    assert live_pages and not any(BAND in p for p in live_pages)
    # the history table on the identity pages names the three years
    history = next(p for p in pages if "QUÁ TRÌNH HỌC TẬP" in p)
    for y in (*refs, live):
        assert y.replace("-", " - ") in history

    # Hostile: a trích lục passed off as an original by editing its stored XML — the book refuses to print it.
    with store.read() as s:
        rec = s.execute(select(Record).join(SchoolYear, Record.year_id == SchoolYear.id)
                        .where(Record.student_id == pupil.student_id, SchoolYear.name == earlier(live, 2))).scalars().one()
        rid, xml = rec.id, rec.signed_xml
    assert b"<trichluc>1</trichluc>" in xml
    con = sqlite3.connect(store.path)
    triggers = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='record'")]
    saved = [r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE type='trigger' AND tbl_name='record'")]
    for t in triggers:  # whoever copies the file can drop triggers; the signatures still hold
        con.execute(f'DROP TRIGGER "{t}"')
    con.execute("UPDATE record SET signed_xml = ? WHERE id = ?", (xml.replace(b"<trichluc>1</trichluc>", b"<trichluc>0</trichluc>"), rid))
    con.commit()
    for sql in saved:
        con.execute(sql)
    con.commit()
    con.close()
    with pytest.raises(HocbasoError, match=earlier(live, 2)):  # the message names the forged year
        book_pdf(store, pupil.personal_id)
