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


# A share of the runs is killed at a random instant from launch (start-up, migration, or already the
# write loop); they are checked but not counted. The counted kills wait for the writer's first
# acknowledged commit, however slow the machine, then strike at a random point of the write loop.
STARTUP_SHARE = 0.2
STARTUP_WINDOW = (0.02, 1.0)
WRITE_WINDOW = (0.0, 0.3)
FIRST_ACK_TIMEOUT = 180.0  # bounds a hang only (a writer that never commits), never a speed


@dataclass
class CrashStats:
    kills: int = 0  # kills that landed after the writer's first acknowledged commit
    startup_kills: int = 0  # kills before any acknowledged commit (checked, not counted)
    corrupt: int = 0
    lost: int = 0
    acknowledged: int = 0
    problems: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the harness itself failed (a writer hung or exited)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


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


def _run_writer(path: Path, first_n: int, rng: random.Random) -> tuple[list[int], bool]:
    """Start a writer, kill it with -9; return the acknowledged numbers and whether it was a counted kill."""
    proc = subprocess.Popen([sys.executable, str(WRITER), str(path), str(first_n)], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ))
    got: list[int] = []
    first_ack = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.endswith("\n"):  # a whole line was flushed: that commit is acknowledged
                got.append(int(line))
                first_ack.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        if rng.random() < STARTUP_SHARE:
            time.sleep(rng.uniform(*STARTUP_WINDOW))
        elif first_ack.wait(FIRST_ACK_TIMEOUT):
            time.sleep(rng.uniform(*WRITE_WINDOW))
        else:
            raise AssertionError(f"the writer made no commit in {FIRST_ACK_TIMEOUT:.0f} s (exit code {proc.poll()})")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        t.join(60)  # the pipe closes with the process: returns at once
    if proc.returncode != -signal.SIGKILL:
        raise AssertionError(f"the writer ended by itself (exit code {proc.returncode}) instead of being killed")
    # Any line read means the kill struck after the first acknowledged commit.
    return got, bool(got)


def run_one_db(path: Path, kills: int, seed: int, stats: CrashStats) -> None:
    rng = random.Random(seed)
    acked: set[int] = set()
    next_n = 0
    counted = 0
    while counted < kills:
        got, after_first_ack = _run_writer(path, next_n, rng)
        acked.update(got)
        counted += after_first_ack
        if got:
            next_n = max(got) + 1
        # Numbers printed after the last ack may have committed unacknowledged; skip past them.
        next_n += 1000
        local = CrashStats()
        _check(path, acked, local)
        with stats.lock:
            stats.kills += after_first_ack
            stats.startup_kills += not after_first_ack
            stats.corrupt += local.corrupt
            stats.lost += local.lost
            stats.problems.extend(local.problems)
    with stats.lock:
        stats.acknowledged += len(acked)


def crash_loop(tmp: Path, total_kills: int, workers: int = 2, seed: int = 1) -> CrashStats:
    stats = CrashStats()
    per = total_kills // workers

    def worker(i: int) -> None:
        try:
            run_one_db(tmp / f"crash-{i}.sqlite3", per, seed + i, stats)
        except BaseException as e:  # a harness failure must reach the test, not die with its thread
            with stats.lock:
                stats.errors.append(f"worker {i}: {e!r}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats
