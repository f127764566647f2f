"""Transports: how a package leaves the school. One interface, one HTTP implementation (protocol v1,
see issue 8 and commands/outbox.py), and a folder for schools that upload by hand via the web portal.

A transport knows nothing of the database: it gets a frozen request and returns an Outcome; the
sender alone turns outcomes into queue states.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypedDict, Unpack
from urllib.parse import urlsplit

from ..fileio import write_atomic
from .backoff import parse_retry_after

ACKED, SUPERSEDED, RETRY, FAILED, UNREACHABLE = "acked", "superseded", "retry", "failed", "unreachable"
MAX_MESSAGE = 500
_TOKEN = re.compile(r"^[A-Za-z0-9\-._~+/]+=*$")


@dataclass(frozen=True)
class SendRequest:
    entry_id: int
    envelope_id: str
    version: int
    event: str
    idempotency_key: str
    package: bytes


@dataclass(frozen=True)
class Outcome:
    kind: str  # acked | superseded | retry | failed | unreachable
    message: str = ""  # Vietnamese, for the user (and the server's own words when it gave any)
    status: int | None = None
    receipt: str | None = None
    retry_after: float | None = None  # seconds, when the server said so


class Transport(Protocol):
    description: str  # where the data goes, recorded with each sent entry

    def probe(self) -> Outcome | None:
        """None when the destination looks reachable, else an UNREACHABLE outcome saying why."""

    def send(self, request: SendRequest, now: float, *, time_limit: float | None = None) -> Outcome:
        """`time_limit`: seconds this request may take at most (the rest of the run's limit)."""

    def close(self) -> None: ...


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "…"


def classify(status: int, body: bytes, headers: dict[str, str], request: SendRequest, now: float) -> Outcome:
    """Protocol v1: the HTTP answer → what the queue does with it."""
    text = body.decode("utf-8", "replace")
    if status in (200, 201):
        try:
            data = json.loads(text)
            receipt = data["receipt"]
            ok = (isinstance(receipt, str) and receipt.strip() and data.get("record_id") == request.envelope_id
                  and int(data.get("version")) == request.version)
        except (ValueError, KeyError, TypeError):
            ok = False
        if not ok:
            # A proxy's page or a half-written answer is no proof of storage: try again (same key).
            return Outcome(RETRY, f"máy chủ trả {status} nhưng không kèm biên nhận hợp lệ: {_short(text)[:200]}", status)
        return Outcome(ACKED, "", status, receipt.strip()[:200])
    server_says = _server_message(text)
    if status == 409:
        held = superseding(text, request)
        if held is None:
            # A 409 from a proxy, a misrouted server or a bug proves nothing about this record: making
            # the package final on it would lose the record. Retried (with backoff), reason kept.
            return Outcome(RETRY, f"máy chủ trả 409 nhưng không nêu phiên bản đã nhận của học bạ này (cần record_id, "
                                  f"version ≥ {request.version}, receipt); sẽ gửi lại{server_says}", status)
        version, receipt = held
        return Outcome(SUPERSEDED, f"máy chủ đã nhận phiên bản {version} của học bạ này (biên nhận {receipt})", status)
    if status in (429, 503):
        ra = parse_retry_after(headers.get("retry-after"), now)
        what = "máy chủ đang quá tải" if status == 503 else "gửi quá nhanh"
        return Outcome(RETRY, f"{what} (HTTP {status}){server_says}", status, retry_after=ra)
    if status >= 500:
        return Outcome(RETRY, f"lỗi máy chủ (HTTP {status}){server_says}", status)
    if 400 <= status < 500:
        return Outcome(FAILED, f"máy chủ từ chối gói tin (HTTP {status}){server_says}", status)
    return Outcome(RETRY, f"phản hồi không mong đợi (HTTP {status})", status)


def superseding(text: str, request: SendRequest) -> tuple[int, str] | None:
    """(version, receipt) when a 409's body names a version of the SAME record at least as high as
    the one sent, with the receipt it was accepted under; None for anything else."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    version, receipt = data.get("version"), data.get("receipt")
    if data.get("record_id") != request.envelope_id or isinstance(version, bool) or not isinstance(version, int):
        return None
    if version < request.version or not isinstance(receipt, str) or not receipt.strip().isprintable() or not receipt.strip():
        return None
    return version, receipt.strip()[:200]


def _server_message(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            text = str(data.get("error") or data.get("message") or text)
    except ValueError:
        pass
    return f": {_short(text)}"


CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
REQUEST_SECONDS = 120.0


class HttpTransport:
    """POST {endpoint}/packages over http.client, one keep-alive connection, one request at a time.

    Three bounds, so that no server can hold a school's sender: `connect_timeout` for the TCP (and
    TLS) connection, `timeout` for each read, and `request_seconds` for the whole exchange (a server
    trickling one byte per read timeout would otherwise hold it for ever), cut shorter by the run's
    own limit (`time_limit`). A timeout ends the batch like an unreachable server: the package is
    retried later, and the rest are not each made to wait out the same silence.
    """

    def __init__(self, endpoint: str, token: str | None = None, *, timeout: float = READ_TIMEOUT,
                 connect_timeout: float = CONNECT_TIMEOUT, request_seconds: float | None = None,
                 probe_timeout: float = 5.0, ssl_context: ssl.SSLContext | None = None) -> None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"địa chỉ máy chủ «{endpoint}» phải bắt đầu bằng http:// hoặc https://")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.path = parts.path.rstrip("/") + "/packages"
        if token is not None and not _TOKEN.match(token):
            # RFC 6750 b64token: anything else cannot even be written into an HTTP header
            raise ValueError("mã truy cập chỉ được gồm chữ Latinh không dấu, số và các ký tự - . _ ~ + / =")
        self.token = token
        if min(timeout, connect_timeout, probe_timeout, request_seconds or 1.0) <= 0:
            raise ValueError("thời gian chờ phải dương")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.request_seconds = request_seconds if request_seconds is not None else max(REQUEST_SECONDS, 2 * timeout)
        self.probe_timeout = min(probe_timeout, connect_timeout)
        self.ssl_context = ssl_context or (ssl.create_default_context() if parts.scheme == "https" else None)
        # recorded with each sent entry: never the token, never credentials in the URL
        self.description = f"{parts.scheme}://{self.host}:{self.port}{self.path}"
        self._conn: http.client.HTTPConnection | None = None
        self._watchdog: _Watchdog | None = None

    def probe(self) -> Outcome | None:
        # A TCP connect needs nothing from the protocol and costs one round trip; DNS failures,
        # a cable out or a server down all show here before a package is claimed.
        try:
            with socket.create_connection((self.host, self.port), timeout=self.probe_timeout):
                return None
        except OSError as e:
            return Outcome(UNREACHABLE, f"không kết nối được {self.host}:{self.port} ({e.strerror or e})")

    def _connection(self, connect_timeout: float) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.scheme == "https":
                self._conn = http.client.HTTPSConnection(self.host, self.port, timeout=connect_timeout,
                                                         context=self.ssl_context)
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=connect_timeout)
        return self._conn

    def send(self, request: SendRequest, now: float, *, time_limit: float | None = None) -> Outcome:
        budget = self.request_seconds if time_limit is None else min(self.request_seconds, time_limit)
        if budget <= 0:
            return Outcome(UNREACHABLE, "đã hết thời gian dành cho lần gửi này")
        headers = {
            "Content-Type": "application/xml",
            "Idempotency-Key": request.idempotency_key,
            "X-Record-Id": request.envelope_id,
            "X-Record-Version": str(request.version),
            "X-Event": request.event,
            "Content-Length": str(len(request.package)),
        }
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        connect_in = min(self.connect_timeout, budget)
        conn = self._connection(connect_in)
        try:
            if conn.sock is None:
                conn.connect()
        except TimeoutError:
            self.close()
            return Outcome(UNREACHABLE, f"máy chủ không nhận kết nối trong {connect_in:g} giây (hết thời gian kết nối)")
        except OSError as e:
            self.close()
            return Outcome(UNREACHABLE, f"không kết nối được máy chủ ({e.strerror or e})")
        conn.sock.settimeout(min(self.timeout, budget))
        expired = threading.Event()
        watchdog = self._watchdog = self._watchdog or _Watchdog()  # kept: close() below may drop it
        watchdog.arm(budget, lambda: self._expire(conn, expired))
        try:
            conn.request("POST", self.path, body=request.package, headers=headers)
            resp = conn.getresponse()
            body = resp.read(1024 * 1024)
            status = resp.status
            resp_headers = {k.lower(): v for k, v in resp.getheaders()}
            if resp.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as e:
            self.close()
            if expired.is_set():
                return self._cut(budget)
            if isinstance(e, TimeoutError):
                return Outcome(UNREACHABLE, f"máy chủ không trả lời trong {min(self.timeout, budget):g} giây "
                                            "(hết thời gian chờ); gói tin sẽ được gửi lại sau")
            # The request may or may not have been stored: the retry carries the same idempotency key.
            return Outcome(RETRY, f"mất kết nối khi gửi ({type(e).__name__}: {e})")
        finally:
            watchdog.disarm()  # returns once a firing in progress is over: `expired` is final
        if expired.is_set():
            # The socket was cut under the answer: what was read may be a truncated answer that
            # parsed (a body "until close"). Not trusted; the retry carries the same key.
            self.close()
            return self._cut(budget)
        return classify(status, body, resp_headers, request, now)

    @staticmethod
    def _cut(budget: float) -> Outcome:
        return Outcome(UNREACHABLE, f"máy chủ không trả lời xong trong {budget:g} giây (quá thời gian cho một lần "
                                    "gửi); gói tin sẽ được gửi lại sau")

    @staticmethod
    def _expire(conn: http.client.HTTPConnection, expired: threading.Event) -> None:
        """The watchdog: past the request's time, cut the socket under the blocked read."""
        expired.set()
        sock = conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._watchdog is not None:
            self._watchdog.stop()
            self._watchdog = None


