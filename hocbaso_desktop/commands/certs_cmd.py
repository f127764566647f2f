"""cert register|list: which signing certificate is whose (issue 15).

    hocbaso cert register GV001 chung-thu.pem --as QT     a staff member's personal certificate
    hocbaso cert register --seal chung-thu.cer --as QT    the school's seal (organisation certificate)
    hocbaso cert register GV001 <SHA-256> --as QT         by fingerprint (64 hex digits)
    hocbaso cert list                                     TSV: fingerprint, holder, CN, serial, valid to, how, by, when

Signing with a certificate registered to nobody is allowed only at its first use by its holder
(same name, same CCCD), which registers it; anything else is refused (services/certificates.py).
"""

from __future__ import annotations

import argparse

from ..domain import rights
from ..domain.errors import HocbasoError
from .common import VietnameseArgumentParser, open_store
from .login import add_as, login_for


class UsageError(HocbasoError):
    exit_code = 2  # wrong arguments: usage, like argparse's own refusals

HEADER = ("sha256", "nguoi_giu", "ten_tren_chung_thu", "so_seri", "hieu_luc_den", "cach_dang_ky", "nguoi_dang_ky", "luc")
_METHOD = {"admin": "Ban quản trị", "first_use": "lần ký đầu tiên"}


def cmd_register(args: argparse.Namespace) -> int:
    from ..services import certificates
    from ..services.accounts import resolve_cli_actor

    values = list(args.values)
    if args.seal and len(values) != 1:
        raise UsageError("cert register --seal TỆP_HOẶC_SHA256: chỉ ghi chứng thư, không ghi mã cán bộ")
    if not args.seal and len(values) != 2:
        raise UsageError("cert register MÃ_CÁN_BỘ TỆP_HOẶC_SHA256 (hoặc --seal TỆP_HOẶC_SHA256)")
    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting)
        reg = certificates.register(store, actor, values[-1], staff_code=None if args.seal else values[0], seal=args.seal)
    whom = "con dấu nhà trường" if reg.seal else f"{reg.staff_name} ({reg.staff_code})"
    print(f"Đã đăng ký chứng thư SHA-256 {reg.fingerprint} cho {whom}" + (f": {reg.common_name}" if reg.common_name else ""))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..services import certificates

    with open_store(args) as store:
        login_for(store, args, rights.VIEW_STAFF)  # names every signer and her certificate
        rows = certificates.list_registrations(store)
    print("\t".join(HEADER))
    for r in rows:
        holder = f"con dấu: {r.staff_name}" if r.seal else f"{r.staff_code} {r.staff_name}"
        print("\t".join((r.fingerprint, holder, r.common_name, r.serial_hex,
                         r.not_after.date().isoformat() if r.not_after else "", _METHOD.get(r.method, r.method),
                         r.registered_by, r.registered_at.isoformat(sep=" "))))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("cert", help="chứng thư số ký học bạ đã đăng ký cho từng cán bộ và con dấu nhà trường")
    cs = c.add_subparsers(dest="cert_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    cs.required = True
    r = cs.add_parser("register", help="đăng ký chứng thư số (tệp .pem/.cer hoặc SHA-256) cho một cán bộ hoặc con dấu")
    r.add_argument("values", nargs="+", metavar="MÃ_CÁN_BỘ TỆP_HOẶC_SHA256")
    r.add_argument("--seal", action="store_true", help="chứng thư tổ chức của trường (con dấu)")
    r.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True, help="mã cán bộ Ban quản trị thực hiện")
    r.set_defaults(handler=cmd_register)
    lst = cs.add_parser("list", help="liệt kê chứng thư số đã đăng ký")
    add_as(lst)
    lst.set_defaults(handler=cmd_list)
