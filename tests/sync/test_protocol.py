"""Protocol v1 against the reference receiver on 127.0.0.1: acknowledgment with receipt, repeats,
409 naming a version ≥ ours of the same record with its receipt → superseded (any other 409 retried), other 4xx → failed until the user retries,
Retry-After (seconds and HTTP date), backoff on 5xx and lost connections, bearer token, the folder transport."""

from __future__ import annotations

import random
import socket
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from hocbaso_desktop.services import outbox_service
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.backoff import Backoff, FakeClock
from hocbaso_desktop.sync.package import parse_package
from hocbaso_desktop.sync.transport import FolderTransport, HttpTransport

from .helpers import make_packages, running, scripted

T0 = 1_790_000_000.0


def entries(store: Store) -> list:
    with store.read() as s:
        return s.execute(text("SELECT * FROM outbox ORDER BY id")).all()


def send(store: Store, url: str, clock: FakeClock, token: str | None = None, **kw):
    return outbox_service.send_due(store, HttpTransport(url, token, timeout=60), clock=clock,
                                   backoff=kw.pop("backoff", Backoff(random.Random(1))), **kw)


def test_acknowledged_with_receipt_and_repeat_gets_same_receipt(store: Store, recv_dir: Path) -> None:
    clock = FakeClock(T0)
    make_packages(store, 3, now=T0)
    with running(recv_dir) as recv:
        report = send(store, recv.url, clock)
        assert (report.sent, report.requests) == (3, 3)
        rows = entries(store)
        assert all(r.state == "sent" and r.receipt.startswith("BN-") and r.attempts == 1 for r in rows)
        assert rows[0].sent_to == f"{recv.url.replace('http://', 'http://')}/packages"
        # the same package again (a lost answer): 200 with the same receipt, nothing stored twice
        t = HttpTransport(recv.url)
        from hocbaso_desktop.sync.transport import SendRequest

        r = rows[0]
        again = t.send(SendRequest(r.id, r.envelope_id, r.version, r.event, r.idempotency_key, r.package), T0)
        t.close()
        assert again.kind == "acked" and again.status == 200 and again.receipt == r.receipt
        assert len(recv.stored_files()) == 3
        pkg = parse_package(recv.stored_files()[0].read_bytes())
        assert pkg.envelope.event == "NEW" and pkg.payload.startswith(b"<?xml")


def _rid(store: Store, i: int = 0) -> str:
    return entries(store)[i].envelope_id


def test_409_naming_a_higher_version_of_the_record_is_final(store: Store, recv_dir: Path) -> None:
    clock = FakeClock(T0)
    make_packages(store, 2, now=T0)
    handler = scripted((409, {}, {"error": "đã có phiên bản 7", "record_id": _rid(store), "version": 7,
                                  "receipt": "BN-20260520-abc"}))
    with running(recv_dir, handler) as recv:
        report = send(store, recv.url, clock)
        assert report.superseded == 1 and report.sent == 1
        first = entries(store)[0]
        assert first.state == "superseded" and first.last_status == 409
        assert "phiên bản 7" in first.last_error and "BN-20260520-abc" in first.last_error
        clock.advance(10 * 3600)
        assert send(store, recv.url, clock).requests == 0  # never again
    assert outbox_service.exit_code(outbox_service.status(store)) == 0


UNRELATED_409 = {
    "bare error": {"error": "đã có phiên bản 7"},
    "empty body": None,
    "another record": {"record_id": "f" * 32 + "-2025-2026", "version": 9, "receipt": "BN-x"},
    "a lower version": {"record_id": "SELF", "version": 0, "receipt": "BN-x"},
    "no receipt": {"record_id": "SELF", "version": 5},
    "version as text": {"record_id": "SELF", "version": "5", "receipt": "BN-x"},
    "version as bool": {"record_id": "SELF", "version": True, "receipt": "BN-x"},
    "a list": ["SELF", 5, "BN-x"],
}


@pytest.mark.parametrize("name", list(UNRELATED_409))
def test_409_without_a_receipt_for_this_record_is_retried_not_final(store: Store, recv_dir: Path, name: str) -> None:
    """A proxy's 409, another record's, a lower version, no receipt: the package is not lost."""
    clock = FakeClock(T0)
    make_packages(store, 1, now=T0)
    body = UNRELATED_409[name]
    if isinstance(body, dict) and body.get("record_id") == "SELF":
        body = {**body, "record_id": _rid(store)}
    handler = scripted((409, {}, body if body is not None else {}))
    with running(recv_dir, handler) as recv:
        report = send(store, recv.url, clock)
        assert report.superseded == 0 and report.retried == 1, report
        row = entries(store)[0]
        assert row.state == "pending" and row.last_status == 409 and row.next_try_at >= T0
        assert "409" in row.last_error and "sẽ gửi lại" in row.last_error  # the reason is kept for the user
        clock.set(row.next_try_at)
        assert send(store, recv.url, clock).sent == 1  # retried with backoff, then stored
    assert entries(store)[0].state == "sent" and len(recv.stored_files()) == 1


