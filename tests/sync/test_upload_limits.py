"""The sender against servers that do not answer: one that accepts and never speaks, one that
trickles a byte at a time. Each request is bounded (connect, read, whole exchange) and so is a whole
`send_due` run; every entry stays pending with the reason. Limits are small here; no duration is
asserted, only that the calls return (a hang would hit the generous bounds of the test run)."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import text

from hocbaso_desktop.services import outbox_service
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.backoff import FakeClock
from hocbaso_desktop.sync.transport import UNREACHABLE, HttpTransport, SendRequest

from .helpers import make_packages

T0 = 1_790_000_000.0


@contextmanager
def silent_server(trickle: bool = False) -> Iterator[str]:
    """Accepts every connection and never answers (or answers one header byte at a time, for ever)."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.wait(0.05):
                conn.sendall(b"X")  # a header line that never ends
        except OSError:
            pass

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)
            if trickle:
                threading.Thread(target=drip, args=(conn,), daemon=True).start()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.close()
        for c in held:
            c.close()


def states(store: Store) -> list[tuple[str, str]]:
    with store.read() as s:
        return [tuple(r) for r in s.execute(text("SELECT state, last_error FROM outbox ORDER BY id"))]


def test_a_server_that_never_answers_ends_the_batch_after_the_read_timeout(store: Store) -> None:
    make_packages(store, 3, now=T0)
    with silent_server() as url:
        report = outbox_service.send_due(store, HttpTransport(url, timeout=0.3), clock=FakeClock(T0))
    assert report.requests == 1 and report.sent == 0  # one silence is enough: the others are not made to wait
    assert "không trả lời trong 0.3 giây" in report.unreachable
    rows = states(store)
    assert [r[0] for r in rows] == ["pending"] * 3 and "hết thời gian chờ" in rows[0][1]
    assert outbox_service.exit_code(outbox_service.status(store)) == 3


def test_a_trickling_server_is_cut_at_the_request_limit(store: Store) -> None:
    """Each byte arrives well inside the read timeout; only the whole-exchange bound stops it."""
    make_packages(store, 1, now=T0)
    with silent_server(trickle=True) as url:
        t = HttpTransport(url, timeout=60, request_seconds=0.5)
        with store.read() as s:
            r = s.execute(text("SELECT * FROM outbox")).first()
        out = t.send(SendRequest(r.id, r.envelope_id, r.version, r.event, r.idempotency_key, bytes(r.package)), T0)
        t.close()
    assert out.kind == UNREACHABLE and "không trả lời xong trong 0.5 giây" in out.message


def test_the_run_limit_cuts_the_request_in_flight_and_starts_no_other(store: Store) -> None:
    make_packages(store, 3, now=T0)
    with silent_server() as url:
        transport = HttpTransport(url, timeout=60, request_seconds=60)  # only the run's limit can end this
        report = outbox_service.send_due(store, transport, clock=FakeClock(T0), max_seconds=0.5)
    assert report.timed_out and report.requests == 1
    assert "đã hết thời gian cho lần gửi này (0.5 giây)" in report.unreachable
    assert "hết thời gian" in report.summary()
    assert [r[0] for r in states(store)] == ["pending"] * 3


def test_the_run_limit_does_not_touch_a_quick_honest_run(store: Store, recv_dir) -> None:  # noqa: ANN001
    from .helpers import running

    make_packages(store, 4, versions=2, now=T0)
    with running(recv_dir) as recv:
        report = outbox_service.send_due(store, HttpTransport(recv.url, timeout=60), clock=FakeClock(T0), max_seconds=600)
    assert report.sent == 4 and not report.timed_out and report.unreachable is None
    assert len(recv.stored_files()) == 4


def test_limits_must_be_positive(store: Store) -> None:
    from hocbaso_desktop.domain.errors import InvalidValue

    with pytest.raises(ValueError):
        HttpTransport("http://127.0.0.1:9", timeout=0)
    with pytest.raises(ValueError):
        HttpTransport("http://127.0.0.1:9", connect_timeout=-1)
    with pytest.raises(InvalidValue):
        outbox_service.send_due(store, HttpTransport("http://127.0.0.1:9"), max_seconds=0)


def test_connect_timeout_is_its_own_message() -> None:
    """A listener whose accept queue is full and that never accepts: the kernel drops new SYNs, so
    the connection is never made (Linux; skipped where the system answers anyway)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:
        for _ in range(4):
            c = socket.socket()
            c.setblocking(False)
            c.connect_ex(listener.getsockname())
            fillers.append(c)
        t = HttpTransport(f"http://127.0.0.1:{listener.getsockname()[1]}", connect_timeout=0.3)
        out = t.send(SendRequest(1, "x", 1, "NEW", "k", b""), T0)
        t.close()
    finally:
        for c in fillers:
            c.close()
        listener.close()
    if "hết thời gian kết nối" not in out.message:
        pytest.skip(f"this system completed the connection anyway ({out.message})")
    assert out.kind == UNREACHABLE and "0.3 giây" in out.message
