"""The token lane: one dedicated thread that makes every PKCS#11 call.

python-pkcs11 initialises the module without thread guarantees and many vendor middlewares are not
thread-safe (gotcha 5), so exactly one thread talks to the token. Callers submit callables and get
futures; the C calls release the GIL, so the GUI thread stays responsive while the token works.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any, Callable, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_STOP = object()


class TokenLane:
    def __init__(self, name: str = "hocbaso-token") -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False
        self._closed = False
        self._lock = threading.Lock()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            future, fn, args, kwargs = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as e:  # handed to the caller, never swallowed
                future.set_exception(e)
            else:
                future.set_result(result)

    def on_lane(self) -> bool:
        return threading.current_thread() is self._thread

    def submit(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Future[T]:
        with self._lock:
            if self._closed:
                raise RuntimeError("token lane is closed")
            if not self._started:
                self._thread.start()
                self._started = True
        future: Future[T] = Future()
        self._queue.put((future, fn, args, kwargs))
        return future

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn` on the lane and wait. Called from the lane itself, run inline (no self-deadlock)."""
        if self.on_lane():
            return fn(*args, **kwargs)
        return self.submit(fn, *args, **kwargs).result()

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            started = self._started
        if started:
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def __enter__(self) -> "TokenLane":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_default_lane: TokenLane | None = None
_default_lock = threading.Lock()


def default_lane() -> TokenLane:
    """The process's token lane. PKCS#11 modules are process-wide, so their one thread is too."""
    global _default_lane
    with _default_lock:
        if _default_lane is None:
            _default_lane = TokenLane()
        return _default_lane
