"""The "Ký số" menu on real widgets, offscreen, against SoftHSM2: the sign dialog (PIN asked by a Qt
dialog from the worker thread, answered here), the token status, the verification dialog.
Screenshots of both dialogs go to docs/screenshots/."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from hocbaso_desktop.gui import glyphs
from hocbaso_desktop.gui.fonts import install_ui_font
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.gui.pin_prompt import PinDialog
from hocbaso_desktop.gui.signing_actions import install_signing_actions
from hocbaso_desktop.services import directory
from hocbaso_desktop.services.record_export import export_issued
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name
from hocbaso_desktop.signing import ScriptedPinPrompt
from tests.school_token import PIN, SchoolToken, school_token

# Running the suite must not change the checkout: shots go to a temp folder unless asked for
# (HOCBASO_SHOTS_DIR=docs/screenshots refreshes the documentation's pictures).
SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or Path(tempfile.gettempdir()) / "hocbaso-shots")


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture
def window(qtbot, demo_store, token):
    QApplication.instance().setFont(install_ui_font())
    token.attach(demo_store)
    w = MainWindow(demo_store, "GV001")
    qtbot.addWidget(w)
    w.show()
    actions = install_signing_actions(w)
    yield w
    actions.shutdown()


def _answer_pin(qtbot, dialog, pin: str | None) -> PinDialog:
    qtbot.waitUntil(lambda: dialog.findChild(PinDialog) is not None and dialog.findChild(PinDialog).isVisible(), timeout=60_000)
    pin_dialog = dialog.findChild(PinDialog)
    if pin is None:
        pin_dialog.reject()
    else:
        pin_dialog.edit.setText(pin)
        pin_dialog.accept()
    return pin_dialog


def test_menu_and_token_status(window, qtbot, token) -> None:
    titles = [a.text() for a in window.signing_actions.menu.actions()]
    assert titles == ["Ký và phát hành…", "Xác minh tệp học bạ…", "Token…"]
    qtbot.waitUntil(lambda: token.info.label in window.signing_actions.status_label.text(), timeout=60_000)


def test_sign_dialog_signs_the_class_with_one_pin(window, qtbot, token) -> None:
    actions = window.signing_actions
    dialog = actions.open_sign_dialog()
    qtbot.addWidget(dialog)
    assert dialog.role == "gvcn" and dialog.checked_class_ids() == [directory.find_class(window.store, "1A").id]
    with qtbot.waitSignal(dialog.batch_finished, timeout=60000) as finished:
        dialog.start()
        _answer_pin(qtbot, dialog, PIN)
        assert actions.token_status.watcher is None  # no polling while the batch holds the token
    result = finished.args[0]
    assert result.error is None and result.signed == 29
    assert dialog.outcomes.count() == 29 and dialog.outcomes.item(0).text().startswith("✓")
    assert "Đã ký 29 học bạ" in dialog.status.text()
    assert actions.token_status.watcher is not None  # polling again
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "sign-dialog.png"))


def test_cancelled_pin_signs_nothing(window, qtbot) -> None:
    dialog = window.signing_actions.open_sign_dialog()
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.batch_finished, timeout=60000) as finished:
        dialog.start()
        _answer_pin(qtbot, dialog, None)
    assert finished.args[0].signed == 0 and "huỷ nhập mã PIN" in finished.args[0].error
    assert "huỷ nhập mã PIN" in dialog.status.text()


def test_seal_dialog_lists_what_waits(qtbot, demo_store, token) -> None:
    QApplication.instance().setFont(install_ui_font())
    token.attach(demo_store)
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    actions = install_signing_actions(w)
    try:
        dialog = actions.open_sign_dialog()
        qtbot.addWidget(dialog)
        dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("seal"))
        assert dialog.sign_button.text() == "Ký và phát hành"
        dialog.select_classes(["2B"])
        with qtbot.waitSignal(dialog.batch_finished, timeout=60000) as finished:
            dialog.start()
        assert finished.args[0].signed == 0
        assert all(dialog.outcomes.item(i).text().startswith(glyphs.WAITING) for i in range(dialog.outcomes.count()))
    finally:
        actions.shutdown()


def _issue_class(store, token: SchoolToken, class_name: str) -> None:
    cid = directory.find_class(store, class_name).id
    for code, seal in (("GV001", False), ("HT", False), ("HT", True)):
        actor = directory.actor(store, code)
        plan = plan_signing(store, actor, [cid], seal=seal)
        choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
        list(SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN)))


def test_verify_dialog_reports_valid_and_tampered(window, qtbot, token, tmp_path: Path) -> None:
    _issue_class(window.store, token, "1A")
    exported = export_issued(window.store, "1A", tmp_path / "xuat")
    sample = exported.written[0]
    dialog = window.signing_actions.open_verify_dialog(str(sample))
    qtbot.addWidget(dialog)
    assert dialog.report is not None and dialog.report.ok
    assert "hợp lệ" in dialog.verdict.text() and "KHÔNG" not in dialog.verdict.text()
    assert "Giáo viên chủ nhiệm" in dialog.view.toPlainText() and "con dấu" in dialog.view.toPlainText()
    assert dialog.grab().save(str(SHOTS / "verify-dialog.png"))

    bad = tmp_path / "sua.xml"
    bad.write_bytes(sample.read_bytes().replace(b"<songaynghicophep>", b"<songaynghicophep>1", 1))
    dialog.open_file(bad)
    assert dialog.report is not None and not dialog.report.ok and "KHÔNG" in dialog.verdict.text()
    # issue 15: the GVCN's and the principal's signatures deleted: refused, the rule named in the verdict
    from lxml import etree

    root = etree.fromstring(sample.read_bytes())
    parent = root.find("{urn:hocbaso:tieuhoc:1.0}chukyso")
    for sig in list(parent)[:2]:
        parent.remove(sig)
    stripped = tmp_path / "go-chu-ky.xml"
    stripped.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    dialog.open_file(stripped)
    assert dialog.report is not None and not dialog.report.ok
    assert "KHÔNG hợp lệ: chữ ký bị gỡ: chữ ký sau không còn khớp" in dialog.verdict.text()
    assert "thiếu chữ ký của GVCN" in dialog.view.toPlainText()
    assert dialog.grab().save(str(SHOTS / "verify-dialog-stripped.png"))
    dialog.open_file(tmp_path / "khong-co.xml")
    assert dialog.report is None and "Không đọc được tệp" in dialog.verdict.text()


def test_a_module_saved_after_start_is_used_without_a_restart(window, qtbot, token, demo_store, tmp_path: Path) -> None:
    """Cài đặt › Ký số saved while the program runs: the next signing uses that module (here the same
    SoftHSM2 library under another path, as a vendor's .so would be), not the one found at start."""
    from hocbaso_desktop.services import settings as settings_service

    sa = window.signing_actions
    first = sa.provider.module_path
    vendor = tmp_path / "libvendor-pkcs11.so"
    vendor.symlink_to(first)
    settings_service.set_many(demo_store, "system", {settings_service.PKCS11_MODULE: str(vendor)})
    dlg = sa.open_sign_dialog()
    assert sa.provider.module_path == str(vendor) and sa.token_status.provider is sa.provider
    assert sa.token_status.watcher is not None  # the status bar now watches the new module
    dlg.close()
    sa.shutdown()


def test_seal_dialog_issues_the_class_and_stores_every_paper_copy(qtbot, demo_store, token) -> None:
    """The copies render in worker processes while the dialog's batch seals on (issue 19): when the
    batch finishes, every issued record has its stored copy and the dialog lists each record once."""
    from sqlalchemy import func, select

    from hocbaso_desktop.storage.models import RecordPaperCopy

    QApplication.instance().setFont(install_ui_font())
    token.attach(demo_store)
    cid = directory.find_class(demo_store, "1A").id
    for code in ("GV001", "HT"):
        actor = directory.actor(demo_store, code)
        plan = plan_signing(demo_store, actor, [cid])
        choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(demo_store))
        list(SigningRun(demo_store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN)))
    w = MainWindow(demo_store, "HT")
    qtbot.addWidget(w)
    actions = install_signing_actions(w)
    try:
        dialog = actions.open_sign_dialog()
        qtbot.addWidget(dialog)
        dialog.role_combo.setCurrentIndex(dialog.role_combo.findData("seal"))
        dialog.select_classes(["1A"])
        with qtbot.waitSignal(dialog.batch_finished, timeout=120_000) as finished:
            dialog.start()
            _answer_pin(qtbot, dialog, PIN)
        result = finished.args[0]
        assert result.error is None and result.signed == 29
        assert dialog.outcomes.count() == 29 and "phát hành 29" in dialog.status.text()
        with demo_store.read() as s:
            assert s.execute(select(func.count()).select_from(RecordPaperCopy)).scalar() == 29
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert dialog.grab().save(str(SHOTS / "seal-dialog.png"))
    finally:
        actions.shutdown()
