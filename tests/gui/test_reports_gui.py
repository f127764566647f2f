"""pytest-qt: the Báo cáo menu (install_reports_ui), the dashboard (model/view + colour bars), the
report dialog, and the transfer dialogs (export with PIN on a worker thread; import with the
verification report and class choice; a tampered package cannot be received).
Screenshots go to $HOCBASO_SHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow  # noqa: E402

from hocbaso_desktop.domain.roles import Actor  # noqa: E402
from hocbaso_desktop.signing import ScriptedPinPrompt  # noqa: E402
from hocbaso_desktop.storage.engine import Store  # noqa: E402
from tests.transfer_schools import PIN, RECEIVER_NAME, TwoSchools, copy_db, two_schools  # noqa: E402


def _shot(widget, tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("HOCBASO_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    assert widget.grab().save(str(path))
    return path


@pytest.fixture(scope="module")
def schools(demo_template: Path) -> TwoSchools:
    return two_schools(demo_template)


@pytest.fixture
def sender(schools: TwoSchools, tmp_path: Path):
    schools.token.activate()
    s = Store.open(copy_db(schools.sender, tmp_path / "sender.sqlite3"))
    yield s
    s.close()


@pytest.fixture
def receiver(schools: TwoSchools, tmp_path: Path):
    s = Store.open(copy_db(schools.receiver, tmp_path / "receiver.sqlite3"))
    yield s
    s.close()


def _window(qtbot, store: Store, code: str = "VP01", roles: frozenset[str] = frozenset({"clerk"})) -> QMainWindow:
    from hocbaso_desktop.gui.operations import WindowContext
    from hocbaso_desktop.gui.reports_menu import install_reports_ui

    w = QMainWindow()
    w.store = store  # type: ignore[attr-defined]
    actor = Actor(code, "Văn phòng", roles, frozenset(), frozenset())
    WindowContext(w, actor=lambda: actor)  # who acts, as the main window tells its menus
    qtbot.addWidget(w)
    install_reports_ui(w)
    return w


def test_menu_has_the_four_entries(qtbot, sender: Store) -> None:
    w = _window(qtbot, sender)
    assert [a.text() for a in w.reports_ui.menu.actions() if a.text()] == [  # type: ignore[attr-defined]
        "Bảng điều khiển", "Báo cáo thống kê…", "Chuyển trường: xuất…", "Chuyển trường: nhận…"]


def test_dashboard_shows_progress_with_bars(qtbot, sender: Store, tmp_path: Path) -> None:
    w = _window(qtbot, sender, "HT", frozenset({"principal"}))
    dlg = w.reports_ui.open_dashboard()  # type: ignore[attr-defined]
    qtbot.waitExposed(dlg, timeout=60_000)
    model = dlg.model
    assert [r.name for r in model.rows] == ["1A", "3A", "5A"]
    first = model.rows[0]
    assert first.issued >= 1 and first.signed["seal"] >= 1 and first.queued + first.uploaded >= 1
    from hocbaso_desktop.gui.dashboard import BAR_ROLE

    assert model.index(0, 3).data(BAR_ROLE) == pytest.approx(first.completeness)
    assert "Chưa xuất kho lưu trữ" in dlg.summary.text()
    _shot(dlg, tmp_path, "dashboard")


def test_dashboard_refused_without_the_right(qtbot, sender: Store, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    w = _window(qtbot, sender, "GV099", frozenset({"subject"}))
    assert w.reports_ui.open_dashboard() is None  # type: ignore[attr-defined]
    assert "Không có quyền" in shown[0]


def test_report_dialog_writes_a_pdf(qtbot, sender: Store, tmp_path: Path) -> None:
    w = _window(qtbot, sender)
    dlg = w.reports_ui.open_report()  # type: ignore[attr-defined]
    dlg.fmt.setCurrentIndex(1)
    dlg.out.setText(str(tmp_path / "bc.pdf"))
    with qtbot.waitSignal(dlg.completed, timeout=60000):
        dlg.start()
    assert dlg.error is None and (tmp_path / "bc.pdf").read_bytes().startswith(b"%PDF")
    _shot(dlg, tmp_path, "report-dialog")


def test_export_then_import_through_the_dialogs(qtbot, sender: Store, receiver: Store, schools: TwoSchools,
                                                tmp_path: Path) -> None:
    w = _window(qtbot, sender)
    dlg = w.reports_ui.open_export()  # type: ignore[attr-defined]
    i = dlg.student.findData(schools.student_pid)
    assert i >= 0
    dlg.student.setCurrentIndex(i)
    dlg.destination.setText(RECEIVER_NAME)
    out = tmp_path / "goi.zip"
    dlg.out.setText(str(out))
    with qtbot.waitSignal(dlg.completed, timeout=120000):
        dlg.start(prompt=ScriptedPinPrompt(lambda: PIN))
    assert dlg.error is None, dlg.error
    assert out.is_file() and "Đã xuất 2 học bạ" in dlg.status.text()
    _shot(dlg, tmp_path, "transfer-export")

    w2 = _window(qtbot, receiver)
    imp = w2.reports_ui.open_import()  # type: ignore[attr-defined]
    imp.load(out)
    assert imp.import_button.isEnabled() and "HỢP LỆ" in imp.report.toPlainText()
    imp.class_box.setCurrentIndex(imp.class_box.findData("3A"))
    with qtbot.waitSignal(imp.completed, timeout=60000):
        imp.start()
    assert imp.error is None and imp.result.records == 2 and imp.result.class_name == "3A"
    _shot(imp, tmp_path, "transfer-import")

    # A tampered copy: the report names the changed member and the button stays off.
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("v2.xml"):
                data = data.replace(b"<tenlop>1A</tenlop>", b"<tenlop>1B</tenlop>")
            zout.writestr(info.filename, data)
    imp2 = w2.reports_ui.open_import()  # type: ignore[attr-defined]
    imp2.load(bad)
    assert not imp2.import_button.isEnabled()
    assert "v2.xml đã bị thay đổi" in imp2.report.toPlainText() and "KHÔNG hợp lệ" in imp2.verdict.text()
    _shot(imp2, tmp_path, "transfer-import-refused")
