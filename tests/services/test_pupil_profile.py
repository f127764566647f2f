"""The pupil form's service: honest edits audited old → new, and every refusal the brief names (issue 14)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError, InvalidValue, PermissionDenied, RecordLocked
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.pupil_profile import pupil_profile, update_pupil
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Enrolment, Record, SchoolYear, Student, SubjectEvaluation
from tests.pupil_school import AN, BINH, CHI, DUNG, YEAR, new_school


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> Store:
    new_school(empty_store, tmp_path)
    return empty_store


def actor(store: Store, code: str):
    return directory.actor(store, code, YEAR)


def last_audit(store: Store):
    with store.read() as s:
        return s.execute(select(AuditEntry.id, AuditEntry.actor, AuditEntry.action, AuditEntry.changes)
                         .order_by(AuditEntry.id.desc()).limit(1)).one()


def test_profile_snapshot_of_an_imported_pupil(school: Store) -> None:
    p = pupil_profile(school, AN[3])
    assert (p.full_name, p.class_name, p.grade, p.year, p.sex, p.ethnicity_name) == ("Nguyễn Văn An", "1A", 1, YEAR, "Nam", "Kinh")
    assert [c.code for c in p.optional_choices] == ["NN1", "TDT"]  # Ngoại ngữ 1 is optional in grade 1, Tiếng dân tộc everywhere
    assert "NN1" not in {c.code for c in p.subjects} and not p.locked_reason
    assert [c.code for c in pupil_profile(school, DUNG[3]).optional_choices] == ["TDT"]  # NN1 compulsory in grade 4


def test_clerk_edits_identity_and_facts_in_one_audited_transaction(school: Store) -> None:
    res = update_pupil(school, actor(school, "VP01"), AN[3], {
        "full_name": "  Nguyễn  Văn   An ", "address": "Số 5 Lê Lợi", "moet_code": "0123456789", "register_no": "12/2025",
        "enrolled_on": "05/09/2025", "policy_group": "Hộ nghèo", "disability": "Khuyết tật vận động", "not_assessed": True,
        "optional_subjects": ["Tiếng Anh"], "exempt_subjects": "GDTC", "ethnicity": "Tày", "father_name": "Nguyễn Văn Bố",
    })
    p = res.profile
    assert (p.address, p.moet_code, p.register_no, p.enrolled_on, p.policy_group, p.disability, p.not_assessed) == (
        "Số 5 Lê Lợi", "0123456789", "12/2025", date(2025, 9, 5), "Hộ nghèo", "Khuyết tật vận động", True)
    assert p.optional_subjects == {"NN1"} and p.exempt_subjects == {"GDTC"} and p.ethnicity_code == "02"
    assert "full_name" not in res.changes  # cleaned to the same name: not a change
    entry = last_audit(school)
    assert (entry.actor, entry.action) == ("VP01", "pupil.update")
    ch = json.loads(entry.changes)
    assert ch["address"] == ["", "Số 5 Lê Lợi"] and ch["optional_subjects"] == ["", "NN1"] and ch["exempt_subjects"] == ["", "GDTC"]
    assert ch["enrolled_on"] == [None, "2025-09-05"] and ch["not_assessed"] == [False, True]
    # the exemption is written as M for every period, so every reader agrees
    with school.read() as s:
        rows = s.execute(select(SubjectEvaluation.period, SubjectEvaluation.level).where(SubjectEvaluation.subject_code == "GDTC")).all()
    assert sorted(rows) == sorted([(p_, "M") for p_ in ("GK1", "CK1", "GK2", "CN")])
    assert school.verify_audit().ok
    # nothing changes the second time: no new audit entry
    n = entry.id
    update_pupil(school, actor(school, "VP01"), AN[3], {"address": "Số 5 Lê Lợi", "optional_subjects": ["NN1"]})
    assert last_audit(school).id == n


def test_removing_an_exemption_clears_its_m(school: Store) -> None:
    update_pupil(school, actor(school, "VP01"), AN[3], {"exempt_subjects": ["GDTC"]})
    update_pupil(school, actor(school, "VP01"), AN[3], {"exempt_subjects": []})
    with school.read() as s:
        levels = set(s.execute(select(SubjectEvaluation.level).where(SubjectEvaluation.subject_code == "GDTC")).scalars())
    assert levels == {None}


def test_gvcn_of_the_class_may_edit_her_pupil(school: Store) -> None:
    res = update_pupil(school, actor(school, "GV1"), AN[3], {"mother_name": "Lê Thị Mẹ"})
    assert res.profile.mother_name == "Lê Thị Mẹ"


def test_hostile_gvcn_of_another_class(school: Store) -> None:
    with pytest.raises(PermissionDenied, match="lớp 4A"):
        update_pupil(school, actor(school, "GV1"), DUNG[3], {"address": "x"})
    assert pupil_profile(school, DUNG[3]).address == ""


def test_hostile_gvbm_without_the_right(school: Store) -> None:
    with pytest.raises(PermissionDenied, match="sửa hồ sơ học sinh"):
        update_pupil(school, actor(school, "GV3"), DUNG[3], {"address": "x"})


def test_hostile_exempting_kh_in_grade_2(school: Store) -> None:
    with pytest.raises(InvalidValue) as err:
        update_pupil(school, actor(school, "VP01"), CHI[3], {"exempt_subjects": ["KH"]})
    assert err.value.message == "Miễn môn: giá trị «Khoa học» không hợp lệ — khối 2 không có môn Khoa học: không miễn được"
    assert pupil_profile(school, CHI[3]).exempt_subjects == frozenset()


def test_hostile_optional_nn1_in_grade_4(school: Store) -> None:
    with pytest.raises(InvalidValue, match="Môn tự chọn.*Ngoại ngữ 1.*bắt buộc ở khối 4"):
        update_pupil(school, actor(school, "VP01"), DUNG[3], {"optional_subjects": ["NN1"]})


def test_exempting_an_optional_subject_the_pupil_does_not_take(school: Store) -> None:
    with pytest.raises(InvalidValue, match="không học môn tự chọn Ngoại ngữ 1"):
        update_pupil(school, actor(school, "VP01"), AN[3], {"exempt_subjects": ["NN1"]})
    # chosen and exempt in the same step is fine
    p = update_pupil(school, actor(school, "VP01"), AN[3], {"optional_subjects": ["NN1"], "exempt_subjects": ["NN1"]}).profile
    assert p.exempt_subjects == {"NN1"}
    # dropping the optional subject drops its exemption
    p = update_pupil(school, actor(school, "VP01"), AN[3], {"optional_subjects": []}).profile
    assert p.optional_subjects == frozenset() and p.exempt_subjects == frozenset()


def test_unknown_subject_named(school: Store) -> None:
    with pytest.raises(InvalidValue, match="Miễn môn: giá trị «Bơi lội»"):
        update_pupil(school, actor(school, "VP01"), AN[3], {"exempt_subjects": "Bơi lội"})


@pytest.mark.parametrize("bad", ["0012190\u200b12345", "001219012345\u200b", "٠٠١٢١٩٠١٢٣٤٥", "00121901234", "abc219012345",
                                 "001\u202e219012345"])
def test_hostile_personal_ids(school: Store, bad: str) -> None:
    with pytest.raises(InvalidValue, match="^Mã định danh"):
        update_pupil(school, actor(school, "VP01"), AN[3], {"personal_id": bad})
    assert pupil_profile(school, AN[3]).personal_id == AN[3]


def test_personal_id_unique_and_validated_like_the_import(school: Store) -> None:
    with pytest.raises(InvalidValue, match="đã là mã định danh của học sinh Trần Thị Bình"):
        update_pupil(school, actor(school, "VP01"), AN[3], {"personal_id": BINH[3]})
    with pytest.raises(InvalidValue, match="Mã tỉnh 999"):
        update_pupil(school, actor(school, "VP01"), AN[3], {"personal_id": "999219012345"})
    res = update_pupil(school, actor(school, "VP01"), AN[3], {"personal_id": "001219099999"})
    assert res.profile.personal_id == "001219099999" and not res.warnings
    res = update_pupil(school, actor(school, "VP01"), "001219099999", {"personal_id": "001319099999"})  # digit says nữ
    assert res.warnings and "giới tính" in res.warnings[0]


def test_field_errors_name_the_field_in_vietnamese(school: Store) -> None:
    a = actor(school, "VP01")
    for changes, prefix in (({"full_name": "  "}, "Họ và tên"), ({"birth_date": "31/02/2019"}, "Ngày sinh"),
                            ({"sex": "khác"}, "Giới tính"), ({"ethnicity": "Martian"}, "Dân tộc"),
                            ({"enrolled_on": "hôm qua"}, "Ngày vào trường"), ({"register_no": "x" * 31}, "Số đăng bộ"),
                            ({"address": "a\x07b"}, "Nơi ở hiện nay"), ({"nickname": "An"}, "Trường")):
        with pytest.raises(InvalidValue) as err:
            update_pupil(school, a, AN[3], changes)
        assert err.value.message.startswith(prefix), err.value.message


def test_all_or_nothing(school: Store) -> None:
    with pytest.raises(InvalidValue):
        update_pupil(school, actor(school, "VP01"), AN[3], {"address": "Số 9", "exempt_subjects": ["KH"]})
    assert pupil_profile(school, AN[3]).address == ""


def _record(store: Store, personal_id: str, status: str) -> None:
    with store.transaction("system") as tx:
        s = tx.session
        e = s.execute(select(Enrolment).join(Student).where(Student.personal_id == personal_id)).scalars().one()
        s.add(Record(enrolment_id=e.id, student_id=e.student_id, year_id=e.year_id, version=1, status=status,
                     created_at=datetime.now(), content_xml=b"<x/>", signed_xml=b"<x/>"))


@pytest.mark.parametrize("status,words", [("issued", "đã phát hành"), ("signing", "đang được ký")])
def test_hostile_editing_a_pupil_whose_record_is_signed(school: Store, status: str, words: str) -> None:
    _record(school, AN[3], status)
    assert words in pupil_profile(school, AN[3]).locked_reason
    with pytest.raises(RecordLocked, match=words):
        update_pupil(school, actor(school, "HT"), AN[3], {"full_name": "Tên Giả Mạo"})
    assert pupil_profile(school, AN[3]).full_name == "Nguyễn Văn An"


def test_locked_year_refuses(school: Store) -> None:
    with school.transaction("system") as tx:
        tx.session.execute(select(SchoolYear)).scalars().one().locked = True
    with pytest.raises(RecordLocked, match="đã khóa"):
        update_pupil(school, actor(school, "HT"), AN[3], {"address": "x"})


def test_on_the_demo_school(demo_store: Store) -> None:
    pupils = directory.students(demo_store, "1A")
    pid = pupils[0].personal_id
    res = update_pupil(demo_store, directory.actor(demo_store, "HT"), pid, {"optional_subjects": ["TDT"], "register_no": "7"})
    assert res.profile.optional_subjects == {"TDT"} and res.profile.register_no == "7"
    with pytest.raises(HocbasoError):
        update_pupil(demo_store, directory.actor(demo_store, "GV011"), pid, {"register_no": "8"})
