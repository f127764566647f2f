"""A 45×10 paste into the real grid (issue 19): every cell saved in ONE transaction with its audit
entry, a refused cell named by row and column, nothing written when the transaction fails — on a
school set up from nothing and on the demo."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.storage.engine import Store, Tx
from tests.grid_45 import SIZE, grow_class, new_school_3a

NEXT = {"T": "Đ", "Đ": "C", "C": "T", "": "T"}


@pytest.fixture(params=["new_school", "demo"])
def grid(request, qtbot, tmp_path: Path):  # noqa: ANN001, ANN201
    """(window on the qualities view of a 45-pupil class in CN, its store, the database path)."""
    if request.param == "new_school":
        db = tmp_path / "school.sqlite3"
        store = Store.open(db)
        new_school_3a(store, tmp_path)
        cls, gvcn = "3A", "GV201"
    else:
        db = request.getfixturevalue("demo_db")
        store = Store.open(db)
        cls, gvcn = "5A", "GV009"
        grow_class(store, tmp_path, cls)
    w = MainWindow(store, gvcn)
    qtbot.addWidget(w)
    w.show()
    w.set_period("CN")
    assert w.select_class(cls)
    w.tabs.setCurrentIndex(1)
    yield w, store, db
    store.close()


def _block(m, start: int, token: str, bad: tuple[int, int] | None = None) -> tuple[list[list[str]], str]:  # noqa: ANN001
    """45 rows × (5 phẩm chất, their comment, 3 năng lực chung, their comment), every cell a change."""
    cols = m.columns[start:start + 10]
    assert [c.kind for c in cols].count("quality_level") == 8
    rows = [[NEXT[m.data(m.index(r, start + j)) or ""] if c.kind == "quality_level" else f"Nhận xét {c.code} {r + 1} {token}"
             for j, c in enumerate(cols)] for r in range(SIZE)]
    if bad is not None:
        rows[bad[0]][bad[1]] = "X"
    return rows, "\n".join("\t".join(r) for r in rows) + "\n"


def _stored(db: Path, m, start: int, rows: list[list[str]]) -> int:  # noqa: ANN001
    """How many cells of the block the database holds, read by a connection of its own."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    cols = m.columns[start:start + 10]
    same = 0
    for r, row in enumerate(rows):
        e_id = m.rows[r].enrolment_id
        levels = dict(con.execute("SELECT quality_code, level FROM quality_evaluation WHERE enrolment_id = ? AND period = 'CN'",
                                  (e_id,)).fetchall())
        pc, nlc = con.execute("SELECT comment_pc, comment_nlc FROM period_summary WHERE enrolment_id = ? AND period = 'CN'",
                              (e_id,)).fetchone() or ("", "")
        for c, value in zip(cols, row):
            same += (levels.get(c.code) if c.kind == "quality_level" else pc if c.code == "PC" else nlc) == value
    con.close()
    return same


def _audit_count(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    finally:
        con.close()


def test_a_45_by_10_paste_saves_450_cells_in_one_transaction(grid, qtbot) -> None:  # noqa: ANN001
    w, store, db = grid
    v = w.views["qualities"]
    m = v.model()
    assert m.rowCount() == SIZE
    start = next(i for i, c in enumerate(m.columns) if c.kind == "quality_level")
    rows, text = _block(m, start, "a")
    commits: list[int] = []
    event.listen(store.engine, "commit", lambda _c: commits.append(1))
    before = _audit_count(db)
    v.setCurrentIndex(m.index(0, start))
    v.paste_text(text)
    assert commits == [1]  # one transaction for the whole block
    assert _stored(db, m, start, rows) == 450
    assert _audit_count(db) - before == 450  # an audit entry per cell, inside that transaction
    assert store.verify_audit().ok
    assert w.statusBar().currentMessage() == "Dán: lưu 450 ô"
    qtbot.waitUntil(lambda: m.rows[0].full_name in w.explain.toPlainText())  # the panel follows, once, after
    # the grid shows what the database holds (the rows were rebuilt from the saved values)
    assert [m.data(m.index(r, start + j)) for r in (0, 44) for j in range(10)] == [*rows[0], *rows[44]]
    # the same block again changes nothing and says so
    v.paste_text(text)
    assert commits == [1]
    assert "450 ô đã có đúng giá trị" in w.statusBar().currentMessage()


def test_one_bad_cell_is_named_by_row_and_column_and_the_rest_saved(grid) -> None:  # noqa: ANN001
    w, store, db = grid
    v = w.views["qualities"]
    m = v.model()
    start = next(i for i, c in enumerate(m.columns) if c.kind == "quality_level")
    rows, text = _block(m, start, "b", bad=(6, 2))
    v.setCurrentIndex(m.index(0, start))
    v.paste_text(text)
    assert "lưu 449 ô, từ chối 1 ô" in w.statusBar().currentMessage()
    notices = [w.notices.item(i).text() for i in range(w.notices.count())]
    column = m.columns[start + 2].header.replace("\n", " ")
    assert any(n.startswith(f"Dòng 7, {m.rows[6].full_name} — {column}:") and "X" in n for n in notices), notices
    assert _stored(db, m, start, rows) == 449
    assert m.data(m.index(6, start + 2)) != "X"


def test_a_failing_transaction_writes_nothing(grid, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    w, store, db = grid
    v = w.views["qualities"]
    m = v.model()
    start = next(i for i, c in enumerate(m.columns) if c.kind == "quality_level")
    shown = [m.data(m.index(r, start)) for r in range(SIZE)]
    rows, text = _block(m, start, "c")
    before = _audit_count(db)

    def disk_full(self: Tx, events: object) -> None:  # the rows are flushed, the entries cannot follow
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Tx, "audit_many", disk_full)
    v.setCurrentIndex(m.index(0, start))
    with pytest.raises(sqlite3.OperationalError):
        v.paste_text(text)
    monkeypatch.undo()
    assert _stored(db, m, start, rows) == 0
    assert _audit_count(db) == before
    assert [m.data(m.index(r, start)) for r in range(SIZE)] == shown  # the grid claims nothing was saved


def test_a_teacher_who_is_not_the_gvcn_pastes_nothing(grid) -> None:  # noqa: ANN001
    w, store, db = grid
    other = "GV101" if w.grid.info.name == "3A" else "GV001"
    w.set_acting(other)
    w.tabs.setCurrentIndex(1)
    v = w.views["qualities"]
    m = v.model()
    start = next(i for i, c in enumerate(m.columns) if c.kind == "quality_level")
    rows, text = _block(m, start, "d")
    before = _audit_count(db)
    v.setCurrentIndex(m.index(0, start))
    v.paste_text(text)
    assert _stored(db, m, start, rows) == 0 and _audit_count(db) == before
    assert "từ chối 450 ô" in w.statusBar().currentMessage()
    notices = [w.notices.item(i).text() for i in range(w.notices.count())]
    assert any("Chỉ GVCN của lớp" in n and n.startswith("Dòng 1, ") for n in notices)
