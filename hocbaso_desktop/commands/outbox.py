"""outbox status|send|retry|export and receiver: the upload queue and the reference receiving server.

Protocol v1 (project-defined, issue 8): POST {endpoint}/packages, Content-Type application/xml, body
= the package (sync/package.py); headers Idempotency-Key, X-Record-Id, X-Record-Version, X-Event and
optionally Authorization: Bearer <token>. 201/200 + {"receipt", "record_id", "version"} → sent;
409 + {"record_id" = this record, "version" ≥ the one sent, "receipt"} → superseded (final); any other
409, 429/503 (Retry-After), 5xx, timeouts → retried; other 4xx → failed. `send` stops after
--max-seconds (default 300); each request is bounded by connect and read timeouts.

The reference receiver needs a bearer token (--token-env VAR) and trust anchors (--trust DIR) and
stores only records whose signatures verify (sync/receiver.py, sync/payload_check.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from ..domain import rights
from .common import VietnameseArgumentParser, open_store
from .login import add_as, login_for


def cmd_status(args: argparse.Namespace) -> int:
    from ..services import outbox_service

    with open_store(args) as store:
        st = outbox_service.status(store)
    for state in ("pending", "sent", "failed", "superseded"):
        print(f"{state}\t{st.counts[state]}")
    if st.last_error:
        print(f"Lỗi gần nhất: {st.last_error}", file=sys.stderr)
    return 0


def cmd_send(args: argparse.Namespace) -> int:
    from ..services import outbox_service

    with open_store(args) as store:
        login_for(store, args, rights.SYNC)
        transport = outbox_service.transport_for(store, args.endpoint, args.token)
        report = outbox_service.send_due(store, transport, max_seconds=args.max_seconds)
        st = outbox_service.status(store)
    for line in report.errors:
        print(line, file=sys.stderr)
    print(f"Gửi tới {transport.description}: {report.summary()}")
    print(f"Còn chờ gửi {st.pending}, đã gửi {st.counts['sent']}, bị từ chối {st.failed}, "
          f"đã có bản mới hơn {st.counts['superseded']}")
    if st.pending and st.next_due_at:
        import time

        wait = max(0, round(st.next_due_at - time.time()))
        print(f"Lần thử tiếp theo sau khoảng {wait} giây (chạy lại lệnh này).", file=sys.stderr)
    return outbox_service.exit_code(st)


def cmd_retry(args: argparse.Namespace) -> int:
    from ..services import outbox_service

    with open_store(args) as store:
        login_for(store, args, rights.SYNC)
        n = outbox_service.retry_failed(store)
    print(f"Đã đưa {n} gói tin bị từ chối trở lại hàng chờ gửi")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from ..services import outbox_service

    with open_store(args) as store:
        login_for(store, args, rights.SYNC)
        files = outbox_service.export_packages(store, args.dir)
    print(f"Đã ghi {len(files)} gói tin chưa được xác nhận vào {args.dir} (kèm manifest.tsv)")
    return 0


def _positive(kind: type) -> "Callable[[str], float]":
    def parse(text: str):  # noqa: ANN202
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"«{text}» không phải số") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"«{text}» phải lớn hơn 0")
        return value
    return parse


def cmd_receiver(args: argparse.Namespace) -> int:
    from ..signing import default_trust_store
    from ..sync.payload_check import SignedRecordCheck
    from ..sync.receiver import PackageStore, make_server

    if not args.token:
        print("Lỗi: máy nhận cần mã truy cập: --token-env TÊN_BIẾN (biến môi trường chứa mã Bearer)", file=sys.stderr)
        return 2
    token = os.environ.get(args.token)
    if not token:
        print(f"Lỗi: biến môi trường {args.token} (mã truy cập) chưa được đặt", file=sys.stderr)
        return 2
    for d in args.trust or []:
        if not os.path.isdir(d):
            print(f"Lỗi: không có thư mục chứng thư tin cậy {d}", file=sys.stderr)
            return 2
    trust = default_trust_store(*(args.trust or []))
    if not len(trust):
        print("Lỗi: chưa có chứng thư gốc tin cậy nào để kiểm tra chữ ký số của học bạ: --trust DIR", file=sys.stderr)
        return 2
    check = SignedRecordCheck(trust, set(args.school or []))
    store = PackageStore(args.store, token=token, max_bytes=args.max_bytes, verifier=check)
    try:
        server = make_server(store, args.port, args.bind, read_timeout=args.timeout,
                             max_connections=args.max_connections)
    except OSError as e:
        print(f"Lỗi: không mở được cổng {args.bind}:{args.port} ({e.strerror})", file=sys.stderr)
        return 2
    bound, port = server.server_address[:2]
    # bound from a str host, the address is text; typeshed also allows the bytes a caller could pass
    host = bound.decode() if isinstance(bound, (bytes, bytearray)) else bound
    print(f"Máy nhận gói tin học bạ: http://{host}:{port}/packages — lưu vào {args.store} (cần mã truy cập; "
          f"{len(trust)} chứng thư tin cậy). Ctrl+C để dừng.", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("outbox", help="hàng chờ gửi học bạ đã phát hành về CSDL ngành")
    os_ = p.add_subparsers(dest="outbox_command", metavar="LỆNH", parser_class=VietnameseArgumentParser)
    os_.required = True
    s = os_.add_parser("status", help="số gói tin theo trạng thái (TSV: trạng thái<TAB>số lượng)")
    s.set_defaults(handler=cmd_status)
    d = os_.add_parser("send", help="gửi các gói tin đến hạn (mã thoát 0: xong, 3: còn chờ, 1: có gói bị từ chối)")
    d.add_argument("--endpoint", metavar="URL", help="địa chỉ máy nhận (mặc định: cài đặt outbox.endpoint)")
    d.add_argument("--token", metavar="TOKEN_ENV_VAR",
                   help="TÊN biến môi trường chứa mã truy cập (Bearer); không ghi mã trên dòng lệnh")
    d.add_argument("--max-seconds", type=_positive(float), default=300, metavar="N",
                   help="dừng lần gửi sau N giây, các gói còn lại gửi lần sau (mặc định %(default)s)")
    add_as(d)
    d.set_defaults(handler=cmd_send)
    r = os_.add_parser("retry", help="đưa các gói tin bị từ chối trở lại hàng chờ")
    add_as(r)
    r.set_defaults(handler=cmd_retry)
    e = os_.add_parser("export", help="ghi các gói tin chưa được xác nhận ra thư mục (để tải lên cổng thông tin)")
    e.add_argument("dir", metavar="DIR")
    add_as(e)
    e.set_defaults(handler=cmd_export)

    rv = sub.add_parser("receiver", help="máy nhận gói tin mẫu (giao thức v1) cho thử nghiệm hoặc phòng GD&ĐT")
    rv.add_argument("--port", type=int, required=True, metavar="N", help="cổng (0: cổng trống bất kỳ)")
    rv.add_argument("--store", required=True, metavar="DIR", help="thư mục lưu gói tin")
    rv.add_argument("--bind", default="127.0.0.1", metavar="ADDR", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
    rv.add_argument("--token-env", "--token", dest="token", metavar="TOKEN_ENV_VAR",
                    help="TÊN biến môi trường chứa mã truy cập (bắt buộc; các trường gửi kèm Authorization: Bearer)")
    rv.add_argument("--trust", metavar="DIR", action="append",
                    help="thư mục chứng thư gốc tin cậy để kiểm tra chữ ký số của học bạ (lặp lại được)")
    rv.add_argument("--school", metavar="MOET_CODE", action="append",
                    help="chỉ nhận học bạ của trường có mã này (lặp lại được; mặc định: mọi trường)")
    rv.add_argument("--max-bytes", type=_positive(int), default=10 * 1024 * 1024, metavar="N",
                    help="kích thước tối đa một gói tin")
    rv.add_argument("--timeout", type=_positive(float), default=30.0, metavar="SECONDS",
                    help="đóng kết nối im lặng quá số giây này (mặc định %(default)s)")
    rv.add_argument("--max-connections", type=_positive(int), default=32, metavar="N",
                    help="số kết nối phục vụ cùng lúc; quá số này trả 503 (mặc định %(default)s)")
    rv.set_defaults(handler=cmd_receiver)
