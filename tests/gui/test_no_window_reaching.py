"""Extensions read who acts, the year and the class from the typed WindowContext (gui/operations.py),
never by probing the main window's attributes with getattr/hasattr (issue 18)."""

from __future__ import annotations

import re
from pathlib import Path

import hocbaso_desktop.gui as gui

# getattr(window, …), getattr(self.window, …), hasattr(win, …), getattr(w, …), getattr(self.parent(), …)
REACHING = re.compile(r"\b(?:getattr|hasattr)\(\s*(?:self\.)?_?(?:window_?|win|w|parent|main|mw)\s*[,)]"
                      r"|\b(?:getattr|hasattr)\(\s*(?:self\.)?(?:parent|window)\(\)\s*,")


def _hits(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if REACHING.search(line)]


def test_the_pattern_catches_every_form_of_reaching() -> None:
    hostile = ['actor = getattr(window, "actor", None)', 'getattr(self.window, "year", None) or None',
               'if hasattr(win, "refresh_school"):', 'code = getattr(w, "actor", VIEWER).code',
               'getattr(self.parent(), "store")', 'lock = getattr(self._window, "idle_lock", None)',
               'getattr(parent, "session", None)', 'getattr(self.window_, "settings_ui", None)']
    assert all(_hits(line) for line in hostile), [line for line in hostile if not _hits(line)]
    honest = ['columns = getattr(model, "columns", None)', 'WindowContext.for_window(self.window).actor',
              'getattr(windows, "x")', 'getattr(self.widget, "x")']
    assert not any(_hits(line) for line in honest)


def test_no_extension_reaches_into_the_main_window() -> None:
    root = Path(gui.__file__).parent
    found = {str(p.relative_to(root)): hits for p in sorted(root.rglob("*.py"))
             if (hits := _hits(p.read_text(encoding="utf-8")))}
    assert found == {}, found


def test_the_context_tells_who_acts_where_on_the_demo(qtbot, demo_db: Path) -> None:
    from hocbaso_desktop.gui.app import open_main_window
    from hocbaso_desktop.gui.operations import WindowContext

    w = open_main_window(db=demo_db, class_name="5A", actor="GV009")
    qtbot.addWidget(w)
    ctx = WindowContext.for_window(w)
    assert ctx is w.context and ctx.actor is w.actor and ctx.actor.code == "GV009"
    assert ctx.year == w.year and ctx.class_id == w.class_id and ctx.class_id is not None


def test_the_context_follows_a_change_of_actor(qtbot, demo_store) -> None:
    from hocbaso_desktop.gui.main_window import MainWindow
    from hocbaso_desktop.gui.operations import WindowContext

    w = MainWindow(demo_store, "HT")  # choosing anyone: the demo's screenshot mode
    qtbot.addWidget(w)
    w.set_acting("HT")
    ctx = WindowContext.for_window(w)
    assert ctx.actor.code == "HT"
    with qtbot.waitSignal(ctx.actor_changed, timeout=10_000) as sig:
        w.set_acting("GV009")
    assert sig.args[0].code == "GV009" and ctx.actor.code == "GV009"


def test_the_context_of_a_school_from_nothing(qtbot, tmp_path: Path) -> None:
    from hocbaso_desktop.gui.app import open_main_window
    from hocbaso_desktop.gui.operations import WindowContext
    from hocbaso_desktop.storage.engine import Store
    from tests.pupil_school import new_school

    db = tmp_path / "new.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
    w = open_main_window(db=db, class_name="1A", actor="GV1")
    qtbot.addWidget(w)
    ctx = WindowContext.for_window(w)
    assert ctx.actor.code == "GV1" and ctx.class_id == w.class_id and ctx.year == w.year


def test_attributes_planted_on_a_bare_window_give_no_rights(qtbot) -> None:
    """A window that is not the main window cannot lend an actor by having an `actor` attribute."""
    from PySide6.QtWidgets import QMainWindow

    from hocbaso_desktop.domain import rights
    from hocbaso_desktop.domain.roles import VIEWER, Actor
    from hocbaso_desktop.gui.operations import WindowContext

    w = QMainWindow()
    qtbot.addWidget(w)
    w.actor = Actor("HT", "Hiệu trưởng", frozenset({"principal"}), frozenset(), frozenset())  # type: ignore[attr-defined]
    w.year, w.class_id = "2099-2100", 7  # type: ignore[attr-defined]
    ctx = WindowContext.for_window(w)
    assert ctx.actor is VIEWER and ctx.year is None and ctx.class_id is None
    assert not rights.allowed(ctx.actor, rights.EXPORT_ARCHIVE)
    assert WindowContext.for_window(w) is ctx  # made once, then found
