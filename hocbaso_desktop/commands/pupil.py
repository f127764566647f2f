"""pupil set|show (the pupil form from the command line), promote (issue 14)."""

from __future__ import annotations

import argparse

from ..domain import rights
from ..domain.catalogue import catalogue
from ..domain.errors import HocbasoError
from .common import open_store
from .login import add_as, login_for


class UsageError(HocbasoError):
    exit_code = 2


def _show(p) -> list[str]:  # noqa: ANN001 - PupilProfile
    cat = catalogue()

    def names(codes: frozenset[str]) -> str:
        return ", ".join(f"{c} ({cat.subject(c).name})" for c in sorted(codes, key=lambda c: [s.code for s in cat.subjects].index(c))) or "-"

    d = p.birth_date.strftime("%d/%m/%Y")
    e = p.enrolled_on.strftime("%d/%m/%Y") if p.enrolled_on else ""
    lines = [
        ("Mã định danh", p.personal_id), ("Họ và tên", p.full_name), ("Ngày sinh", d), ("Giới tính", p.sex),
        ("Dân tộc", f"{p.ethnicity_name} ({p.ethnicity_code})"), ("Quốc tịch", p.nationality), ("Nơi sinh", p.birthplace),
        ("Quê quán", p.hometown), ("Nơi ở hiện nay", p.address), ("Họ tên cha", p.father_name), ("Họ tên mẹ", p.mother_name),
        ("Người giám hộ", p.guardian_name), ("Mã học sinh", p.moet_code), ("Số đăng bộ", p.register_no),
        ("Ngày vào trường", e), ("Đối tượng chính sách", p.policy_group), ("Khuyết tật", p.disability or "không"),
        ("Đánh giá theo KHGD cá nhân", "có" if p.not_assessed else "không"), ("Năm học", p.year),
        ("Lớp", f"{p.class_name} (khối {p.grade})"), ("Môn tự chọn của lớp", names(p.class_optional)),
        ("Môn tự chọn", names(p.optional_subjects)), ("Miễn môn", names(p.exempt_subjects)),
        ("Các môn học", ", ".join(s.code for s in p.subjects)), ("Học bạ", p.record_status or "chưa lập"),
    ]
    if p.locked_reason:
        lines.append(("Không sửa được", p.locked_reason))
    return [f"{k}: {v}" for k, v in lines]


def cmd_show(args: argparse.Namespace) -> int:
    from ..services.pupil_profile import pupil_profile

    with open_store(args) as store:
        actor = login_for(store, args, rights.VIEW_PUPILS)
        p = pupil_profile(store, args.personal_id, args.year)
        # a teacher reads the pupils of the classes she teaches only (the same rule as `students`)
        rights.require_class(actor, p.class_id, p.class_name)
    print("\n".join(_show(p)))
    return 0


# option dest → service field, for the plain text ones
_TEXT_OPTIONS = {
    "name": "full_name", "birth_date": "birth_date", "sex": "sex", "ethnicity": "ethnicity", "nationality": "nationality",
    "birthplace": "birthplace", "hometown": "hometown", "address": "address", "father": "father_name",
    "mother": "mother_name", "guardian": "guardian_name", "new_personal_id": "personal_id", "student_code": "moet_code",
    "register_no": "register_no", "enrolled_on": "enrolled_on", "policy_group": "policy_group", "disability": "disability",
}


def changes_of(args: argparse.Namespace) -> dict[str, object]:
    changes: dict[str, object] = {f: getattr(args, o) for o, f in _TEXT_OPTIONS.items() if getattr(args, o) is not None}
    if args.optional and args.no_optional:
        raise UsageError("Không dùng cùng lúc --optional và --no-optional.")
    if args.exempt and args.no_exempt:
        raise UsageError("Không dùng cùng lúc --exempt và --no-exempt.")
    if args.optional or args.no_optional:
        changes["optional_subjects"] = list(args.optional or [])
    if args.exempt or args.no_exempt:
        changes["exempt_subjects"] = list(args.exempt or [])
    if args.individual_plan is not None:
        changes["not_assessed"] = args.individual_plan
    return changes


