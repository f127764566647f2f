"""Trích lục (issue 17): a paper year entered from the grid workbook, signed by the principal and the
seal, issued with trichluc 1, banded on paper — on a school from nothing and on the demo school; and
every refusal writes nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from hocbaso_desktop.domain.errors import PermissionDenied
from hocbaso_desktop.domain.roles import Actor
from hocbaso_desktop.exchange.grid_layout import SHEET_SUBJECTS, SHEET_SUMMARY
from hocbaso_desktop.exchange.record_xml import validate_record_xml
from hocbaso_desktop.exchange.record_xml_read import parse_record_xml
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name
from hocbaso_desktop.services.transcription import TranscriptionRefused, transcribe, transcription_template
from hocbaso_desktop.signing import ScriptedPinPrompt, TrustStore, verify_record
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import (
    AuditEntry,
    Enrolment,
    Record,
    RecordPaperCopy,
    RecordSignature,
    SchoolClass,
    SchoolYear,
    SubjectEvaluation,
)
from hocbaso_desktop.storage.transcription_models import Transcription
from tests.pupil_school import AN, CHI, DUNG, new_school
from tests.school_token import PIN, SchoolToken, school_token
from tests.transcription_xlsx import fill

TABLES = (SchoolYear, SchoolClass, Enrolment, Transcription, SubjectEvaluation, AuditEntry)


def counts(store: Store) -> dict[str, int]:
    with store.read() as s:
        return {t.__tablename__: s.execute(select(func.count()).select_from(t)).scalar() for t in TABLES}


def workbook(store: Store, tmp_path: Path, pid: str, year: str, grade: int, name: str = "tl.xlsx",
             cells: dict | None = None) -> Path:
    blank = transcription_template(store, "VP01", pid, year, grade, tmp_path / f"blank-{name}", class_name=f"{grade}A")
    return fill(blank, tmp_path / name, pid, grade, cells=cells or {})


def earlier(year: str, n: int = 1) -> str:
    y = int(year[:4]) - n
    return f"{y}-{y + 1}"


def refused(store: Store, *args, match: str, **kw) -> None:
    before = counts(store)
    with pytest.raises(TranscriptionRefused, match=match):
        transcribe(store, *args, **kw)
    assert counts(store) == before  # nothing written, not even an audit entry


# ---- a school from nothing -------------------------------------------------------------------------


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> Store:
    new_school(empty_store, tmp_path)
    return empty_store


def test_from_nothing_transcribes_the_year_before_the_first(school: Store, tmp_path: Path) -> None:
    live = directory.current_year_name(school)
    chi = CHI[3]  # grade 2 in the live year
    paper = earlier(live)
    r = transcribe(school, "VP01", chi, paper, 1, workbook(school, tmp_path, chi, paper, 1), paper_book_ref="Sổ 3/2019")
    assert (r.school_year, r.grade, r.class_name, r.result, r.year_created, r.class_created) == (paper, 1, "1A", "HTXS", True, True)
    assert r.cells > 20 and "Sổ 3/2019" in r.summary()
    # the paper year is no live year: not in the selector, not the default, reachable by its name
    assert directory.years(school) == [live] and directory.transcribed_years(school) == [paper]
    assert directory.current_year_name(school) == live
    assert [c.name for c in directory.classes(school)] == sorted(c.name for c in directory.classes(school, live))
    assert directory.find_class(school, "1A", paper).grade == 1
    with school.read() as s:
        t = s.execute(select(Transcription)).scalars().one()
        assert (t.paper_book_ref, t.entered_by) == ("Sổ 3/2019", "VP01")
        assert s.execute(select(AuditEntry.action).order_by(AuditEntry.id.desc())).scalars().first() == "record.transcribe"
    from hocbaso_desktop.services.records import load_record_data

    data = load_record_data(school, r.enrolment_id)
    assert data.transcribed and data.paper_book_ref == "Sổ 3/2019" and data.homeroom_teacher is None
    assert [h.school_year for h in data.history] == [paper]
    # a second paper year, two before, grade 1 again is a repeat: allowed; grade 2 then grade 1 is not
    dung = DUNG[3]  # grade 4 in the live year
    transcribe(school, "HT", dung, earlier(live), 3, workbook(school, tmp_path, dung, earlier(live), 3, "d3.xlsx"),
               paper_book_ref="")
    refused(school, "VP01", dung, earlier(live, 2), 4, workbook(school, tmp_path, dung, earlier(live, 2), 4, "d4.xlsx"),
            paper_book_ref="x", match="khối 4 năm học .* không khớp với lớp 3A")


def test_from_nothing_refusals_write_nothing(school: Store, tmp_path: Path) -> None:
    live = directory.current_year_name(school)
    paper = earlier(live)
    an, chi = AN[3], CHI[3]
    good = workbook(school, tmp_path, chi, paper, 1)
    # the workbook is for another grade / another year / another pupil
    refused(school, "VP01", chi, paper, 2, good, paper_book_ref="x", match="bảng của khối 1")
    refused(school, "VP01", chi, earlier(live, 2), 1, good, paper_book_ref="x", match=f"không phải năm học {earlier(live, 2)}")
    refused(school, "VP01", an, paper, 1, good, paper_book_ref="x", match="không có dòng nào của học sinh Nguyễn Văn An")
    # a grade the pupil was demonstrably not in: grade 1 now, so not grade 2 the year before
    refused(school, "VP01", an, paper, 2, workbook(school, tmp_path, an, paper, 2, "an2.xlsx"), paper_book_ref="x",
            match="khối 2 năm học .* không khớp với lớp 1A năm học")
    # not a paper year: the live year itself, or a later one
    refused(school, "VP01", chi, live, 1, workbook(school, tmp_path, chi, live, 1, "live.xlsx"), paper_book_ref="x",
            match="không trước năm học đầu tiên")
    # an invalid TT27 value names its cell; a result unlike the proposal needs its reason
    bad = workbook(school, tmp_path, chi, paper, 1, "bad.xlsx", {(SHEET_SUBJECTS, "Toán – Mức"): "X"})
    refused(school, "VP01", chi, paper, 1, bad, paper_book_ref="x", match="Trang «Môn học», dòng 4, cột «Toán – Mức»")
    cht = workbook(school, tmp_path, chi, paper, 1, "cht.xlsx", {(SHEET_SUMMARY, "Kết quả giáo dục – GVCN xác nhận"): "HT"})
    refused(school, "VP01", chi, paper, 1, cht, paper_book_ref="x", match="cần ghi lý do")
    # a book reference with a hidden character
    with pytest.raises(Exception, match="Số/ký hiệu sổ"):
        transcribe(school, "VP01", chi, paper, 1, good, paper_book_ref="Sổ\u202e1")
    # a teacher may not transcribe, not even her own pupil's earlier year; nothing written
    before = counts(school)
    for code in ("GV1", "GV3"):
        with pytest.raises(PermissionDenied, match="nhập trích lục từ học bạ giấy"):
            transcribe(school, code, chi, paper, 1, good, paper_book_ref="x")
    assert counts(school) == before
    # done once, the year exists: a second transcription of it is refused
    transcribe(school, "VP01", chi, paper, 1, good, paper_book_ref="x")
    refused(school, "VP01", chi, paper, 1, good, paper_book_ref="x", match="học sinh đã có \\(trích lục")


def test_database_keeps_the_paper_year_apart(school: Store, tmp_path: Path) -> None:
    """Triggers: a year's kind never changes, a transcription is never edited or removed, and no
    transcription row names a live year's enrolment — for anyone with sqlite3."""
    live = directory.current_year_name(school)
    chi = CHI[3]
    r = transcribe(school, "VP01", chi, earlier(live), 1, workbook(school, tmp_path, chi, earlier(live), 1), paper_book_ref="S1")
    import sqlalchemy.exc

    for stmt in (update(SchoolYear).where(SchoolYear.name == earlier(live)).values(kind="live"),
                 update(SchoolYear).where(SchoolYear.name == live).values(kind="transcribed"),
                 update(Transcription).values(paper_book_ref="forged")):
        with pytest.raises(sqlalchemy.exc.DatabaseError):
            with school.transaction("system") as tx:
                tx.session.execute(stmt)
    with school.read() as s:
        live_enrolment = s.execute(select(Enrolment.id).join(SchoolYear, SchoolYear.id == Enrolment.year_id)
                                   .where(SchoolYear.name == live)).scalars().first()
    with pytest.raises(sqlalchemy.exc.DatabaseError):
        with school.transaction("system") as tx:
            tx.session.add(Transcription(enrolment_id=live_enrolment, paper_book_ref="x", entered_by="VP01",
                                         entered_at=__import__("datetime").datetime.now()))
    with school.read() as s:
        assert s.get(Transcription, r.transcription_id).paper_book_ref == "S1"


