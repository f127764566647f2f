"""The program's log file and the last-resort error hooks, shared by the GUI and the CLI (no Qt here).

One rotating file, hocbaso.log, in the platform's log folder (platformdirs.user_log_dir: on Windows
%LOCALAPPDATA%\\hocbaso\\Logs, on Linux ~/.local/state/hocbaso/log), or HOCBASO_LOG_DIR. It is what a
school sends to whoever supports it, so every unexpected error lands there with its traceback, and
no secret ever does: PINs and passwords are never passed to a logger, and the formatter masks any
"pin=…" / "password=…" that slipped into a message or an exception text all the same.

`logging.handlers` and platformdirs are imported only when the log is set up, so `hocbaso --help`
stays cheap.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

LOG_DIR_ENV = "HOCBASO_LOG_DIR"
LOG_NAME = "hocbaso.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5  # hocbaso.log.1 … .5: about 12 MiB at most on a school PC
FORMAT = "%(asctime)s %(levelname)s [%(process)d %(threadName)s] %(name)s: %(message)s"

log = logging.getLogger("hocbaso")

# key = value, key: value, key "value" — for the names a secret goes by here
_SECRET = re.compile(r"(?i)\b(pin|so_pin|password|passwd|pwd|passphrase|secret|mat_?khau|mật khẩu)\b(\s*[:=]\s*|\s+)"
                     r"(?:(['\"])(.*?)\3|()([^\s'\",;)]+))")


def _mask(m: re.Match[str]) -> str:
    # "PIN 123456" is a secret, "mã PIN của thiết bị" is prose: after a bare space, only a value with a digit
    quote, value = (m.group(3), m.group(4)) if m.group(3) else ("", m.group(6))
    if not m.group(2).strip() and not any(ch.isdigit() for ch in value):
        return m.group(0)
    return f"{m.group(1)}{m.group(2)}{quote}***{quote}"


def redact(text: str) -> str:
    return _SECRET.sub(_mask, text)


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the whole formatted line, the traceback's exception text included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


FILE_ONLY = {"hocbaso_file_only": True}


def _file_only(record: logging.LogRecord) -> bool:
    return not getattr(record, "hocbaso_file_only", False)


def log_dir() -> Path:
    env = os.environ.get(LOG_DIR_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_log_dir("hocbaso", appauthor=False))


def log_path() -> Path:
    return log_dir() / LOG_NAME


def _our_handler() -> logging.Handler | None:
    return next((h for h in logging.getLogger().handlers if getattr(h, "_hocbaso_log", False)), None)


def setup_logging(face: str, *, level: int = logging.INFO) -> Path | None:
    """Attach the rotating log file to the root logger (once; again only if the folder changed) and
    return its path; None when the folder cannot be written (a locked-down PC): the program then runs
    without a log rather than not at all. `face` ("gui", "cli") is written at the start of the run."""
    path = log_path()
    old = _our_handler()
    root = logging.getLogger()
    if old is not None:
        if getattr(old, "baseFilename", "") == os.path.abspath(path):
            return path
        root.removeHandler(old)
        old.close()
    from logging.handlers import RotatingFileHandler

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as e:
        print(f"Cảnh báo: không ghi được nhật ký vào {path}: {e.strerror or e}", file=sys.stderr)
        return None
    handler._hocbaso_log = True  # type: ignore[attr-defined]
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler.setLevel(level)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        # the console shows what it showed before (WARNING unless --verbose); only the file gets more
        for h in root.handlers:
            if type(h) is logging.StreamHandler and h.level == logging.NOTSET:
                h.setLevel(root.level or logging.WARNING)
        root.setLevel(level)
    for h in root.handlers:
        if type(h) is logging.StreamHandler and _file_only not in h.filters:
            h.addFilter(_file_only)  # a crash's traceback is for the log; the console gets one sentence
    from . import __version__

    log.info("Học bạ số %s (%s) bắt đầu; Python %s", __version__, face, sys.version.split()[0])
    return path


def unexpected_text(path: Path | None = None) -> str:
    path = path if path is not None else log_path()
    return f"Đã xảy ra lỗi không mong đợi. Chi tiết đã ghi vào nhật ký: {path}"


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def install_excepthooks(show: Callable[[str], None] | None = None) -> None:
    """sys.excepthook and threading.excepthook log every unexpected error with its traceback, then
    tell the person: `show(message)` (the GUI's dialog; it may be called from any thread) or, without
    it, that sentence on stderr followed by the traceback (a terminal or a CI run has no dialog to
    show and is where a developer looks first). Ctrl+C stays Ctrl+C. The threading hook hands on to the
    one before it."""
    previous_thread_hook = threading.excepthook
    # Installing again (a second window, main() called again in one process) replaces our hook rather
    # than chaining to it: chained, every thread's error would be logged once per installation.
    previous_thread_hook = getattr(previous_thread_hook, "_hocbaso_previous", previous_thread_hook)

    def tell() -> None:
        message = unexpected_text()
        try:
            if show is not None:
                show(message)
            else:
                print(message, file=sys.stderr)
        except Exception:
            log.exception("Không hiện được thông báo lỗi")

    def on_exception(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        log.critical("Lỗi không mong đợi", exc_info=(kind, value, tb), extra=FILE_ONLY)
        tell()
        if show is None:
            import traceback

            details = redact("".join(traceback.format_exception(kind, value, tb)))
            print(f"Chi tiết kỹ thuật (gửi kèm nhật ký cho người hỗ trợ):\n{details}", file=sys.stderr, end="")

    def on_thread_exception(args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        log.critical("Lỗi không mong đợi trong luồng %s", getattr(args.thread, "name", "?"),
                     exc_info=(args.exc_type, args.exc_value, args.exc_traceback), extra=FILE_ONLY)  # type: ignore[arg-type]
        tell()
        if previous_thread_hook is not threading.__excepthook__:
            previous_thread_hook(args)

    on_thread_exception._hocbaso_previous = previous_thread_hook  # type: ignore[attr-defined]
    sys.excepthook = on_exception
    threading.excepthook = on_thread_exception
