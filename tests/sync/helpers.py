"""Shared helpers of the outbox tests: issued records made directly in the store (triggers allow
inserting an issued row; they block only UPDATE/DELETE), receivers on 127.0.0.1, a flaky receiver.

The records made here carry a stand-in XML with no signature (the queue and protocol tests are about
delivery, not signatures), so `running()` gives its receiver a verifier that accepts them
(`UNSIGNED_OK`), unless a test passes `verifier=`: the signature check itself is tested with really
signed records (tests/sync/signed.py, test_receiver_hardening.py, the CLI and issuing tests)."""

from __future__ import annotations

import random
import threading
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import select

from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Enrolment, Record
from hocbaso_desktop.sync.outbox import enqueue_issued, enqueue_update
from hocbaso_desktop.sync.package import Package
from hocbaso_desktop.sync.payload_check import Refusal
from hocbaso_desktop.sync.receiver import PackageStore, ReceiverHandler, make_server

SIGNED = ("<?xml version='1.0' encoding='UTF-8'?>\n<hocbaso xmlns=\"urn:hocbaso:tieuhoc:1.0\">"
          "<thongtinhocba Id=\"HB-x\"><hoten>Lê Thị Ngọc Ánh</hoten></thongtinhocba><chukyso/></hocbaso>\n")


def signed_xml(enrolment_id: int, version: int) -> bytes:
    return SIGNED.replace("HB-x", f"HB-{enrolment_id}-v{version}").encode("utf-8")


def UNSIGNED_OK(_pkg: Package) -> Refusal | None:  # noqa: N802 - a constant-like stand-in
    return None


def _seal_day(xml: bytes) -> date:
    """The Vietnam date of the last XAdES SigningTime (the seal's) in a signed record."""
    import re

    times = re.findall(rb"SigningTime>([^<]+)<", xml)
    moment = datetime.fromisoformat(times[-1].decode().replace("Z", "+00:00"))
    return moment.astimezone(timezone(timedelta(hours=7))).date()


def issue(s, enrolment: Enrolment, version: int, *, now: float | None = None, xml_for=None,  # noqa: ANN001
          before_queue=None) -> Record:  # noqa: ANN001
    """Issue version `version` of an enrolment's record (replacing the previous one) and queue it,
    as the issuer and the correction workflow do: one session, the caller commits. `xml_for(s,
    enrolment_id)` gives the signed XML (default: the unsigned stand-in)."""
    when = datetime(2026, 5, 20, 10, 0, 0)
    if version > 1:
        prev = s.execute(select(Record).where(Record.enrolment_id == enrolment.id, Record.version == version - 1)).scalar_one()
        prev.status, prev.status_reason, prev.status_changed_at = "replaced", "sửa sai sót", when
    xml = signed_xml(enrolment.id, version) if xml_for is None else xml_for(s, enrolment.id)
    # the issue day is the seal's signing day (Vietnam time), which the receiver checks against a real signature
    issued_on = when.date() if xml_for is None else _seal_day(xml)
    rec = Record(enrolment_id=enrolment.id, student_id=enrolment.student_id, year_id=enrolment.year_id, version=version,
                 status="issued", content_xml=xml, signed_xml=xml, sha256="0" * 64, created_at=when, issued_at=when,
                 valid_from=issued_on, status_reason="")
    s.add(rec)
    s.flush()
    if before_queue is not None:  # the issuer signs the audit head before it queues (signing_service)
        before_queue()
    if version == 1:
        enqueue_issued(s, rec, now=now)
    else:
        enqueue_update(s, rec, now=now)
    return rec


