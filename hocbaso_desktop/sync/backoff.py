"""Time for the sender: an injectable clock, exponential backoff with full jitter, Retry-After.

Full jitter (delay = uniform(0, min(cap, base·2^(n-1)))) spreads the schools of a district that all
lost the connection at the same moment, instead of having them retry in lock-step.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Protocol

BASE_SECONDS = 5.0
CAP_SECONDS = 3600.0
MAX_RETRY_AFTER = 24 * 3600.0  # a server asking for more than a day is misconfigured: try again tomorrow


class Clock(Protocol):
    def time(self) -> float:
        """Epoch seconds, UTC."""


class SystemClock:
    def time(self) -> float:
        return time.time()


class FakeClock:
    """A clock that moves only when told (tests); thread-safe because the GUI worker reads it too."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)

    def set(self, when: float) -> None:
        with self._lock:
            self._now = max(self._now, when)


class Backoff:
    """delay(attempt) for the attempt-th consecutive failure (1-based)."""

    def __init__(self, rng: random.Random | None = None, base: float = BASE_SECONDS, cap: float = CAP_SECONDS) -> None:
        self.rng = rng or random.Random()
        self.base = base
        self.cap = cap

    def ceiling(self, attempt: int) -> float:
        exp = min(max(attempt, 1) - 1, 60)  # 2^60·5 s is far beyond any cap: no float overflow
        return min(self.cap, self.base * (2.0 ** exp))

    def delay(self, attempt: int) -> float:
        return self.rng.uniform(0.0, self.ceiling(attempt))


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None:
        return None
    v = value.strip()
    if not v:
        return None
    if v.isdigit():
        return min(float(v), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(v)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return min(max(0.0, when.timestamp() - now), MAX_RETRY_AFTER)


def utc_from_epoch(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=timezone.utc).replace(tzinfo=None)
