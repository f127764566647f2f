"""Sign and verify record XML: XAdES-BES enveloped signatures inside <chukyso>.

Each signature: RSA-SHA256, C14N 1.0 (inclusive), the signer's certificate (and chain) in KeyInfo,
references to `#<Id of thongtinhocba>`, then to every EARLIER ds:Signature by its Id (in order),
the XAdES SignedProperties (signing time, SigningCertificateV2, the signer's role as ClaimedRole)
and its own KeyInfo. A later signature thus covers the earlier ones: removing, replacing or
reordering one breaks every signature after it (issue 15), while adding one leaves the earlier ones
intact; any change to the content breaks them all. xmlsec1 verifies each signature as it is (the
references resolve by Id inside the same document).

Who must sign, in which order, and whether the signer is the person the record names: the policy
(policy.py), applied by `verify_record(..., policy=...)`.

Why C14N 1.0 and not exclusive C14N: signxml digests the SignedProperties and KeyInfo references
with the signature's canonicalisation but writes no Transform for them, and a verifier that reads
no Transform must use inclusive C14N 1.0 (XML-DSig §4.4.3.2) — xmlsec1 does. With exclusive C14N
those two digests would only match signxml itself. (C14N 1.1 is avoided: some verifiers lack it.)
"""

from __future__ import annotations

import base64
import copy
import hmac
import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from lxml import etree

# From the modules that define them: signxml's packages re-export without __all__, which a strict checker does not follow.
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.exceptions import InvalidCertificate, InvalidDigest, InvalidSignature, SignXMLException
from signxml.signer import SignatureReference
from signxml.xades.xades import XAdESDataObjectFormat, XAdESSignatureConfiguration, XAdESSigner, XAdESVerifier

from ..domain.errors import InputFileError, InvalidValue
from ..safe_xml import parse_xml
from .certs import check_certificate_usable, common_name, fmt_time, utc
from .errors import CertificateUnusable, ContentChangedSinceSigned, RecordStructureError, SigningError
from .policy import SignaturePolicy, SignedBy, check_policy
from .record_shape import DS_NS, NS, SIGNATURE_TAG, XADES_NS, RecordParts, check_unique_ids, record_parts
from .report import ROLES, SignatureReport, VerificationReport, role_label
from .trust import TrustStore

log = logging.getLogger(__name__)

C14N = CanonicalizationMethod.CANONICAL_XML_1_0
_ALLOWED_C14N = {CanonicalizationMethod.CANONICAL_XML_1_0.value, CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0.value}
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_SIGNED_PROPS_TYPE = "http://uri.etsi.org/01903#SignedProperties"
_NSMAP = {"ds": DS_NS, "xades": XADES_NS}
_SIGNATURE_METHODS = frozenset(
    {SignatureMethod.RSA_SHA256, SignatureMethod.RSA_SHA384, SignatureMethod.RSA_SHA512,
     SignatureMethod.ECDSA_SHA256, SignatureMethod.ECDSA_SHA384}
)
_DIGESTS = frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512})
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    DigestAlgorithm.SHA256.value: hashes.SHA256,
    DigestAlgorithm.SHA384.value: hashes.SHA384,
    DigestAlgorithm.SHA512.value: hashes.SHA512,
}
FUTURE_TOLERANCE = timedelta(minutes=10)  # PC clocks drift; a signing time further ahead is suspicious


# ---- signing ---------------------------------------------------------------------------------------


