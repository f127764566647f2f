"""grid export / grid import / grid summary: offline entry in Excel and the class summary table."""

from __future__ import annotations

import argparse
import os
import sys

from ..domain import rights
from ..domain.catalogue import PERIODS
from ..domain.errors import HocbasoError
from .common import VietnameseArgumentParser, open_store
from .login import add_as, login_for

AS_ENV = "HOCBASO_AS"


class ActorRequired(HocbasoError):
    exit_code = 2  # a usage error, like a missing argument


def cmd_export(args: argparse.Namespace) -> int:
    from ..services import directory
    from ..services.grid_excel import export_grid

    with open_store(args) as store:
        actor = login_for(store, args, rights.VIEW_PUPILS)
        c = directory.find_class(store, args.class_name, args.year)
        rights.require_class(actor, c.id, c.name)
        s = export_grid(store, c.id, args.period, args.out)
    print(f"Đã xuất bảng nhập liệu lớp {s.class_name}, kì {s.period}: {s.students} học sinh → {s.path}")
    return 0


def _acting_code(args: argparse.Namespace) -> str:
    code = (args.as_code or os.environ.get(AS_ENV, "")).strip()
    if not code:
        # An import writes ratings under someone's name in the audit log: never anonymously.
        raise ActorRequired(f"Cần cho biết ai nhập dữ liệu: thêm --as MÃ_CÁN_BỘ (ví dụ --as GV009) "
                            f"hoặc đặt biến môi trường {AS_ENV}. Xem mã cán bộ bằng lệnh «hocbaso staff».")
    return code


def cmd_import(args: argparse.Namespace) -> int:
    from ..services.grid_excel import import_grid

    code = _acting_code(args)
    with open_store(args) as store:
        from ..services.accounts import resolve_cli_actor

        actor = resolve_cli_actor(store, code)  # asks the password when the account has one
        report = import_grid(store, actor, args.file, dry_run=args.dry_run)
    if not report.ok:
        for line in report.problem_lines():
            print(line, file=sys.stderr)
        print(report.summary(), file=sys.stderr)
        return 1
    if args.verbose:
        for c in report.accepted:
            print(c.line())
    print(report.summary())
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    from ..services import directory
    from ..services.class_summary import export_class_summary

    with open_store(args) as store:
        actor = login_for(store, args, rights.VIEW_PUPILS)
        c = directory.find_class(store, args.class_name, args.year)
        rights.require_class(actor, c.id, c.name)
        out = export_class_summary(store, c.id, args.period, args.out)
    print(f"Đã xuất bảng tổng hợp kết quả đánh giá lớp {c.name}, kì {args.period} → {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("grid", help="nhập liệu ngoài giờ bằng Excel, bảng tổng hợp của lớp",
                       description="Xuất/nhập bảng đánh giá của một lớp bằng Excel; xuất bảng tổng hợp kết quả đánh giá giáo dục của lớp.")
    gsub = p.add_subparsers(dest="grid_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    gsub.required = True

    e = gsub.add_parser("export", help="xuất bảng nhập liệu Excel của một lớp, một kì")
    e.add_argument("--class", dest="class_name", metavar="NAME", required=True, help="tên lớp, ví dụ 5A")
    e.add_argument("--period", required=True, type=str.upper, choices=PERIODS, help="kì đánh giá: GK1, CK1, GK2 hoặc CN")
    e.add_argument("--year", help="năm học (mặc định: năm học mới nhất)")
    e.add_argument("out", metavar="OUT.xlsx", help="tệp Excel sẽ ghi")
    add_as(e)
    e.set_defaults(handler=cmd_export)

    i = gsub.add_parser("import", help="nhập lại bảng Excel đã điền: kiểm tra mọi ô, ghi tất cả hoặc không ghi gì",
                        description="Trả về 0 khi ghi được (hoặc --dry-run không có lỗi), 1 khi có ô bị từ chối "
                                    "(mỗi lỗi một dòng «dòng <số dòng>»), 2 khi không đọc được tệp.")
    i.add_argument("file", metavar="FILE.xlsx", help="tệp đã xuất bằng «grid export» rồi điền trong Excel")
    i.add_argument("--as", dest="as_code", metavar="STAFF_CODE",
                   help=f"mã cán bộ người nhập (bắt buộc, trừ khi đặt biến môi trường {AS_ENV})")
    i.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    i.set_defaults(handler=cmd_import)

    s = gsub.add_parser("summary", help="xuất bảng tổng hợp kết quả đánh giá giáo dục của lớp (Excel, in khổ A4 ngang)")
    s.add_argument("--class", dest="class_name", metavar="NAME", required=True, help="tên lớp, ví dụ 5A")
    s.add_argument("--period", required=True, type=str.upper, choices=PERIODS, help="kì đánh giá: GK1, CK1, GK2 hoặc CN")
    s.add_argument("--year", help="năm học (mặc định: năm học mới nhất)")
    s.add_argument("out", metavar="OUT.xlsx", help="tệp Excel sẽ ghi")
    add_as(s)
    s.set_defaults(handler=cmd_summary)
