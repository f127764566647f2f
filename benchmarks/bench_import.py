"""Import a generated 2,000-pupil class list into a fresh database, against openpyxl alone.

Measured: plan_import + apply_import (read, check, compare, write in one transaction), as
`hocbaso import-classes` and Nhập danh sách lớp run it. Floor: openpyxl alone reading the same file
in read-only mode, every row of every sheet (the least any import of this file must pay), measured
in the same run, best of three like the import. Target (issue 19): ≤ 2 × the floor.
Checked: every pupil new and in the database with an enrolment, the second import of the same file
changes nothing, and the peak memory stays under 300 MB (issue 3).
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _report import Report  # noqa: E402
from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from hocbaso_desktop.exchange.class_list_sample import write_sample_class_list  # noqa: E402
from hocbaso_desktop.services import class_import  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from hocbaso_desktop.storage.models import Enrolment, Student  # noqa: E402

YEAR = "2025-2026"
RUNS = 3


def openpyxl_alone(xlsx: Path) -> tuple[float, int]:
    t0 = time.perf_counter()
    wb = load_workbook(xlsx, read_only=True, data_only=True, keep_links=False)
    rows = sum(1 for ws in wb.worksheets for _row in ws.iter_rows(values_only=True))
    wb.close()
    return time.perf_counter() - t0, rows


def import_once(xlsx: Path, db: Path, profile: cProfile.Profile | None):  # noqa: ANN201
    with Store.open(db) as store:
        t0 = time.perf_counter()
        if profile:
            profile.enable()
        plan = class_import.plan_import(store, xlsx, YEAR)
        result = class_import.apply_import(store, plan, "system")
        if profile:
            profile.disable()
        elapsed = time.perf_counter() - t0
        with store.read() as s:
            pupils = s.execute(select(func.count()).select_from(Student)).scalar() or 0
            enrolled = s.execute(select(func.count()).select_from(Enrolment)).scalar() or 0
        t1 = time.perf_counter()
        again = class_import.apply_import(store, class_import.plan_import(store, xlsx, YEAR), "system")
        t_again = time.perf_counter() - t1
    return elapsed, result, pupils, enrolled, again, t_again


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--students", type=int, default=2000)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args()
    n = a.students
    report = Report("bench_import")
    with tempfile.TemporaryDirectory() as d:
        # The program's own sample (written in write-only mode: no <dimension>, inline strings) and the same
        # list as Excel saves it (a <dimension> tag, shared strings): the floor differs between the two, since
        # openpyxl sizes an undimensioned sheet by parsing it once more.
        sample = Path(d) / "danh_sach.xlsx"
        write_sample_class_list(sample, n, year=YEAR)
        saved = Path(d) / "danh_sach_excel.xlsx"
        wb = load_workbook(sample)
        wb.save(saved)
        for label, xlsx in (("the program's sample file", sample), ("the same list as Excel saves it", saved)):
            openpyxl_alone(xlsx)  # warm: both sides then run with openpyxl's modules imported and the file cached
            floors, times, runs = [], [], []
            for i in range(RUNS):
                floors.append(openpyxl_alone(xlsx))
                prof = cProfile.Profile() if a.profile and i == RUNS - 1 else None
                run = import_once(xlsx, Path(d) / f"bench-{xlsx.stem}-{i}.sqlite3", prof)
                times.append(run[0])
                runs.append(run)
                if prof:
                    pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
            floor, rows = min(f for f, _r in floors), floors[0][1]
            measured = min(times)
            for elapsed, result, pupils, enrolled, again, t_again in runs:
                report.check(result.new == n,
                             f"{xlsx.name}: {result.new} of {n} pupils new, {result.warnings} warnings")
                report.check(pupils == n and enrolled == n,
                             f"{xlsx.name}: database holds {pupils} pupils, {enrolled} enrolments (want {n})")
                report.check(again.unchanged == n and again.new == 0 and again.updated == 0,
                             f"{xlsx.name} again: {again.new} new, {again.updated} updated, {again.unchanged} "
                             f"unchanged ({t_again:.2f} s)")
            print(f"  {xlsx.name}: openpyxl alone read {rows} rows; import runs "
                  f"{', '.join(f'{t:.2f}' for t in times)} s")
            report.figure(f"import of {n} pupils, {label}", measured=measured, floor=floor,
                          target="≤ 2 × floor (openpyxl alone)", met=measured <= 2 * floor)
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.figure("peak memory (RSS)", measured=f"{maxrss_mb:.0f} MB", floor=None, target="< 300 MB",
                  met=maxrss_mb < 300)
    return report.finish()


if __name__ == "__main__":
    sys.exit(main())
