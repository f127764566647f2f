"""reliability.md: 1,000 kill -9 of a writer at random points → 0 corrupt databases, 0 lost commits."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.storage.crashloop import crash_loop  # noqa: E402


def main() -> None:
    kills = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        stats = crash_loop(Path(d), total_kills=kills, workers=2)
        dt = time.perf_counter() - t0
    print(f"kills: {stats.kills} (+{stats.startup_kills} during start-up), acknowledged commits: {stats.acknowledged}, "
          f"corrupt: {stats.corrupt}, lost: {stats.lost} ({dt:.0f} s)")
    for p in stats.problems[:10]:
        print("  ", p)
    sys.exit(1 if stats.corrupt or stats.lost else 0)


if __name__ == "__main__":
    main()
