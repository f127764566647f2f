"""Insertion and removal noticed by polling; never a re-initialisation while a session is held."""

from __future__ import annotations

from hocbaso_desktop.signing import softhsm
from hocbaso_desktop.signing.watcher import TokenChange, TokenWatcher

from .conftest import SO_PIN, USER_PIN


def test_watcher_sees_insertion_and_removal_but_waits_for_idle(demo, provider):
    changes: list[TokenChange] = []
    watcher = TokenWatcher(provider, changes.append, interval=0.05)
    first = watcher.poll_once()
    assert first is not None and demo.label in {t.label for t in first.present}
    assert watcher.poll_once() is None  # nothing changed

    with provider.open_session(demo.label) as held:  # a batch holds a session
        softhsm.init_token(demo.conf_path, "USB-MOI", USER_PIN, SO_PIN)
        assert watcher.poll_once() is None  # not re-initialised under the batch's feet
        assert held.list_certificates()  # the held session still works
    change = watcher.poll_once()
    assert change is not None and [t.label for t in change.inserted] == ["USB-MOI"]

    softhsm.delete_token(demo.conf_path, "USB-MOI")
    change = watcher.poll_once()
    assert change is not None and [t.label for t in change.removed] == ["USB-MOI"] and not change.inserted
    assert len(changes) == 3


def test_watcher_thread_starts_and_stops(demo, provider):
    import threading

    seen = threading.Event()
    watcher = TokenWatcher(provider, lambda change: seen.set(), interval=0.05)
    watcher.start()
    try:
        assert seen.wait(60)  # bounds a hang only
    finally:
        watcher.stop()
