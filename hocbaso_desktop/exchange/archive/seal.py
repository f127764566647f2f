"""The archive's seal: a detached CMS/PKCS#7 SignedData over the exact bytes of tagmanifest-sha256.txt.

Why CMS and not a detached XML-DSig:
- the signed object is a plain text file; CMS signs bytes as they are, with no canonicalisation or
  URI dereferencing to get wrong (an XML-DSig detached signature must reference the manifest by a
  URI, which verifiers resolve differently — xmlsec1 refuses external URIs unless told otherwise);
- anyone can check it years later with stock OpenSSL, no program of ours needed:
  `openssl cms -verify -binary -inform DER -in seal/tagmanifest-sha256.txt.p7s
   -content tagmanifest-sha256.txt -CAfile <root CA> -certfile seal/chain.pem -purpose any`;
- it works with the token: cryptography's PKCS7SignatureBuilder only calls `key.sign(signed
  attributes, PKCS1v15, SHA256)` and `key.public_key()` on the TokenRsaKey (verified: one token
  signature, OpenSSL accepts the result), so the private key never leaves the token.
The signed attributes carry content-type, message-digest and signing-time (cryptography adds them).

Verification parses the CMS with asn1crypto (already installed with python-pkcs11; cryptography
has no public CMS verifier), checks the message digest and the RSA signature over the DER of the
signed attributes with cryptography, and the certificate chain with the trust store at the signing
time — the same rules as record signatures. Never raises for a bad seal: the report says why.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from ...signing.certs import check_certificate_usable, common_name, fmt_time, utc
from ...signing.trust import TrustStore

MAX_SEAL_BYTES = 1024 * 1024
FUTURE_TOLERANCE = timedelta(minutes=10)
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def create_seal(content: bytes, key: rsa.RSAPrivateKey, chain: Sequence[x509.Certificate]) -> tuple[bytes, bytes]:
    """Sign `content` with `key` (a TokenRsaKey); return (DER CMS SignedData, PEM of the chain).

    `chain` starts with the signer's certificate; intermediates follow (the root stays with the
    verifier's trust store).
    """
    leaf, *intermediates = list(chain)
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(leaf, key, hashes.SHA256())
    for cert in intermediates:
        builder = builder.add_certificate(cert)
    der = builder.sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
    return der, pem


@dataclass(frozen=True)
class SealReport:
    ok: bool
    signer: str = ""
    signer_subject: str = ""
    issuer: str = ""
    serial_hex: str = ""
    signing_time: datetime | None = None
    trusted: bool = False
    demo: bool = False
    problems: tuple[str, ...] = field(default_factory=tuple)
    # The signer's certificate, for the caller's rule on WHO may seal (policy.is_school_seal): this
    # module judges only that the seal is intact and made with a trusted, usable certificate.
    certificate: x509.Certificate | None = field(default=None, compare=False, repr=False)

    def lines(self) -> list[str]:
        if not self.signer:
            return [f"Niêm phong: KHÔNG HỢP LỆ — {'; '.join(self.problems)}"]
        head = f"Niêm phong: {'HỢP LỆ' if self.ok else 'KHÔNG HỢP LỆ'} — ký bởi «{self.signer}»"
        if self.signing_time:
            head += f" lúc {fmt_time(self.signing_time)}"
        out = [head, f"  Chứng thư: {self.signer_subject} (sê-ri {self.serial_hex}), do «{self.issuer}» cấp"]
        if self.demo:
            out.append("  Lưu ý: chứng thư thử nghiệm (demo), không có giá trị pháp lý")
        out += [f"  - {p}" for p in self.problems]
        return out


@dataclass(frozen=True)
class _Signer:
    """What the seal says about its signer, once the signer's certificate is found."""

    certificate: x509.Certificate
    signer: str
    signer_subject: str
    issuer: str
    serial_hex: str

    def report(self, ok: bool, problems: tuple[str, ...], *, signing_time: datetime | None = None,
               trusted: bool = False, demo: bool = False) -> SealReport:
        return SealReport(ok, signer=self.signer, signer_subject=self.signer_subject, issuer=self.issuer,
                          serial_hex=self.serial_hex, signing_time=signing_time, trusted=trusted, demo=demo,
                          problems=problems, certificate=self.certificate)


def _fail(*problems: str, known: _Signer | None = None) -> SealReport:
    if known is None:
        return SealReport(False, problems=tuple(problems))
    return known.report(False, tuple(problems))


