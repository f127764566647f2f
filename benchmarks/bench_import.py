"""Import a generated 2,000-student class list into a fresh database: time and peak memory.

Target (issue 3): under 3 s and under 300 MB on the project's machine.
Run: .venv/bin/python benchmarks/bench_import.py [--students 2000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list
from hocbaso_desktop.services import class_import
from hocbaso_desktop.storage.engine import Store


def run(n: int, profile: bool, memory: bool) -> tuple[float, float, float, object, object]:
    with tempfile.TemporaryDirectory() as d:
        xlsx = Path(d) / "danh_sach.xlsx"
        write_sample_class_list(xlsx, n)
        store = Store.open(Path(d) / "bench.sqlite3")
        try:
            prof = cProfile.Profile() if profile else None
            if memory:
                tracemalloc.start()  # slows Python down ~2x: memory is measured in a run of its own
            t0 = time.perf_counter()
            if prof:
                prof.enable()
            plan = class_import.plan_import(store, xlsx, "2025-2026")
            t_plan = time.perf_counter() - t0
            result = class_import.apply_import(store, plan, "system")
            elapsed = time.perf_counter() - t0
            if prof:
                prof.disable()
            peak = tracemalloc.get_traced_memory()[1] if memory else 0
            tracemalloc.stop()
            t1 = time.perf_counter()
            again = class_import.apply_import(store, class_import.plan_import(store, xlsx, "2025-2026"), "system")
            t_again = time.perf_counter() - t1
        finally:
            store.close()
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    return t_plan, elapsed, peak, result, (t_again, again)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=2000)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    n = a.students
    t_plan, elapsed, _p, result, (t_again, again) = run(n, a.profile, memory=False)
    _t, _e, peak, _r, _a = run(n, False, memory=True)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n} học sinh: đọc + kiểm tra {t_plan:.2f} s, tổng (đọc + ghi) {elapsed:.2f} s")
    print(f"  bộ nhớ: Python đỉnh {peak / 2**20:.1f} MB (tracemalloc), RSS tối đa của tiến trình {maxrss_mb:.0f} MB")
    print(f"  kết quả: {result.summary()}")  # type: ignore[attr-defined]
    print(f"  nhập lại cùng tệp: {t_again:.2f} s — {again.new} mới, {again.updated} cập nhật, "  # type: ignore[attr-defined]
          f"{again.unchanged} không đổi")  # type: ignore[attr-defined]
    ok = elapsed < 3.0 and maxrss_mb < 300 and result.new == n and again.unchanged == n  # type: ignore[attr-defined]
    print("ĐẠT mục tiêu (< 3 s, < 300 MB)" if ok else "CHƯA ĐẠT mục tiêu (< 3 s, < 300 MB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
