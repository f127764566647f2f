"""The reference receiving server for protocol v1 (`hocbaso receiver`): for tests, demos and a
district that wants to collect its schools' packages itself.

Behaves like the national data centre as records.md describes it: deduplicates by idempotency key
(a repeat gets 200 and the same receipt), keeps the highest version per record id (a version not
higher than the one held under another key gets 409, naming the version it holds and its receipt),
validates every package with safe_xml, and stores only a record whose signatures verify against the
trust anchors it was started with and that is the record its envelope names (payload_check.py).

Hostile clients: a bearer token is checked before anything else; Content-Length must be one plain
number within the size limit (a missing one gets 411, a negative, repeated or absurd one 400, a
large one 413, all answered from the headers without reading the body); chunked bodies are not
accepted; every socket read has a timeout, so an idle keep-alive connection is closed, and a body
must arrive within a total time; the server serves a bounded number of connections at once and
answers the rest 503 + Retry-After at once instead of queueing threads.

Every package names the newest seal-signed head of its school's audit chain; the signature is
checked with the record's (payload_check.py) and a head contradicting one already held for the same
seq is refused (head_ledger.py: the school's chain was rewritten).

On disk (DIR): `packages/<record id>/v<version>-<key>-<receipt>.xml`, `keys/<key>.json` and
`heads/<school>.json`. The package file is the commit point: written temp → fsync → rename → fsync of
its folder (and of packages/ for a record's first package) before the receipt goes out, its name
carrying the key and the receipt, so one durable file holds everything a repeat needs. keys/ is its
index, written after it without a sync of its own (each sync costs a journal commit of the disk, and
they were two of a package's four) and rebuilt from packages/ at start wherever it is missing or
differs. A crash before the package's folder sync leaves no receipt given, and the sender's repeat
(same key) stores it again. Stores written before this layout (`v<version>-<key>.xml`, whose key
file was the commit point) are read as they are.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

from ..domain.errors import InputFileError
from ..fileio import fsync_dir, write_atomic
from .head_ledger import HeadLedger
from .package import Package, parse_package
from .payload_check import Refusal, SignedRecordCheck, Verifier, withdrawal_target_problem

log = logging.getLogger(__name__)
# socketserver's request: the connected socket for TCP (a datagram and its socket for UDP)
_Request = socket.socket | tuple[bytes, socket.socket]
MAX_PACKAGE_BYTES = 10 * 1024 * 1024  # a signed record is tens of KB
_KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_RECORD_ID = re.compile(r"^[0-9a-f]{32}-\d{4}-\d{4}$")
_STORED = re.compile(r"^v([0-9]{1,9})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(BN-[0-9]{8}-[0-9a-f]{20})\.xml$")
_LENGTH = re.compile(r"^[0-9]{1,15}$")  # digits only: no sign, no spaces, nothing a float or int() would also take
READ_TIMEOUT = 30.0  # seconds one socket read may wait: idle keep-alive connections end after this
BODY_SECONDS = 120.0  # the whole body must arrive within this (a trickle of one byte per read timeout)
MAX_CONNECTIONS = 32  # connections served at once; more get 503 (each holds a thread)


@dataclass(frozen=True)
class Response:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class Held:
    key: str
    version: int
    receipt: str


def _error(status: int, message: str) -> Response:
    return Response(status, {"error": message})


def _event_of(path: Path) -> str:
    """A package's event from its envelope, when only the file is left (the key file was lost)."""
    try:
        return parse_package(path.read_bytes(), path.name).envelope.event
    except (OSError, InputFileError):
        return ""


def _mtime(path: Path) -> str:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat()
    except OSError:
        return ""