# ---- the demo school: transcribe, sign principal + seal, issue ---------------------------------------


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


def _sign(store: Store, token: SchoolToken, code: str, class_id: int, *, seal: bool = False, role: str | None = None):
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [class_id], role, seal=seal)
    if not plan.items:
        return plan, None
    choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN))
    list(run)
    return plan, run


def test_demo_transcription_signed_by_principal_and_seal(demo_store: Store, token: SchoolToken, tmp_path: Path) -> None:
    store = demo_store
    token.attach(store)
    live = directory.current_year_name(store)
    pupil = directory.students(store, "2A")[0]
    paper = earlier(live)
    r = transcribe(store, "VP01", pupil.personal_id, paper, 1, workbook(store, tmp_path, pupil.personal_id, paper, 1),
                   paper_book_ref="HB-12/2024")
    cid = directory.find_class(store, "1A", paper).id
    assert directory.years(store) == [live]

    # no teacher signs a trích lục: the GVCN role is skipped even for a teacher made GVCN of the paper class
    with store.transaction("system") as tx:
        gv = tx.session.execute(select(SchoolClass.homeroom_id).join(SchoolYear).where(
            SchoolYear.name == live, SchoolClass.name == "2A")).scalar()
        tx.session.execute(update(SchoolClass).where(SchoolClass.id == cid).values(homeroom_id=gv))
    gv_code = next(s.code for s in directory.staff(store) if s.full_name == directory.find_class(store, "2A").homeroom_name)
    plan = plan_signing(store, directory.actor(store, gv_code, paper), [cid], "gvcn")
    assert not plan.items and [n.kind for n in plan.skipped] == ["order"] and "trích lục" in plan.skipped[0].reason
    # the seal waits for the principal
    plan, run = _sign(store, token, "VP01", cid, seal=True)
    assert run is None and plan.skipped[0].reason == "Hiệu trưởng chưa ký"

    plan, run = _sign(store, token, "HT", cid)
    assert plan.role == "principal" and len(run.signed) == 1 and not run.failed
    plan, run = _sign(store, token, "VP01", cid, seal=True)
    assert len(run.signed) == 1 and run.signed[0].issued
    with store.read() as s:
        rec = s.execute(select(Record).where(Record.enrolment_id == r.enrolment_id)).scalars().one()
        roles = list(s.execute(select(RecordSignature.role).where(RecordSignature.record_id == rec.id)
                               .order_by(RecordSignature.seq)).scalars())
        xml, pdf, status = rec.signed_xml, s.get(RecordPaperCopy, rec.id).pdf, rec.status
    assert status == "issued" and roles == ["principal", "seal"]
    assert b"<trichluc>1</trichluc>" in xml and b"<sotrichluc>HB-12/2024</sotrichluc>" in xml
    assert validate_record_xml(xml) == []
    data = parse_record_xml(xml)
    assert data.transcribed and data.paper_book_ref == "HB-12/2024" and data.school_year == paper and data.grade == 1
    trust = TrustStore.from_dirs(token.trust_dir)
    report = verify_record(xml, trust)
    assert report.ok, report.lines()
    # the flag is signed: a trích lục passed off as an original (or the book changed) breaks the signatures
    for forged in (xml.replace(b"<trichluc>1</trichluc>", b"<trichluc>0</trichluc>"),
                   xml.replace(b"HB-12/2024", b"HB-99/2024")):
        assert not verify_record(forged, trust).ok
    # the stored paper copy says so on every page, and its title
    out = tmp_path / "tl.pdf"
    out.write_bytes(pdf)
    pages = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 5 and all("TRÍCH LỤC TỪ HỌC BẠ GIẤY — Sổ: HB-12/2024" in p for p in pages)
    assert "TRÍCH LỤC HỌC BẠ" in pages[0]


