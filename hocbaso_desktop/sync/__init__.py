"""The upload outbox: queue (in the store), backoff, transports, sender, reference receiver.

Qt-free. The issuer writes packages with `enqueue_issued` / `enqueue_update` / `enqueue_cancel`
inside its own transaction; `Sender` drains the queue; `receiver` is the reference server.

The outbox names load `outbox.py` when first asked for (PEP 562): it pulls in the signed audit
heads (cryptography) and the package format (lxml), which the queue's status in the first window and
the deadline settings do not need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .outbox import OutboxError, enqueue_cancel, enqueue_issued, enqueue_update

__all__ = ["OutboxError", "enqueue_cancel", "enqueue_issued", "enqueue_update"]


def __getattr__(name: str) -> Any:
    if name not in __all__:  # `from hocbaso_desktop.sync import queue` then imports the submodule
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(".outbox", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
