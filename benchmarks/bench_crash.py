"""reliability.md: 1,000 kill -9 of a writer at random points → 0 corrupt databases, 0 lost commits.

Only kills that land after the writer's first acknowledged commit count (tests/storage/crashloop.py):
a kill during start-up proves nothing about committed data. The run fails when it acknowledged
nothing, counted fewer kills than asked, or a harness error, a corrupt database or a lost commit
showed. No timing target: the figure is the number of counted kills (reliability.md's 0 / 0 is a
guarantee, not a speed).
Run: .venv/bin/python benchmarks/bench_crash.py [KILLS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _report import Report  # noqa: E402

from tests.storage.crashloop import crash_loop  # noqa: E402


def main() -> int:
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    workers = 2
    report = Report("bench_crash")
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        stats = crash_loop(Path(d), total_kills=kills, workers=workers)
        dt = time.perf_counter() - t0
    asked = kills // workers * workers
    print(f"  kills after the first acknowledged commit: {stats.kills}, during start-up: {stats.startup_kills}, "
          f"acknowledged commits: {stats.acknowledged}, corrupt: {stats.corrupt}, lost: {stats.lost} ({dt:.0f} s)")
    for p in (stats.errors + stats.problems)[:10]:
        print("   ", p)
    report.check(not stats.errors, f"harness ran every writer to its kill ({len(stats.errors)} errors)")
    report.check(stats.acknowledged > 0, f"{stats.acknowledged} commits acknowledged by the writers")
    report.check(stats.kills >= asked, f"{stats.kills} kills after the first acknowledged commit (asked {asked}), "
                                       f"{stats.startup_kills} more during start-up")
    report.check(stats.corrupt == 0, f"{stats.corrupt} corrupt databases after reopening")
    report.check(stats.lost == 0, f"{stats.lost} acknowledged commits lost")
    report.figure("kills after the first acknowledged commit", measured=str(stats.kills), floor=None,
                  target=f"≥ {asked}, 0 corrupt, 0 lost", met=stats.kills >= asked and not stats.corrupt and not stats.lost)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
