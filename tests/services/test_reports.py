"""Report numbers equal plain SQL counts over the stored evaluations (issue 10), for the demo school:
a class, a grade and the whole school, in several periods; the xlsx carries the same numbers; the PDF
has Vietnamese text and charts."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text

from hocbaso_desktop.services.reports import NOT_SET, build_report
from hocbaso_desktop.storage.engine import Store
from tests.tools import require_tool

SCOPES = [("school", None), ("grade", 3), ("class", "4A")]


@pytest.fixture(scope="module")
def store(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    db = tmp_path_factory.mktemp("reports") / "demo.sqlite3"
    shutil.copyfile(demo_template, db)
    s = Store.open(db)
    yield s
    s.close()


def _where(kind: str, value: object) -> tuple[str, dict]:
    if kind == "grade":
        return "AND c.grade = :v", {"v": value}
    if kind == "class":
        return "AND c.name = :v", {"v": value}
    return "", {}


def _sql(store: Store, sql: str, params: dict) -> list[tuple]:
    with store.engine.connect() as c:
        return [tuple(r) for r in c.execute(text(sql), params)]


BASE = ("FROM enrolment e JOIN school_class c ON c.id = e.class_id JOIN student st ON st.id = e.student_id "
        "WHERE e.status = 'active' {scope}")


def _report(store: Store, period: str, kind: str, value: object):
    return build_report(store, period, class_name=value if kind == "class" else None,
                        grade=value if kind == "grade" else None)


@pytest.mark.parametrize("period", ["GK1", "CK1", "CN"])
@pytest.mark.parametrize("kind,value", SCOPES)
def test_subject_and_quality_counts_equal_sql(store: Store, period: str, kind: str, value: object) -> None:
    scope, params = _where(kind, value)
    params["p"] = period
    r = _report(store, period, kind, value)
    total, female, minority = _sql(store, "SELECT count(*), sum(st.sex = 'Nữ'), sum(st.ethnicity_code NOT IN ('01', '55')) "
                                   + BASE.format(scope=scope), params)[0]
    assert (r.students.total, r.students.female, r.students.minority) == (total, female, minority)
    subj = {(code, lv): (n, f, m) for code, lv, n, f, m in _sql(store,
            "SELECT ev.subject_code, ev.level, count(*), sum(st.sex = 'Nữ'), sum(st.ethnicity_code NOT IN ('01', '55')) "
            + BASE.format(scope=scope).replace("WHERE", "JOIN subject_evaluation ev ON ev.enrolment_id = e.id WHERE")
            + " AND ev.period = :p AND ev.level IS NOT NULL GROUP BY 1, 2", params)}
    seen = {(it.code, lv): (c.total, c.female, c.minority) for it in r.subjects for lv, c in it.by_level.items()
            if lv != NOT_SET and c.total}
    assert seen == subj
    qual = {(code, lv): (n, f, m) for code, lv, n, f, m in _sql(store,
            "SELECT ev.quality_code, ev.level, count(*), sum(st.sex = 'Nữ'), sum(st.ethnicity_code NOT IN ('01', '55')) "
            + BASE.format(scope=scope).replace("WHERE", "JOIN quality_evaluation ev ON ev.enrolment_id = e.id WHERE")
            + " AND ev.period = :p AND ev.level IS NOT NULL GROUP BY 1, 2", params)}
    seen = {(it.code, lv): (c.total, c.female, c.minority) for it in r.qualities for lv, c in it.by_level.items()
            if lv != NOT_SET and c.total}
    assert seen == qual
    for it in r.subjects + r.qualities:  # every student the item applies to is in exactly one column
        assert sum(c.total for c in it.by_level.values()) == it.students.total
        assert abs(sum(c.pct(it.students) for c in it.by_level.values()) - 100) < 0.1


@pytest.mark.parametrize("kind,value", SCOPES)
def test_results_awards_completion_equal_sql(store: Store, kind: str, value: object) -> None:
    scope, params = _where(kind, value)
    r = _report(store, "CN", kind, value)
    yr = BASE.format(scope=scope).replace("WHERE", "JOIN year_result y ON y.enrolment_id = e.id WHERE")
    results = dict(_sql(store, "SELECT y.confirmed_result, count(*) " + yr + " AND y.confirmed_result IS NOT NULL GROUP BY 1", params))
    assert r.results is not None
    assert {lv: c.total for lv, c in r.results.by_level.items() if lv != NOT_SET} == results
    awards = dict(_sql(store, "SELECT y.awards, count(*) " + yr + " AND y.awards <> '' GROUP BY 1", params))
    assert {a: c.total for a, c in r.awards.items()} == awards
    done = _sql(store, "SELECT count(*), sum(st.sex = 'Nữ') " + yr + " AND y.confirmed_result IN ('HTXS', 'HTT', 'HT')", params)[0]
    assert (r.completed_grade.total, r.completed_grade.female) == (done[0], done[1] or 0)
    primary = _sql(store, "SELECT count(*) " + yr + " AND c.grade = 5 AND y.confirmed_result IN ('HTXS', 'HTT', 'HT')", params)[0][0]
    assert r.completed_primary.total == primary
    need = {row[0] for row in _sql(store, "SELECT DISTINCT st.personal_id " + yr + " AND (y.confirmed_result = 'CHT' OR EXISTS ("
            "SELECT 1 FROM subject_evaluation s WHERE s.enrolment_id = e.id AND s.period = 'CN' AND s.level = 'C') OR EXISTS ("
            "SELECT 1 FROM quality_evaluation q WHERE q.enrolment_id = e.id AND q.period = 'CN' AND q.level = 'C'))", params)}
    assert {s.personal_id for s in r.support} == need
    assert sum(c.students.total for c in r.classes) == r.students.total


def test_transferred_out_students_are_not_counted(store: Store) -> None:
    before = build_report(store, "GK1", class_name="1A").students.total
    with store.engine.begin() as c:
        eid = c.exec_driver_sql("SELECT e.id FROM enrolment e JOIN school_class c ON c.id = e.class_id "
                                "WHERE c.name = '1A' LIMIT 1").scalar()
        c.exec_driver_sql("UPDATE enrolment SET status = 'transferred_out' WHERE id = ?", (eid,))
    try:
        assert build_report(store, "GK1", class_name="1A").students.total == before - 1
    finally:
        with store.engine.begin() as c:
            c.exec_driver_sql("UPDATE enrolment SET status = 'active' WHERE id = ?", (eid,))


def test_xlsx_carries_the_same_numbers(store: Store, tmp_path: Path) -> None:
    from hocbaso_desktop.exchange.report_xlsx import write_report_xlsx

    r = build_report(store, "CN", grade=5)
    path = write_report_xlsx(r, tmp_path / "k5.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Môn học", "Phẩm chất, năng lực", "Kết quả cuối năm", "Theo lớp", "HS cần hỗ trợ"]
    ws = wb["Môn học"]
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    assert "D5:G5" in {str(m) for m in ws.merged_cells.ranges}  # "Hoàn thành tốt (T)" over SL, %, Nữ, DTTS
    rows = {row[1]: row for row in ws.iter_rows(min_row=7, values_only=True) if row[1]}
    for it in r.subjects:
        t = it.by_level.get("T")
        assert rows[it.name][2] == it.students.total and rows[it.name][3] == (t.total if t else 0)
        assert rows[it.name][4] == pytest.approx((t.total if t else 0) / it.students.total)
    assert ws["E7"].number_format == "0.00%"
    sup = wb["HS cần hỗ trợ"]
    assert sup.max_row - 5 == max(len(r.support), 1)


def test_pdf_has_vietnamese_text_and_charts(store: Store, tmp_path: Path) -> None:
    from hocbaso_desktop.exchange.report_pdf import write_report_pdf

    require_tool("pdftotext")
    require_tool("pdftoppm")
    pdf = write_report_pdf(build_report(store, "CN"), tmp_path / "truong.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needle in ("Tiếng Việt", "Tự nhiên và Xã hội", "Hoạt động trải nghiệm", "Giải quyết vấn đề và sáng tạo",
                   "Hoàn thành xuất sắc", "Tỉ lệ (%) học sinh theo mức đạt được của từng môn học",
                   "Danh sách học sinh cần hỗ trợ", "dân tộc thiểu số"):
        assert needle in text, needle
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    from PIL import Image

    img = Image.open(png).convert("RGB")
    colours = {img.getpixel((x, y)) for x in range(0, img.width, 2) for y in range(0, img.height, 2)}
    # The bars: the green of T and the blue of H are drawn (a chart, not only text).
    assert any(g > 100 and r < 80 and b < 80 for r, g, b in colours)
    assert any(b > 150 and r < 60 for r, g, b in colours)
