"""Progress and cancel for every long job: one pair, used by the services, the CLI and the GUI.

A service takes `progress: Progress | None` and `cancel: CancelToken | None`. `Progress` is any
callable `(done, total, label)` (the CLI passes a printer, the GUI an adapter that emits a signal, a
test a list's append); `CancelToken` is set from any thread (a Cancel button, a closing window) and
checked by the service between items. Stdlib only: the core never imports Qt.
"""

from __future__ import annotations

import threading
from typing import Callable, Protocol

from .errors import HocbasoError


class Progress(Protocol):
    """Report that `done` of `total` items are finished; `label` names the current one (may be "")."""

    def __call__(self, done: int, total: int, label: str = "", /) -> None: ...


class Cancelled(HocbasoError):
    """The user (or a closing window) asked to stop; whatever the job writes is left out whole.

    Every "cancelled" error of the program derives from this, so a caller tells «Đã hủy» from a failure
    by its type, never by a flag it set itself (a dialog that closes is not a user who cancels)."""

    def __init__(self, message: str = "Đã hủy theo yêu cầu; không có gì được ghi.", **data: object) -> None:
        super().__init__(message, **data)


class CancelToken:
    """A cancel request, settable from any thread. Also callable (`token()` → bool) for services
    that take a `Callable[[], bool]` check."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def __call__(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self, message: str | None = None) -> None:
        if self._event.is_set():
            raise Cancelled(message) if message else Cancelled()

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep up to `timeout` seconds unless cancelled first; True when cancelled."""
        return self._event.wait(timeout)


CancelCheck = Callable[[], bool]  # what a service that predates CancelToken accepts; a token is one


def no_progress(done: int, total: int, label: str = "", /) -> None:
    """The Progress that reports nowhere."""


def scaled(progress: Progress | None, offset: int, span: int, total: int) -> Progress:
    """Report a sub-job's (done, sub_total) as a share [offset, offset + span] of `total`, so one bar
    runs 0 → total once across the phases of a job (reading, then writing)."""

    def report(done: int, sub_total: int, label: str = "", /) -> None:
        if progress is None:
            return
        share = span if sub_total <= 0 else span * min(done, sub_total) // sub_total
        progress(offset + share, total, label)

    return report
