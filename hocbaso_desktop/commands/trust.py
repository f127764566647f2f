"""trust add|list|remove: the school's trust anchors (issue 14).

`list` prints TSV: fingerprint (SHA-256), subject, issuer, valid from, valid to, origin, demo, folder.
"""

from __future__ import annotations

import argparse

from .common import VietnameseArgumentParser, open_store

HEADER = ("sha256", "chu_the", "to_chuc_cap", "hieu_luc_tu", "hieu_luc_den", "nguon", "thu_nghiem", "thu_muc")


def cmd_add(args: argparse.Namespace) -> int:
    from ..services import trust_anchors
    from ..services.accounts import resolve_cli_actor

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting)
        res = trust_anchors.add(store, actor, args.path)
    for a in res.added:
        print(f"Đã thêm: {a.subject_cn} (do «{a.issuer}» cấp, hiệu lực {a.valid_from:%d/%m/%Y} – {a.valid_to:%d/%m/%Y})"
              f"\tSHA-256 {a.fingerprint}")
    for a in res.already:
        print(f"Đã có sẵn: {a.subject_cn} ({a.origin_text})\tSHA-256 {a.fingerprint}")
    if res.folder_recorded:
        print(f"Thư mục chứng thư của trường đã được ghi vào cài đặt: {res.folder}")
    print(f"Đã thêm {len(res.added)} chứng thư, {len(res.already)} đã có sẵn.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..services import trust_anchors

    with open_store(args) as store:
        rows = trust_anchors.list_anchors(store)
    print("\t".join(HEADER))
    for a in rows:
        print("\t".join((a.fingerprint, a.subject_cn, a.issuer, a.valid_from.isoformat(), a.valid_to.isoformat(),
                         a.origin_text, "có" if a.demo else "không", a.folder)))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from ..services import trust_anchors
    from ..services.accounts import resolve_cli_actor

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting)
        a = trust_anchors.remove(store, actor, args.fingerprint)
    print(f"Đã gỡ bỏ: {a.subject_cn}\tSHA-256 {a.fingerprint}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("trust", help="chứng thư số gốc tin cậy của trường (thêm, liệt kê, gỡ bỏ)")
    ts = t.add_subparsers(dest="trust_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    ts.required = True
    a = ts.add_parser("add", help="thêm chứng thư gốc / trung gian (tệp PEM, DER hoặc cả thư mục) vào kho tin cậy của trường")
    a.add_argument("path", metavar="FILE_OR_DIR")
    a.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    a.set_defaults(handler=cmd_add)
    ls = ts.add_parser("list", help="liệt kê chứng thư tin cậy (TSV): kèm chương trình, của trường, thư mục trong cài đặt")
    ls.set_defaults(handler=cmd_list)
    r = ts.add_parser("remove", help="gỡ một chứng thư khỏi thư mục chứng thư của trường (theo dấu vân tay SHA-256)")
    r.add_argument("fingerprint", metavar="FINGERPRINT")
    r.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    r.set_defaults(handler=cmd_remove)
