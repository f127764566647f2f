"""records build / records pdf / validate: the record XML and its paper copy."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..domain import rights
from ..fileio import write_atomic
from .common import VietnameseArgumentParser, open_store
from .login import add_as, login_for, require_pupils


def cmd_build(args: argparse.Namespace) -> int:
    from ..services import records

    with open_store(args) as store:
        login_for(store, args, rights.BUILD_RECORDS)
        refs = records.class_students(store, args.class_name, args.year)
        written, failures = records.build_class_xml(store, refs, Path(args.out))
    for f in failures:
        print(f"{f.personal_id}\t{f.full_name}\t{f.reason}", file=sys.stderr)
    print(f"Đã tạo {len(written)} tệp XML trong {args.out}" + (f"; {len(failures)} học sinh không tạo được" if failures else ""))
    return 1 if failures else 0


def cmd_pdf(args: argparse.Namespace) -> int:
    from ..services import record_export, records

    if not args.class_name and not args.student:
        print("Lỗi: cần --class NAME hoặc --student MÃ_ĐỊNH_DANH", file=sys.stderr)
        return 2
    if args.book:
        return _book_pdf(args)
    with open_store(args) as store:
        actor = login_for(store, args, rights.PRINT_RECORDS)
        if args.student:
            refs = [records.find_student(store, args.student, args.year)]
        else:
            refs = records.class_students(store, args.class_name, args.year)
        require_pupils(store, actor, (r.enrolment_id for r in refs), rights.PRINT_RECORDS)

        def progress(done: int, total: int, _label: str = "") -> None:
            if sys.stderr.isatty():
                print(f"\r{done}/{total}", end="", file=sys.stderr)

        # issued records: the PDF stored at issue from the signed XML; drafts: the live rows, stamped
        path = record_export.paper_copy_pdf(store, refs, args.out, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Đã tạo bản giấy của {len(refs)} học sinh: {path}")
    return 0


def _book_pdf(args: argparse.Namespace) -> int:
    """--student PID --book: the whole primary record (every issued year, from its signed XML)."""
    from ..services import record_book

    if args.class_name or not args.student or args.year:
        print("Lỗi: --book in học bạ cả cấp của một học sinh: dùng --student MÃ_ĐỊNH_DANH, "
              "không dùng --class hay --year", file=sys.stderr)
        return 2
    with open_store(args) as store:
        actor = login_for(store, args, rights.PRINT_RECORDS)
        book = record_book.make_book(store, args.student, actor)  # rights checked before anything is read
    path = write_atomic(Path(args.out), book.pdf)
    years = book.years
    for y in years:
        print(y.line())
    printed = sum(y.state == record_book.PRINTED for y in years)
    print(f"Đã tạo học bạ cả cấp ({printed} năm học): {path}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """A record (schemas/hocba-tieuhoc-<phienbanxsd>.xsd) or an upload package (goitin-<version>.xsd,
    and the record inside it against its own schema)."""
    from ..services.xml_validation import validate_file

    result = validate_file(args.file)
    what, problems = result.what, result.problems
    if problems:
        for p in problems:
            print(p)
        print(f"{args.file}: KHÔNG hợp lệ theo {what} ({len(problems)} lỗi)", file=sys.stderr)
        return 1
    print(f"{args.file}: hợp lệ theo {what}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("records", help="học bạ: tạo XML, bản giấy (PDF), xuất bản đã phát hành")
    rs = p.add_subparsers(dest="records_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    rs.required = True
    b = rs.add_parser("build", help="tạo <mã tra cứu>.xml cho từng học sinh của lớp (đã kiểm tra theo XSD)")
    b.add_argument("--class", dest="class_name", metavar="NAME", required=True)
    b.add_argument("--out", metavar="DIR", required=True)
    b.add_argument("--year", help="năm học (mặc định: mới nhất)")
    add_as(b)
    b.set_defaults(handler=cmd_build)
    d = rs.add_parser("pdf", help="bản giấy học bạ (A4) của một lớp hoặc một học sinh")
    d.add_argument("--class", dest="class_name", metavar="NAME")
    d.add_argument("--student", metavar="MÃ_ĐỊNH_DANH")
    d.add_argument("--out", metavar="FILE.pdf", required=True)
    d.add_argument("--year", help="năm học (mặc định: mới nhất)")
    d.add_argument("--book", action="store_true",
                   help="học bạ cả cấp của học sinh (--student): mọi năm học đã phát hành, theo thứ tự")
    add_as(d)
    d.set_defaults(handler=cmd_pdf)
    try:  # the signing issue adds `records export` beside these
        from .signing import add_records_export
    except ImportError:
        pass
    else:
        add_records_export(rs)
    from .correction import add_records_versions  # records versions / records withdraw (corrections issue)

    add_records_versions(rs)

    v = sub.add_parser("validate", help="kiểm tra một tệp học bạ XML theo lược đồ XSD")
    v.add_argument("file", metavar="FILE.xml")
    v.set_defaults(handler=cmd_validate)
