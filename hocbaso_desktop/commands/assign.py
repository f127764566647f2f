"""assign homeroom|subject|remove|list|import, template-assign (issue 14): phân công GVCN and GVBM.

Every command that writes logs in as --as exactly like `grid import` (services.accounts.resolve_cli_actor:
the password from HOCBASO_PASSWORD or the terminal). Exit status: 0 done, 1 refused (nothing written),
2 usage error or unreadable file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..domain.errors import HocbasoError
from .common import VietnameseArgumentParser, open_store

_YEAR_HELP = "năm học, ví dụ 2025-2026 (mặc định: năm học mới nhất)"


def _actor(store, code: str):  # noqa: ANN001, ANN202
    from ..services.accounts import resolve_cli_actor

    return resolve_cli_actor(store, code)


def cmd_homeroom(args: argparse.Namespace) -> int:
    from ..services import assignments as A

    with open_store(args) as store:
        res = A.set_homeroom(store, _actor(store, args.acting), args.class_name, args.staff, year=args.year,
                             replace=args.replace, teach_unassigned=args.teach_unassigned)
    for cname, old, new in res.homeroom_changes:
        print(f"Lớp {cname}: GVCN {new}" + (f" (thay {old})" if old else ""))
    for cname, subj, code in res.added:
        print(f"Lớp {cname}: {code} dạy {A.column_title(subj)}")
    print(res.summary())
    return 0


def cmd_subject(args: argparse.Namespace) -> int:
    from ..services import assignments as A

    with open_store(args) as store:
        res = A.add_subject_teacher(store, _actor(store, args.acting), args.class_name, args.subject, args.staff,
                                    year=args.year)
    print(res.summary())
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from ..services import assignments as A

    with open_store(args) as store:
        actor = _actor(store, args.acting)
        if A.column_key(args.subject) == A.GVCN:
            res = A.clear_homeroom(store, actor, args.class_name, year=args.year, staff_code=args.staff)
        else:
            res = A.remove_subject_teacher(store, actor, args.class_name, args.subject, args.staff, year=args.year)
    print(res.summary())
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..services import assignments as A

    with open_store(args) as store:
        rows = A.list_assignments(store, args.year)
    # TSV, no header: class, subject code or GVCN, staff code (the contract); the name as a fourth
    # column would break nothing but is left to `hocbaso staff`.
    for r in rows:
        sys.stdout.write(r.tsv() + "\n")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..services.assignment_import import import_sheet

    with open_store(args) as store:
        report = import_sheet(store, _actor(store, args.acting), args.file, year=args.year, dry_run=args.dry_run)
    if not report.ok:
        for line in report.problem_lines():
            print(line, file=sys.stderr)
        print(report.summary(), file=sys.stderr)
        return 1
    if report.ignored_columns:
        print("Bỏ qua các cột không phải môn học: " + ", ".join(f"«{c}»" for c in report.ignored_columns) + ".")
    print(report.summary())
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from ..services import assignments as A
    from ..services.assignment_import import export_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise HocbasoError(f"Tên tệp mẫu phải có đuôi .xlsx: {out.name}")
    with open_store(args) as store:
        year = A.year_name(store, args.year)
        try:
            export_template(store, out, year)
        except OSError as e:
            raise HocbasoError(f"Không ghi được tệp {out}: {e.strerror or e}") from None
    print(f"Đã tạo mẫu phân công năm học {year}: {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assign", help="phân công GVCN, GVBM theo lớp và năm học",
                       description="Phân công giáo viên chủ nhiệm (mỗi lớp một người) và giáo viên bộ môn (mỗi môn "
                                   "một hay nhiều người). Quyền nhập điểm và ký học bạ của giáo viên theo phân công này. "
                                   "Trạng thái thoát: 0 đã ghi, 1 bị từ chối (không ghi gì), 2 sai cú pháp / tệp không đọc được.")
    asub = p.add_subparsers(dest="assign_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    asub.required = True

    def acting(q: argparse.ArgumentParser) -> None:
        q.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True,
                       help="người phân công (Ban quản trị, Phó hiệu trưởng, Hiệu trưởng)")
        q.add_argument("--year", help=_YEAR_HELP)

    h = asub.add_parser("homeroom", help="đặt GVCN của một lớp")
    h.add_argument("class_name", metavar="CLASS", help="tên lớp, ví dụ 1A")
    h.add_argument("staff", metavar="STAFF", help="mã cán bộ, ví dụ GV001")
    h.add_argument("--replace", action="store_true", help="thay GVCN hiện có của lớp")
    h.add_argument("--teach-unassigned", action="store_true",
                   help="giao luôn cho GVCN mọi môn của lớp chưa có giáo viên dạy")
    acting(h)
    h.set_defaults(handler=cmd_homeroom)

    s = asub.add_parser("subject", help="thêm một GVBM dạy một môn ở một lớp")
    s.add_argument("class_name", metavar="CLASS", help="tên lớp, ví dụ 3A")
    s.add_argument("subject", metavar="SUBJECT", help="mã môn trong danh mục, ví dụ TOAN, TV, NN1, TIN, CN")
    s.add_argument("staff", metavar="STAFF", help="mã cán bộ")
    acting(s)
    s.set_defaults(handler=cmd_subject)

    r = asub.add_parser("remove", help="bỏ một phân công (SUBJECT là mã môn, hoặc GVCN)")
    r.add_argument("class_name", metavar="CLASS")
    r.add_argument("subject", metavar="SUBJECT|GVCN")
    r.add_argument("staff", metavar="STAFF")
    acting(r)
    r.set_defaults(handler=cmd_remove)

    ls = asub.add_parser("list", help="liệt kê phân công (TSV: lớp, môn hoặc GVCN, mã cán bộ)")
    ls.add_argument("--year", help=_YEAR_HELP)
    ls.set_defaults(handler=cmd_list)

    i = asub.add_parser("import", help="nhập bảng phân công Excel: kiểm tra mọi ô, ghi tất cả hoặc không ghi gì",
                        description="Trả về 0 khi ghi được, 1 khi có ô bị từ chối (mỗi lỗi một dòng «dòng N, cột …», "
                                    "không ghi gì), 2 khi không đọc được tệp.")
    i.add_argument("file", metavar="FILE.xlsx", help="tệp tạo bằng «hocbaso template-assign» rồi điền")
    i.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi gì")
    acting(i)
    i.set_defaults(handler=cmd_import)

    t = sub.add_parser("template-assign", help="xuất mẫu phân công Excel (mỗi lớp một dòng, mỗi môn một cột)",
                       description="Tạo tệp .xlsx có các lớp của năm học, phân công hiện có, danh sách cán bộ và danh sách chọn.")
    t.add_argument("out", metavar="FILE.xlsx", help="tệp mẫu sẽ tạo")
    t.add_argument("--year", help=_YEAR_HELP)
    t.set_defaults(handler=cmd_template)
