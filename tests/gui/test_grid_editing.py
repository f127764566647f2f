"""Typing, pasting, undoing in the real grid widgets; every accepted edit is in the DB at once."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlalchemy import select, text

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import SubjectEvaluation


def col_of(model, kind: str, code: str = "") -> int:
    return next(i for i, c in enumerate(model.columns) if c.kind == kind and c.code == code)


def db_subject(store: Store, enrolment_id: int, period: str, code: str) -> SimpleNamespace | None:
    """What the database holds right now (a fresh read, not the grid's snapshot)."""
    with store.read() as s:
        row = s.execute(select(SubjectEvaluation).where(
            SubjectEvaluation.enrolment_id == enrolment_id, SubjectEvaluation.period == period,
            SubjectEvaluation.subject_code == code)).scalars().first()
        return None if row is None else SimpleNamespace(level=row.level, score=row.score, comment=row.comment)


@pytest.fixture
def win(qtbot, demo_store):
    w = MainWindow(demo_store, "GV009")  # GVCN of 5A
    qtbot.addWidget(w)
    w.show()
    w.select_class("5A")
    w.set_period("CN")
    return w


def type_level(view, row: int, col: int, key) -> None:
    view.setCurrentIndex(view.model().index(row, col))
    QTest.keyClick(view, key)


def type_in_editor(view, row: int, col: int, text_: str, finish=Qt.Key.Key_Return) -> None:
    view.setCurrentIndex(view.model().index(row, col))
    QTest.keyClick(view, text_[0])  # opens the editor with the first character
    ed = QApplication.focusWidget()
    QTest.keyClicks(ed, text_[1:])
    QTest.keyClick(ed, finish)


def test_level_keystroke_saves_and_moves_down(win: MainWindow, demo_store: Store) -> None:
    v = win.views["subjects"]
    m = v.model()
    c = col_of(m, "subject_level", "DD")
    row = m.rows[0]
    new = "H" if (row.subjects["DD"].level != "H") else "T"
    type_level(v, 0, c, getattr(Qt.Key, f"Key_{new}"))
    assert v.currentIndex().row() == 1  # moved on
    assert db_subject(demo_store, row.enrolment_id, "CN", "DD").level == new  # committed at once
    assert m.data(m.index(0, c)) == new


def test_lowercase_and_d_for_dat(win: MainWindow, demo_store: Store) -> None:
    win.tabs.setCurrentIndex(1)
    v = win.views["qualities"]
    m = v.model()
    c = col_of(m, "quality_level", "CC")
    v.setCurrentIndex(m.index(2, c))
    QTest.keyClicks(v, "d")
    assert m.data(m.index(2, c)) == "Đ"


def test_invalid_inputs_refused_with_vietnamese_message(win: MainWindow, demo_store: Store) -> None:
    v = win.views["subjects"]
    m = v.model()
    sc = col_of(m, "subject_score", "TOAN")
    before = db_subject(demo_store, m.rows[0].enrolment_id, "CN", "TOAN").score
    type_in_editor(v, 0, sc, "11")
    assert "điểm phải từ 1 đến 10" in win.statusBar().currentMessage()
    type_in_editor(v, 0, sc, "7.5")
    assert "số nguyên" in win.statusBar().currentMessage()
    assert db_subject(demo_store, m.rows[0].enrolment_id, "CN", "TOAN").score == before
    lc = col_of(m, "subject_level", "TOAN")
    type_level(v, 0, lc, Qt.Key.Key_D)
    assert "T, H hoặc C" in win.statusBar().currentMessage()
    type_in_editor(v, 0, sc, "9", Qt.Key.Key_Tab)
    assert db_subject(demo_store, m.rows[0].enrolment_id, "CN", "TOAN").score == 9
    assert v.currentIndex().column() == sc + 1  # Tab goes right


def test_untested_period_has_no_score_column_and_paste_refuses(win: MainWindow) -> None:
    win.select_class("3A")
    win.set_period("GK1")  # grade 3: no mid-term tests
    m = win.views["subjects"].model()
    assert not any(c.kind == "subject_score" for c in m.columns)


def test_paste_block_keeps_valid_refuses_invalid(win: MainWindow, demo_store: Store) -> None:
    v = win.views["subjects"]
    m = v.model()
    lc = col_of(m, "subject_level", "TV")
    v.setCurrentIndex(m.index(0, lc))
    # TV level, TV score, TV comment for three students; row 2 has an 11 and row 3 a "Đ"
    block = "T\t9\tĐọc tốt\nH\t11\tCần cố gắng\nĐ\t6\tỔn\n"
    v.paste_text(block)
    rows = m.rows[:3]
    got = [db_subject(demo_store, r.enrolment_id, "CN", "TV") for r in rows]
    assert (got[0].level, got[0].score, got[0].comment) == ("T", 9, "Đọc tốt")
    assert got[1].level == "H" and got[1].score != 11 and got[1].comment == "Cần cố gắng"
    assert got[2].level != "Đ" and got[2].score == 6
    notices = [win.notices.item(i).text() for i in range(win.notices.count())]
    assert any("11" in n and rows[1].full_name in n for n in notices)
    assert any("Đ" in n and rows[2].full_name in n for n in notices)
    assert "từ chối 2 ô" in win.statusBar().currentMessage()


def test_undo_redo(win: MainWindow, demo_store: Store) -> None:
    v = win.views["subjects"]
    m = v.model()
    c = col_of(m, "subject_level", "KH")
    r0 = m.rows[0]
    old = r0.subjects["KH"].level
    new = "C" if old != "C" else "T"
    type_level(v, 0, c, getattr(Qt.Key, f"Key_{new}"))
    assert db_subject(demo_store, r0.enrolment_id, "CN", "KH").level == new
    QTest.keySequence(win, "Ctrl+Z")
    assert db_subject(demo_store, r0.enrolment_id, "CN", "KH").level == old
    QTest.keySequence(win, "Ctrl+Y")
    assert db_subject(demo_store, r0.enrolment_id, "CN", "KH").level == new
    assert demo_store.verify_audit().ok


def test_delete_clears_selection(win: MainWindow, demo_store: Store) -> None:
    v = win.views["subjects"]
    m = v.model()
    c = col_of(m, "subject_comment", "TOAN")
    v.setCurrentIndex(m.index(4, c))
    QTest.keyClick(v, Qt.Key.Key_Delete)
    assert db_subject(demo_store, m.rows[4].enrolment_id, "CN", "TOAN").comment == ""


def test_rights_subject_teacher(qtbot, demo_store: Store) -> None:
    w = MainWindow(demo_store, "GV011")  # English teacher
    qtbot.addWidget(w)
    w.show()
    w.select_class("5A")
    v = w.views["subjects"]
    m = v.model()
    tv = col_of(m, "subject_level", "TV")
    nn = col_of(m, "subject_level", "NN1")
    assert not (m.flags(m.index(0, tv)) & Qt.ItemFlag.ItemIsEditable)
    assert m.flags(m.index(0, nn)) & Qt.ItemFlag.ItemIsEditable
    before = m.data(m.index(0, tv))
    type_level(v, 0, tv, Qt.Key.Key_C)
    assert m.data(m.index(0, tv)) == before
    assert "GVBM" in w.statusBar().currentMessage()
    w.tabs.setCurrentIndex(1)
    q = w.views["qualities"].model()
    assert not (q.flags(q.index(0, col_of(q, "quality_level", "YN"))) & Qt.ItemFlag.ItemIsEditable)


def test_nobody_chosen_is_read_only(qtbot, demo_store: Store) -> None:
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.select_class("1A")
    m = w.views["subjects"].model()
    assert not any(m.flags(m.index(0, i)) & Qt.ItemFlag.ItemIsEditable for i in range(m.columnCount()))


def test_result_change_needs_reason(win: MainWindow, demo_store: Store) -> None:
    win.tabs.setCurrentIndex(2)
    v = win.views["summary"]
    m = v.model()
    c = col_of(m, "confirmed")
    r = next(i for i, row in enumerate(m.rows) if row.proposal.result in ("HT", "HTT"))
    asked = []
    win.session.reason_provider = lambda row, new, proposed: asked.append((new, proposed)) or None  # cancel
    assert not m.setData(m.index(r, c), "HTXS")
    win.session.reason_provider = lambda row, new, proposed: "Hội đồng lớp đề nghị"
    assert m.setData(m.index(r, c), "HTXS")
    assert asked and asked[0][0] == "HTXS"
    with demo_store.read() as s:
        row = s.execute(text("SELECT confirmed_result, change_reason FROM year_result WHERE enrolment_id=:e"),
                        {"e": m.rows[r].enrolment_id}).first()
    assert tuple(row) == ("HTXS", "Hội đồng lớp đề nghị")
    with demo_store.read() as s:
        audit = s.execute(text("SELECT actor, changes FROM audit_log WHERE action='evaluation.year' ORDER BY id DESC")).first()
    assert audit[0] == "GV009" and "Hội đồng lớp đề nghị" in audit[1]


def test_comment_bank_suggestions(demo_store: Store) -> None:
    from hocbaso_desktop.domain.roles import VIEWER
    from hocbaso_desktop.services import comment_bank, directory

    tv = comment_bank.suggestions(demo_store, "TV", "T")
    assert tv and tv[0].target == "TV"  # specific first, then generic
    gv = directory.actor(demo_store, "GV009")
    s = comment_bank.add(demo_store, gv, "TOAN", "H", "Cần luyện thêm phép chia")
    assert any(x.text == "Cần luyện thêm phép chia" for x in comment_bank.suggestions(demo_store, "TOAN", "H"))
    comment_bank.remove(demo_store, gv, s.id)
    with pytest.raises(Exception, match="Không có quyền"):
        comment_bank.add(demo_store, VIEWER, "TOAN", "H", "x")


KILLED_EDITOR = textwrap.dedent(
    """
    import os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication
    from hocbaso_desktop.gui.main_window import MainWindow
    from hocbaso_desktop.storage.engine import Store
    app = QApplication([])
    store = Store.open(sys.argv[1])
    w = MainWindow(store, "GV009"); w.show(); w.select_class("5A")
    m = w.views["subjects"].model()
    c = next(i for i, col in enumerate(m.columns) if col.kind == "subject_comment" and col.code == "KH")
    assert m.setData(m.index(0, c), "Ghi trước khi bị tắt đột ngột")
    print(m.rows[0].enrolment_id, flush=True)
    time.sleep(60)
    """
)


def test_kill_after_accepted_edit_loses_nothing(demo_db: Path, tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text(KILLED_EDITOR, encoding="utf-8")
    p = subprocess.Popen([sys.executable, str(script), str(demo_db)], stdout=subprocess.PIPE, text=True)
    enrolment_id = int(p.stdout.readline())
    p.send_signal(signal.SIGKILL)
    p.wait()
    with Store.open(demo_db) as store:
        assert db_subject(store, enrolment_id, "CN", "KH").comment == "Ghi trước khi bị tắt đột ngột"
        assert store.verify_audit().ok