def verify_seal(content: bytes, seal_der: bytes, trust: TrustStore, now: datetime | None = None) -> SealReport:
    from asn1crypto import cms  # imported here: only the verifier needs it

    now = utc(now)
    if len(seal_der) > MAX_SEAL_BYTES:
        return _fail("tệp niêm phong quá lớn")
    try:
        info = cms.ContentInfo.load(seal_der, strict=True)
        if info["content_type"].native != "signed_data":
            return _fail("tệp niêm phong không phải chữ ký CMS (SignedData)")
        sd = info["content"]
        if sd["encap_content_info"]["content"].native is not None:
            return _fail("tệp niêm phong phải là chữ ký tách rời (không chứa nội dung)")
        signers = list(sd["signer_infos"])
        if len(signers) != 1:
            return _fail(f"tệp niêm phong có {len(signers)} người ký, phải đúng một")
        si = signers[0]
        certs = [x509.load_der_x509_certificate(c.chosen.dump()) for c in (sd["certificates"] or []) if c.name == "certificate"]
        sid = si["sid"]
        if sid.name != "issuer_and_serial_number":
            return _fail("tệp niêm phong không chỉ rõ chứng thư người ký (issuer + serial)")
        want_issuer = sid.chosen["issuer"].dump()
        want_serial = sid.chosen["serial_number"].native
        leaf = next((c for c in certs if c.serial_number == want_serial and c.issuer.public_bytes() == want_issuer), None)
        if leaf is None:
            return _fail("tệp niêm phong không kèm chứng thư số của người ký")
        known = _Signer(certificate=leaf, signer=common_name(leaf), signer_subject=leaf.subject.rfc4514_string(),
                        issuer=_issuer_cn(leaf), serial_hex=format(leaf.serial_number, "x"))
        digest_name = si["digest_algorithm"]["algorithm"].native
        if digest_name not in _HASHES:
            return _fail(f"thuật toán băm «{digest_name}» không được chấp nhận", known=known)
        attrs = si["signed_attrs"]
        if not attrs:
            return _fail("chữ ký niêm phong thiếu các thuộc tính đã ký", known=known)
        by_type = {a["type"].native: a["values"] for a in attrs}
        if by_type.get("content_type") is None or by_type["content_type"][0].native != "data":
            return _fail("chữ ký niêm phong ghi sai loại nội dung", known=known)
        md = by_type.get("message_digest")
        actual = hashlib.new(digest_name, content).digest()
        if md is None or len(md) != 1 or not hmac.compare_digest(md[0].native, actual):
            return _fail("tagmanifest-sha256.txt đã bị thay đổi sau khi niêm phong (mã băm không khớp chữ ký)", known=known)
        st = by_type.get("signing_time")
        signing_time = utc(st[0].native) if st is not None and len(st) == 1 else None
        sig_alg = si["signature_algorithm"]["algorithm"].native
        if sig_alg not in ("rsassa_pkcs1v15", f"{digest_name}_rsa"):
            return _fail(f"thuật toán chữ ký «{sig_alg}» không được chấp nhận", known=known)
        # The signature covers the DER SET OF the signed attributes (RFC 5652 §5.4), not the [0] tag.
        signed_bytes = b"\x31" + attrs.dump()[1:]
        public = leaf.public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            return _fail("chứng thư niêm phong không dùng khoá RSA", known=known)
        public.verify(si["signature"].native, signed_bytes, padding.PKCS1v15(), _HASHES[digest_name]())
    except InvalidSignature:  # raised only by the last call above, when `known` is bound
        return _fail("giá trị chữ ký niêm phong không khớp: bị sửa hoặc không do chứng thư này tạo ra", known=known)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError) as e:
        return _fail(f"tệp niêm phong hỏng hoặc sai định dạng ({type(e).__name__})")

    problems: list[str] = []
    if signing_time is None:
        problems.append("chữ ký niêm phong không ghi thời điểm ký")
        checked_at = now
    else:
        checked_at = signing_time
        if signing_time > now + FUTURE_TOLERANCE:
            problems.append(f"thời điểm niêm phong {fmt_time(signing_time)} ở tương lai so với đồng hồ máy này")
    usable = check_certificate_usable(leaf, checked_at)
    problems.extend(usable.problems)
    chain = trust.verify_chain(leaf, [c for c in certs if c is not leaf], checked_at)
    if not chain.trusted and chain.reason:
        problems.append(chain.reason)
    return known.report(not problems and chain.trusted, tuple(problems), signing_time=signing_time,
                        trusted=chain.trusted, demo=chain.demo)


def _issuer_cn(cert: x509.Certificate) -> str:
    attrs = cert.issuer.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.issuer.rfc4514_string()
