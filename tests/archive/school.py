"""A small school with issued records, for archive tests: the demo school trimmed to three classes of
three students, signed GVCN → principal → seal with the shared SoftHSM2 school token through the real
signing service; then one record corrected (v1 replaced by v2, signed directly with signing.sign_record,
since the correction workflow has not landed) and one withdrawn (the student left)."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select

from hocbaso_desktop.services import directory
from hocbaso_desktop.services.signing_plan import content_xml, local_now, plan_signing, sha256_hex
from hocbaso_desktop.services.signing_service import SigningRun, choose_certificate, school_name
from hocbaso_desktop.signing import ScriptedPinPrompt, sign_record
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import Enrolment, Record, RecordSignature
from tests.school_token import PIN, SchoolToken

KEEP_CLASSES = ("1A", "3A", "5A")
PER_CLASS = 3
YEAR = "2025-2026"


def trim(store: Store) -> None:
    """Keep KEEP_CLASSES with PER_CLASS students each (plus every CHT student of those classes)."""
    with store.read() as s:
        rows = s.execute(select(Enrolment.id, Enrolment.class_id, Enrolment.student_id)).all()
    keep_cls = {directory.find_class(store, c).id for c in KEEP_CLASSES}
    with store.engine.begin() as c:
        cht = {r[0] for r in c.exec_driver_sql("SELECT enrolment_id FROM year_result WHERE pending_supplementary = 1")}
    kept: dict[int, int] = {}
    keep_enrol, keep_students = set(), set()
    for eid, cid, sid in sorted(rows):
        if cid in keep_cls and (kept.get(cid, 0) < PER_CLASS or eid in cht):
            kept[cid] = kept.get(cid, 0) + 1
            keep_enrol.add(eid)
            keep_students.add(sid)
    drop = ",".join(str(e) for _e, *_ in rows for e in [_e] if e not in keep_enrol) or "0"
    cls = ",".join(str(c) for c in keep_cls)
    with store.engine.begin() as c:
        for t in ("subject_evaluation", "quality_evaluation", "period_summary", "year_result"):
            c.exec_driver_sql(f"DELETE FROM {t} WHERE enrolment_id IN ({drop})")
        c.exec_driver_sql(f"DELETE FROM enrolment WHERE id IN ({drop})")
        c.exec_driver_sql("DELETE FROM student WHERE id NOT IN (SELECT student_id FROM enrolment)")
        c.exec_driver_sql(f"DELETE FROM teaching_assignment WHERE class_id NOT IN ({cls})")
        c.exec_driver_sql(f"DELETE FROM school_class WHERE id NOT IN ({cls})")


def _sign(store: Store, token: SchoolToken, code: str, classes: list[str], seal: bool = False) -> None:
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [directory.find_class(store, c).id for c in classes], seal=seal)
    if not plan.items:
        return
    choice = choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN))
    for _ in run:
        pass
    assert not run.failed, [o.message for o in run.failed]


def issue_all(store: Store, token: SchoolToken) -> None:
    for c in KEEP_CLASSES:
        _sign(store, token, directory.find_class(store, c).homeroom_code, [c])
    _sign(store, token, "HT", list(KEEP_CLASSES))
    _sign(store, token, "VP01", list(KEEP_CLASSES), seal=True)


def _sign_xml(token: SchoolToken, xml: bytes, staff_code: str, role: str) -> bytes:
    ident = next(i for i in token.info.identities if i.staff_code == staff_code)
    with token.provider.open_session(token.info.label, prompt=ScriptedPinPrompt(lambda: PIN)) as s:
        cert = next(c for c in s.signing_certificates() if c.cert_id == ident.cert_id)
        return sign_record(xml, s.signing_key(cert), s.chain_for(cert.certificate()), role,
                           datetime.now(timezone.utc).replace(microsecond=0))


def correct_and_withdraw(store: Store, token: SchoolToken) -> tuple[int, int]:
    """v1 → replaced by an issued v2 for one student of 1A; another student of 1A withdrawn (left)."""
    info = directory.find_class(store, "1A")
    with store.read() as s:
        recs = list(s.execute(select(Record).join(Enrolment, Record.enrolment_id == Enrolment.id)
                              .where(Enrolment.class_id == info.id, Record.status == "issued")
                              .order_by(Record.id)).scalars())
        s.expunge_all()
    fixed, gone = recs[0], recs[1]
    now = local_now()
    with store.transaction("system") as tx:
        s = tx.session
        v2 = Record(enrolment_id=fixed.enrolment_id, student_id=fixed.student_id, year_id=fixed.year_id, version=2,
                    status="signing", created_at=now, status_reason="", replaces_id=fixed.id)
        xml = content_xml(s, fixed.enrolment_id, v2, None)
        v2.content_xml = xml
        signed = xml
        for seq, (code, role) in enumerate([(info.homeroom_code, "gvcn"), ("HT", "principal"), ("CONDAU", "seal")], 1):
            signed = _sign_xml(token, signed, code, role)
        v2.signed_xml = signed
        s.add(v2)
        s.flush()
        for seq, role in enumerate(("gvcn", "principal", "seal"), 1):
            s.add(RecordSignature(record_id=v2.id, seq=seq, role=role, signer_name=role, cert_subject="", cert_serial="",
                                  signed_at=now))
        s.flush()
        v2.status, v2.sha256, v2.issued_at, v2.valid_from = "issued", sha256_hex(signed), now, now.date()
        old = s.get(Record, fixed.id)
        old.status, old.status_reason, old.status_changed_at = "replaced", "đính chính: sai ngày sinh", now
        w = s.get(Record, gone.id)
        w.status, w.status_reason, w.status_changed_at = "withdrawn", "học sinh chuyển trường", now
        s.get(Enrolment, gone.enrolment_id).status = "transferred_out"
        tx.audit("test.correction", "record", v2.id, {"replaces": fixed.id, "withdrawn": gone.id})
        return v2.id, gone.id


def build_small_school(template: Path, dest: Path, token: SchoolToken) -> Path:
    shutil.copyfile(template, dest)
    anchor = Path(str(template) + ".audit-head")
    if anchor.exists():
        shutil.copyfile(anchor, Path(str(dest) + ".audit-head"))
    with Store.open(dest) as store:
        trim(store)
        token.attach(store)
        issue_all(store, token)
        correct_and_withdraw(store, token)
    return dest