def cmd_set(args: argparse.Namespace) -> int:
    from ..services.accounts import resolve_cli_actor
    from ..services.pupil_profile import update_pupil

    changes = changes_of(args)
    if not changes:
        raise UsageError("Không có gì để sửa: thêm ít nhất một tùy chọn (xem «hocbaso pupil set --help»).")
    with open_store(args) as store:
        actor = resolve_cli_actor(store, args.as_code, year=args.year)  # password from HOCBASO_PASSWORD or the terminal
        res = update_pupil(store, actor, args.personal_id, changes, args.year)
    for w in res.warnings:
        print(f"Cảnh báo: {w}")
    if res.changes:
        print(f"Đã sửa hồ sơ học sinh {res.profile.full_name} ({res.profile.personal_id}), lớp {res.profile.class_name}: "
              + ", ".join(sorted(res.changes)))
    else:
        print(f"Không có gì thay đổi trong hồ sơ học sinh {res.profile.full_name}.")
    return 0


def register_pupil(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """`hocbaso pupil set|show`; returns the `pupil` sub-parsers so others can add theirs."""
    p = sub.add_parser("pupil", help="hồ sơ học sinh: xem, sửa (môn tự chọn, miễn môn, KHGD cá nhân…)")
    psub = p.add_subparsers(dest="pupil_command", required=True)

    show = psub.add_parser("show", help="xem hồ sơ một học sinh (dạng «trường: giá trị»)")
    show.add_argument("personal_id", metavar="PERSONAL_ID", help="mã định danh 12 chữ số")
    show.add_argument("--year", help="năm học, ví dụ 2025-2026 (mặc định: năm gần nhất của học sinh)")
    add_as(show)
    show.set_defaults(handler=cmd_show)

    st = psub.add_parser("set", help="sửa hồ sơ một học sinh (một lần ghi, có nhật ký)")
    st.add_argument("personal_id", metavar="PERSONAL_ID", help="mã định danh 12 chữ số")
    st.add_argument("--as", dest="as_code", required=True, metavar="CODE", help="mã cán bộ thao tác (đăng nhập như grid import)")
    st.add_argument("--year", help="năm học của các môn tự chọn/miễn môn (mặc định: năm gần nhất)")
    st.add_argument("--optional", action="append", metavar="SUBJ", help="môn tự chọn (mã hoặc tên: NN1, TDT, «Tiếng Anh»); lặp lại được")
    st.add_argument("--no-optional", action="store_true", help="bỏ hết môn tự chọn riêng của học sinh")
    st.add_argument("--exempt", action="append", metavar="SUBJ", help="môn được miễn (M); lặp lại được")
    st.add_argument("--no-exempt", action="store_true", help="bỏ hết miễn môn")
    plan = st.add_mutually_exclusive_group()
    plan.add_argument("--individual-plan", dest="individual_plan", action="store_true", default=None,
                      help="đánh giá theo kế hoạch giáo dục cá nhân (không tính kết quả từ các mức)")
    plan.add_argument("--no-individual-plan", dest="individual_plan", action="store_false")
    st.add_argument("--student-code", metavar="X", help="mã học sinh của CSDL ngành")
    st.add_argument("--register-no", metavar="X", help="số đăng bộ")
    st.add_argument("--name", help="họ và tên")
    st.add_argument("--birth-date", metavar="DD/MM/YYYY", help="ngày sinh")
    st.add_argument("--sex", help="Nam hoặc Nữ")
    st.add_argument("--ethnicity", help="dân tộc (tên hoặc mã 2 chữ số)")
    st.add_argument("--nationality", help="quốc tịch")
    st.add_argument("--birthplace", help="nơi sinh")
    st.add_argument("--hometown", help="quê quán")
    st.add_argument("--address", help="nơi ở hiện nay")
    st.add_argument("--father", help="họ tên cha")
    st.add_argument("--mother", help="họ tên mẹ")
    st.add_argument("--guardian", help="người giám hộ")
    st.add_argument("--personal-id", dest="new_personal_id", metavar="ID", help="mã định danh mới (12 chữ số)")
    st.add_argument("--enrolled-on", metavar="DD/MM/YYYY", help="ngày vào trường")
    st.add_argument("--policy-group", help="đối tượng chính sách")
    st.add_argument("--disability", help="loại khuyết tật («» để bỏ)")
    st.set_defaults(handler=cmd_set)
    return psub


def register(sub: argparse._SubParsersAction) -> None:
    register_pupil(sub)
    register_promote(sub)


def register_promote(sub: argparse._SubParsersAction) -> None:
    """`hocbaso promote PERSONAL_ID --decision len-lop|o-lai --as CODE` (its code: commands/promote.py)."""
    from .promote import register_promote as add

    add(sub)
