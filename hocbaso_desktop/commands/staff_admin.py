"""import-staff, template-staff, staff-add, staff-edit, staff-deactivate, staff-reactivate (issue 14).

Plain `hocbaso staff` (the list) stays in commands/school.py; the commands that change the list
are separate top-level commands, each logging in with --as like `grid import`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TypeVar

from ..domain.errors import HocbasoError
from ..domain.roles import ROLE_BY_NAME, ROLE_NAMES
from .common import open_store


def _err(line: str) -> None:
    sys.stderr.write(line + "\n")


def _actor(store, code: str):  # noqa: ANN001, ANN202
    from ..services.accounts import resolve_cli_actor

    return resolve_cli_actor(store, code)


def cmd_import_staff(args: argparse.Namespace) -> int:
    from ..services import staff_import

    with open_store(args) as store:
        actor = _actor(store, args.acting)
        plan = staff_import.plan_staff_import(store, args.file, actor)
        if not plan.ok:
            for p in plan.problems:  # every problem names its row: "dòng 7: …"
                _err(p.message())
            print(f"Không nhập: {len(plan.errors)} lỗi, {len(plan.warnings)} cảnh báo trong tệp {Path(args.file).name}. "
                  "Cơ sở dữ liệu không thay đổi. Sửa các dòng trên rồi nhập lại.")
            return 1
        for p in plan.problems:
            print(p.message())
        if args.dry_run:
            result = staff_import.result_of(plan, dry_run=True)
        else:
            result = staff_import.apply_staff_import(store, plan, actor)
    for line in result.generated_lines():
        print(line)
    print(result.summary())
    return 0


def cmd_template_staff(args: argparse.Namespace) -> int:
    from ..services.import_sheets import write_staff_list_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise HocbasoError(f"Tên tệp mẫu phải có đuôi .xlsx: {out.name}")
    try:
        write_staff_list_template(out)
    except OSError as e:
        raise HocbasoError(f"Không ghi được tệp {out}: {e.strerror or e}") from None
    print(f"Đã tạo mẫu danh sách cán bộ: {out}")
    return 0


def _roles(values: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in values or []:
        for part in v.split(","):
            part = part.strip()
            if not part:
                continue
            role = part if part in ROLE_NAMES else ROLE_BY_NAME.get(part.lower())
            if role is None:
                raise HocbasoError(f"Vai trò «{part}» không hợp lệ — có thể là: "
                                   + ", ".join(f"{k} ({n})" for k, n in ROLE_NAMES.items()))
            out.append(role)
    return tuple(dict.fromkeys(out))


_T = TypeVar("_T")


def _input(args: argparse.Namespace, base=None):  # noqa: ANN001, ANN202
    """StaffInput from the options; for an edit, options not given keep the stored value."""
    from ..services.staff_admin import StaffInput

    def pick(name: str, stored: _T) -> _T:
        v = getattr(args, name, None)
        return stored if v is None else v

    if base is None:
        return StaffInput(args.name or "", args.code or "", args.sex or "", args.birth, args.personal_id or "",
                          args.position or "", args.email or "", _roles(args.role), args.subjects or "")
    roles = _roles(args.role) if args.role is not None else base.roles
    return StaffInput(pick("name", base.full_name), "", pick("sex", base.sex), pick("birth", base.birth_date),
                      pick("personal_id", base.personal_id), pick("position", base.position), pick("email", base.email),
                      roles, pick("subjects", base.subjects_text))


def cmd_staff_add(args: argparse.Namespace) -> int:
    from ..services import staff_admin

    with open_store(args) as store:
        actor = _actor(store, args.acting)
        result = staff_admin.add_staff(store, actor, _input(args))
    print(result.summary())
    return 0


def cmd_staff_edit(args: argparse.Namespace) -> int:
    from ..services import staff_admin

    with open_store(args) as store:
        actor = _actor(store, args.acting)
        base = staff_admin.get_staff(store, args.staff_code)
        result = staff_admin.edit_staff(store, actor, base.code, _input(args, base))
    print(result.summary())
    return 0


def cmd_staff_deactivate(args: argparse.Namespace) -> int:
    from ..services import staff_admin

    with open_store(args) as store:
        actor = _actor(store, args.acting)
        info = staff_admin.deactivate_staff(store, actor, args.staff_code, args.date, args.reason)
    print(f"Đã ghi {info.code} ({info.full_name}) {info.state_text}: không đăng nhập, không phân công được; "
          "dữ liệu và nhật ký giữ nguyên.")
    return 0


def cmd_staff_reactivate(args: argparse.Namespace) -> int:
    from ..services import staff_admin

    with open_store(args) as store:
        actor = _actor(store, args.acting)
        info = staff_admin.reactivate_staff(store, actor, args.staff_code)
    print(f"{info.code} ({info.full_name}) làm việc lại." + (" Phải đổi mật khẩu ở lần đăng nhập tới." if info.has_login else ""))
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ngày «{text}» không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2025-08-31") from None


def _details(p: argparse.ArgumentParser, edit: bool) -> None:
    p.add_argument("--name", required=not edit, help="họ và tên")
    if not edit:
        p.add_argument("--code", help="mã cán bộ (mã đăng nhập); bỏ trống: phần mềm tự đặt (HT, PHT, GV001…)")
    p.add_argument("--sex", choices=["Nam", "Nữ"], help="giới tính")
    p.add_argument("--birth", type=_date, metavar="YYYY-MM-DD", help="ngày sinh")
    p.add_argument("--personal-id", dest="personal_id", metavar="12_CHỮ_SỐ", help="số định danh cá nhân")
    p.add_argument("--position", help="chức vụ, ví dụ «Giáo viên», «Phó hiệu trưởng»")
    p.add_argument("--email")
    p.add_argument("--role", action="append", metavar="ROLE",
                   help="vai trò (lặp lại hoặc cách nhau bằng dấu phẩy): " + ", ".join(ROLE_NAMES)
                        + (" — khi sửa, thay toàn bộ vai trò" if edit else ""))
    p.add_argument("--subjects", help="môn dạy (ghi chú)")
    p.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True, help="người thao tác (đăng nhập)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import-staff", help="nhập danh sách cán bộ (CSDL_GiaoVien của CSDL ngành hoặc mẫu template-staff)",
        description="Nhập danh sách cán bộ, giáo viên từ tệp .xlsx: tất cả hoặc không gì cả. Người đã có (cùng số "
                    "định danh, hoặc cùng mã) được cập nhật; không ai bị xóa. Trạng thái thoát: 0 đã nhập, 1 tệp có lỗi "
                    "(mỗi lỗi một dòng «dòng N: …», không ghi gì) hoặc không có quyền, 2 tệp không đọc được.")
    p.add_argument("file", metavar="FILE.xlsx")
    p.add_argument("--dry-run", action="store_true", help="chỉ cho biết sẽ làm gì, không ghi")
    p.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True, help="người nhập (đăng nhập)")
    p.set_defaults(handler=cmd_import_staff)

    p = sub.add_parser("template-staff", help="xuất tệp mẫu danh sách cán bộ (.xlsx) có danh sách chọn")
    p.add_argument("out", metavar="FILE.xlsx")
    p.set_defaults(handler=cmd_template_staff)

    p = sub.add_parser("staff-add", help="thêm một cán bộ, giáo viên")
    _details(p, edit=False)
    p.set_defaults(handler=cmd_staff_add)

    p = sub.add_parser("staff-edit", help="sửa thông tin một cán bộ (chỉ các mục được ghi)")
    p.add_argument("staff_code", metavar="CODE")
    _details(p, edit=True)
    p.set_defaults(handler=cmd_staff_edit)

    p = sub.add_parser("staff-deactivate", help="ghi một cán bộ là đã nghỉ (nghỉ hưu, chuyển công tác…)")
    p.add_argument("staff_code", metavar="CODE")
    p.add_argument("--date", type=_date, required=True, metavar="YYYY-MM-DD", help="ngày nghỉ")
    p.add_argument("--reason", required=True, metavar="TEXT", help="lý do")
    p.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True, help="người thao tác (đăng nhập)")
    p.set_defaults(handler=cmd_staff_deactivate)

    p = sub.add_parser("staff-reactivate", help="cho một cán bộ đã nghỉ làm việc lại")
    p.add_argument("staff_code", metavar="CODE")
    p.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True, help="người thao tác (đăng nhập)")
    p.set_defaults(handler=cmd_staff_reactivate)
