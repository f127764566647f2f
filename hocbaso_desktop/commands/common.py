"""What every sub-command shares: the Vietnamese argument parser and opening the database.

Here rather than in cli.py, so a command module imports it at its top: cli.py imports the
commands, and the commands never import cli.py back.

Building the parser imports no service, storage, exchange or signing module (tests/test_startup_imports.py):
a command module imports only the domain at its top and its services inside the handlers, so
`hocbaso --help` starts in the time of Python and argparse.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # `hocbaso --help` must not pay for SQLAlchemy: the store is imported when a command runs
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
    from ..storage.engine import Store

    return Store.open(args.db)