class _RecordSigner(XAdESSigner):
    def __init__(self, role: str, signing_time: datetime) -> None:
        super().__init__(
            claimed_roles=[role],
            data_object_format=XAdESDataObjectFormat(Description="Học bạ số tiểu học", MimeType="text/xml"),
            signature_algorithm=SignatureMethod.RSA_SHA256,
            digest_algorithm=DigestAlgorithm.SHA256,
            c14n_algorithm=C14N,
        )
        self._signing_time = signing_time
        self._document: etree._Element | None = None

    def sign_in_place(self, document: etree._Element, **kwargs: Any) -> etree._Element:
        """sign() on `document` itself: a tree sign_record parsed for this one signature, which
        nothing else holds. signxml otherwise serialises and re-parses the whole document twice
        (its working copy, and a default input the references then replace); the referenced
        elements are still each copied standalone, as its canonicalisation needs."""
        self._document = document
        try:
            signed: etree._Element = self.sign(document, **kwargs)
        finally:
            self._document = None
        return signed

    def get_root(self, data: Any) -> Any:
        if data is self._document:
            return data
        return super().get_root(data)  # type: ignore[no-untyped-call]

    def add_signing_time(self, signed_signature_properties: Any, sig_root: Any, signing_settings: Any) -> None:
        # signxml always writes "now"; the caller's time is what the batch recorded and tests need.
        el = etree.SubElement(signed_signature_properties, f"{{{XADES_NS}}}SigningTime", nsmap=self.namespaces)
        el.text = self._signing_time.isoformat(timespec="seconds")


def _c14n(element: etree._Element, algorithm: str) -> bytes:
    # Same steps as signxml: serialise the element alone (keeping its in-scope namespaces), re-parse,
    # canonicalise. The bytes are what a reference's DigestValue covers.
    standalone = etree.fromstring(etree.tostring(element))
    exclusive = algorithm.startswith("http://www.w3.org/2001/10/xml-exc-c14n#")
    canonical: bytes = etree.tostring(standalone, method="c14n", exclusive=exclusive, with_comments=False)
    return canonical


def _digest(data: bytes, algorithm: str) -> bytes:
    h = hashes.Hash(_HASHES[algorithm]())
    h.update(data)
    return h.finalize()


def _content_reference(sig: etree._Element, content_id: str) -> etree._Element | None:
    for ref in sig.findall("ds:SignedInfo/ds:Reference", _NSMAP):
        if ref.get("URI") == f"#{content_id}":
            return ref
    return None


def _ref_c14n(ref: etree._Element) -> str:
    for t in ref.findall("ds:Transforms/ds:Transform", _NSMAP):
        algorithm = t.get("Algorithm")
        if isinstance(algorithm, str) and algorithm in _ALLOWED_C14N:
            return algorithm
    return C14N.value


def _content_still_covered(parts: RecordParts, sig: etree._Element, canonical: dict[str, bytes] | None = None) -> bool:
    """Cheap check that an existing signature's content digest matches the content as it is now.

    `canonical` (algorithm → canonical bytes of the content) lets the caller checking several
    signatures of one record canonicalise the content once, not once per signature."""
    ref = _content_reference(sig, parts.content_id)
    if ref is None:
        return False
    method = ref.find("ds:DigestMethod", _NSMAP)
    value = ref.find("ds:DigestValue", _NSMAP)
    if method is None or value is None:
        return False
    algorithm = method.get("Algorithm")
    if not isinstance(algorithm, str) or algorithm not in _HASHES:
        return False
    c14n_method = _ref_c14n(ref)
    if canonical is None:
        canonical = {}
    if c14n_method not in canonical:
        canonical[c14n_method] = _c14n(parts.content, c14n_method)
    actual = _digest(canonical[c14n_method], algorithm)
    return hmac.compare_digest(actual, base64.b64decode(value.text or ""))


