"""The "Đính chính" menu offscreen on a SoftHSM2-issued class: the request form, the inbox (admin team
reads, principal approves with witnesses / rejects), the record's history after re-signing, the audit
viewer with filters and the chain's state. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from hocbaso_desktop.gui.correction_dialogs import ApproveDialog
from hocbaso_desktop.gui.corrections_ui import install_corrections_ui
from hocbaso_desktop.gui.fonts import install_ui_font
from hocbaso_desktop.gui.main_window import MainWindow
from hocbaso_desktop.services import corrections, directory
from hocbaso_desktop.services.evaluation_edit import CellEdit, apply_edits
from hocbaso_desktop.storage.engine import Store
from tests.correction_school import build_issued_school, copy_school, sign
from tests.school_token import SchoolToken, school_token

# Running the suite must not change the checkout: shots go to a temp folder unless asked for
# (HOCBASO_SHOTS_DIR=docs/screenshots refreshes the documentation's pictures).
SHOTS = Path(os.environ.get("HOCBASO_SHOTS_DIR") or Path(tempfile.gettempdir()) / "hocbaso-shots")


@pytest.fixture(scope="module")
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture(scope="module")
def issued_db(demo_template: Path, token: SchoolToken, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_issued_school(demo_template, token, tmp_path_factory.mktemp("corr-gui"))


@pytest.fixture
def store(issued_db: Path, token: SchoolToken, tmp_path: Path):
    token.activate()
    s = Store.open(copy_school(issued_db, tmp_path))
    yield s
    s.close()


@pytest.fixture
def window(qtbot, store: Store):
    QApplication.instance().setFont(install_ui_font())
    w = MainWindow(store, "GV001")
    qtbot.addWidget(w)
    w.show()
    w.select_class("1A")
    return w


def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.show()
    QApplication.processEvents()
    assert widget.grab().save(str(SHOTS / name))


def test_request_form_and_inbox(qtbot, window: MainWindow, store: Store, tmp_path: Path) -> None:
    ui = install_corrections_ui(window)
    assert [a.text() for a in ui.menu.actions() if a.text()] == [
        "Lập phiếu đề nghị sửa…", "Hộp phiếu đề nghị…", "Lịch sử học bạ…", "Nhật ký hệ thống…", "Thu hồi học bạ…"]
    assert ui.request_action.isEnabled() and not ui.withdraw_action.isEnabled() and not ui.audit_action.isEnabled()
    eid = window.current_enrolment_id()
    dlg = ui.open_request(modal=False)
    qtbot.addWidget(dlg)
    dlg.fields_edit.setPlainText("Tiếng Việt — nhận xét")
    dlg.reason_edit.setPlainText("x")
    assert dlg.submit() is None and "ít nhất 5 ký tự" in dlg.error.text()  # the service's own message
    dlg.error.clear()
    dlg.reason_edit.setPlainText("Nhập nhầm nhận xét môn Tiếng Việt của học sinh khác")
    ev = tmp_path / "so-theo-doi.pdf"
    ev.write_bytes(b"%PDF-1.4 minh chung")
    assert dlg.set_evidence(ev)
    _shot(dlg, "correction-request.png")
    cid = dlg.submit()
    assert cid and corrections.get_correction(store, cid).evidence_name == "so-theo-doi.pdf"

    # a second student, for the reject path
    other = directory.students(store, "1A")[1].enrolment_id
    cid2 = corrections.request_correction(store, window.actor, other, "Nhập nhầm số ngày nghỉ có phép")

    window.set_acting("QT01")  # Ban quản trị: reads, cannot decide
    inbox = ui.open_inbox(modal=False)
    qtbot.addWidget(inbox)
    assert [c.id for c in inbox.rows] == [cid, cid2] and not inbox.approve_button.isEnabled()
    assert inbox.table.item(0, 1).text() == "chờ duyệt" and "so-theo-doi.pdf" in inbox.detail.text()

    window.set_acting("HT")
    inbox = ui.open_inbox(modal=False)
    qtbot.addWidget(inbox)
    assert inbox.approve_button.isEnabled() and inbox.reject_button.isEnabled()
    approve = ApproveDialog(store, inbox.selected(), inbox)
    qtbot.addWidget(approve)
    approve.table.cellWidget(0, 1).setText("QT01")
    approve.table.cellWidget(1, 1).setText("Nguyễn Văn Bình")
    _shot(approve, "correction-approve.png")
    witnesses = approve.witnesses()
    assert [(w.name, w.role, w.code) for w in witnesses] == [
        ("Phạm Minh Tuấn", "Ban quản trị", "QT01"), ("Nguyễn Văn Bình", "Ban TTND", "")]
    info = inbox.approve_selected(witnesses)
    assert info is not None and info.state == "approved" and "mở để sửa" in inbox.message.text()
    assert eid in {r.enrolment_id for r in window.session.rows}
    inbox.select_id(cid2)
    assert inbox.reject_selected("") is None and "ít nhất 5 ký tự" in inbox.message.text()
    assert inbox.reject_selected("Không có minh chứng kèm theo").state == "rejected"
    inbox.show_all.setCurrentIndex(1)
    assert {inbox.table.item(r, 1).text() for r in range(inbox.table.rowCount())} == {"đã duyệt, đang sửa", "từ chối"}
    inbox.select_id(cid)
    _shot(inbox, "correction-inbox.png")


def test_history_and_audit_views(qtbot, window: MainWindow, store: Store, token: SchoolToken) -> None:
    ui = install_corrections_ui(window)
    st = directory.students(store, "1A")[0]
    gv = directory.actor(store, "GV001")
    cid = corrections.request_correction(store, gv, st.enrolment_id, "Nhập nhầm nhận xét môn Tiếng Việt")
    corrections.approve(store, directory.actor(store, "HT"), cid, ["QT01", "TTND:Nguyễn Văn Bình"])
    assert apply_edits(store, gv, [CellEdit(st.enrolment_id, "CN", "subject_comment", "TV", "Đọc lưu loát, viết đẹp.")])[0].ok
    sign(store, token, "GV001")
    sign(store, token, "HT")
    sign(store, token, "VP01", seal=True)

    window.set_acting("HT")
    window.select_class("1A")
    hist = ui.open_history(modal=False)
    qtbot.addWidget(hist)
    tops = [hist.tree.topLevelItem(i) for i in range(hist.tree.topLevelItemCount())]
    assert [(t.text(0), t.text(1)) for t in tops] == [("Phiên bản 1", "thay thế"), ("Phiên bản 2", "đã phát hành")]
    assert [t.childCount() for t in tops] == [3, 3] and "Hiệu trưởng" in tops[1].child(1).text(0)
    assert "Thay thế bởi phiên bản 2" in tops[0].text(4)
    assert hist.corrections.rowCount() == 1 and hist.corrections.item(0, 1).text() == "đã hoàn tất"
    assert "Nguyễn Văn Bình — Ban TTND" in hist.corrections.item(0, 5).text()
    _shot(hist, "record-history.png")

    audit = ui.open_audit(modal=False)
    qtbot.addWidget(audit)
    assert audit.chain.text().startswith("✔ Nhật ký toàn vẹn")
    audit.set_filters(student=st.personal_id)
    actions = {r.action for r in audit.rows}
    assert {"correction.request", "correction.approve", "evaluation.subject", "record.issue", "correction.apply"} <= actions
    audit.set_filters(student=st.personal_id, staff="GV001", action="correction")
    assert [r.action for r in audit.rows] == ["correction.request"]
    audit.set_filters(student=st.personal_id)
    _shot(audit, "audit-viewer.png")

    con = sqlite3.connect(store.path)  # someone rewrites an entry behind the program's back
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'GV002' WHERE action = 'correction.request'")
    con.commit()
    con.close()
    assert not audit.check_chain() and "BỊ SỬA" in audit.chain.text()
    _shot(audit, "audit-viewer-broken.png")

    window.set_acting("GV001")  # a teacher: no audit viewer, no withdrawal
    ui.update_actions()
    assert not ui.audit_action.isEnabled() and ui.open_audit(modal=False) is None


def test_withdraw_from_the_menu(qtbot, window: MainWindow, store: Store) -> None:
    ui = install_corrections_ui(window)
    window.set_acting("HT")
    window.select_class("1A")
    ui.update_actions()
    assert ui.withdraw_action.isEnabled()
    assert not ui.withdraw_current("x")  # too short: the service says why, in the status bar
    assert "ít nhất 5 ký tự" in window.statusBar().currentMessage()
    from hocbaso_desktop.services.record_history import versions, withdrawal_xml_of
    from hocbaso_desktop.signing import ScriptedPinPrompt
    from tests.school_token import PIN

    eid = window.current_enrolment_id()
    assert not ui.withdraw_current("Cấp nhầm học sinh", ScriptedPinPrompt(lambda: "000000"))  # the seal's PIN wrong
    assert "PIN" in window.statusBar().currentMessage()
    assert [v.status_text for v in versions(store, eid)] == ["đã phát hành"]
    assert ui.withdraw_current("Cấp nhầm học sinh", ScriptedPinPrompt(lambda: PIN))
    assert "con dấu" in window.statusBar().currentMessage()
    (v,) = versions(store, eid)
    assert v.status_text == "thu hồi" and b"<trangthaithongtinhocba>2<" in withdrawal_xml_of(store, v.record_id)


# --- issue 15: users' text is shown as text, never rendered ----------------------------------------
BANNER = "<h1 style='color:red'>ĐÃ ĐƯỢC PHÒNG GD&ĐT PHÊ DUYỆT</h1>"


def _shown(label) -> str:  # noqa: ANN001
    """What a QLabel puts on the screen: its text, or the text of the HTML it renders."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QTextDocument

    if label.textFormat() == Qt.TextFormat.PlainText:
        return label.text()
    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def test_request_text_is_shown_as_literal_text(qtbot, window: MainWindow, store: Store) -> None:
    from PySide6.QtWidgets import QLabel

    ui = install_corrections_ui(window)
    eid = window.current_enrolment_id()
    cid = corrections.request_correction(store, window.actor, eid, BANNER, fields=[BANNER])
    window.set_acting("HT")
    inbox = ui.open_inbox(modal=False)
    qtbot.addWidget(inbox)
    inbox.select_id(cid)
    shown = _shown(inbox.detail)
    assert BANNER in shown and "Phiếu số" in shown  # the literal tags, beside the program's own bold title
    approve = ApproveDialog(store, inbox.selected(), inbox)
    qtbot.addWidget(approve)
    assert any(BANNER in _shown(lb) for lb in approve.findChildren(QLabel))
    _shot(inbox, "correction-inbox-plain-text.png")
    assert inbox.reject_selected(BANNER).state == "rejected"
    inbox.show_all.setCurrentIndex(1)
    inbox.select_id(cid)
    assert _shown(inbox.detail).count(BANNER) == 2  # the fields and the decision here (the reason is in the table)
