"""The grid's edit path (issue 19): a batch reads once and writes once, the grid row rebuilt from the
outcomes is the row the database would give, the audit chain stays whole — on the demo and on a
school set up from nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.grid_refresh import row_after
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, QualityEvaluation, SubjectEvaluation
from tests.grid_45 import SIZE, grow_class, new_school_3a


@pytest.fixture(params=["new_school", "demo"])
def school(request, tmp_path: Path):  # noqa: ANN001, ANN201
    """(store, class name, its GVCN's actor, another teacher's actor) of a 45-pupil class."""
    if request.param == "new_school":
        store = Store.open(tmp_path / "school.sqlite3")
        year = new_school_3a(store, tmp_path)
        yield store, "3A", directory.actor(store, "GV201", year), directory.actor(store, "GV101", year)
    else:
        store = Store.open(request.getfixturevalue("demo_db"))
        grow_class(store, tmp_path, "5A")
        yield store, "5A", directory.actor(store, "GV009"), directory.actor(store, "GV001")
    store.close()


class Statements:
    def __init__(self, store: Store) -> None:
        self.n = 0
        self.seen: list[str] = []
        event.listen(store.engine, "before_cursor_execute", self._count)

    def _count(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.n += 1
        self.seen.append(statement.split("\n")[0][:60])


def _audit(store: Store) -> int:
    with store.read() as s:
        return s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def test_rows_rebuilt_from_outcomes_equal_rows_read_back(school) -> None:  # noqa: ANN001
    store, cls, gvcn, _other = school
    info = directory.find_class(store, cls)
    for period in ("CN", "GK1"):
        grid = load_grid(store, info.id, period)
        a, b = grid.rows[0], grid.rows[1]
        tested = [s.code for s in grid.subjects if s.is_tested(info.grade, period)]
        edits = [CellEdit(a.enrolment_id, period, "subject_level", "TOAN", "C"),
                 CellEdit(a.enrolment_id, period, "subject_comment", "TOAN", "Cần luyện thêm phép chia"),
                 CellEdit(a.enrolment_id, period, "quality_level", "CC", "Đ"),
                 CellEdit(a.enrolment_id, period, "group_comment", "PC", "Chăm chỉ, lễ phép"),
                 CellEdit(b.enrolment_id, period, "days_excused", "", "2"),
                 CellEdit(b.enrolment_id, period, "quality_level", "NA", "T")]
        if tested:
            edits.append(CellEdit(b.enrolment_id, period, "subject_score", tested[0], "8"))
        out = apply_edits(store, gvcn, edits)
        assert all(o.ok for o in out), [o.message for o in out if not o.ok]
        fresh = {r.enrolment_id: r for r in load_grid(store, info.id, period).rows}
        for row in (a, b):
            assert row_after(grid, row, out) == fresh[row.enrolment_id]  # same cells, same TT27 proposal


def test_a_45_by_10_batch_is_one_commit_and_a_handful_of_statements(school) -> None:  # noqa: ANN001
    store, cls, gvcn, _other = school
    info = directory.find_class(store, cls)
    grid = load_grid(store, info.id, "CN")
    assert len(grid.rows) == SIZE
    codes = [q.code for q in grid.qualities][:8]
    edits = [CellEdit(r.enrolment_id, "CN", "quality_level", c, "C" if (r.qualities.get(c) and r.qualities[c].level == "T") else "T")
             for r in grid.rows for c in codes]
    edits += [CellEdit(r.enrolment_id, "CN", "group_comment", g, f"Nhận xét {g} {i}") for i, r in enumerate(grid.rows)
              for g in ("PC", "NLC")]
    assert len(edits) == 450
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda _c: commits.append(1))
    before = _audit(store)
    count = Statements(store)
    out = apply_edits(store, gvcn, edits)
    assert all(o.ok for o in out)
    assert commits == [1]
    assert count.n <= 10, count.seen  # one query per table and bulk writes, not ~10 statements per cell
    assert _audit(store) - before == 450
    assert store.verify_audit().ok and store.read_anchor() == store.verify_audit().head


def test_one_keystroke_is_a_few_statements_and_one_commit(school) -> None:  # noqa: ANN001
    store, cls, gvcn, _other = school
    info = directory.find_class(store, cls)
    r = load_grid(store, info.id, "CN").rows[3]
    value = "H" if r.subjects.get("TV") and r.subjects["TV"].level == "T" else "T"
    before = _audit(store)
    count = Statements(store)
    (o,) = apply_edits(store, gvcn, [CellEdit(r.enrolment_id, "CN", "subject_level", "TV", value)])
    assert o.ok and o.new == value
    assert count.n <= 6, count.seen  # BEGIN, the pupil, its rows, UPDATE or INSERT, audit head, audit INSERT
    assert _audit(store) == before + 1
    with store.read() as s:
        assert s.execute(select(SubjectEvaluation.level).where(SubjectEvaluation.enrolment_id == r.enrolment_id,
                         SubjectEvaluation.period == "CN", SubjectEvaluation.subject_code == "TV")).scalar() == value


def test_refused_cells_write_nothing_not_even_an_empty_row(school) -> None:  # noqa: ANN001
    store, cls, gvcn, other = school
    info = directory.find_class(store, cls)
    r = load_grid(store, info.id, "GK1").rows[5]
    with store.read() as s:
        rows_before = s.execute(select(func.count()).select_from(QualityEvaluation)).scalar_one()
    before = _audit(store)
    out = apply_edits(store, gvcn, [
        CellEdit(r.enrolment_id, "GK1", "quality_level", "CC", "X"),  # not a level
        CellEdit(r.enrolment_id, "GK9", "quality_level", "CC", "T"),  # forged period
        CellEdit(r.enrolment_id, "GK1", "quality_level", "ZZ", "T"),  # no such quality
        CellEdit(r.enrolment_id, "GK1", "no_such_kind", "", "T"),
        CellEdit(10**9, "GK1", "quality_level", "CC", "T"),  # no such pupil
    ])
    assert [o.ok for o in out] == [False] * 5 and all(o.message for o in out)
    (o,) = apply_edits(store, other, [CellEdit(r.enrolment_id, "GK1", "quality_level", "CC", "T")])  # not the GVCN
    assert not o.ok and "GVCN" in o.message
    if not (r.qualities.get("TTH") and r.qualities["TTH"].comment):
        (o,) = apply_edits(store, gvcn, [CellEdit(r.enrolment_id, "GK1", "quality_comment", "TTH", None)])  # nothing to clear
        assert o.ok and o.old == o.new == ""
    with store.read() as s:
        assert s.execute(select(func.count()).select_from(QualityEvaluation)).scalar_one() == rows_before
    assert _audit(store) == before


def test_the_audit_head_is_read_again_after_a_savepoint_rolled_back(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a.sqlite3") as store:
        with store.transaction("test") as tx:
            tx.audit("a", "x", 1, {})
            tx.audit("a", "x", 2, {})  # the head known in the transaction, not re-read
            sp = tx.session.begin_nested()
            tx.audit("a", "x", 3, {})
            sp.rollback()  # entry 3 is gone: the next one must be 3 again, chained to entry 2
            tx.audit("a", "x", 4, {})
            tx.audit_many([("a", "x", 5, {}), ("a", "x", 6, {})])
            tx.audit("a", "x", 7, {})
        chain = store.verify_audit()
        assert chain.ok and chain.count == 6, chain.reason
        assert store.read_anchor() == chain.head
        with store.read() as s:
            assert [e for (e,) in s.execute(select(AuditEntry.entity_id).order_by(AuditEntry.id))] == ["1", "2", "4", "5", "6", "7"]


def test_the_anchor_is_rewritten_in_place_whatever_was_there(tmp_path: Path) -> None:
    """The head is written over the file (no rename): a longer line left there (a restored copy, a
    hand edit) is cut to the new one, and a missing file is created owner-only."""
    with Store.open(tmp_path / "a.sqlite3") as store:
        store.anchor_path.write_text("999999999 " + "f" * 64 + " trailing words\n", encoding="ascii")
        with store.transaction("test") as tx:
            tx.audit("a", "x", 1, {})
        assert store.read_anchor() == store.verify_audit().head
        assert store.anchor_path.read_text(encoding="ascii") == f"1 {store.verify_audit().head[1]}\n"
        store.anchor_path.unlink()
        with store.transaction("test") as tx:
            tx.audit("a", "x", 2, {})
        assert store.read_anchor() == store.verify_audit().head
        if os.name == "posix":
            assert store.anchor_path.stat().st_mode & 0o077 == 0
