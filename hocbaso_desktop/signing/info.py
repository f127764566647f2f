"""Snapshots that cross threads: frozen dataclasses describing tokens and certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography import x509


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed: found by label or serial, never by slot id (slot ids change, gotcha 1)."""

    label: str
    serial: str
    manufacturer: str
    model: str
    module_path: str
    pin_count_low: bool = False
    pin_final_try: bool = False
    pin_locked: bool = False
    protected_auth_path: bool = False  # PIN pad on the reader: the PIN is typed there, not here

    @property
    def key(self) -> tuple[str, str]:
        return (self.label, self.serial)


@dataclass(frozen=True)
class CertificateInfo:
    """A certificate object on a token, with the private key it pairs with (by CKA_ID)."""

    cert_id: bytes  # CKA_ID shared by the certificate and its private key
    label: str
    der: bytes
    subject: str  # RFC 4514
    common_name: str
    issuer: str
    serial_hex: str
    not_before: datetime
    not_after: datetime
    key_usage: tuple[str, ...]  # e.g. ("digital_signature", "content_commitment")
    is_ca: bool
    has_private_key: bool

    @property
    def cert_id_hex(self) -> str:
        return self.cert_id.hex()

    def certificate(self) -> x509.Certificate:
        # parsed on demand (and cryptography imported only then) so the snapshot stays cheap
        from cryptography import x509

        return x509.load_der_x509_certificate(self.der)
