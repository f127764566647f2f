"""Shared fixtures: real SQLite files in tmp dirs, one demo school built once per session."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import pytest

# Qt tests run without a screen, always; set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("HOCBASO_DB", None)
# Backups (before a migration or a year lock, daily) and the per-machine config file go to throwaway
# folders, never the developer's own data and config directories.
os.environ["HOCBASO_BACKUP_DIR"] = tempfile.mkdtemp(prefix="hocbaso-test-backups-")
os.environ["HOCBASO_CONFIG_DIR"] = tempfile.mkdtemp(prefix="hocbaso-test-config-")
os.environ["HOCBASO_LOG_DIR"] = tempfile.mkdtemp(prefix="hocbaso-test-log-")  # the commands run here log too

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def pytest_configure(config: pytest.Config) -> None:
    from tests.tools import MARKER

    config.addinivalue_line("markers", f"{MARKER}(*names): programs the test needs (tests/tools.py: skip locally, fail on CI)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    from tests.tools import MARKER, require_tool

    for mark in item.iter_markers(MARKER):
        for name in mark.args:
            require_tool(name)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hocbaso_desktop.services.demo import create_demo_school
    from hocbaso_desktop.storage.engine import Store

    path = tmp_path_factory.mktemp("demo") / "demo-template.sqlite3"
    with Store.open(path) as store:
        create_demo_school(store, seed=2025)
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo school (closed file: the WAL was checkpointed on close)."""
    dst = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_template, dst)
    anchor = Path(str(demo_template) + ".audit-head")
    if anchor.exists():
        shutil.copyfile(anchor, Path(str(dst) + ".audit-head"))
    return dst


@pytest.fixture
def demo_store(demo_db: Path):
    from hocbaso_desktop.storage.engine import Store

    store = Store.open(demo_db)
    yield store
    store.close()


@pytest.fixture
def empty_store(tmp_path: Path):
    from hocbaso_desktop.storage.engine import Store

    store = Store.open(tmp_path / "empty.sqlite3")
    yield store
    store.close()


def hocbaso_cmd() -> list[str]:
    return [sys.executable, "-m", "hocbaso_desktop.cli"]


@pytest.fixture(autouse=True)
def _no_blocking_message_boxes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """A modal QMessageBox nobody answers would hang the whole suite (offscreen, no user). The static
    helpers are replaced by recorders for every test; an unexpected warning/critical box fails the test
    with its text instead. Tests that expect a box patch QMessageBox themselves (their patch wins)."""
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        yield []
        return
    from PySide6.QtWidgets import QMessageBox

    shown: list[tuple[str, str, str]] = []

    def recorder(kind: str, answer: object):
        def box(_parent, title, text, *args, **kwargs):
            shown.append((kind, str(title), str(text)))
            return answer
        return box

    yes = QMessageBox.StandardButton.Yes
    ok = QMessageBox.StandardButton.Ok
    monkeypatch.setattr(QMessageBox, "warning", recorder("warning", ok))
    monkeypatch.setattr(QMessageBox, "critical", recorder("critical", ok))
    monkeypatch.setattr(QMessageBox, "information", recorder("information", ok))
    monkeypatch.setattr(QMessageBox, "question", recorder("question", yes))
    yield shown
    unexpected = [s for s in shown if s[0] in ("warning", "critical")]
    assert not unexpected, f"unexpected message box: {unexpected}"


@pytest.fixture
def log_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The log set up in a private folder; our handler and the hooks taken away afterwards."""
    from hocbaso_desktop import logs

    folder = tmp_path / "nhat-ky"
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(folder))
    hooks = sys.excepthook, threading.excepthook
    yield folder
    sys.excepthook, threading.excepthook = hooks
    h = logs._our_handler()
    if h is not None:
        logging.getLogger().removeHandler(h)
        h.close()
