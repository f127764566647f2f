"""The offline-entry workbook and the class summary table: structure, read-back, hostile files."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from hocbaso_desktop.domain.errors import InputFileError
from hocbaso_desktop.exchange.class_summary import summary_columns
from hocbaso_desktop.exchange.grid_layout import SHEET_QUALITIES, SHEET_SUBJECTS, SHEET_SUMMARY, grid_layout
from hocbaso_desktop.exchange.grid_workbook import META_SHEET, read_grid_workbook
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.class_summary import export_class_summary
from hocbaso_desktop.services.grid import class_results, load_grid
from hocbaso_desktop.services.grid_excel import cell_value, export_grid
from hocbaso_desktop.storage.models import Enrolment, QualityEvaluation, SubjectEvaluation
from tests.grid_xlsx import headers
from tests.tools import require_tool


def _scored(grade: int, period: str) -> list[str]:
    return [c.code for lay in grid_layout(grade, frozenset(), period) for c in lay.columns if c.kind == "subject_score"]


def test_score_columns_follow_the_catalogue() -> None:
    # TT27 Điều 7 / paper-form.md §5.3: which subjects carry Điểm KTĐK per grade and period.
    assert _scored(3, "GK1") == [] and _scored(1, "GK2") == []
    assert _scored(5, "GK1") == ["TV", "TOAN"] == _scored(4, "GK2")
    assert _scored(1, "CK1") == ["TV", "TOAN"]
    assert _scored(3, "CN") == ["TV", "TOAN", "NN1", "TIN", "CN"]
    assert _scored(5, "CN") == ["TV", "TOAN", "NN1", "LSDL", "KH", "TIN", "CN"]
    summary_keys = [c.key for c in grid_layout(5, frozenset(), "CN")[2].columns]
    assert "confirmed:" in summary_keys and "reason:" in summary_keys and "awards:" in summary_keys
    assert "confirmed:" not in [c.key for c in grid_layout(5, frozenset(), "CK1")[2].columns]


@pytest.fixture
def exported(demo_store, tmp_path: Path) -> Path:
    c = directory.find_class(demo_store, "5A")
    return export_grid(demo_store, c.id, "CN", tmp_path / "5A-CN.xlsx").path


def test_workbook_structure(exported: Path, demo_store) -> None:
    wb = load_workbook(exported)
    assert wb.sheetnames[:3] == [SHEET_SUBJECTS, SHEET_QUALITIES, SHEET_SUMMARY]
    hidden = [ws for ws in wb.worksheets if ws.sheet_state != "visible"]
    assert {ws.title for ws in hidden} == {META_SHEET, "_goc1", "_goc2", "_goc3"}
    assert all(ws.sheet_state == "veryHidden" and ws.protection.sheet for ws in hidden)
    assert wb.security.lockStructure
    meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(values_only=True) if r[0] != "sheet"}
    assert meta["format"] == "hocbaso-grid" and meta["version"] == 1 and meta["class_name"] == "5A"
    assert meta["period"] == "CN" and meta["year"] == "2025-2026" and meta["grade"] == 5

    ws = wb[SHEET_SUBJECTS]
    assert ws.protection.sheet and ws.freeze_panes == "D4"
    h = headers(ws)
    assert ws["A1"].value == "Lớp 5A — Cuối năm học — Năm học 2025-2026 — Môn học"
    for name in ("STT", "Mã định danh", "Họ và tên", "Tiếng Việt – Mức", "Tiếng Việt – Điểm KTĐK", "Lịch sử và Địa lí – Nhận xét",
                 "Đạo đức – Mức", "Mĩ thuật – Nhận xét"):
        assert name in h, name
    assert "Đạo đức – Điểm KTĐK" not in h
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A2:A3", "B2:B3", "C2:C3", "D2:F2"} <= merged  # identity over two rows; Tiếng Việt over 3 leaves
    n = len(directory.students(demo_store, "5A"))
    last = 3 + n
    assert ws.cell(4, h["Mã định danh"]).protection.locked and ws.cell(4, h["Họ và tên"]).protection.locked
    assert not ws.cell(4, h["Toán – Mức"]).protection.locked and not ws.cell(last, h["Toán – Nhận xét"]).protection.locked
    assert ws.cell(4, h["Mã định danh"]).number_format == "@"
    assert ws.column_dimensions["C"].width >= 25 and ws.column_dimensions["F"].width >= 25

    rules = {dv.formula1: dv for dv in ws.data_validations.dataValidation}
    assert '"T,H,C,M"' in rules
    scores = next(dv for dv in ws.data_validations.dataValidation if dv.type == "whole")
    assert (scores.operator, scores.formula1, scores.formula2) == ("between", "1", "10")
    score_letters = {str(r).split(":")[0].rstrip("0123456789") for r in scores.sqref.ranges}
    assert len(score_letters) == 7  # the seven tested subjects of grade 5 at the end of the year
    assert all(str(r).endswith(str(last)) for r in scores.sqref.ranges)

    q = wb[SHEET_QUALITIES]
    qh = headers(q)
    assert "Phẩm chất chủ yếu – Yêu nước" in qh and "Năng lực đặc thù – Nhận xét NL đặc thù" in qh
    assert '"T,Đ,C"' in {dv.formula1 for dv in q.data_validations.dataValidation}
    s = wb[SHEET_SUMMARY]
    sh = headers(s)
    assert s.cell(4, sh["Kết quả giáo dục – Đề xuất (TT27)"]).protection.locked
    assert not s.cell(4, sh["Kết quả giáo dục – GVCN xác nhận"]).protection.locked
    assert '"HTXS,HTT,HT,CHT"' in {dv.formula1 for dv in s.data_validations.dataValidation}


def test_read_back_gives_what_was_exported(exported: Path, demo_store) -> None:
    parsed = read_grid_workbook(exported)
    c = directory.find_class(demo_store, "5A")
    assert (parsed.meta.class_id, parsed.meta.period, parsed.meta.grade) == (c.id, "CN", 5)
    grid = load_grid(demo_store, c.id, "CN")
    by_pid = {r.personal_id: r for r in grid.rows}
    assert len(parsed.rows) == 3 * len(grid.rows)
    for row in parsed.rows:
        g = by_pid[row.personal_id]
        assert row.full_name == g.full_name and row.original == row.values
        for key, value in row.values.items():
            want = cell_value(g, key)
            assert (value if value is not None else "") == (want if want is not None else ""), (row.sheet, key)


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("kind", ["missing", "empty", "csv", "encrypted", "truncated", "other_zip", "foreign_xlsx",
                                  "newer_version", "moved_column", "no_twin"])
def test_hostile_or_foreign_files_are_refused_in_vietnamese(kind: str, exported: Path, tmp_path: Path) -> None:
    p = tmp_path / f"{kind}.xlsx"
    if kind == "empty":
        p.write_bytes(b"")
    elif kind == "csv":
        p.write_text("STT,Mã định danh,Họ và tên\n1,001,An\n", encoding="utf-8")
    elif kind == "encrypted":
        p.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 600)
    elif kind == "truncated":
        p.write_bytes(exported.read_bytes()[:3000])
    elif kind == "other_zip":
        _zip(p, {"hello.txt": b"xin chao"})
    elif kind == "foreign_xlsx":
        wb = Workbook()
        wb.active.append(["STT", "Họ và tên"])
        wb.save(p)
    elif kind in ("newer_version", "moved_column", "no_twin"):
        wb = load_workbook(exported)
        if kind == "newer_version":
            wb[META_SHEET]["B2"] = 99
        elif kind == "moved_column":
            wb[SHEET_SUBJECTS]["D3"] = "Điểm"
        else:
            del wb["_goc2"]
        wb.save(p)
    with pytest.raises(InputFileError) as err:
        read_grid_workbook(p)
    msg = err.value.message
    assert err.value.exit_code == 2 and p.name in msg
    expected = {"missing": "Không tìm thấy", "empty": "rỗng", "csv": "không phải tệp Excel", "encrypted": "mật khẩu",
                "truncated": "hỏng", "other_zip": "không phải bảng tính", "foreign_xlsx": "không phải bảng nhập liệu",
                "newer_version": "mới hơn", "moved_column": "dòng tiêu đề", "no_twin": "thiếu trang"}
    assert expected[kind] in msg, msg


# --- the class summary table ---------------------------------------------------------------------------
def test_summary_columns_order_and_scores() -> None:
    cols = summary_columns(5, frozenset(), "CN")
    groups = list(dict.fromkeys(c.g1 for c in cols))
    assert groups == ["Thông tin học sinh", "Môn học và hoạt động giáo dục", "Những năng lực cốt lõi", "Những phẩm chất chủ yếu",
                      "Đánh giá kết quả giáo dục", "Khen thưởng", "Hoàn thành chương trình tiểu học", "Ghi chú"]
    assert sum(c.leaf == "Điểm KTĐK" for c in cols) == 7
    assert sum(c.leaf == "Điểm KTĐK" for c in summary_columns(3, frozenset(), "GK1")) == 0
    gk = summary_columns(4, frozenset(), "GK2")
    assert sum(c.leaf == "Điểm KTĐK" for c in gk) == 2 and "Đánh giá kết quả giáo dục" not in {c.g1 for c in gk}
    g1 = summary_columns(1, frozenset(), "CN")
    assert [c.leaf for c in g1 if c.g2 == "Năng lực đặc thù"] == ["Ngôn ngữ", "Tính toán", "Khoa học", "Thẩm mĩ", "Thể chất"]
    assert "Hoàn thành chương trình lớp học" in {c.g1 for c in g1}


def _find(ws, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for c in row:
            if c.value == text:
                return c.row, c.column
    raise KeyError(text)


def test_summary_table_layout_and_counts(demo_store, tmp_path: Path) -> None:
    c = directory.find_class(demo_store, "5A")
    out = export_class_summary(demo_store, c.id, "CN", tmp_path / "tonghop.xlsx")
    wb = load_workbook(out)
    ws = wb.active
    assert ws["A4"].value == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC CUỐI NĂM HỌC"
    assert ws["A5"].value == "Năm học 2025-2026 — Lớp 5A"
    assert ws["A2"].value.startswith("TRƯỜNG ")
    ps = ws.page_setup
    assert ps.orientation == "landscape" and int(ps.paperSize) == 9 and ps.fitToWidth == 1 and ps.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$7:$9"
    merged = {str(r) for r in ws.merged_cells.ranges}
    # Three header rows (7-9): groups across, sub-groups, leaves; single leaves merged down over rows 8-9.
    assert "A7:E7" in merged and "A8:A9" in merged and "F8:G8" in merged
    r_nl, c_nl = _find(ws, "Những năng lực cốt lõi")
    r_pc, c_pc = _find(ws, "Những phẩm chất chủ yếu")
    assert r_nl == r_pc == 7 and c_nl < c_pc  # năng lực before phẩm chất in this table (§5.2)
    assert _find(ws, "Năng lực chung")[0] == 8 and _find(ws, "Tự chủ và tự học")[0] == 9
    note = _find(ws, "Ghi chú")
    assert f"{ws.cell(*note).coordinate}:{ws.cell(note[0] + 2, note[1]).coordinate}" in merged
    for text in ("GIÁO VIÊN CHỦ NHIỆM", "HIỆU TRƯỞNG", c.homeroom_name, "Đỗ Thị Thanh Hương"):
        _find(ws, text)

    # Every count row agrees with counts made directly in the database.
    col: dict[tuple[str, str], int] = {}
    top = sub = None
    for ci in range(1, ws.max_column + 1):  # fill merged headers forward: (group or sub-group, leaf) → column
        t, s2, leaf = (ws.cell(r, ci).value for r in (7, 8, 9))
        if t is not None:
            top, sub = t, None
        if leaf is None:
            col[(top, s2)] = ci
        else:
            sub = s2 if s2 is not None else sub
            col[(sub, leaf)] = ci
    n = len(directory.students(demo_store, "5A"))
    first = 10
    t_row = first + n
    assert ws.cell(t_row, 1).value.startswith("Cộng mức T")
    with demo_store.read() as s:
        def subj(code: str, level: str) -> int:
            return s.execute(select(func.count()).select_from(SubjectEvaluation).join(Enrolment)
                             .where(Enrolment.class_id == c.id, Enrolment.status == "active", SubjectEvaluation.period == "CN",
                                    SubjectEvaluation.subject_code == code, SubjectEvaluation.level == level)).scalar()

        def qual(code: str, level: str) -> int:
            return s.execute(select(func.count()).select_from(QualityEvaluation).join(Enrolment)
                             .where(Enrolment.class_id == c.id, Enrolment.status == "active", QualityEvaluation.period == "CN",
                                    QualityEvaluation.quality_code == code, QualityEvaluation.level == level)).scalar()

        for i, (sl, ql) in enumerate((("T", "T"), ("H", "Đ"), ("C", "C"))):
            assert ws.cell(t_row + i, col[("Toán", "Mức đạt được")]).value == subj("TOAN", sl)
            assert ws.cell(t_row + i, col[("Lịch sử và Địa lí", "Mức đạt được")]).value == subj("LSDL", sl)
            assert ws.cell(t_row + i, col[("Năng lực chung", "Tự chủ và tự học")]).value == qual("TCTH", ql)
            assert ws.cell(t_row + i, col[("Những phẩm chất chủ yếu", "Trách nhiệm")]).value == qual("TNH", ql)
    results = [r.result for r in class_results(demo_store, c.id)]
    for code, name in (("HTXS", "Hoàn thành xuất sắc"), ("HTT", "Hoàn thành tốt"), ("HT", "Hoàn thành"), ("CHT", "Chưa hoàn thành")):
        ci = col[("Đánh giá kết quả giáo dục", name)]
        assert ws.cell(t_row, ci).value == results.count(code)
        assert sum(ws.cell(first + i, ci).value == "x" for i in range(n)) == results.count(code)
    done = col[("Hoàn thành chương trình tiểu học", "Hoàn thành")]
    assert ws.cell(t_row, done).value == sum(r in ("HTXS", "HTT", "HT") for r in results)
    # The score shown is the one in the database, row by row.
    grid = {r.personal_id: r for r in load_grid(demo_store, c.id, "CN").rows}
    for i in range(n):
        pid = ws.cell(first + i, 2).value
        assert ws.cell(first + i, col[("Toán", "Điểm KTĐK")]).value == grid[pid].subjects["TOAN"].score


def test_summary_mid_term_has_no_result_columns(demo_store, tmp_path: Path) -> None:
    c = directory.find_class(demo_store, "3A")
    ws = load_workbook(export_class_summary(demo_store, c.id, "GK1", tmp_path / "gk1.xlsx")).active
    assert ws["A4"].value == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ GIÁO DỤC GIỮA HỌC KÌ I"
    values = {cell.value for row in ws.iter_rows(min_row=7, max_row=9) for cell in row}
    assert "Điểm KTĐK" not in values and "Đánh giá kết quả giáo dục" not in values and "Ghi chú" in values


def test_summary_renders_to_pdf(demo_store, tmp_path: Path) -> None:
    exe = require_tool("soffice")
    c = directory.find_class(demo_store, "5A")
    out = export_class_summary(demo_store, c.id, "CN", tmp_path / "tonghop.xlsx")
    subprocess.run([exe, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)], check=True, timeout=180)
    assert (tmp_path / "tonghop.pdf").stat().st_size > 1000
