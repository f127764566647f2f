"""`hocbaso transfer export|import` — chuyển trường (issue 10).

The PIN for the seal comes from HOCBASO_PIN or the terminal (no echo); never an argument.
Import exits 1 with the verification report when anything in the package fails.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from ..domain.errors import InvalidValue
from .common import VietnameseArgumentParser, open_store
from .seal_option import terminal_seal


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidValue("Ngày chuyển", text, "phải có dạng NĂM-THÁNG-NGÀY, ví dụ 2026-03-02") from None


def cmd_export(args: argparse.Namespace) -> int:
    from ..services.accounts import resolve_cli_actor
    from ..services.transfer import export_transfer

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting)
        seal = terminal_seal(store, args.token_label)
        out = export_transfer(store, args.student, args.out, actor.code, seal, destination=args.to or "",
                              on_date=_date(args.date))
    print(f"Đã xuất gói chuyển trường của {out.student_name} (mã định danh {out.personal_id}): {out.path}")
    print(f"  {out.records} học bạ (mọi phiên bản), {out.paper_copies} bản giấy PDF; niêm phong bởi «{out.sealed_by}»")
    print(f"  SHA-256 của gói: {out.package_sha256}")
    print(f"  Học sinh được ghi nhận chuyển đi ngày {out.transfer_date:%d/%m/%Y}"
          + (f", đến {out.destination}" if out.destination else "") + "; học bạ vẫn lưu tại trường.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..services.accounts import resolve_cli_actor
    from ..services.transfer import TransferRefused, import_transfer

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting)
        try:
            res = import_transfer(store, args.file, args.class_name, actor.code, year=args.year, on_date=_date(args.date))
        except TransferRefused as e:
            for line in e.check.lines():
                print(line, file=sys.stderr)
            print("Không nhận gói: không có gì được ghi vào cơ sở dữ liệu.", file=sys.stderr)
            return 1
    for line in res.report:
        print(line)
    for n in res.notes:
        print(f"Lưu ý: {n}")
    if res.already:
        print("Gói này đã được nhận trước đó: không có gì thay đổi.")
        return 0
    print(f"Đã nhận {res.student_name} (mã định danh {res.personal_id}) vào lớp {res.class_name}: "
          f"{res.records} học bạ từ {res.source_school}, {res.history_lines} dòng quá trình học tập.")
    if res.periods:
        print(f"Các kì đã đánh giá ở trường cũ được giữ (chỉ xem, không sửa): {', '.join(res.periods)}.")
    return 0


def cmd_received(args: argparse.Namespace) -> int:
    """The records another school issued, as received (read-only); --verify checks each one."""
    from ..services import received_records
    from ..services.accounts import resolve_cli_actor

    failed = 0
    with open_store(args) as store:
        resolve_cli_actor(store, args.acting)
        rows = received_records.for_student(store, args.student)
        if not rows:
            print(f"Học sinh mã định danh {args.student} không có học bạ nào nhận khi chuyển đến.")
            return 0
        for r in rows:
            print(f"#{r.id}  năm học {r.school_year}  lớp {r.class_name}  phiên bản {r.version} ({r.status_text})  "
                  f"— {r.origin}" + (f", chuyển đến ngày {r.transfer_in_date:%d/%m/%Y}" if r.transfer_in_date else ""))
            if args.verify:
                check = received_records.verify(store, r.id)
                failed += not check.ok
                for line in check.lines()[1:]:
                    print(f"    {line}")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("transfer", help="chuyển trường: xuất / nhận gói học bạ số của một học sinh")
    ts = t.add_subparsers(dest="transfer_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    ts.required = True
    e = ts.add_parser("export", help="xuất gói chuyển trường đã niêm phong (mã PIN: HOCBASO_PIN hoặc bàn phím)")
    e.add_argument("--student", metavar="MÃ_ĐỊNH_DANH", required=True)
    e.add_argument("--out", metavar="FILE", required=True, help="tệp gói (.zip)")
    e.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    e.add_argument("--to", metavar="TRƯỜNG", help="trường chuyển đến (ghi vào hồ sơ chuyển đi)")
    e.add_argument("--date", metavar="YYYY-MM-DD", help="ngày chuyển (mặc định: hôm nay)")
    e.add_argument("--token-label", metavar="LABEL", help="nhãn thiết bị ký số")
    e.set_defaults(handler=cmd_export)
    i = ts.add_parser("import", help="nhận gói chuyển trường: xác minh chữ ký, ghi danh vào lớp")
    i.add_argument("file", metavar="FILE")
    i.add_argument("--class", dest="class_name", metavar="NAME", required=True)
    i.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    i.add_argument("--year", help="năm học (mặc định: mới nhất)")
    i.add_argument("--date", metavar="YYYY-MM-DD", help="ngày chuyển đến (mặc định: hôm nay)")
    i.set_defaults(handler=cmd_import)
    r = ts.add_parser("received", help="học bạ nhận khi chuyển đến của một học sinh (chỉ đọc), có thể xác minh chữ ký")
    r.add_argument("--student", metavar="MÃ_ĐỊNH_DANH", required=True)
    r.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    r.add_argument("--verify", action="store_true", help="xác minh chữ ký số từng bản (mã thoát 1 nếu có bản không hợp lệ)")
    r.set_defaults(handler=cmd_received)
