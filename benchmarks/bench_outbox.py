"""Outbox throughput: packages per second from the queue to the reference receiver on 127.0.0.1
(protocol v1 over one HTTP keep-alive connection, one request in flight), every state change durable:
the sender commits each claim and each receipt (SQLite WAL, synchronous=FULL), the receiver syncs
each package file before it answers. Also the folder transport. Run:
    .venv/bin/python benchmarks/bench_outbox.py [N]

Packages are made like the issuer makes them (issued record + enqueue in one transaction) with a
~12 KB signed XML each, the size of a real signed record; making them is setup, not measured. The
stand-in records carry no signature: the receiver's signature check is measured by the tests.
Floor, measured in the same run on the same disk: per package one bare durable SQLite commit plus one
durable file write (temp → fsync → rename → fsync of the folder) of the same bytes, one after the
other — what a sender and a receiver that each keep their state cannot go below with one request in
flight. Target (issue 19): ≥ 300 packages/s.
Checked: every package marked sent in the database with the receipt the receiver gave for its key,
and held by the receiver, one file each.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _report import Report  # noqa: E402
from sqlalchemy import text  # noqa: E402

from hocbaso_desktop.fileio import write_atomic  # noqa: E402
from hocbaso_desktop.services import outbox_service  # noqa: E402
from hocbaso_desktop.services.demo import create_demo_school  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from hocbaso_desktop.sync.receiver import PackageStore, make_server  # noqa: E402
from hocbaso_desktop.sync.transport import FolderTransport, HttpTransport  # noqa: E402

TARGET_RATE = 300.0
FLOOR_SAMPLES = 200


def make(store: Store, n: int) -> None:
    # the stand-in records of the outbox tests, grown to a real signed record's size
    import tests.sync.helpers as h

    h.SIGNED = h.SIGNED.replace("<chukyso/>", "<chukyso>" + "A" * 12_000 + "</chukyso>")
    h.make_packages(store, n, versions=-(-n // 300))


def floor_samples(folder: Path, package: bytes) -> tuple[list[float], list[float]]:
    """FLOOR_SAMPLES × (one bare durable commit, one durable write of a package), seconds. Taken
    before and after the upload: the disk this machine shares is not equally busy all the time."""
    folder.mkdir()
    db = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, state TEXT)")
    db.execute("INSERT INTO t (state) VALUES ('pending')")
    commits: list[float] = []
    writes: list[float] = []
    (folder / "floor-files").mkdir()
    for i in range(FLOOR_SAMPLES):
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE t SET state = ? WHERE id = 1", (f"sent {i}",))
        db.execute("COMMIT")
        t1 = time.perf_counter()
        write_atomic(folder / "floor-files" / f"{i}.xml", package, read_back=False)
        writes.append(time.perf_counter() - t1)
        commits.append(t1 - t0)
    db.close()
    return commits, writes


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def serve(root: Path, port_out: "multiprocessing.connection.Connection") -> None:
    """The receiver in a process of its own, as a district's would be: no GIL shared with the sender."""
    server = make_server(PackageStore(root, verifier=lambda _pkg: None), 0)
    port_out.send(server.server_address[1])
    server.serve_forever()


def sent_rows(store: Store) -> list[tuple[str, str]]:
    with store.read() as s:
        return [(r[0], r[1]) for r in s.execute(text(
            "SELECT idempotency_key, receipt FROM outbox WHERE state = 'sent' AND receipt IS NOT NULL"))]


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    report = Report("bench_outbox")
    with tempfile.TemporaryDirectory() as d:
        base = Path(d)
        with Store.open(base / "http.sqlite3") as store:
            create_demo_school(store, seed=2025)
            make(store, n)
            with store.read() as s:
                sample = bytes(s.execute(text("SELECT package FROM outbox LIMIT 1")).scalar() or b"")
            port_in, port_out = multiprocessing.Pipe(duplex=False)
            child = multiprocessing.get_context("fork").Process(target=serve, args=(base / "recv", port_out), daemon=True)
            child.start()
            transport = HttpTransport(f"http://127.0.0.1:{port_in.recv()}")
            commits, writes = floor_samples(base / "floor-before", sample)
            start = time.perf_counter()
            sent = outbox_service.send_due(store, transport)
            elapsed = time.perf_counter() - start
            child.terminate()
            child.join()
            rows = sent_rows(store)
        # what the receiver holds, as it finds it again from its disk at a restart
        held = {k: v["receipt"] for k, v in PackageStore(base / "recv", verifier=lambda _pkg: None).keys.items()}
        files = len(list((base / "recv" / "packages").rglob("v*.xml")))
        report.check(sent.sent == n and sent.requests == n, f"sender: {sent.sent} of {n} sent in {sent.requests} requests")
        report.check(len(rows) == n, f"database: {len(rows)} of {n} entries sent with a receipt")
        report.check(all(held.get(k) == r for k, r in rows), "every receipt in the database is the receiver's for that key")
        report.check(len(held) == n and files == n, f"receiver: {len(held)} keys, {files} package files (want {n})")
        after = floor_samples(base / "floor-after", sample)
        commit, write = median(commits + after[0]), median(writes + after[1])
        rate, floor_rate = n / elapsed, 1 / (commit + write)
        print(f"  floor per package: durable commit {commit * 1000:.2f} ms + durable file write {write * 1000:.2f} ms "
              f"({len(sample) // 1024} KB)")
        report.figure(f"upload of {n} packages to the local receiver", measured=f"{rate:.0f} packages/s",
                      floor=f"{floor_rate:.0f} packages/s", target=f"≥ {TARGET_RATE:.0f} packages/s",
                      met=rate >= TARGET_RATE)

        with Store.open(base / "folder.sqlite3") as store:
            create_demo_school(store, seed=2025)
            make(store, n)
            start = time.perf_counter()
            to_folder = outbox_service.send_due(store, FolderTransport(base / "folder"))
            folder_s = time.perf_counter() - start
            folder_rows = sent_rows(store)
        written = len(list((base / "folder").glob("*.xml")))
        report.check(to_folder.sent == n and len(folder_rows) == n and written == n,
                     f"folder: {to_folder.sent} sent, {len(folder_rows)} marked sent, {written} files (want {n})")
        print(f"  folder transport: {n / folder_s:.0f} packages/s (no target)")
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
