"""import-classes, template-classes: class lists from and for Excel."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import rights
from ..domain.errors import HocbasoError
from ..domain.school_years import year_start
from .common import open_store
from .login import acting_code, login

if TYPE_CHECKING:
    from ..services import class_import


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def cmd_import_classes(args: argparse.Namespace) -> int:
    from ..services import class_import

    code = acting_code(args.acting)  # --as or HOCBASO_AS: nobody imports anonymously, not even a first import
    with open_store(args) as store:
        # Logged in before the file is compared: the comparison lists the school's pupils (personal data).
        actor = login(store, code)
        rights.require(actor, rights.IMPORT_CLASSES)
        plan = class_import.plan_import(store, args.file, args.year)
        if not plan.ok:
            # One line per problem on stderr (each names its row); the verdict goes to stdout.
            for p in plan.class_list.problems:
                _err(p.message())
            print(f"Không nhập: {len(plan.errors)} lỗi, {len(plan.warnings)} cảnh báo trong tệp {Path(args.file).name}. "
                  "Cơ sở dữ liệu không thay đổi. Sửa các dòng trên rồi nhập lại.")
            return 1
        for p in plan.class_list.problems:
            print(p.message())
        if args.dry_run:
            result = class_import.result_of(plan, dry_run=True)
        else:
            result = class_import.apply_import(store, plan, actor)
    _report(result, plan)
    return 0


def _report(result: class_import.ImportResult, plan: class_import.ImportPlan) -> None:
    cl = plan.class_list
    if cl.ignored_columns:
        cols = ", ".join(sorted({f"«{h}»" for _s, h in cl.ignored_columns}))
        print(f"Bỏ qua các cột không dùng: {cols}.")
    if cl.skipped_sheets:
        print("Bỏ qua các trang không có danh sách học sinh: " + ", ".join(f"«{s}»" for s in cl.skipped_sheets) + ".")
    if cl.restored_ids:
        print(f"Đã khôi phục số 0 ở đầu cho {cl.restored_ids} mã định danh lưu dạng số.")
    for m in result.missing:
        print(f"Không có trong tệp (giữ nguyên, không xóa): {m.personal_id}\t{m.full_name}\t{m.class_name}")
    print(result.summary())


def cmd_template_classes(args: argparse.Namespace) -> int:
    from ..services.import_sheets import write_class_template
    from ..storage.engine import default_db_path

    classes: list[str] = []
    year = ""
    db = Path(args.db) if args.db else default_db_path()
    if db.exists():  # an existing database lends its class names; a template never creates one
        from ..services import directory

        with open_store(args) as store:
            infos = directory.classes(store)
            classes = [c.name for c in infos]
            year = infos[0].year if infos else ""
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise HocbasoError(f"Tên tệp mẫu phải có đuôi .xlsx: {out.name}")
    try:
        write_class_template(out, classes, year)
    except OSError as e:
        raise HocbasoError(f"Không ghi được tệp {out}: {e.strerror or e}") from None
    print(f"Đã tạo mẫu danh sách lớp: {out}")
    return 0


def _year(text: str) -> str:
    try:
        year_start(text)
    except HocbasoError as e:
        raise argparse.ArgumentTypeError(e.message) from None
    return text.replace(" ", "")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import-classes", help="nhập danh sách lớp từ tệp Excel (.xlsx)",
        description="Nhập danh sách học sinh từ tệp .xlsx: tất cả hoặc không gì cả. Học sinh được nhận ra bằng "
                    "mã định danh; nhập lại cùng tệp không thay đổi gì. Trạng thái thoát: 0 đã nhập, 1 tệp có lỗi "
                    "(mỗi lỗi một dòng, không ghi gì), 2 tệp không đọc được.")
    p.add_argument("file", metavar="FILE.xlsx", help="tệp danh sách lớp")
    p.add_argument("--year", type=_year, help="năm học, ví dụ 2025-2026 (mặc định: theo tiêu đề tệp hoặc năm học mới nhất)")
    p.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ làm gì, không ghi vào cơ sở dữ liệu")
    p.add_argument("--as", dest="acting", metavar="STAFF_CODE",
                   help="người nhập (văn phòng, ban quản trị, hiệu trưởng), bắt buộc trừ khi đặt biến môi trường "
                        "HOCBASO_AS; mật khẩu: biến HOCBASO_PASSWORD hoặc nhập khi được hỏi")
    p.set_defaults(handler=cmd_import_classes)

    p = sub.add_parser("template-classes", help="xuất tệp mẫu danh sách lớp (.xlsx) có danh sách chọn",
                       description="Tạo tệp .xlsx trống với các cột cần thiết và danh sách chọn Giới tính, Dân tộc, Lớp.")
    p.add_argument("out", metavar="OUT.xlsx", help="tệp mẫu sẽ tạo")
    p.set_defaults(handler=cmd_template_classes)
