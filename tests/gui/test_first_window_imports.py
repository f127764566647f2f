"""The desktop program's first window (issue 19) loads no library it does not show: the PDF writer, the
Excel reader, Alembic and the archive reader are imported when a menu first needs them. Run in a fresh
interpreter through gui/app.main, as `hocbaso-desktop --screenshot` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.new_school import CLASS
from tests.test_startup_imports import _new_school

NOT_FOR_THE_FIRST_WINDOW = ("alembic", "reportlab", "openpyxl", "qrcode", "pypdfium2")
NOT_OURS_YET = ("hocbaso_desktop.exchange.paper_copy", "hocbaso_desktop.services.archive_reading",
                "hocbaso_desktop.gui.sign_dialog", "hocbaso_desktop.gui.settings_tabs", "hocbaso_desktop.services.demo")

RUN_APP = """
import json, sys
from hocbaso_desktop.gui.app import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(json.dumps({"code": code, "loaded": sorted(sys.modules)}), file=sys.stderr)
"""


def _first_window(*args: str, env: dict[str, str] | None = None) -> tuple[int, set[str], str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HOCBASO_") or k.endswith("_DIR")}
    full_env.update(env or {}, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", RUN_APP, *args], capture_output=True, text=True, encoding="utf-8",
                          env=full_env, stdin=subprocess.DEVNULL, timeout=180)
    report = json.loads(done.stderr.rstrip("\n").split("\n")[-1])
    return report["code"], set(report["loaded"]), done.stderr


def _check(loaded: set[str]) -> None:
    tops = {m.split(".")[0] for m in loaded}
    assert not tops & set(NOT_FOR_THE_FIRST_WINDOW), sorted(tops & set(NOT_FOR_THE_FIRST_WINDOW))
    assert not loaded & set(NOT_OURS_YET), sorted(loaded & set(NOT_OURS_YET))


def test_the_demo_schools_first_window(demo_db: Path, tmp_path: Path) -> None:
    shot = tmp_path / "cua-so.png"
    code, loaded, err = _first_window("--db", str(demo_db), "--class", "1A", "--as", "HT", "--screenshot", str(shot))
    assert code == 0, err
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    _check(loaded)


def test_a_new_schools_first_window(tmp_path: Path) -> None:
    db = tmp_path / "kimdong.sqlite3"
    _new_school(db, tmp_path)
    shot = tmp_path / "cua-so.png"
    code, loaded, err = _first_window("--db", str(db), "--class", CLASS, "--as", "QT01", "--screenshot", str(shot))
    assert code == 0, err
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _check(loaded)


def test_an_unknown_class_is_named_and_no_window_is_saved(demo_db: Path, tmp_path: Path) -> None:
    shot = tmp_path / "cua-so.png"
    code, _loaded, err = _first_window("--db", str(demo_db), "--class", "9Z", "--screenshot", str(shot))
    assert code == 1 and "không có lớp 9Z" in err
    assert not shot.exists()


# The window is built and shown, then (before its events run) the loaded modules are listed; then the
# events run until the status bar has started watching the token, and they are listed again.
RUN_SHOWN = """
import json, sys, time
from PySide6.QtWidgets import QApplication
from hocbaso_desktop.gui.app import open_main_window
app = QApplication(sys.argv[:1])
win = open_main_window(sys.argv[1], class_name=sys.argv[2], actor=sys.argv[3])
win.show()
sa = win.signing_actions
before = sorted(sys.modules)
started_before = sa.watching_started
end = time.monotonic() + 60
while time.monotonic() < end and not (sa.watching_started and sys.argv[4] in sa.status_label.text()):
    app.processEvents()
    time.sleep(0.01)
print(json.dumps({"before": before, "started_before": started_before, "after": sorted(sys.modules),
                  "started": sa.watching_started, "label": sa.status_label.text()}))
sa.shutdown()
"""
NOT_BEFORE_THE_WATCHER = ("pkcs11", "cryptography", "lxml", "signxml", "asn1crypto", "hocbaso_desktop.services.signing_setup",
                          "hocbaso_desktop.signing.token", "hocbaso_desktop.sync.outbox")


def _shown(db: Path, class_name: str, actor: str, wait_for: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOCBASO_") or k.endswith("_DIR")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([sys.executable, "-c", RUN_SHOWN, str(db), class_name, actor, wait_for], capture_output=True,
                          text=True, encoding="utf-8", env=env, stdin=subprocess.DEVNULL, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _loaded(names: list[str], wanted: tuple[str, ...]) -> list[str]:
    return sorted(w for w in wanted if any(n == w or n.startswith(w + ".") for n in names))


def test_the_token_library_loads_after_the_demo_window_is_shown_and_the_token_is_seen(demo_db: Path, demo_template: Path) -> None:
    from hocbaso_desktop.storage.engine import Store
    from tests.school_token import school_token

    token = school_token(demo_template)
    with Store.open(demo_db) as store:
        token.attach(store)
    got = _shown(demo_db, "1A", "HT", token.info.label)
    assert not got["started_before"]
    assert not _loaded(got["before"], NOT_BEFORE_THE_WATCHER), _loaded(got["before"], NOT_BEFORE_THE_WATCHER)
    # deferred, not dropped: once the events ran, the watcher polled the token and the status bar names it
    assert got["started"] and token.info.label in got["label"], got["label"]
    assert "pkcs11" in _loaded(got["after"], ("pkcs11",))


def test_a_new_schools_window_starts_watching_after_it_is_shown(tmp_path: Path) -> None:
    db = tmp_path / "kimdong.sqlite3"
    _new_school(db, tmp_path)
    got = _shown(db, CLASS, "QT01", "Thiết bị ký số")
    assert not got["started_before"]
    assert not _loaded(got["before"], NOT_BEFORE_THE_WATCHER), _loaded(got["before"], NOT_BEFORE_THE_WATCHER)
    assert got["started"] and "hocbaso_desktop.services.signing_setup" in got["after"]
    assert got["label"].startswith("Thiết bị ký số: ") and got["label"] != "Thiết bị ký số: "
