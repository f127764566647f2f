"""`hocbaso export-kqht` — the results upload "KQHT" for CSDL ngành, one grade and one period (issue 16)."""

from __future__ import annotations

import argparse
import sys

from ..domain import rights
from .common import open_store
from .login import add_as, login_for


def cmd_export_kqht(args: argparse.Namespace) -> int:
    from ..services.kqht_export import KqhtIncomplete, export_kqht

    with open_store(args) as store:
        actor = login_for(store, args, rights.SYNC)
        try:
            res = export_kqht(store, actor, args.grade, args.period, args.out, year=args.year,
                              allow_missing=args.allow_missing)
        except KqhtIncomplete as e:
            print(f"Lỗi: {e.message}", file=sys.stderr)
            return 1
    sheet = res.sheet
    for m in sheet.missing:  # only with --allow-missing: the export went through with these cells empty
        print(f"Cảnh báo: {m.text} (để trống)", file=sys.stderr)
    print(f"Đã ghi tệp KQHT khối {sheet.grade}, kì {sheet.period}, năm học {sheet.year}: {res.path}")
    print(f"  {res.pupils} học sinh, lớp {', '.join(sheet.classes)}; mẫu: {sheet.layout.path}")
    if sheet.layout.assumed:
        print(f"  Lưu ý: mẫu này có {len(sheet.layout.assumed)} cột giả định (chưa đối chiếu mẫu gốc của CSDL ngành); "
              "xem hướng dẫn «Tệp KQHT cho CSDL ngành»")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-kqht", help="xuất tệp kết quả học tập (KQHT) của một khối, một kì để nộp lên CSDL ngành")
    p.add_argument("--grade", required=True, type=int, choices=[1, 2, 3, 4, 5], metavar="N", help="khối (1-5)")
    p.add_argument("--period", required=True, type=str.upper, choices=["GK1", "CK1", "GK2", "CN"], help="kì đánh giá")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="tệp Excel sẽ ghi")
    p.add_argument("--allow-missing", action="store_true",
                   help="vẫn xuất khi thiếu dữ liệu: để trống ô thiếu và in danh sách thiếu ra stderr")
    p.add_argument("--year", help="năm học (mặc định: mới nhất)")
    add_as(p)
    p.set_defaults(handler=cmd_export_kqht)
