"""A confirmed result that no longer matches the recomputed proposal is not signed (issue 18): the GVCN
confirmed HT when the levels said HT, a teacher then changed a level, and the record would carry a
result nobody decided. The signing plan skips it with the reason; re-confirming (the new proposal, or
the old result with a reason) lets it through."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hocbaso_desktop.domain.catalogue import FINAL_PERIOD
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.signing_plan import plan_signing, stale_confirmation
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Record
from tests.e2e.five_years import fill_final
from tests.pupil_school import AN, YEAR, new_school


def lower_a_level(store: Store, actor_code: str, class_name: str, year: str | None = None) -> tuple[int, str, str]:
    """A teacher of the class sets one subject of the first confirmed pupil to C: (enrolment, confirmed, new proposal)."""
    info = directory.find_class(store, class_name, year)
    actor = directory.actor(store, actor_code, year)
    grid = load_grid(store, info.id, FINAL_PERIOD)
    row = next(r for r in grid.rows if r.year.confirmed_result in ("HT", "HTT", "HTXS") and not r.year.change_reason
               and r.proposal is not None and r.proposal.result == r.year.confirmed_result)
    subj = next(s.code for s in grid.subjects if row.takes(s.code) and not row.is_exempt(s.code)
                and actor.can_edit_subject(info.id, s.code))
    out = apply_edits(store, actor, [CellEdit(row.enrolment_id, FINAL_PERIOD, "subject_level", subj, "C")])
    assert out[0].ok, out[0].message
    fresh = next(r for r in load_grid(store, info.id, FINAL_PERIOD).rows if r.enrolment_id == row.enrolment_id)
    assert fresh.proposal.result != row.year.confirmed_result
    return row.enrolment_id, row.year.confirmed_result, fresh.proposal.result


def assert_stale_then_reconfirmed(store: Store, gvcn: str, class_name: str, year: str | None, keep_with_reason: bool) -> None:
    info = directory.find_class(store, class_name, year)
    eid, confirmed, proposed = lower_a_level(store, gvcn, class_name, year)
    actor = directory.actor(store, gvcn, year)
    plan = plan_signing(store, actor, [info.id])
    notes = {n.enrolment_id: n for n in plan.skipped}
    assert eid in notes and eid not in {i.enrolment_id for i in plan.items}
    assert notes[eid].kind == "stale"
    assert f"Kết quả xác nhận ({confirmed}) khác đề xuất hiện tại ({proposed})" in notes[eid].reason
    with store.read() as s:
        assert s.execute(select(Record).where(Record.enrolment_id == eid)).first() is None  # planning wrote nothing
    # the GVCN re-confirms: either the new proposal, or the old result kept with a reason
    edit = (CellEdit(eid, FINAL_PERIOD, "confirmed", "", confirmed, "Hội đồng lớp giữ kết quả")
            if keep_with_reason else CellEdit(eid, FINAL_PERIOD, "confirmed", "", proposed))
    out = apply_edits(store, actor, [edit])
    assert out[0].ok, out[0].message
    plan = plan_signing(store, actor, [info.id])
    assert eid not in {n.enrolment_id for n in plan.skipped if n.kind == "stale"}
    if proposed != "CHT" or keep_with_reason:
        assert eid in {i.enrolment_id for i in plan.items}


@pytest.mark.parametrize("keep_with_reason", [False, True])
def test_on_a_school_set_up_from_nothing(empty_store: Store, tmp_path: Path, keep_with_reason: bool) -> None:
    new_school(empty_store, tmp_path)
    fill_final(empty_store, "1A", YEAR)
    assert_stale_then_reconfirmed(empty_store, "GV1", "1A", YEAR, keep_with_reason)


def test_on_the_demo(demo_store: Store) -> None:
    info = directory.find_class(demo_store, "5A")
    assert_stale_then_reconfirmed(demo_store, info.homeroom_code, "5A", None, keep_with_reason=True)


def test_a_result_changed_with_a_reason_is_not_stale(empty_store: Store, tmp_path: Path) -> None:
    """Hostile twin: an override the GVCN explained is her decision, not a stale one; a pupil on an
    individual plan has no proposal to be stale against."""
    new_school(empty_store, tmp_path)
    fill_final(empty_store, "1A", YEAR)
    info = directory.find_class(empty_store, "1A", YEAR)
    actor = directory.actor(empty_store, "GV1", YEAR)
    row = next(r for r in load_grid(empty_store, info.id, FINAL_PERIOD).rows if r.personal_id == AN[3])
    other = "HTT" if row.proposal.result != "HTT" else "HT"
    assert apply_edits(empty_store, actor, [CellEdit(row.enrolment_id, FINAL_PERIOD, "confirmed", "", other,
                                                      "Hội đồng lớp đề nghị")])[0].ok
    row = next(r for r in load_grid(empty_store, info.id, FINAL_PERIOD).rows if r.personal_id == AN[3])
    assert stale_confirmation(row) is None
    plan = plan_signing(empty_store, actor, [info.id])
    assert row.enrolment_id in {i.enrolment_id for i in plan.items}
