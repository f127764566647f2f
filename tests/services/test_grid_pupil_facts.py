"""Effects of the per-pupil facts on the grid, the edits, the proposal, the record and signing (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocbaso_desktop.domain.catalogue import PERIODS
from hocbaso_desktop.domain.results import INDIVIDUAL_PLAN_TEXT
from hocbaso_desktop.exchange.grid_layout import grid_layout
from hocbaso_desktop.exchange.record_xml import build_record_xml
from hocbaso_desktop.gui.models.grid_columns import VIEW_SUBJECTS, columns_for, is_missing, missing_count
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edit, apply_edits
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.grid_excel import export_grid
from hocbaso_desktop.services.pupil_profile import pupil_profile, update_pupil
from hocbaso_desktop.services.records import load_record_data
from hocbaso_desktop.services.signing_plan import _completeness
from hocbaso_desktop.storage.engine import Store
from tests.pupil_school import AN, BINH, YEAR, new_school


@pytest.fixture
def school(empty_store: Store, tmp_path: Path) -> tuple[Store, dict[str, int]]:
    ids = new_school(empty_store, tmp_path)
    return empty_store, ids


def row(store: Store, class_id: int, pid: str, period: str = "CN"):
    return next(r for r in load_grid(store, class_id, period).rows if r.personal_id == pid)


def test_optional_subject_of_one_pupil_adds_a_column_not_applicable_to_others(school) -> None:
    store, ids = school
    update_pupil(store, directory.actor(store, "VP01", YEAR), AN[3], {"optional_subjects": ["NN1"]})
    grid = load_grid(store, ids["1A"], "CK1")
    assert "NN1" in [s.code for s in grid.subjects] and grid.optional == {"NN1"}
    an = next(r for r in grid.rows if r.personal_id == AN[3])
    binh = next(r for r in grid.rows if r.personal_id == BINH[3])
    assert an.takes("NN1") and not binh.takes("NN1")
    nn1 = [c for c in columns_for(grid, VIEW_SUBJECTS) if c.code == "NN1"]
    assert nn1 and not any(is_missing(grid, binh, c) for c in nn1) and any(is_missing(grid, an, c) for c in nn1)
    # the missing count of Bình does not include NN1; An's does
    assert missing_count(grid, an) > missing_count(grid, binh)
    gv1 = directory.actor(store, "GV1", YEAR)
    refused = apply_edit(store, gv1, CellEdit(binh.enrolment_id, "CK1", "subject_level", "NN1", "T"))
    assert not refused.ok and "Trần Thị Bình không học môn tự chọn này" in refused.message
    assert apply_edit(store, gv1, CellEdit(an.enrolment_id, "CK1", "subject_level", "NN1", "T")).ok
    # NN1 counts for An's proposal (rated now), not for Bình's
    assert not any("Ngoại ngữ 1" in m for m in row(store, ids["1A"], BINH[3]).proposal.missing)
    # the record of An carries NN1, Bình's does not
    assert "NN1" in [s.code for s in load_record_data(store, an.enrolment_id).subjects]
    assert "NN1" not in [s.code for s in load_record_data(store, binh.enrolment_id).subjects]


def test_workbook_columns_are_the_union(school, tmp_path: Path) -> None:
    store, ids = school
    update_pupil(store, directory.actor(store, "VP01", YEAR), AN[3], {"optional_subjects": ["TDT"]})
    from hocbaso_desktop.exchange.grid_workbook import read_grid_workbook

    out = export_grid(store, ids["1A"], "CN", tmp_path / "1a.xlsx")
    parsed = read_grid_workbook(out.path)
    assert parsed.meta.optional == {"TDT"}
    keys = [c.key for lay in grid_layout(1, parsed.meta.optional, "CN") for c in lay.columns]
    assert "subject_level:TDT" in keys


def test_exempt_subject_reads_m_everywhere_and_is_locked(school) -> None:
    store, ids = school
    gv1 = directory.actor(store, "GV1", YEAR)
    an = row(store, ids["1A"], AN[3])
    assert apply_edit(store, gv1, CellEdit(an.enrolment_id, "CN", "subject_level", "GDTC", "H")).ok
    update_pupil(store, directory.actor(store, "VP01", YEAR), AN[3], {"exempt_subjects": ["Giáo dục thể chất"]})
    for p in PERIODS:
        r = row(store, ids["1A"], AN[3], p)
        assert r.subjects["GDTC"].level == "M" and r.is_exempt("GDTC")
        grid = load_grid(store, ids["1A"], p)
        assert not any(is_missing(grid, r, c) for c in columns_for(grid, VIEW_SUBJECTS) if c.code == "GDTC")
    out = apply_edit(store, gv1, CellEdit(an.enrolment_id, "CN", "subject_level", "GDTC", "T"))
    assert not out.ok and "miễn môn này (M)" in out.message
    assert apply_edit(store, gv1, CellEdit(an.enrolment_id, "CN", "subject_level", "GDTC", "M")).ok
    assert apply_edit(store, gv1, CellEdit(an.enrolment_id, "CN", "subject_comment", "GDTC", "Miễn theo chỉ định")).ok
    data = load_record_data(store, an.enrolment_id)
    gdtc = next(s for s in data.subjects if s.code == "GDTC")
    assert (gdtc.level, gdtc.score) == ("M", None)
    assert b"<mucdatduoc>M</mucdatduoc>" in build_record_xml(data)


def test_exempt_tested_subject_is_never_missing_its_score(school) -> None:
    store, ids = school
    update_pupil(store, directory.actor(store, "VP01", YEAR), AN[3], {"exempt_subjects": ["TOAN"]})
    r = row(store, ids["1A"], AN[3])
    assert not any("Toán" in m for m in r.proposal.missing)
    out = apply_edit(store, directory.actor(store, "GV1", YEAR), CellEdit(r.enrolment_id, "CN", "subject_score", "TOAN", 9))
    assert not out.ok


def _fill_all(store: Store, class_id: int, pid: str, level: str = "T") -> None:
    r = row(store, class_id, pid)
    grid = load_grid(store, class_id, "CN")
    edits = []
    for s in grid.subjects:
        if r.takes(s.code) and not r.is_exempt(s.code):
            edits.append(CellEdit(r.enrolment_id, "CN", "subject_level", s.code, level))
            if s.is_tested(1, "CN"):
                edits.append(CellEdit(r.enrolment_id, "CN", "subject_score", s.code, 10))
    for q in grid.qualities:
        edits.append(CellEdit(r.enrolment_id, "CN", "quality_level", q.code, "T"))
    outs = apply_edits(store, directory.actor(store, "GV1", YEAR), edits)
    assert all(o.ok for o in outs), [o.message for o in outs if not o.ok]


def test_individual_plan_pupil_gets_no_computed_result(school) -> None:
    store, ids = school
    update_pupil(store, directory.actor(store, "VP01", YEAR), AN[3], {"not_assessed": True, "disability": "Khuyết tật trí tuệ"})
    r = row(store, ids["1A"], AN[3])  # an empty record: formerly proposed HTXS
    assert r.proposal.result is None and r.proposal.explanation == INDIVIDUAL_PLAN_TEXT and not r.proposal.missing
    assert _completeness(r)[0] == "result" and "kế hoạch giáo dục cá nhân" in _completeness(r)[1]
    _fill_all(store, ids["1A"], AN[3])  # even full of T it stays without a proposal
    assert row(store, ids["1A"], AN[3]).proposal.result is None
    gv1 = directory.actor(store, "GV1", YEAR)
    no_reason = apply_edit(store, gv1, CellEdit(r.enrolment_id, "CN", "confirmed", "", "HT"))
    assert not no_reason.ok and "kế hoạch giáo dục cá nhân: cần ghi lý do" in no_reason.message
    ok = apply_edit(store, gv1, CellEdit(r.enrolment_id, "CN", "confirmed", "", "HT", reason="Đạt các mục tiêu của kế hoạch"))
    assert ok.ok
    r = row(store, ids["1A"], AN[3])
    assert r.year.confirmed_result == "HT" and r.year.change_reason == "Đạt các mục tiêu của kế hoạch"
    assert _completeness(r) is None
    assert load_record_data(store, r.enrolment_id).student.not_assessed


def test_ordinary_pupil_still_proposed(school) -> None:
    store, ids = school
    _fill_all(store, ids["1A"], BINH[3])
    assert row(store, ids["1A"], BINH[3]).proposal.result == "HTXS"


def test_demo_not_assessed_pupil_signs_with_reason(demo_store: Store) -> None:
    c = directory.find_class(demo_store, "3B")
    rows = [r for r in load_grid(demo_store, c.id, "CN").rows if r.not_assessed]
    assert len(rows) == 1 and rows[0].proposal.result is None and rows[0].year.change_reason
    assert _completeness(rows[0]) is None
    c4 = directory.find_class(demo_store, "4A")
    ex = [r for r in load_grid(demo_store, c4.id, "CN").rows if r.exempt]
    assert len(ex) == 1 and ex[0].subjects["GDTC"].level == "M"
    assert pupil_profile(demo_store, ex[0].personal_id).exempt_subjects == {"GDTC"}
