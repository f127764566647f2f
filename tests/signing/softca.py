"""A throw-away software CA for tests that need certificates but no token (fakes, untrusted roots)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from hocbaso_desktop.signing.certs import build_name, issue_certificate


@dataclass(frozen=True)
class SoftIdentity:
    root: x509.Certificate
    intermediate: x509.Certificate
    cert: x509.Certificate
    key: rsa.RSAPrivateKey


@lru_cache(maxsize=None)
def _key(n: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(65537, 2048)


def soft_identity(name: str = "Hoàng Văn Lạ", tag: str = "A", *, kind: str = "person",
                  not_before: datetime | None = None, not_after: datetime | None = None) -> SoftIdentity:
    root_key, inter_key, leaf_key = _key(hash((tag, 1))), _key(hash((tag, 2))), _key(hash((tag, 3)))
    root = issue_certificate(kind="root", subject=build_name(f"Soft Root {tag}"), subject_public_key=root_key.public_key(),
                             issuer_key=root_key, issuer_cert=None)
    inter = issue_certificate(kind="intermediate", subject=build_name(f"Soft Issuing {tag}"),
                              subject_public_key=inter_key.public_key(), issuer_key=root_key, issuer_cert=root)
    cert = issue_certificate(kind=kind, subject=build_name(name), subject_public_key=leaf_key.public_key(),
                             issuer_key=inter_key, issuer_cert=inter, not_before=not_before, not_after=not_after)
    return SoftIdentity(root, inter, cert, leaf_key)
