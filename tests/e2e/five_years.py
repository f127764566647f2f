"""What a school year needs before it can roll over, done through the services a school's staff use:
the final-period ratings entered by the teachers who hold the class (each edit by someone with the
right to make it), the result confirmed as proposed, then the class signed GVCN → principal → seal and
issued. Shared by the five-year walks (tests/e2e/test_five_years.py)."""

from __future__ import annotations

from sqlalchemy import select

from hocbaso_desktop.domain.catalogue import FINAL_PERIOD
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Staff


def _staff_actors(store: Store, year: str) -> list:  # noqa: ANN401 - Actor
    with store.read() as s:
        codes = [c for c, in s.execute(select(Staff.code).where(Staff.active.is_(True)).order_by(Staff.code))]
    return [directory.actor(store, c, year) for c in codes]


def _by_editor(actors: list, class_id: int, edits: list[CellEdit]) -> dict[str, tuple]:  # noqa: ANN401
    """Each edit goes to a teacher who may make it (the GVBM for her subject, the GVCN for the rest)."""
    out: dict[str, tuple] = {}
    for e in edits:
        for a in actors:
            ok = (a.can_edit_subject(class_id, e.code) if e.kind.startswith("subject_")
                  else a.can_edit_class_summary(class_id))
            if ok and not a.is_system:
                out.setdefault(a.code, (a, []))[1].append(e)
                break
        else:
            raise AssertionError(f"no teacher of class #{class_id} may make {e}")
    return out


def fill_final(store: Store, class_name: str, year: str, *, weak: set[str] = frozenset()) -> None:
    """Rate every pupil of the class for the final period (H, 8 points; a `weak` pupil C, 3 points in
    every subject) and confirm the proposed result."""
    info = directory.find_class(store, class_name, year)
    actors = _staff_actors(store, year)
    grid = load_grid(store, info.id, FINAL_PERIOD)
    edits: list[CellEdit] = []
    for row in grid.rows:
        bad = row.personal_id in weak
        for subj in grid.subjects:
            if not row.takes(subj.code) or row.is_exempt(subj.code):
                continue
            edits.append(CellEdit(row.enrolment_id, FINAL_PERIOD, "subject_level", subj.code, "C" if bad else "H"))
            if grid.tested(subj.code):
                edits.append(CellEdit(row.enrolment_id, FINAL_PERIOD, "subject_score", subj.code, 3 if bad else 8))
        for q in grid.qualities:
            edits.append(CellEdit(row.enrolment_id, FINAL_PERIOD, "quality_level", q.code, "C" if bad else "Đ"))
    for actor, batch in _by_editor(actors, info.id, edits).values():
        refused = [o for o in apply_edits(store, actor, batch) if not o.ok]
        assert not refused, refused[:3]
    grid = load_grid(store, info.id, FINAL_PERIOD)
    confirm = [CellEdit(r.enrolment_id, FINAL_PERIOD, "confirmed", "", r.proposal.result)
               for r in grid.rows if r.proposal is not None and r.proposal.result]
    assert len(confirm) == len(grid.rows), "every pupil has a complete proposal"
    for actor, batch in _by_editor(actors, info.id, confirm).values():
        refused = [o for o in apply_edits(store, actor, batch) if not o.ok]
        assert not refused, refused[:3]
