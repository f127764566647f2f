"""A signed head of the school's audit chain, as a value that travels: in the audit log itself
(services/audit_heads.py), in the yearly archive and in every upload package (sync/package.py).

The school's seal signs `hocbaso-audit-head-v1:<seq>:<hash>`: "up to entry seq, the chain hashed to
this". Whoever holds a signed head can later catch a rewritten chain (a different hash for the same
seq); a head signed by anything but the school's organisation certificate vouches for nothing.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .certs import common_name
from .policy import is_school_seal
from .trust import TrustStore

HEAD_ACTION = "audit.head_signed"
ISSUE_ACTION = "record.issue"
LOCK_ACTION = "year.lock"
WITHDRAW_ACTION = "record.withdraw"
# Entries that must each be followed by a signed head (in their own transaction): deleting the heads
# and recomputing the chain leaves one of these uncovered, which fails.
SEALED_ACTIONS = (ISSUE_ACTION, LOCK_ACTION, WITHDRAW_ACTION)
ALGORITHM = "rsa-pkcs1v15-sha256"


def head_message(seq: int, head_hash: str) -> bytes:
    """What the seal signs: `seq ‖ hash`, with a fixed prefix so the signature means nothing else."""
    return f"hocbaso-audit-head-v1:{int(seq)}:{head_hash}".encode("ascii")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


class HeadFormatError(ValueError):
    """The signed head cannot be read (edited, truncated)."""


@dataclass(frozen=True)
class SignedHead:
    seq: int
    hash: str
    signature: bytes
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()
    alg: str = ALGORITHM
    signed_at: str = ""  # ISO-8601; when the head was signed (the audit entry's time)

    @classmethod
    def from_detail(cls, detail: dict[str, Any], signed_at: str = "") -> SignedHead:
        """From the audit entry's JSON detail (or a package's fields in the same shape)."""
        try:
            seq, head_hash = int(detail["seq"]), str(detail["hash"])
            signature = base64.b64decode(detail["signature"], validate=True)
            cert = x509.load_der_x509_certificate(base64.b64decode(detail["cert"], validate=True))
            chain = tuple(x509.load_der_x509_certificate(base64.b64decode(c, validate=True))
                          for c in detail.get("chain", []))
        except (ValueError, KeyError, TypeError, binascii.Error) as e:
            raise HeadFormatError(str(e)) from None
        if seq < 1 or not head_hash:
            raise HeadFormatError("seq/hash")
        return cls(seq, head_hash, signature, cert, chain, str(detail.get("alg", "")), signed_at)

    def detail(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, "alg": self.alg, "signature": b64(self.signature),
                "cert": b64(der(self.cert)), "chain": [b64(der(c)) for c in self.chain if c != self.cert]}

    def signing_time(self) -> datetime | None:
        if not self.signed_at:
            return None
        moment = datetime.fromisoformat(self.signed_at)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

    def problem(self, trust: TrustStore, school_name: str) -> str | None:
        """None when the seal of `school_name` really signed this head; otherwise why not (Vietnamese)."""
        if self.alg != ALGORITHM:
            return f"thuật toán ký không được hỗ trợ ({self.alg})"
        key = self.cert.public_key()
        if not isinstance(key, rsa.RSAPublicKey):  # a seal's head is RSA PKCS#1 v1.5 (ALGORITHM) or it is not one
            return "chữ ký số không hợp lệ"
        try:
            key.verify(self.signature, head_message(self.seq, self.hash), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, TypeError, AttributeError, ValueError):
            return "chữ ký số không hợp lệ"
        result = trust.verify_chain(self.cert, list(self.chain), self.signing_time() or datetime.now(timezone.utc))
        if not result.trusted:
            return f"chứng thư số «{common_name(self.cert)}» không được tin cậy: {result.reason}"
        if not is_school_seal(self.cert, school_name):
            return (f"chứng thư số «{common_name(self.cert)}» không phải con dấu (chứng thư tổ chức) của "
                    f"{school_name or 'nhà trường'}")
        return None
