"""The KQHT upload of CSDL ngành (issue 16, csdl-nganh.md §3): layout, values, missing data, overrides.

The expected header of the grades 1-2 year-end template is written out here from csdl-nganh.md's
table, independently of the bundled JSON, so a wrong layout file cannot agree with itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest

from hocbaso_desktop.domain.errors import PermissionDenied
from hocbaso_desktop.domain.kqht_layout import LayoutError, bundled_layouts, find_layout
from hocbaso_desktop.domain.roles import SYSTEM_ACTOR
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.accounts import resolve_cli_actor
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.kqht_export import KqhtIncomplete, build_sheet, export_kqht

SUBJ12 = ["Đạo đức", "Tự nhiên và xã hội", "Ngoại ngữ", "Tiếng dân tộc", "TH-CN (Tin học)", "Nghệ thuật (Âm nhạc)",
          "Nghệ thuật (Mĩ thuật)", "Hoạt động trải nghiệm", "Giáo dục thể chất"]
NLC = ["Tự chủ và tự học", "Giao tiếp và hợp tác", "Giải quyết vấn đề và sáng tạo"]
NLD = ["Ngôn ngữ", "Tính toán", "Khoa học", "Thẩm mĩ", "Thể chất"]
PC = ["Yêu nước", "Nhân ái", "Chăm chỉ", "Trung thực", "Trách nhiệm"]


def _cols(first: str, n: int) -> list[str]:
    from openpyxl.utils import column_index_from_string, get_column_letter

    i = column_index_from_string(first)
    return [get_column_letter(i + k) for k in range(n)]


def expected_header_12_cn() -> tuple[dict[str, str], set[str]]:
    cells: dict[str, str] = {}
    merges: set[str] = set()
    for col, text in zip("ABCDE", ["STT", "Mã lớp", "Mã học sinh", "Họ tên", "Ngày sinh"]):
        cells[f"{col}1"] = text
        merges.add(f"{col}1:{col}3")
    cells["F1"] = "Môn học và hoạt động giáo dục"
    merges.add("F1:R1")
    cells.update({"F2": "Toán", "F3": "Mức đạt được", "G3": "Điểm KTĐK",
                  "H2": "Tiếng việt", "H3": "Mức đạt được", "I3": "Điểm KTĐK"})
    merges |= {"F2:G2", "H2:I2"}
    for col, text in zip(_cols("J", 9), SUBJ12):
        cells[f"{col}2"], cells[f"{col}3"] = text, "Mức đạt được"
    cells["S1"], cells["S2"], cells["V2"] = "Năng lực cốt lõi", "Năng lực chung", "Năng lực đặc thù"
    merges |= {"S1:Z1", "S2:U2", "V2:Z2"}
    for col, text in zip(_cols("S", 8), NLC + NLD):
        cells[f"{col}3"] = text
    cells["AA1"] = "Phẩm chất chủ yếu"
    merges.add("AA1:AE1")
    for col, text in zip(_cols("AA", 5), PC):
        cells[f"{col}2"] = text
        merges.add(f"{col}2:{col}3")
    for col, text in zip(["AF", "AG", "AH"], ["Hoàn thành chương trình lớp học", "Lên lớp", "Xếp loại"]):
        cells[f"{col}1"] = text
        merges.add(f"{col}1:{col}3")
    return cells, merges


@pytest.fixture(autouse=True)
def _no_user_layouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "kqht-user"
    monkeypatch.setenv("HOCBASO_KQHT_DIR", str(d))
    return d


def _values(ws, row: int, n: int = 35) -> list:
    return [ws.cell(row=row, column=c).value for c in range(1, n + 1)]


def test_grades_12_year_end_cell_by_cell(demo_store, tmp_path: Path) -> None:
    out = tmp_path / "kqht-k1-cn.xlsx"
    res = export_kqht(demo_store, SYSTEM_ACTOR, 1, "CN", out)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Sheet1"]
    ws = wb["Sheet1"]
    cells, merges = expected_header_12_cn()
    for r in range(1, 4):
        for c in range(1, 36):
            cell = ws.cell(row=r, column=c)
            assert cell.value == cells.get(cell.coordinate), cell.coordinate
    assert {str(m) for m in ws.merged_cells.ranges} == merges
    layout = res.sheet.layout
    assert [c.col for c in layout.columns][-1] == "AI" and len(layout.columns) == 35 and not layout.assumed

    # pupil rows: the grid's values, in the portal's spelling, class by class
    info = {c.name: c for c in directory.classes(demo_store) if c.grade == 1}
    people = {s.enrolment_id: s for s in directory.students(demo_store)}
    row = 4
    subj = ["TOAN", "TV", "DD", "TNXH", "NN1", "TDT", "TIN", "AN", "MT", "HDTN", "GDTC"]
    qual = ["TCTH", "GTHT", "GQVD", "NNG", "TTO", "KHO", "TMI", "TCH", "YN", "NA", "CC", "TTH", "TNH"]
    for name in sorted(info):
        grid = load_grid(demo_store, info[name].id, "CN")
        for r in grid.rows:
            v = _values(ws, row)
            assert v[0] == row - 3 and v[1] == name and v[3] == r.full_name
            assert v[4] == people[r.enrolment_id].birth_date.strftime("%d/%m/%Y")
            assert isinstance(v[2], str) and len(v[2]) == 10
            levels = {}
            for code, value in zip(subj, [v[5], v[7], *v[9:18]]):
                levels[code] = value
                cell = r.subjects.get(code)
                assert value == (cell.level if cell and r.takes(code) and not r.is_exempt(code) else None), (row, code)
            assert levels["TIN"] is None  # Tin học starts in grade 3: the template's column stays empty
            assert (v[6], v[8]) == (r.subjects["TOAN"].score, r.subjects["TV"].score)
            assert all(isinstance(s, int) and 1 <= s <= 10 for s in (v[6], v[8]))
            assert v[18:31] == [r.qualities[q].level for q in qual]
            result = r.year.confirmed_result or r.proposal.result
            assert v[33] == result and result in ("HTXS", "HTT", "HT", "CHT")
            assert v[31] == ("x" if result != "CHT" else None)
            assert v[32] == ("x" if result != "CHT" or r.year.promoted else None)
            assert v[34] is None
            row += 1
    assert ws.max_row == row - 1 == 3 + res.pupils
    assert all(c.data_type != "f" for line in ws.iter_rows() for c in line)


def test_every_bundled_layout_loads_and_says_which_columns_are_assumed() -> None:
    layouts = {(tuple(sorted(x.grades)), x.period): x for x in bundled_layouts()}
    assert set(layouts) == {(g, p) for g in ((1, 2), (3, 4, 5)) for p in ("GK1", "CK1", "GK2", "CN")}
    for key, layout in layouts.items():
        assert layout.sheet == "Sheet1" and layout.header_rows == 3
        if key == ((1, 2), "CN"):
            assert not layout.assumed
        else:
            assert len(layout.assumed) == len(layout.columns)
        year_end = {c.value for c in layout.columns} & {"completed", "promoted", "result"}
        assert bool(year_end) == (layout.period == "CN")
    k345 = layouts[((3, 4, 5), "CN")]
    scored = [c.code for c in k345.columns if c.value == "subject_score"]
    assert scored == ["TOAN", "TV", "NN1", "LSDL", "KH", "TIN", "CN"]
    assert {"CNG", "THO"} <= {c.code for c in k345.columns if c.value == "quality"}


def test_grade_4_mid_term_scores_only_where_tt27_tests(demo_store, tmp_path: Path) -> None:
    res = export_kqht(demo_store, SYSTEM_ACTOR, 4, "GK1", tmp_path / "k4.xlsx")
    cols = res.sheet.layout.columns
    for values in res.sheet.rows:
        by = {(c.value, c.code): v for c, v in zip(cols, values)}
        assert isinstance(by[("subject_score", "TOAN")], int) and isinstance(by[("subject_score", "TV")], int)
        # Điều 7: grades 4-5 sit Toán and Tiếng Việt tests at mid-term; Khoa học only at CK1 / CN
        assert by[("subject_score", "KH")] is None and by[("subject_score", "LSDL")] is None
        assert by[("subject_level", "TNXH")] is None  # a grade-3 subject


def _break(db: Path, sql: str, *params) -> None:
    con = sqlite3.connect(db)
    con.execute(sql, params)
    con.commit()
    con.close()


def test_missing_data_is_refused_naming_pupil_and_field_and_nothing_is_written(demo_db: Path, tmp_path: Path) -> None:
    from hocbaso_desktop.storage.engine import Store

    with Store.open(demo_db) as store:
        c = next(c for c in directory.classes(store) if c.name == "1A")
        pupil = load_grid(store, c.id, "CN").rows[0]
    # someone with the file: a score deleted, another pupil's level made up, a third's code wiped
    _break(demo_db, "DELETE FROM subject_evaluation WHERE enrolment_id=? AND period='CN' AND subject_code='TOAN'",
           pupil.enrolment_id)
    _break(demo_db, "UPDATE student SET moet_code='' WHERE id=?", pupil.student_id)
    with Store.open(demo_db) as store:
        other = load_grid(store, c.id, "CN").rows[1]
    _break(demo_db, "UPDATE subject_evaluation SET level='X', score=42 WHERE enrolment_id=? AND period='CN' "
           "AND subject_code='TV'", other.enrolment_id)
    out = tmp_path / "k1.xlsx"
    with Store.open(demo_db) as store, pytest.raises(KqhtIncomplete) as e:
        export_kqht(store, SYSTEM_ACTOR, 1, "CN", out)
    assert not out.exists() and not list(tmp_path.glob(".*tmp"))
    text = e.value.message
    assert f"Lớp 1A, {pupil.full_name}: thiếu Mã học sinh, Toán (mức), Điểm KTĐK Toán" in text
    assert f"Lớp 1A, {other.full_name}: giá trị sai Tiếng Việt (mức) «X», Điểm KTĐK Tiếng Việt «42»" in text
    assert len(e.value.missing) == 2

    with Store.open(demo_db) as store:
        res = export_kqht(store, SYSTEM_ACTOR, 1, "CN", out, allow_missing=True)
    ws = openpyxl.load_workbook(out)["Sheet1"]
    rows = {ws.cell(row=r, column=4).value: _values(ws, r) for r in range(4, ws.max_row + 1)}
    assert rows[pupil.full_name][2] is None and rows[pupil.full_name][5] is None and rows[pupil.full_name][6] is None
    assert rows[other.full_name][7] is None and rows[other.full_name][8] is None
    assert len(res.sheet.missing) == 2


def test_a_pupil_named_like_a_formula_is_text(demo_db: Path, tmp_path: Path) -> None:
    from hocbaso_desktop.storage.engine import Store

    _break(demo_db, "UPDATE student SET full_name='=HYPERLINK(\"http://x\",\"An\")' WHERE id=(SELECT min(id) FROM student)")
    with Store.open(demo_db) as store:
        grade = next(c.grade for c in directory.classes(store) for s in directory.students(store, c.name)
                     if s.full_name.startswith("="))
        export_kqht(store, SYSTEM_ACTOR, grade, "CN", tmp_path / "k.xlsx", allow_missing=True)
    ws = openpyxl.load_workbook(tmp_path / "k.xlsx")["Sheet1"]
    cells = [ws.cell(row=r, column=4) for r in range(4, ws.max_row + 1)]
    hostile = [c for c in cells if str(c.value).startswith("=")]
    assert len(hostile) == 1 and hostile[0].data_type == "s"


def test_a_teacher_with_her_own_account_is_refused(demo_store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOCBASO_PASSWORD", raising=False)
    teacher = resolve_cli_actor(demo_store, "GV001")
    with pytest.raises(PermissionDenied, match="đồng bộ lên CSDL ngành"):
        export_kqht(demo_store, teacher, 1, "CN", tmp_path / "k.xlsx")
    assert not (tmp_path / "k.xlsx").exists()


def test_a_school_corrects_a_layout_in_its_folder(demo_store, tmp_path: Path, _no_user_layouts: Path) -> None:
    import json

    from hocbaso_desktop.domain.kqht_layout import bundled_text

    _no_user_layouts.mkdir()
    doc = json.loads(bundled_text("khoi12-CN.json"))
    doc["columns"][3]["header"][0] = "Họ và tên"
    (_no_user_layouts / "khoi12-CN.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    res = export_kqht(demo_store, SYSTEM_ACTOR, 2, "CN", tmp_path / "k2.xlsx")
    assert res.sheet.layout.user_file
    assert openpyxl.load_workbook(tmp_path / "k2.xlsx")["Sheet1"]["D1"].value == "Họ và tên"


@pytest.mark.parametrize("edit, key", [
    (lambda d: d["columns"][5].update(value="subject_levle"), "columns[5].value"),
    (lambda d: d["columns"][5].update(code="TOÁN"), "columns[5].code"),
    (lambda d: d["columns"][7].update(col="F"), "columns[7].col"),
    (lambda d: d["columns"][0].update(header=["STT"]), "columns[0].header"),
    (lambda d: d.update(period="CN2"), "period"),
    (lambda d: d.update(grades=[3]), "grades"),
    (lambda d: d["merges"].append("A1:A9"), "merges[20]"),
    (lambda d: d.pop("sheet"), "sheet"),
])
def test_an_invalid_override_names_the_file_and_the_key(edit, key: str, demo_store, tmp_path: Path,
                                                         _no_user_layouts: Path) -> None:
    import json

    from hocbaso_desktop.domain.kqht_layout import bundled_text

    _no_user_layouts.mkdir()
    doc = json.loads(bundled_text("khoi12-CN.json"))
    edit(doc)
    f = _no_user_layouts / "khoi12-CN.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(LayoutError) as e:
        export_kqht(demo_store, SYSTEM_ACTOR, 1, "CN", tmp_path / "k.xlsx")
    assert str(f) in e.value.message and f"«{key}»" in e.value.message
    assert not (tmp_path / "k.xlsx").exists()


def test_an_override_that_is_not_json_names_the_file(_no_user_layouts: Path) -> None:
    _no_user_layouts.mkdir()
    f = _no_user_layouts / "khoi3-GK1.json"
    f.write_text('{"format": "hocbaso-kqht-layout/1",', encoding="utf-8")
    with pytest.raises(LayoutError, match="không phải JSON hợp lệ") as e:
        find_layout(3, "GK1", _no_user_layouts)
    assert str(f) in e.value.message
    assert find_layout(4, "GK1", _no_user_layouts).path.endswith("khoi345-GK1.json")  # other grades: the bundled file


def test_build_sheet_needs_the_grade_to_exist(empty_store) -> None:
    from hocbaso_desktop.domain.errors import NotFound

    with pytest.raises(NotFound):
        build_sheet(empty_store, 1, "CN")


def test_the_user_guide_names_every_assumed_layout() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "huong-dan" / "kqht-csdl-nganh.md").read_text(encoding="utf-8")
    assert "# Tệp KQHT cho CSDL ngành" in guide
    for layout in bundled_layouts():
        name = layout.path.rsplit("/", 1)[-1]
        assert f"`{name}`" in guide, name
        if layout.assumed:
            first, last = layout.columns[0].col, layout.columns[-1].col
            assert f"{first}-{last}" in guide, name
