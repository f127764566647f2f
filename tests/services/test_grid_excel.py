"""Excel round trip through the one editing path: changed cells only, all or nothing, audited, rights."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from hocbaso_desktop.exchange.grid_layout import SHEET_QUALITIES, SHEET_SUBJECTS, SHEET_SUMMARY
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.demo import create_demo_school
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.grid_excel import WorkbookMismatch, export_grid, import_grid
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry
from tests.grid_xlsx import edit, headers, row_of


def _audit(store: Store) -> list[tuple[int, str, str]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(select(AuditEntry.id, AuditEntry.hash, AuditEntry.actor).order_by(AuditEntry.id))]


def _snapshot(store: Store, class_id: int, period: str):
    return load_grid(store, class_id, period).rows


@pytest.fixture
def cls(demo_store):
    return directory.find_class(demo_store, "5A")


@pytest.fixture
def exported(demo_store, cls, tmp_path: Path) -> Path:
    return export_grid(demo_store, cls.id, "CN", tmp_path / "5A.xlsx").path


def _pupils(store: Store, cls) -> list:
    return list(load_grid(store, cls.id, "CN").rows)


def _other(level: str | None, choices: str) -> str:
    return next(x for x in choices if x != level)


def test_round_trip_writes_exactly_the_edited_cells_and_audits_them(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    rows = _pupils(demo_store, cls)
    a, b, c = rows[0], rows[1], rows[2]
    new_toan = _other(a.subjects["TOAN"].level, "THC")
    new_score = 10 if a.subjects["TV"].score != 10 else 9
    new_q = _other(b.qualities["TNH"].level, "TĐC")
    changes = [
        (SHEET_SUBJECTS, a.personal_id, "Toán – Mức", new_toan.lower()),  # lowercase accepted, like the grid
        (SHEET_SUBJECTS, a.personal_id, "Tiếng Việt – Điểm KTĐK", new_score),
        (SHEET_SUBJECTS, b.personal_id, "Khoa học – Nhận xét", "Ham tìm hiểu, thí nghiệm cẩn thận."),
        (SHEET_QUALITIES, b.personal_id, "Phẩm chất chủ yếu – Trách nhiệm", new_q),
        (SHEET_QUALITIES, c.personal_id, "Năng lực chung – Nhận xét NL chung", "Biết hợp tác với bạn."),
        (SHEET_SUMMARY, c.personal_id, "Số ngày nghỉ – Có phép", 3),
        (SHEET_SUMMARY, c.personal_id, "Khen thưởng – Đột xuất", "Giải Nhì vẽ tranh cấp phường"),
    ]
    edited = edit(exported, tmp_path / "edited.xlsx", changes)
    before = _audit(demo_store)
    actor = directory.actor(demo_store, "GV009")  # GVCN 5A, teaches TV, Toán, Khoa học…

    dry = import_grid(demo_store, actor, tmp_path / "edited.xlsx", dry_run=True)
    assert dry.ok and not dry.written and len(dry.accepted) == len(changes)
    assert _audit(demo_store) == before and _snapshot(demo_store, cls.id, "CN") == tuple(rows)

    report = import_grid(demo_store, actor, tmp_path / "edited.xlsx")
    assert report.ok and report.written and len(report.accepted) == len(changes), report.problem_lines()
    assert {(ch.sheet, ch.excel_row) for ch in report.accepted} == {(s, edited[(s, p, h)]) for s, p, h, _ in changes}
    after = {r.personal_id: r for r in _pupils(demo_store, cls)}
    assert after[a.personal_id].subjects["TOAN"].level == new_toan
    assert after[a.personal_id].subjects["TV"].score == new_score
    assert after[b.personal_id].subjects["KH"].comment == "Ham tìm hiểu, thí nghiệm cẩn thận."
    assert after[b.personal_id].qualities["TNH"].level == new_q
    assert after[c.personal_id].summary.comment_nlc == "Biết hợp tác với bạn."
    assert after[c.personal_id].summary.days_excused == 3
    assert after[c.personal_id].year.adhoc_awards == "Giải Nhì vẽ tranh cấp phường"
    # Every other student is untouched.
    for r in rows[3:]:
        assert after[r.personal_id] == r
    new = _audit(demo_store)[len(before):]
    assert len(new) == len(changes) and {e[2] for e in new} == {"GV009"}
    assert demo_store.verify_audit().ok

    # The same file again changes nothing: its cells equal the export... and the program now agrees.
    again = import_grid(demo_store, actor, tmp_path / "edited.xlsx")
    assert again.ok and not again.accepted and len(_audit(demo_store)) == len(before) + len(changes)


def test_untouched_export_imports_as_no_change(demo_store, cls, exported: Path) -> None:
    before = _audit(demo_store)
    report = import_grid(demo_store, directory.actor(demo_store, "GV009"), exported)
    assert report.ok and not report.changes and not report.written
    assert "Không có ô nào thay đổi" in report.summary() and _audit(demo_store) == before


def test_invalid_cells_are_all_refused_and_nothing_is_written(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    rows = _pupils(demo_store, cls)
    good = (SHEET_SUBJECTS, rows[0].personal_id, "Toán – Nhận xét", "Một nhận xét hợp lệ")
    bad = [
        (SHEET_SUBJECTS, rows[1].personal_id, "Toán – Điểm KTĐK", 11),
        (SHEET_SUBJECTS, rows[2].personal_id, "Tiếng Việt – Điểm KTĐK", 7.5),
        (SHEET_SUBJECTS, rows[3].personal_id, "Đạo đức – Mức", "Đ"),
        (SHEET_QUALITIES, rows[4].personal_id, "Năng lực đặc thù – Tin học", "H"),
        (SHEET_SUMMARY, rows[5].personal_id, "Số ngày nghỉ – Không phép", -2),
        (SHEET_SUMMARY, rows[6].personal_id, "Kết quả giáo dục – GVCN xác nhận", "XS"),
    ]
    where = edit(exported, tmp_path / "bad.xlsx", [good, *bad])
    # A score typed where the period has no test for the subject: Đạo đức has no Điểm column, so it lands right of the table.
    wb = load_workbook(tmp_path / "bad.xlsx")
    ws = wb[SHEET_SUBJECTS]
    stray_row = row_of(ws, rows[7].personal_id)
    ws.cell(stray_row, ws.max_column + 1).value = 8
    wb.save(tmp_path / "bad.xlsx")

    before, snap = _audit(demo_store), _snapshot(demo_store, cls.id, "CN")
    report = import_grid(demo_store, directory.actor(demo_store, "GV009"), tmp_path / "bad.xlsx")
    assert not report.ok and not report.written
    assert _audit(demo_store) == before and _snapshot(demo_store, cls.id, "CN") == snap  # not even the valid comment
    lines = report.problem_lines()
    assert len(lines) == len(bad) + 1, lines
    for sheet, pid, header, value in bad:
        line = next(x for x in lines if f"dòng {where[(sheet, pid, header)]}," in x and f"«{header}»" in x and sheet in x)
        assert f"«{value}»" in line
    joined = "\n".join(lines)
    assert "điểm phải từ 1 đến 10" in joined and "không có phần thập phân" in joined and "Đ dùng cho phẩm chất" in joined
    assert "phải là HTXS, HTT, HT hoặc CHT" in joined and "số nguyên không âm" in joined
    assert f"dòng {stray_row}," in joined and "ngoài bảng" in joined
    assert "Không ghi gì" in report.summary()


def test_rights_an_english_teacher_cannot_change_maths(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    rows = _pupils(demo_store, cls)
    gv011 = directory.actor(demo_store, "GV011")  # GVBM Ngoại ngữ 1 only
    nn1 = (SHEET_SUBJECTS, rows[0].personal_id, "Ngoại ngữ 1 – Nhận xét", "Phát âm tốt hơn nhiều.")
    toan = (SHEET_SUBJECTS, rows[1].personal_id, "Toán – Nhận xét", "Sửa trộm môn Toán")
    where = edit(exported, tmp_path / "mixed.xlsx", [nn1, toan])
    before = _audit(demo_store)
    report = import_grid(demo_store, gv011, tmp_path / "mixed.xlsx")
    assert not report.written and _audit(demo_store) == before
    [line] = report.problem_lines()
    assert f"dòng {where[toan[:3]]}," in line and "Không có quyền sửa môn Toán" in line

    edit(exported, tmp_path / "nn1.xlsx", [nn1])
    ok = import_grid(demo_store, gv011, tmp_path / "nn1.xlsx")
    assert ok.written and [c.column for c in ok.accepted] == ["Ngoại ngữ 1 – Nhận xét"]
    assert _audit(demo_store)[-1][2] == "GV011"


def test_students_matched_by_personal_id_not_row(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    rows = _pupils(demo_store, cls)
    wb = load_workbook(exported)
    ws = wb[SHEET_SUBJECTS]
    h = headers(ws)
    r0, r1 = row_of(ws, rows[0].personal_id), row_of(ws, rows[1].personal_id)
    # Swap two whole rows (what a sort would do): each change must still reach the right student.
    for col in range(1, ws.max_column + 1):
        a, b = ws.cell(r0, col).value, ws.cell(r1, col).value
        ws.cell(r0, col).value, ws.cell(r1, col).value = b, a
    ws.cell(r0, h["Toán – Nhận xét"]).value = "Nhận xét cho học sinh thứ hai"
    unknown_row = row_of(ws, rows[2].personal_id)
    ws.cell(unknown_row, h["Mã định danh"]).value = "999999999999"
    wb.save(tmp_path / "swapped.xlsx")
    report = import_grid(demo_store, directory.actor(demo_store, "GV009"), tmp_path / "swapped.xlsx")
    [line] = report.problem_lines()
    assert f"dòng {unknown_row}," in line and "«999999999999» không có trong lớp 5A" in line
    fixed = load_workbook(tmp_path / "swapped.xlsx")
    fixed[SHEET_SUBJECTS].cell(unknown_row, h["Mã định danh"]).value = rows[2].personal_id
    fixed.save(tmp_path / "swapped.xlsx")
    report = import_grid(demo_store, directory.actor(demo_store, "GV009"), tmp_path / "swapped.xlsx")
    assert report.written and len(report.accepted) == 1
    after = {r.personal_id: r for r in _pupils(demo_store, cls)}
    assert after[rows[1].personal_id].subjects["TOAN"].comment == "Nhận xét cho học sinh thứ hai"
    assert after[rows[0].personal_id].subjects["TOAN"].comment == rows[0].subjects["TOAN"].comment


def test_program_edits_after_export_are_kept_or_flagged(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    rows = _pupils(demo_store, cls)
    gv009 = directory.actor(demo_store, "GV009")
    a, b = rows[0], rows[1]
    # Meanwhile, in the program: the English teacher rates NN1, the GVCN changes a Toán comment.
    gv011 = directory.actor(demo_store, "GV011")
    assert all(o.ok for o in apply_edits(demo_store, gv011, [CellEdit(a.enrolment_id, "CN", "subject_comment", "NN1", "Mới nhập trong phần mềm")]))
    assert all(o.ok for o in apply_edits(demo_store, gv009, [CellEdit(b.enrolment_id, "CN", "subject_comment", "TOAN", "Sửa trong phần mềm")]))
    edit(exported, tmp_path / "late.xlsx", [(SHEET_SUBJECTS, b.personal_id, "Toán – Nhận xét", "Sửa ở nhà")])
    report = import_grid(demo_store, gv009, tmp_path / "late.xlsx")
    [line] = report.problem_lines()
    assert "đã được sửa trong phần mềm sau khi xuất tệp" in line and "Sửa trong phần mềm" in line
    # The untouched NN1 cell of the file never overwrites what the English teacher entered.
    edit(exported, tmp_path / "other.xlsx", [(SHEET_SUBJECTS, b.personal_id, "Tiếng Việt – Nhận xét", "Đọc tốt")])
    assert import_grid(demo_store, gv009, tmp_path / "other.xlsx").written
    now = {r.personal_id: r for r in _pupils(demo_store, cls)}
    assert now[a.personal_id].subjects["NN1"].comment == "Mới nhập trong phần mềm"
    assert now[b.personal_id].subjects["TOAN"].comment == "Sửa trong phần mềm"


def test_confirmed_result_needs_a_reason_when_it_differs(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    row = next(r for r in _pupils(demo_store, cls) if r.proposal and r.proposal.result == "HT" and r.year.confirmed_result in (None, "HT"))
    gv009 = directory.actor(demo_store, "GV009")
    edit(exported, tmp_path / "r1.xlsx", [(SHEET_SUMMARY, row.personal_id, "Kết quả giáo dục – GVCN xác nhận", "HTT")])
    report = import_grid(demo_store, gv009, tmp_path / "r1.xlsx")
    assert not report.written and "cần ghi lý do" in report.problem_lines()[0]
    edit(tmp_path / "r1.xlsx", tmp_path / "r2.xlsx",
         [(SHEET_SUMMARY, row.personal_id, "Kết quả giáo dục – Lý do (nếu khác đề xuất)", "Tiến bộ vượt bậc môn Toán")])
    assert import_grid(demo_store, gv009, tmp_path / "r2.xlsx").written
    y = {r.personal_id: r for r in _pupils(demo_store, cls)}[row.personal_id].year
    assert (y.confirmed_result, y.change_reason) == ("HTT", "Tiến bộ vượt bậc môn Toán")


def test_wrong_class_period_or_database(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    gv009 = directory.actor(demo_store, "GV009")
    other = directory.find_class(demo_store, "4B")
    with pytest.raises(WorkbookMismatch, match="là của lớp 5A năm học 2025-2026, không phải lớp 4B"):
        import_grid(demo_store, gv009, exported, expect_class_id=other.id)
    with pytest.raises(WorkbookMismatch, match=r"kì Cuối năm học \(CN\), không phải kì GK1"):
        import_grid(demo_store, gv009, exported, expect_period="GK1")
    # A file from another school's database: same class id, other class behind it.
    with Store.open(tmp_path / "other.sqlite3") as s2:
        create_demo_school(s2, seed=7)
        s2.execute_raw(f"UPDATE school_class SET name = 'X' || name WHERE id = {cls.id}")
        with pytest.raises(WorkbookMismatch, match="không khớp với lớp nào"):
            import_grid(s2, directory.actor(s2, "GV009"), exported)


def test_all_or_nothing_keyword_of_apply_edits(demo_store, cls) -> None:
    r = _pupils(demo_store, cls)[0]
    gv009 = directory.actor(demo_store, "GV009")
    edits = [CellEdit(r.enrolment_id, "CN", "subject_comment", "TOAN", "Hợp lệ"),
             CellEdit(r.enrolment_id, "CN", "subject_score", "TOAN", 11)]
    before = _audit(demo_store)
    out = apply_edits(demo_store, gv009, edits, all_or_nothing=True)
    assert [o.ok for o in out] == [True, False] and out[0].new == "Hợp lệ"
    assert _audit(demo_store) == before and _pupils(demo_store, cls)[0] == r
    out = apply_edits(demo_store, gv009, edits)  # default unchanged: valid cells kept
    assert [o.ok for o in out] == [True, False]
    assert _pupils(demo_store, cls)[0].subjects["TOAN"].comment == "Hợp lệ" and len(_audit(demo_store)) == len(before) + 1
    assert demo_store.verify_audit().ok


def test_locked_year_refuses_every_changed_cell(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    rows = _pupils(demo_store, cls)
    edit(exported, tmp_path / "e.xlsx", [(SHEET_SUBJECTS, rows[0].personal_id, "Toán – Nhận xét", "Sau khi khóa")])
    demo_store.execute_raw("UPDATE school_year SET locked = 1")
    report = import_grid(demo_store, directory.actor(demo_store, "GV009"), tmp_path / "e.xlsx")
    assert not report.written and "đã khóa" in report.problem_lines()[0]


def test_every_class_and_period_reads_back_clean(demo_store, tmp_path: Path) -> None:
    # Every class and period exports and reads back clean (catches a layout/reader mismatch anywhere).
    gv = directory.actor(demo_store, "HT")
    with demo_store.read() as s:
        n_audit = s.execute(select(func.count()).select_from(AuditEntry)).scalar()
    for c in directory.classes(demo_store):
        for period in ("GK1", "CK1", "GK2", "CN"):
            p = export_grid(demo_store, c.id, period, tmp_path / f"{c.name}-{period}.xlsx").path
            rep = import_grid(demo_store, gv, p, dry_run=True)
            assert rep.ok and not rep.changes, (c.name, period, rep.problem_lines()[:3])
    with demo_store.read() as s:
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar() == n_audit


def test_a_result_is_judged_on_the_ratings_the_same_workbook_brings(demo_store, cls, exported: Path, tmp_path: Path) -> None:
    """A teacher lowers Toán to C and confirms CHT in one workbook: the proposal the result is checked
    against is the one her new ratings make (CHT), so no reason is asked; claiming HTXS beside a C
    still needs one. Before, the proposal came from the grid as it was before the import."""
    rows = _pupils(demo_store, cls)
    pupil = next(r for r in rows if r.proposal and r.proposal.result in ("HTXS", "HTT", "HT") and not r.not_assessed)
    pid = pupil.personal_id
    ws = load_workbook(exported)[SHEET_SUMMARY]
    assert ws.cell(row_of(ws, pid), headers(ws)["Kết quả giáo dục – GVCN xác nhận"]).value != "CHT"
    changed = tmp_path / "cht.xlsx"
    edit(exported, changed, [(SHEET_SUBJECTS, pid, "Toán – Mức", "C"), (SHEET_SUBJECTS, pid, "Toán – Điểm KTĐK", 3),
                             (SHEET_SUMMARY, pid, "Kết quả giáo dục – GVCN xác nhận", "CHT")])
    report = import_grid(demo_store, directory.actor(demo_store, cls.homeroom_code), changed)
    assert report.written, report.problem_lines()
    after = next(r for r in _pupils(demo_store, cls) if r.personal_id == pid)
    assert after.year.confirmed_result == "CHT" and after.proposal.result == "CHT" and after.year.change_reason == ""

    claim = tmp_path / "claim.xlsx"
    export_grid(demo_store, cls.id, "CN", tmp_path / "again.xlsx")
    edit(tmp_path / "again.xlsx", claim, [(SHEET_SUMMARY, pid, "Kết quả giáo dục – GVCN xác nhận", "HTXS")])
    report = import_grid(demo_store, directory.actor(demo_store, cls.homeroom_code), claim)
    assert not report.written and any("cần ghi lý do" in line for line in report.problem_lines())