class PackageStore:
    """The receiver's state: thread-safe, durable, rebuilt from disk at start."""

    def __init__(self, root: str | Path, *, token: str | None = None, max_bytes: int = MAX_PACKAGE_BYTES,
                 verifier: Verifier | None = None) -> None:
        self.root = Path(root)
        self.token = token
        self.max_bytes = max_bytes
        # No verifier given: signatures are checked against the bundled anchors only (refusing
        # everything until some are installed), never skipped.
        self.verifier: Verifier = verifier if verifier is not None else SignedRecordCheck()
        (self.root / "packages").mkdir(parents=True, exist_ok=True)
        (self.root / "keys").mkdir(parents=True, exist_ok=True)
        self.heads = HeadLedger(self.root / "heads")  # each school's seal-signed audit heads seen so far
        self._lock = threading.Lock()
        self.keys: dict[str, dict[str, Any]] = {}
        self.highest: dict[str, Held] = {}
        self._rebuild()

    def _rebuild(self) -> None:
        """The index from the package files (the truth), then keys/ of the older layout; a key file
        missing, cut by a crash or differing from its package is rewritten."""
        indexed: dict[str, dict[str, Any]] = {}
        for f in (self.root / "keys").glob("*.json"):
            try:
                indexed[f.stem] = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a key file written just before a crash: its package says what it held
        for folder in (self.root / "packages").iterdir():
            if not (folder.is_dir() and _RECORD_ID.match(folder.name)):
                continue
            for f in folder.glob("v*.xml"):
                m = _STORED.match(f.name)
                if m is None:
                    continue  # the older layout: its key file is its commit point (below)
                version, key, receipt = int(m.group(1)), m.group(2), m.group(3)
                old = indexed.get(key, {})
                event = old.get("event") if old.get("receipt") == receipt else None
                info = {"receipt": receipt, "record_id": folder.name, "version": version,
                        "event": event or _event_of(f), "file": f"packages/{folder.name}/{f.name}",
                        "stored_at": old.get("stored_at") or _mtime(f)}
                if info != old:
                    self._write_index(key, info)
                self._remember(key, info)
        for key, info in indexed.items():
            if key not in self.keys and isinstance(info, dict) and (self.root / str(info.get("file", ""))).is_file():
                self._remember(key, info)

    def _write_index(self, key: str, info: dict[str, Any]) -> None:
        # temp → rename (never half a file) but no sync: the package file already holds all of it
        target = self.root / "keys" / f"{key}.json"
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_bytes(json.dumps(info, ensure_ascii=False).encode("utf-8"))
        os.replace(tmp, target)

    def _remember(self, key: str, info: dict[str, Any]) -> None:
        self.keys[key] = info
        held = self.highest.get(info["record_id"])
        if held is None or info["version"] > held.version:
            self.highest[info["record_id"]] = Held(key, info["version"], info["receipt"])

    # --- the protocol --------------------------------------------------------------------------
    def authorized(self, headers: dict[str, str]) -> bool:
        if self.token is None:
            return True
        auth = headers.get("authorization", "")
        return auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].encode(), self.token.encode())

    def check_request(self, headers: dict[str, str], lengths: list[str]) -> Response | int:
        """What can be refused from the headers alone, before a byte of the body is read: auth,
        framing, type, size. Otherwise the body's length. `lengths`: every Content-Length header."""
        if not self.authorized(headers):
            return _error(401, "thiếu hoặc sai mã truy cập (Authorization: Bearer)")
        if "transfer-encoding" in headers:
            # chunked framing would let a body grow without a declared size; with a Content-Length
            # beside it, two framings disagree (request smuggling)
            return _error(400 if lengths else 411, "không nhận Transfer-Encoding: gửi kèm Content-Length")
        if not lengths:
            return _error(411, "thiếu Content-Length")
        values = {v.strip() for v in lengths}
        if len(values) != 1 or not _LENGTH.match(next(iter(values))):
            shown = ", ".join(sorted(values))[:60]
            return _error(400, f"Content-Length «{shown}» không hợp lệ (một số nguyên không âm)")
        if headers.get("content-type", "").split(";")[0].strip().lower() != "application/xml":
            return _error(415, "Content-Type phải là application/xml")
        length = int(next(iter(values)))
        if length > self.max_bytes:
            return _error(413, f"gói tin quá lớn ({length} byte, tối đa {self.max_bytes})")
        return length

    def receive(self, headers: dict[str, str], body: bytes) -> Response:
        key = headers.get("idempotency-key", "").strip().lower()
        record_id = headers.get("x-record-id", "").strip()
        event = headers.get("x-event", "").strip()
        try:
            version = int(headers.get("x-record-version", ""))
        except ValueError:
            return _error(400, "X-Record-Version phải là số")
        if not _KEY.match(key) or not _RECORD_ID.match(record_id) or event not in ("NEW", "UPDATE", "CANCEL"):
            return _error(400, "thiếu hoặc sai Idempotency-Key / X-Record-Id / X-Event")
        with self._lock:
            known = self.keys.get(key)
            if known is not None:
                if known["record_id"] != record_id or known["version"] != version:
                    return _error(422, "Idempotency-Key này đã dùng cho một gói tin khác")
                return Response(200, {"receipt": known["receipt"], "record_id": record_id, "version": version})
        try:
            pkg = parse_package(body, "gói tin")
        except InputFileError as e:
            return _error(400, e.message)
        env = pkg.envelope
        if (env.idempotency_key, env.record_id, env.version, env.event) != (key, record_id, version, event):
            return _error(400, "tiêu đề HTTP không khớp phong bì của gói tin")
        refusal = self.verifier(pkg)  # outside the lock: verification is the slow part
        if refusal is not None:
            return _error(refusal.status, refusal.message)
        with self._lock:
            known = self.keys.get(key)  # a concurrent repeat may have stored it meanwhile
            if known is not None:
                return Response(200, {"receipt": known["receipt"], "record_id": record_id, "version": version})
            if env.head is not None:
                rewritten = self.heads.conflict(env.school_code, env.head)
                if rewritten is not None:
                    return _error(422, rewritten)
            held = self.highest.get(record_id)
            if event == "CANCEL" and held is not None and version > held.version:
                mismatch = self._withdrawal_mismatch(pkg, held)
                if mismatch is not None:
                    return _error(mismatch.status, mismatch.message)
            if held is not None and version <= held.version:
                # the receipt names what is held: the sender treats a 409 as final only with it
                return Response(409, {"error": f"đã có phiên bản {held.version} của học bạ {record_id}",
                                      "record_id": record_id, "version": held.version, "receipt": held.receipt})
            receipt = f"BN-{datetime.now(timezone.utc):%Y%m%d}-{uuid.uuid4().hex[:20]}"
            folder = self.root / "packages" / record_id
            first = not folder.is_dir()
            folder.mkdir(exist_ok=True)
            name = f"v{version:03d}-{key}-{receipt}.xml"
            write_atomic(folder / name, body)  # the commit point: synced, its folder too
            if first:
                fsync_dir(folder.parent)  # the record's new folder itself (mostly committed already by now)
            info = {"receipt": receipt, "record_id": record_id, "version": version, "event": event,
                    "file": f"packages/{record_id}/{name}", "stored_at": datetime.now(timezone.utc).isoformat()}
            self._write_index(key, info)
            self._remember(key, info)
            if env.head is not None:
                self.heads.remember(env.school_code, env.head)
        return Response(201, {"receipt": receipt, "record_id": record_id, "version": version})


    def _withdrawal_mismatch(self, pkg: Package, held: Held) -> Refusal | None:
        """The CANCEL must withdraw the issued version held (NEW/UPDATE); a held CANCEL needs no check."""
        info = self.keys.get(held.key, {})
        if info.get("event") not in ("NEW", "UPDATE"):
            return None
        try:
            held_pkg = parse_package((self.root / info["file"]).read_bytes(), "gói tin đang giữ")
        except (OSError, KeyError, InputFileError):
            return None  # the held file is the receiver's own; a lost one must not block the withdrawal
        return withdrawal_target_problem(pkg, held_pkg.payload)


class ReceiverHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection for a school's whole batch
    disable_nagle_algorithm = True  # headers and body go out as two writes: without this, 40 ms delayed ACKs
    server_version = "hocbaso-receiver/1"
    prefix = ""  # set by make_server: the path the endpoint URL carries before /packages
    timeout = READ_TIMEOUT  # socketserver sets it on the connection: every read waits at most this long
    body_seconds = BODY_SECONDS

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)

    @property
    def store(self) -> PackageStore:
        return cast(ReceiverServer, self.server).package_store  # make_server serves only through one

    def _headers(self) -> dict[str, str]:
        return {k.lower(): v for k, v in self.headers.items()}

    def send_json(self, response: Response) -> None:
        data = response.encoded()
        self.send_response(response.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in response.headers.items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def read_body(self) -> tuple[Response | None, bytes]:
        checked = self.store.check_request(self._headers(), self.headers.get_all("Content-Length") or [])
        if isinstance(checked, Response):
            self.close_connection = True  # the unread body must not be taken for the next request
            return checked, b""
        try:
            body = self._read_exactly(checked)
        except TimeoutError:
            self.close_connection = True
            return _error(408, f"nội dung gói tin đến quá chậm (quá {self.body_seconds:g} giây)"), b""
        if body is None:
            self.close_connection = True
            return _error(400, "kết nối đóng trước khi nhận đủ nội dung (Content-Length)"), b""
        return None, body

    def _read_exactly(self, length: int) -> bytes | None:
        """`length` bytes within body_seconds (each read also bounded by `timeout`); None if the
        client closed first. Reads at most what it was told, in pieces: never the whole stream."""
        deadline = time.monotonic() + self.body_seconds
        buf = bytearray()
        while len(buf) < length:
            if time.monotonic() > deadline:
                raise TimeoutError
            piece = self.rfile.read1(min(length - len(buf), 64 * 1024))
            if not piece:
                return None
            buf += piece
        return bytes(buf)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        if self.path.split("?")[0].rstrip("/") != f"{self.prefix}/packages":
            self.close_connection = True
            self.send_json(_error(404, "không có địa chỉ này (POST …/packages)"))
            return
        refused, body = self.read_body()
        self.send_json(refused or self.store.receive(self._headers(), body))

    def do_GET(self) -> None:  # noqa: N802
        info: dict[str, Any] = {"service": "hocbaso-receiver", "protocol": 1}
        if self.store.authorized(self._headers()):
            info["records"] = len(self.store.highest)  # how much a district holds is not for anyone who asks
        self.send_json(Response(200, info))


class ReceiverServer(ThreadingHTTPServer):
    """ThreadingHTTPServer with a bound on connections served at once: beyond it a connection gets a
    503 + Retry-After straight from the accepting thread and is closed (no thread, no read)."""

    daemon_threads = True
    package_store: PackageStore  # set by make_server, read by every handler

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *,
                 max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(address, handler)
        self.max_connections = max_connections
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: _Request, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)  # starts process_request_thread
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: _Request, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _busy(self, request: _Request) -> None:
        sock = request if isinstance(request, socket.socket) else request[1]  # TCP: always the socket itself
        body = json.dumps({"error": f"máy nhận đang bận ({self.max_connections} kết nối), thử lại sau"},
                          ensure_ascii=False).encode("utf-8")
        head = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\n"
                f"Content-Length: {len(body)}\r\nRetry-After: 5\r\nConnection: close\r\n\r\n").encode("ascii")
        try:
            sock.settimeout(2.0)
            sock.sendall(head + body)
        except OSError:
            pass


def make_server(store: PackageStore, port: int = 0, host: str = "127.0.0.1", *, prefix: str = "",
                handler: type[ReceiverHandler] = ReceiverHandler, read_timeout: float = READ_TIMEOUT,
                body_seconds: float = BODY_SECONDS, max_connections: int = MAX_CONNECTIONS) -> ReceiverServer:
    """A server bound to host:port (0 = any free port: `server.server_address[1]`)."""
    if read_timeout <= 0 or body_seconds <= 0 or max_connections < 1:
        raise ValueError("thời gian chờ và số kết nối phải dương")
    cls = type("BoundHandler", (handler,), {"prefix": prefix.rstrip("/"), "timeout": read_timeout,
                                            "body_seconds": body_seconds})
    server = ReceiverServer((host, port), cls, max_connections=max_connections)
    server.package_store = store
    return server