class _Watchdog:
    """One thread per transport that cuts a request past its time: a Timer thread per request cost
    more than the request itself to the local receiver (~0.13 ms to start and join)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: float | None = None  # monotonic time of the armed request's end
        self._action: Callable[[], None] | None = None
        self._firing = False
        self._stopped = False
        threading.Thread(target=self._loop, name="outbox-watchdog", daemon=True).start()

    def arm(self, seconds: float, action: Callable[[], None]) -> None:
        with self._cond:
            self._due, self._action = time.monotonic() + seconds, action
            self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._due = self._action = None
            while self._firing:
                self._cond.wait()

    def stop(self) -> None:
        with self._cond:
            self._stopped, self._due, self._action = True, None, None
            self._cond.notify()

    def _loop(self) -> None:
        with self._cond:
            while not self._stopped:
                if self._due is None:
                    self._cond.wait()
                    continue
                left = self._due - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                action, self._due, self._action = self._action, None, None
                if action is not None:
                    self._firing = True
                    self._cond.release()
                    try:
                        action()
                    finally:
                        self._cond.acquire()
                        self._firing = False
                        self._cond.notify_all()


def package_file_name(request: SendRequest) -> str:
    return f"{request.envelope_id}-v{request.version:03d}-{request.event}.xml"


class FolderTransport:
    """Writes each package as a file for upload by hand through the web portal.

    The "receipt" names the file: the entry counts as handed over, and the person uploading takes it
    from there (the portal gives no machine-readable receipt). Same name for the same package, so a
    retry after a crash rewrites the same file instead of leaving a duplicate.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self.description = f"thư mục {self.folder}"

    def probe(self) -> Outcome | None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            return Outcome(UNREACHABLE, f"không tạo được thư mục {self.folder} ({e.strerror})")
        if not os.access(self.folder, os.W_OK):
            return Outcome(UNREACHABLE, f"không ghi được vào thư mục {self.folder}")
        return None

    def send(self, request: SendRequest, now: float, *, time_limit: float | None = None) -> Outcome:
        name = package_file_name(request)
        try:
            write_atomic(self.folder / name, request.package)
        except OSError as e:
            return Outcome(RETRY, f"không ghi được tệp {name} ({e.strerror})")
        return Outcome(ACKED, "", None, f"tệp:{name}")

    def close(self) -> None:
        pass


class HttpOptions(TypedDict, total=False):
    """HttpTransport's keywords, as make_transport passes them on."""

    timeout: float
    connect_timeout: float
    request_seconds: float | None
    probe_timeout: float
    ssl_context: ssl.SSLContext | None


def make_transport(endpoint: str, token: str | None = None, **http_options: Unpack[HttpOptions]) -> Transport:
    """http(s)://… → HTTP (timeouts: HttpTransport's keywords); file:///path or a plain folder path → FolderTransport."""
    if endpoint.startswith(("http://", "https://")):
        return HttpTransport(endpoint, token, **http_options)
    if endpoint.startswith("file://"):
        return FolderTransport(urlsplit(endpoint).path)
    if "://" in endpoint:
        raise ValueError(f"địa chỉ «{endpoint}» không được hỗ trợ (http://, https:// hoặc thư mục)")
    return FolderTransport(endpoint)
