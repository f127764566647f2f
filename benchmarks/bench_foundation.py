"""Foundation figures for the demo school: its creation, loading the largest class's grid, the file's size.

Floor of the grid load: sqlite3 alone fetching the same rows (the class's pupils and their CN
evaluations, one SELECT per table) on its own connection, measured in the same run. Target (issue
19): a 45-pupil grid opens in ≤ 50 ms; the service read + the Qt model stay well inside it.
Checks: the demo's counts are the database's, the grid has one row per pupil, the audit chain verifies.
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import Report, exit_with  # noqa: E402

from hocbaso_desktop.services import demo, directory  # noqa: E402
from hocbaso_desktop.services.grid import load_grid  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402

RAW = [
    "SELECT e.id, s.id, s.personal_id, s.full_name, s.not_assessed, e.optional_subjects, e.exempt_subjects "
    "FROM enrolment e JOIN student s ON s.id = e.student_id WHERE e.class_id = ? AND e.status = 'active'",
    "SELECT v.* FROM subject_evaluation v JOIN enrolment e ON e.id = v.enrolment_id WHERE e.class_id = ? AND v.period = 'CN'",
    "SELECT v.* FROM quality_evaluation v JOIN enrolment e ON e.id = v.enrolment_id WHERE e.class_id = ? AND v.period = 'CN'",
    "SELECT v.* FROM period_summary v JOIN enrolment e ON e.id = v.enrolment_id WHERE e.class_id = ? AND v.period = 'CN'",
    "SELECT v.* FROM year_result v JOIN enrolment e ON e.id = v.enrolment_id WHERE e.class_id = ?",
]


def main() -> None:
    report = Report("bench_foundation")
    from PySide6.QtWidgets import QApplication

    from hocbaso_desktop.gui.models.grid_columns import VIEW_SUBJECTS
    from hocbaso_desktop.gui.models.grid_model import GridModel

    app = QApplication.instance() or QApplication([])  # noqa: F841
    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "bench.sqlite3"
        store = Store.open(db)
        t0 = time.perf_counter()
        summary = demo.create_demo_school(store, seed=2025)
        t_demo = time.perf_counter() - t0
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        in_db = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                 for t in ("school_class", "student", "subject_evaluation")}
        report.check(summary.classes == in_db["school_class"] and summary.students == in_db["student"] > 0,
                     f"demo: {summary.classes} classes, {summary.students} pupils, as in the database ({in_db})")
        c = max(directory.classes(store), key=lambda c: (c.grade, c.student_count))
        times, floors, rows = [], [], 0
        for _ in range(20):
            t0 = time.perf_counter()
            for sql in RAW:
                con.execute(sql, (c.id,)).fetchall()
            floors.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            grid = load_grid(store, c.id, "CN")
            model = GridModel(grid, VIEW_SUBJECTS)
            model.data(model.index(model.rowCount() - 1, model.columnCount() - 1))
            times.append(time.perf_counter() - t0)
            rows = model.rowCount()
        report.check(rows == c.student_count > 0, f"the grid of {c.name} has {rows} rows for {c.student_count} pupils")
        chain = store.verify_audit()
        report.check(chain.ok, f"audit chain verifies ({chain.count} entries) {chain.reason}")
        con.close()
        store.close()
        size = db.stat().st_size
    print(f"  demo school: {summary.classes} classes, {summary.students} pupils, {summary.evaluations} evaluations, "
          f"created in {t_demo:.2f} s, {size / 1024 / 1024:.2f} MiB")
    med, floor = statistics.median(times), statistics.median(floors)
    report.figure(f"grid load ({c.name}, {c.student_count} pupils, CN: service + model)", measured=med, floor=floor,
                  target="≤ 50 ms", met=med <= 0.050, unit="ms")
    exit_with(report)


if __name__ == "__main__":
    main()
