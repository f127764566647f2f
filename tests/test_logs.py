"""The log file (hocbaso_desktop/logs.py): where it goes, that every unexpected error lands there with its
traceback (main thread, worker thread, a CLI crash) and is told in Vietnamese naming the file, that
`hocbaso --help` opens no log, and that no PIN or password ever reaches it — after a real login and a
real signing run with a wrong PIN and a right one."""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from hocbaso_desktop import logs
from tests.conftest import hocbaso_cmd
from tests.tools import requires


def _flush() -> None:
    for h in logging.getLogger().handlers:
        h.flush()


def test_the_log_goes_to_the_platform_folder_or_the_env_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import platformdirs

    monkeypatch.delenv(logs.LOG_DIR_ENV, raising=False)
    assert logs.log_dir() == Path(platformdirs.user_log_dir("hocbaso", appauthor=False))
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(tmp_path / "x"))
    assert logs.log_path() == tmp_path / "x" / "hocbaso.log"


def test_setup_once_rotating_and_moves_with_the_folder(log_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import logging.handlers

    path = logs.setup_logging("cli")
    assert path == log_folder / "hocbaso.log"
    assert logs.setup_logging("cli") == path  # a second call adds no second handler
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_hocbaso_log", False)]
    assert len(ours) == 1 and isinstance(ours[0], logging.handlers.RotatingFileHandler)
    assert ours[0].maxBytes == logs.MAX_BYTES and ours[0].backupCount == logs.BACKUPS
    logging.getLogger("hocbaso.test").info("một dòng thử")
    _flush()
    text = path.read_text(encoding="utf-8")
    assert "bắt đầu" in text and "(cli)" in text and "một dòng thử" in text
    other = log_folder.parent / "khac"
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(other))
    assert logs.setup_logging("gui") == other / "hocbaso.log"
    assert len([h for h in logging.getLogger().handlers if getattr(h, "_hocbaso_log", False)]) == 1


def test_a_folder_that_cannot_be_made_is_no_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "tep"
    blocker.write_text("không phải thư mục")
    monkeypatch.setenv(logs.LOG_DIR_ENV, str(blocker / "log"))
    assert logs.setup_logging("cli") is None
    assert "không ghi được nhật ký" in capsys.readouterr().err


@pytest.mark.parametrize("text, secret", [
    ("pin=424242", "424242"), ("password: 'quản trị 2026!'", "quản trị 2026!"), ("Sai PIN 654321", "654321"),
    ("login(password=abc12345)", "abc12345"), ('mật khẩu="đoán bừa 123"', "đoán bừa 123"),
])
def test_secrets_are_masked_prose_is_not(text: str, secret: str) -> None:
    assert secret not in logs.redact(text) and "***" in logs.redact(text)
    assert logs.redact("Nhập mã PIN của thiết bị ký số") == "Nhập mã PIN của thiết bị ký số"


def _boom_in_a_function() -> None:
    raise RuntimeError("hỏng ở đây, pin=111222")


def test_excepthook_logs_the_traceback_and_tells_in_vietnamese(log_folder: Path) -> None:
    path = logs.setup_logging("gui")
    told: list[str] = []
    logs.install_excepthooks(told.append)
    try:
        _boom_in_a_function()
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert told == [f"Đã xảy ra lỗi không mong đợi. Chi tiết đã ghi vào nhật ký: {path}"]
    _flush()
    text = path.read_text(encoding="utf-8")
    assert "CRITICAL" in text and "Traceback (most recent call last)" in text and "_boom_in_a_function" in text
    assert "RuntimeError: hỏng ở đây" in text and "111222" not in text  # even an exception's own text is masked


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # the hook hands on to pytest's
def test_a_worker_thread_error_is_logged_and_told(log_folder: Path) -> None:
    path = logs.setup_logging("gui")
    told: list[str] = []
    logs.install_excepthooks(told.append)
    t = threading.Thread(target=_boom_in_a_function, name="luong-thu")
    t.start()
    t.join()
    assert len(told) == 1 and str(path) in told[0]
    _flush()
    text = path.read_text(encoding="utf-8")
    assert "luong-thu" in text and "_boom_in_a_function" in text


def test_hooks_installed_again_log_a_thread_error_once(log_folder: Path) -> None:
    """A second window (or main() run again in one process) installs the hooks again: a worker's error is
    still logged and told once, not once per installation."""
    path = logs.setup_logging("gui")
    told: list[str] = []
    for _ in range(5):
        logs.install_excepthooks(told.append)
    t = threading.Thread(target=_boom_in_a_function, name="luong-lap-lai")
    t.start()
    t.join()
    assert len(told) == 1
    _flush()
    assert path.read_text(encoding="utf-8").count("Lỗi không mong đợi trong luồng luong-lap-lai") == 1


