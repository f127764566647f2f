"""Certificates: reading them (name, usage, validity), judging whether they can sign, issuing them.

Issuing is for the demo CA and the test fixtures; the issuer key may be a software key or a
TokenRsaKey, so demo CA keys never leave the token either.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes, CertificateIssuerPublicKeyTypes
from cryptography.x509.oid import NameOID

from ..domain.text import clean

VN_TZ = timezone(timedelta(hours=7))  # messages show Vietnam time, the time teachers read on their clocks

_KEY_USAGE_FLAGS = (
    "digital_signature",
    "content_commitment",  # a.k.a. nonRepudiation
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "key_cert_sign",
    "crl_sign",
)


def fmt_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(timezone.utc)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def common_name(cert: x509.Certificate) -> str:
    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if not attrs:
        return cert.subject.rfc4514_string()
    value = attrs[0].value
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def key_usage_names(cert: x509.Certificate) -> tuple[str, ...]:
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(name for name in _KEY_USAGE_FLAGS if getattr(ku, name))


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def allows_signatures(cert: x509.Certificate) -> bool:
    """Key usage allows document signatures: digitalSignature or nonRepudiation.

    A certificate without a KeyUsage extension is unrestricted by RFC 5280, but every Vietnamese
    CA sets it; we refuse its absence so a mis-issued certificate is noticed.
    """
    usages = key_usage_names(cert)
    return "digital_signature" in usages or "content_commitment" in usages


@dataclass(frozen=True)
class UsabilityCheck:
    ok: bool
    problems: tuple[str, ...]


def check_certificate_usable(cert: x509.Certificate, at: datetime | None = None) -> UsabilityCheck:
    """Can `cert` sign a record at `at` (default now)? Problems are Vietnamese, for the user."""
    moment = utc(at)
    problems: list[str] = []
    if moment < cert.not_valid_before_utc:
        problems.append(f"chứng thư số chưa có hiệu lực (hiệu lực từ {fmt_time(cert.not_valid_before_utc)})")
    if moment > cert.not_valid_after_utc:
        problems.append(f"chứng thư số đã hết hạn từ {fmt_time(cert.not_valid_after_utc)}")
    if is_ca(cert):
        problems.append("đây là chứng thư của tổ chức cung cấp dịch vụ chứng thực (CA), không dùng để ký học bạ")
    elif not allows_signatures(cert):
        problems.append("chứng thư số không cho phép ký số (thiếu mục đích digitalSignature/nonRepudiation)")
    return UsabilityCheck(not problems, tuple(problems))


def _name_key(name: str) -> str:
    # NFC so "ữ" typed precomposed or combined compares equal; casefold so "NGUYỄN" == "Nguyễn";
    # diacritics stay significant: "Lê" and "Lệ" are different people.
    return unicodedata.normalize("NFC", clean(name)).casefold()


def name_matches(cert: x509.Certificate, full_name: str) -> bool:
    return _name_key(common_name(cert)) == _name_key(full_name)


def owner_warning(cert: x509.Certificate, full_name: str) -> str | None:
    """A warning (not an error) when the certificate's name is not the acting staff member's."""
    if name_matches(cert, full_name):
        return None
    return (
        f"Tên trên chứng thư số «{common_name(cert)}» không trùng với tên cán bộ «{clean(full_name)}». "
        "Hãy kiểm tra đã cắm đúng thiết bị ký số của mình."
    )


# ---- issuing (demo CA, test fixtures) -------------------------------------------------------------


def build_name(
    common: str,
    *,
    uid: str | None = None,
    organization: str | None = None,
    unit: str | None = None,
    province: str | None = None,
    country: str = "VN",
) -> x509.Name:
    """A subject as Vietnamese CAs write it: CN = name, UID = "CCCD:…" (person) or "MST:…" (organisation)."""
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, country)]
    if province:
        attrs.append(x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, province))
    if organization:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common))
    if uid:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, uid))
    return x509.Name(attrs)


CertKind = str  # "root" | "intermediate" | "person" | "seal"


def issue_certificate(
    *,
    kind: CertKind,
    subject: x509.Name,
    subject_public_key: CertificateIssuerPublicKeyTypes,
    issuer_key: CertificateIssuerPrivateKeyTypes,
    issuer_cert: x509.Certificate | None,
    serial: int | None = None,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> x509.Certificate:
    """Issue a certificate of `kind`; `issuer_cert=None` means self-signed (a root).

    Extensions follow what cryptography's verifier and xmlsec1 expect of a CA hierarchy: critical
    BasicConstraints, KeyUsage, SKI on every cert and AKI on every issued one.
    """
    start = utc(not_before) if not_before else datetime.now(timezone.utc) - timedelta(minutes=5)
    end = utc(not_after) if not_after else start + timedelta(days=3650 if kind in ("root", "intermediate") else 730)
    issuer_name = subject if issuer_cert is None else issuer_cert.subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(subject_public_key)
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_public_key), critical=False)
    )
    # The issuer's certificate holds the public half of issuer_key (that is what makes it the issuer), and
    # the key's own type says it can issue, which the certificate's public key of any algorithm does not.
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
    )
    if kind in ("root", "intermediate"):
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None if kind == "root" else 0), critical=True
        ).add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    elif kind in ("person", "seal"):
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True).add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    else:
        raise ValueError(f"unknown certificate kind {kind!r}")
    return builder.sign(issuer_key, hashes.SHA256())
