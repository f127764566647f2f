"""The status bar's token watcher starts once the window's events run (issue 19: no token library
before the first window). A signing menu used before that starts it at once, and the zero timer that
fires later must not restart a watcher a batch has paused (the batch holds the token)."""

from __future__ import annotations

from pathlib import Path

from hocbaso_desktop.gui.main_window import MainWindow
from tests.school_token import school_token


def test_the_watcher_starts_after_the_window_is_shown(qtbot, demo_store, demo_template: Path) -> None:
    token = school_token(demo_template)
    token.attach(demo_store)
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    sa = w.signing_actions
    assert not sa.watching_started and sa.token_status.watcher is None
    assert sa.status_label.text() == "Thiết bị ký số: đang tìm…"
    w.show()
    qtbot.waitUntil(lambda: token.info.label in sa.status_label.text(), timeout=60_000)
    assert sa.watching_started and sa.token_status.watcher is not None
    sa.shutdown()


def test_a_paused_watcher_is_not_restarted_by_the_start_timer(qtbot, demo_store, demo_template: Path) -> None:
    token = school_token(demo_template)
    token.attach(demo_store)
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    sa = w.signing_actions
    sa.sync_provider()  # what Ký và phát hành… does first: the watcher starts now, before the timer
    assert sa.watching_started and sa.token_status.watcher is not None
    sa.token_status.pause()  # the batch starts
    w.show()
    qtbot.wait(200)  # the zero timer has fired by now
    assert sa.token_status.watcher is None
    sa.token_status.resume()  # the batch ended
    assert sa.token_status.watcher is not None
    sa.shutdown()


def test_a_window_closed_before_its_events_run_never_watches(qtbot, demo_store, demo_template: Path) -> None:
    token = school_token(demo_template)
    token.attach(demo_store)
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    sa = w.signing_actions
    sa.shutdown()
    qtbot.wait(100)
    assert sa.token_status.watcher is None
