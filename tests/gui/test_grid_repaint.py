"""After a keystroke the grid announces the cells that changed, one by one (issue 19): a range wider than one
cell makes Qt repaint the whole view (~150 cells on a 1366×768 window) after every keystroke. A refused
keystroke announces nothing; a change that alters what the pupil takes announces the whole row."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hocbaso_desktop.gui.app import open_main_window
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.services.grid import GridRow
from hocbaso_desktop.storage.engine import Store
from tests.gui.test_grid_editing import col_of, db_subject
from tests.pupil_school import new_school


@pytest.fixture(params=["demo", "new_school"])
def win(request, qtbot, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    if request.param == "demo":
        w = open_main_window(db=request.getfixturevalue("demo_db"), class_name="5A", actor="GV009", period="CN")
    else:
        db = tmp_path / "new.sqlite3"
        with Store.open(db) as store:
            new_school(store, tmp_path)
        w = open_main_window(db=db, class_name="1A", actor="GV1", period="CK1")
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    return w


def _announced(model) -> list[tuple[int, int, int, int]]:  # noqa: ANN001
    seen: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=None: seen.append((a.row(), a.column(), b.row(), b.column())))
    return seen


def test_a_keystroke_announces_only_its_cells(win: MainWindow) -> None:
    v = win.views["subjects"]
    m = v.model()
    others = {name: _announced(win.views[name].model()) for name in ("qualities", "summary")}
    seen = _announced(m)
    col = col_of(m, "subject_level", "TV")
    v.setCurrentIndex(m.index(0, col))
    new = "H" if m.data(m.index(0, col)) == "T" else "T"
    QTest.keyClick(v, Qt.Key.Key_H if new == "H" else Qt.Key.Key_T)
    assert m.data(m.index(0, col)) == new
    stored = db_subject(win.store, m.rows[0].enrolment_id, win.period, "TV")
    assert stored is not None and stored.level == new  # committed, not only shown
    assert seen and all(r0 == r1 == 0 and c0 == c1 for r0, c0, r1, c1 in seen), seen  # single cells of row 0
    touched = {c for _r, c, _r1, _c1 in seen}
    assert col in touched
    allowed = {col, col_of(m, "missing")} | {i for i, c in enumerate(m.columns) if c.code == "TV"}
    assert touched <= allowed, [m.columns[c] for c in touched - allowed]
    for name, got in others.items():  # the other views: the level is not theirs; at most the row's total
        cols = win.views[name].model().columns
        assert all(cols[c].kind in ("missing", "proposal", "confirmed") for _r, c, _r1, _c1 in got), (name, got)


def test_a_refused_keystroke_announces_nothing(win: MainWindow) -> None:
    v = win.views["subjects"]
    m = v.model()
    seen = _announced(m)
    col = col_of(m, "subject_level", "TV")
    v.setCurrentIndex(m.index(0, col))
    before = m.data(m.index(0, col))
    QTest.keyClick(v, Qt.Key.Key_X)  # not a level
    assert m.data(m.index(0, col)) == before
    assert seen == []


def test_a_row_whose_pupil_changed_is_announced_whole(win: MainWindow) -> None:
    from dataclasses import replace

    m = win.views["subjects"].model()
    seen = _announced(m)
    s = win.session
    assert s is not None
    row: GridRow = s.rows[1]
    s.rows[1] = replace(row, exempt=row.exempt | {"TV"})  # as a read-back row after the pupil's profile changed
    s.rows_changed.emit([1])
    assert (1, 0, 1, m.columnCount() - 1) in seen
