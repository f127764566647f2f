"""The reference receiver against hostile clients: framing refused from the headers alone (a
negative, missing, repeated or absurd Content-Length, chunked bodies), idle and trickling
connections closed, a bound on connections, the bearer token; and the payload: only records whose
signatures verify against the receiver's trust anchors and that are the record the envelope names.
Limits are small here; no duration is asserted (the socket timeouts of 60 s only bound a hang)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from hocbaso_desktop.services import outbox_service
from hocbaso_desktop.signing import TrustStore
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.backoff import FakeClock
from hocbaso_desktop.sync.payload_check import SignedRecordCheck
from hocbaso_desktop.sync.receiver import PackageStore
from hocbaso_desktop.sync.transport import HttpTransport

from .helpers import make_packages, running
from .signed import signed_record, soft_ca
from .test_receiver import GOOD_INNER, package, post

HANG = 60.0  # bounds a hang only
T0 = 1_790_000_000.0


def raw(url: str, head: bytes, body: bytes = b"") -> tuple[int, bytes, socket.socket]:
    """Send raw request bytes; return (status, whole answer, the socket, still open for more)."""
    port = int(url.rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=HANG)
    s.sendall(head + body)
    data = b""
    while b"\r\n\r\n" not in data:
        piece = s.recv(65536)
        if not piece:
            break
        data += piece
    head_part, _, rest = data.partition(b"\r\n\r\n")
    length = int(next((ln.split(b":")[1] for ln in head_part.split(b"\r\n") if ln.lower().startswith(b"content-length:")), b"0"))
    while len(rest) < length:
        piece = s.recv(65536)
        if not piece:
            break
        rest += piece
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
    return status, head_part + b"\r\n\r\n" + rest, s


def request_head(length: str | None, *extra: str) -> bytes:
    lines = ["POST /packages HTTP/1.1", "Host: x", "Content-Type: application/xml"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


FRAMING = {
    "negative": (request_head("-1"), 400),
    "plus sign": (request_head("+5"), 400),
    "spaces inside": (request_head("1 2"), 400),
    "float": (request_head("1e3"), 400),
    "absurd": (request_head("9" * 40), 400),
    "huge but a number": (request_head(str(10 ** 14)), 413),
    "missing": (request_head(None), 411),
    "two that disagree": (request_head("5", "Content-Length: 50000"), 400),
    "chunked": (request_head(None, "Transfer-Encoding: chunked"), 411),
    "chunked and a length": (request_head("5", "Transfer-Encoding: chunked"), 400),
}


@pytest.mark.parametrize("name", list(FRAMING))
def test_bad_content_length_is_refused_from_the_headers_without_reading(recv_dir: Path, name: str) -> None:
    head, expected = FRAMING[name]
    with running(recv_dir) as recv:
        status, answer, s = raw(recv.url, head)  # no body follows: an answer proves nothing was awaited
        try:
            assert status == expected, answer
            assert json.loads(answer.partition(b"\r\n\r\n")[2])["error"]
            assert b"connection: close" in answer.lower()
            assert s.recv(1) == b""  # and the connection is closed, the unread body never taken as a request
        finally:
            s.close()
        assert recv.stored_files() == []
        assert post(recv.url, package(GOOD_INNER))[0] == 201  # still serving


def test_idle_connection_is_closed(recv_dir: Path) -> None:
    with running(recv_dir, read_timeout=0.3) as recv:
        port = int(recv.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=HANG) as s:
            assert s.recv(1) == b""  # never sent a byte: the server hangs up
        # a keep-alive connection after one request: closed too once idle
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG)
        conn.request("GET", "/")
        assert conn.getresponse().read()
        assert conn.sock.recv(1) == b""
        conn.close()


def test_trickled_body_is_cut_with_408(recv_dir: Path) -> None:
    with running(recv_dir, body_seconds=0.3, read_timeout=10) as recv:
        port = int(recv.url.rsplit(":", 1)[1])
        s = socket.create_connection(("127.0.0.1", port), timeout=HANG)
        s.sendall(request_head("100000").replace(b"Content-Type", b"Idempotency-Key: x\r\nContent-Type"))
        done = threading.Event()

        def trickle() -> None:
            for _ in range(2000):
                if done.wait(0.02):
                    return
                try:
                    s.sendall(b"<")
                except OSError:
                    return

        t = threading.Thread(target=trickle, daemon=True)
        t.start()
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                piece = s.recv(65536)
                if not piece:
                    break
                data += piece
        finally:
            done.set()
            t.join(HANG)
            s.close()
        assert data.startswith(b"HTTP/1.1 408"), data
        assert recv.stored_files() == []


def test_connections_beyond_the_bound_get_503_at_once(recv_dir: Path) -> None:
    with running(recv_dir, max_connections=1, read_timeout=HANG) as recv:
        port = int(recv.url.rsplit(":", 1)[1])
        first = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG)
        first.request("GET", "/")
        assert first.getresponse().read()  # served: its thread now holds the one slot, waiting for more
        status, answer, s = raw(recv.url, b"")  # sends nothing: the 503 comes from the accepting thread
        s.close()
        assert status == 503 and b"retry-after: 5" in answer.lower(), answer
        first.close()  # frees the slot (its thread sees the close)
        for _ in range(600):  # the slot comes back as soon as that thread ends; bounded wait, no timing assumed
            status, answer, s = raw(recv.url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            s.close()
            if status == 200:
                break
            threading.Event().wait(0.1)
        assert status == 200


def test_token_is_required_and_get_tells_nothing_without_it(recv_dir: Path) -> None:
    with running(recv_dir, token="bi-mat.42") as recv:
        assert post(recv.url, package(GOOD_INNER))[0] == 401
        assert post(recv.url, package(GOOD_INNER), {"Authorization": "Bearer bi-mat.43"})[0] == 401
        assert post(recv.url, package(GOOD_INNER), {"Authorization": "bi-mat.42"})[0] == 401
        _, answer, s = raw(recv.url, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        s.close()
        assert b"records" not in answer
        assert recv.stored_files() == []
        assert post(recv.url, package(GOOD_INNER), {"Authorization": "Bearer bi-mat.42"})[0] == 201


# ---- signatures and foreign payloads ----------------------------------------------------------------

@pytest.fixture
def trust_dir(tmp_path: Path) -> Path:
    soft_ca("SO").write_root(tmp_path / "trust")
    return tmp_path / "trust"


def checked(trust_dir: Path, schools: set[str] | None = None) -> SignedRecordCheck:
    return SignedRecordCheck(TrustStore.from_dirs(trust_dir), schools or set())


def rows(store: Store) -> list:
    with store.read() as s:
        return s.execute(text("SELECT state, last_status, last_error FROM outbox ORDER BY id")).all()


def send(store: Store, url: str):  # noqa: ANN201
    return outbox_service.send_due(store, HttpTransport(url, timeout=HANG), clock=FakeClock(T0))


def test_honestly_signed_records_are_stored_exactly_once(store: Store, recv_dir: Path, trust_dir: Path) -> None:
    make_packages(store, 3, versions=1, now=T0, xml_for=signed_record)
    with running(recv_dir, verifier=checked(trust_dir)) as recv:
        assert send(store, recv.url).sent == 3
        assert send(store, recv.url).requests == 0
        assert len(recv.stored_files()) == 3
    assert {r.state for r in rows(store)} == {"sent"}


def _other_pupils_record(s, enrolment_id: int) -> bytes:  # noqa: ANN001
    """Honestly signed, trusted, but another pupil's: a borrowed envelope."""
    other = s.execute(text("SELECT id FROM enrolment WHERE id <> :i ORDER BY id DESC LIMIT 1"), {"i": enrolment_id}).scalar()
    return signed_record(s, other)


