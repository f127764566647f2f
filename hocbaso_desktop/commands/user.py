"""user list / create / set-password / reset / disable / enable / unlock: accounts from the command line.

Passwords never travel on the command line (argv is visible to every user of the PC): the acting
person's password comes from HOCBASO_PASSWORD or a hidden prompt, a new password from
HOCBASO_NEW_PASSWORD or a prompt asked twice.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ..domain import rights
from ..domain.accounts import NEW_PASSWORD_ENV, PASSWORD_ENV
from ..domain.errors import HocbasoError
from ..domain.roles import ROLE_BY_NAME, ROLE_NAMES
from .common import VietnameseArgumentParser, open_store
from .login import add_as, login_for


class UsageError(HocbasoError):
    exit_code = 2


def _new_password(code: str) -> str:
    value = os.environ.get(NEW_PASSWORD_ENV)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise UsageError(f"Cần mật khẩu mới cho {code}: đặt biến môi trường {NEW_PASSWORD_ENV} "
                         "hoặc chạy lệnh trong cửa sổ dòng lệnh để nhập (không ghi mật khẩu trên dòng lệnh).")
    try:
        first = getpass.getpass(f"Mật khẩu mới của {code}: ")
        second = getpass.getpass("Nhập lại mật khẩu mới: ")
    except EOFError:
        raise UsageError("Chưa nhập mật khẩu mới.") from None
    if first != second:
        raise HocbasoError("Hai lần nhập mật khẩu mới không giống nhau; chưa đổi gì.")
    return first


def _admin(store, args: argparse.Namespace):  # noqa: ANN001, ANN202
    from ..services import accounts

    return accounts.resolve_cli_actor(store, args.acting)


def _role(value: str) -> str:
    v = value.strip()
    if v in ROLE_NAMES:
        return v
    if v.lower() in ROLE_BY_NAME:
        return ROLE_BY_NAME[v.lower()]
    raise argparse.ArgumentTypeError(f"vai trò «{value}» không có; dùng một trong: " + ", ".join(ROLE_NAMES))


def cmd_list(args: argparse.Namespace) -> int:
    from ..services import account_admin

    with open_store(args) as store:
        login_for(store, args, rights.MANAGE_ACCOUNTS)  # who is locked out, and when each last logged in
        rows = account_admin.list_accounts(store)
    for a in rows:
        last = a.last_login_at.strftime("%Y-%m-%d %H:%M") if a.last_login_at else "-"
        print(f"{a.code}\t{a.name}\t{a.role_names}\t{account_admin.state_text(a)}\t{last}")
    return 0


def cmd_set_password(args: argparse.Namespace) -> int:
    from ..services import account_admin, accounts

    with open_store(args) as store:
        target = accounts.account_info(store, args.code)
        if args.acting and args.acting.strip().upper() != target.code.upper():
            # Someone of the admin team sets it: a temporary password, changed at the next login.
            admin = _admin(store, args)
            account_admin.reset_password(store, admin, target.code, _new_password(target.code))
            print(f"Đã đặt mật khẩu tạm cho {target.code} ({target.name}); "
                  "người dùng phải đổi mật khẩu ở lần đăng nhập tới.")
            return 0
        old = ""
        if target.active and target.has_password:
            old_value = accounts.terminal_password_source(PASSWORD_ENV)(f"Mật khẩu hiện tại của {target.code}: ")
            if old_value is None:
                raise UsageError(f"Cần mật khẩu hiện tại của {target.code}: đặt biến môi trường {PASSWORD_ENV} "
                                 "hoặc chạy lệnh trong cửa sổ dòng lệnh để nhập.")
            old = old_value
        accounts.change_own_password(store, target.code, old, _new_password(target.code))
    print(f"Đã đổi mật khẩu của {target.code} ({target.name}).")
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from ..services import account_admin, accounts

    with open_store(args) as store:
        if not args.acting and accounts.needs_first_admin(store):
            role = args.roles[0] if args.roles else "admin"
            if not args.name:
                raise UsageError("Tài khoản quản trị đầu tiên: cần --name «Họ và tên».")
            actor = accounts.create_first_admin(store, args.code, args.name, _new_password(args.code.upper()), role)
            print(f"Đã tạo tài khoản quản trị đầu tiên {actor.code} ({actor.name}).")
            return 0
        admin = _admin(store, args)
        info = account_admin.create_account(store, admin, args.code, _new_password(args.code.upper()),
                                            full_name=args.name, roles=args.roles or ())
    print(f"Đã tạo tài khoản {info.code} ({info.name}, {info.role_names}); "
          "người dùng phải đổi mật khẩu ở lần đăng nhập đầu tiên.")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    from ..services import account_admin, accounts

    with open_store(args) as store:
        admin = _admin(store, args)
        target = accounts.account_info(store, args.code)
        account_admin.reset_password(store, admin, target.code, _new_password(target.code))
    print(f"Đã đặt lại mật khẩu của {target.code} ({target.name}); người dùng phải đổi mật khẩu ở lần đăng nhập tới.")
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    from ..services import account_admin, accounts

    with open_store(args) as store:
        admin = _admin(store, args)
        target = accounts.account_info(store, args.code)
        account_admin.disable_account(store, admin, target.code, args.reason or "")
    print(f"Đã vô hiệu hóa tài khoản {target.code} ({target.name}). Dữ liệu và nhật ký của người này được giữ nguyên.")
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    from ..services import account_admin, accounts

    with open_store(args) as store:
        admin = _admin(store, args)
        target = accounts.account_info(store, args.code)
        account_admin.enable_account(store, admin, target.code)
    print(f"Đã kích hoạt lại tài khoản {target.code} ({target.name}).")
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    from ..services import account_admin, accounts

    with open_store(args) as store:
        admin = _admin(store, args)
        target = accounts.account_info(store, args.code)
        account_admin.unlock_account(store, admin, target.code)
    print(f"Đã mở khóa tạm thời của tài khoản {target.code}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="tài khoản đăng nhập: liệt kê, tạo, đặt mật khẩu, vô hiệu hóa",
                       description="Tài khoản của cán bộ. Mật khẩu không bao giờ ghi trên dòng lệnh: mật khẩu của người "
                                   f"thao tác lấy từ {PASSWORD_ENV} hoặc được hỏi; mật khẩu mới lấy từ "
                                   f"{NEW_PASSWORD_ENV} hoặc được hỏi hai lần.")
    usub = p.add_subparsers(dest="user_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    usub.required = True

    def acting(q: argparse.ArgumentParser, required: bool, what: str = "mã cán bộ của Ban quản trị thực hiện") -> None:
        q.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=required, help=what)

    q = usub.add_parser("list", help="liệt kê tài khoản: <mã>\\t<họ tên>\\t<vai trò>\\t<trạng thái>\\t<đăng nhập lần cuối>")
    add_as(q)
    q.set_defaults(handler=cmd_list)

    q = usub.add_parser("set-password", help="đổi mật khẩu của mình, hoặc (với --as) Ban quản trị đặt mật khẩu tạm")
    q.add_argument("code", metavar="STAFF_CODE")
    acting(q, False, "Ban quản trị đặt mật khẩu cho người khác (bỏ trống: tự đổi mật khẩu của mình)")
    q.set_defaults(handler=cmd_set_password)

    q = usub.add_parser("create", help="tạo tài khoản (mật khẩu tạm, đổi ở lần đăng nhập đầu)")
    q.add_argument("code", metavar="STAFF_CODE")
    q.add_argument("--name", help="họ và tên (cán bộ mới)")
    q.add_argument("--role", dest="roles", action="append", type=_role, metavar="ROLE",
                   help="vai trò, lặp lại được: " + ", ".join(f"{k} ({v})" for k, v in ROLE_NAMES.items()))
    acting(q, False, "mã cán bộ của Ban quản trị (bỏ trống chỉ khi tạo tài khoản quản trị đầu tiên)")
    q.set_defaults(handler=cmd_create)

    for name, handler, text in (("reset", cmd_reset, "đặt lại mật khẩu (người dùng phải đổi ở lần đăng nhập tới)"),
                                ("enable", cmd_enable, "kích hoạt lại tài khoản đã vô hiệu hóa"),
                                ("unlock", cmd_unlock, "mở khóa tài khoản bị tạm khóa vì nhập sai mật khẩu")):
        q = usub.add_parser(name, help=text)
        q.add_argument("code", metavar="STAFF_CODE")
        acting(q, True)
        q.set_defaults(handler=handler)

    q = usub.add_parser("disable", help="vô hiệu hóa tài khoản của cán bộ đã nghỉ (không xóa)")
    q.add_argument("code", metavar="STAFF_CODE")
    acting(q, True)
    q.add_argument("--reason", help="lý do, ví dụ «chuyển công tác»")
    q.set_defaults(handler=cmd_disable)