def sign_record(
    xml_bytes: bytes,
    key: rsa.RSAPrivateKey,
    cert_chain: Sequence[x509.Certificate],
    role: str,
    signing_time: datetime | None = None,
) -> bytes:
    """Add one XAdES-BES signature by `key` (a TokenRsaKey or any RSA key) after the existing ones.

    `cert_chain` starts with the signer's certificate; intermediates may follow (they go in KeyInfo,
    roots belong to the verifier's trust store). Refuses a certificate that cannot sign at
    `signing_time`, a malformed or wrapped record, and content changed since an earlier signature.
    """
    if role not in ROLES:
        raise InvalidValue("vai trò ký", role, "chỉ có " + ", ".join(ROLES))
    chain = list(cert_chain)
    if not chain:
        raise SigningError("Thiếu chứng thư số của người ký.")
    leaf = chain[0]
    when = utc(signing_time).replace(microsecond=0)
    usable = check_certificate_usable(leaf, when)
    if not usable.ok:
        raise CertificateUnusable(common_name(leaf), list(usable.problems))
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != leaf.public_key().public_bytes(*spki):
        raise SigningError("Khoá ký không khớp với chứng thư số đã chọn.")

    root = parse_xml(bytes(xml_bytes), "học bạ")
    parts = record_parts(root, create_signatures_parent=True)
    canonical: dict[str, bytes] = {}
    for i, sig in enumerate(parts.signatures, start=1):
        if not _content_still_covered(parts, sig, canonical):
            raise ContentChangedSinceSigned(i)
    earlier = [sig.get("Id") for sig in parts.signatures]
    if any(not sig_id for sig_id in earlier):
        raise RecordStructureError("một chữ ký có sẵn không có Id: chữ ký mới không bao trùm được chữ ký đó")
    assert parts.signatures_parent is not None
    etree.SubElement(parts.signatures_parent, SIGNATURE_TAG, nsmap=_NSMAP, Id="placeholder")

    signer = _RecordSigner(role, when)
    try:
        signed = signer.sign_in_place(
            root,
            key=key,
            cert=chain,
            # the content, then every earlier signature: removing one of them breaks this one
            reference_uri=[SignatureReference(URI=f"#{parts.content_id}")]
            + [SignatureReference(URI=f"#{sig_id}") for sig_id in earlier],
            always_add_key_value=False,  # the certificate carries the key; a second copy is an ambiguity
            id_attribute="Id",
        )
    except SignXMLException as e:
        raise SigningError(f"Không tạo được chữ ký số: {e}") from None
    # signxml's random Ids colliding with the document's would be refused later. The rest of the
    # document is unchanged and its Ids were checked unique by record_parts: the new signature's suffice.
    _check_new_ids(parts.ids, parts.signatures_parent[-1])
    out: bytes = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    return out


def _check_new_ids(existing: dict[str, etree._Element], added: etree._Element) -> None:
    if added.tag != SIGNATURE_TAG:
        raise SigningError("chữ ký mới không nằm cuối phần <chukyso>")
    seen = set(existing)
    for value in check_unique_ids(added):
        if value in seen:
            raise RecordStructureError(f"mã định danh (Id) «{value}» xuất hiện nhiều lần")


# ---- verification ----------------------------------------------------------------------------------


def _x509s(sig: etree._Element) -> list[x509.Certificate]:
    out = []
    for el in sig.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", _NSMAP):
        try:
            out.append(x509.load_der_x509_certificate(base64.b64decode("".join((el.text or "").split()))))
        except ValueError:
            continue
    return out


def _pick_leaf(certs: list[x509.Certificate]) -> x509.Certificate | None:
    issuers = {c.issuer for c in certs if c.issuer != c.subject}
    for cert in certs:  # the one certificate that issues none of the others
        if cert.subject not in issuers:
            return cert
    return certs[0] if certs else None


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return utc(moment)


REMOVED_SIGNATURE = "chữ ký bị gỡ: chữ ký sau không còn khớp"


def _covered_ids(sig: etree._Element, parts: RecordParts) -> tuple[tuple[str, ...], bool]:
    """The Ids of the other signatures `sig` references, in order, and whether one is missing."""
    others = {s.get("Id") for s in parts.signatures if s is not sig and s.get("Id")}
    own_ids = {el.get("Id") for el in sig.iter() if isinstance(el.tag, str) and el.get("Id")}
    all_ids = check_unique_ids(parts.root)
    covered: list[str] = []
    missing = False
    for ref in sig.findall("ds:SignedInfo/ds:Reference", _NSMAP):
        uri = ref.get("URI") or ""
        target = uri[1:] if uri.startswith("#") else None
        if not target or target == parts.content_id or target in own_ids:
            continue
        if target in others:
            covered.append(target)
        elif target not in all_ids:
            missing = True
    return tuple(covered), missing


