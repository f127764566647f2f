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


_pool: QThreadPool | None = None


def pool() -> QThreadPool:
    """A pool of our own: the global one has as many threads as cores (2 here) and other dialogs' jobs
    (PDF export, grid import) must not be able to starve an import, nor an import them."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)  # imports are one transaction each; one at a time is the rule anyway
    return _pool


def start(job: Job) -> Job:
    """Start a job whose signals are ALREADY connected: a fast job (a refused file) ends in microseconds."""
    job.setAutoDelete(False)  # the wizard keeps the Python object (and its signals) alive
    pool().start(job)
    return job
