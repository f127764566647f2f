"""The correction workflow on a SoftHSM2-signed record: request → approve (witnesses) → edit through the
grid service → re-sign GVCN → principal → seal → version 2 issued, version 1 replaced and still
verifiable, UPDATE v2 queued; refusals by the service and by the database; reject; cancel; withdraw
(CANCEL queued, still readable); the cut-off; rights; the minute's old → new."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import InvalidValue, PermissionDenied
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.correction_minute import minute_data, write_minute
from hocbaso_desktop.services.corrections import (
    CorrectionError,
    approve,
    cancel,
    cutoff_date,
    get_correction,
    list_corrections,
    reject,
    request_correction,
)
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.record_history import audit_entries, versions, withdraw
from hocbaso_desktop.signing import TrustStore, verify_record
from hocbaso_desktop.storage.correction_models import CorrectionRequest
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Record, RecordUnlock, SchoolYear, SubjectEvaluation
from hocbaso_desktop.storage.outbox_models import OutboxEntry
from tests.correction_school import YEAR, build_issued_school, copy_school, first_student, issue_class, sign
from tests.school_token import SchoolToken, school_token

NEW_COMMENT = "Đọc lưu loát, chữ viết đều nét và đẹp hơn."


@pytest.fixture(scope="module")
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture(scope="module")
def issued_db(demo_template: Path, token: SchoolToken, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_issued_school(demo_template, token, tmp_path_factory.mktemp("corr"))


@pytest.fixture
def store(issued_db: Path, token: SchoolToken, tmp_path: Path):
    token.activate()
    s = Store.open(copy_school(issued_db, tmp_path))
    yield s
    s.close()


def _actor(store: Store, code: str):  # noqa: ANN202
    return directory.actor(store, code, YEAR)


def _tv(store: Store, enrolment_id: int) -> str:
    with store.read() as s:
        return s.execute(select(SubjectEvaluation.comment).where(
            SubjectEvaluation.enrolment_id == enrolment_id, SubjectEvaluation.period == "CN",
            SubjectEvaluation.subject_code == "TV")).scalar()


def _edit(store: Store, code: str, enrolment_id: int, value: str):  # noqa: ANN202
    return apply_edits(store, _actor(store, code), [CellEdit(enrolment_id, "CN", "subject_comment", "TV", value)])[0]


def test_whole_correction_path(store: Store, token: SchoolToken, tmp_path: Path) -> None:
    st = first_student(store)
    old_comment = _tv(store, st.enrolment_id)
    # issued: the grid service refuses, and so does the database (raw SQL, another connection)
    refused = _edit(store, "GV001", st.enrolment_id, NEW_COMMENT)
    assert not refused.ok and "đã phát hành" in refused.message
    con = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="issued and immutable"):
        con.execute("UPDATE subject_evaluation SET comment = 'x' WHERE enrolment_id = ?", (st.enrolment_id,))
    con.close()

    cid = request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét môn Tiếng Việt",
                             fields=["Tiếng Việt — nhận xét"], evidence_name="bien-ban-hop.txt",
                             evidence="Biên bản họp tổ chuyên môn".encode())
    info = get_correction(store, cid)
    assert info.state == "open" and info.record_version == 1 and info.evidence_size > 0
    assert [c.id for c in list_corrections(store, _actor(store, "QT01"))] == [cid]  # the admin team sees it
    assert list_corrections(store, _actor(store, "GV002")) == []  # another teacher does not
    # still refused: a request alone opens nothing
    assert not _edit(store, "GV001", st.enrolment_id, NEW_COMMENT).ok

    with pytest.raises(PermissionDenied):
        approve(store, _actor(store, "PHT"), cid, [])
    info = approve(store, _actor(store, "HT"), cid, ["QT01", "TTND:Nguyễn Văn Bình"])
    assert info.state == "approved"
    roles = {w.name: w.role for w in info.witnesses}
    assert roles["Nguyễn Văn Bình"] == "Ban TTND" and roles["Phạm Minh Tuấn"] == "Ban quản trị"
    assert roles["Đỗ Thị Thanh Hương"] == "BGH" and roles["Trần Thị Mai"] == "GV đề nghị sửa"

    ok = _edit(store, "GV001", st.enrolment_id, NEW_COMMENT)
    assert ok.ok, ok.message
    assert _tv(store, st.enrolment_id) == NEW_COMMENT
    # the minute before re-signing shows the pending change
    pending = minute_data(store, cid)
    assert any(c.old == old_comment and c.new == NEW_COMMENT for c in pending.changes) and "CHƯA ký lại" in pending.changes_note

    # re-sign in the usual order; only the corrected record is planned
    assert len(sign(store, token, "GV001").signed) == 1
    assert len(sign(store, token, "HT").signed) == 1
    run = sign(store, token, "VP01", seal=True)
    assert len(run.signed) == 1 and run.signed[0].issued

    vs = versions(store, st.enrolment_id)
    assert [(v.version, v.status) for v in vs] == [(1, "replaced"), (2, "issued")]
    assert vs[1].replaces_id == vs[0].record_id and [x.role for x in vs[1].signatures] == ["GVCN", "Hiệu trưởng", "con dấu nhà trường"]
    assert [x.role for x in vs[0].signatures] == ["GVCN", "Hiệu trưởng", "con dấu nhà trường"]  # intact
    trust = TrustStore.from_dirs(token.trust_dir)
    with store.read() as s:
        recs = {r.version: r for r in s.execute(select(Record).where(Record.enrolment_id == st.enrolment_id)).scalars()}
        unlocks = list(s.execute(select(RecordUnlock).where(RecordUnlock.correction_id == cid)).scalars())
        outbox = [(o.event, o.version) for o in s.execute(select(OutboxEntry).where(
            OutboxEntry.record_id.in_([r.id for r in recs.values()])).order_by(OutboxEntry.id)).scalars()]
        s.expunge_all()  # plain snapshots: the read session's rollback must not expire them
    for r in recs.values():
        assert verify_record(bytes(r.signed_xml), trust).ok
    assert "Thay thế bởi phiên bản 2" in recs[1].status_reason
    assert outbox == [("NEW", 1), ("UPDATE", 2)]
    assert len(unlocks) == 1 and not unlocks[0].active and unlocks[0].closed_at is not None
    info = get_correction(store, cid)
    assert info.state == "applied" and info.new_record_id == recs[2].id and info.closed_at is not None

    # locked again: service and database refuse
    assert not _edit(store, "GV001", st.enrolment_id, "Sửa thêm lần nữa").ok
    con = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="issued and immutable"):
        con.execute("UPDATE subject_evaluation SET comment = 'x' WHERE enrolment_id = ?", (st.enrolment_id,))
    with pytest.raises(sqlite3.DatabaseError, match="final|cannot move"):
        con.execute("UPDATE correction_request SET state = 'open' WHERE id = ?", (cid,))
    with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
        con.execute("DELETE FROM correction_request WHERE id = ?", (cid,))
    with pytest.raises(sqlite3.DatabaseError, match="final"):
        con.execute("UPDATE record_unlock SET active = 1")
    con.close()

    # every step is in the audit chain, findable by the student
    actions = [r.action for r in audit_entries(store, student=st.personal_id)]
    for a in ("correction.request", "correction.approve", "evaluation.subject", "record.sign", "record.issue",
              "record.replace", "correction.apply"):
        assert a in actions, a
    assert store.verify_audit().ok

    # the minute: old → new from the two signed versions, with diacritics
    pdf = write_minute(store, cid, tmp_path / "bien-ban.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "BIÊN BẢN" in text and st.full_name in text and st.lookup_code in text
    assert "Nguyễn Văn Bình" in text and "Ban TTND" in text and "Nhập nhầm nhận xét môn Tiếng Việt" in flat
    assert "Tiếng Việt — nhận xét" in flat
    assert " ".join(old_comment.split()[:3]) in flat and "Đọc lưu loát" in flat


def test_database_refuses_an_unapproved_change_even_with_a_forged_request(store: Store) -> None:
    st = first_student(store)
    cid = request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét")
    con = sqlite3.connect(store.path)
    try:
        # an open request opens nothing; nor can it be pushed to approved without who and when
        with pytest.raises(sqlite3.DatabaseError, match="issued and immutable"):
            con.execute("DELETE FROM subject_evaluation WHERE enrolment_id = ?", (st.enrolment_id,))
        with pytest.raises(sqlite3.DatabaseError, match="who and when"):
            con.execute("UPDATE correction_request SET state = 'approved' WHERE id = ?", (cid,))
        with pytest.raises(sqlite3.DatabaseError, match="cannot change once filed"):
            con.execute("UPDATE correction_request SET reason = 'khác' WHERE id = ?", (cid,))
        with pytest.raises(sqlite3.DatabaseError, match="cannot move that way|needs the issued version"):
            con.execute("UPDATE correction_request SET state = 'applied' WHERE id = ?", (cid,))
        with pytest.raises(sqlite3.DatabaseError, match="starts open, on an issued record"):
            con.execute("INSERT INTO correction_request (enrolment_id, record_id, requester_id, fields, reason, "
                        "evidence_name, state, decision_reason, witnesses, created_at) "
                        "VALUES (?, 1, 1, '[]', 'x', '', 'approved', '', '[]', '2026-01-01')", (st.enrolment_id,))
    finally:
        con.close()


def test_reject_path(store: Store) -> None:
    st = first_student(store)
    cid = request_correction(store, _actor(store, "GV011"), st.enrolment_id, "Điểm Ngoại ngữ 1 nhập sai",
                             fields=["Ngoại ngữ 1 — mức đạt được"])  # a GVBM of the class
    with pytest.raises(PermissionDenied):
        reject(store, _actor(store, "QT01"), cid, "Không đủ minh chứng")
    with pytest.raises(InvalidValue):
        reject(store, _actor(store, "HT"), cid, "")
    info = reject(store, _actor(store, "HT"), cid, "Không đủ minh chứng kèm theo")
    assert info.state == "rejected" and info.decided_by_code == "HT" and info.closed_at
    assert not _edit(store, "GV001", st.enrolment_id, NEW_COMMENT).ok  # still locked
    with pytest.raises(CorrectionError, match="từ chối"):
        approve(store, _actor(store, "HT"), cid)
    assert [v.status for v in versions(store, st.enrolment_id)] == ["issued"]
    # a new request may be filed once the old one is closed
    assert request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét") > cid
    assert not minute_data(store, cid).changes and "không thay đổi" in minute_data(store, cid).changes_note


def test_cancel_approved_only_while_unchanged(store: Store) -> None:
    st = first_student(store)
    cid = request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét")
    approve(store, _actor(store, "HT"), cid, [])
    assert _edit(store, "GV001", st.enrolment_id, NEW_COMMENT).ok
    with pytest.raises(CorrectionError, match="đã được sửa"):
        cancel(store, _actor(store, "GV001"), cid, "Không cần sửa nữa")
    old = _edit(store, "GV001", st.enrolment_id, minute_data(store, cid).changes[0].old)
    assert old.ok
    info = cancel(store, _actor(store, "GV001"), cid, "Không cần sửa nữa")
    assert info.state == "cancelled"
    assert [v.status for v in versions(store, st.enrolment_id)] == ["issued"]  # the draft v2 is gone
    assert not _edit(store, "GV001", st.enrolment_id, NEW_COMMENT).ok


def test_rights_to_request_and_one_request_at_a_time(store: Store) -> None:
    st = first_student(store)
    with pytest.raises(PermissionDenied, match="GVCN hoặc GVBM của lớp 1A"):
        request_correction(store, _actor(store, "GV012"), st.enrolment_id, "Nhập nhầm")  # teaches 3A-5B only
    with pytest.raises(PermissionDenied, match="GVCN hoặc GVBM của lớp 1A"):
        request_correction(store, _actor(store, "GV002"), st.enrolment_id, "Nhập nhầm")  # GVCN of 1B
    with pytest.raises(PermissionDenied):
        request_correction(store, _actor(store, "VP01"), st.enrolment_id, "Nhập nhầm")  # clerk
    with pytest.raises(InvalidValue):
        request_correction(store, _actor(store, "GV001"), st.enrolment_id, "x")
    cid = request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét")
    with pytest.raises(CorrectionError, match=f"phiếu đề nghị sửa số {cid}"):
        request_correction(store, _actor(store, "GV011"), st.enrolment_id, "Nhập nhầm điểm")
    # only an issued record needs a request: 1B is still a draft
    other = first_student(store, "1B")
    with pytest.raises(CorrectionError, match="chỉ học bạ đã phát hành"):
        request_correction(store, _actor(store, "GV002"), other.enrolment_id, "Nhập nhầm nhận xét")


def test_cutoff(store: Store) -> None:
    st = first_student(store)
    with store.read() as s:
        year = s.execute(select(SchoolYear)).scalars().first()
        lock, cut = year.lock_date, cutoff_date(s, year)
    assert cut == lock - timedelta(days=7)
    # on the cut-off day: accepted; the day after: refused, naming the date
    with pytest.raises(CorrectionError, match=f"hạn cuối là ngày {cut:%d/%m/%Y}.*01 tuần trước ngày khóa"):
        request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét",
                           today=cut + timedelta(days=1))
    # the school sets its own date (settings screen)
    explicit = date.today() - timedelta(days=1)
    with store.transaction("HT") as tx:
        from hocbaso_desktop.storage.models import Setting
        tx.session.merge(Setting(key="year.correction_cutoffs", value=json.dumps({YEAR: explicit.isoformat()})))
    with pytest.raises(CorrectionError, match=f"hạn cuối là ngày {explicit:%d/%m/%Y}"):
        request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét")
    with store.transaction("HT") as tx:
        tx.session.merge(Setting(key="year.correction_cutoffs", value=json.dumps({YEAR: lock.isoformat()})))
    assert request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét",
                              today=cut + timedelta(days=1)) > 0


def test_withdrawal(store: Store, token: SchoolToken) -> None:
    st = first_student(store)
    cid = request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét")
    with pytest.raises(PermissionDenied):
        withdraw(store, _actor(store, "QT01"), st.enrolment_id, "Hồ sơ cấp sai", token.seal())
    v = withdraw(store, _actor(store, "HT"), st.enrolment_id, "Hồ sơ cấp sai đối tượng", token.seal())
    assert v.status == "withdrawn" and v.status_text == "thu hồi" and v.status_reason == "Hồ sơ cấp sai đối tượng"
    assert get_correction(store, cid).state == "cancelled"  # the open request goes with it
    with store.read() as s:
        rec = s.get(Record, v.record_id)
        events = [(o.event, o.version) for o in s.execute(select(OutboxEntry).where(OutboxEntry.record_id == rec.id)
                                                           .order_by(OutboxEntry.id)).scalars()]
        signed = bytes(rec.signed_xml)
        s.expunge_all()
    assert events == [("NEW", 1), ("CANCEL", 2)]
    assert verify_record(signed, TrustStore.from_dirs(token.trust_dir)).ok  # still readable and verifiable
    with pytest.raises(CorrectionError, match="không có gì để thu hồi"):
        withdraw(store, _actor(store, "HT"), st.enrolment_id, "Thu hồi lần hai", token.seal())
    with pytest.raises(CorrectionError, match="thu hồi"):
        request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Nhập nhầm nhận xét")
    con = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        con.execute("DELETE FROM record WHERE id = ?", (v.record_id,))
    con.close()
    assert "record.withdraw" in [r.action for r in audit_entries(store, student=st.personal_id)]
    # the signing plan leaves it alone
    assert sign(store, token, "GV001") is None


def test_issue_class_helper_is_idempotent(store: Store, token: SchoolToken) -> None:
    issue_class(store, token)  # everything already issued: nothing more to sign
    with store.read() as s:
        assert s.execute(select(CorrectionRequest)).first() is None


def test_issued_pupil_rows_change_only_through_the_correction(store: Store) -> None:
    """Issue 15: the pupil's identity behind a really signed record is frozen — the pupil form and
    raw SQL are refused — until the principal approves a correction, which opens it."""
    from hocbaso_desktop.domain.errors import RecordLocked
    from hocbaso_desktop.services.pupil_profile import pupil_profile, update_pupil

    st = first_student(store)
    ht = _actor(store, "HT")
    with pytest.raises(RecordLocked, match="đính chính"):
        update_pupil(store, ht, st.personal_id, {"full_name": "Tên Giả Mạo"}, YEAR)
    con = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="issued rows are frozen"):
        con.execute("UPDATE student SET full_name = 'Tên Giả Mạo' WHERE personal_id = ?", (st.personal_id,))
    with pytest.raises(sqlite3.DatabaseError, match="issued rows are frozen"):
        con.execute("UPDATE school_class SET name = '1Z' WHERE name = '1A'")
    con.close()
    cid = request_correction(store, _actor(store, "GV001"), st.enrolment_id, "Sai chính tả họ tên học sinh")
    approve(store, ht, cid, [])
    update_pupil(store, ht, st.personal_id, {"full_name": st.full_name + " Anh"}, YEAR)
    assert pupil_profile(store, st.personal_id, YEAR).full_name == st.full_name + " Anh"
