"""A screenshot of every dialog at 1366×768 (issue 18): each menu item of the main window is clicked on
an offscreen laptop screen in a child process (tests/gui/dialog_screens.py); every window it opens is
saved to /tmp/shots/dialogs/<name>.png and must fit the screen, show no English (Qt's own buttons
included), no raw code (a settings key, a Python class name, a traceback) and no label cut short."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hocbaso_desktop.gui.screen_fit import FRAME_ALLOWANCE
from hocbaso_desktop.storage.engine import Store
from tests.conftest import REPO
from tests.pupil_school import new_school

SHOTS = Path("/tmp/shots/dialogs")
ENGLISH = ("OK", "Cancel", "Yes", "No", "Close", "Save", "Open", "Browse", "Error", "Warning", "File", "Apply",
           "Reset", "Discard", "Help", "Abort", "Retry", "Ignore", "Select", "Directory", "Folder", "Print",
           "Details", "Delete", "Back", "Next", "Finish")
ENGLISH_WORD = re.compile(r"(?<!\w)(?:" + "|".join(ENGLISH) + r")(?!\w)")
# a dotted settings key (outbox.endpoint), not a file name (demo.sqlite3), a path, an address or a number
SETTINGS_KEY = re.compile(r"(?<![\w/\\.@:-])[a-z][a-z0-9_]*\.([a-z][a-z0-9_]*)(?![\w.])")
FILE_TYPES = {"pdf", "xlsx", "xml", "zip", "sqlite3", "json", "csv", "txt", "png", "so", "dll", "log", "md", "qm"}
PYTHON_NAME = re.compile(r"\b[A-Z][A-Za-z0-9]*(?:Error|Exception)\b|\bTraceback\b|\bNoneType\b")
# dialogs a principal reaches on the demo school: these must be among the screenshots
DEMO_DIALOGS = {"ImportWizard", "GridImportDialog", "LoginDialog", "StaffDialog", "AssignmentsDialog",
                "YearRolloverDialog", "PupilDialog", "TrustDialog", "PaperPreviewDialog", "PromotionDialog",
                "TranscriptionDialog", "CommentBankDialog", "AccountsDialog", "SettingsDialog", "GuideDialog",
                "AboutDialog", "SignDialog", "VerifyDialog", "ArchiveExportDialog", "ArchiveBrowser",
                "QueueDialog", "DeadlineDialog", "KqhtDialog", "RequestDialog", "CorrectionsInbox",
                "RecordHistoryDialog", "AuditViewer", "DashboardDialog", "ReportDialog", "TransferExportDialog",
                "TransferImportDialog"}


def problems(rec: dict) -> list[str]:
    """What is wrong with one captured window (empty: nothing)."""
    out: list[str] = []
    ax, ay, aw, ah = rec["available"]
    fx, fy, fw, fh = rec["frame"]
    _gx, _gy, gw, gh = rec["geometry"]
    if not (ax <= fx and ay <= fy and fx + fw <= ax + aw and fy + fh <= ay + ah) \
            or gw + FRAME_ALLOWANCE.width() > aw or gh + FRAME_ALLOWANCE.height() > ah:
        out.append(f"does not fit {aw}×{ah}: frame {rec['frame']}")
    for source, text in rec["texts"]:
        english = ENGLISH_WORD.findall(text)
        keys = [m.group(0) for m in SETTINGS_KEY.finditer(text) if m.group(1) not in FILE_TYPES]
        names = PYTHON_NAME.findall(text)
        if english or keys or names:
            out.append(f"{source}: {english + keys + names} in «{text[:120]}»")
    out += [f"clipped label «{c['text']}»: needs {c['needs']} px, has {c['has']}" for c in rec["clipped"]]
    return out


def dialogs_on_screen(db: Path, class_name: str, actor: str, out: Path, tmp_path: Path) -> dict:
    config = tmp_path / "screen-1366x768.json"
    config.write_text(json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    r = subprocess.run([sys.executable, "-m", "tests.gui.dialog_screens", str(db), str(out), class_name, actor],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    result = json.loads(r.stdout.strip().splitlines()[-1])
    (out / "dialogs.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")  # to read
    return result


def assert_all_well(result: dict, out: Path) -> None:
    found = {rec["name"]: problems(rec) for rec in result["dialogs"]}
    assert {name: p for name, p in found.items() if p} == {}
    for rec in result["dialogs"]:
        assert (out / f"{rec['name']}.png").stat().st_size > 1000, rec["name"]  # a picture, not an empty file


def test_every_dialog_of_the_demo_at_1366x768(demo_db: Path, tmp_path: Path) -> None:
    result = dialogs_on_screen(demo_db, "5A", "HT", SHOTS, tmp_path)
    assert len(result["tried"]) >= 40, result["tried"]
    shown = {rec["class"] for rec in result["dialogs"]}
    assert DEMO_DIALOGS <= shown, DEMO_DIALOGS - shown
    assert_all_well(result, SHOTS)


def test_every_dialog_of_a_school_from_nothing_at_1366x768(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    with Store.open(db) as store:
        new_school(store, tmp_path)
    out = SHOTS / "new-school"
    result = dialogs_on_screen(db, "1A", "GV1", out, tmp_path)
    assert len(result["tried"]) >= 30, result["tried"]
    assert len(result["dialogs"]) >= 15, [rec["class"] for rec in result["dialogs"]]
    assert_all_well(result, out)


FITS = {"available": [0, 0, 1366, 768], "frame": [100, 50, 800, 600], "geometry": [101, 80, 798, 568],
        "clipped": [], "texts": []}


@pytest.mark.parametrize("text", ["OK", "Hủy / Cancel", "&Yes", "No", "Close", "Lưu (Save)", "Browse…", "Error:",
                                  "Warning", "File", "Đặt địa chỉ outbox.endpoint trước", "PKCS11Error: CKR_PIN",
                                  "Traceback (most recent call last)", "ValueError", "school.name"])
def test_the_check_sees_english_and_raw_codes(text: str) -> None:
    assert problems({**FITS, "texts": [["QLabel", text]]})


@pytest.mark.parametrize("text", ["Đồng ý", "Hủy", "Có", "Không", "Đóng", "Lưu", "Chọn…", "Tệp: /tmp/x/demo.sqlite3",
                                  "Đã lưu bc.pdf", "https://csdl.moet.gov.vn/api", "SQLite 3.40.1", "Phông DejaVu Sans",
                                  "Không (mặc định)", "Noi dung"])
def test_the_check_lets_vietnamese_through(text: str) -> None:
    assert problems({**FITS, "texts": [["QLabel", text]]}) == []


def test_the_check_sees_a_window_too_big_and_a_clipped_label() -> None:
    assert problems({**FITS, "frame": [0, 0, 1366, 1025], "geometry": [0, 30, 1366, 995]})
    assert problems({**FITS, "geometry": [0, 0, 1360, 760]})  # no room left for a real title bar
    assert problems({**FITS, "clipped": [{"text": "2026-202", "needs": 80, "has": 60}]})
    assert problems(FITS) == []
