"""`hocbaso outbox send` killed with kill -9 100 times mid-send, against a real receiver on 127.0.0.1:
after restarts every package is stored exactly once and every entry holds the receiver's receipt.

Each kill waits until the sender's first request has reached the receiver, then strikes after a
random delay: inside an HTTP exchange, between the answer and the commit, or inside a commit.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

from sqlalchemy import text

from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.sync.receiver import ReceiverHandler

from ..conftest import hocbaso_cmd
from .helpers import make_packages, running

KILLS = 100
N = 600
FIRST_REQUEST_TIMEOUT = 180.0  # bounds a hang only: a loaded machine starts the sender slowly


class SlowHandler(ReceiverHandler):
    seen = threading.Event()

    def do_POST(self) -> None:  # noqa: N802
        self.seen.set()
        time.sleep(0.015)  # a slow district server: kills land mid-request too
        super().do_POST()


def test_kill9_hundred_times_mid_send(demo_db: Path, recv_dir: Path) -> None:
    with Store.open(demo_db) as store:
        make_packages(store, N, versions=2)
    rng = random.Random(99)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    mid_send = 0
    with running(recv_dir, SlowHandler) as recv:
        recv.server.handle_error = lambda *_: None  # answers written to killed senders: expected
        cmd = hocbaso_cmd() + ["--db", str(demo_db), "outbox", "send", "--endpoint", recv.url, "--as", "HT"]
        start = time.perf_counter()
        for _ in range(KILLS):
            SlowHandler.seen.clear()
            p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            if not SlowHandler.seen.wait(FIRST_REQUEST_TIMEOUT):
                p.kill()
                p.wait()
                raise AssertionError(f"the sender sent nothing in {FIRST_REQUEST_TIMEOUT:.0f} s (hung?)")
            time.sleep(rng.uniform(0.0, 0.12))
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                mid_send += 1
            p.wait()
        killed_in = time.perf_counter() - start
        codes = []
        for _ in range(5):  # restarts without kills: the queue drains
            codes.append(subprocess.run(cmd, capture_output=True, env=env, timeout=120).returncode)
            if codes[-1] == 0:
                break
        assert codes[-1] == 0, codes
    assert mid_send == KILLS, (mid_send, "the queue drained too early: raise N")

    keys = {p.stem: json.loads(p.read_text()) for p in (recv_dir / "keys").glob("*.json")}
    assert len(keys) == N and len(recv.stored_files()) == N
    assert len({(k["record_id"], k["version"]) for k in keys.values()}) == N
    with Store.open(demo_db) as store:
        assert store.integrity_check() == []
        with store.read() as s:
            rows = s.execute(text("SELECT idempotency_key, state, receipt, attempts FROM outbox")).all()
    assert len(rows) == N and {r.state for r in rows} == {"sent"}
    assert all(keys[r.idempotency_key]["receipt"] == r.receipt for r in rows)
    resent = sum(1 for r in rows if r.attempts > 1)
    print(f"\n{KILLS} kills in {killed_in:.0f} s; {resent} packages sent more than once, stored once")
