"""gui.app.open_main_window: the main window on a database, a class and an account, without the login
dialog (issue 18's contract for checks and screenshots)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hocbaso_desktop.domain.errors import HocbasoError
from hocbaso_desktop.gui.app import open_main_window
from hocbaso_desktop.storage.engine import Store
from tests.pupil_school import new_school


def test_opens_on_the_demo_as_the_account(qtbot, demo_db: Path) -> None:
    w = open_main_window(db=demo_db, class_name="5A", actor="GV009")
    qtbot.addWidget(w)
    assert w.actor.code == "GV009" and w.actor_combo.count() == 1 and not w.actor_combo.isEnabled()
    assert w.grid is not None and w.grid.info.name == "5A" and w.session.rows
    assert "Lớp 5A" in w.windowTitle()


def test_opens_on_a_school_set_up_from_nothing(qtbot, tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
    w = open_main_window(db=db, class_name="1A", actor="GV1", period="CK1")
    qtbot.addWidget(w)
    assert w.actor.code == "GV1" and w.period == "CK1" and w.grid.info.name == "1A"
    assert len(w.session.rows) == 2


def test_an_unknown_account_or_class_is_refused_by_name(qtbot, demo_db: Path) -> None:
    with pytest.raises(HocbasoError, match="GV999"):
        open_main_window(db=demo_db, class_name="5A", actor="GV999")
    with pytest.raises(HocbasoError, match="9Z"):
        open_main_window(db=demo_db, class_name="9Z", actor="HT")
