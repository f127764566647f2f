"""Foundation figures for the demo school: demo creation time, class grid load time, DB size."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hocbaso_desktop.services import demo, directory  # noqa: E402
from hocbaso_desktop.services.grid import load_grid  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        db = Path(d) / "bench.sqlite3"
        store = Store.open(db)
        t0 = time.perf_counter()
        summary = demo.create_demo_school(store, seed=2025)
        t_demo = time.perf_counter() - t0

        from PySide6.QtWidgets import QApplication

        from hocbaso_desktop.gui.models.grid_columns import VIEW_SUBJECTS
        from hocbaso_desktop.gui.models.grid_model import GridModel

        app = QApplication.instance() or QApplication([])  # noqa: F841
        c = max(directory.classes(store), key=lambda c: (c.grade, c.student_count))
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            grid = load_grid(store, c.id, "CN")
            model = GridModel(grid, VIEW_SUBJECTS)
            model.data(model.index(model.rowCount() - 1, model.columnCount() - 1))
            times.append(time.perf_counter() - t0)
        store.close()
        size = db.stat().st_size
        print(f"demo school: {summary.classes} classes, {summary.students} students, {summary.evaluations} evaluations")
        print(f"demo creation: {t_demo:.2f} s")
        print(f"class grid load ({c.name}, {c.student_count} students, CN): "
              f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms")
        print(f"database size: {size / 1024 / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