def make_packages(store: Store, count: int, versions: int = 1, *, now: float | None = None, xml_for=None,  # noqa: ANN001
                  heads=None) -> int:  # noqa: ANN001
    """`count` packages: ceil(count / versions) enrolments × up to `versions` versions each.
    `heads(tx)` signs the audit head before each package is queued, as the issuer does (really
    signed records get the soft seal's head by default: tests/sync/signed.py sign_head)."""
    if heads is None and xml_for is not None:
        from .signed import sign_head

        heads = sign_head
    made = 0
    with store.transaction("system") as tx:
        enrols = tx.session.execute(select(Enrolment).order_by(Enrolment.id)).scalars().all()
        for e in enrols:
            for v in range(1, versions + 1):
                if made == count:
                    return made
                issue(tx.session, e, v, now=now, xml_for=xml_for,
                      before_queue=(lambda: heads(tx)) if heads else None)
                made += 1
    assert made == count, f"the demo school has too few enrolments for {count} packages"
    return made


SERVER_OPTIONS = ("read_timeout", "body_seconds", "max_connections")


class Receiver:
    def __init__(self, root: Path, handler: type[ReceiverHandler] = ReceiverHandler, **kw: object) -> None:
        server_kw = {k: kw.pop(k) for k in SERVER_OPTIONS if k in kw}
        kw.setdefault("verifier", UNSIGNED_OK)
        self.store = PackageStore(root, **kw)  # type: ignore[arg-type]
        self.server = make_server(self.store, 0, handler=handler, **server_kw)  # type: ignore[arg-type]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def stored_files(self) -> list[Path]:
        return sorted((self.store.root / "packages").rglob("v*.xml"))


@contextmanager
def running(root: Path, handler: type[ReceiverHandler] = ReceiverHandler, **kw: object) -> Iterator[Receiver]:
    r = Receiver(root, handler, **kw)
    r.thread.start()
    try:
        yield r
    finally:
        r.server.shutdown()
        r.server.server_close()


class FlakyHandler(ReceiverHandler):
    """Drops 20% of requests before processing, processes but loses the answer for 10%, answers 503
    with Retry-After for 10% (issue 8). `rng` is set per server class by the test."""

    rng = random.Random(8)
    lock = threading.Lock()
    stats = {"dropped": 0, "lost": 0, "busy": 0, "ok": 0}

    def do_POST(self) -> None:  # noqa: N802
        with self.lock:
            r = self.rng.random()
        refused, body = self.read_body()
        if refused is not None:
            self.send_json(refused)
            return
        self.close_connection = r < 0.3  # dropped or lost: the connection dies with no answer
        if r < 0.2:
            self.stats["dropped"] += 1
            return
        if r < 0.3:
            self.store.receive(self._headers(), body)
            self.stats["lost"] += 1
            return
        if r < 0.4:
            from hocbaso_desktop.sync.receiver import Response

            self.stats["busy"] += 1
            ra = "1" if r < 0.35 else "Thu, 01 Jan 1970 00:00:00 GMT"  # seconds, or an HTTP date already past
            self.send_json(Response(503, {"error": "bận"}, {"Retry-After": ra}))
            return
        self.stats["ok"] += 1
        self.send_json(self.store.receive(self._headers(), body))


class ScriptedHandler(ReceiverHandler):
    """Answers from `script` first (status, headers, body dict), then like the real receiver;
    `arrivals` records (record id, version, event) of every request that reached it, in order."""

    script: list = []
    arrivals: list = []

    def do_POST(self) -> None:  # noqa: N802
        from hocbaso_desktop.sync.receiver import Response

        refused, body = self.read_body()
        h = self._headers()
        self.arrivals.append((h.get("x-record-id"), int(h.get("x-record-version", "0")), h.get("x-event"),
                              h.get("authorization")))
        if refused is not None:
            self.send_json(refused)
        elif self.script:
            status, headers, payload = self.script.pop(0)
            self.send_json(Response(status, payload, headers))
        else:
            self.send_json(self.store.receive(h, body))


def scripted(*answers: tuple) -> type[ScriptedHandler]:
    return type("Scripted", (ScriptedHandler,), {"script": list(answers), "arrivals": []})
