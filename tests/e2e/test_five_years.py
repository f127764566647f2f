"""Five school years on one database (issue 17): the demo year, then four rollovers, each year's cohort
class rated, confirmed, signed GVCN → principal → seal and issued; a repeater, the graduates, a pupil
who arrives by transfer in year 3 (with a record issued at her old school and her mid-term ratings)
and one who leaves by transfer in year 4. At the end the cohort's pupils have a five-year book whose
paper copy has one results section per year, and whose grade-5 XML states five history lines."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from hocbaso_desktop.services import directory, promotion
from hocbaso_desktop.services import settings as settings_service
from hocbaso_desktop.services.record_book import book_pdf
from hocbaso_desktop.services.signing_setup import create_school_demo_token
from hocbaso_desktop.services.transfer import export_transfer, import_transfer
from hocbaso_desktop.services.year_rollover import open_year
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Enrolment, Record, SchoolYear, Student
from tests.correction_school import issue_class
from tests.e2e.five_years import fill_final
from tests.school_token import PIN, SchoolToken, school_token
from tests.tools import require_tool
from tests.transfer_schools import copy_db

YEARS = ["2025-2026", "2026-2027", "2027-2028", "2028-2029", "2029-2030"]
NS = "{urn:hocbaso:tieuhoc:1.0}"


def _next(year: str) -> str:
    return YEARS[YEARS.index(year) + 1]


def _enrolled(store: Store, pid: str) -> list[tuple[str, str, str]]:
    """(year, class, status) of every enrolment of the pupil, oldest first."""
    from hocbaso_desktop.storage.models import SchoolClass

    with store.read() as s:
        return [(y, c, st) for y, c, st in s.execute(
            select(SchoolYear.name, SchoolClass.name, Enrolment.status)
            .join(Enrolment, Enrolment.year_id == SchoolYear.id).join(SchoolClass, Enrolment.class_id == SchoolClass.id)
            .join(Student, Enrolment.student_id == Student.id).where(Student.personal_id == pid)
            .order_by(SchoolYear.name))]


def _issued(store: Store, pid: str) -> list[tuple[str, bytes]]:
    with store.read() as s:
        return [(y, x) for y, x in s.execute(
            select(SchoolYear.name, Record.signed_xml).join(SchoolYear, Record.year_id == SchoolYear.id)
            .join(Student, Record.student_id == Student.id)
            .where(Student.personal_id == pid, Record.status == "issued").order_by(SchoolYear.name))]


def _sender_school(demo_template: Path, folder: Path, main_token: SchoolToken) -> tuple[Path, SchoolToken, str]:
    """Another school (a copy of the demo renamed, with its own token and CA) and a pupil of its 1B whose
    identity exists only there."""
    db = copy_db(demo_template, folder / "sender.sqlite3")
    with Store.open(db) as store:
        with store.engine.begin() as c:
            c.exec_driver_sql("UPDATE school SET name = 'Trường Tiểu học Gửi Thử', moet_code = '01000777'")
            sid = c.exec_driver_sql(
                "SELECT e.student_id FROM enrolment e JOIN school_class k ON k.id = e.class_id "
                "JOIN year_result y ON y.enrolment_id = e.id WHERE k.name = '1B' AND y.confirmed_result = 'HT' "
                "ORDER BY e.id LIMIT 1").scalar()
            pid = "001319777001"  # Hà Nội, a girl born 2019
            c.exec_driver_sql("UPDATE student SET personal_id = ?, full_name = 'Trịnh Thu Chuyển' WHERE id = ?", (pid, sid))
        main_token.activate()
        info, _ = create_school_demo_token(store, "system", pin=PIN, home=folder / "sender-token",
                                           label="HOCBASO-SENDER", provider=main_token.provider)
    return db, SchoolToken(main_token.provider, info, folder / "sender-token"), pid


def _trust_also(store: Store, folder: Path) -> None:
    dirs = settings_service.signing_settings(store).trust_dirs
    settings_service.set_many(store, "system", {settings_service.TRUST_DIRS: settings_service.encode_dirs(
        [*map(str, dirs), str(folder)])})


@pytest.mark.slow
def test_five_school_years_on_one_database(demo_template: Path, tmp_path: Path) -> None:
    require_tool("pdftotext")
    token = school_token(demo_template)
    db = copy_db(demo_template, tmp_path / "school.sqlite3")
    sender_db, sender_token, arriving = _sender_school(demo_template, tmp_path, token)

    with Store.open(db) as store:
        token.attach(store)
        _trust_also(store, sender_token.trust_dir)
        cohort = [r.personal_id for r in directory.students(store, "1A", YEARS[0])]
        graduates = [r.personal_id for r in directory.students(store, "5A", YEARS[0])]
        assert len(cohort) > 10 and graduates

        # Year 1 (the demo year): the cohort 1A issued; the other classes are not, so the principal confirms.
        issue_class(store, token, "1A")
        assert {y for y, _x in _issued(store, cohort[0])} == {YEARS[0]}
        plan = open_year(store, "HT", YEARS[1], YEARS[0], copy_assignments=True, confirm_incomplete=True)
        promoted = {r.personal_id for r in plan.promoted}
        assert set(cohort) <= promoted
        grad = {r.personal_id for r in plan.graduated}
        five_a_completed = {pid for pid in graduates if _enrolled(store, pid)[-1][0] == YEARS[0]}
        assert five_a_completed and five_a_completed <= grad | {r.personal_id for r in plan.waiting}
        for pid in graduates:  # a graduate has no enrolment in the new year
            assert _enrolled(store, pid)[-1][0] == YEARS[0]
        assert {r.personal_id for r in directory.students(store, "2A", YEARS[1])} >= set(cohort)

        # Year 2: one cohort pupil is weak, fails, and after the supplementary evaluation stays in grade 2.
        repeater, leaver = cohort[1], cohort[2]
        fill_final(store, "2A", YEARS[1], weak={repeater})
        promotion.decide(store, directory.actor(store, "HT"), repeater, False, "không đạt sau đánh giá bổ sung", YEARS[1])
        issue_class(store, token, "2A")
        plan = open_year(store, "HT", YEARS[2], YEARS[1], copy_assignments=True, confirm_incomplete=True)
        assert repeater in {r.personal_id for r in plan.repeating}
        assert _enrolled(store, repeater)[-1][:2] == (YEARS[2], "2A")

        # Year 3: a pupil arrives from another school with a record issued there and her mid-term ratings.
        with Store.open(sender_db) as sender:
            sender_token.attach(sender)
            open_year(sender, "HT", YEARS[1], YEARS[0], copy_assignments=True, confirm_incomplete=True)
            fill_final(sender, "2B", YEARS[1])
            issue_class(sender, sender_token, "2B")
            open_year(sender, "HT", YEARS[2], YEARS[1], copy_assignments=True, confirm_incomplete=True)
            package = export_transfer(sender, arriving, tmp_path / "transfer", "VP01", sender_token.seal(),
                                      destination="Trường Tiểu học Hoa Sen").path
        token.activate()
        import_transfer(store, package, "3A", "VP01", year=YEARS[2])
        assert _enrolled(store, arriving) == [(YEARS[2], "3A", "active")]
        fill_final(store, "3A", YEARS[2])
        issue_class(store, token, "3A")
        open_year(store, "HT", YEARS[3], YEARS[2], copy_assignments=True, confirm_incomplete=True)

        # Year 4: a cohort pupil leaves by transfer; the rest are issued and move on.
        export_transfer(store, leaver, tmp_path / "out", "VP01", token.seal(), destination="Trường Tiểu học Xa")
        fill_final(store, "4A", YEARS[3])
        issue_class(store, token, "4A")
        plan = open_year(store, "HT", YEARS[4], YEARS[3], copy_assignments=True, confirm_incomplete=True)
        assert leaver in {r.personal_id for r in plan.not_carried}
        assert _enrolled(store, leaver)[-1] == (YEARS[3], "4A", "transferred_out")

        # Year 5: grade 5 issued.
        fill_final(store, "5A", YEARS[4])
        issue_class(store, token, "5A")

        stayed = [pid for pid in cohort if pid not in (repeater, leaver)
                  and [y for y, _c, _s in _enrolled(store, pid)] == YEARS]
        assert len(stayed) >= 10
        pid = stayed[0]
        assert [c for _y, c, _s in _enrolled(store, pid)] == ["1A", "2A", "3A", "4A", "5A"]
        issued = _issued(store, pid)
        assert [y for y, _x in issued] == YEARS
        last = etree.fromstring(issued[-1][1])
        lines = last.findall(f".//{NS}quatrinhhoctap")
        assert len(lines) == 5
        # an earlier year's record states the history up to that year only
        assert len(etree.fromstring(issued[1][1]).findall(f".//{NS}quatrinhhoctap")) == 2

        pdf = tmp_path / "book.pdf"
        pdf.write_bytes(book_pdf(store, pid))
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        for y in YEARS:
            assert text.count(f"Năm học {y}") >= 1, y
        heads = [text.find(f"Năm học {y}") for y in YEARS]
        assert heads == sorted(heads), "years in order"

        # the arriving pupil: her old school's record and years here, history across both schools
        arriving_issued = _issued(store, arriving)
        assert [y for y, _x in arriving_issued] == YEARS[2:]
        # 1B, 2B and (until the transfer) 3B at the old school, then 3A, 4A, 5A here
        hist = etree.fromstring(arriving_issued[-1][1]).findall(f".//{NS}quatrinhhoctap")
        assert len(hist) == 6
        book = tmp_path / "arriving.pdf"
        book.write_bytes(book_pdf(store, arriving))
        btext = subprocess.run(["pdftotext", str(book), "-"], capture_output=True, text=True, check=True).stdout
        assert "Gửi Thử" in btext

