"""pytest-qt: the export dialog (drive list, progress off the GUI thread, seal with PIN prompt, Cancel)
and the read-only archive browser (verify report, classes → students → versions, paper copy viewer).
Screenshots go to $HOCBASO_SHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from hocbaso_desktop.exchange.archive.medium import Drive  # noqa: E402
from hocbaso_desktop.signing import ScriptedPinPrompt  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from tests.archive.conftest import sealed_archive, small_school, token, trust  # noqa: E402,F401
from tests.school_token import PIN  # noqa: E402


def _shot(widget, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("HOCBASO_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


@pytest.fixture
def store(small_school: Path, tmp_path: Path, token):  # noqa: F811
    db = tmp_path / "gui.sqlite3"
    shutil.copyfile(small_school, db)
    shutil.copyfile(Path(str(small_school) + ".audit-head"), Path(str(db) + ".audit-head"))
    token.activate()
    s = Store.open(db)
    yield s
    s.close()


def _usb(tmp_path: Path) -> Drive:
    usb = tmp_path / "USB-TRUONG"
    usb.mkdir()
    return Drive(str(usb), "USB-TRUONG", "vfat", 7_500_000_000, 7_800_000_000, True)


def test_export_dialog_writes_a_sealed_partial_archive(qtbot, store: Store, tmp_path: Path, trust) -> None:  # noqa: F811
    from hocbaso_desktop.exchange.archive.verify import verify_archive
    from hocbaso_desktop.gui.archive_export_dialog import ArchiveExportDialog

    drive = _usb(tmp_path)
    dlg = ArchiveExportDialog(None, store, "VP01", drives=[drive])
    qtbot.addWidget(dlg)
    dlg.show()
    assert "USB-TRUONG" in dlg.drive_list.item(0).text() and "vfat" in dlg.drive_list.item(0).text()
    dlg.drive_list.setCurrentRow(0)
    assert dlg.target == Path(drive.path)
    dlg.partial_check.setChecked(True)
    dlg.start(prompt=ScriptedPinPrompt(lambda: PIN))
    qtbot.waitUntil(lambda: dlg.result is not None or dlg.error is not None, timeout=120_000)
    assert dlg.error is None, dlg.error
    assert "Đã ghi và đọc lại" in dlg.status.text() and dlg.progress.value() == dlg.progress.maximum()
    _shot(dlg, tmp_path, "archive_export_done")
    assert verify_archive(dlg.result.path, trust).ok


def test_export_dialog_refusal_and_cancel(qtbot, store: Store, tmp_path: Path) -> None:
    from hocbaso_desktop.gui.archive_export_dialog import ArchiveExportDialog

    drive = _usb(tmp_path)
    dlg = ArchiveExportDialog(None, store, "VP01", drives=[drive])
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.start()
    assert "Hãy chọn ổ đĩa" in dlg.status.text()
    dlg.drive_list.setCurrentRow(0)
    dlg.seal_check.setChecked(False)
    dlg.start()  # year not locked, not partial: refused by the service
    qtbot.waitUntil(lambda: dlg.error is not None, timeout=60_000)
    assert "chưa khóa" in dlg.status.text()
    _shot(dlg, tmp_path, "archive_export_refused")
    dlg.error = None
    dlg.partial_check.setChecked(True)
    dlg.start()
    dlg.cancel()
    qtbot.waitUntil(lambda: dlg.error is not None, timeout=60_000)
    assert "hủy" in dlg.error.lower() and list(Path(drive.path).iterdir()) == []


def test_archive_browser(qtbot, sealed_archive: Path, trust, tmp_path: Path) -> None:  # noqa: F811
    from hocbaso_desktop.gui.archive_browser import ArchiveBrowser

    dlg = ArchiveBrowser(None, trust)
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.open_archive(sealed_archive)
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=60_000)
    assert dlg.report.ok and "NGUYÊN VẸN" in dlg.verdict.text()
    assert dlg.tree.topLevelItemCount() == 3
    cls = dlg.tree.topLevelItem(0)
    record = next(cls.child(i).child(j) for i in range(cls.childCount()) for j in range(cls.child(i).childCount())
                  if cls.child(i).child(j).data(0, 256))
    dlg.tree.setCurrentItem(record)
    assert dlg.pdf_btn.isEnabled()
    _shot(dlg, tmp_path, "archive_browser")
    viewer = dlg.show_pdf()
    qtbot.addWidget(viewer)
    assert viewer is not None and len(viewer.images) >= 2
    viewer.resize(700, 900)
    _shot(viewer, tmp_path, "archive_pdf_viewer")


def test_install_archive_ui(qtbot, store: Store) -> None:
    from hocbaso_desktop.gui.archive_menu import install_archive_ui
    from hocbaso_desktop.gui.main_window import MainWindow

    win = MainWindow(store, "HT")
    qtbot.addWidget(win)
    ui = install_archive_ui(win)
    assert win.archive_ui is ui
    titles = [a.text() for a in ui.menu.actions() if a.text()]
    assert titles[:2] == ["Xuất kho lưu trữ năm học ra ổ ngoài…", "Mở kho lưu trữ…"]
    dlg = ui.open_export()
    qtbot.addWidget(dlg)
    assert dlg.actor_code == "HT" and dlg.year_combo.currentText() == "2025-2026"
