"""`hocbaso promote PERSONAL_ID --decision len-lop|o-lai --as CODE`: the principal's decision after the
supplementary evaluation (Điều 11 khoản 1 điểm c). Registered through commands/pupil.register_promote."""

from __future__ import annotations

import argparse

from .common import open_store

DECISIONS = {"len-lop": True, "o-lai": False}


def cmd_promote(args: argparse.Namespace) -> int:
    from ..services.accounts import resolve_cli_actor
    from ..services.promotion import decide

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.as_code)
        d = decide(store, actor, args.personal_id, DECISIONS[args.decision], args.note or "", args.year)
    was = "" if d.previous is None or d.previous == d.promoted else \
        f" (thay quyết định trước: {'được lên lớp' if d.previous else 'ở lại lớp'})"
    print(f"{d.full_name} (mã định danh {d.personal_id}, lớp {d.class_name}, {d.year}): {d.text}{was}")
    return 0


def register_promote(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("promote", help="Hiệu trưởng quyết định lên lớp / ở lại lớp sau đánh giá bổ sung (Điều 11)")
    p.add_argument("personal_id", metavar="PERSONAL_ID", help="mã định danh 12 chữ số của học sinh")
    p.add_argument("--decision", required=True, choices=sorted(DECISIONS), help="len-lop: được lên lớp; o-lai: ở lại lớp")
    p.add_argument("--as", dest="as_code", required=True, metavar="CODE", help="mã cán bộ (Hiệu trưởng)")
    p.add_argument("--note", metavar="TEXT", help="ghi chú (lưu cùng quyết định và nhật ký)")
    p.add_argument("--year", help="năm học (mặc định: năm gần nhất của học sinh)")
    p.set_defaults(handler=cmd_promote)
