"""Fixing a trích lục before it is signed (issue 17): transcribing the year again with `replace`
replaces its evaluations in one audited transaction (old → new per cell), keeps the transcription row
and the book reference; a signature, a forgotten `replace`, another book reference, another grade
or a teacher is refused and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import PermissionDenied
from hocbaso_desktop.exchange.grid_layout import SHEET_QUALITIES, SHEET_SUBJECTS, SHEET_SUMMARY
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.transcription import TranscriptionRefused, transcribe
from hocbaso_desktop.services.transcription_fix import cell_values
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, SubjectEvaluation
from hocbaso_desktop.storage.transcription_models import Transcription
from tests.pupil_school import CHI, new_school
from tests.school_token import SchoolToken, school_token
from tests.services.test_transcription import _sign, counts, earlier, workbook

TOAN = (SHEET_SUBJECTS, "Toán – Mức")
TOAN_SCORE = (SHEET_SUBJECTS, "Toán – Điểm KTĐK")
AWARDS = (SHEET_SUMMARY, "Khen thưởng – Cuối năm")
RESULT = (SHEET_SUMMARY, "Kết quả giáo dục – GVCN xác nhận")


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> Store:
    new_school(empty_store, tmp_path)
    return empty_store


def _stored(store: Store, enrolment_id: int) -> dict:
    keys = ["subject_level:TOAN", "subject_score:TOAN", "awards:", "confirmed:", "quality_level:YN"]
    with store.read() as s:
        return cell_values(s, enrolment_id, keys)


def _refused(store: Store, enrolment_id: int, *args, match: str, **kw) -> None:
    before, cells = counts(store), _stored(store, enrolment_id)
    with pytest.raises(TranscriptionRefused, match=match):
        transcribe(store, *args, **kw)
    assert counts(store) == before and _stored(store, enrolment_id) == cells


def test_from_nothing_a_mistyped_cell_is_replaced_before_signing(school: Store, tmp_path: Path) -> None:
    live = directory.current_year_name(school)
    chi, paper = CHI[3], earlier(live)
    typo = workbook(school, tmp_path, chi, paper, 1, "typo.xlsx", {TOAN: "H", TOAN_SCORE: 6, RESULT: "HT"})
    first = transcribe(school, "VP01", chi, paper, 1, typo, paper_book_ref="Sổ 3/2019")
    assert _stored(school, first.enrolment_id)["subject_level:TOAN"] == "H"

    fixed = workbook(school, tmp_path, chi, paper, 1, "fixed.xlsx", {AWARDS: None})  # Toán T 9, no award
    # the same command again by mistake does not overwrite
    _refused(school, first.enrolment_id, "VP01", chi, paper, 1, fixed, paper_book_ref="Sổ 3/2019",
             match="Thay bản trích lục chưa ký")
    before = counts(school)
    r = transcribe(school, "VP01", chi, paper, 1, fixed, paper_book_ref="", replace=True)  # empty ref: keep it
    assert r.replaced and (r.enrolment_id, r.transcription_id) == (first.enrolment_id, first.transcription_id)
    assert (r.paper_book_ref, r.class_name, r.result, r.year_created, r.class_created) == ("Sổ 3/2019", "1A", "HTXS", False, False)
    now = _stored(school, r.enrolment_id)
    assert (now["subject_level:TOAN"], now["subject_score:TOAN"], now["awards:"]) == ("T", 9, "")
    assert "Toán – Mức: H → T" in r.summary() and "Khen thưởng – Cuối năm: Học sinh Xuất sắc → (trống)" in r.summary()
    after = counts(school)
    # the same year, class, enrolment and transcription row; only audit entries are added
    assert {k: v for k, v in after.items() if k != "audit_log"} == {k: v for k, v in before.items() if k != "audit_log"}
    assert after["audit_log"] > before["audit_log"]
    with school.read() as s:
        assert len(s.execute(select(Transcription)).scalars().all()) == 1
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "record.transcribe")
                          .order_by(AuditEntry.id.desc())).scalars().first()
        changes = json.loads(entry.changes) if isinstance(entry.changes, str) else entry.changes
    assert changes["replaced"] is True and changes["so"] == "Sổ 3/2019"
    assert changes["changes"]["Toán – Mức"] == ["H", "T"] and changes["changes"]["Toán – Điểm KTĐK"] == [6, 9]
    assert changes["changes"]["Khen thưởng – Cuối năm"] == ["Học sinh Xuất sắc", None]
    assert changes["changes"]["Kết quả giáo dục – GVCN xác nhận"] == ["HT", "HTXS"]
    assert "Tiếng Việt – Mức" not in changes["changes"]  # unchanged cells are not listed


def test_from_nothing_replacement_refusals_write_nothing(school: Store, tmp_path: Path) -> None:
    live = directory.current_year_name(school)
    chi, paper = CHI[3], earlier(live)
    good = workbook(school, tmp_path, chi, paper, 1)
    first = transcribe(school, "VP01", chi, paper, 1, good, paper_book_ref="Sổ 3")
    eid = first.enrolment_id
    _refused(school, eid, "VP01", chi, paper, 1, good, paper_book_ref="Sổ 4", replace=True,
             match="đã ghi là «Sổ 3»: ghi một lần")
    _refused(school, eid, "VP01", chi, paper, 1, good, paper_book_ref="Sổ 3", class_name="1B", replace=True,
             match="đã ghi là 1A")
    _refused(school, eid, "VP01", chi, paper, 2, workbook(school, tmp_path, chi, paper, 2, "g2.xlsx"),
             paper_book_ref="Sổ 3", replace=True, match="đã nhập là khối 1")
    # a bad value in the corrected workbook refuses the whole replacement, the old cells stay
    bad = workbook(school, tmp_path, chi, paper, 1, "bad.xlsx", {TOAN: "X", (SHEET_QUALITIES, "Phẩm chất chủ yếu – Yêu nước"): "Đ"})
    _refused(school, eid, "VP01", chi, paper, 1, bad, paper_book_ref="", replace=True, match="cột «Toán – Mức»")
    # a teacher may not replace either
    before = counts(school)
    with pytest.raises(PermissionDenied):
        transcribe(school, "GV1", chi, paper, 1, good, paper_book_ref="", replace=True)
    assert counts(school) == before


def test_demo_replacement_refused_once_the_principal_signed(demo_store: Store, demo_template: Path, tmp_path: Path) -> None:
    store = demo_store
    token: SchoolToken = school_token(demo_template)
    token.attach(store)
    live = directory.current_year_name(store)
    pupil = directory.students(store, "2A")[0]
    pid, paper = pupil.personal_id, earlier(live)
    typo = workbook(store, tmp_path, pid, paper, 1, "typo.xlsx", {TOAN: "H", RESULT: "HT"})
    first = transcribe(store, "VP01", pid, paper, 1, typo, paper_book_ref="HB-12/2024")
    cid = directory.find_class(store, "1A", paper).id
    # on the demo too, unsigned: replaced
    r = transcribe(store, "HT", pid, paper, 1, workbook(store, tmp_path, pid, paper, 1, "ok.xlsx"),
                   paper_book_ref="HB-12/2024", replace=True)
    assert r.replaced and set(r.changed) == {"Toán – Mức: H → T", "Kết quả giáo dục – GVCN xác nhận: HT → HTXS"}
    plan, run = _sign(store, token, "HT", cid)
    assert run is not None and len(run.signed) == 1 and not run.failed
    with store.read() as s:
        rows = s.execute(select(SubjectEvaluation.level).where(SubjectEvaluation.enrolment_id == first.enrolment_id,
                                                               SubjectEvaluation.subject_code == "TOAN")).scalars().all()
    assert rows == ["T"]
    _refused(store, first.enrolment_id, "VP01", pid, paper, 1,
             workbook(store, tmp_path, pid, paper, 1, "late.xlsx", {TOAN: "C"}), paper_book_ref="", replace=True,
             match="đã có chữ ký \\(Hiệu trưởng\\).*đính chính")
