"""kill -9 a writer at random points, reopen, check: shared by the test (200) and the benchmark (1,000)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

WRITER = Path(__file__).with_name("crash_writer.py")


@dataclass
class CrashStats:
    kills: int = 0
    corrupt: int = 0
    lost: int = 0
    acknowledged: int = 0
    problems: list[str] = field(default_factory=list)


def _check(path: Path, acked: set[int], stats: CrashStats) -> None:
    from hocbaso_desktop.storage.engine import Store
    from hocbaso_desktop.storage.models import Setting

    try:
        store = Store.open(path)
    except Exception as e:  # a corrupt file is exactly what we count
        stats.corrupt += 1
        stats.problems.append(f"open failed: {e}")
        return
    try:
        problems = store.integrity_check()
        if problems:
            stats.corrupt += 1
            stats.problems.extend(problems)
        with store.read() as s:
            keys = set(s.execute(select(Setting.key)).scalars())
        missing = [n for n in acked if f"crash-{n}" not in keys or f"crash-{n}-b" not in keys]
        stats.lost += len(missing)
        if missing:
            stats.problems.append(f"lost commits {sorted(missing)[:5]}")
        chain = store.verify_audit()
        if not chain.ok:
            stats.corrupt += 1
            stats.problems.append(f"audit chain: {chain.reason}")
    finally:
        store.close()


def run_one_db(path: Path, kills: int, seed: int, stats: CrashStats) -> None:
    rng = random.Random(seed)
    acked: set[int] = set()
    next_n = 0
    env = dict(os.environ)
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, str(WRITER), str(path), str(next_n)], stdout=subprocess.PIPE, text=True, env=env)
        got: list[int] = []

        def reader() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                got.append(int(line))

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        # Random point: often during start-up/migration, mostly during the write loop.
        time.sleep(rng.uniform(0.05, 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        t.join(5)
        acked.update(got)
        stats.kills += 1
        if got:
            next_n = max(got) + 1
        # Numbers printed after the last ack may have committed unacknowledged; skip past them.
        next_n += 1000
        _check(path, acked, stats)
    stats.acknowledged += len(acked)


def crash_loop(tmp: Path, total_kills: int, workers: int = 2, seed: int = 1) -> CrashStats:
    stats = CrashStats()
    per = total_kills // workers
    threads = [
        threading.Thread(target=run_one_db, args=(tmp / f"crash-{i}.sqlite3", per, seed + i, stats)) for i in range(workers)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats
