"""Re-confirming a stale result in the grid (issue 18): the GVCN confirmed HT when the levels said HT,
a level changed since, and signing refuses the record as «stale». Typing the same result again in the
cell is the GVCN's answer: it asks for the reason (the result now differs from the proposal), stores
the confirmation with that reason, and signing accepts it. Typed by keystrokes, on a school set up
from nothing and on the demo; the hostile twins write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from sqlalchemy import func, select

from hocbaso_desktop.domain.catalogue import FINAL_PERIOD
from hocbaso_desktop.gui.app import open_main_window
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.services.grid import load_grid
from hocbaso_desktop.services.signing_plan import plan_signing, stale_confirmation
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, YearResult
from tests.e2e.five_years import fill_final
from tests.gui.test_grid_editing import col_of
from tests.gui.test_grid_keyboard import answer_reason, focus_cell, shown
from tests.pupil_school import YEAR, new_school
from tests.services.test_stale_confirmation import lower_a_level

SHOTS = Path("/tmp/shots")
REASON = "Hoi dong lop giu ket qua"  # typed into the dialog's line edit (QTest types ASCII)


def stale_school(tmp_path: Path) -> tuple[Path, str, str, str | None, int, str, str]:
    """(db, class, GVCN, year, enrolment, confirmed, proposal) on a school from nothing, one pupil's
    confirmation gone stale."""
    db = tmp_path / "new.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
        fill_final(store, "1A", YEAR)
        eid, confirmed, proposed = lower_a_level(store, "GV1", "1A", YEAR)
    return db, "1A", "GV1", YEAR, eid, confirmed, proposed


def year_row(store: Store, eid: int) -> tuple[str | None, str, object]:
    with store.read() as s:
        y = s.execute(select(YearResult).where(YearResult.enrolment_id == eid)).scalars().one()
        return y.confirmed_result, y.change_reason, y.confirmed_at


def audit_count(store: Store) -> int:
    with store.read() as s:
        return int(s.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def grid_row(store: Store, class_name: str, year: str | None, eid: int):  # noqa: ANN201
    info = directory.find_class(store, class_name, year)
    return next(r for r in load_grid(store, info.id, FINAL_PERIOD).rows if r.enrolment_id == eid)


def type_result(qtbot, w: MainWindow, eid: int, text: str, reason: str | None) -> list[str]:
    """Type `text` in the pupil's «Kết quả» cell and press Enter, answering the reason question."""
    w.tabs.setCurrentIndex(2)
    v = w.current_view()
    m = v.model()
    r = next(i for i, row in enumerate(m.rows) if row.enrolment_id == eid)
    v = focus_cell(w, r, col_of(m, "confirmed"))
    seen = answer_reason(qtbot, reason)
    QTest.keyClick(v, getattr(Qt.Key, f"Key_{text[0]}"))  # the first key opens the cell editor
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    QTest.keyClicks(editor, text[1:])
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    QApplication.processEvents()
    return seen


@pytest.fixture(params=["new", "demo"])
def stale(request, tmp_path: Path):  # noqa: ANN201
    if request.param == "new":
        return stale_school(tmp_path)
    db = request.getfixturevalue("demo_db")
    with Store.open(db) as store:
        info = directory.find_class(store, "5A")
        eid, confirmed, proposed = lower_a_level(store, info.homeroom_code, "5A")
        return db, "5A", info.homeroom_code, None, eid, confirmed, proposed


