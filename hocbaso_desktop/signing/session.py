"""One open (possibly logged-in) session on one token: certificates, keys, provisioning.

Every method goes through the provider, so each PKCS#11 call runs on the token lane and comes back
as a typed error with a Vietnamese message.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from .certs import common_name, is_ca, key_usage_names
from .errors import CertificateNotFound, TokenError, TokenRemoved
from .info import CertificateInfo, TokenInfo
from .keys import TokenRsaKey

try:
    import pkcs11
    from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
except ImportError:  # pragma: no cover - python-pkcs11 is a declared dependency
    pkcs11 = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from .token import Pkcs11Provider

T = TypeVar("T")


def _cert_info(cert_obj: Any, private_ids: set[bytes]) -> CertificateInfo | None:
    der = bytes(cert_obj[Attribute.VALUE])
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return None  # a certificate object we cannot parse is not one we can sign with
    try:
        cert_id = bytes(cert_obj[Attribute.ID] or b"")
    except Exception:
        cert_id = b""
    try:
        label = str(cert_obj[Attribute.LABEL] or "")
    except Exception:
        label = ""
    return CertificateInfo(
        cert_id=cert_id,
        label=label,
        der=der,
        subject=cert.subject.rfc4514_string(),
        common_name=common_name(cert),
        issuer=cert.issuer.rfc4514_string(),
        serial_hex=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_usage=key_usage_names(cert),
        is_ca=is_ca(cert),
        has_private_key=bool(cert_id) and cert_id in private_ids,
    )


class TokenSession:
    """One open (possibly logged-in) session on one token. Use as a context manager."""

    def __init__(self, provider: "Pkcs11Provider", session: Any, info: TokenInfo, logged_in: bool) -> None:
        self.provider = provider
        self.info = info
        self.logged_in = logged_in
        self._session = session
        self._closed = False

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._closed:
            raise TokenRemoved(self.info.label)
        return self.provider._call(fn, *args, label=self.info.label)

    def list_certificates(self) -> list[CertificateInfo]:
        """All certificates; `has_private_key` tells which can sign (before login: judged by the
        public key with the same CKA_ID, since private objects are invisible until then)."""

        def run() -> list[CertificateInfo]:
            key_class = ObjectClass.PRIVATE_KEY if self.logged_in else ObjectClass.PUBLIC_KEY
            ids = set()
            for obj in self._session.get_objects({Attribute.CLASS: key_class}):
                try:
                    ids.add(bytes(obj[Attribute.ID]))
                except Exception:
                    pass
            out = []
            for obj in self._session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
                info = _cert_info(obj, ids)
                if info is not None:
                    out.append(info)
            return out

        return self._call(run)

    def signing_certificates(self) -> list[CertificateInfo]:
        return [c for c in self.list_certificates() if c.has_private_key and not c.is_ca]

    def chain_for(self, cert: x509.Certificate) -> list[x509.Certificate]:
        """`cert` followed by its issuers found on the token (tokens usually carry the CA chain)."""
        cas = [c.certificate() for c in self.list_certificates() if c.is_ca]
        chain = [cert]
        current = cert
        while current.issuer != current.subject and len(chain) < 6:
            issuer = next((c for c in cas if c.subject == current.issuer and c not in chain), None)
            if issuer is None or issuer.subject == issuer.issuer:
                break  # the root is a trust anchor: it belongs in the verifier's store, not the signature
            chain.append(issuer)
            current = issuer
        return chain

    def signing_key(self, cert: CertificateInfo) -> TokenRsaKey:
        """The private key paired (by CKA_ID) with `cert`, as a cryptography key usable by signxml."""
        return self.key_for_id(cert.cert_id, cert.certificate(), cert.label or cert.common_name)

    def key_for_id(
        self, cert_id: bytes, public: x509.Certificate | rsa.RSAPublicKey, label: str = ""
    ) -> TokenRsaKey:
        if not self.logged_in:
            raise TokenError("Cần đăng nhập thiết bị ký số (nhập mã PIN) trước khi ký.")

        def find() -> Any:
            keys = list(self._session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: cert_id}))
            if len(keys) != 1:
                name = common_name(public) if isinstance(public, x509.Certificate) else cert_id.hex()
                raise CertificateNotFound(f"không có khoá riêng đi kèm chứng thư «{name}» trên thiết bị ký số")
            return keys[0]

        key_obj = self._call(find)

        def raw_sign(digest_info: bytes) -> bytes:
            def on_lane() -> bytes:
                started = time.perf_counter()
                try:
                    return bytes(key_obj.sign(digest_info, mechanism=Mechanism.RSA_PKCS))
                finally:
                    key.add_inside_token(time.perf_counter() - started)

            return self._call(on_lane)

        key = TokenRsaKey(raw_sign, public, label=label)
        return key

    # -- provisioning (demo token, tests): keys are made inside the token and never leave it --

    def generate_signing_keypair(self, cert_id: bytes, label: str, bits: int = 2048) -> rsa.RSAPublicKey:
        def run() -> rsa.RSAPublicKey:
            pub, _priv = self._session.generate_keypair(
                KeyType.RSA,
                bits,
                id=cert_id,
                label=label,
                store=True,
                # Gotcha 8: the defaults allow decrypt/unwrap; a signing key only signs and never leaves.
                public_template={Attribute.VERIFY: True, Attribute.ENCRYPT: False, Attribute.WRAP: False},
                private_template={
                    Attribute.SIGN: True,
                    Attribute.DECRYPT: False,
                    Attribute.UNWRAP: False,
                    Attribute.DERIVE: False,
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.PRIVATE: True,
                },
            )
            n = int.from_bytes(bytes(pub[Attribute.MODULUS]), "big")
            e = int.from_bytes(bytes(pub[Attribute.PUBLIC_EXPONENT]), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()

        return self._call(run)

    def store_certificate(self, cert: x509.Certificate, cert_id: bytes, label: str) -> None:
        from cryptography.hazmat.primitives.serialization import Encoding

        def run() -> None:
            self._session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: pkcs11.CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.PRIVATE: False,
                    Attribute.ID: cert_id,
                    Attribute.LABEL: label,
                    Attribute.SUBJECT: cert.subject.public_bytes(),
                    Attribute.ISSUER: cert.issuer.public_bytes(),
                    Attribute.SERIAL_NUMBER: _der_integer(cert.serial_number),
                    Attribute.VALUE: cert.public_bytes(Encoding.DER),
                }
            )

        self._call(run)

    def private_key_attributes(self, cert_id: bytes) -> dict[str, bool]:
        """SIGN/DECRYPT/UNWRAP/SENSITIVE/EXTRACTABLE of a private key, for checks and tests."""

        def run() -> dict[str, bool]:
            keys = list(self._session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: cert_id}))
            if not keys:
                raise CertificateNotFound(f"không có khoá riêng với CKA_ID {cert_id.hex()}")
            key = keys[0]
            names = ("SIGN", "DECRYPT", "UNWRAP", "SENSITIVE", "EXTRACTABLE", "ALWAYS_SENSITIVE", "NEVER_EXTRACTABLE")
            return {n.lower(): bool(key[getattr(Attribute, n)]) for n in names}

        return self._call(run)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.provider._call(self.provider._l_release, self._session, self.info, self.logged_in)

    def __enter__(self) -> "TokenSession":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _der_integer(value: int) -> bytes:
    body = value.to_bytes((value.bit_length() + 8) // 8 or 1, "big")
    return bytes([0x02, len(body)]) + body if len(body) < 128 else bytes([0x02, 0x81, len(body)]) + body
