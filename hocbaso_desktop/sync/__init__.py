"""The upload outbox: queue (in the store), backoff, transports, sender, reference receiver.

Qt-free. The issuer writes packages with `enqueue_issued` / `enqueue_update` / `enqueue_cancel`
inside its own transaction; `Sender` drains the queue; `receiver` is the reference server.
"""

from .outbox import OutboxError, enqueue_cancel, enqueue_issued, enqueue_update

__all__ = ["OutboxError", "enqueue_cancel", "enqueue_issued", "enqueue_update"]