def _check_references(sig: etree._Element, content_id: str, parts: RecordParts | None = None) -> list[str]:
    """Refuse anything but: the content by its Id, earlier signatures by their Id, this signature's
    SignedProperties, its KeyInfo."""
    problems: list[str] = []
    signed_info = sig.find("ds:SignedInfo", _NSMAP)
    if signed_info is None:
        return ["chữ ký thiếu phần SignedInfo"]
    c14n = signed_info.find("ds:CanonicalizationMethod", _NSMAP)
    if c14n is None or c14n.get("Algorithm") not in _ALLOWED_C14N:
        problems.append("chữ ký dùng phương pháp chuẩn hoá XML không được chấp nhận")
    own_ids = {el.get("Id") for el in sig.iter() if isinstance(el.tag, str) and el.get("Id")}
    others = {s.get("Id") for s in (parts.signatures if parts else []) if s is not sig and s.get("Id")}
    present = check_unique_ids(parts.root) if parts else {}
    content_refs = props_refs = 0
    for ref in signed_info.findall("ds:Reference", _NSMAP):
        uri = ref.get("URI") or ""
        if uri == f"#{content_id}":
            content_refs += 1
            for t in ref.findall("ds:Transforms/ds:Transform", _NSMAP):
                if t.get("Algorithm") not in _ALLOWED_C14N | {_ENVELOPED}:
                    problems.append(f"chữ ký dùng phép biến đổi không được chấp nhận ({t.get('Algorithm')})")
        elif uri.startswith("#") and uri[1:] in others:
            for t in ref.findall("ds:Transforms/ds:Transform", _NSMAP):
                if t.get("Algorithm") not in _ALLOWED_C14N | {_ENVELOPED}:
                    problems.append(f"chữ ký dùng phép biến đổi không được chấp nhận ({t.get('Algorithm')})")
        elif uri.startswith("#") and parts is not None and uri[1:] not in own_ids and uri[1:] not in present:
            problems.append(f"{REMOVED_SIGNATURE} (chữ ký này bao trùm «{uri}», không còn trong học bạ)")
        elif uri.startswith("#") and uri[1:] in own_ids:
            target = next(el for el in sig.iter() if isinstance(el.tag, str) and el.get("Id") == uri[1:])
            if target.tag == f"{{{XADES_NS}}}SignedProperties":
                props_refs += 1
            elif target.tag != f"{{{DS_NS}}}KeyInfo":
                problems.append(f"chữ ký tham chiếu tới phần tử không được phép ({uri})")
                continue
            if ref.find("ds:Transforms", _NSMAP) is not None and any(
                t.get("Algorithm") not in _ALLOWED_C14N for t in ref.findall("ds:Transforms/ds:Transform", _NSMAP)
            ):
                problems.append(f"chữ ký dùng phép biến đổi không được chấp nhận ({uri})")
        else:
            problems.append(f"chữ ký tham chiếu tới «{uri or '(toàn bộ tài liệu)'}» thay vì nội dung học bạ")
    if content_refs != 1:
        problems.append("chữ ký không tham chiếu đúng một lần tới nội dung <thongtinhocba> của học bạ")
    if props_refs != 1:
        problems.append("chữ ký thiếu các thuộc tính XAdES đã ký (SignedProperties)")
    return problems


def _verifier_error(e: Exception) -> str:
    if isinstance(e, InvalidDigest):
        return "một phần đã ký (thuộc tính ký hoặc chứng thư) bị thay đổi sau khi ký"
    if isinstance(e, InvalidSignature):
        return "giá trị chữ ký không khớp: chữ ký bị sửa hoặc không do chứng thư này tạo ra"
    if isinstance(e, InvalidCertificate):
        return f"chứng thư số trong chữ ký không dùng được ({e})"
    if isinstance(e, etree.DocumentInvalid):
        return "phần chữ ký không đúng lược đồ XML-DSig/XAdES"
    return f"chữ ký không hợp lệ ({e})"


def _signature_first(root: etree._Element, parts: RecordParts, index: int) -> etree._Element:
    """A copy of the document with signature `index` moved first (signxml checks the first it
    finds); the others stay, since a later signature references the earlier ones by Id. Moving a
    sibling changes no canonical form: each reference covers one element on its own."""
    doc = copy.deepcopy(root)
    parent = doc.find(f"{{{NS}}}chukyso")
    sigs = [c for c in parent if c.tag == SIGNATURE_TAG]
    chosen = sigs[index]
    parent.remove(chosen)
    parent.insert(0, chosen)
    return doc


