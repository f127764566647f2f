"""Preview and export of the paper copy from the main window, off the GUI thread."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from hocbaso_desktop.domain.progress import Cancelled
from hocbaso_desktop.gui import operations
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
    op = w.export_class_pdf(str(out))
    assert op.wait(120)
    assert op.error is None and out.exists()
    assert "Đã lưu bản giấy lớp 1A" in w.statusBar().currentMessage()
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert all(r.full_name in text for r in w.session.rows)


def test_export_can_be_cancelled(qtbot, demo_store, tmp_path: Path) -> None:
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.select_class("4B")
    out = tmp_path / "4b.pdf"
    op = w.export_class_pdf(str(out))
    op.cancel()
    assert op.wait(120)
    assert isinstance(op.error, Cancelled) and not out.exists()
    assert "Đã hủy xuất bản giấy" in w.statusBar().currentMessage()
    assert list(tmp_path.glob(".hocba-*")) == []


def _error_boxes(w) -> list[str]:
    return [b.text() for b in w.findChildren(QMessageBox) if b.isVisible()]


def test_a_pdf_that_cannot_be_written_says_what_failed_naming_the_file(qtbot, demo_store, tmp_path: Path) -> None:
    """It used to say «Đã hủy» as if the user had cancelled."""
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.show()
    w.select_class("1A")
    out = tmp_path / "lop-1a.pdf"
    out.mkdir()  # a folder of that name sits where the file should go: the rename must fail
    op = w.export_class_pdf(str(out))
    assert op.wait(120)
    message = w.statusBar().currentMessage()
    assert "Đã hủy" not in message and not op.token.cancelled
    assert message.startswith(f"Không ghi được tệp {out}") and "thư mục cùng tên" in message
    assert _error_boxes(w) == [message]
    assert out.is_dir() and list(out.iterdir()) == [] and list(tmp_path.glob(".hocba-*")) == []


def test_a_pulled_usb_drive_is_refused_not_recreated_on_the_local_disk(qtbot, demo_store, tmp_path: Path) -> None:
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.show()
    w.select_class("2A")
    usb = tmp_path / "media" / "USB"  # chosen in the dialog, then the drive was pulled
    out = usb / "lop-2a.pdf"
    op = w.export_class_pdf(str(out))
    assert op.wait(120)
    message = w.statusBar().currentMessage()
    assert message.startswith(f"Không có thư mục {usb} (ổ USB đã rút?)") and "lop-2a.pdf" in message
    assert "Đã lưu" not in message and _error_boxes(w) == [message]
    assert not usb.exists() and not (tmp_path / "media").exists()


def test_a_new_school_exports_its_class_and_refuses_a_missing_folder(qtbot, empty_store, tmp_path: Path) -> None:
    from tests.pupil_school import new_school

    new_school(empty_store, tmp_path)
    w = MainWindow(empty_store)
    qtbot.addWidget(w)
    w.select_class("4A")
    op = w.export_class_pdf(str(tmp_path / "gone" / "x.pdf"))
    assert op.wait(120) and "ổ USB đã rút" in w.statusBar().currentMessage()
    assert not (tmp_path / "gone").exists()
    op = w.export_class_pdf(str(tmp_path / "4a.pdf"))
    assert op.wait(120) and op.error is None and (tmp_path / "4a.pdf").read_bytes().startswith(b"%PDF")


def test_closing_the_window_during_an_export_cancels_it_cleanly(qtbot, demo_store, tmp_path: Path) -> None:
    """It used to abort the program: «QThread: Destroyed while thread is still running»."""
    w = MainWindow(demo_store)
    qtbot.addWidget(w)
    w.show()
    w.select_class("5A")
    out = tmp_path / "5a.pdf"
    op = w.export_class_pdf(str(out))
    assert op.running
    assert w.close()  # waits for the job, which stops at the next pupil
    assert not op.running and not operations.running_ops()
    assert isinstance(op.error, Cancelled) or (op.error is None and out.read_bytes().startswith(b"%PDF"))
    assert not out.exists() or out.read_bytes().startswith(b"%PDF")
    assert list(tmp_path.glob(".hocba-*")) == []  # never half a file
