"""Phân công on a school set up from nothing: GVCN and GVBM per class and year, whole-table saves all or
nothing and audited per changed cell, the refusals (rights, left staff, second GVCN, unknown class or
subject, a subject the grade lacks, a locked year), and rights that follow the rows only."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from hocbaso_desktop.domain.catalogue import catalogue
from hocbaso_desktop.domain.errors import HocbasoError, PermissionDenied
from hocbaso_desktop.services import assignments as A
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edit
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, SchoolClass, SchoolYear, Staff, TeachingAssignment
from tests.assign_school import YEAR, build_school


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(build_school(tmp_path / "school.sqlite3"))
    yield s
    s.close()


def audit_count(store: Store) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar()


def rows(store: Store) -> list[str]:
    return [r.tsv() for r in A.list_assignments(store, YEAR)]


def admin(store: Store):
    return directory.actor(store, "QT01")


def test_homeroom_with_unassigned_subjects_and_several_teachers_per_subject(store: Store) -> None:
    qt = admin(store)
    res = A.set_homeroom(store, qt, "1a", "gv001", teach_unassigned=True)
    assert res.homeroom_changes == (("1A", "", "GV001"),)
    grade1 = [s.code for s in catalogue().subjects_for(1)]
    assert {(c, s) for c, s, _x in res.added} == {("1A", s) for s in grade1}  # NN1 not taken: not given away
    A.add_subject_teacher(store, qt, "1A", "TOAN", "GV003")  # a second teacher of Toán
    A.add_subject_teacher(store, qt, "1A", "NN1", "GV004")  # optional in grade 1: allowed (see the module)
    assert "1A\tGVCN\tGV001" == rows(store)[0]
    assert {"1A\tTOAN\tGV001", "1A\tTOAN\tGV003", "1A\tNN1\tGV004"} <= set(rows(store))
    one = A.list_assignments(store, YEAR)[0]
    assert (one.class_name, one.grade, one.subject, one.staff_name) == ("1A", 1, "GVCN", "Trần Thị Mai")
    c1a = directory.find_class(store, "1A").id
    gv1, gv3 = directory.actor(store, "GV001"), directory.actor(store, "GV003")
    assert gv1.homeroom_class_ids == {c1a} and (c1a, "TOAN") in gv1.teaches
    assert gv3.homeroom_class_ids == frozenset() and gv3.teaches == {(c1a, "TOAN")}
    before = audit_count(store)
    A.add_subject_teacher(store, qt, "1A", "TOAN", "GV003")  # again: nothing changes, nothing audited
    assert audit_count(store) == before
    assert store.verify_audit().ok


def test_second_homeroom_refused_unless_replace(store: Store) -> None:
    qt = admin(store)
    A.set_homeroom(store, qt, "1A", "GV001")
    with pytest.raises(HocbasoError, match=r"Lớp 1A đã có GVCN GV001 – Trần Thị Mai; dùng --replace để thay"):
        A.set_homeroom(store, qt, "1A", "GV002")
    A.set_homeroom(store, qt, "1A", "GV001")  # the same one again is fine
    A.set_homeroom(store, qt, "1A", "GV002", replace=True)
    assert directory.find_class(store, "1A").homeroom_code == "GV002"
    # two GVCN in one cell of a table
    with pytest.raises(A.AssignmentsRefused, match="chỉ có một GVCN"):
        A.apply_assignments(store, qt, YEAR, {"2A": {"GVCN": ["GV001", "GV002"]}})


@pytest.mark.parametrize("who", ["GV003", "GV001", "VP01"])
def test_teacher_or_clerk_cannot_assign_even_themselves(store: Store, who: str) -> None:
    actor = directory.actor(store, who)
    before = audit_count(store)
    with pytest.raises(PermissionDenied, match="phân công GVCN, GVBM"):
        A.add_subject_teacher(store, actor, "2A", "TOAN", who)
    with pytest.raises(PermissionDenied):
        A.apply_assignments(store, actor, YEAR, {"2A": {"GVCN": [who]}})
    assert audit_count(store) == before and rows(store) == []


def test_principal_and_vice_principal_may_assign_and_the_principal_may_teach(store: Store) -> None:
    A.set_homeroom(store, directory.actor(store, "PHT"), "4A", "GV002")
    A.add_subject_teacher(store, directory.actor(store, "HT"), "4A", "KH", "HT")
    assert {"4A\tGVCN\tGV002", "4A\tKH\tHT"} == set(rows(store))


@pytest.mark.parametrize("call, message", [
    (lambda s, a: A.add_subject_teacher(s, a, "2A", "TOAN", "GV009"), "GV009 – Bùi Thị Nghỉ đã nghỉ"),
    (lambda s, a: A.set_homeroom(s, a, "2A", "GV009"), "GV009 – Bùi Thị Nghỉ đã nghỉ"),
    (lambda s, a: A.add_subject_teacher(s, a, "2A", "TOAN", "GV777"), "không có cán bộ mã GV777"),
    (lambda s, a: A.add_subject_teacher(s, a, "9Z", "TOAN", "GV001"), "Không có lớp 9Z"),
    (lambda s, a: A.add_subject_teacher(s, a, "2A", "HOA", "GV001"), "Môn học: giá trị «HOA»"),
    (lambda s, a: A.add_subject_teacher(s, a, "2A", "KH", "GV001"), "Lớp 2A, Khoa học: khối 2 không học môn Khoa học"),
    (lambda s, a: A.add_subject_teacher(s, a, "1A", "TIN", "GV001"), "khối 1 không học môn Tin học"),
    (lambda s, a: A.add_subject_teacher(s, a, "2A", "TOAN", "VP01"), "VP01 – Đặng Thị Văn \\(Văn phòng\\) không có vai trò dạy học"),
    (lambda s, a: A.add_subject_teacher(s, a, "2A", "TOAN", "PHT"), "không có vai trò dạy học"),
    (lambda s, a: A.set_homeroom(s, a, "2A", "GV003"), "GV003 – Hoàng Thị Lan \\(GVBM\\) không có vai trò GVCN"),
    (lambda s, a: A.remove_subject_teacher(s, a, "2A", "TOAN", "GV001"), "GV001 không được phân công dạy môn Toán ở lớp 2A"),
    (lambda s, a: A.clear_homeroom(s, a, "2A", staff_code="GV001"), "GV001 không phải GVCN lớp 2A"),
    (lambda s, a: A.apply_assignments(s, a, "2030-2031", {"2A": {"GVCN": ["GV001"]}}), "Không có năm học 2030-2031"),
])
def test_refusals_name_the_problem_and_write_nothing(store: Store, call, message: str) -> None:
    before = audit_count(store)
    with pytest.raises(HocbasoError, match=message):
        call(store, admin(store))
    assert audit_count(store) == before and rows(store) == []


def test_whole_table_all_or_nothing_and_only_changed_cells_audited(store: Store) -> None:
    qt = admin(store)
    table = {"1A": {"GVCN": ["GV001"], "TOAN": ["GV001", "GV003"], "TV": ["GV001"]},
             "2A": {"GVCN": ["GV002"], "Toán": ["GV002"]},  # a column by its name works too
             "4A": {"GVCN": [], "KH": ["GV004"], "TIN": ["GV004"]}}
    before = audit_count(store)
    res = A.apply_assignments(store, qt, YEAR, table)
    assert len(res.homeroom_changes) == 2 and len(res.added) == 6
    assert audit_count(store) == before + 2 + 5  # one entry per changed cell (4A's empty GVCN is no change)
    # one bad cell among good ones: nothing at all is written
    bad = {"1A": {"TOAN": ["GV003"]}, "2A": {"KH": ["GV002"]}, "4A": {"GVCN": ["GV009"]}, "5Z": {"TV": ["GV001"]}}
    with pytest.raises(A.AssignmentsRefused) as e:
        A.apply_assignments(store, qt, YEAR, bad)
    assert {(p.class_name, p.column) for p in e.value.problems} == {("2A", "KH"), ("4A", "GVCN"), ("5Z", "")}
    assert "Lớp 4A, GVCN: GV009 – Bùi Thị Nghỉ đã nghỉ" in e.value.message
    assert "1A\tTOAN\tGV001" in rows(store)
    # the same table again: no change, no audit entry
    n = audit_count(store)
    assert not A.apply_assignments(store, qt, YEAR, table).changed and audit_count(store) == n
    # a changed cell: exactly one entry, old → new; untouched columns and classes stay
    A.apply_assignments(store, qt, YEAR, {"1A": {"TOAN": ["GV003"]}})
    assert audit_count(store) == n + 1
    with store.read() as s:
        last = s.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
        assert (last.actor, last.action, last.entity_id) == ("QT01", "assignment.subject", f"{YEAR}/1A")
        assert '"old":["GV001","GV003"]' in last.changes.replace(" ", "") and '"new":["GV003"]' in last.changes.replace(" ", "")
    assert {"1A\tTV\tGV001", "2A\tGVCN\tGV002", "1A\tTOAN\tGV003"} <= set(rows(store))
    assert "1A\tTOAN\tGV001" not in rows(store)


def test_locked_year_refused(store: Store) -> None:
    with store.transaction("system") as tx:
        tx.session.execute(SchoolYear.__table__.update().values(locked=True))
        tx.audit("test.lock", "school_year", YEAR, {})
    with pytest.raises(HocbasoError, match=f"Năm học {YEAR} đã khóa"):
        A.set_homeroom(store, admin(store), "1A", "GV001")
    with pytest.raises(HocbasoError, match="đã khóa"):
        A.apply_assignments(store, admin(store), YEAR, {"1A": {"GVCN": ["GV001"]}})


def test_give_unassigned_to_homeroom_is_pure(store: Store) -> None:
    cols = A.class_columns(store, YEAR)
    table = {"1A": {"GVCN": ["GV001"], "TOAN": ["GV003"]}, "2A": {"GVCN": []}}
    out = A.give_unassigned_to_homeroom(table, cols)
    assert out["1A"]["TOAN"] == ["GV003"] and out["1A"]["TV"] == ["GV001"] and "NN1" not in out["1A"]
    assert out["2A"] == {"GVCN": []} and table["1A"] == {"GVCN": ["GV001"], "TOAN": ["GV003"]}
    assert rows(store) == []


def test_removed_teacher_can_no_longer_edit_nor_sign(store: Store) -> None:
    qt = admin(store)
    A.set_homeroom(store, qt, "1A", "GV001", teach_unassigned=True)
    A.add_subject_teacher(store, qt, "1A", "TOAN", "GV003")
    pupil = directory.students(store, "1A", YEAR)[0]
    cell = CellEdit(pupil.enrolment_id, "GK1", "subject_level", "TOAN", "T")
    assert apply_edit(store, directory.actor(store, "GV003"), cell).ok
    assert apply_edit(store, directory.actor(store, "GV001"), CellEdit(pupil.enrolment_id, "GK1", "days_excused", "", 1)).ok
    A.remove_subject_teacher(store, qt, "1A", "TOAN", "GV003")
    A.clear_homeroom(store, qt, "1A", staff_code="GV001")
    out = apply_edit(store, directory.actor(store, "GV003"), CellEdit(pupil.enrolment_id, "GK1", "subject_level", "TOAN", "H"))
    assert not out.ok and "Không có quyền sửa môn Toán" in out.message
    out = apply_edit(store, directory.actor(store, "GV001"), CellEdit(pupil.enrolment_id, "GK1", "days_excused", "", 2))
    assert not out.ok and "GVCN của lớp" in out.message
    assert apply_edit(store, directory.actor(store, "GV001"), CellEdit(pupil.enrolment_id, "GK1", "subject_level", "TV", "H")).ok
    with pytest.raises(PermissionDenied, match="không phải GVCN lớp 1A"):
        plan_signing(store, directory.actor(store, "GV001"), [directory.find_class(store, "1A").id], "gvcn")


def test_demo_list_matches_its_rows(demo_store: Store) -> None:
    listed = A.list_assignments(demo_store)
    with demo_store.read() as s:
        want = {(c.name, "GVCN", st.code) for c, st in s.execute(
            select(SchoolClass, Staff).join(Staff, SchoolClass.homeroom_id == Staff.id))}
        want |= {(c.name, a.subject_code, st.code) for a, c, st in s.execute(
            select(TeachingAssignment, SchoolClass, Staff).join(SchoolClass, TeachingAssignment.class_id == SchoolClass.id)
            .join(Staff, TeachingAssignment.staff_id == Staff.id))}
    assert {(r.class_name, r.subject, r.staff_code) for r in listed} == want
    assert len(listed) == len(want) and len({r.class_name for r in listed if r.subject == "GVCN"}) == 10
    # the demo's table saved back unchanged is no change at all
    table = A.current_table(demo_store)
    assert not A.apply_assignments(demo_store, directory.actor(demo_store, "HT"), None, table).changed


def test_rows_without_the_role_grant_nothing(store: Store) -> None:
    """A teacher whose teaching role is taken away keeps no grid rights from her old rows."""
    A.set_homeroom(store, admin(store), "1A", "GV001", teach_unassigned=True)
    with store.transaction("system") as tx:
        st = tx.session.execute(select(Staff).where(Staff.code == "GV001")).scalar_one()
        st.roles = [r for r in st.roles if r.role != "homeroom" and r.role != "subject"]
        tx.session.flush()
        from hocbaso_desktop.storage.models import StaffRole

        st.roles.append(StaffRole(role="clerk"))
        tx.audit("test.roles", "staff", "GV001", {})
    gv = directory.actor(store, "GV001")
    assert gv.homeroom_class_ids == frozenset() and gv.teaches == frozenset()
    assert "1A\tGVCN\tGV001" in rows(store)  # the rows stay for the record; they just give nothing


def test_a_caller_owned_transaction_can_copy_a_table(store: Store) -> None:
    """Room for issue 17 (copying assignments to a new year inside the rollover's transaction)."""
    A.set_homeroom(store, admin(store), "1A", "GV001", teach_unassigned=True)
    table = {"2A": A.current_table(store, YEAR)["1A"]}  # 1A's row onto 2A (same subjects in grades 1-2)
    with store.transaction("QT01") as tx:
        res = A.apply_in_transaction(tx, YEAR, table)
    assert ("2A", "", "GV001") in res.homeroom_changes and "2A\tTOAN\tGV001" in rows(store)
    with pytest.raises(A.AssignmentsRefused):
        with store.transaction("QT01") as tx:
            A.apply_in_transaction(tx, YEAR, {"4A": {"GVCN": ["GV009"]}})
