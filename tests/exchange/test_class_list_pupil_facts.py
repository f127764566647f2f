"""Class lists with the optional per-pupil columns (issue 14): read when present, row-named errors, template."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import select

from hocbaso_desktop.exchange.class_list import read_class_list
from hocbaso_desktop.exchange.class_list_template import write_template
from hocbaso_desktop.services import class_import, directory
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.pupil_profile import pupil_profile
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, SubjectEvaluation
from tests.pupil_school import class_list

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Mã học sinh", "Lớp", "Số đăng bộ",
          "Ngày nhập học", "Đối tượng chính sách", "Loại khuyết tật", "Đánh giá theo KHGD cá nhân", "Môn tự chọn", "Miễn môn"]
AN = ["Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "0101234567", "1A", "12/2025", "05/09/2025",
      "Hộ nghèo", "Khuyết tật vận động", "x", "Tiếng Anh", "GDTC"]
BINH = ["Trần Thị Bình", date(2019, 6, 5), "Nữ", "079319000002", "", "1A", "", "", "", "", "", "", ""]
DUNG = ["Phạm Văn Dũng", date(2016, 8, 9), "Nam", "001216000005", "", "4A", "", "", "", "", "không", "TDT", "Khoa học, Tin học"]


def test_new_columns_are_read(tmp_path: Path) -> None:
    cl = read_class_list(class_list(tmp_path, [AN, BINH, DUNG], HEADER), "2025-2026")
    assert cl.ok, [p.message() for p in cl.problems]
    assert [h for _s, h in cl.ignored_columns] == ["STT"]
    an, binh, dung = cl.students()
    assert (an.moet_code, an.register_no, an.enrolled_on, an.policy_group, an.disability, an.not_assessed) == (
        "0101234567", "12/2025", date(2025, 9, 5), "Hộ nghèo", "Khuyết tật vận động", True)
    assert an.optional_subjects == {"NN1"} and an.exempt_subjects == {"GDTC"}
    assert binh.not_assessed is None and binh.optional_subjects is None and binh.exempt_subjects is None
    assert dung.not_assessed is False and dung.optional_subjects == {"TDT"} and dung.exempt_subjects == {"KH", "TIN"}


def test_bad_values_name_the_row(tmp_path: Path) -> None:
    bad_an = AN[:10] + ["có lẽ", "NN1", "Bơi lội"]
    bad_dung = DUNG[:11] + ["NN1", "KH"]  # NN1 is compulsory in grade 4
    chi = ["Lê Thị Chi", date(2018, 2, 1), "Nữ", "031318000004", "", "2A", "", "31/02/2025", "", "", "", "", "Khoa học"]
    cl = read_class_list(class_list(tmp_path, [bad_an, bad_dung, chi], HEADER), "2025-2026")
    msgs = [p.message() for p in cl.errors]
    assert any("dòng 3" in m and "Đánh giá theo KHGD cá nhân" in m and "có lẽ" in m for m in msgs), msgs
    assert any("dòng 3" in m and "Bơi lội" in m for m in msgs), msgs
    assert any("dòng 4" in m and "Môn tự chọn" in m and "bắt buộc ở khối 4" in m for m in msgs), msgs
    assert any("dòng 5" in m and "Miễn môn" in m and "khối 2 không có môn Khoa học" in m for m in msgs), msgs
    assert any("dòng 5" in m and "Ngày nhập học" in m for m in msgs), msgs


def test_import_writes_the_facts_and_audits_them(empty_store: Store, tmp_path: Path) -> None:
    plan = class_import.plan_import(empty_store, class_list(tmp_path, [AN, BINH, DUNG], HEADER))
    assert plan.ok, [p.message() for p in plan.errors]
    class_import.apply_import(empty_store, plan)
    p = pupil_profile(empty_store, AN[3])
    assert (p.moet_code, p.register_no, p.enrolled_on, p.not_assessed) == ("0101234567", "12/2025", date(2025, 9, 5), True)
    assert p.optional_subjects == {"NN1"} and p.exempt_subjects == {"GDTC"}
    with empty_store.read() as s:
        levels = set(s.execute(select(SubjectEvaluation.level).where(SubjectEvaluation.subject_code == "GDTC")).scalars())
    assert levels == {"M"}
    grid = load_grid(empty_store, directory.find_class(empty_store, "1A").id, "CN")
    an = next(r for r in grid.rows if r.personal_id == AN[3])
    assert an.takes("NN1") and an.proposal.result is None  # individual plan
    # the same file again: nothing changes
    again = class_import.plan_import(empty_store, class_list(tmp_path, [AN, BINH, DUNG], HEADER, name="b.xlsx"))
    assert len(again.unchanged) == 3 and not again.updated
    # a later file changes the facts: audited old → new, the exemption's M cleared
    an2 = AN[:10] + ["không", "NN1", ""]
    plan = class_import.plan_import(empty_store, class_list(tmp_path, [an2], HEADER, name="c.xlsx"))
    assert [c.changes for c in plan.updated] == [{"not_assessed": (True, False)}]  # blank Miễn môn keeps what is held
    class_import.apply_import(empty_store, plan)
    with empty_store.read() as s:
        last = json.loads(s.execute(select(AuditEntry.changes).where(AuditEntry.action == "student.update")
                                    .order_by(AuditEntry.id.desc())).scalars().first())
    assert last["not_assessed"] == [True, False]


def test_changing_exemptions_by_import(empty_store: Store, tmp_path: Path) -> None:
    class_import.apply_import(empty_store, class_import.plan_import(empty_store, class_list(tmp_path, [AN], HEADER)))
    changed = AN[:12] + ["AN, MT"]
    plan = class_import.plan_import(empty_store, class_list(tmp_path, [changed], HEADER, name="d.xlsx"))
    assert plan.ok and plan.updated[0].changes == {"exempt_subjects": ("GDTC", "AN,MT")}
    class_import.apply_import(empty_store, plan)
    with empty_store.read() as s:
        got = {(c, lv) for c, lv in s.execute(select(SubjectEvaluation.subject_code, SubjectEvaluation.level))}
    assert got == {("GDTC", None), ("AN", "M"), ("MT", "M")}


def test_exempt_from_an_optional_subject_not_taken_is_refused(empty_store: Store, tmp_path: Path) -> None:
    row = BINH[:12] + ["TDT"]  # Tiếng dân tộc not chosen by Bình nor her class
    plan = class_import.plan_import(empty_store, class_list(tmp_path, [row], HEADER))
    assert not plan.ok
    assert any("dòng 3" in p.message() and "không học môn tự chọn Tiếng dân tộc" in p.message() for p in plan.errors)


def test_old_lists_without_the_columns_keep_working(empty_store: Store, tmp_path: Path) -> None:
    plain = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Lớp"]
    class_import.apply_import(empty_store, class_import.plan_import(empty_store, class_list(tmp_path, [AN], HEADER)))
    plan = class_import.plan_import(empty_store, class_list(tmp_path, [[AN[0], AN[1], AN[2], AN[3], "1A"]], plain, name="e.xlsx"))
    assert plan.ok and len(plan.unchanged) == 1  # nothing erased
    assert pupil_profile(empty_store, AN[3]).exempt_subjects == {"GDTC"}


def test_template_has_the_optional_columns_and_round_trips(empty_store: Store, tmp_path: Path) -> None:
    tpl = write_template(tmp_path / "mau.xlsx", ["1A"], "2025-2026")
    wb = load_workbook(tpl)
    ws = wb["Danh sách"]
    header = [c.value for c in ws[1]]
    for name in ("Số đăng bộ", "Ngày vào trường", "Đối tượng chính sách", "Khuyết tật", "Đánh giá theo KHGD cá nhân",
                 "Môn tự chọn", "Miễn môn", "Mã học sinh"):
        assert name in header
    values = {"Lớp": "1A", "Họ và tên": "Nguyễn Văn An", "Ngày sinh": "04/03/2019", "Giới tính": "Nam",
              "Mã định danh": "001219012345", "Số đăng bộ": "3", "Ngày vào trường": "05/09/2025",
              "Đánh giá theo KHGD cá nhân": "x", "Môn tự chọn": "NN1", "Miễn môn": "NN1"}
    for name, v in values.items():
        ws.cell(row=2, column=header.index(name) + 1, value=v)
    wb.save(tpl)
    plan = class_import.plan_import(empty_store, tpl, "2025-2026")
    assert plan.ok, [p.message() for p in plan.errors]
    class_import.apply_import(empty_store, plan)
    p = pupil_profile(empty_store, "001219012345")
    assert p.register_no == "3" and p.not_assessed and p.optional_subjects == {"NN1"} and p.exempt_subjects == {"NN1"}
