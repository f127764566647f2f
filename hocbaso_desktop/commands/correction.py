"""correction request/approve/reject/cancel/list/minute, audit verify/list, and `records versions` /
`records withdraw` (added to the records sub-parser by add_records_versions)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..domain import rights
from ..domain.errors import InputFileError, InvalidValue, PermissionDenied
from ..fileio import write_atomic
from .common import VietnameseArgumentParser, open_store
from .login import add_as, login, login_for, require_pupils
from .seal_option import add_token_label, terminal_seal


def _actor(store, args: argparse.Namespace, year: str | None = None):  # noqa: ANN001, ANN202 - Store, Actor
    from ..services.accounts import resolve_cli_actor

    return resolve_cli_actor(store, args.as_code, year=year)


def cmd_request(args: argparse.Namespace) -> int:
    from ..services.corrections import request_correction
    from ..services.record_history import enrolment_of
    from ..storage.correction_models import MAX_EVIDENCE_BYTES

    evidence, name = None, ""
    if args.evidence:
        p = Path(args.evidence)
        try:
            if p.stat().st_size > MAX_EVIDENCE_BYTES:
                raise InvalidValue("Minh chứng", p.name, f"lớn hơn {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB")
            evidence, name = p.read_bytes(), p.name
        except OSError as e:
            raise InputFileError(f"{args.evidence}: không đọc được tệp minh chứng ({e.strerror})") from None
    with open_store(args) as store:
        actor = _actor(store, args, args.year)
        cid = request_correction(store, actor, enrolment_of(store, args.student, args.year), args.reason,
                                 fields=args.field or (), evidence_name=name, evidence=evidence)
    print(cid)
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    from ..services.corrections import approve

    with open_store(args) as store:
        info = approve(store, _actor(store, args), args.id, args.witness or (), note=args.note or "")
    print(f"Đã duyệt phiếu số {info.id}: học bạ của {info.student_name} ({info.class_name}) mở để sửa; "
          f"sau khi sửa, ký lại theo thứ tự GVCN → Hiệu trưởng → con dấu để phát hành phiên bản {info.record_version + 1}.")
    for w in info.witnesses:
        print(f"  chứng kiến: {w.text}")
    return 0


def cmd_reject(args: argparse.Namespace) -> int:
    from ..services.corrections import reject

    with open_store(args) as store:
        info = reject(store, _actor(store, args), args.id, args.reason)
    print(f"Đã từ chối phiếu số {info.id}: {info.decision_reason}")
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from ..services.corrections import cancel

    with open_store(args) as store:
        info = cancel(store, _actor(store, args), args.id, args.reason)
    print(f"Đã hủy phiếu số {info.id}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from ..services.corrections import list_corrections

    with open_store(args) as store:
        # a request names the pupil and what is wrong with her record: the admin team sees all, a
        # teacher the ones she filed (services.corrections.list_corrections)
        rows = list_corrections(store, login(store, args.acting), states=None if args.all else ("open", "approved"))
    # TSV: id, state, student id, name, class, year, version, requester, created, reason
    for c in rows:
        print("\t".join([str(c.id), c.state_text, c.personal_id, c.student_name, c.class_name, c.year,
                         str(c.record_version), c.requester_code, c.created_at.strftime("%Y-%m-%d %H:%M"),
                         c.reason.replace("\t", " ")]))
    return 0


def cmd_minute(args: argparse.Namespace) -> int:
    from ..services.correction_minute import write_minute
    from ..services.corrections import list_corrections

    with open_store(args) as store:
        actor = login(store, args.acting)
        if not any(c.id == args.id for c in list_corrections(store, actor, states=None)):
            # the same answer whether the request exists or not: a number guessed reveals nothing
            raise PermissionDenied(f"xem biên bản đính chính số {args.id}",
                                   "người lập phiếu, hoặc Ban giám hiệu / quản trị (duyệt đính chính)")
        path = write_minute(store, args.id, args.out)
    print(f"Đã tạo biên bản đính chính: {path}")
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    from ..services.record_history import student_versions
    from ..services.signing_plan import local_now

    with open_store(args) as store:
        _read_student(store, args)
        rows = student_versions(store, args.student, args.year)
    for v in rows:
        print(v.tsv())
    if not rows:  # nothing signed yet: the record exists only as the draft in the grid
        print(f"1\tnháp\t-\t{local_now().date().isoformat()}")
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from ..services.record_history import enrolment_of, withdraw

    with open_store(args) as store:
        actor = _actor(store, args, args.year)
        # the withdrawal is a document the school's seal signs (status 2 in its signed content)
        seal = terminal_seal(store, args.token_label, lenient=True)
        v = withdraw(store, actor, enrolment_of(store, args.student, args.year), args.reason, seal)
        if args.out:
            from ..services.record_history import withdrawal_xml_of

            write_atomic(Path(args.out), withdrawal_xml_of(store, v.record_id) or b"")
            print(f"Văn bản thu hồi đã ký: {args.out} (kiểm tra bằng hocbaso verify)")
    print(f"Đã thu hồi học bạ phiên bản {v.version} (năm học {v.year}): văn bản thu hồi đã ký bằng con dấu nhà trường; "
          "đã xếp hàng báo hủy (CANCEL) về CSDL ngành.")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from ..services.record_history import chain_text, first_bad_entry

    with open_store(args) as store:
        login_for(store, args, rights.VIEW_AUDIT)  # the first broken entry is printed as stored
        report = store.verify_audit()
        if report.ok:  # the chain holds; then every head signed with the seal must still match it
            from ..services.audit_heads import heads_text, trust_for, verify_heads

            with store.read() as s:
                heads = verify_heads(s, trust_for(store))
            print(chain_text(report) if heads.ok else "Nhật ký BỊ VIẾT LẠI (chuỗi băm được tính lại sau khi sửa).")
            print(heads_text(heads))
            return 0 if heads.ok else 1
        print(chain_text(report))
        bad = first_bad_entry(store, report)
    if bad is not None:
        print(f"#{bad.seq}\t{bad.at}\t{bad.actor}\t{bad.action}\t{bad.entity}\t{bad.entity_id}\t{bad.changes['raw']}")
    return 1


def cmd_audit_list(args: argparse.Namespace) -> int:
    from ..services.record_history import audit_entries

    with open_store(args) as store:
        login_for(store, args, rights.VIEW_AUDIT)
        rows = audit_entries(store, student=args.student, staff=args.staff, action=args.action, limit=args.limit,
                             newest_first=args.limit is not None)
    if args.limit is not None:
        rows.reverse()
    for r in rows:
        print(f"{r.seq}\t{r.at}\t{r.actor}\t{r.action}\t{r.entity}\t{r.entity_id}\t{r.summary}")
    return 0


def _read_student(store, args: argparse.Namespace) -> None:  # noqa: ANN001 - Store
    """Log in and check the right to read this pupil's records: a teacher, of her own classes only."""
    from ..services.record_history import enrolment_of

    actor = login_for(store, args, rights.VIEW_PUPILS)
    require_pupils(store, actor, [enrolment_of(store, args.student, args.year)], rights.VIEW_PUPILS)