def test_demo_teacher_refused_and_live_pupil_year_refused(demo_store: Store, tmp_path: Path) -> None:
    store = demo_store
    live = directory.current_year_name(store)
    pupil = directory.students(store, "3A")[0]
    good = workbook(store, tmp_path, pupil.personal_id, earlier(live), 2)
    teacher = directory.find_class(store, "3A").homeroom_code
    before = counts(store)
    with pytest.raises(PermissionDenied):
        transcribe(store, teacher, pupil.personal_id, earlier(live), 2, good, paper_book_ref="x")
    with pytest.raises(PermissionDenied):
        transcription_template(store, teacher, pupil.personal_id, earlier(live), 2, tmp_path / "t.xlsx")
    assert counts(store) == before
    # the demo year is live: it is never a paper year
    refused(store, "VP01", pupil.personal_id, live, 3, workbook(store, tmp_path, pupil.personal_id, live, 3, "l.xlsx"),
            paper_book_ref="x", match="năm học trường dùng học bạ số")
    assert isinstance(directory.actor(store, "VP01"), Actor)


def test_no_class_list_goes_into_a_paper_year(school: Store, tmp_path: Path) -> None:
    from hocbaso_desktop.domain.errors import RecordLocked
    from hocbaso_desktop.services import class_import
    from tests.pupil_school import class_list

    live = directory.current_year_name(school)
    chi = CHI[3]
    transcribe(school, "VP01", chi, earlier(live), 1, workbook(school, tmp_path, chi, earlier(live), 1), paper_book_ref="S")
    before = counts(school)
    with pytest.raises(RecordLocked, match="năm học trên giấy"):
        class_import.plan_import(school, class_list(tmp_path, [AN], name="cu.xlsx"), year=earlier(live))
    assert counts(school) == before


