"""The outbox in the main window: `install_outbox_ui(window)` adds a status-bar widget (pending /
sent / failed and the last error), a "Gửi ngay" action and a menu with the queue per class, the
deadlines and the sending settings. Needs only `window.store`, `menuBar()` and `statusBar()`
(and `window.actor` / `window.year` when present).

Sending runs as an Op on the network lane; the sender opens a short transaction per step and holds no session during
network I/O (sync/sender.py), so the GUI thread's reads wait milliseconds at most.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QMainWindow

from ..domain.errors import HocbasoError
from ..domain.roles import VIEWER
from ..services import outbox_service
from ..sync.sender import SendReport
from .menus import OUTBOX_MENU, menu_or_new
from .operations import Op, WindowContext
from .outbox_views import DeadlineDialog, QueueDialog

AUTO_SEND_MS = 5 * 60 * 1000  # with an endpoint configured, try every 5 minutes (cheap when nothing is due)
REFRESH_MS = 10 * 1000


class OutboxUi(QObject):
    sending_changed = Signal(bool)
    send_finished = Signal(object, object)

    def __init__(self, window: QMainWindow, *, auto_send_ms: int = AUTO_SEND_MS) -> None:
        super().__init__(window)
        self.window = window
        self.store = window.store  # type: ignore[attr-defined]
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        window.statusBar().addPermanentWidget(self.label)
        self.last_error = ""
        self.op: Op | None = None

        self.send_action = QAction("Gửi ngay", window)
        self.send_action.setToolTip("Gửi các học bạ đã phát hành đang chờ về CSDL ngành")
        self.send_action.triggered.connect(self.send_now)
        self.queue_action = QAction("Hàng chờ gửi theo lớp…", window)
        self.queue_action.triggered.connect(self.open_queue)
        self.deadline_action = QAction("Hạn gửi theo lớp…", window)
        self.deadline_action.triggered.connect(self.open_deadlines)
        self.settings_action = QAction("Địa chỉ gửi…", window)
        self.settings_action.triggered.connect(self.edit_settings)
        self.menu = menu_or_new(window, OUTBOX_MENU, "Gửi &CSDL")
        for a in (self.send_action, self.queue_action, self.deadline_action):
            self.menu.addAction(a)
        self.menu.addSeparator()
        self.menu.addAction(self.settings_action)

        self.refresh_timer = QTimer(self)
        self.refresh_timer.timeout.connect(self.refresh)
        self.refresh_timer.start(REFRESH_MS)
        self.auto_timer = QTimer(self)
        self.auto_timer.timeout.connect(self._auto_send)
        if auto_send_ms > 0:
            self.auto_timer.start(auto_send_ms)
        window.destroyed.connect(self.shutdown)
        context = WindowContext.of(window)
        if context is not None:  # a record signed and issued elsewhere joins the queue
            context.outbox_changed.connect(self.refresh)
        self.refresh()

    # --- status ------------------------------------------------------------------------------
    def _actor(self) -> str:
        actor = WindowContext.for_window(self.window).actor
        return "system" if actor is VIEWER else actor.code

    def refresh(self) -> outbox_service.Status:
        st = outbox_service.status(self.store)
        error = self.last_error or st.last_error
        text = f"Gửi CSDL: chờ {st.pending} · đã gửi {st.counts['sent']} · bị từ chối {st.failed}"
        if self.sending:
            text = "Đang gửi… " + text
        if error:
            text += f" · lỗi: {error[:80]}"
        self.label.setText(text)
        self.label.setToolTip(error or "Không có lỗi")
        return st

    @property
    def sending(self) -> bool:
        return self.op is not None and self.op.running

    # --- sending -----------------------------------------------------------------------------
    def _auto_send(self) -> None:
        if outbox_service.outbox_settings(self.store).endpoint and outbox_service.status(self.store).pending:
            self.send_now()

    def send_now(self) -> bool:
        """Start a send on the worker thread; False when one is already running."""
        if self.sending:
            return False
        store = self.store

        def work(ctx):  # noqa: ANN001, ANN202 - on the network lane: no database session held during I/O
            return outbox_service.send_due(store, outbox_service.transport_for(store), cancel=ctx.cancel)

        self.send_action.setEnabled(False)
        # quiet: a status-bar job, no progress dialog over the user's work
        self.op = Op(self, work, lane="network").without_dialog().outcome(self._finished).run_in_background()
        self.sending_changed.emit(True)
        self.refresh()
        return True

    def _finished(self, report: SendReport | None, error: str | None) -> None:
        self.send_action.setEnabled(True)
        if error:
            self.last_error = error
        elif report is not None:
            self.last_error = report.unreachable or ""
            self.window.statusBar().showMessage(f"Gửi học bạ: {report.summary()}", 10000)
        self.refresh()
        self.sending_changed.emit(False)
        self.send_finished.emit(report, error)

    def shutdown(self, *_args: object) -> None:
        """Stop after the request in flight (closing the window mid-send loses nothing: the DB holds it)."""
        if self.op is not None and self.op.running:
            self.op.cancel()
            self.op.wait(35)

    # --- dialogs -----------------------------------------------------------------------------
    def open_queue(self) -> QueueDialog:
        dlg = QueueDialog(self.store, self.window, actor=self._actor(), class_id=WindowContext.for_window(self.window).class_id)
        dlg.finished.connect(lambda *_: self.refresh())
        dlg.show()
        self.queue_dialog = dlg
        return dlg

    def open_deadlines(self) -> DeadlineDialog:
        dlg = DeadlineDialog(self.store, self.window, year=WindowContext.for_window(self.window).year)
        dlg.show()
        self.deadline_dialog = dlg
        return dlg

    def edit_settings(self) -> None:
        cfg = outbox_service.outbox_settings(self.store)
        url, ok = QInputDialog.getText(self.window, "Địa chỉ gửi", "Địa chỉ máy nhận (http://…, https://…) hoặc thư mục:",
                                       QLineEdit.EchoMode.Normal, cfg.endpoint or "")
        if not ok:
            return
        env, ok = QInputDialog.getText(self.window, "Mã truy cập",
                                       "TÊN biến môi trường chứa mã truy cập (để trống nếu không cần):",
                                       QLineEdit.EchoMode.Normal, cfg.token_env or "")
        if not ok:
            return
        try:
            outbox_service.set_settings(self.store, self._actor(), {
                outbox_service.ENDPOINT: url.strip() or None, outbox_service.TOKEN_ENV: env.strip() or None})
        except HocbasoError as e:
            self.window.statusBar().showMessage(e.message, 10000)


def install_outbox_ui(window: QMainWindow, **kw: Any) -> OutboxUi:
    ui = OutboxUi(window, **kw)
    window.outbox_ui = ui  # type: ignore[attr-defined]
    return ui
