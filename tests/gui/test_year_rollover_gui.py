"""Nhà trường › Mở năm học mới… (issue 17): the menu QAction opens the dialog, the preview and the
apply run on the worker thread, the principal's confirmation shows only when records are incomplete
and only the principal may tick it; a teacher is refused at the menu. On the demo and on a school
set up from nothing (tests/rollover_school.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.year_rollover_ui import YearRolloverDialog
from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from tests import rollover_school as rs

SHOTS = Path("/tmp/shots")


def _action(w: MainWindow) -> QAction:
    a = w.findChild(QAction, "action_year_open")
    assert a is not None and a.text() == "Mở năm học mới…"
    assert any(a in top.menu().actions() for top in w.menuBar().actions() if top.menu() is not None
               and top.menu().objectName() == "school_menu")
    return a


def _wait(qtbot, dlg: YearRolloverDialog, click=None) -> None:  # noqa: ANN001
    if dlg.job is not None and not dlg.job.finished_flag:
        with qtbot.waitSignal(dlg.completed, timeout=120_000):
            pass
    if click is not None:
        with qtbot.waitSignal(dlg.completed, timeout=120_000):
            click()


def test_principal_opens_the_next_year_on_the_demo(qtbot, demo_store) -> None:  # noqa: ANN001
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    _action(w).trigger()
    dlg = w.year_rollover_ui.dialog
    assert isinstance(dlg, YearRolloverDialog) and dlg.isVisible()
    _wait(qtbot, dlg)
    assert dlg.error is None and dlg.plan is not None and dlg.plan.dry_run
    assert dlg.new_year.text() == "2026-2027" and directory.years(demo_store) == ["2025-2026"]
    assert dlg.tables["promoted"].rowCount() == len(dlg.plan.promoted) > 200
    assert dlg.tables["waiting"].rowCount() == 18
    assert dlg.confirm_box.isVisible() and dlg.confirm_box.isEnabled()  # nothing is issued in the demo
    # merge 1B into 2A, split 2A into 3A and 3C; copy the assignments
    dlg.set_target("1B", "2A")
    dlg.set_target("2A", "3A, 3C")
    dlg.copy_box.setChecked(True)
    _wait(qtbot, dlg)
    _wait(qtbot, dlg, dlg.preview_button.click)
    assert dlg.error is None, dlg.summary.toPlainText()
    assert ("3C", 3) in dlg.plan.classes_made and ("2B", 2) not in dlg.plan.classes_made
    SHOTS.mkdir(parents=True, exist_ok=True)
    dlg.grab().save(str(SHOTS / "rollover.png"))
    # without the confirmation the service refuses, and nothing is written
    _wait(qtbot, dlg, dlg.apply_button.click)
    assert dlg.error and "--confirm-incomplete" in dlg.error and "Không mở được" in dlg.summary.toPlainText()
    assert directory.years(demo_store) == ["2025-2026"]
    dlg.confirm_box.setChecked(True)
    _wait(qtbot, dlg, dlg.apply_button.click)
    assert dlg.error is None and dlg.plan.applied, dlg.summary.toPlainText()
    assert "Đã mở năm học 2026-2027" in dlg.summary.toPlainText()
    assert w.year_combo.findText("2026-2027") >= 0  # the window knows the new year
    assert {c.name for c in directory.classes(demo_store, "2026-2027")} >= {"2A", "3A", "3C"}
    dlg.grab().save(str(SHOTS / "rollover-applied.png"))


def test_clerk_sees_the_confirmation_disabled_and_a_teacher_is_refused(qtbot, demo_store, monkeypatch) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QMessageBox

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: warned.append(text))
    w = MainWindow(demo_store, "VP01", allow_actor_choice=False)
    qtbot.addWidget(w)
    _action(w).trigger()
    dlg = w.year_rollover_ui.dialog
    _wait(qtbot, dlg)
    assert dlg.confirm_box.isVisible() and not dlg.confirm_box.isEnabled()
    assert not dlg.copy_box.isEnabled()  # the clerk does not assign teachers
    _wait(qtbot, dlg, dlg.apply_button.click)
    assert dlg.error and directory.years(demo_store) == ["2025-2026"]
    dlg.close()

    t = MainWindow(demo_store, "GV001", allow_actor_choice=False)
    qtbot.addWidget(t)
    t.year_rollover_ui.dialog = None
    _action(t).trigger()
    assert t.year_rollover_ui.dialog is None
    assert warned and "Không có quyền nhập danh sách học sinh" in warned[-1]


def test_school_from_nothing_wrong_mapping_then_apply(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    db = rs.build(tmp_path)
    with Store.open(db) as store:
        w = MainWindow(store, "HT")
        qtbot.addWidget(w)
        _action(w).trigger()
        dlg = w.year_rollover_ui.dialog
        _wait(qtbot, dlg)
        assert dlg.new_year.text() == rs.NEXT and dlg.mapping.rowCount() == 2  # 1A, 3A (5A graduates)
        dlg.set_target("1A", "3B")
        _wait(qtbot, dlg, dlg.preview_button.click)
        assert "lớp 3B thuộc khối 3" in dlg.summary.toPlainText()
        before = rs.counts(db)
        dlg.set_target("1A", "2A")
        dlg.confirm_box.setChecked(True)
        _wait(qtbot, dlg, dlg.apply_button.click)
        assert dlg.plan.applied and rs.counts(db) != before
        assert [r.personal_id for r in directory.students(store, "4A", rs.NEXT)]
        w.close()
