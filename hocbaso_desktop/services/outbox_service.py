"""Use cases of the upload outbox for the CLI and the GUI: status, send, retry, export, the queue per
class, settings (endpoint, token variable, deadlines) and the deadline report.

Returns frozen snapshots only (architecture.md: snapshots cross threads, not live rows).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..domain.errors import HocbasoError, InvalidValue
from ..fileio import write_atomic
from ..storage.engine import Store
from ..storage.models import School, Setting
from ..sync import deadlines as dl
from ..sync import queue
from ..sync.backoff import Backoff, Clock
from ..sync.sender import Sender, SendReport
from ..sync.transport import FolderTransport, SendRequest, Transport, make_transport, package_file_name
from . import directory
from .settings import read as read_setting

ENDPOINT = "outbox.endpoint"  # http(s)://… of the receiver, or a folder for hand upload
TOKEN_ENV = "outbox.token_env"  # the NAME of an environment variable holding the bearer token (never the token)
DEADLINES = "outbox.deadlines"  # JSON rules overriding the seeds' defaults (sync/deadlines.py)
WARN_DAYS = "outbox.warn_days"
KEYS = (ENDPOINT, TOKEN_ENV, DEADLINES, WARN_DAYS)
STATE_TITLES = {"pending": "chờ gửi", "sending": "đang gửi", "sent": "đã gửi", "failed": "bị từ chối",
                "superseded": "đã có bản mới hơn"}
EVENT_TITLES = {"NEW": "mới", "UPDATE": "thay thế", "CANCEL": "thu hồi"}


class OutboxConfigError(HocbasoError):
    exit_code = 2


# ---- settings ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutboxSettings:
    endpoint: str | None
    token_env: str | None
    rules: tuple[dl.DeadlineRule, ...]  # overrides only; the defaults come from sync/deadlines.py
    warn_days: int


def settings_in(s: Session) -> OutboxSettings:
    try:
        rules = tuple(dl.rules_from_json(read_setting(s, DEADLINES)))
    except (ValueError, KeyError, TypeError):
        rules = ()  # a damaged override must not hide the defaults' warnings
    try:
        warn = int(read_setting(s, WARN_DAYS) or dl.WARN_DAYS)
    except ValueError:
        warn = dl.WARN_DAYS
    return OutboxSettings(read_setting(s, ENDPOINT) or None, read_setting(s, TOKEN_ENV) or None, rules, warn)


def outbox_settings(store: Store) -> OutboxSettings:
    with store.read() as s:
        return settings_in(s)


def _validate(key: str, value: str) -> None:
    if key == ENDPOINT and not value.startswith(("http://", "https://", "file://", "/")) and "://" in value:
        raise InvalidValue("địa chỉ gửi", value, "phải là http://, https:// hoặc một thư mục")
    if key == TOKEN_ENV and not value.replace("_", "").isalnum():
        raise InvalidValue("biến môi trường chứa mã truy cập", value, "chỉ gồm chữ, số và dấu _ (tên biến, không phải mã)")
    if key == DEADLINES:
        try:
            dl.rules_from_json(value)
        except (ValueError, KeyError, TypeError) as e:
            raise InvalidValue("hạn gửi", value[:80], f"không đọc được ({e})") from None
    if key == WARN_DAYS and not (value.isdigit() and 0 < int(value) <= 120):
        raise InvalidValue("số ngày cảnh báo", value, "từ 1 đến 120")


def set_settings(store: Store, actor: str, values: dict[str, str | None]) -> int:
    """One audited transaction; the shared settings service knows only its own keys, so these are
    written here with the same audit action."""
    changed = 0
    with store.transaction(actor) as tx:
        for key, value in values.items():
            if key not in KEYS:
                raise InvalidValue("cài đặt", key, "không có cài đặt này")
            if value is not None:
                _validate(key, value)
            row = tx.session.get(Setting, key)
            old = row.value if row is not None else None
            if old == value:
                continue
            if value is None:
                tx.session.delete(row)
            elif row is None:
                tx.session.add(Setting(key=key, value=value))
            else:
                row.value = value
            tx.audit("setting.set", "setting", key, {"old": old, "new": value})
            changed += 1
    return changed


# ---- status, send, retry, export ----------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    counts: dict[str, int]  # pending (incl. in flight), sent, failed, superseded
    last_error: str
    next_due_at: float | None

    @property
    def pending(self) -> int:
        return self.counts["pending"]

    @property
    def failed(self) -> int:
        return self.counts["failed"]


def status(store: Store) -> Status:
    with store.read() as s:
        return Status(queue.counts(s), queue.last_error(s), queue.next_due_at(s))


def exit_code(st: Status) -> int:
    """CLI contract: 1 when some failed (the user must act), 3 when some remain pending, else 0."""
    if st.failed:
        return 1
    if st.pending:
        return 3
    return 0


def transport_for(store: Store, endpoint: str | None = None, token_env: str | None = None) -> Transport:
    cfg = outbox_settings(store)
    endpoint = endpoint or cfg.endpoint
    if not endpoint:
        raise OutboxConfigError("chưa cài đặt địa chỉ gửi (Cài đặt › Gửi CSDL › Địa chỉ máy nhận, hoặc lệnh «hocbaso outbox send --endpoint URL»)")
    env = token_env or cfg.token_env
    token = None
    if env:
        token = os.environ.get(env)
        if not token:
            raise OutboxConfigError(f"biến môi trường {env} (mã truy cập) chưa được đặt")
    try:
        return make_transport(endpoint, token)
    except ValueError as e:
        raise OutboxConfigError(str(e)) from None


def send_due(store: Store, transport: Transport, *, clock: Clock | None = None, backoff: Backoff | None = None,
             cancel: Callable[[], bool] | None = None, progress: Callable[[SendRequest, object], None] | None = None,
             max_requests: int | None = None, actor: str = "system", max_seconds: float | None = None) -> SendReport:
    """`max_seconds`: the run's time limit (None: none; each request is still bounded by the transport)."""
    if max_seconds is not None and not max_seconds > 0:
        raise InvalidValue("thời gian gửi tối đa", str(max_seconds), "phải là số giây dương")
    sender = Sender(store, transport, clock=clock, backoff=backoff, actor=actor)
    return sender.run(cancel=cancel, progress=progress, max_requests=max_requests, max_seconds=max_seconds)


