"""Outbox throughput: packages per second from the queue to the reference receiver on 127.0.0.1
(protocol v1 over HTTP keep-alive, one request in flight, SQLite synchronous=FULL on the sender,
temp + fsync + rename on the receiver). Also the folder transport. Run:
    .venv/bin/python benchmarks/bench_outbox.py [N]

Packages are made like the issuer makes them (issued record + enqueue in one transaction) with a
~12 KB signed XML each, the size of a real signed record; making them is setup, not measured.
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocbaso_desktop.services import outbox_service  # noqa: E402
from hocbaso_desktop.services.demo import create_demo_school  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from hocbaso_desktop.sync.receiver import PackageStore, make_server  # noqa: E402
from hocbaso_desktop.sync.transport import FolderTransport, HttpTransport  # noqa: E402


def make(store: Store, n: int) -> None:
    import tests.sync.helpers as h

    h.SIGNED = h.SIGNED.replace("<chukyso/>", "<chukyso>" + "A" * 12_000 + "</chukyso>")
    versions = -(-n // 300)
    h.make_packages(store, n, versions=versions)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        for label in ("HTTP (máy nhận mẫu 127.0.0.1)", "thư mục"):
            db = base / f"{len(label)}.sqlite3"
            with Store.open(db) as store:
                create_demo_school(store, seed=2025)
                make(store, n)
                if label.startswith("HTTP"):
                    # the stand-in records carry no signature: the receiver's check is measured by the tests
                    server = make_server(PackageStore(base / "recv", verifier=lambda _pkg: None), 0)
                    threading.Thread(target=server.serve_forever, daemon=True).start()
                    transport = HttpTransport(f"http://127.0.0.1:{server.server_address[1]}")
                else:
                    transport = FolderTransport(base / "folder")
                start = time.perf_counter()
                report = outbox_service.send_due(store, transport)
                elapsed = time.perf_counter() - start
                assert report.sent == n, report
                print(f"{label}: {n} gói tin trong {elapsed:.2f} s = {n / elapsed:.0f} gói/giây")
                if label.startswith("HTTP"):
                    server.shutdown()


if __name__ == "__main__":
    main()
