"""plan → apply: empty database, idempotence, updates audited old → new, missing pupils kept, all or nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from hocbaso_desktop.domain.errors import HocbasoError, PermissionDenied
from hocbaso_desktop.domain.roles import Actor
from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list
from hocbaso_desktop.services import class_import, directory
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Enrolment, School, SchoolClass, SchoolYear, Student

HEADER = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Mã định danh", "Dân tộc", "Lớp", "Nơi ở hiện nay"]
AN = ["Nguyễn Văn An", date(2019, 3, 4), "Nam", "001219012345", "Kinh", "1A", "Số 1 Trần Phú"]
BINH = ["Trần Thị Bình", date(2019, 6, 5), "Nữ", "079319000002", "Tày", "1A", "Số 2 Lê Lợi"]
CUONG = ["Lê Văn Cường", date(2017, 1, 9), "Nam", "031217000003", "Kinh", "3B", ""]


def xlsx(tmp_path: Path, rows: list[list], name: str = "ds.xlsx", header: list[str] = HEADER) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH HỌC SINH NĂM HỌC 2025-2026"])
    ws.append(header)
    for i, r in enumerate(rows, start=1):
        ws.append([i, *r])
    p = tmp_path / name
    wb.save(p)
    return p


def counts(store: Store) -> tuple[int, int, int, int, int]:
    with store.read() as s:
        return tuple(s.execute(select(func.count()).select_from(m)).scalar() for m in  # type: ignore[return-value]
                     (Student, Enrolment, SchoolClass, SchoolYear, AuditEntry))


def test_empty_database_gets_year_classes_and_pupils(empty_store: Store, tmp_path: Path) -> None:
    plan = class_import.plan_import(empty_store, xlsx(tmp_path, [AN, BINH, CUONG]))
    assert plan.ok and plan.year == "2025-2026" and not plan.year_exists
    assert plan.classes_to_create == [("1A", 1), ("3B", 3)]
    res = class_import.apply_import(empty_store, plan)
    assert (res.new, res.updated, res.unchanged, res.classes_created, res.year_created) == (3, 0, 0, ("1A", "3B"), True)
    with empty_store.read() as s:
        assert s.execute(select(School)).first() is None  # the school's details come later; that is fine
    rows = directory.students(empty_store, year="2025-2026")
    assert [(r.full_name, r.class_name, r.ethnicity) for r in rows] == [
        ("Nguyễn Văn An", "1A", "Kinh"), ("Trần Thị Bình", "1A", "Tày"), ("Lê Văn Cường", "3B", "Kinh")]
    codes = {r.lookup_code for r in rows}
    assert len(codes) == 3 and all(len(c) == 32 and int(c, 16) >= 0 for c in codes)
    assert empty_store.verify_audit().ok


def test_same_file_twice_changes_nothing(empty_store: Store, tmp_path: Path) -> None:
    f = xlsx(tmp_path, [AN, BINH, CUONG])
    class_import.apply_import(empty_store, class_import.plan_import(empty_store, f))
    before = counts(empty_store)
    res = class_import.apply_import(empty_store, class_import.plan_import(empty_store, f))
    assert (res.new, res.updated, res.unchanged, res.classes_created, res.year_created) == (0, 0, 3, (), False)
    assert counts(empty_store) == before  # not even an audit entry


def test_changes_are_updated_and_audited_old_to_new(empty_store: Store, tmp_path: Path) -> None:
    class_import.apply_import(empty_store, class_import.plan_import(empty_store, xlsx(tmp_path, [AN, BINH])))
    an2 = ["Nguyễn Văn Ân", *AN[1:5], "1B", ""]  # renamed, moved to 1B, address left blank
    plan = class_import.plan_import(empty_store, xlsx(tmp_path, [an2, BINH], "v2.xlsx"))
    (change,) = plan.updated
    assert change.changes == {"full_name": ("Nguyễn Văn An", "Nguyễn Văn Ân"), "class_name": ("1A", "1B")}
    res = class_import.apply_import(empty_store, plan, "GV001")
    assert (res.new, res.updated, res.unchanged, res.classes_created) == (0, 1, 1, ("1B",))
    with empty_store.read() as s:
        st = s.execute(select(Student).where(Student.personal_id == "001219012345")).scalar_one()
        assert st.full_name == "Nguyễn Văn Ân"
        assert st.address == "Số 1 Trần Phú"  # a blank cell never erases
        entry = s.execute(select(AuditEntry).where(AuditEntry.action == "student.update")).scalar_one()
        assert entry.actor == "GV001" and entry.entity_id == str(st.id)
        assert json.loads(entry.changes)["full_name"] == ["Nguyễn Văn An", "Nguyễn Văn Ân"]
        assert json.loads(entry.changes)["class_name"] == ["1A", "1B"]
    assert [r.class_name for r in directory.students(empty_store, "1B")] == ["1B"]
    assert empty_store.verify_audit().ok


def test_pupils_missing_from_the_file_are_listed_not_deleted(empty_store: Store, tmp_path: Path) -> None:
    class_import.apply_import(empty_store, class_import.plan_import(empty_store, xlsx(tmp_path, [AN, BINH, CUONG])))
    plan = class_import.plan_import(empty_store, xlsx(tmp_path, [AN], "only_an.xlsx"))
    # Bình (1A) is missing; Cường (3B) is in a class the file does not cover: not listed.
    assert [(m.full_name, m.class_name) for m in plan.missing] == [("Trần Thị Bình", "1A")]
    res = class_import.apply_import(empty_store, plan)
    assert len(res.missing) == 1 and "không xóa" in res.summary()
    assert len(directory.students(empty_store, year="2025-2026")) == 3


def test_errors_block_and_nothing_is_written(empty_store: Store, tmp_path: Path) -> None:
    bad = ["Phạm Thị Dung", "31/02/2019", "Nữ", "001319000004", "Kinh", "1A", ""]
    plan = class_import.plan_import(empty_store, xlsx(tmp_path, [AN, BINH, bad]))
    assert not plan.ok and [e.row for e in plan.errors] == [5]
    before = counts(empty_store)
    with pytest.raises(HocbasoError):
        class_import.apply_import(empty_store, plan)
    assert counts(empty_store) == before


def test_failure_half_way_rolls_everything_back(empty_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = class_import.plan_import(empty_store, xlsx(tmp_path, [AN, BINH, CUONG]))
    before = counts(empty_store)

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(class_import, "_audit_many", boom)
    with pytest.raises(RuntimeError):
        class_import.apply_import(empty_store, plan)
    assert counts(empty_store) == before
    assert empty_store.verify_audit().ok


def test_apply_recomputes_against_the_database(empty_store: Store, tmp_path: Path) -> None:
    f = xlsx(tmp_path, [AN, BINH])
    plan = class_import.plan_import(empty_store, f)
    class_import.apply_import(empty_store, class_import.plan_import(empty_store, f))  # someone imported meanwhile
    res = class_import.apply_import(empty_store, plan)
    assert (res.new, res.unchanged) == (0, 2)


def test_into_the_demo_school(demo_store: Store, tmp_path: Path) -> None:
    existing = directory.students(demo_store, "1A")[0]
    moved = [existing.full_name, existing.birth_date, existing.sex, existing.personal_id, existing.ethnicity, "1B", ""]
    plan = class_import.plan_import(demo_store, xlsx(tmp_path, [moved, AN]), )
    assert plan.ok and plan.year_exists
    res = class_import.apply_import(demo_store, plan)
    assert (res.new, res.updated, res.classes_created) == (1, 1, ())
    assert existing.personal_id in {r.personal_id for r in directory.students(demo_store, "1B")}
    # 1A and 1B are covered by the file: their other pupils are listed as missing, none deleted
    assert len(res.missing) > 40
    assert demo_store.verify_audit().ok


def test_rights(empty_store: Store, tmp_path: Path) -> None:
    plan = class_import.plan_import(empty_store, xlsx(tmp_path, [AN]))
    with pytest.raises(PermissionDenied):
        class_import.apply_import(empty_store, plan, Actor("GV009", "Giáo viên bộ môn", frozenset({"subject"})))
    res = class_import.apply_import(empty_store, plan, Actor("VP01", "Văn thư", frozenset({"clerk"})))
    assert res.new == 1


def test_progress_is_reported(empty_store: Store, tmp_path: Path) -> None:
    f = tmp_path / "big.xlsx"
    write_sample_class_list(f, 600)
    seen: list[tuple[int, int]] = []
    plan = class_import.plan_import(empty_store, f, progress=lambda d, t, _l: seen.append((d, t)))
    class_import.apply_import(empty_store, plan, progress=lambda d, t, _l: seen.append((d, t)))
    assert len(seen) >= 4 and all(0 <= d <= t for d, t in seen)
    assert len(directory.students(empty_store)) == 600
