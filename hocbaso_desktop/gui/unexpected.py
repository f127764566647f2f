"""The GUI's last resort: an exception nobody caught (a slot's bug, a worker thread's) is logged with its
traceback by logs.install_excepthooks and then told to the person in Vietnamese, naming the log file,
instead of scrolling past on a console nobody sees. The message may come from any thread: it crosses
to the GUI thread by a queued signal, and while one such box is open the next errors are only logged
(a bug in a timer would otherwise stack up a box per tick)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import logs
from .dialogs import show_message

TITLE = "Lỗi không mong đợi"


class ErrorReporter(QObject):
    reported = Signal(str)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.box: QMessageBox | None = None
        self.reported.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def _show(self, text: str) -> None:
        if self.box is not None and self.box.isVisible():
            return
        self.box = show_message(QApplication.activeWindow(), TITLE, text, kind="critical")
        self.box.destroyed.connect(self._forget)

    def _forget(self, *_args: object) -> None:
        self.box = None


def install_error_reporter(app: QApplication) -> ErrorReporter:
    reporter = ErrorReporter(app)
    logs.install_excepthooks(reporter.reported.emit)
    app.error_reporter = reporter  # type: ignore[attr-defined]  # kept alive with the application
    return reporter
