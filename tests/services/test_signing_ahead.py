"""The batch signs one record ahead while the previous one is stored (issue 19): what a class gets is
still what an independent verifier accepts, each stored signature row has its own signature's
time, and a certificate other than the one checked (another person's, a teacher's in place of the
principal's) signs nothing."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from hocbaso_desktop.services import directory
from hocbaso_desktop.services.certificates import CertificateNotRegistered
from hocbaso_desktop.services.signing_plan import VN_TZ, plan_signing
from hocbaso_desktop.services.signing_service import CertificateChoice, SigningRun, choose_certificate, school_name
from hocbaso_desktop.signing import ScriptedPinPrompt
from hocbaso_desktop.signing.record_shape import DS_NS, NS, XADES_NS
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Record, RecordSignature
from tests.school_token import PIN, SchoolToken, school_token
from tests.tools import require_tool


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture
def store(demo_store: Store, token: SchoolToken) -> Store:
    token.attach(demo_store)
    return demo_store


def _run(store: Store, token: SchoolToken, code: str, class_id: int, role: str,
         choice: CertificateChoice | None = None) -> SigningRun:
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [class_id], role)
    assert plan.items
    choice = choice or choose_certificate(token.provider, token.info.label, plan.role, actor.name, school_name(store))
    run = SigningRun(store, plan, token.provider, choice, ScriptedPinPrompt(lambda: PIN))
    for _ in run:
        pass
    return run


def _state(store: Store) -> tuple[int, int, int]:
    with store.read() as s:
        return (s.execute(select(func.count()).select_from(RecordSignature)).scalar() or 0,
                s.execute(select(func.max(AuditEntry.id))).scalar() or 0,
                s.execute(select(func.count()).select_from(Record).where(Record.status == "issued")).scalar() or 0)


def test_a_signed_class_verifies_with_xmlsec1_and_each_row_has_its_own_time(store: Store, token: SchoolToken,
                                                                             tmp_path: Path) -> None:
    xmlsec1 = require_tool("xmlsec1")
    cls = directory.find_class(store, "1A")
    for code, role in ((cls.homeroom_code, "gvcn"), ("HT", "principal"), ("HT", "seal")):
        run = _run(store, token, code, cls.id, role)
        assert len(run.signed) == cls.student_count and not run.failed
    with store.read() as s:
        recs = list(s.execute(select(Record.id, Record.signed_xml).where(Record.status == "issued")).all())
        rows = {(r.record_id, r.seq): r.signed_at for r in s.execute(select(RecordSignature)).scalars()}
    assert len(recs) == cls.student_count
    trust = token.trust_dir
    for rec in recs:
        path = tmp_path / f"{rec[0]}.xml"
        path.write_bytes(rec[1])
        sigs = etree.fromstring(rec[1]).findall(f".//{{{DS_NS}}}Signature")
        assert len(sigs) == 3
        for seq, sig in enumerate(sigs, start=1):
            proc = subprocess.run(
                [xmlsec1, "--verify", "--id-attr:Id", f"{NS}:thongtinhocba",
                 "--id-attr:Id", f"{XADES_NS}:SignedProperties", "--id-attr:Id", f"{DS_NS}:KeyInfo",
                 "--id-attr:Id", f"{DS_NS}:Signature", "--node-id", sig.get("Id"),
                 "--trusted-pem", str(trust / "demo-hocbaso-root-ca.pem"),
                 "--untrusted-pem", str(trust / "demo-hocbaso-intermediate-ca.pem"), str(path)],
                capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, proc.stderr
            # The row says when THIS signature was made (the batch signs ahead: not the next one's time)
            signed = datetime.fromisoformat(sig.findtext(f".//{{{XADES_NS}}}SigningTime"))
            assert rows[(rec[0], seq)] == signed.astimezone(VN_TZ).replace(tzinfo=None)
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes(recs[0][1].replace(b"<ds:DigestValue>", b"<ds:DigestValue>A", 1))
    proc = subprocess.run([xmlsec1, "--verify", "--id-attr:Id", f"{NS}:thongtinhocba", "--trusted-pem",
                           str(trust / "demo-hocbaso-root-ca.pem"), str(tampered)], capture_output=True, timeout=120)
    assert proc.returncode != 0


def test_another_certificate_than_the_one_checked_signs_nothing(store: Store, token: SchoolToken) -> None:
    """Hostile: the choice carries the principal's checked certificate but the token is asked for a
    teacher's key (a stale or forged cert id); and a teacher's certificate offered for the principal."""
    cls = directory.find_class(store, "1A")
    _run(store, token, cls.homeroom_code, cls.id, "gvcn")
    school = school_name(store)
    ht = directory.actor(store, "HT")
    principal = choose_certificate(token.provider, token.info.label, "principal", ht.name, school)
    teacher = choose_certificate(token.provider, token.info.label, "gvcn", cls.homeroom_name, school)
    assert teacher.certificate.der != principal.certificate.der
    before = _state(store)

    swapped = CertificateChoice(principal.token, replace(principal.certificate, cert_id=teacher.certificate.cert_id), ())
    with pytest.raises(CertificateNotRegistered, match="khác chứng thư đã kiểm tra"):
        _run(store, token, "HT", cls.id, "principal", swapped)
    assert _state(store)[0] == before[0] and _state(store)[2] == 0

    with pytest.raises(CertificateNotRegistered):  # the GVCN's certificate for the principal's signature
        _run(store, token, "HT", cls.id, "principal", teacher)
    after = _state(store)
    assert after[0] == before[0] and after[2] == 0
    with store.read() as s:
        assert set(s.execute(select(RecordSignature.role)).scalars()) == {"gvcn"}
