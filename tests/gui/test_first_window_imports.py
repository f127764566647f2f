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
