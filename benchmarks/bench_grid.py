"""Issue 4 figures for a 45-student grade-5 class in the CN period: open, keystroke→commit, paste 45×10."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from hocbaso_desktop.services import demo, directory  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from hocbaso_desktop.storage.models import Enrolment, Student  # noqa: E402


def grow_class_to(store: Store, name: str, size: int) -> None:
    c = directory.find_class(store, name)
    with store.transaction("system") as tx:
        for i in range(size - c.student_count):
            st = Student(personal_id=f"031215{900000 + i:06d}", lookup_code=uuid.uuid4().hex, full_name=f"Học Sinh Thêm {i + 1}",
                         birth_date=__import__("datetime").date(2015, 5, 1), sex="Nam", ethnicity_code="01")
            tx.session.add(st)
            tx.session.flush()
            tx.session.add(Enrolment(student_id=st.id, year_id=c.year_id, class_id=c.id, status="active"))
        tx.audit("bench.grow", "class", c.id, {"size": size})


def main() -> None:
    app = QApplication.instance() or QApplication([])
    from hocbaso_desktop.gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as d:
        store = Store.open(Path(d) / "bench.sqlite3")
        demo.create_demo_school(store)
        grow_class_to(store, "5A", 45)
        win = MainWindow(store, "GV009")
        win.show()
        win.set_period("CN")
        opens = []
        for _ in range(10):
            win.class_id = None
            t0 = time.perf_counter()
            win.select_class("5A")
            app.processEvents()
            opens.append(time.perf_counter() - t0)
        v = win.views["subjects"]
        m = v.model()
        assert m.rowCount() == 45
        lvl = next(i for i, c in enumerate(m.columns) if c.kind == "subject_level" and c.code == "TV")
        edits = []
        for i in range(200):
            v.setCurrentIndex(m.index(i % 45, lvl))
            key = Qt.Key.Key_T if i % 2 else Qt.Key.Key_H
            t0 = time.perf_counter()
            QTest.keyClick(v, key)  # validate → transaction → audit → commit → row refresh
            edits.append(time.perf_counter() - t0)
        # 45 rows × 10 columns on the qualities view: 5 phẩm chất, their comment, 3 năng lực chung, their comment
        win.tabs.setCurrentIndex(1)
        vq = win.views["qualities"]
        mq = vq.model()
        start = next(i for i, c in enumerate(mq.columns) if c.kind == "quality_level")
        cols = mq.columns[start:start + 10]

        def cell(c, r):
            return "TĐ"[r % 2] if c.kind == "quality_level" else f"Nhận xét chung {r}"

        block = "\n".join("\t".join(cell(c, r) for c in cols) for r in range(45))
        vq.setCurrentIndex(mq.index(0, start))
        t0 = time.perf_counter()
        vq.paste_text(block)
        t_paste = time.perf_counter() - t0
        saved = win.statusBar().currentMessage()
        store.close()
    print(f"open grid (45 students, CN, three views): median {statistics.median(opens) * 1000:.0f} ms (target < 300 ms)")
    print(f"keystroke → committed edit: median {statistics.median(edits) * 1000:.1f} ms, "
          f"p95 {sorted(edits)[189] * 1000:.1f} ms over 200 edits (target < 30 ms)")
    print(f"paste 45×10 block: {t_paste * 1000:.0f} ms (target < 500 ms) — {saved}")
    sys.stdout.flush()
    os._exit(0)  # skip PySide6's finaliser: it has crashed at interpreter exit with windows still alive


if __name__ == "__main__":
    main()
