"""Notices tokens being plugged in and pulled out, by polling (~1 s).

SoftHSM has no slot events and vendor middleware implements C_WaitForSlotEvent unevenly (gotcha 6),
so we poll. The poll itself runs on the token lane, queued behind any signing work, and the
provider never re-initialises the module while a batch holds a session.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from .info import TokenInfo
from .token import Pkcs11Provider

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenChange:
    inserted: tuple[TokenInfo, ...]
    removed: tuple[TokenInfo, ...]
    present: tuple[TokenInfo, ...]


class TokenWatcher:
    """Calls `on_change(TokenChange)` from the watcher thread; the GUI re-emits it as a Qt signal."""

    def __init__(
        self,
        provider: Pkcs11Provider,
        on_change: Callable[[TokenChange], None],
        interval: float = 1.0,
    ) -> None:
        self.provider = provider
        self.on_change = on_change
        self.interval = interval
        self._known: dict[tuple[str, str], TokenInfo] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> TokenChange | None:
        """One tick; returns (and reports) the change, or None when nothing changed."""
        try:
            present = self.provider.poll()
        except Exception as e:  # a missing module is a state to show, not a reason to stop watching
            log.debug("token poll failed: %s", e)
            present = []
        now = {t.key: t for t in present}
        before = self._known
        self._known = now
        if before is not None and now.keys() == before.keys():
            return None
        before = before or {}
        change = TokenChange(
            inserted=tuple(t for k, t in now.items() if k not in before),
            removed=tuple(t for k, t in before.items() if k not in now),
            present=tuple(present),
        )
        try:
            self.on_change(change)
        except Exception:
            log.exception("token change callback failed")
        return change

    def _run(self) -> None:
        while not self._stop.is_set():
            self.poll_once()
            self._stop.wait(self.interval)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="hocbaso-token-watch", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
