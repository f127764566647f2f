"""school show | set: the school's own details (name, MOET code, province…), the first step of a new school."""

from __future__ import annotations

import argparse

from ..domain.errors import HocbasoError
from .common import open_store

FLAGS = {"name": "--name", "moet_code": "--moet-code", "province": "--province", "district": "--district",
         "commune": "--commune", "address": "--address"}


def cmd_school_show(args: argparse.Namespace) -> int:
    from ..services.school_settings import SCHOOL_FIELDS, school_details

    with open_store(args) as store:
        d = school_details(store)
    for key, (title, _limit) in SCHOOL_FIELDS.items():
        print(f"{title}: {getattr(d, key) or '—'}")
    print(f"Hiệu trưởng: {d.principal or '— (chưa có cán bộ giữ vai trò Hiệu trưởng)'}")
    return 0


def cmd_school_set(args: argparse.Namespace) -> int:
    from ..services.accounts import resolve_cli_actor
    from ..services.school_settings import save_school_details

    values = {key: getattr(args, key) for key in FLAGS if getattr(args, key) is not None}
    if not values:
        raise HocbasoError("Không có gì để đổi: thêm ít nhất một trong " + ", ".join(FLAGS.values()) + ".")
    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting)
        n = save_school_details(store, actor, values)
    print(f"Đã lưu thông tin nhà trường ({n} mục thay đổi)." if n else "Thông tin nhà trường không thay đổi.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("school", help="thông tin nhà trường: xem (show) hoặc sửa (set)")
    ss = p.add_subparsers(dest="school_command", metavar="LỆNH")
    ss.required = True
    q = ss.add_parser("show", help="tên trường, mã trường, địa chỉ, Hiệu trưởng")
    q.set_defaults(handler=cmd_school_show)
    q = ss.add_parser("set", help="sửa thông tin nhà trường (Hiệu trưởng, Phó hiệu trưởng, Ban quản trị)")
    q.add_argument("--name", help="tên trường, ví dụ «Trường Tiểu học Kim Đồng»")
    q.add_argument("--moet-code", dest="moet_code", help="mã trường trên CSDL ngành")
    q.add_argument("--province", help="tỉnh/thành phố")
    q.add_argument("--district", help="quận/huyện (nếu còn dùng)")
    q.add_argument("--commune", help="xã/phường")
    q.add_argument("--address", help="địa chỉ")
    q.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True, help="mã cán bộ thực hiện")
    q.set_defaults(handler=cmd_school_set)
