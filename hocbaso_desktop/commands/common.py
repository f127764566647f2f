"""What every sub-command shares: the Vietnamese argument parser and opening the database.

Here rather than in cli.py, so a command module imports it at its top: cli.py imports the
commands, and the commands never import cli.py back.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..storage.engine import Store

Handler = Callable[[argparse.Namespace], int]


class VietnameseArgumentParser(argparse.ArgumentParser):
    """argparse, but usage errors speak Vietnamese and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        msg = (message.replace("the following arguments are required", "thiếu tham số bắt buộc")
               .replace("unrecognized arguments", "tham số không hiểu được")
               .replace("invalid choice", "lựa chọn không hợp lệ")
               .replace("argument", "tham số"))
        self.exit(2, f"{self.prog}: lỗi: {msg}\n")


def open_store(args: argparse.Namespace) -> Store:
    """The database named by --db (None: HOCBASO_DB or the user's data folder, see Store.open)."""
    return Store.open(args.db)