def test_ctrl_c_stays_ctrl_c(log_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup_logging("cli")
    told: list[str] = []
    logs.install_excepthooks(told.append)
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        sys.excepthook(*sys.exc_info())
    assert told == []


def _run(env_dir: Path, *args: str, code: str | None = None, extra: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HOCBASO_DB", "HOCBASO_AS", "HOCBASO_PASSWORD", "HOCBASO_PIN")}
    env[logs.LOG_DIR_ENV] = str(env_dir)
    env.update(extra or {})
    cmd = [sys.executable, "-c", code] if code else hocbaso_cmd() + list(args)
    return subprocess.run(cmd, check=False, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
                          stdin=subprocess.DEVNULL)


def test_help_opens_no_log_and_imports_no_handlers(tmp_path: Path) -> None:
    out = _run(tmp_path / "log", "--help")
    assert out.returncode == 0 and "LỆNH" in out.stdout
    assert not (tmp_path / "log").exists()
    probe = ("import sys\nfrom hocbaso_desktop import cli\ntry:\n    cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
             "print('HEAVY', 'logging.handlers' in sys.modules, 'platformdirs' in sys.modules)")
    out = _run(tmp_path / "log", code=probe)
    assert "HEAVY False False" in out.stdout, out.stdout + out.stderr


CRASH = """
import sys
from hocbaso_desktop import cli

def boom(args):
    raise ZeroDivisionError("chia cho 0 trong lệnh thử")

class Parser:
    def __init__(self, p):
        self.p = p
    def parse_args(self, argv):
        ns = self.p.parse_args(argv)
        ns.handler = boom
        return ns

real = cli.build_parser
cli.build_parser = lambda: Parser(real())
sys.exit(cli.main(["classes"]))
"""


def test_a_cli_crash_is_a_vietnamese_sentence_and_a_logged_traceback(tmp_path: Path) -> None:
    out = _run(tmp_path / "log", code=CRASH)
    log_file = tmp_path / "log" / "hocbaso.log"
    assert out.returncode == 1
    first, second, *rest = out.stderr.splitlines()
    assert first == f"Đã xảy ra lỗi không mong đợi. Chi tiết đã ghi vào nhật ký: {log_file}"
    # then the details, once (the console's log handler does not print the traceback a second time)
    assert second.startswith("Chi tiết kỹ thuật") and out.stderr.count("Traceback (most recent call last)") == 1
    assert rest[-1] == "ZeroDivisionError: chia cho 0 trong lệnh thử"
    text = log_file.read_text(encoding="utf-8")
    assert "hocbaso classes" in text and "Traceback (most recent call last)" in text and "in boom" in text
    assert "ZeroDivisionError: chia cho 0 trong lệnh thử" in text


@requires("softhsm2")
def test_no_pin_or_password_in_the_log_after_login_and_signing(demo_template: Path, tmp_path: Path) -> None:
    from hocbaso_desktop.services import accounts
    from hocbaso_desktop.storage.engine import Store

    db = tmp_path / "truong.sqlite3"
    shutil.copyfile(demo_template, db)
    anchor = Path(str(demo_template) + ".audit-head")
    if anchor.exists():
        shutil.copyfile(anchor, Path(str(db) + ".audit-head"))
    password = "Mật-khẩu-hiệu-trưởng 2026!"
    with Store.open(db) as store:
        accounts.change_own_password(store, "HT", None, password)
    folder = tmp_path / "log"
    home = {"XDG_DATA_HOME": str(tmp_path / "home")}
    base = ["--db", str(db)]
    out = _run(folder, *base, "-v", "demo-token", "--as", "HT", extra={**home, "HOCBASO_PASSWORD": password})
    assert out.returncode == 0, out.stderr
    pin = re.search(r"Mã PIN: (\d{6})", out.stdout).group(1)
    wrong_pw = _run(folder, *base, "-v", "staff", "--as", "HT", extra={**home, "HOCBASO_PASSWORD": "đoán bừa 4711"})
    assert wrong_pw.returncode != 0
    wrong_pin = _run(folder, *base, "-v", "sign", "--class", "1A", "--as", "GV001", extra={**home, "HOCBASO_PIN": "909090"})
    assert wrong_pin.returncode == 1 and "Mã PIN không đúng" in wrong_pin.stderr
    signed = _run(folder, *base, "-v", "sign", "--class", "1A", "--as", "GV001", extra={**home, "HOCBASO_PIN": pin})
    assert signed.returncode == 0 and "đã ký 29 học bạ" in signed.stdout, signed.stderr
    text = "".join(p.read_text(encoding="utf-8") for p in folder.glob("hocbaso.log*"))
    assert "hocbaso demo-token" in text and "hocbaso sign" in text and "hocbaso staff" in text  # the runs were logged
    for secret in (pin, "909090", password, "đoán bừa 4711", "Mật-khẩu-hiệu"):
        assert secret not in text, secret
    for stream in (out, wrong_pw, wrong_pin, signed):  # -v: the console log shows no secret either
        assert pin not in stream.stderr and password not in stream.stderr and "909090" not in stream.stderr


def test_a_signature_that_cannot_be_stored_is_logged_with_its_traceback(log_folder: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The signing batch turns a database refusal into that record's outcome and goes on; the reason
    a person cannot act on (a bug, a trigger) goes to the log with its traceback, no pupil's name."""
    from datetime import datetime

    from hocbaso_desktop.services.signing_plan import PlanItem
    from hocbaso_desktop.services.signing_service import SigningRun

    path = logs.setup_logging("gui")
    run = object.__new__(SigningRun)
    run.store_seconds = 0.0

    def refused(item: PlanItem, signed_xml: bytes, signed_at: datetime | None) -> None:
        raise RuntimeError("CHECK constraint failed: trigger thử")

    monkeypatch.setattr(run, "_store_tx", refused)
    item = PlanItem(4711, None, "Nguyễn Văn An", "1A", 1, 1, datetime(2026, 5, 20), "ab" * 32, b"<x/>", False)
    outcome = run._store(item, b"<x/>")
    assert not outcome.ok and "không lưu được chữ ký" in outcome.message
    _flush()
    text = path.read_text(encoding="utf-8")
    assert "enrolment 4711" in text and "Traceback" in text and "trigger thử" in text
    assert "Nguyễn Văn An" not in text