def retry_failed(store: Store, actor: str = "system", entry_ids: list[int] | None = None, *, now: float | None = None) -> int:
    with store.transaction(actor) as tx:
        ids = queue.retry_failed(tx.session, time.time() if now is None else now, entry_ids)
        if ids:
            tx.audit("outbox.retry", "outbox", "failed", {"entries": ids})
    return len(ids)


def export_packages(store: Store, folder: str | os.PathLike[str], actor: str = "system",
                    *, states: tuple[str, ...] = ("pending", "sending", "failed")) -> list[Path]:
    """Packages not yet acknowledged, as files for the web portal, plus manifest.tsv; states unchanged
    (a file on a USB stick is no receipt)."""
    out = FolderTransport(folder)
    problem = out.probe()
    if problem is not None:
        raise OutboxConfigError(problem.message)
    marks = ",".join(f"'{s}'" for s in states if s in STATE_TITLES)
    with store.read() as s:
        rows = s.execute(text(f"""SELECT id, envelope_id, version, event, idempotency_key, package, state
                                 FROM outbox WHERE state IN ({marks}) ORDER BY envelope_id, version""")).all()
    written: list[Path] = []
    lines = ["tep\tmahocba\tphienban\tsukien\tkhoaluydang\ttrangthai"]
    for r in rows:
        req = SendRequest(r.id, r.envelope_id, r.version, r.event, r.idempotency_key, bytes(r.package))
        res = out.send(req, time.time())
        if res.kind != "acked":
            raise OutboxConfigError(res.message)
        name = package_file_name(req)
        written.append(out.folder / name)
        lines.append(f"{name}\t{r.envelope_id}\t{r.version}\t{r.event}\t{r.idempotency_key}\t{r.state}")
    write_atomic(out.folder / "manifest.tsv", ("\n".join(lines) + "\n").encode("utf-8"))
    with store.transaction(actor) as tx:
        tx.audit("outbox.export", "outbox", "export", {"folder": str(out.folder), "files": len(written)})
    return written


