"""A service call run on the thread pool, reporting progress to the GUI thread by signals.

The GUI never blocks on reading a big workbook or writing a transaction. The service gets two
callables: progress(done, total, label), which emits a signal (queued to the GUI thread), and
cancelled(), which the service checks between rows.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..domain.errors import HocbasoError

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]
JobFn = Callable[[Progress, Cancelled], object]


class JobSignals(QObject):
    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)


class Job(QRunnable):
    def __init__(self, fn: JobFn) -> None:
        super().__init__()
        self.fn = fn
        self.signals = JobSignals()  # lives in the creating (GUI) thread: emits from the pool are queued
        self._cancel = threading.Event()
        self.done = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        try:
            result = self.fn(self.signals.progress.emit, self._cancel.is_set)
        except HocbasoError as e:
            self.signals.failed.emit(e.message)
        except Exception as e:  # noqa: BLE001 - a worker must never take the program down
            log.exception("import job failed")
            self.signals.failed.emit(f"Lỗi không mong đợi: {e}")
        else:
            self.signals.finished.emit(result)
        finally:
            self.done.set()


def start(fn: JobFn) -> Job:
    job = Job(fn)
    job.setAutoDelete(False)  # the wizard keeps the Python object (and its signals) alive
    QThreadPool.globalInstance().start(job)
    return job