def _verify_one(
    root: etree._Element, parts: RecordParts, index: int, trust: TrustStore, at: datetime | None, now: datetime
) -> tuple[SignatureReport, bytes | None]:
    sig = parts.signatures[index]
    reasons: list[str] = []
    certs = _x509s(sig)
    leaf = _pick_leaf(certs)
    claimed = _parse_time(sig.findtext(
        "ds:Object/xades:QualifyingProperties/xades:SignedProperties/xades:SignedSignatureProperties/xades:SigningTime",
        namespaces=_NSMAP,
    ))
    base = SignatureReport(
        index=index + 1, signer=common_name(leaf) if leaf else "", role=None, signing_time=None, checked_at=None,
        cert_subject=leaf.subject.rfc4514_string() if leaf else "", cert_issuer=common_name_of_issuer(leaf),
        cert_serial_hex=format(leaf.serial_number, "x") if leaf else "",
        cert_not_before=leaf.not_valid_before_utc if leaf else None,
        cert_not_after=leaf.not_valid_after_utc if leaf else None,
        intact=False, cert_valid=False, trusted=False, demo=False,
    )
    if leaf is None:
        return replace(base, reasons=("chữ ký không kèm chứng thư số của người ký",)), None
    structural = _check_references(sig, parts.content_id, parts)
    if structural:
        return replace(base, reasons=tuple(structural)), None

    # Precise wording for the commonest failure: the content was edited after signing.
    if not _content_still_covered(parts, sig):
        reasons.append("nội dung học bạ đã bị thay đổi sau khi ký")
        return replace(base, reasons=tuple(reasons)), None

    # Certificate time validity is judged below, by us, at the signing time (or `at`); signxml only
    # checks integrity here, so it is given a moment inside the certificate's validity (gotcha 10).
    probe = claimed or now
    probe = min(max(probe, leaf.not_valid_before_utc), leaf.not_valid_after_utc)
    config = XAdESSignatureConfiguration(
        location=f"./{{{NS}}}chukyso/",
        expect_references=len(sig.findall("ds:SignedInfo/ds:Reference", _NSMAP)),
        signature_methods=_SIGNATURE_METHODS,
        digest_algorithms=_DIGESTS,
        verification_time=probe,
        default_reference_c14n_method=C14N,
    )
    content_ref_index = [r.get("URI") for r in sig.findall("ds:SignedInfo/ds:Reference", _NSMAP)].index(
        f"#{parts.content_id}"
    )
    try:
        results = XAdESVerifier().verify(
            _signature_first(root, parts, index), x509_cert=leaf, expect_config=config, id_attribute="Id"
        )
    except (SignXMLException, etree.DocumentInvalid, ValueError) as e:
        return replace(base, reasons=(_verifier_error(e),)), None

    # From here on only what signxml returned as signed is used ("see what is signed").
    signed_content = results[content_ref_index].signed_data
    content_ref = _content_reference(sig, parts.content_id)
    assert content_ref is not None  # _content_still_covered found it above
    expected = _c14n(parts.content, _ref_c14n(content_ref))
    if signed_content != expected:
        return replace(base, reasons=("phần được ký không phải nội dung <thongtinhocba> của học bạ",)), None
    props = next((r.signed_properties for r in results if hasattr(r, "signed_properties")), None)
    signing_time = _parse_time(props.findtext("xades:SigningTime", namespaces=_NSMAP)) if props is not None else None
    roles = props.findall("xades:SignerRole/xades:ClaimedRoles/xades:ClaimedRole", _NSMAP) if props is not None else []
    role = (roles[0].text or "").strip() if roles else None
    base = replace(base, intact=True, signing_time=signing_time, role=role)
    if signing_time is None:
        reasons.append("chữ ký không ghi thời điểm ký")
    elif signing_time != claimed:
        reasons.append("thời điểm ký không khớp phần đã ký")
        base = replace(base, intact=False)
    elif signing_time > now + FUTURE_TOLERANCE:
        reasons.append(f"thời điểm ký {fmt_time(signing_time)} ở tương lai so với đồng hồ máy này")
    if role is None:
        reasons.append("chữ ký không ghi vai trò người ký")
    elif role not in ROLES:
        reasons.append(f"vai trò người ký «{role}» không thuộc các vai trò của học bạ")

    checked_at = utc(at) if at is not None else (signing_time or now)
    usable = check_certificate_usable(leaf, checked_at)
    chain = trust.verify_chain(leaf, [c for c in certs if c is not leaf], checked_at)
    reasons.extend(usable.problems)
    if not chain.trusted and chain.reason:
        reasons.append(chain.reason)
    base = replace(
        base,
        checked_at=checked_at,
        cert_valid=usable.ok and signing_time is not None and role in ROLES and signing_time <= now + FUTURE_TOLERANCE,
        trusted=chain.trusted,
        demo=chain.demo,
    )
    return replace(base, reasons=tuple(reasons)), signed_content