def _as(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--as", dest="as_code", metavar="STAFF_CODE", required=required,
                   help="mã cán bộ thao tác (mật khẩu: biến HOCBASO_PASSWORD hoặc nhập từ bàn phím)")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("correction", help="đính chính học bạ đã phát hành: phiếu đề nghị, duyệt, biên bản")
    cs = p.add_subparsers(dest="correction_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    cs.required = True
    r = cs.add_parser("request", help="lập phiếu đề nghị sửa dữ liệu (GVCN, GVBM của lớp); in ra số phiếu")
    r.add_argument("--student", metavar="MÃ_ĐỊNH_DANH", required=True)
    r.add_argument("--year", metavar="NĂM_HỌC", required=True, help="ví dụ 2025-2026")
    _as(r)
    r.add_argument("--reason", metavar="TEXT", required=True)
    r.add_argument("--evidence", metavar="FILE", help="tệp minh chứng (tối đa 10 MB, lưu trong cơ sở dữ liệu)")
    r.add_argument("--field", metavar="TEXT", action="append", help="nội dung cần sửa (có thể lặp lại)")
    r.set_defaults(handler=cmd_request)
    a = cs.add_parser("approve", help="Hiệu trưởng duyệt: mở học bạ để sửa, ghi người chứng kiến")
    a.add_argument("id", type=int, metavar="ID")
    _as(a)
    a.add_argument("--witness", metavar="NAME", action="append",
                   help="người chứng kiến: mã cán bộ hoặc họ tên, có thể ghi thành phần trước, "
                        "ví dụ «TTND:Nguyễn Văn A», «BQT:QT01» (lặp lại cho từng người)")
    a.add_argument("--note", metavar="TEXT")
    a.set_defaults(handler=cmd_approve)
    j = cs.add_parser("reject", help="Hiệu trưởng từ chối phiếu, có lý do")
    j.add_argument("id", type=int, metavar="ID")
    _as(j)
    j.add_argument("--reason", metavar="TEXT", required=True)
    j.set_defaults(handler=cmd_reject)
    c = cs.add_parser("cancel", help="hủy phiếu (người lập phiếu hoặc Hiệu trưởng), khi học bạ chưa bị sửa")
    c.add_argument("id", type=int, metavar="ID")
    _as(c)
    c.add_argument("--reason", metavar="TEXT", required=True)
    c.set_defaults(handler=cmd_cancel)
    ls = cs.add_parser("list", help="các phiếu đang chờ duyệt hoặc đang sửa (TSV); --all: mọi phiếu")
    ls.add_argument("--all", action="store_true")
    add_as(ls)
    ls.set_defaults(handler=cmd_list)
    m = cs.add_parser("minute", help="biên bản đính chính (PDF)")
    m.add_argument("id", type=int, metavar="ID")
    m.add_argument("--out", metavar="FILE.pdf", required=True)
    add_as(m)
    m.set_defaults(handler=cmd_minute)

    au = sub.add_parser("audit", help="nhật ký thao tác (chuỗi băm): kiểm tra, liệt kê")
    aus = au.add_subparsers(dest="audit_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    aus.required = True
    v = aus.add_parser("verify", help="kiểm tra chuỗi băm và các đầu chuỗi đã ký bằng con dấu; mã thoát 0 khi toàn vẹn, 1 kèm mục hỏng đầu tiên")
    add_as(v)
    v.set_defaults(handler=cmd_audit_verify)
    al = aus.add_parser("list", help="liệt kê nhật ký (TSV), lọc theo học sinh, cán bộ, thao tác")
    al.add_argument("--student", metavar="MÃ_ĐỊNH_DANH")
    al.add_argument("--staff", metavar="CODE")
    al.add_argument("--action", metavar="PREFIX", help="ví dụ correction, record.sign, evaluation")
    al.add_argument("--limit", type=int, metavar="N", help="chỉ N mục mới nhất")
    add_as(al)
    al.set_defaults(handler=cmd_audit_list)


def add_records_versions(rs: argparse._SubParsersAction) -> None:
    """`records versions` and `records withdraw`, beside records build/pdf/export."""
    v = rs.add_parser("versions", help="các phiên bản học bạ của một học sinh: phiên bản, trạng thái, sha256, ngày (TSV)")
    v.add_argument("--student", metavar="MÃ_ĐỊNH_DANH", required=True)
    v.add_argument("--year", metavar="NĂM_HỌC", help="mặc định: năm học mới nhất của học sinh")
    add_as(v)
    v.set_defaults(handler=cmd_versions)
    w = rs.add_parser("withdraw", help="Hiệu trưởng thu hồi học bạ đã phát hành (giữ lại, báo hủy về CSDL ngành)")
    w.add_argument("--student", metavar="MÃ_ĐỊNH_DANH", required=True)
    w.add_argument("--year", metavar="NĂM_HỌC", required=True)
    _as(w)
    w.add_argument("--reason", metavar="TEXT", required=True)
    add_token_label(w)
    w.add_argument("--out", metavar="FILE.xml", help="ghi văn bản thu hồi đã ký bằng con dấu (XML) ra tệp này")
    w.set_defaults(handler=cmd_withdraw)