# ---- the queue per class -------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueRow:
    entry_id: int
    class_id: int
    class_name: str
    student_name: str
    event: str
    version: int
    state: str
    attempts: int
    next_try_at: float | None
    receipt: str
    last_error: str
    sent_at: datetime | None

    @property
    def state_title(self) -> str:
        return STATE_TITLES.get(self.state, self.state)


def queue_rows(store: Store, class_id: int | None = None) -> list[QueueRow]:
    sql = """SELECT o.id, c.id AS class_id, c.name AS class_name, st.full_name, o.event, o.version, o.state, o.attempts,
                    o.next_try_at, coalesce(o.receipt, '') AS receipt, o.last_error, o.sent_at
             FROM outbox o JOIN record r ON r.id = o.record_id JOIN enrolment e ON e.id = r.enrolment_id
             JOIN school_class c ON c.id = e.class_id JOIN student st ON st.id = r.student_id
             {where} ORDER BY c.grade, c.name, st.full_name, o.version"""
    with store.read() as s:
        rows = s.execute(text(sql.format(where="WHERE c.id = :cid" if class_id is not None else "")),
                         {"cid": class_id}).all()
    out = []
    for r in rows:
        sent_at = datetime.fromisoformat(r.sent_at) if isinstance(r.sent_at, str) else r.sent_at
        out.append(QueueRow(r.id, r.class_id, r.class_name, r.full_name, r.event, r.version, r.state, r.attempts,
                            r.next_try_at if r.state == "pending" else None, r.receipt, r.last_error, sent_at))
    return out


# ---- deadlines -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClassDeadline:
    class_id: int
    class_name: str
    grade: int
    students: int
    not_issued: int  # no issued record yet: nothing to send, but the deadline counts them too
    unsent: int  # issued, not yet acknowledged by the receiver
    sent: int
    main_due: date | None
    final_due: date | None
    warning: dl.Warning

    @property
    def remaining(self) -> int:
        return self.not_issued + self.unsent


def deadline_report(store: Store, year: str | None = None, today: date | None = None) -> list[ClassDeadline]:
    today = today or date.today()
    classes = directory.classes(store, year)
    if not classes:
        return []
    with store.read() as s:
        cfg = settings_in(s)
        school = s.query(School).order_by(School.id).first()
        province = school.province if school else ""
        year_id = classes[0].year_id
        enrol = s.execute(text("""SELECT e.id, e.class_id FROM enrolment e WHERE e.year_id = :y AND e.status = 'active'"""),
                          {"y": year_id}).all()
        issued = {r[0] for r in s.execute(text("""SELECT DISTINCT enrolment_id FROM record
                  WHERE year_id = :y AND status IN ('issued', 'replaced', 'withdrawn')"""), {"y": year_id})}
        # acknowledged: has entries and every one of them is sent or superseded
        acked = {r[0] for r in s.execute(text("""SELECT r.enrolment_id FROM outbox o JOIN record r ON r.id = o.record_id
                  WHERE r.year_id = :y GROUP BY r.enrolment_id
                  HAVING sum(o.state NOT IN ('sent', 'superseded')) = 0"""), {"y": year_id})}
    rules = list(dl.DEFAULT_RULES) + list(cfg.rules)
    per_class: dict[int, list[int]] = {}
    for eid, cid in enrol:
        per_class.setdefault(cid, []).append(eid)
    out = []
    for c in classes:
        eids = per_class.get(c.id, [])
        not_issued = sum(1 for e in eids if e not in issued)
        sent = sum(1 for e in eids if e in issued and e in acked)
        unsent = len(eids) - not_issued - sent
        main = dl.resolve(rules, province, c.year, c.grade, dl.MAIN)
        final = dl.resolve(rules, province, c.year, c.grade, dl.FINAL)
        main_d, final_d = (main[0] if main else None), (final[0] if final else None)
        warning = dl.warning_for(not_issued + unsent, main_d, final_d, today, cfg.warn_days)
        out.append(ClassDeadline(c.id, c.name, c.grade, len(eids), not_issued, unsent, sent, main_d, final_d, warning))
    return out
