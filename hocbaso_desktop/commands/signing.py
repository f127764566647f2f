"""token list, demo-token, sign, verify — and `records export` (added under `records` by commands/records.py).

The PIN comes from HOCBASO_PIN or the terminal (no echo); it is never an argument.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from ..domain import rights
from ..domain.errors import HocbasoError, InputFileError
from ..domain.vn_dates import VN_TZ
from .common import VietnameseArgumentParser, open_store
from .login import acting_code, add_as, login, login_for


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def cmd_token_list(args: argparse.Namespace) -> int:
    from ..services import signing_setup
    from ..services.signing_service import is_organisation_certificate, school_name
    from ..signing.certs import fmt_time

    with open_store(args) as store:
        provider = signing_setup.provider_for(store)
        school = school_name(store)
        tokens = provider.list_tokens()
        if not tokens:
            print(f"Không có thiết bị ký số nào (thư viện PKCS#11: {provider.module_path}).")
            return 0
        for t in tokens:
            state = "PIN đã bị khoá" if t.pin_locked else ("còn một lần thử PIN" if t.pin_final_try else "sẵn sàng")
            print(f"{t.label}\tsê-ri {t.serial}\t{t.manufacturer} {t.model}\t{state}")
            for c in provider.list_certificates(t.label, t.serial):
                if c.is_ca:
                    continue
                kind = "tổ chức" if is_organisation_certificate(c.certificate(), school) else "cá nhân"
                key = "có khoá riêng" if c.has_private_key else "không có khoá riêng"
                print(f"  - {c.common_name} ({kind}), sê-ri {c.serial_hex}, hiệu lực {fmt_time(c.not_before)} – "
                      f"{fmt_time(c.not_after)}, {key}")
    return 0


def cmd_demo_token(args: argparse.Namespace) -> int:
    import os

    from ..services import signing_setup
    from ..services.accounts import is_demo

    code = acting_code(args.acting)
    with open_store(args) as store:
        # Logged in, and of the admin team: the command adds a CA to the school's trust store.
        actor = login(store, code)
        rights.require(actor, rights.MANAGE_TRUST)
        if not is_demo(store) and not args.yes_real_school:
            raise HocbasoError("Đây là cơ sở dữ liệu của một trường thật: thiết bị ký số thử nghiệm và CA thử nghiệm "
                               "của nó không có giá trị pháp lý, và CA đó sẽ được thêm vào danh sách tin cậy của trường. "
                               "Chỉ làm khi Ban quản trị thật sự muốn thử: thêm --yes-real-school.")
        # HOCBASO_PIN, when set, becomes the demo PIN (scripts know it); otherwise six random digits.
        info, pin = signing_setup.create_school_demo_token(store, actor.code, pin=os.environ.get("HOCBASO_PIN") or None)
    print(f"Đã tạo thiết bị ký số thử nghiệm «{info.label}» (SoftHSM2, sê-ri {info.serial}) với {len(info.identities)} chứng thư:")
    for ident in info.identities:
        print(f"  - {ident.staff_code}\t{ident.full_name}")
    print(f"CA thử nghiệm (không có giá trị pháp lý): {Path(info.root_cert_path).parent}")
    print(f"Cấu hình SoftHSM2: {info.conf_path}")
    print(f"Mã PIN: {pin}")
    return 0


def _print_plan_notes(plan) -> None:  # noqa: ANN001
    for n in plan.resets:
        _err(f"Huỷ chữ ký: {n.student_name} ({n.class_name}): {n.reason}")
    for n in plan.skipped:
        _err(f"Chưa ký: {n.student_name} ({n.class_name}): {n.reason}")


def cmd_sign(args: argparse.Namespace) -> int:
    from ..services import directory, signing_setup
    from ..services.signing_plan import plan_signing
    from ..services.signing_service import SigningRun, choose_certificate, school_name
    from ..signing.prompt import TerminalPinPrompt

    with open_store(args) as store:
        from ..services.accounts import resolve_cli_actor

        info = directory.find_class(store, args.class_name, args.year)
        actor = resolve_cli_actor(store, args.acting, year=info.year)  # logged in, like grid import
        plan = plan_signing(store, actor, [info.id], args.role, seal=args.seal)
        print(f"{actor.name} ký với vai trò {plan.role_title}, lớp {info.name}: {len(plan.items)} học bạ cần ký, "
              f"{len(plan.already)} đã ký trước đó, {len(plan.skipped)} chưa ký được.")
        _print_plan_notes(plan)
        signed = failed = issued = 0
        stopped = None
        if plan.items:
            provider = signing_setup.provider_for(store)
            label = args.token_label or signing_setup.settings_service.signing_settings(store).token_label
            choice = choose_certificate(provider, label, plan.role, actor.name, school_name(store))
            for w in choice.warnings:
                _err(f"Cảnh báo: {w}")
            print(f"Chứng thư số: {choice.certificate.common_name} (sê-ri {choice.certificate.serial_hex}) "
                  f"trên thiết bị «{choice.token.label}»")
            run = SigningRun(store, plan, provider, choice, TerminalPinPrompt())
            try:
                for p in run:
                    if p.outcome and not p.outcome.ok:
                        _err(f"Không ký được: {p.outcome.student_name} ({p.outcome.class_name}): {p.outcome.message}")
            except KeyboardInterrupt:
                run.cancel.cancel()
                stopped = "Đã dừng theo yêu cầu: các học bạ đã ký vẫn được giữ nguyên."
            signed, failed = len(run.signed), len(run.failed)
            issued = sum(1 for o in run.signed if o.issued)
            stopped = stopped or run.stopped
        if stopped:
            _err(stopped)
        tail = f" (phát hành {issued})" if issued else ""
        print(f"đã ký {signed} học bạ{tail}")
    # CHT students waiting for a supplementary evaluation stay unsigned by design (the rest of the
    # class goes ahead): listed, but not a failure. Anything else left unsigned is.
    blocked = [n for n in plan.skipped if n.kind != "pending"]
    if failed or stopped or blocked or plan.resets:
        return 1
    if signed == 0 and plan.skipped and not plan.already:
        return 1
    return 0


def _parse_at(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise HocbasoError(f"Thời điểm «{text}» không đúng dạng ISO, ví dụ 2026-06-01T08:00 hoặc 2026-06-01T01:00+00:00") from None
    return moment.replace(tzinfo=VN_TZ) if moment.tzinfo is None else moment  # no zone: Vietnam time


def cmd_verify(args: argparse.Namespace) -> int:
    from ..services.trust_anchors import dirs_for_db_path
    from ..signing import default_trust_store, verify_record
    from ..signing.policy import issued_policy

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputFileError(f"Không đọc được tệp {path}: {e.strerror or e}") from None
    # The school's trust folders (hocbaso trust add, the demo CA, Cài đặt › Ký số) of --db or the
    # default database, read without opening it as a Store: verify takes no lock, runs no migration.
    dirs: list[Path] = dirs_for_db_path(args.db)
    for d in args.trust or []:
        if not Path(d).is_dir():
            raise InputFileError(f"Không có thư mục chứng thư tin cậy {d}")
        dirs.append(Path(d))
    # An exported record claims to be issued: it must carry every signature the policy requires, in
    # order, each by the person or school the record names (signing/policy.py). GVBM signatures are
    # allowed before the GVCN's; `--gvbm` requires them (the school setting of the issuing school).
    policy = issued_policy(gvbm_signs=bool(getattr(args, "gvbm", False)))
    report = verify_record(data, default_trust_store(*dirs), _parse_at(args.at), policy=policy, source=f"Tệp {path.name}")
    print(f"Tệp: {path}")
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def cmd_records_export(args: argparse.Namespace) -> int:
    from ..services import directory
    from ..services.record_export import export_issued

    with open_store(args) as store:
        actor = login_for(store, args, rights.PRINT_RECORDS)
        c = directory.find_class(store, args.class_name, args.year)
        rights.require_class(actor, c.id, c.name, rights.PRINT_RECORDS)
        result = export_issued(store, args.class_name, args.out, args.year)
    for name in result.not_issued:
        _err(f"Chưa phát hành: {name}")
    print(f"Đã xuất {len(result.written)} học bạ đã phát hành vào {args.out}")
    return 0 if result.written else 1


def add_records_export(records_subparsers: argparse._SubParsersAction) -> None:
    e = records_subparsers.add_parser("export", help="xuất XML đã ký của các học bạ đã phát hành: <mã tra cứu>.xml")
    e.add_argument("--class", dest="class_name", metavar="NAME", required=True)
    e.add_argument("--out", metavar="DIR", required=True)
    e.add_argument("--year", help="năm học (mặc định: mới nhất)")
    add_as(e)
    e.set_defaults(handler=cmd_records_export)


def register(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser("token", help="thiết bị ký số (USB token)")
    ts = t.add_subparsers(dest="token_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    ts.required = True
    tl = ts.add_parser("list", help="liệt kê thiết bị ký số đang cắm và chứng thư trên từng thiết bị")
    tl.set_defaults(handler=cmd_token_list)

    d = sub.add_parser("demo-token", help="tạo thiết bị ký số thử nghiệm (SoftHSM2) cho Hiệu trưởng, các GVCN và con dấu",
                       description="Tạo thiết bị ký số thử nghiệm HOCBASO-DEMO (SoftHSM2) kèm CA thử nghiệm, "
                                   "ghi vào cài đặt để chương trình tìm thấy; in mã PIN ra màn hình. Chỉ trên trường "
                                   "mẫu, hoặc Ban quản trị với --yes-real-school.")
    d.add_argument("--as", dest="acting", metavar="STAFF_CODE",
                   help="mã cán bộ Ban quản trị (bắt buộc, trừ khi đặt biến môi trường HOCBASO_AS); "
                        "mật khẩu: biến HOCBASO_PASSWORD hoặc nhập khi được hỏi")
    d.add_argument("--yes-real-school", action="store_true",
                   help="xác nhận tạo thiết bị thử nghiệm trên cơ sở dữ liệu của trường thật (CA thử nghiệm được tin cậy)")
    d.set_defaults(handler=cmd_demo_token)

    s = sub.add_parser("sign", help="ký số học bạ của một lớp (mã PIN: biến HOCBASO_PIN hoặc nhập từ bàn phím)")
    s.add_argument("--class", dest="class_name", metavar="NAME", required=True)
    s.add_argument("--as", dest="acting", metavar="STAFF_CODE", required=True, help="mã cán bộ ký")
    s.add_argument("--seal", action="store_true", help="ký bằng chứng thư số của nhà trường (con dấu): phát hành học bạ")
    s.add_argument("--token-label", metavar="LABEL", help="nhãn thiết bị ký số (khi cắm nhiều thiết bị)")
    s.add_argument("--role", choices=["gvbm", "gvcn", "principal"], help="vai trò ký (mặc định: suy ra từ cán bộ)")
    s.add_argument("--year", help="năm học (mặc định: mới nhất)")
    s.set_defaults(handler=cmd_sign)

    v = sub.add_parser("verify", help="xác minh chữ ký số của một tệp học bạ XML (không cần cơ sở dữ liệu)")
    v.add_argument("file", metavar="FILE.xml")
    v.add_argument("--trust", metavar="DIR", action="append", help="thêm thư mục chứng thư gốc tin cậy (lặp lại được)")
    v.add_argument("--at", metavar="ISO-DATETIME", help="kiểm tra hiệu lực chứng thư tại thời điểm này (mặc định: lúc ký)")
    v.add_argument("--gvbm", action="store_true", help="đòi chữ ký GVBM trước chữ ký GVCN (trường bật GVBM ký)")
    v.set_defaults(handler=cmd_verify)
