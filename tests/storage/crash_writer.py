"""A writer that commits forever, printing each acknowledged commit; the crash test kills it with -9."""

from __future__ import annotations

import sys

from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Setting


def main(path: str, start: int) -> None:
    store = Store.open(path)
    n = start
    while True:
        with store.transaction("system") as tx:
            # Several rows and an audit entry per transaction: a kill can land between any of them.
            tx.session.add(Setting(key=f"crash-{n}", value="x" * (n % 97)))
            tx.session.add(Setting(key=f"crash-{n}-b", value=str(n)))
            tx.audit("crash.write", "setting", n, {"n": n})
        sys.stdout.write(f"{n}\n")
        sys.stdout.flush()  # only now is the commit "acknowledged"
        n += 1


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