def test_typing_the_same_result_again_reconfirms_it_and_signing_accepts_it(qtbot, stale) -> None:
    db, class_name, gvcn, year, eid, confirmed, proposed = stale
    w = shown(qtbot, open_main_window(db=db, class_name=class_name, actor=gvcn, period=FINAL_PERIOD))
    store = w.store
    actor = directory.actor(store, gvcn, year)
    info = directory.find_class(store, class_name, year)
    assert stale_confirmation(grid_row(store, class_name, year, eid)) is not None
    assert eid in {n.enrolment_id for n in plan_signing(store, actor, [info.id]).skipped if n.kind == "stale"}
    seen = type_result(qtbot, w, eid, confirmed, REASON)
    assert seen == ["Lý do thay đổi kết quả"]
    assert year_row(store, eid)[:2] == (confirmed, REASON)
    assert f"Đã xác nhận lại kết quả {confirmed}" in w.statusBar().currentMessage()
    assert stale_confirmation(grid_row(store, class_name, year, eid)) is None
    plan = plan_signing(store, actor, [info.id])
    assert eid not in {n.enrolment_id for n in plan.skipped if n.kind == "stale"}
    assert eid in {i.enrolment_id for i in plan.items}
    with store.read() as s:
        who, changes = s.execute(select(AuditEntry.actor, AuditEntry.changes).where(AuditEntry.action == "evaluation.year")
                                 .order_by(AuditEntry.id.desc())).first()
    data = json.loads(changes)
    assert who == gvcn and data["xac_nhan_lai"] is True and data["ly_do"] == REASON
    assert data["de_xuat"] == proposed and data["confirmed_result"] == [confirmed, confirmed]
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert w.grab().save(str(SHOTS / f"reconfirm-{class_name}.png"))


@pytest.mark.parametrize("answer", [None, ""])
def test_no_reason_no_reconfirmation(qtbot, stale, answer: str | None) -> None:
    """Hostile: Cancel, or OK on an empty reason — the result differs from the proposal, so nothing is written."""
    db, class_name, gvcn, year, eid, confirmed, _ = stale
    w = shown(qtbot, open_main_window(db=db, class_name=class_name, actor=gvcn, period=FINAL_PERIOD))
    store = w.store
    before, audits = year_row(store, eid), audit_count(store)
    assert type_result(qtbot, w, eid, confirmed, answer) == ["Lý do thay đổi kết quả"]
    assert year_row(store, eid) == before and audit_count(store) == audits
    assert stale_confirmation(grid_row(store, class_name, year, eid)) is not None


def test_the_service_refuses_a_reconfirmation_without_reason_or_right(tmp_path: Path) -> None:
    """Hostile, below the GUI: no reason → refused with the proposal named; a teacher who is not the
    GVCN (GV2 teaches 4A) → refused; nothing written either way."""
    db, class_name, gvcn, year, eid, confirmed, proposed = stale_school(tmp_path)
    with Store.open(db) as store:
        before, audits = year_row(store, eid), audit_count(store)
        out = apply_edits(store, directory.actor(store, gvcn, year), [CellEdit(eid, FINAL_PERIOD, "confirmed", "", confirmed)])
        assert not out[0].ok and f"khác đề xuất theo TT27 ({proposed})" in out[0].message
        out = apply_edits(store, directory.actor(store, "GV2", year),
                          [CellEdit(eid, FINAL_PERIOD, "confirmed", "", confirmed, REASON)])
        assert not out[0].ok and "GVCN" in out[0].message
        assert year_row(store, eid) == before and audit_count(store) == audits


def test_a_teacher_who_is_not_the_gvcn_cannot_reconfirm_in_the_grid(qtbot, tmp_path: Path) -> None:
    db, class_name, _, year, eid, confirmed, _ = stale_school(tmp_path)
    w = shown(qtbot, open_main_window(db=db, class_name="4A", actor="GV2", period=FINAL_PERIOD))
    store = w.store
    before, audits = year_row(store, eid), audit_count(store)
    # GV2 may open 1A's grid (read-only for her): the cell takes no keystroke, and a forced setData is refused
    if w.select_class(class_name):
        w.tabs.setCurrentIndex(2)
        m = w.current_view().model()
        r = next(i for i, row in enumerate(m.rows) if row.enrolment_id == eid)
        idx = m.index(r, col_of(m, "confirmed"))
        assert not (m.flags(idx) & Qt.ItemFlag.ItemIsEditable)
        w.session.reason_provider = lambda row, new, proposed: REASON
        assert m.setData(idx, confirmed) is False
    assert year_row(store, eid) == before and audit_count(store) == audits
