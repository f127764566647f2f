"""demo, classes, students, staff, results."""

from __future__ import annotations

import argparse
import sys

from ..domain import rights
from .common import open_store
from .login import add_as, login_for


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def cmd_demo(args: argparse.Namespace) -> int:
    from ..services import demo

    with open_store(args) as store:
        summary = demo.create_demo_school(store, seed=args.seed)
        print(f"Đã tạo trường mẫu năm học {demo.DEMO_YEAR}: {summary.classes} lớp, {summary.students} học sinh, "
              f"{summary.staff} cán bộ, {summary.evaluations} đánh giá. Tệp dữ liệu: {store.path}")
    return 0


def cmd_classes(args: argparse.Namespace) -> int:
    from ..services import directory

    with open_store(args) as store:
        login_for(store, args, rights.VIEW_PUPILS)
        for c in directory.classes(store, args.year):
            _out(f"{c.name}\t{c.grade}\t{c.student_count}")
    return 0


def cmd_students(args: argparse.Namespace) -> int:
    from ..services import directory

    with open_store(args) as store:
        actor = login_for(store, args, rights.VIEW_PUPILS)
        if args.class_name:
            c = directory.find_class(store, args.class_name, args.year)
            rights.require_class(actor, c.id, c.name)
            shown = None
        else:  # a teacher without --class: the pupils of her own classes only
            shown = None if rights.allowed(actor, rights.VIEW_ALL_CLASSES) else {
                c.name for c in directory.classes(store, args.year) if rights.reads_class(actor, c.id)}
        for r in directory.students(store, args.class_name, args.year):
            if shown is not None and r.class_name not in shown:
                continue
            _out(f"{r.personal_id}\t{r.full_name}\t{r.birth_date.isoformat()}\t{r.sex}\t{r.ethnicity}\t{r.class_name}")
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    from ..services import directory

    with open_store(args) as store:
        login_for(store, args, rights.VIEW_STAFF)
        for r in directory.staff(store):
            # the personal ID is a fifth column: scripts reading the first four keep working
            _out(f"{r.code}\t{r.full_name}\t{', '.join(r.roles)}\t{r.assignments}\t{r.personal_id}")
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    from ..services import directory, grid

    with open_store(args) as store:
        actor = login_for(store, args, rights.VIEW_PUPILS)
        c = directory.find_class(store, args.class_name, args.year)
        rights.require_class(actor, c.id, c.name)
        for r in grid.class_results(store, c.id):
            _out(f"{r.personal_id}\t{r.full_name}\t{r.result or '-'}\t{r.explanation}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="tạo trường mẫu (năm học 2025-2026) trong cơ sở dữ liệu trống",
                       description="Tạo trường mẫu: khối 1-5, mỗi khối hai lớp, học sinh, cán bộ và đánh giá TT27 đủ bốn kì.")
    p.add_argument("--seed", type=int, default=2025, help="hạt giống ngẫu nhiên (cùng hạt giống → cùng dữ liệu)")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("classes", help="liệt kê các lớp: <lớp>\\t<khối>\\t<sĩ số>")
    p.add_argument("--year", help="năm học, ví dụ 2025-2026 (mặc định: năm học mới nhất)")
    add_as(p)
    p.set_defaults(handler=cmd_classes)

    p = sub.add_parser("students", help="liệt kê học sinh (TSV)")
    p.add_argument("--class", dest="class_name", metavar="NAME", help="chỉ một lớp, ví dụ 1A")
    p.add_argument("--year", help="năm học (mặc định: năm học mới nhất)")
    add_as(p)
    p.set_defaults(handler=cmd_students)

    p = sub.add_parser("staff", help="liệt kê cán bộ, giáo viên: mã, họ tên, vai trò, lớp/môn")
    add_as(p)
    p.set_defaults(handler=cmd_staff)

    p = sub.add_parser("results", help="kết quả giáo dục cuối năm của một lớp, kèm giải thích (Điều 9)")
    p.add_argument("--class", dest="class_name", metavar="NAME", required=True, help="tên lớp, ví dụ 5A")
    p.add_argument("--year", help="năm học (mặc định: năm học mới nhất)")
    add_as(p)
    p.set_defaults(handler=cmd_results)
