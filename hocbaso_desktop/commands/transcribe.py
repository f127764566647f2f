"""transcribe: enter a year kept on paper (trích lục) from a grid workbook filled from the paper học bạ.

    hocbaso transcribe --student PID --year 2023-2024 --grade 1 --template OUT.xlsx --as VP01
    hocbaso transcribe --student PID --year 2023-2024 --grade 1 --from FILE.xlsx --book-ref "Sổ 3" --as VP01
    hocbaso transcribe --student PID --year 2023-2024 --grade 1 --from FIXED.xlsx --replace --as VP01
      (a cell copied wrong: replaces the year's evaluations while nobody has signed it)

Then the principal signs it and the seal issues it like any record, on the paper year's class:
    hocbaso sign --class 1A --year 2023-2024 --as HT ; hocbaso sign --class 1A --year 2023-2024 --seal --as VP01
"""

from __future__ import annotations

import argparse
import sys

from ..domain import rights
from .common import open_store
from .login import add_as, login_for


def cmd_transcribe(args: argparse.Namespace) -> int:
    from ..services.transcription import TranscriptionRefused, transcribe, transcription_template

    with open_store(args) as store:
        # the year named is the paper year: log in without it (a teacher's classes are the live year's)
        actor = login_for(store, argparse.Namespace(acting=args.acting), rights.TRANSCRIBE_RECORD)
        if args.template:
            out = transcription_template(store, actor, args.student, args.year, args.grade, args.template,
                                         class_name=args.class_name)
            print(f"Đã ghi bảng trích lục (Cuối năm học, khối {args.grade}, năm học {args.year}) của học sinh "
                  f"{args.student} → {out}. Điền theo học bạ giấy rồi nhập bằng «hocbaso transcribe … --from {out}».")
            return 0
        try:
            result = transcribe(store, actor, args.student, args.year, args.grade, args.source,
                                paper_book_ref=args.book_ref or "", class_name=args.class_name,
                                replace=args.replace)
        except TranscriptionRefused as e:
            print(e.message, file=sys.stderr)
            return 1
    print(result.summary())
    print(f"Ký: hocbaso sign --class {result.class_name} --year {result.school_year} --as <Hiệu trưởng>, "
          f"rồi đóng dấu: hocbaso sign --class {result.class_name} --year {result.school_year} --seal --as <văn thư>")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcribe", help="nhập trích lục một năm học từ học bạ giấy (bảng nhập liệu Cuối năm)",
                       description="Nhập một năm học trước khi trường dùng học bạ số, chép từ học bạ giấy vào bảng "
                                   "nhập liệu Cuối năm học (--template ghi bảng trống cho học sinh). Học bạ được đánh "
                                   "dấu trích lục (trichluc 1) kèm số sổ, do Hiệu trưởng ký và đóng dấu. Trả về 0 khi "
                                   "ghi được, 1 khi bị từ chối (không ghi gì), 2 khi không đọc được tệp.")
    p.add_argument("--student", required=True, metavar="PERSONAL_ID", help="mã định danh của học sinh")
    p.add_argument("--year", required=True, metavar="YYYY-YYYY", help="năm học trên giấy, ví dụ 2023-2024")
    p.add_argument("--grade", required=True, type=int, choices=range(1, 6), metavar="N", help="khối 1-5 của năm đó")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--from", dest="source", metavar="FILE.xlsx", help="bảng đã điền theo học bạ giấy")
    src.add_argument("--template", metavar="OUT.xlsx", help="ghi bảng trống để điền")
    p.add_argument("--book-ref", metavar="TEXT", help="số / ký hiệu sổ học bạ giấy (in trên mọi trang bản trích lục)")
    p.add_argument("--replace", action="store_true",
                   help="thay bản trích lục đã nhập của năm đó khi chưa ai ký (sửa ô chép nhầm): mọi đánh giá lấy theo "
                        "bảng mới, giữ số sổ và lớp; đã có chữ ký thì phải đính chính")
    p.add_argument("--class", dest="class_name", metavar="NAME", help="tên lớp năm đó theo học bạ giấy (mặc định: lớp ghi trong bảng)")
    add_as(p, "người nhập trích lục (văn phòng, Ban quản trị hoặc Ban giám hiệu)")
    p.set_defaults(handler=cmd_transcribe)
