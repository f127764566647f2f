"""Registered certificates (issue 15): signing with a certificate not registered to the signer (or to
the school, for the seal) is refused before the PIN, not warned about; the first use by its holder
registers it (audited); the admin team registers a certificate by file or fingerprint."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select

from hocbaso_desktop.domain.errors import HocbasoError, PermissionDenied
from hocbaso_desktop.services import certificates, directory
from hocbaso_desktop.services.certificates import CertificateNotRegistered
from hocbaso_desktop.services.signing_plan import plan_signing
from hocbaso_desktop.services.signing_service import CertificateChoice, SigningRun, choose_certificate, school_name
from hocbaso_desktop.signing import ScriptedPinPrompt
from hocbaso_desktop.storage.engine import Store
from hocbaso_desktop.storage.models import AuditEntry, Record, RecordSignature
from tests.school_token import PIN, SchoolToken, school_token


class NoPin(ScriptedPinPrompt):
    """Fails the test if the PIN is ever asked: a refusal must come before the token login."""

    def __init__(self) -> None:
        super().__init__(lambda: pytest.fail("PIN asked for a refused certificate"))


@pytest.fixture
def token(demo_template: Path) -> SchoolToken:
    return school_token(demo_template)


@pytest.fixture
def store(demo_store: Store, token: SchoolToken) -> Store:
    token.attach(demo_store)
    return demo_store


def _choice(store: Store, token: SchoolToken, holder: str, role: str = "gvcn") -> CertificateChoice:
    return choose_certificate(token.provider, token.info.label, role, holder, school_name(store))


def _run(store: Store, token: SchoolToken, code: str, choice: CertificateChoice | None = None, *, seal: bool = False,
         prompt: ScriptedPinPrompt | None = None) -> SigningRun:
    actor = directory.actor(store, code)
    plan = plan_signing(store, actor, [directory.find_class(store, "1A").id], seal=seal)
    assert plan.items
    choice = choice or _choice(store, token, actor.name, plan.role)
    run = SigningRun(store, plan, token.provider, choice, prompt or ScriptedPinPrompt(lambda: PIN))
    list(run)
    return run


def _signature_roles(store: Store) -> list[str]:
    with store.read() as s:
        return list(s.execute(select(RecordSignature.role)).scalars())


def _pem(choice: CertificateChoice, tmp_path: Path) -> Path:
    path = tmp_path / f"{choice.certificate.serial_hex}.pem"
    path.write_bytes(x509.load_der_x509_certificate(choice.certificate.der).public_bytes(Encoding.PEM))
    return path


def test_first_use_by_the_holder_registers_it_audited(store: Store, token: SchoolToken) -> None:
    run = _run(store, token, "GV001")
    assert run.signed and not run.failed
    regs = certificates.list_registrations(store)
    assert [(r.staff_code, r.method, r.registered_by, r.seal) for r in regs] == [("GV001", "first_use", "GV001", False)]
    assert regs[0].common_name == directory.actor(store, "GV001").name
    with store.read() as s:
        entries = s.execute(select(AuditEntry.actor).where(AuditEntry.action == "certificate.register")).scalars().all()
    assert entries == ["GV001"]
    _run(store, token, "HT")
    _run(store, token, "VP01", seal=True)  # the seal: the school's organisation certificate, first use
    assert [r.seal for r in certificates.list_registrations(store)] == [True, False, False]
    with store.read() as s:
        assert {r.status for r in s.execute(select(Record)).scalars()} == {"issued"}


def test_principal_role_with_a_teachers_certificate_is_refused(store: Store, token: SchoolToken) -> None:
    _run(store, token, "GV001")
    before = _signature_roles(store)
    teacher = _choice(store, token, directory.actor(store, "GV001").name, "principal")  # "a token holding only hers"
    with pytest.raises(CertificateNotRegistered) as e:
        _run(store, token, "HT", teacher, prompt=NoPin())
    assert "đã đăng ký cho Trần Thị Mai (GV001)" in e.value.message
    assert _signature_roles(store) == before  # nothing signed as the principal


def test_unregistered_certificate_of_someone_else_is_refused(store: Store, token: SchoolToken) -> None:
    other = _choice(store, token, directory.actor(store, "GV002").name)  # never used: registered to nobody
    with pytest.raises(CertificateNotRegistered) as e:
        _run(store, token, "GV001", other, prompt=NoPin())
    assert "chưa được đăng ký cho Trần Thị Mai (GV001)" in e.value.message
    assert _signature_roles(store) == [] and certificates.list_registrations(store) == []


def test_seal_with_a_personal_certificate_is_refused(store: Store, token: SchoolToken) -> None:
    _run(store, token, "GV001")
    _run(store, token, "HT")
    principal = _choice(store, token, directory.actor(store, "HT").name, "principal")
    with pytest.raises(CertificateNotRegistered):  # registered to HT at her first signature: not the seal
        _run(store, token, "HT", principal, seal=True, prompt=NoPin())
    unused = _choice(store, token, directory.actor(store, "PHT").name, "principal")
    with pytest.raises(CertificateNotRegistered) as e:  # registered to nobody, and a person's
        _run(store, token, "VP01", unused, seal=True, prompt=NoPin())
    assert "không phải chứng thư tổ chức của trường" in e.value.message
    assert "seal" not in _signature_roles(store)


def test_admin_registers_by_file_and_fingerprint(store: Store, token: SchoolToken, tmp_path: Path) -> None:
    admin = directory.actor(store, "QT01")
    mai = _choice(store, token, directory.actor(store, "GV001").name)
    reg = certificates.register(store, admin, str(_pem(mai, tmp_path)), staff_code="GV002")
    assert (reg.staff_code, reg.method, reg.registered_by) == ("GV002", "admin", "QT01")
    # GV001's own certificate is now GV002's: GV001 cannot sign with it
    with pytest.raises(CertificateNotRegistered) as e:
        _run(store, token, "GV001", mai, prompt=NoPin())
    assert "đã đăng ký cho Vũ Thị Lan Anh (GV002)" in e.value.message
    # the same certificate cannot be re-registered to someone else, nor to the seal
    with pytest.raises(HocbasoError, match="đã được đăng ký cho Vũ Thị Lan Anh"):
        certificates.register(store, admin, reg.fingerprint, staff_code="GV003")
    assert certificates.register(store, admin, reg.fingerprint.upper(), staff_code="GV002") == reg  # idempotent
    seal = _choice(store, token, "", "seal")
    by_fp = certificates.register(store, admin, certificates.fingerprint(seal.certificate.certificate()), seal=True)
    assert by_fp.seal and by_fp.common_name == ""  # by fingerprint: the details are not known


def test_register_refusals(store: Store, token: SchoolToken, tmp_path: Path) -> None:
    admin = directory.actor(store, "QT01")
    person = _pem(_choice(store, token, directory.actor(store, "GV001").name), tmp_path)
    seal = _pem(_choice(store, token, "", "seal"), tmp_path)
    with pytest.raises(PermissionDenied):  # a teacher registers nothing, not even her own
        certificates.register(store, directory.actor(store, "GV001"), str(person), staff_code="GV001")
    with pytest.raises(HocbasoError, match="không phải chứng thư tổ chức của trường"):
        certificates.register(store, admin, str(person), seal=True)
    with pytest.raises(HocbasoError, match="chứng thư của tổ chức"):
        certificates.register(store, admin, str(seal), staff_code="GV001")
    with pytest.raises(HocbasoError, match="Không có cán bộ"):
        certificates.register(store, admin, str(person), staff_code="GV999")
    with pytest.raises(HocbasoError):
        certificates.register(store, admin, str(person))  # neither a staff code nor --seal
    bad = tmp_path / "rac.pem"
    bad.write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(HocbasoError, match="không phải chứng thư số"):
        certificates.register(store, admin, str(bad), staff_code="GV001")
    with pytest.raises(HocbasoError, match="Không đọc được"):
        certificates.register(store, admin, "abc123", staff_code="GV001")
    assert certificates.list_registrations(store) == []


def test_registrations_are_never_repointed_or_deleted(store: Store, token: SchoolToken) -> None:
    _run(store, token, "GV001")
    con = sqlite3.connect(store.path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="keeps its fingerprint and its holder"):
            con.execute("UPDATE staff_certificate SET staff_id = (SELECT id FROM staff WHERE code = 'HT')")
        with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
            con.execute("DELETE FROM staff_certificate")
    finally:
        con.close()
