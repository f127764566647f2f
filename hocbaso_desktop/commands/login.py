"""The one login path of the command line (issue 15).

Every command that acts, or reads pupils' or staff's personal data out of the database, names who is
at the keyboard — `--as STAFF_CODE`, or the HOCBASO_AS environment variable for scripts — and proves
it exactly like `grid import`: services.accounts.resolve_cli_actor (the password from HOCBASO_PASSWORD
or a hidden prompt, never argv; a locked-out, disabled or left account is refused; a password Ban
quản trị reset must be changed first). The rights matrix then decides what that person may do.

Commands that log in: import-classes (also --dry-run: it lists the school's pupils missing from the
file), demo-token (admin team; on a real school only with --yes-real-school), grid import, sign,
year open/lock/unlock, archive export, transfer, correction, promote, pupil, staff import/add/edit/leave/
return, assign, trust add/remove, settings set, user (admin), backup restore, school details — and
the commands that read or send personal data, each checked against the rights matrix:
classes, students, results, grid export/summary, records versions (rights.VIEW_PUPILS; a GVCN or
GVBM only for the classes she teaches, rights.require_class — `students` without --class lists
hers), staff (VIEW_STAFF: it shows every CCCD), report (VIEW_REPORTS; a teacher only for her
class), records build (BUILD_RECORDS), records pdf (PRINT_RECORDS, a GVCN her class), records export
(PRINT_RECORDS, likewise), audit list and audit verify (VIEW_AUDIT: verify prints the first broken
entry as stored), outbox send/retry/export (SYNC), export-kqht (SYNC: the whole grade goes to CSDL ngành), backup now (BACKUP_DATA), pupil show
(VIEW_PUPILS, a teacher her classes), user list (MANAGE_ACCOUNTS), cert list (VIEW_STAFF),
correction list/minute (a teacher sees only the requests she may read, services.corrections).
Commands reading only a file the user hands over (validate, verify, template-classes) or the
program's own state (outbox status, backup list) need no login.
"""

from __future__ import annotations

import argparse
import os

from ..domain import rights
from ..domain.roles import Actor

AS_ENV = "HOCBASO_AS"


def acting_code(value: str | None) -> str:
    """--as, else HOCBASO_AS; nobody named is a usage error (exit 2), before anything is opened."""
    from ..services.accounts import ActorRequired

    code = (value or os.environ.get(AS_ENV, "")).strip()
    if not code:
        raise ActorRequired(f"Cần cho biết ai thao tác: thêm --as MÃ_CÁN_BỘ hoặc đặt biến môi trường {AS_ENV} "
                            "(mật khẩu: biến HOCBASO_PASSWORD hoặc nhập khi được hỏi). "
                            "Xem mã cán bộ bằng lệnh «hocbaso staff».")
    return code


def login(store, value: str | None, *, year: str | None = None) -> Actor:  # noqa: ANN001 - Store
    from ..services.accounts import resolve_cli_actor

    return resolve_cli_actor(store, acting_code(value), year=year)


def login_for(store, args: argparse.Namespace, action: str) -> Actor:  # noqa: ANN001 - Store
    """login(), in the year the command names (a teacher's classes are those of that year), then the
    right to `action`: refused (exit 1) before anything personal is read."""
    actor = login(store, args.acting, year=getattr(args, "year", None))
    rights.require(actor, action)
    return actor


def add_as(p: argparse.ArgumentParser, who: str = "người thao tác") -> None:
    p.add_argument("--as", dest="acting", metavar="STAFF_CODE",
                   help=f"mã cán bộ {who} (bắt buộc, trừ khi đặt biến môi trường {AS_ENV}); "
                        "mật khẩu: biến HOCBASO_PASSWORD hoặc nhập khi được hỏi")


def require_pupils(store, actor: Actor, enrolment_ids, action: str) -> None:  # noqa: ANN001 - Store, Iterable[int]
    """Every pupil (enrolment) asked for is in a class `actor` reads (rights.require_class)."""
    from sqlalchemy import select

    from ..storage.models import Enrolment, SchoolClass

    rights.require(actor, action)
    if rights.allowed(actor, rights.VIEW_ALL_CLASSES):
        return
    ids = list(enrolment_ids)
    with store.read() as s:
        classes = s.execute(select(SchoolClass.id, SchoolClass.name).join(Enrolment, Enrolment.class_id == SchoolClass.id)
                            .where(Enrolment.id.in_(ids)).distinct()).all()
    for class_id, name in classes:
        rights.require_class(actor, class_id, name, action)
