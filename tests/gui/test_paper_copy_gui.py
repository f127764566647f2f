"""Preview and export of the paper copy from the main window, off the GUI thread."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.paper_preview import PaperPreviewDialog


def test_preview_renders_pages(qtbot, demo_store, tmp_path: Path) -> None:
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.select_class("2A")
    w.preview_current_student()
    dlg: PaperPreviewDialog = w.preview
    qtbot.waitUntil(lambda: bool(dlg.pages), timeout=60_000)
    assert len(dlg.pages) >= 5 and dlg.pdf.startswith(b"%PDF")
    assert w.session.rows[0].full_name in dlg.windowTitle()
    dlg.show_page(3)
    assert dlg.page_label.text().startswith("Trang 4/")
    dlg.grab().save(str(tmp_path / "preview.png"))


def test_export_class_pdf_in_background(qtbot, demo_store, tmp_path: Path) -> None:
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.select_class("1A")
    out = tmp_path / "1a.pdf"
    w.export_class_pdf(str(out))
    qtbot.waitUntil(lambda: w.export_job.finished_flag, timeout=60000)
    assert w.export_job.error is None and out.exists()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert all(r.full_name in text for r in w.session.rows)


def test_export_can_be_cancelled(qtbot, demo_store, tmp_path: Path) -> None:
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.select_class("4B")
    out = tmp_path / "4b.pdf"
    w.export_class_pdf(str(out))
    w.export_job.cancel.set()
    qtbot.waitUntil(lambda: w.export_job.finished_flag, timeout=60000)
    assert w.export_job.error and not out.exists()
    # the message follows the finish one event-loop turn later (done is queued): wait for it, not for a time
    qtbot.waitUntil(lambda: "Đã hủy" in w.statusBar().currentMessage(), timeout=60_000)