def _tampered(s, enrolment_id: int) -> bytes:  # noqa: ANN001
    xml = signed_record(s, enrolment_id)
    forged = xml.replace(b"</hovaten>", b" Gi\xe1\xba\xa3 M\xe1\xba\xa1o</hovaten>", 1)  # the pupil renamed after signing
    assert forged != xml
    return forged


PAYLOADS = {
    "unsigned": (None, "chưa có chữ ký số"),
    "signed by an untrusted CA": (lambda s, e: signed_record(s, e, ca_tag="OTHER"), "tin cậy"),
    "changed after signing": (_tampered, "thay đổi"),
    "another pupil's record in this envelope": (_other_pupils_record, "không phải học bạ phong bì ghi"),
    "no seal: not issued": (lambda s, e: signed_record(s, e, roles=("gvcn", "principal")), "con dấu"),
    "only the GVCN's signature": (lambda s, e: signed_record(s, e, roles=("gvcn",)), "Hiệu trưởng"),
    "one teacher signing in every role": (lambda s, e: signed_record(s, e, as_gvcn=True), "không phải"),
}


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_unsigned_and_foreign_payloads_are_refused_and_not_stored(store: Store, recv_dir: Path, trust_dir: Path,
                                                                   name: str) -> None:
    xml_for, reason = PAYLOADS[name]
    make_packages(store, 1, now=T0, xml_for=xml_for)
    with running(recv_dir, verifier=checked(trust_dir)) as recv:
        report = send(store, recv.url)
        assert report.failed == 1 and recv.stored_files() == [], name
    (row,) = rows(store)
    assert row.state == "failed" and row.last_status == 422 and reason in row.last_error, row.last_error


def test_a_receiver_for_other_schools_refuses_with_403(store: Store, recv_dir: Path, trust_dir: Path) -> None:
    make_packages(store, 1, now=T0, xml_for=signed_record)
    with running(recv_dir, verifier=checked(trust_dir, {"79000001"})) as recv:
        assert send(store, recv.url).failed == 1 and recv.stored_files() == []
    (row,) = rows(store)
    assert row.last_status == 403 and "không nhận" in row.last_error


def test_without_a_verifier_the_store_checks_signatures_against_the_bundled_anchors(store: Store, tmp_path: Path) -> None:
    """The secure default: a PackageStore made without a verifier never skips the signature check."""
    make_packages(store, 1, now=T0, xml_for=signed_record)
    with store.read() as s:
        r = s.execute(text("SELECT * FROM outbox")).first()
    ps = PackageStore(tmp_path / "r")
    h = {"idempotency-key": r.idempotency_key, "x-record-id": r.envelope_id, "x-record-version": str(r.version),
         "x-event": r.event}
    answer = ps.receive(h, bytes(r.package))
    assert answer.status == 422 and "tin cậy" in answer.body["error"]
    assert not list((tmp_path / "r" / "keys").iterdir())
