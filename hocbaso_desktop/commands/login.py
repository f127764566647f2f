"""The one login path of the command line (issue 15).

Every command that acts, or reads pupils' or staff's personal data out of the database, names who is
at the keyboard — `--as STAFF_CODE`, or the HOCBASO_AS environment variable for scripts — and proves
it exactly like `grid import`: services.accounts.resolve_cli_actor (the password from HOCBASO_PASSWORD
or a hidden prompt, never argv; a locked-out, disabled or left account is refused; a password Ban
quản trị reset must be changed first). The rights matrix then decides what that person may do.

Commands that log in: import-classes (also --dry-run: it lists the school's pupils missing from the
file), demo-token (admin team; on a real school only with --yes-real-school), grid import, sign,
year lock/unlock, archive export, transfer, correction, promote, pupil, staff import/add/edit/leave/
return, assign, trust add/remove, settings set, user (admin), backup restore, school details.
Commands reading only a file the user hands over (validate, verify, template-classes) or the
program's own state (outbox status, backup list) need no login.
Still without a login (issue 15 follow-up, they read or send personal data): classes, students,
staff, results, report, records build/pdf/versions, grid export/summary, audit list, outbox
send/retry/export, backup now — each should call `login(store, args.acting)` and check its right.
"""

from __future__ import annotations

import argparse
import os

from ..domain.roles import Actor
from ..services.accounts import ActorRequired

AS_ENV = "HOCBASO_AS"


def acting_code(value: str | None) -> str:
    """--as, else HOCBASO_AS; nobody named is a usage error (exit 2), before anything is opened."""
    code = (value or os.environ.get(AS_ENV, "")).strip()
    if not code:
        raise ActorRequired(f"Cần cho biết ai thao tác: thêm --as MÃ_CÁN_BỘ hoặc đặt biến môi trường {AS_ENV} "
                            "(mật khẩu: biến HOCBASO_PASSWORD hoặc nhập khi được hỏi). "
                            "Xem mã cán bộ bằng lệnh «hocbaso staff».")
    return code


def login(store, value: str | None, *, year: str | None = None) -> Actor:  # noqa: ANN001 - Store
    from ..services.accounts import resolve_cli_actor

    return resolve_cli_actor(store, acting_code(value), year=year)


def add_as(p: argparse.ArgumentParser, who: str = "người thao tác") -> None:
    p.add_argument("--as", dest="acting", metavar="STAFF_CODE",
                   help=f"mã cán bộ {who} (bắt buộc, trừ khi đặt biến môi trường {AS_ENV}); "
                        "mật khẩu: biến HOCBASO_PASSWORD hoặc nhập khi được hỏi")
