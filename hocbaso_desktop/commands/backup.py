"""backup now / list / restore: copies of the database made with SQLite's online backup API."""

from __future__ import annotations

import argparse

from ..domain import rights
from .common import open_store
from .login import add_as, login, login_for


def _fmt(b) -> str:  # noqa: ANN001 - snapshot.BackupFile
    from ..services import backup

    return f"{b.taken_at:%d/%m/%Y %H:%M:%S}\t{backup.reason_title(b.reason)}\t{b.size / 1e6:.1f} MB\t{b.path}"


def cmd_now(args: argparse.Namespace) -> int:
    from ..services import backup

    with open_store(args) as store:
        login_for(store, args, rights.BACKUP_DATA)
        b = backup.backup_now(store, backup.MANUAL, args.to)
        print(f"Đã sao lưu dữ liệu vào {b.path} ({b.size / 1e6:.1f} MB).")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..services import backup

    with open_store(args) as store:
        cfg = backup.backup_settings(store)
        files = backup.list_backups(store, args.folder)
        print(f"Thư mục sao lưu: {args.folder or cfg.folder} (giữ {cfg.keep} bản hằng ngày gần nhất)")
        for b in files:
            print(_fmt(b))
        if not files:
            print("Chưa có bản sao lưu nào của tệp dữ liệu này.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from ..services import backup

    # The CLI holds the instance lock for the whole restore: no desktop program can have the file open.
    with open_store(args) as store:
        actor = login(store, args.acting)
        r = backup.restore(store, args.file, actor)
        print(f"Đã khôi phục dữ liệu từ {r.restored_from} (lược đồ {r.revision}), kiểm tra toàn vẹn: tốt.")
        print(f"Dữ liệu trước khi khôi phục được giữ ở {r.previous_saved_as}.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="sao lưu / khôi phục cơ sở dữ liệu",
                       description="Sao lưu bằng cơ chế sao lưu trực tuyến của SQLite (không chép tệp đang mở), "
                                   "liệt kê các bản sao lưu, khôi phục sau khi kiểm tra toàn vẹn.")
    s = p.add_subparsers(dest="backup_command", metavar="LỆNH", required=True)
    q = s.add_parser("now", help="sao lưu ngay")
    q.add_argument("--to", metavar="DIR", help="thư mục đích (mặc định: thư mục sao lưu trong cài đặt)")
    add_as(q)
    q.set_defaults(handler=cmd_now)
    q = s.add_parser("list", help="các bản sao lưu của tệp dữ liệu này, mới nhất trước")
    q.add_argument("--folder", metavar="DIR", help="xem thư mục khác")
    q.set_defaults(handler=cmd_list)
    q = s.add_parser("restore", help="khôi phục từ một bản sao lưu (kiểm tra toàn vẹn trước; dữ liệu hiện tại được sao lưu)")
    q.add_argument("file", metavar="FILE", help="tệp sao lưu (.sqlite3)")
    q.add_argument("--as", dest="acting", metavar="STAFF_CODE", help="người thực hiện (Hiệu trưởng, Phó HT hoặc Ban quản trị)")
    q.set_defaults(handler=cmd_restore)
