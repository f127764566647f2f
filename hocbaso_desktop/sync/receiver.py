"""The reference receiving server for protocol v1 (`hocbaso receiver`): for tests, demos and a
district that wants to collect its schools' packages itself.

Behaves like the national data centre as records.md describes it: deduplicates by idempotency key
(a repeat gets 200 and the same receipt), keeps the highest version per record id (a version not
higher than the one held under another key gets 409), validates every package with safe_xml.

On disk (DIR): `packages/<record id>/v<version>-<key>.xml` and `keys/<key>.json`. Each is written
temp → fsync → rename; the key file is written last and is the commit point, so a crash between
the two leaves an orphan package file that the repeat (same key) simply rewrites. The per-record
highest version is rebuilt from keys/ at start.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..domain.errors import InputFileError
from .package import parse_package
from .transport import write_atomic

log = logging.getLogger(__name__)
MAX_PACKAGE_BYTES = 10 * 1024 * 1024  # a signed record is tens of KB
_KEY = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_RECORD_ID = re.compile(r"^[0-9a-f]{32}-\d{4}-\d{4}$")


@dataclass(frozen=True)
class Response:
    status: int
    body: dict
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


class PackageStore:
    """The receiver's state: thread-safe, durable, rebuilt from disk at start."""

    def __init__(self, root: str | Path, *, token: str | None = None, max_bytes: int = MAX_PACKAGE_BYTES) -> None:
        self.root = Path(root)
        self.token = token
        self.max_bytes = max_bytes
        (self.root / "packages").mkdir(parents=True, exist_ok=True)
        (self.root / "keys").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.keys: dict[str, dict] = {}
        self.highest: dict[str, Held] = {}
        for f in (self.root / "keys").glob("*.json"):
            try:
                info = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # cannot happen with atomic writes; never let one bad file stop the server
            self._remember(f.stem, info)

    def _remember(self, key: str, info: dict) -> None:
        self.keys[key] = info
        held = self.highest.get(info["record_id"])
        if held is None or info["version"] > held.version:
            self.highest[info["record_id"]] = Held(key, info["version"], info["receipt"])

    # --- the protocol --------------------------------------------------------------------------
    def check_request(self, headers: dict[str, str], length: int | None) -> Response | None:
        """What can be refused before reading the body: auth, type, size."""
        if self.token is not None:
            auth = headers.get("authorization", "")
            if not auth.startswith("Bearer ") or not hmac.compare_digest(auth[7:].encode(), self.token.encode()):
                return _error(401, "thiếu hoặc sai mã truy cập (Authorization: Bearer)")
        if headers.get("content-type", "").split(";")[0].strip().lower() != "application/xml":
            return _error(415, "Content-Type phải là application/xml")
        if length is None:
            return _error(411, "thiếu Content-Length")
        if length > self.max_bytes:
            return _error(413, f"gói tin quá lớn ({length} byte, tối đa {self.max_bytes})")
        return None

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
        with self._lock:
            known = self.keys.get(key)  # a concurrent repeat may have stored it meanwhile
            if known is not None:
                return Response(200, {"receipt": known["receipt"], "record_id": record_id, "version": version})
            held = self.highest.get(record_id)
            if held is not None and version <= held.version:
                return _error(409, f"đã có phiên bản {held.version} của học bạ {record_id}")
            receipt = f"BN-{datetime.now(timezone.utc):%Y%m%d}-{uuid.uuid4().hex[:20]}"
            folder = self.root / "packages" / record_id
            folder.mkdir(exist_ok=True)
            name = f"v{version:03d}-{key}.xml"
            write_atomic(folder / name, body)
            info = {"receipt": receipt, "record_id": record_id, "version": version, "event": event,
                    "file": f"packages/{record_id}/{name}", "stored_at": datetime.now(timezone.utc).isoformat()}
            write_atomic(self.root / "keys" / f"{key}.json", json.dumps(info, ensure_ascii=False).encode("utf-8"))
            self._remember(key, info)
        return Response(201, {"receipt": receipt, "record_id": record_id, "version": version})


class ReceiverHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection for a school's whole batch
    disable_nagle_algorithm = True  # headers and body go out as two writes: without this, 40 ms delayed ACKs
    server_version = "hocbaso-receiver/1"
    prefix = ""  # set by make_server: the path the endpoint URL carries before /packages

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)

    @property
    def store(self) -> PackageStore:
        return self.server.package_store  # type: ignore[attr-defined]

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
        headers = self._headers()
        try:
            length = int(headers["content-length"]) if "content-length" in headers else None
        except ValueError:
            length = None
        refused = self.store.check_request(headers, length)
        if refused is not None:
            self.close_connection = True  # the unread body must not be taken for the next request
            return refused, b""
        return None, self.rfile.read(length or 0)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        if self.path.split("?")[0].rstrip("/") != f"{self.prefix}/packages":
            self.close_connection = True
            self.send_json(_error(404, "không có địa chỉ này (POST …/packages)"))
            return
        refused, body = self.read_body()
        self.send_json(refused or self.store.receive(self._headers(), body))

    def do_GET(self) -> None:  # noqa: N802
        self.send_json(Response(200, {"service": "hocbaso-receiver", "protocol": 1, "records": len(self.store.highest)}))


def make_server(store: PackageStore, port: int = 0, host: str = "127.0.0.1", *, prefix: str = "",
                handler: type[ReceiverHandler] = ReceiverHandler) -> ThreadingHTTPServer:
    """A server bound to host:port (0 = any free port: `server.server_address[1]`)."""
    cls = type("BoundHandler", (handler,), {"prefix": prefix.rstrip("/")})
    server = ThreadingHTTPServer((host, port), cls)
    server.daemon_threads = True
    server.package_store = store  # type: ignore[attr-defined]
    return server
