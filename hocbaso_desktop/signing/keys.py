"""A private key that lives on the token, seen through cryptography's RSAPrivateKey interface.

signxml has no PKCS#11 hook; it only ever calls `key.sign(canonical SignedInfo, PKCS1v15(), SHA256())`
and `key.public_key()`. So this class hashes in Python and has the token sign only the DigestInfo
with CKM_RSA_PKCS, the mechanism every token supports. Only ~0.5 KB ever reaches the token.
cryptography's CertificateBuilder uses the same two methods, which is how the demo CA issues
certificates with keys that never leave SoftHSM.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Callable

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from .errors import TokenError

if TYPE_CHECKING:  # cryptography ≥ 45 only; the annotation of RSAPrivateKey.sign names it
    from cryptography.hazmat.primitives.asymmetric.utils import NoDigestInfo

# DER prefixes of DigestInfo (RFC 8017 §9.2 note 1): CKM_RSA_PKCS expects DigestInfo, not a bare hash.
_DIGEST_INFO_PREFIX: dict[str, bytes] = {
    "sha224": bytes.fromhex("302d300d06096086480165030402040500041c"),
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
    "sha512": bytes.fromhex("3051300d060960864801650304020305000440"),
}


def digest_info(data: bytes, algorithm: hashes.HashAlgorithm | Prehashed) -> tuple[bytes, hashes.HashAlgorithm]:
    """DigestInfo for `data` (hashing it here unless Prehashed); returns it with the hash used."""
    if isinstance(algorithm, Prehashed):
        hash_alg = algorithm._algorithm  # cryptography exposes no public getter
        digest = data
    else:
        hash_alg = algorithm
        h = hashes.Hash(hash_alg)
        h.update(data)
        digest = h.finalize()
    prefix = _DIGEST_INFO_PREFIX.get(hash_alg.name)
    if prefix is None:
        raise UnsupportedAlgorithm(f"hash {hash_alg.name} is not supported for token signatures")
    if len(digest) != hash_alg.digest_size:
        raise ValueError("prehashed digest has the wrong length")
    return prefix + digest, hash_alg


class TokenRsaKey(rsa.RSAPrivateKey):
    """`raw_sign(digest_info) -> signature` runs CKM_RSA_PKCS on the token (on the token lane).

    `token_seconds` accumulates the time spent waiting for the token call (the hand-off to the token
    lane included), `inside_token_seconds` the time inside the module's C_Sign alone (the provider
    adds to it on the lane), so the benchmark can report the software's own cost apart from the
    token's. A batch signs one record ahead while the caller signs an audit head: hence the lock.
    """

    def __init__(
        self,
        raw_sign: Callable[[bytes], bytes],
        certificate: x509.Certificate | rsa.RSAPublicKey,
        label: str = "",
    ) -> None:
        # A bare public key is accepted for the one moment a certificate does not exist yet: a CA
        # key on the token self-signing its own root certificate.
        public = certificate.public_key() if isinstance(certificate, x509.Certificate) else certificate
        if not isinstance(public, rsa.RSAPublicKey):
            raise TokenError("Chứng thư số không dùng khoá RSA: phiên bản này chỉ ký được bằng khoá RSA.")
        self._raw_sign = raw_sign
        self._certificate = certificate if isinstance(certificate, x509.Certificate) else None
        self._public = public
        self.label = label
        self.token_seconds = 0.0
        self.inside_token_seconds = 0.0
        self.sign_count = 0
        self._stats_lock = threading.Lock()

    @property
    def certificate(self) -> x509.Certificate | None:
        return self._certificate

    def sign(
        self,
        data: bytes,
        padding: asym_padding.AsymmetricPadding,
        algorithm: hashes.HashAlgorithm | Prehashed | NoDigestInfo,
    ) -> bytes:
        if not isinstance(padding, asym_padding.PKCS1v15):
            raise UnsupportedAlgorithm("token keys sign with PKCS#1 v1.5 only")
        if not isinstance(algorithm, (hashes.HashAlgorithm, Prehashed)):
            # NoDigestInfo (raw PKCS#1 v1.5 over caller-built bytes): the token is only ever given a DigestInfo
            raise UnsupportedAlgorithm("token keys sign a hash (DigestInfo) only")
        info, hash_alg = digest_info(bytes(data), algorithm)
        started = time.perf_counter()
        try:
            signature = self._raw_sign(info)
        finally:
            with self._stats_lock:
                self.token_seconds += time.perf_counter() - started
                self.sign_count += 1
        # Verifying costs ~50 µs and catches a key that does not match its certificate (or a faulty
        # token) here, instead of as an unverifiable record later.
        try:
            self._public.verify(signature, bytes(data), asym_padding.PKCS1v15(), algorithm)
        except InvalidSignature:
            raise TokenError(
                "Chữ ký do thiết bị ký số tạo ra không khớp với chứng thư số đã chọn "
                "(khoá và chứng thư không cùng cặp)."
            ) from None
        return signature

    def add_inside_token(self, seconds: float) -> None:
        with self._stats_lock:
            self.inside_token_seconds += seconds

    def public_key(self) -> rsa.RSAPublicKey:
        return self._public

    @property
    def key_size(self) -> int:
        return self._public.key_size

    def decrypt(self, ciphertext: bytes, padding: asym_padding.AsymmetricPadding) -> bytes:
        raise UnsupportedAlgorithm("khoá trên thiết bị ký số chỉ dùng để ký")

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        raise UnsupportedAlgorithm("khoá trên thiết bị ký số không xuất ra được")

    def private_bytes(
        self,
        encoding: serialization.Encoding,
        format: serialization.PrivateFormat,
        encryption_algorithm: serialization.KeySerializationEncryption,
    ) -> bytes:
        raise UnsupportedAlgorithm("khoá trên thiết bị ký số không xuất ra được")

    def __copy__(self) -> "TokenRsaKey":
        return self  # one token key: copies would share the same token object anyway

    def __deepcopy__(self, memo: dict[int, object]) -> "TokenRsaKey":
        return self

    def __repr__(self) -> str:
        return f"<TokenRsaKey {self.label!r} {self.key_size} bit>"
