"""Every window fits a 1366×768 laptop (issue 18): the main window with its status bar (where «Đã lưu»
and refusals are told) and the preview windows that once opened 1025 px tall. Checked in a child
process on an offscreen screen of that size, and of 1366×728 (the same laptop less a 40 px taskbar)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hocbaso_desktop.gui.screen_fit import FRAME_ALLOWANCE
from hocbaso_desktop.storage.engine import Store
from tests.conftest import REPO
from tests.pupil_school import new_school

SHOTS = Path("/tmp/shots")


def windows_on_screen(db: Path, class_name: str, actor: str, width: int, height: int, tmp_path: Path) -> list[dict]:
    config = tmp_path / f"screen-{width}x{height}.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    out = SHOTS / f"{width}x{height}-{class_name}"
    r = subprocess.run([sys.executable, "-m", "tests.gui.fit_check", str(db), str(out), class_name, actor],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


def assert_fits(win: dict) -> None:
    ax, ay, aw, ah = win["available"]
    fx, fy, fw, fh = win["frame"]
    assert ax <= fx and ay <= fy and fx + fw <= ax + aw and fy + fh <= ay + ah, win
    # with a real title bar and borders (not the offscreen 2 px) it would still fit
    _gx, _gy, gw, gh = win["geometry"]
    assert gw + FRAME_ALLOWANCE.width() <= aw and gh + FRAME_ALLOWANCE.height() <= ah, win


@pytest.mark.parametrize("height", [768, 728])
def test_demo_windows_fit_a_1366_laptop(demo_db: Path, tmp_path: Path, height: int) -> None:
    wins = {w["name"]: w for w in windows_on_screen(demo_db, "5A", "HT", 1366, height, tmp_path)}
    assert set(wins) == {"main-window", "paper-preview", "archive-pdf-viewer", "archive-browser"}
    for w in wins.values():
        assert_fits(w)
    main = wins["main-window"]
    assert main["status_bar"] is not None and main["status_text"] == "Đã lưu"
    sx, sy, sw, sh = main["status_bar"]
    assert sy + sh <= main["geometry"][3] and sh > 0  # the status bar is inside the window, not cut off
    assert main["minimum"][1] + FRAME_ALLOWANCE.height() <= height
    preview = wins["paper-preview"]
    assert all(b[1] + b[3] <= preview["geometry"][3] for b in preview["buttons"])  # «In…», «Lưu PDF…» on screen


def test_new_school_windows_fit_a_1366_laptop(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
    wins = windows_on_screen(db, "1A", "GV1", 1366, 728, tmp_path)
    assert {w["name"] for w in wins} >= {"main-window", "paper-preview", "archive-browser"}
    for w in wins:
        assert_fits(w)


def test_a_big_screen_keeps_the_designed_sizes(demo_db: Path, tmp_path: Path) -> None:
    """Not shrunk for nothing: on 1920×1080 the main window and the A4 preview keep their sizes."""
    wins = {w["name"]: w for w in windows_on_screen(demo_db, "5A", "HT", 1920, 1080, tmp_path)}
    assert wins["main-window"]["geometry"][2:] == [1280, 760]
    assert wins["paper-preview"]["geometry"][2:] == [900, 1000]
