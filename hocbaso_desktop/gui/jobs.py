"""Long work off the GUI thread: a QThread runs a plain function that reports progress and
checks a cancel flag; a progress dialog appears after ~0.5 s with a Cancel button."""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from ..domain.errors import HocbasoError

Progress = Callable[[int, int, str], None]
Work = Callable[[Progress, Callable[[], bool]], Any]


class _Worker(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object, object)  # result, error message (or None)

    def __init__(self, work: Work, cancel: threading.Event) -> None:
        super().__init__()
        self.work = work
        self.cancel = cancel

    def run(self) -> None:
        try:
            result = self.work(lambda d, t, label="": self.progressed.emit(d, t, label), self.cancel.is_set)
        except HocbasoError as e:
            self.finished.emit(None, e.message)
        except Exception as e:  # a bug must reach the user as a message, never kill the GUI silently
            self.finished.emit(None, f"Lỗi không mong đợi: {type(e).__name__}: {e}")
        else:
            self.finished.emit(result, None)


class Job(QObject):
    """Start with Job(parent, title, work, on_done).start(); keep a reference until done."""

    done = Signal(object, object)

    def __init__(self, parent: QWidget, title: str, work: Work, on_done: Callable[[Any, str | None], None] | None = None) -> None:
        super().__init__(parent)
        self.cancel = threading.Event()
        self.thread = QThread(self)
        self.worker = _Worker(work, self.cancel)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._progress, Qt.ConnectionType.QueuedConnection)
        self.worker.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self.dialog = QProgressDialog(title, "Hủy", 0, 0, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(500)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self.cancel.set)
        if on_done is not None:
            self.done.connect(on_done)
        self.result: Any = None
        self.error: str | None = None
        self.finished_flag = False

    def start(self) -> "Job":
        self.thread.start()
        return self

    def _progress(self, done: int, total: int, label: str) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(done)
        if label:
            self.dialog.setLabelText(label)

    def _finished(self, result: Any, error: str | None) -> None:
        self.result, self.error = result, error
        self.finished_flag = True
        self.thread.quit()
        self.thread.wait()
        self.dialog.close()
        QTimer.singleShot(0, lambda: self.done.emit(result, error))