def test_policy_refuses_a_teacher_signature_on_a_transcription() -> None:
    """However the signatures got there: a trích lục with a GVCN signature breaks the policy, and the
    same chain on a record made here does not (the trichluc flag decides which rules apply)."""
    from lxml import etree

    from hocbaso_desktop.exchange.record_xml import build_record_xml
    from hocbaso_desktop.signing.policy import DEFAULT_POLICY, SignedBy, check_policy
    from hocbaso_desktop.signing.record_shape import CONTENT_TAG
    from tests.exchange.records import make_record

    sigs = [SignedBy("s1", "gvcn", None), SignedBy("s2", "principal", None, ("s1",)),
            SignedBy("s3", "seal", None, ("s1", "s2"))]
    order = lambda problems: [p for p in problems if "thứ tự" in p or "thiếu chữ ký" in p]  # noqa: E731
    for transcribed, bad in ((True, True), (False, False)):
        root = etree.fromstring(build_record_xml(make_record(2, transcribed=transcribed, paper_book_ref="S")))
        problems = check_policy(DEFAULT_POLICY, root.find(CONTENT_TAG), sigs)
        assert bool(order(problems)) is bad, problems
    root = etree.fromstring(build_record_xml(make_record(2, transcribed=True, homeroom_teacher=None)))
    assert not order(check_policy(DEFAULT_POLICY, root.find(CONTENT_TAG), [SignedBy("s2", "principal", None), SignedBy("s3", "seal", None, ("s2",))]))
