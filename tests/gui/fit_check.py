"""Run in a child process on an offscreen screen of a given size (the suite's own screen is 800×800):
open the main window and the preview windows as a person would, save a screenshot of each, and print
their geometry as JSON for tests/gui/test_fits_the_screen.py.

    python -m tests.gui.fit_check DB OUT_DIR CLASS ACTOR
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget


def rect(r) -> list[int]:  # noqa: ANN001 - QRect
    return [r.x(), r.y(), r.width(), r.height()]


def record(name: str, w: QWidget, out: Path) -> dict:
    QApplication.processEvents()
    w.grab().save(str(out / f"fit-{name}.png"))
    return {"name": name, "frame": rect(w.frameGeometry()), "geometry": rect(w.geometry()),
            "available": rect(w.screen().availableGeometry())}


def wait_for(cond, seconds: float = 60.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        if cond():
            return True
        time.sleep(0.02)
    return False


def main(db: str, out_dir: str, class_name: str, actor: str) -> int:
    from hocbaso_desktop.gui.app import open_main_window

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    w = open_main_window(db=db, class_name=class_name, actor=actor)
    w.show()
    w.show_message("Đã lưu")  # where saving and refusals are told: it must be on screen
    results = []
    main_rec = record("main-window", w, out)
    sb = w.statusBar()
    main_rec["status_bar"] = rect(sb.geometry()) if sb.isVisible() else None
    main_rec["status_text"] = sb.currentMessage()
    main_rec["minimum"] = [w.minimumSizeHint().width(), w.minimumSizeHint().height()]
    results.append(main_rec)

    w.preview_current_student()
    p = w.preview
    wait_for(lambda: bool(p.pages) or "Đang tạo" not in p.page_label.text())
    rec = record("paper-preview", p, out)
    rec["buttons"] = [rect(b.geometry()) for b in (p.print_btn, p.save_btn)]
    results.append(rec)
    pdf = p.pdf
    p.close()

    from hocbaso_desktop.gui.archive_browser import ArchiveBrowser, PdfViewer

    if pdf:
        v = PdfViewer(w, "Bản giấy trong kho lưu trữ", pdf)
        v.show()
        results.append(record("archive-pdf-viewer", v, out))
        v.close()
    from hocbaso_desktop.signing import default_trust_store

    b = ArchiveBrowser(w, default_trust_store())
    b.show()
    results.append(record("archive-browser", b, out))
    b.close()
    print(json.dumps(results))
    w.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
