"""Really signed records for the receiver's signature check, without a token: a throw-away software CA
(root → issuing CA → one certificate per signer) and the demo school's own record XML signed by its
GVCN, principal and the school seal in that order, each certificate named as the record names them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding

from hocbaso_desktop.exchange.record_xml import record_xml_bytes
from hocbaso_desktop.services.records import record_data
from hocbaso_desktop.signing import sign_record
from hocbaso_desktop.signing.certs import build_name, issue_certificate


@dataclass(frozen=True)
class SoftCA:
    root: x509.Certificate
    inter: x509.Certificate
    inter_key: rsa.RSAPrivateKey
    tag: str

    def write_root(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"soft-root-{self.tag}.pem"
        path.write_bytes(self.root.public_bytes(Encoding.PEM))
        return path


@lru_cache(maxsize=None)
def _key(_name: str) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


@lru_cache(maxsize=None)
def soft_ca(tag: str = "SO") -> SoftCA:
    start = datetime.now(timezone.utc) - timedelta(days=400)  # older than any signing time of the tests
    root_key, inter_key = _key(f"{tag}:root"), _key(f"{tag}:inter")
    root = issue_certificate(kind="root", subject=build_name(f"Soft Upload Root {tag}"), subject_public_key=root_key.public_key(),
                             issuer_key=root_key, issuer_cert=None, not_before=start)
    inter = issue_certificate(kind="intermediate", subject=build_name(f"Soft Upload Issuing {tag}"),
                              subject_public_key=inter_key.public_key(), issuer_key=root_key, issuer_cert=root,
                              not_before=start)
    return SoftCA(root, inter, inter_key, tag)


@lru_cache(maxsize=None)
def identity(ca_tag: str, name: str, uid: str, kind: str, organization: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    ca = soft_ca(ca_tag)
    key = _key(f"{ca_tag}:{kind}:{name}:{uid}")
    prefix = "MST" if kind == "seal" else "CCCD"
    cert = issue_certificate(kind=kind, subject=build_name(name, uid=f"{prefix}:{uid}", organization=organization),
                             subject_public_key=key.public_key(), issuer_key=ca.inter_key, issuer_cert=ca.inter,
                             not_before=datetime.now(timezone.utc) - timedelta(days=30))
    return cert, key


def signed_record(s, enrolment_id: int, ca_tag: str = "SO", *, roles: tuple[str, ...] = ("gvcn", "principal", "seal"),  # noqa: ANN001
                  as_gvcn: bool = False) -> bytes:
    """The enrolment's record as the store builds it, signed GVCN → principal → seal (or only
    `roles`; `as_gvcn`: every role signed with the GVCN's own certificate — the insider's forgery)."""
    data = record_data(s, enrolment_id)
    xml = record_xml_bytes(data)
    school = data.school
    gvcn = ("gvcn", data.homeroom_teacher.full_name, data.homeroom_teacher.personal_id or "001", "person", school.name)
    everyone = {"gvcn": gvcn,
                "principal": ("principal", data.principal.full_name, data.principal.personal_id or "002", "person", school.name),
                "seal": ("seal", school.name, school.moet_code or "0100000000", "seal", school.name)}
    signers = [(r, *gvcn[1:]) if as_gvcn else everyone[r] for r in roles]
    ca = soft_ca(ca_tag)
    for role, name, uid, kind, org in signers:
        cert, key = identity(ca_tag, name, uid, kind, org)
        xml = sign_record(xml, key, [cert, ca.inter], role)
    return xml


def sign_head(tx, ca_tag: str = "SO", *, signer: str = "seal") -> None:  # noqa: ANN001
    """Sign the audit chain's head in `tx` as the issuer does at every issue, with the school's soft
    seal (or, `signer="gvcn"`, with the homeroom teacher's own certificate: the insider's forgery)."""
    from sqlalchemy import select

    from hocbaso_desktop.services.audit_heads import record_signed_head
    from hocbaso_desktop.storage.models import School

    name, code = tx.session.execute(select(School.name, School.moet_code).order_by(School.id)).first()
    if signer == "seal":
        cert, key = identity(ca_tag, name, code or "0100000000", "seal", name)
    else:
        cert, key = identity(ca_tag, "Nguyễn Thị Giáo Viên", "001234567890", "person", name)
    record_signed_head(tx, key, cert, [soft_ca(ca_tag).inter])