def test_real_409_version_not_higher_under_another_key(store: Store, recv_dir: Path) -> None:
    """Two databases (a restored backup) send the same record version with different keys."""
    make_packages(store, 1, now=T0)
    row = entries(store)[0]
    from hocbaso_desktop.sync.package import Envelope, build_package
    from hocbaso_desktop.sync.transport import SendRequest

    pkg = parse_package(row.package)
    other_key = "00000000-0000-4000-8000-000000000001"
    env = Envelope(**{**pkg.envelope.__dict__, "idempotency_key": other_key})
    with running(recv_dir) as recv:
        t = HttpTransport(recv.url)
        assert t.send(SendRequest(0, row.envelope_id, row.version, "NEW", other_key, build_package(env, pkg.payload)), T0).kind == "acked"
        t.close()
        send(store, recv.url, FakeClock(T0))
    assert entries(store)[0].state == "superseded"


@pytest.mark.parametrize("status", [400, 401, 403, 413, 422])
def test_other_4xx_fail_until_the_user_retries(store: Store, recv_dir: Path, status: int) -> None:
    clock = FakeClock(T0)
    make_packages(store, 1, now=T0)
    handler = scripted((status, {}, {"error": "Gói tin thiếu chữ ký của Hiệu trưởng"}))
    with running(recv_dir, handler) as recv:
        report = send(store, recv.url, clock)
        assert report.failed == 1 and "thiếu chữ ký" in report.errors[0]
        row = entries(store)[0]
        assert row.state == "failed" and row.last_status == status and "thiếu chữ ký" in row.last_error
        assert outbox_service.exit_code(outbox_service.status(store)) == 1
        clock.advance(86400)
        assert send(store, recv.url, clock).requests == 0  # not retried on its own
        assert outbox_service.retry_failed(store, now=clock.time()) == 1
        assert send(store, recv.url, clock).sent == 1
    assert entries(store)[0].state == "sent"


def test_retry_after_seconds_and_http_date_are_honoured(store: Store, recv_dir: Path) -> None:
    clock = FakeClock(T0)
    make_packages(store, 1, now=T0)
    date = format_datetime(datetime.fromtimestamp(T0 + 7200 + 600, tz=timezone.utc), usegmt=True)
    handler = scripted((503, {"Retry-After": "120"}, {"error": "bảo trì"}), (429, {"Retry-After": date}, {}))
    with running(recv_dir, handler) as recv:
        send(store, recv.url, clock)
        row = entries(store)[0]
        assert row.state == "pending" and row.next_try_at == pytest.approx(T0 + 120) and row.last_status == 503
        clock.advance(119)
        assert send(store, recv.url, clock).requests == 0  # not before the server said
        clock.advance(1)
        send(store, recv.url, clock)
        row = entries(store)[0]
        assert row.last_status == 429 and row.next_try_at == pytest.approx(T0 + 7800)  # the HTTP date
        clock.set(T0 + 7800)
        assert send(store, recv.url, clock).sent == 1


def test_5xx_and_lost_connections_back_off_with_full_jitter(store: Store, recv_dir: Path) -> None:
    clock = FakeClock(T0)
    make_packages(store, 1, now=T0)
    handler = scripted(*[(500, {}, {"error": "lỗi"})] * 12)
    with running(recv_dir, handler) as recv:
        for attempt in range(1, 13):
            now = clock.time()
            send(store, recv.url, clock, backoff=Backoff(random.Random(attempt)))
            row = entries(store)[0]
            assert row.attempts == attempt and row.state == "pending"
            assert now <= row.next_try_at <= now + min(3600, 5 * 2 ** (attempt - 1))
            clock.set(row.next_try_at)
        assert send(store, recv.url, clock).sent == 1


def test_unreachable_server_leaves_everything_pending(store: Store) -> None:
    make_packages(store, 2, now=T0)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    report = send(store, f"http://127.0.0.1:{port}", FakeClock(T0))
    assert report.requests == 0 and "không kết nối được" in report.unreachable
    assert {r.state for r in entries(store)} == {"pending"} and all(r.attempts == 0 for r in entries(store))
    assert outbox_service.exit_code(outbox_service.status(store)) == 3


def test_bearer_token(store: Store, recv_dir: Path) -> None:
    clock = FakeClock(T0)
    make_packages(store, 1, now=T0)
    handler = scripted()
    with pytest.raises(ValueError):
        HttpTransport("http://127.0.0.1:9", "bí-mật")  # not writable in a header: refused up front
    with running(recv_dir, handler, token="bi-mat.42") as recv:
        send(store, recv.url, clock)
        row = entries(store)[0]
        assert row.state == "failed" and row.last_status == 401  # no token: refused, shown to the user
        outbox_service.retry_failed(store, now=clock.time())
        assert send(store, recv.url, clock, token="bi-mat.42").sent == 1
    assert handler.arrivals[-1][3] == "Bearer bi-mat.42"


def test_folder_transport_writes_each_package_once(store: Store, tmp_path: Path) -> None:
    make_packages(store, 4, versions=2, now=T0)
    out = tmp_path / "cong-thong-tin"
    report = outbox_service.send_due(store, FolderTransport(out), clock=FakeClock(T0))
    assert report.sent == 4
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 and all(n.endswith(("-NEW.xml", "-UPDATE.xml")) for n in names)
    assert all(r.receipt.startswith("tệp:") for r in entries(store))
