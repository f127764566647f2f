"""The "Đính chính" menu: `install_corrections_ui(window)` adds the request form for the selected
student, the corrections inbox, the record's history, the audit viewer and the withdrawal.

Needs from the window: `store`, `actor`, `year`, `menuBar()`, `statusBar()`, `current_enrolment_id()`
and `load_class()` (the grid shows a record opened by an approval as editable again). Every action
reads window.actor when triggered, so switching user needs no re-wiring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMainWindow, QMessageBox

from ..domain import rights
from ..domain.errors import HocbasoError
from .operations import WindowContext

if TYPE_CHECKING:  # the dialogs and record_history (the outbox, signing) load when first used
    from .correction_dialogs import CorrectionsInbox, RequestDialog
    from .history_views import AuditViewer, RecordHistoryDialog


class CorrectionsUi(QObject):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.menu = window.menuBar().addMenu("Đính &chính")
        self.request_action = self._add("Lập phiếu đề nghị sửa…", self.open_request)
        self.inbox_action = self._add("Hộp phiếu đề nghị…", self.open_inbox)
        self.menu.addSeparator()
        self.history_action = self._add("Lịch sử học bạ…", self.open_history)
        self.audit_action = self._add("Nhật ký hệ thống…", self.open_audit)
        self.menu.addSeparator()
        self.withdraw_action = self._add("Thu hồi học bạ…", self.withdraw_current)
        self.menu.aboutToShow.connect(self.update_actions)
        self.update_actions()

    def _add(self, text: str, slot: Any) -> QAction:
        a = QAction(text, self.window)
        a.triggered.connect(lambda *_: slot())
        self.menu.addAction(a)
        return a

    @property
    def store(self) -> Any:
        return self.window.store  # type: ignore[attr-defined]

    @property
    def actor(self) -> Any:
        return self.window.actor  # type: ignore[attr-defined]

    def update_actions(self) -> None:
        a = self.actor
        self.request_action.setEnabled(rights.allowed(a, rights.REQUEST_CORRECTION) and not a.is_system)
        self.inbox_action.setEnabled(rights.allowed(a, rights.REQUEST_CORRECTION) or rights.allowed(a, rights.REVIEW_CORRECTIONS))
        self.audit_action.setEnabled(rights.allowed(a, rights.VIEW_AUDIT))
        self.withdraw_action.setEnabled(rights.allowed(a, rights.WITHDRAW_RECORD))

    def _student(self) -> tuple[int, str, str] | None:
        """(enrolment id, "Name — lớp X (mã định danh)", mã định danh) of the selected student."""
        from ..services import record_history

        eid = self.window.current_enrolment_id()  # type: ignore[attr-defined]
        if eid is None:
            self._say("Hãy chọn một học sinh trong bảng nhập liệu trước.")
            return None
        label, personal_id = record_history.student_label(self.store, eid)
        return eid, label, personal_id

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    # --- actions -------------------------------------------------------------------------------
    def open_request(self, *, modal: bool = True) -> RequestDialog | None:
        from .correction_dialogs import RequestDialog

        picked = self._student()
        if picked is None:
            return None
        dlg = RequestDialog(self.store, self.actor, picked[0], picked[1], self.window)
        dlg.filed.connect(lambda cid: self._say(f"Đã gửi phiếu đề nghị sửa số {cid}: chờ Hiệu trưởng duyệt."))
        if modal:
            dlg.exec()
        return dlg

    def open_inbox(self, *, modal: bool = True) -> CorrectionsInbox:
        from .correction_dialogs import CorrectionsInbox

        dlg = CorrectionsInbox(self.store, self.actor, self.window)
        dlg.changed.connect(self.window.load_class)  # type: ignore[attr-defined]
        if modal:
            dlg.exec()
        return dlg

    def open_history(self, *, modal: bool = True) -> RecordHistoryDialog | None:
        from .history_views import RecordHistoryDialog

        picked = self._student()
        if picked is None:
            return None
        dlg = RecordHistoryDialog(self.store, picked[0], picked[1], self.window)
        if modal:
            dlg.exec()
        return dlg

    def open_audit(self, *, modal: bool = True) -> AuditViewer | None:
        from .history_views import AuditViewer

        if not rights.allowed(self.actor, rights.VIEW_AUDIT):
            self._say("Không có quyền xem nhật ký thao tác.")
            return None
        dlg = AuditViewer(self.store, self.window)
        if modal:
            dlg.exec()
        return dlg

    def withdraw_current(self, reason: str | None = None, prompt: object = None) -> bool:
        """The withdrawal is signed by the school's seal (its PIN asked by the PIN dialog, or `prompt`),
        so it runs on a worker thread while this window keeps answering."""
        from ..services import record_history
        from ..services.archive_service import SealWith
        from ..services.signing_setup import provider_for, settings_service
        from .archive_menu import run_off_gui_thread

        picked = self._student()
        if picked is None:
            return False
        interactive = reason is None
        if reason is None:
            text, ok = QInputDialog.getText(self.window, "Thu hồi học bạ",
                                            f"Thu hồi học bạ đã phát hành của {picked[1]}.\n"
                                            "Học bạ vẫn được giữ lại (đánh dấu Thu hồi); văn bản thu hồi được ký bằng "
                                            "con dấu nhà trường và báo hủy về CSDL ngành.\nLý do:")
            if not ok:
                return False
            reason = text
        store, actor = self.store, self.actor
        try:
            provider = provider_for(store)
        except HocbasoError:
            seal = None  # the service then says the seal is needed, after its own checks
        else:
            if prompt is None:
                from .pin_prompt import QtPinPrompt

                prompt = QtPinPrompt(self.window)  # made here on the GUI thread, asked from the worker
            self._pin_prompt = prompt
            seal = SealWith(provider, prompt, settings_service.signing_settings(store).token_label)  # type: ignore[arg-type]
        outcome = run_off_gui_thread(lambda: record_history.withdraw(store, actor, picked[0], reason, seal))
        if isinstance(outcome, HocbasoError):
            if interactive:
                QMessageBox.warning(self.window, "Thu hồi học bạ", outcome.message)
            self._say(outcome.message)
            return False
        if isinstance(outcome, BaseException):
            raise outcome
        v = outcome
        self._say(f"Đã thu hồi học bạ phiên bản {v.version} của {picked[1]}: văn bản thu hồi đã ký bằng con dấu nhà trường.")
        self.window.load_class()  # type: ignore[attr-defined]
        return True


def install_corrections_ui(window: QMainWindow) -> CorrectionsUi:
    ui = CorrectionsUi(window)
    WindowContext.for_window(window).actor_changed.connect(lambda *_: ui.update_actions())
    return ui
