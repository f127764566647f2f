"""`year open|lock|unlock` and `archive export|verify`: opening the next school year from the previous one,
closing a school year and sealing it onto external media.

`year lock` signs the audit chain's head with the school's seal (services/audit_heads.py): it needs
the seal token and its PIN. The PIN for it and for `--seal` comes from HOCBASO_PIN or the terminal (no echo), never from an argument.
`archive verify` opens no database as a Store: it reads the folder, the bundled trust anchors, the
trust folders of --db or the default database (settings read-only, see services/trust_anchors) and
any `--trust DIR`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..domain.errors import InputFileError
from .common import VietnameseArgumentParser, open_store
from .login import acting_code, add_as, login
from .seal_option import add_token_label, terminal_seal


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def cmd_year_lock(args: argparse.Namespace) -> int:
    from ..services.accounts import resolve_cli_actor
    from ..services.year_lock import lock_year

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting, year=args.year)  # logged in, like grid import
        # the lock is confirmed with the school's seal (signed audit head): its PIN like `archive export --seal`
        seal = terminal_seal(store, args.token_label, lenient=True)
        st = lock_year(store, args.year, actor.code, seal)
    print(f"Đã khóa năm học {st.name}: {st.issued} học bạ đã phát hành"
          + (f", {st.deferred} học bạ để lại chờ đánh giá bổ sung" if st.deferred else "") + ".")
    return 0


def cmd_year_unlock(args: argparse.Namespace) -> int:
    from ..services.accounts import resolve_cli_actor
    from ..services.year_lock import unlock_year

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting, year=args.year)
        st = unlock_year(store, args.year, actor.code, args.reason)
    print(f"Đã mở khóa năm học {st.name}. Lý do đã được ghi vào nhật ký.")
    return 0


def cmd_year_open(args: argparse.Namespace) -> int:
    """Open the new school year from the previous one (kết chuyển): prints the plan; 1 when refused."""
    from ..services.year_rollover import open_year, parse_mapping

    code = acting_code(args.acting)  # nobody named: a usage error before the database is opened
    mapping = parse_mapping(args.map or [])
    with open_store(args) as store:
        actor = login(store, code, year=args.source)
        plan = open_year(store, actor.code, args.year, args.source, mapping=mapping,
                         copy_assignments=args.copy_assignments, dry_run=args.dry_run,
                         confirm_incomplete=args.confirm_incomplete)
    for line in plan.lines():
        print(line)
    return 0


def cmd_archive_export(args: argparse.Namespace) -> int:
    from ..services.accounts import resolve_cli_actor
    from ..services.archive_service import ArchiveExport

    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.acting, year=args.year)
        seal = None
        if args.seal:
            seal = terminal_seal(store, args.token_label)
        run = ArchiveExport(store, args.year, args.to, actor.code, partial=args.partial, seal=seal)
        tty = sys.stderr.isatty()
        stage = ""
        try:
            for p in run:
                if p.stage != stage:
                    stage = p.stage
                    if tty:
                        print(file=sys.stderr)
                    _err(f"{stage}…") if not tty else None
                if tty:
                    print(f"\r{stage}: {p.done}/{p.total}", end="", file=sys.stderr)
        except KeyboardInterrupt:
            if tty:
                print(file=sys.stderr)
            _err("Đã hủy: không có kho lưu trữ nào được để lại trên ổ đích.")
            return 130
        if tty:
            print(file=sys.stderr)
    r = run.result
    assert r is not None
    f = r.facts
    print(f"Loại: {'TẠM (năm học chưa khóa)' if r.interim else 'CHÍNH THỨC'}; "
          f"{f.classes} lớp, {f.students} học sinh; học bạ: {f.issued} đang hiệu lực, {f.replaced} bị thay thế, "
          f"{f.withdrawn} thu hồi; {f.paper_copies} bản giấy; {f.summaries_xlsx} bảng tổng hợp (.xlsx, chưa có bản PDF)")
    if f.not_issued or f.deferred:
        print(f"Chưa phát hành: {f.not_issued}; chờ đánh giá bổ sung: {f.deferred}")
    if f.transcribed:
        print(f"Trích lục từ học bạ giấy phát hành trong năm học: {f.transcribed} bản (thư mục trich-luc)")
    for p in f.transcribed_pending:  # not a record of this live year: it does not hold the export up
        print(f"Chưa đưa vào kho: {p.line()}")
    for w in f.warnings:
        _err(f"Cảnh báo: {w}")
    print(f"Niêm phong: {r.sealed_by}" if r.sealed_by else "Niêm phong: KHÔNG (chưa ký số danh mục)")
    print(f"Đã ghi và đọc lại {r.files} tệp ({r.octets / 1e6:.1f} MB): khớp từng byte.")
    print(r.path)  # the LAST line: the archive's folder (scripts read it)
    return 0


def cmd_archive_verify(args: argparse.Namespace) -> int:
    from ..services.archive_reading import verify_archive_on_drive
    from ..signing.trust import default_trust_store

    dirs: list[Path] = []
    try:  # the school's trust folders of --db or the default database (read-only: no Store is opened)
        from ..services.trust_anchors import dirs_for_db_path

        dirs += dirs_for_db_path(args.db)
    except ImportError:  # a verifier-only install without the storage layer
        pass
    for d in args.trust or []:
        if not Path(d).is_dir():
            raise InputFileError(f"Không có thư mục chứng thư tin cậy {d}")
        dirs.append(Path(d))
    report = verify_archive_on_drive(args.path, default_trust_store(*dirs), allow_unsealed=args.allow_unsealed)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    y = sub.add_parser("year", help="mở năm học mới (kết chuyển), khóa / mở khóa năm học")
    ys = y.add_subparsers(dest="year_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    ys.required = True
    lk = ys.add_parser("lock", help="khóa năm học: mọi học bạ phải đã phát hành hoặc đang chờ đánh giá bổ sung")
    lk.add_argument("year", metavar="NĂM_HỌC", help="ví dụ 2025-2026")
    lk.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True, help="mã cán bộ (Hiệu trưởng)")
    add_token_label(lk)
    lk.set_defaults(handler=cmd_year_lock)
    ul = ys.add_parser("unlock", help="mở khóa năm học (Hiệu trưởng, cần lý do; ghi nhật ký)")
    ul.add_argument("year", metavar="NĂM_HỌC")
    ul.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    ul.add_argument("--reason", metavar="TEXT", required=True, help="lý do mở khóa")
    ul.set_defaults(handler=cmd_year_unlock)
    op = ys.add_parser("open", help="mở năm học mới từ năm học trước (kết chuyển): lên lớp, ở lại lớp, hoàn thành "
                                    "chương trình tiểu học; in kế hoạch")
    op.add_argument("year", metavar="NĂM_HỌC_MỚI", help="ví dụ 2026-2027 (liền sau năm học cũ)")
    op.add_argument("--from", dest="source", metavar="NĂM_HỌC_CŨ", required=True, help="ví dụ 2025-2026")
    op.add_argument("--map", action="append", metavar="LỚP_CŨ=LỚP_MỚI",
                    help="chuyển lớp khác mặc định (1A → 2A): 1A=2C; gộp: 1A=2A và 1B=2A; tách: 1A=2A,2B (chia theo "
                         "thứ tự tên); ghi nhiều lần được")
    op.add_argument("--copy-assignments", action="store_true", help="sao chép phân công GVCN, GVBM sang lớp mới")
    op.add_argument("--dry-run", action="store_true", help="chỉ in kế hoạch, không ghi gì")
    op.add_argument("--confirm-incomplete", action="store_true",
                    help="Hiệu trưởng xác nhận mở năm học khi còn học bạ chưa phát hành")
    add_as(op, "(Hiệu trưởng, Phó hiệu trưởng, Ban quản trị hoặc Văn phòng)")
    op.set_defaults(handler=cmd_year_open)

    a = sub.add_parser("archive", help="kho lưu trữ năm học niêm phong (BagIt) trên ổ ngoài")
    asub = a.add_subparsers(dest="archive_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    asub.required = True
    e = asub.add_parser("export", help="xuất kho lưu trữ của một năm học vào thư mục (USB/ổ ngoài); dòng cuối là đường dẫn kho")
    e.add_argument("--year", required=True, metavar="NĂM_HỌC")
    e.add_argument("--to", required=True, metavar="DIR", help="thư mục đích (kho được tạo thành một thư mục con)")
    e.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True)
    e.add_argument("--seal", action="store_true", help="niêm phong bằng chữ ký số (con dấu nhà trường hoặc Hiệu trưởng)")
    e.add_argument("--partial", action="store_true", help="cho phép năm học chưa khóa: bản TẠM (sao lưu giữa năm)")
    e.add_argument("--token-label", metavar="LABEL", help="nhãn thiết bị ký số (khi cắm nhiều thiết bị)")
    e.set_defaults(handler=cmd_archive_export)
    v = asub.add_parser("verify", help="kiểm tra một kho lưu trữ (không cần cơ sở dữ liệu, không cần mạng)")
    v.add_argument("path", metavar="PATH")
    v.add_argument("--trust", metavar="DIR", action="append", help="thêm thư mục chứng thư gốc tin cậy (lặp lại được)")
    v.add_argument("--allow-unsealed", action="store_true", help="chấp nhận kho không niêm phong (chỉ kiểm tra mã băm)")
    v.set_defaults(handler=cmd_archive_verify)
