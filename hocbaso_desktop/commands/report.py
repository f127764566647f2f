"""`hocbaso report` — thống kê chất lượng giáo dục of a period for a class, a grade or the school (issue 10)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..domain import rights
from ..domain.errors import InvalidValue, PermissionDenied
from .common import open_store
from .login import add_as, login_for


def cmd_report(args: argparse.Namespace) -> int:
    from ..services.reports import build_report, write_report

    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise InvalidValue("Tệp kết quả", args.out, "phải có đuôi .xlsx hoặc .pdf")
    with open_store(args) as store:
        actor = login_for(store, args, rights.VIEW_REPORTS)
        if not rights.allowed(actor, rights.VIEW_ALL_CLASSES):
            # the report names the pupils who need support: a teacher's report is of her own class
            from ..services import directory

            if not args.class_name:
                raise PermissionDenied("xem báo cáo của khối hoặc toàn trường",
                                       rights.needed_roles_text(rights.RIGHTS[rights.VIEW_ALL_CLASSES].roles))
            c = directory.find_class(store, args.class_name, args.year)
            rights.require_class(actor, c.id, c.name, rights.VIEW_REPORTS)
        report = build_report(store, args.period.upper(), class_name=args.class_name, grade=args.grade, year=args.year)
    write_report(report, out)
    s = report.students
    print(f"Đã ghi báo cáo {report.period_name} — {report.scope}, năm học {report.year}: {out}")
    print(f"  {s.total} học sinh (nữ {s.female}, dân tộc thiểu số {s.minority}); {len(report.support)} học sinh cần hỗ trợ")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    r = sub.add_parser("report", help="báo cáo thống kê kết quả đánh giá (.xlsx hoặc .pdf) của lớp, khối hoặc toàn trường")
    r.add_argument("--period", required=True, type=str.upper, choices=["GK1", "CK1", "GK2", "CN"], help="kì đánh giá")
    scope = r.add_mutually_exclusive_group()
    scope.add_argument("--class", dest="class_name", metavar="NAME", help="một lớp")
    scope.add_argument("--grade", type=int, choices=[1, 2, 3, 4, 5], metavar="N", help="một khối (1-5)")
    r.add_argument("--out", metavar="FILE.xlsx|FILE.pdf", required=True)
    r.add_argument("--year", help="năm học (mặc định: mới nhất)")
    add_as(r)
    r.set_defaults(handler=cmd_report)
