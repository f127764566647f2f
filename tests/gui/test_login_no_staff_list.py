"""Before anyone has logged in, the login dialog lists no staff (issue 18): no completer popping up
codes, no name shown for a typed code — on the demo and on a school set up from nothing. The lock
screen, which fills in the locked-in user's code itself, still greets that person by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListView

from hocbaso_desktop.gui.login import LoginDialog
from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from tests.pupil_school import new_school


@pytest.mark.parametrize("school", ["demo", "new"])
def test_typing_a_code_reveals_nothing(qtbot, school: str, demo_db: Path, tmp_path: Path) -> None:  # noqa: ANN001
    db = demo_db if school == "demo" else tmp_path / "new.sqlite3"
    with Store.open(db) as store:
        if school == "new":
            new_school(store, tmp_path)
        staff = [r for r in directory.staff(store) if r.active]
        code = staff[0].code
        d = LoginDialog(store)
        qtbot.addWidget(d)
        d.show()
        qtbot.waitExposed(d)
        assert d.code_edit.completer() is None
        for prefix_len in range(1, len(code) + 1):
            d.code_edit.clear()
            QTest.keyClicks(d.code_edit, code[:prefix_len])
            qtbot.wait(20)
            popups = [w for w in QApplication.topLevelWidgets() if isinstance(w, QListView) and w.isVisible()]
            assert not popups  # nothing drops down under the field
        assert d.code_edit.text() == code and d.name_label.text() == ""
        assert staff[0].full_name not in " ".join(w.text() for w in d.findChildren(type(d.name_label)))
        d.grab().save(f"/tmp/shots/login_{school}.png")
        d.close()
        # the lock screen: the program fills in who was logged in, and may greet them
        lock = LoginDialog(store, code=code.lower())
        qtbot.addWidget(lock)
        assert lock.name_label.text() == staff[0].full_name
        QTest.keyClicks(lock.code_edit, "X")  # someone else's code typed over it: no name again
        assert lock.name_label.text() == ""
