"""The `hocbaso` command: thin argument parsing over the services; every command lives in commands/."""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from typing import Sequence

from .commands import ALL
from .commands.common import Handler, VietnameseArgumentParser
from .domain.errors import HocbasoError


def build_parser() -> argparse.ArgumentParser:
    p = VietnameseArgumentParser(
        prog="hocbaso",
        description="Học bạ số tiểu học (Thông tư 27/2020/TT-BGDĐT) — dòng lệnh.",
    )
    p.add_argument("--db", metavar="PATH", default=None,
                   help="tệp cơ sở dữ liệu (mặc định: biến môi trường HOCBASO_DB hoặc thư mục dữ liệu người dùng)")
    p.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết ra stderr")
    sub = p.add_subparsers(dest="command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    sub.required = True
    for register in ALL:
        register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    # Vietnamese output must survive a C locale / a Windows console.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):  # not a replaced stream (a test's capture, a pipe wrapper)
            try:
                stream.reconfigure(encoding="utf-8")
            except ValueError:
                pass
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from . import logs  # after parsing: `hocbaso --help` opens no log file

    logs.setup_logging("cli")
    logs.install_excepthooks()  # an unexpected error: its traceback to the log, one Vietnamese line here
    log = logging.getLogger("hocbaso.cli")
    log.info("hocbaso %s", args.command)  # the command's name only: its arguments may be personal data
    handler: Handler = args.handler
    try:
        return int(handler(args) or 0)
    except HocbasoError as e:
        log.warning("hocbaso %s: %s (mã thoát %d)", args.command, e.message, e.exit_code, extra=logs.FILE_ONLY)
        print(f"Lỗi: {e.message}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("Đã hủy.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `hocbaso students | head`: the reader left; not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # a device, a file, an XML: in Vietnamese (services/error_text); a bug re-raised
        from .services.error_text import known_error_text

        text = known_error_text(e)
        if text is None:
            raise  # the excepthook logs the traceback and says so in one Vietnamese line
        log.warning("hocbaso %s: %s", args.command, text, extra=logs.FILE_ONLY)
        print(f"Lỗi: {text}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
