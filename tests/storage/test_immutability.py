"""An issued record cannot change: thousands of random UPDATE/DELETE (and INSERT) attempts on issued
rows — record, record_signature and the four evaluation tables — through the ORM, through SQL on the
store's engine and through a separate sqlite3 connection (someone with the file): 0 succeed, and
the issued rows are byte-identical afterwards. The same kind of changes on a record still being
signed do succeed (the test is not vacuous).

Not attempted, because they are the legal ways out (records.md, correction workflow): moving an
issued record to replaced/withdrawn, and opening it with an approved record_unlock.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
from datetime import date, datetime

import pytest
from sqlalchemy import select, text

from hocbaso_desktop.services import directory
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import (
    Enrolment,
    PeriodSummary,
    QualityEvaluation,
    Record,
    RecordSignature,
    SubjectEvaluation,
    YearResult,
)

ATTEMPTS = 3000
EVALUATIONS = {
    "subject_evaluation": (SubjectEvaluation, ["period", "subject_code", "level", "score", "comment", "enrolment_id"]),
    "quality_evaluation": (QualityEvaluation, ["period", "quality_code", "level", "comment", "enrolment_id"]),
    "period_summary": (PeriodSummary, ["period", "days_excused", "days_unexcused", "comment_pc", "teacher_comment", "enrolment_id"]),
    "year_result": (YearResult, ["confirmed_result", "awards", "pending_supplementary", "height_cm", "change_reason", "enrolment_id"]),
}
RECORD_COLUMNS = ["signed_xml", "content_xml", "sha256", "version", "enrolment_id", "student_id", "year_id", "issued_at",
                  "valid_from", "created_at", "replaces_id", "id", "status", "status_reason", "status_changed_at"]
SIGNATURE_COLUMNS = ["seq", "role", "staff_id", "signer_name", "cert_subject", "cert_serial", "signed_at", "record_id"]


def _value(rng: random.Random, column: str):
    if column in ("signed_xml", "content_xml"):
        return rng.choice([b"<x/>", b"", None])
    if column in ("issued_at", "created_at", "signed_at", "status_changed_at"):
        return datetime(2026, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))
    if column == "valid_from":
        return date(2027, 1, rng.randint(1, 28))
    if column == "status":
        return rng.choice(["draft", "signing", "issued2", ""])
    if column in ("version", "seq", "score", "days_excused", "days_unexcused", "student_id", "year_id", "staff_id",
                  "replaces_id", "id", "enrolment_id", "record_id"):
        return rng.randint(1, 10_000)
    if column == "height_cm":
        return rng.uniform(90, 150)
    if column == "pending_supplementary":
        return rng.choice([True, False])
    if column in ("level",):
        return rng.choice(["T", "H", "C", "Đ", None])
    return rng.choice(["sửa", "", "HTT", "CN", "x" * 50])


def _issue(store: Store, enrolment_ids: list[int], status: str = "issued") -> dict[int, int]:
    """Records made the way the signing service makes them (signing → signatures → issued)."""
    out = {}
    with store.transaction("system") as tx:
        s = tx.session
        for e_id in enrolment_ids:
            enrol = s.get(Enrolment, e_id)
            xml = f"<hocbaso e='{e_id}'/>".encode()
            rec = Record(enrolment_id=e_id, student_id=enrol.student_id, year_id=enrol.year_id, version=1,
                         status="signing", content_xml=xml, signed_xml=xml, created_at=datetime(2026, 5, 30, 8),
                         status_reason="")
            s.add(rec)
            s.flush()
            for seq, role in enumerate(("gvcn", "principal", "seal"), start=1):
                s.add(RecordSignature(record_id=rec.id, seq=seq, role=role, staff_id=1, signer_name="A",
                                      cert_subject="CN=A", cert_serial=f"{seq:x}", signed_at=datetime(2026, 5, 30, 9)))
            s.flush()
            if status == "issued":
                rec.status = "issued"
                rec.sha256 = hashlib.sha256(xml).hexdigest()
                rec.issued_at = datetime(2026, 5, 31, 9)
                rec.valid_from = date(2026, 5, 31)
            out[e_id] = rec.id
    return out


def _snapshot(store: Store, enrolment_ids: list[int]) -> str:
    """Every column of every row that belongs to those records, hashed."""
    h = hashlib.sha256()
    with store.engine.connect() as c:
        ids = ",".join(str(i) for i in enrolment_ids)
        for table in ["record", *EVALUATIONS]:
            for row in c.exec_driver_sql(f"SELECT * FROM {table} WHERE enrolment_id IN ({ids}) ORDER BY id"):
                h.update(repr(tuple(row)).encode())
        for row in c.exec_driver_sql(f"SELECT s.* FROM record_signature s JOIN record r ON r.id = s.record_id "
                                     f"WHERE r.enrolment_id IN ({ids}) ORDER BY s.id"):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _row_ids(store: Store, model, enrolment_ids: list[int]) -> list[int]:
    with store.read() as s:
        return list(s.execute(select(model.id).where(model.enrolment_id.in_(enrolment_ids))).scalars())


class Attempts:
    def __init__(self, store: Store, enrolments: list[int], records: dict[int, int], seed: int) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.enrolments = enrolments
        self.records = list(records.values())
        with store.read() as s:
            self.signatures = list(s.execute(select(RecordSignature.id).where(RecordSignature.record_id.in_(self.records))).scalars())
        self.rows = {t: _row_ids(store, m, enrolments) for t, (m, _cols) in EVALUATIONS.items()}

    def one(self) -> tuple[str, str, object]:
        """(path, sql, params) of one random attempt; path is orm | engine | sqlite3."""
        rng = self.rng
        path = rng.choice(["orm", "engine", "sqlite3"])
        target = rng.choice(["record", "record", "record_signature", *EVALUATIONS])
        op = rng.choice(["update", "update", "delete", "insert"] if target != "record" else ["update", "update", "delete"])
        if target == "record":
            rid = rng.choice(self.records)
            if op == "delete":
                return path, "DELETE FROM record WHERE id = :id", {"id": rid}
            col = rng.choice(RECORD_COLUMNS)
            return path, f"UPDATE record SET {col} = :v WHERE id = :id", {"v": _value(rng, col), "id": rid}
        if target == "record_signature":
            if op == "insert":
                return path, ("INSERT INTO record_signature (record_id, seq, role, signer_name, cert_subject, cert_serial, signed_at) "
                              "VALUES (:r, :seq, 'gvbm', 'X', 'CN=X', '1', '2026-06-01 00:00:00')"), \
                    {"r": rng.choice(self.records), "seq": rng.randint(4, 99)}
            sid = rng.choice(self.signatures)
            if op == "delete":
                return path, "DELETE FROM record_signature WHERE id = :id", {"id": sid}
            col = rng.choice(SIGNATURE_COLUMNS)
            return path, f"UPDATE record_signature SET {col} = :v WHERE id = :id", {"v": _value(rng, col), "id": sid}
        _model, cols = EVALUATIONS[target]
        if op == "insert":
            e = rng.choice(self.enrolments)
            if target == "year_result":  # one per enrolment: the insert would fail anyway; use another period row
                return path, "INSERT INTO period_summary (enrolment_id, period, comment_pc, comment_nlc, comment_nld, teacher_comment) " \
                             "VALUES (:e, 'GK9', '', '', '', '')", {"e": e}
            if target == "subject_evaluation":
                return path, "INSERT INTO subject_evaluation (enrolment_id, period, subject_code, comment) VALUES (:e, 'GK9', 'ZZ', '')", {"e": e}
            if target == "quality_evaluation":
                return path, "INSERT INTO quality_evaluation (enrolment_id, period, quality_code, comment) VALUES (:e, 'GK9', 'ZZ', '')", {"e": e}
            return path, "INSERT INTO period_summary (enrolment_id, period, comment_pc, comment_nlc, comment_nld, teacher_comment) " \
                         "VALUES (:e, 'GK9', '', '', '', '')", {"e": e}
        rid = rng.choice(self.rows[target])
        if op == "delete":
            return path, f"DELETE FROM {target} WHERE id = :id", {"id": rid}
        col = rng.choice(cols)
        return path, f"UPDATE {target} SET {col} = :v WHERE id = :id", {"v": _value(rng, col), "id": rid}

    def run(self, path: str, sql: str, params: dict) -> bool | None:
        """True when the change went through (a row was affected), None when nothing was attempted."""
        if sql.startswith("UPDATE") and self._unchanged(sql, params):
            return None  # same value: SQLite runs no trigger and nothing changes; not an attempt
        try:
            if path == "sqlite3":
                con = sqlite3.connect(self.store.path, timeout=10)
                try:
                    p = {k: (v.isoformat(" ") if isinstance(v, datetime) else v.isoformat() if isinstance(v, date) else v)
                         for k, v in params.items()}
                    cur = con.execute(sql, p)
                    con.commit()
                    return cur.rowcount > 0
                finally:
                    con.close()
            if path == "engine":
                with self.store.engine.begin() as c:
                    return c.execute(text(sql), params).rowcount > 0
            return self._orm(sql, params)
        except (sqlite3.DatabaseError, Exception) as e:  # noqa: BLE001
            msg = str(e)
            assert "immutable" in msg or "UNIQUE" in msg or "FOREIGN KEY" in msg or "NOT NULL" in msg, msg
            return False

    def _unchanged(self, sql: str, params: dict) -> bool:
        words = sql.split()
        con = sqlite3.connect(self.store.path, timeout=10)
        try:
            row = con.execute(f"SELECT {words[3]} FROM {words[1]} WHERE id = ?", (params["id"],)).fetchone()
        finally:
            con.close()
        if row is None:
            return True  # the row is gone (deleted by an earlier attempt on a record being signed)
        new = params["v"]
        new = new.isoformat(" ") if isinstance(new, datetime) else new.isoformat() if isinstance(new, date) else new
        return row[0] == new or (isinstance(new, bool) and row[0] == int(new))

    def _orm(self, sql: str, params: dict) -> bool | None:
        """The same change through the ORM: load the object, set the attribute (or delete it), flush."""
        words = sql.split()
        with self.store.transaction("intruder") as tx:
            s = tx.session
            if words[0] == "INSERT":
                s.execute(text(sql), params)  # inserts through the session's SQL path
                return True
            table = words[1] if words[0] == "UPDATE" else words[2]
            model = {"record": Record, "record_signature": RecordSignature,
                     **{t: m for t, (m, _c) in EVALUATIONS.items()}}[table]
            obj = s.get(model, params["id"])
            if obj is None:
                return None
            if words[0] == "DELETE":
                s.delete(obj)
            elif getattr(obj, words[3]) == params["v"]:
                return None  # the ORM would send nothing: not an attempt
            else:
                setattr(obj, words[3], params["v"])
            s.flush()
            return True


@pytest.mark.parametrize("seed", [1, 2])  # 2 × 3,000 attempts
def test_issued_records_refuse_every_change(demo_store: Store, seed: int) -> None:
    enrolments = [r.enrolment_id for r in directory.students(demo_store, "1A")][:12]
    records = _issue(demo_store, enrolments)
    before = _snapshot(demo_store, enrolments)
    attempts = Attempts(demo_store, enrolments, records, seed)
    succeeded = []
    paths = {"orm": 0, "engine": 0, "sqlite3": 0}
    while sum(paths.values()) < ATTEMPTS:
        path, sql, params = attempts.one()
        result = attempts.run(path, sql, params)
        if result is None:
            continue
        paths[path] += 1
        if result:
            succeeded.append((path, sql, params))
    assert succeeded == []
    assert min(paths.values()) > ATTEMPTS // 5
    assert _snapshot(demo_store, enrolments) == before


def test_records_being_signed_still_change(demo_store: Store) -> None:
    """Control: the very same attempts on records not yet issued mostly go through."""
    enrolments = [r.enrolment_id for r in directory.students(demo_store, "1B")][:6]
    records = _issue(demo_store, enrolments, status="signing")
    attempts = Attempts(demo_store, enrolments, records, 7)
    ok = sum(bool(attempts.run(*attempts.one())) for _ in range(200))
    assert ok > 100


def test_issued_record_may_only_move_to_replaced_or_withdrawn(demo_store: Store) -> None:
    (e,) = [r.enrolment_id for r in directory.students(demo_store, "2A")][:1]
    rid = _issue(demo_store, [e])[e]
    demo_store.execute_raw(f"UPDATE record SET status = 'withdrawn', status_reason = 'thu hồi theo quyết định', "
                           f"status_changed_at = '2026-07-01 08:00:00' WHERE id = {rid}")
    with pytest.raises(Exception, match="immutable"):
        demo_store.execute_raw(f"UPDATE record SET status = 'issued' WHERE id = {rid}")
    with pytest.raises(Exception, match="immutable"):
        demo_store.execute_raw(f"UPDATE record SET status_reason = 'khác' WHERE id = {rid}")
