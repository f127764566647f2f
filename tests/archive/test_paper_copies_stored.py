"""The archive ships the paper copy stored at issue and never renders one again (issue 19).

A record issued before copies were stored (the corrected v2 of tests/archive/school.py, issued
without the signing service) gets its copy once, in the live database, in one audited transaction;
every later export only reads it. Hostile: a copied database whose stored PDF was swapped — with or
without recomputing the row's hash — is refused by name and nothing reaches the drive."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.domain.progress import Cancelled
from hocbaso_desktop.exchange import paper_batch
from hocbaso_desktop.services.archive_service import export_archive
from hocbaso_desktop.services.paper_copies import backfill_paper_copies, missing_copies, render_from_signed_xml
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Record, RecordPaperCopy

from .school import YEAR


def _copies(store: Store) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(RecordPaperCopy)).scalar() or 0


def _missing(store: Store) -> list[Record]:
    with store.read() as s:
        out = missing_copies(s)
        s.expunge_all()
    return out


def _no_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> bytes:
        raise AssertionError("a paper copy was rendered again")

    monkeypatch.setattr(paper_batch, "render_signed_xml", refuse)


def _usb(tmp_path: Path, name: str = "usb") -> Path:
    out = tmp_path / name
    out.mkdir()
    return out


def test_the_export_backfills_once_then_only_reads(school_store: Store, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (v2,) = _missing(school_store)
    before = _copies(school_store)
    result = export_archive(school_store, YEAR, _usb(tmp_path), "VP01", partial=True)
    assert _copies(school_store) == before + 1 and _missing(school_store) == []
    with school_store.read() as s:
        row = s.get(RecordPaperCopy, v2.id)
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "record.paper_copy",
                                                   AuditEntry.entity_id == str(v2.id))).scalars().one()
        assert row.xml_sha256 == v2.sha256 and row.renderer == paper_batch.RENDERER
        assert bytes(row.pdf) == render_from_signed_xml(bytes(v2.signed_xml), v2.valid_from)
        assert entry.actor == "VP01" and json.loads(entry.changes) == {"sha256": row.sha256, "xml_sha256": v2.sha256}
        shipped = next(result.path.rglob(f"*_v{v2.version}.pdf"), None)
        pdf = bytes(row.pdf)
    assert shipped is not None and hashlib.sha256(shipped.read_bytes()).hexdigest() == hashlib.sha256(pdf).hexdigest()
    # a second export renders nothing and stores nothing
    _no_rendering(monkeypatch)
    again = export_archive(school_store, YEAR, _usb(tmp_path, "usb2"), "VP01", partial=True)
    assert _copies(school_store) == before + 1 and again.facts.paper_copies == result.facts.paper_copies


def _two_copies(db: Path) -> tuple[int, int, bytes]:
    with sqlite3.connect(db) as c:
        (a, _pa), (b, pb) = c.execute("SELECT p.record_id, p.pdf FROM record_paper_copy p JOIN record r ON r.id = p.record_id "
                                           "WHERE r.status = 'issued' ORDER BY p.record_id LIMIT 2").fetchall()
    return a, b, bytes(pb)


@pytest.mark.parametrize("recompute", [False, True], ids=["row-hash-left", "row-hash-recomputed"])
def test_a_swapped_stored_pdf_is_refused_and_nothing_written(school_db: Path, school_store: Store, tmp_path: Path,
                                                             recompute: bool) -> None:
    victim, other, pdf = _two_copies(school_db)
    with sqlite3.connect(school_db) as c:  # the insider with the file: triggers dropped, another pupil's PDF put in
        c.execute("DROP TRIGGER record_paper_copy_no_update")
        sha = hashlib.sha256(pdf).hexdigest() if recompute else None
        c.execute("UPDATE record_paper_copy SET pdf = ?, sha256 = COALESCE(?, sha256) WHERE record_id = ?", (pdf, sha, victim))
    out = _usb(tmp_path)
    with pytest.raises(HocbasoError, match=f"học bạ #{victim}.*(bị tráo|không khớp)"):
        export_archive(school_store, YEAR, out, "VP01", partial=True)
    assert list(out.iterdir()) == []
    with school_store.read() as s:
        action, changes = s.execute(select(AuditEntry.action, AuditEntry.changes).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert action == "archive.export.failed" and f"#{victim}" in changes


def test_backfill_refuses_a_record_whose_signed_xml_was_altered(school_db: Path, school_store: Store) -> None:
    (v2,) = _missing(school_store)
    with sqlite3.connect(school_db) as c:
        names = [n for (n,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'record'")]
        for n in names:
            c.execute(f"DROP TRIGGER {n}")
        c.execute("UPDATE record SET signed_xml = replace(signed_xml, 'Hoàn thành', 'Hoàn thành xuất sắc') WHERE id = ?",
                  (v2.id,))
    before = _copies(school_store)
    with pytest.raises(HocbasoError, match=f"#{v2.id}.*không khớp mã băm"):
        backfill_paper_copies(school_store, "VP01")
    assert _copies(school_store) == before


def test_backfill_cancelled_stores_nothing(school_store: Store) -> None:
    before = _copies(school_store)
    with pytest.raises(Cancelled):
        backfill_paper_copies(school_store, "VP01", cancel=lambda: True)
    assert _copies(school_store) == before and len(_missing(school_store)) == 1
