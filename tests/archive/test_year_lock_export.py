"""Year lock/unlock (principal, reasons, audit, database triggers) and the export service end to end:
final needs a lock, partial is TẠM, integrity failures refuse, a failed write is audited."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError, InvalidValue, PermissionDenied
from hocbaso_desktop.exchange.archive import writer
from hocbaso_desktop.exchange.archive.verify import load_index, verify_archive
from hocbaso_desktop.services.archive_service import export_archive
from hocbaso_desktop.services.year_lock import YearNotReady, lock_year, unlock_year, year_status
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry

from .conftest import seal_with
from .school import YEAR


def _audit(store: Store, action: str) -> list[dict]:
    with store.read() as s:
        return [json.loads(e.changes) for e in s.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars()]


def test_lock_refused_while_records_unissued(demo_store: Store) -> None:
    with pytest.raises(YearNotReady) as e:
        lock_year(demo_store, YEAR, "HT")
    msg = e.value.message
    assert "Chưa khóa được năm học 2025-2026" in msg and "10 lớp" in msg and "1A (" in msg and "5B (" in msg
    assert e.value.total == sum(e.value.by_class.values()) > 200
    assert not year_status(demo_store, YEAR).locked


def test_lock_needs_the_principal(school_store: Store) -> None:
    for code in ("GV001", "VP01", "PHT"):
        with pytest.raises(PermissionDenied):
            lock_year(school_store, YEAR, code)


def test_lock_unlock_cycle(school_store: Store, token) -> None:
    st = lock_year(school_store, YEAR, "HT", seal_with(token))
    assert st.locked and st.locked_at and st.issued == 7 and st.deferred >= 1 and not st.not_ready
    assert _audit(school_store, "year.lock")[-1]["issued"] == 7
    with pytest.raises(HocbasoError, match="đã khóa"):
        lock_year(school_store, YEAR, "HT")
    with pytest.raises(InvalidValue):
        unlock_year(school_store, YEAR, "HT", "  ")
    with pytest.raises(PermissionDenied):
        unlock_year(school_store, YEAR, "GV001", "sửa điểm môn Toán")
    st = unlock_year(school_store, YEAR, "HT", "Đính chính điểm theo biên bản số 3")
    assert not st.locked and _audit(school_store, "year.unlock")[-1]["reason"] == "Đính chính điểm theo biên bản số 3"
    assert school_store.verify_audit().ok


def test_lock_refused_while_a_correction_is_open(school_store: Store, token) -> None:
    from datetime import datetime

    from sqlalchemy import select

    from hocbaso_desktop.storage.models import Enrolment, RecordUnlock

    with school_store.transaction("system") as tx:
        e = tx.session.execute(select(Enrolment.id)).scalars().first()
        tx.session.add(RecordUnlock(enrolment_id=e, active=True, opened_at=datetime.now()))
        tx.audit("test.unlock", "record_unlock", e, {})
    with pytest.raises(HocbasoError, match="đang mở để đính chính"):
        lock_year(school_store, YEAR, "HT", seal_with(token))
    assert not year_status(school_store, YEAR).locked


def test_locked_year_refuses_changes_in_the_database(school_db: Path, token) -> None:
    with Store.open(school_db) as store:
        lock_year(store, YEAR, "HT", seal_with(token))
    con = sqlite3.connect(school_db)  # someone with the file and sqlite3
    try:
        eid = con.execute("SELECT e.id FROM enrolment e JOIN year_result r ON r.enrolment_id = e.id "
                          "WHERE r.pending_supplementary = 1").fetchone()[0]
        for sql in ("UPDATE subject_evaluation SET comment = 'x' WHERE enrolment_id = ?",
                    "DELETE FROM period_summary WHERE enrolment_id = ?",
                    "UPDATE year_result SET awards = 'x' WHERE enrolment_id = ?"):
            with pytest.raises(sqlite3.DatabaseError, match="school year is locked"):
                con.execute(sql, (eid,))
        # an approved correction opens one student: that one may change, nobody else
        con.execute("INSERT INTO record_unlock (enrolment_id, active, opened_at) VALUES (?, 1, '2026-06-01')", (eid,))
        con.execute("UPDATE year_result SET awards = 'x' WHERE enrolment_id = ?", (eid,))
        con.commit()
    finally:
        con.close()


def test_final_export_needs_a_locked_year_partial_is_tam(school_store: Store, trust, tmp_path: Path) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    with pytest.raises(HocbasoError, match="chưa khóa"):
        export_archive(school_store, YEAR, out, "VP01")
    assert list(out.iterdir()) == []
    with pytest.raises(PermissionDenied):
        export_archive(school_store, YEAR, out, "GV001", partial=True)
    r = export_archive(school_store, YEAR, out, "VP01", partial=True)
    assert r.interim and r.path.name.endswith("_TAM") and r.sealed_by is None
    info = (r.path / "bag-info.txt").read_text(encoding="utf-8")
    assert "Loại: TẠM (interim)" in info and "Hocbaso-Seal: không" in info
    assert "BẢN TẠM" in (r.path / "data" / "README.txt").read_text(encoding="utf-8")
    assert not verify_archive(r.path, trust).ok  # unsealed: proves nothing about its origin...
    assert verify_archive(r.path, trust, allow_unsealed=True).ok  # ...but every hash holds
    index = load_index(r.path)
    statuses = sorted(v["status"] for c in index["classes"] for s in c["students"] for v in s["records"])
    assert statuses.count("issued") == 7 and "replaced" in statuses and "withdrawn" in statuses
    assert _audit(school_store, "archive.export")[-1]["kind"] == "interim"
    snap = sqlite3.connect(f"file:{r.path / 'data/co-so-du-lieu/hocbaso.sqlite3'}?mode=ro", uri=True)
    try:
        assert snap.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert snap.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert snap.execute("SELECT count(*) FROM record WHERE status='issued'").fetchone()[0] == 7
    finally:
        snap.close()


def test_sealed_final_export(school_store: Store, token, trust, tmp_path: Path) -> None:
    lock_year(school_store, YEAR, "HT", seal_with(token))
    (tmp_path / "usb").mkdir()
    r = export_archive(school_store, YEAR, tmp_path / "usb", "HT", seal=seal_with(token))
    assert not r.interim and r.sealed_by and "Hòa Bình" in r.sealed_by
    report = verify_archive(r.path, trust)
    assert report.ok, report.lines()
    head = school_store.verify_audit().head
    # the archive's chain head is the head at the snapshot; the export's own audit entry follows it
    assert report.info_value("Hocbaso-Audit-Chain-Head") == f"{head[0] - 1} {_prev_hash(school_store, head[0])}"


def _prev_hash(store: Store, seq: int) -> str:
    with store.read() as s:
        return s.get(AuditEntry, seq).prev_hash


def test_integrity_failure_refuses(school_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(school_store, "integrity_check", lambda: ["foreign key: ('record', 1, 'enrolment', 0)"])
    out = tmp_path / "usb"
    out.mkdir()
    with pytest.raises(HocbasoError, match="toàn vẹn"):
        export_archive(school_store, YEAR, out, "VP01", partial=True)
    assert list(out.iterdir()) == []


def test_failed_write_is_audited_and_leaves_nothing(school_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "usb"
    out.mkdir()
    real, calls = writer._write_file, {"n": 0}

    def failing(src: Path, dst: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 4:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(writer, "_write_file", failing)
    with pytest.raises(writer.MediumWriteError, match="ổ đích đầy"):
        export_archive(school_store, YEAR, out, "VP01", partial=True)
    assert list(out.iterdir()) == []
    failed = _audit(school_store, "archive.export.failed")
    assert failed and "ổ đích đầy" in failed[-1]["reason"]


def test_lock_signs_the_audit_head_with_the_seal(school_store: Store, token, trust) -> None:
    """Issue 15: the chain head is signed with the school's seal at the lock, in the lock's own
    transaction; `audit verify` then requires it (deleting it leaves the lock uncovered)."""
    from hocbaso_desktop.services.audit_heads import HEAD_ACTION, SealRequired, verify_heads

    with pytest.raises(SealRequired, match="Cần con dấu của nhà trường để khóa năm học"):
        lock_year(school_store, YEAR, "HT")  # no seal token offered: refused, nothing locked
    assert not year_status(school_store, YEAR).locked and not _audit(school_store, "year.lock")
    lock_year(school_store, YEAR, "HT", seal_with(token))
    with school_store.read() as s:
        lock_id = s.execute(select(AuditEntry.id).where(AuditEntry.action == "year.lock")).scalar_one()
        head = s.execute(select(AuditEntry).where(AuditEntry.action == HEAD_ACTION).order_by(AuditEntry.id.desc())).scalars().first()
        d = json.loads(head.changes)
        assert d["seq"] == lock_id and d["after"] == "year.lock" and head.id == lock_id + 1
        report = verify_heads(s, trust)
    assert report.ok and report.covered == lock_id, report.reason
    # someone with the file deletes the lock's signed head (triggers dropped, chain recomputed or not):
    # the lock entry is then covered by no signed head
    con = sqlite3.connect(school_store.path)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE id = ?", (lock_id + 1,))
    con.commit()
    con.close()
    with school_store.read() as s:
        report = verify_heads(s, trust)
    assert not report.ok and report.entry == lock_id and "khóa năm học" in report.reason