def common_name_of_issuer(cert: x509.Certificate | None) -> str:
    if cert is None:
        return ""
    attrs = cert.issuer.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.issuer.rfc4514_string()


def verify_record(
    xml_bytes: bytes, trust_store: TrustStore, at: datetime | None = None, policy: SignaturePolicy | None = None,
    source: str = "học bạ",
) -> VerificationReport:
    """Verify every signature of a record, each at its own signing time unless `at` is given.

    Never raises for a bad record: the report says what is wrong. `report.ok` is True only when
    there is at least one signature and every signature is intact, valid and trusted — and, with a
    `policy` (policy.issued_policy(): what `hocbaso verify` and the verify dialog apply to a record
    that claims to be issued), when the signatures are the ones the policy requires, in order, each
    by the person or school the record names, each later one covering the earlier ones. Without a
    policy only the signatures themselves are judged (a record still being signed).
    """
    now = datetime.now(timezone.utc)
    try:
        root = parse_xml(bytes(xml_bytes), source)  # `source` names the file in the message
        parts = record_parts(root)
    except (InputFileError, RecordStructureError) as e:
        return VerificationReport(signatures=(), problems=(e.message,))
    if not parts.signatures:
        return VerificationReport(signatures=(), problems=("Học bạ chưa có chữ ký số nào.",), content_id=parts.content_id)
    reports: list[SignatureReport] = []
    signed_content: bytes | None = None
    for i in range(len(parts.signatures)):
        report, content = _verify_one(root, parts, i, trust_store, at, now)
        reports.append(report)
        if content is not None and signed_content is None:
            signed_content = content
    broken: tuple[str, ...] = ()
    if policy is not None:
        broken = tuple(_apply_policy(policy, parts, reports, signed_content))
    return VerificationReport(
        signatures=tuple(reports), problems=(), content_id=parts.content_id, signed_content=signed_content,
        policy_problems=broken, policy_checked=policy is not None,
    )


def _apply_policy(
    policy: SignaturePolicy, parts: RecordParts, reports: list[SignatureReport], signed_content: bytes | None
) -> list[str]:
    # The names and IDs the signers are checked against come from what a signature verified
    # ("see what is signed"). With no intact signature the record is refused anyway; the file's
    # own content and claimed roles then only serve to say which rules it breaks as well.
    content = etree.fromstring(signed_content) if signed_content is not None else parts.content
    signed: list[SignedBy] = []
    for sig, report in zip(parts.signatures, reports):
        covers, missing = _covered_ids(sig, parts)
        leaf = _pick_leaf(_x509s(sig))
        role = report.role if report.intact else _claimed_role(sig)
        signed.append(SignedBy(sig.get("Id") or "", role, leaf, covers, missing, role_label(role)))
    return check_policy(policy, content, signed)


def _claimed_role(sig: etree._Element) -> str | None:
    text = sig.findtext(
        "ds:Object/xades:QualifyingProperties/xades:SignedProperties/xades:SignedSignatureProperties/"
        "xades:SignerRole/xades:ClaimedRoles/xades:ClaimedRole", namespaces=_NSMAP)
    return text.strip() if text else None
