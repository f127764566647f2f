"""The demo token: a SoftHSM2 token with keys and certificates for a demo school, so a newcomer can
sign and verify without a real USB token.

Two tokens are made in one private SoftHSM directory: `<label>-CA` holds the demo root and
intermediate CA keys (so more demo identities can be issued later), and `<label>` holds each staff
member's and the school seal's key pair plus certificate, with the CA certificates alongside, as
real tokens carry them. Every key is generated inside the token: sign-only, non-extractable. The CA
certificates are written to `ca_dir` as `demo-*.pem`, which the trust store flags as demo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from . import softhsm
from .certs import build_name, issue_certificate
from .errors import DemoTokenError
from .lane import TokenLane
from .prompt import ScriptedPinPrompt
from .session import TokenSession
from .token import Pkcs11Provider

DEMO_NOTE = "THỬ NGHIỆM - không có giá trị pháp lý"
ROOT_ID = b"hocbaso-demo-root"
INTERMEDIATE_ID = b"hocbaso-demo-intermediate"
ROOT_FILE = "demo-hocbaso-root-ca.pem"
INTERMEDIATE_FILE = "demo-hocbaso-intermediate-ca.pem"


@dataclass(frozen=True)
class DemoPerson:
    staff_code: str
    full_name: str  # for a seal: the school's name
    personal_id: str  # 12-digit CCCD for a person; tax/budget code for the school seal
    kind: str = "person"  # "person" | "seal"


@dataclass(frozen=True)
class DemoIdentity:
    staff_code: str
    full_name: str
    kind: str
    cert_id: bytes
    subject: str
    serial_hex: str
    not_after: datetime

    @property
    def cert_id_hex(self) -> str:
        return self.cert_id.hex()


@dataclass(frozen=True)
class DemoTokenInfo:
    label: str
    serial: str
    ca_label: str
    module_path: str
    conf_path: str
    token_dir: str
    identities: tuple[DemoIdentity, ...]
    root_cert_path: str
    intermediate_cert_path: str


def _people(people: Iterable[DemoPerson | Sequence[str]]) -> list[DemoPerson]:
    out = []
    for p in people:
        person = p if isinstance(p, DemoPerson) else DemoPerson(*p)
        if person.kind not in ("person", "seal"):
            raise DemoTokenError(f"Loại chứng thư «{person.kind}» không hợp lệ (chỉ có person hoặc seal).")
        out.append(person)
    return out


def _subject(person: DemoPerson, school_name: str) -> x509.Name:
    if person.kind == "seal":
        return build_name(person.full_name, uid=f"MST:{person.personal_id}", organization=person.full_name,
                          unit=DEMO_NOTE)
    return build_name(person.full_name, uid=f"CCCD:{person.personal_id}", organization=school_name, unit=DEMO_NOTE)


def issue_identity(
    ca: TokenSession,
    user: TokenSession,
    person: DemoPerson,
    school_name: str,
    *,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> DemoIdentity:
    """Generate a key pair inside `user`'s token and have the intermediate CA key (inside `ca`'s
    token) certify it. Also used by tests to make expired or odd certificates."""
    intermediate = next(c for c in ca.list_certificates() if c.cert_id == INTERMEDIATE_ID).certificate()
    issuer_key = ca.key_for_id(INTERMEDIATE_ID, intermediate, "demo intermediate CA")
    cert_id = os.urandom(16)
    label = f"{person.staff_code} {person.full_name}"
    public = user.generate_signing_keypair(cert_id, label)
    cert = issue_certificate(
        kind=person.kind,
        subject=_subject(person, school_name),
        subject_public_key=public,
        issuer_key=issuer_key,
        issuer_cert=intermediate,
        not_before=not_before,
        not_after=not_after,
    )
    user.store_certificate(cert, cert_id, label)
    return DemoIdentity(
        person.staff_code, person.full_name, person.kind, cert_id,
        cert.subject.rfc4514_string(), format(cert.serial_number, "x"), cert.not_valid_after_utc,
    )


def _make_ca(
    ca: TokenSession, school_name: str, not_before: datetime | None
) -> tuple[x509.Certificate, x509.Certificate]:
    now = not_before or datetime.now(timezone.utc) - timedelta(days=1)
    root_pub = ca.generate_signing_keypair(ROOT_ID, "demo root CA")
    root_key = ca.key_for_id(ROOT_ID, root_pub, "demo root CA")
    root = issue_certificate(
        kind="root",
        subject=build_name("Hocbaso DEMO Root CA", organization=f"Học bạ số ({DEMO_NOTE})"),
        subject_public_key=root_pub, issuer_key=root_key, issuer_cert=None,
        not_before=now, not_after=now + timedelta(days=3650),
    )
    ca.store_certificate(root, ROOT_ID, "demo root CA")
    inter_pub = ca.generate_signing_keypair(INTERMEDIATE_ID, "demo intermediate CA")
    inter = issue_certificate(
        kind="intermediate",
        subject=build_name("Hocbaso DEMO Issuing CA", organization=f"Học bạ số ({DEMO_NOTE})", unit=school_name),
        subject_public_key=inter_pub, issuer_key=root_key, issuer_cert=root,
        not_before=now, not_after=now + timedelta(days=3650),
    )
    ca.store_certificate(inter, INTERMEDIATE_ID, "demo intermediate CA")
    return root, inter


def create_demo_token(
    module_path: str,
    softhsm_conf_path: str | os.PathLike[str],
    token_dir: str | os.PathLike[str],
    label: str = "HOCBASO-DEMO",
    *,
    user_pin: str,
    so_pin: str,
    people: Iterable[DemoPerson | Sequence[str]],
    ca_dir: str | os.PathLike[str],
    school_name: str = "Trường Tiểu học Thử nghiệm",
    replace: bool = True,
    lane: TokenLane | None = None,
    provider: Pkcs11Provider | None = None,
    ca_not_before: datetime | None = None,
) -> DemoTokenInfo:
    """Create (or re-create when `replace`) the demo tokens; return what the CLI prints and stores.

    Sets SOFTHSM2_CONF for this process (the module reads it at initialisation, gotcha 2) and
    re-initialises the module so the new tokens appear (gotcha 6): refused while a session is open.
    `ca_not_before` backdates the demo CA (tests issue certificates that expired long ago).
    """
    persons = _people(people)
    if not persons:
        raise DemoTokenError("Cần ít nhất một người (hoặc con dấu) để tạo thiết bị ký số thử nghiệm.")
    conf = softhsm.write_config(softhsm_conf_path, token_dir)
    ca_label = f"{label}-CA"
    existing = softhsm.token_labels(conf)
    for name in (label, ca_label):
        if name in existing:
            if not replace:
                raise DemoTokenError(f"Đã có thiết bị ký số thử nghiệm «{name}».")
            softhsm.delete_token(conf, name)
    softhsm.init_token(conf, ca_label, user_pin, so_pin)
    softhsm.init_token(conf, label, user_pin, so_pin)

    softhsm.use_config(conf)
    provider = provider or Pkcs11Provider(module_path, lane=lane)
    if not provider.reload():
        raise DemoTokenError("Đang có phiên ký số mở: hãy chờ ký xong rồi tạo lại thiết bị ký số thử nghiệm.")

    prompt = ScriptedPinPrompt(lambda: user_pin)
    with provider.open_session(ca_label, prompt=prompt, rw=True) as ca, \
            provider.open_session(label, prompt=prompt, rw=True) as user:
        root, inter = _make_ca(ca, school_name, ca_not_before)
        # Real tokens carry their CA chain: the signer then puts the intermediate in KeyInfo.
        user.store_certificate(root, ROOT_ID, "demo root CA")
        user.store_certificate(inter, INTERMEDIATE_ID, "demo intermediate CA")
        identities = tuple(issue_identity(ca, user, p, school_name) for p in persons)
        serial = user.info.serial

    out = Path(ca_dir)
    out.mkdir(parents=True, exist_ok=True)
    root_path, inter_path = out / ROOT_FILE, out / INTERMEDIATE_FILE
    root_path.write_bytes(root.public_bytes(Encoding.PEM))
    inter_path.write_bytes(inter.public_bytes(Encoding.PEM))
    return DemoTokenInfo(
        label=label, serial=serial, ca_label=ca_label, module_path=module_path,
        conf_path=str(Path(conf).resolve()), token_dir=str(Path(token_dir).resolve()), identities=identities,
        root_cert_path=str(root_path), intermediate_cert_path=str(inter_path),
    )


def add_demo_identity(
    provider: Pkcs11Provider,
    info: DemoTokenInfo,
    person: DemoPerson | Sequence[str],
    *,
    user_pin: str,
    school_name: str = "Trường Tiểu học Thử nghiệm",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> DemoIdentity:
    """Issue one more demo identity onto an existing demo token (a staff member added later)."""
    prompt = ScriptedPinPrompt(lambda: user_pin)
    (p,) = _people([person])
    with provider.open_session(info.ca_label, prompt=prompt) as ca, \
            provider.open_session(info.label, prompt=prompt, rw=True) as user:
        return issue_identity(ca, user, p, school_name, not_before=not_before, not_after=not_after)
