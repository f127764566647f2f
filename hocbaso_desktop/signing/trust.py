"""The trust store: directories of root and intermediate CA certificates (PEM or DER).

The school adds its real CAs (Ban Cơ yếu Chính phủ, the public CAs) beside the bundled demo CA.
Demo anchors are files whose name starts with `demo-`: they are trusted so the demo works end to
end, but every report names them "chứng thư thử nghiệm (demo)".

Chain building uses cryptography's `x509.verification` (PolicyBuilder with a time) rather than a
hand-written loop: it does real path building (several candidate intermediates, cross-signed CAs,
name chaining, signature and validity checks on every link, depth limit), which a manual check
would re-implement with fewer eyes on it. We only relax its Web-PKI profile where document-signing
certificates differ from TLS ones: no SAN/EKU is required of the signer (Vietnamese signing
certificates carry neither reliably), and key usage is judged by us with Vietnamese messages.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.verification import Criticality, ExtensionPolicy, PolicyBuilder, Store, VerificationError

from ..paths import resources_dir
from .certs import common_name, fmt_time, utc

log = logging.getLogger(__name__)

DEMO_PREFIX = "demo-"
_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
# Shown by every verifier (hocbaso verify, transfer import, archive verify, the GUI): it names the
# one way that works everywhere, not an option only some commands have.
EMPTY_STORE_HINT = ("kho chứng thư tin cậy trống: chưa có chứng thư gốc nào (thêm chứng thư gốc bằng lệnh "
                    "«hocbaso trust add TỆP --as MÃ_CÁN_BỘ» hoặc Nhà trường › Chứng thư số gốc tin cậy…)")


def _fingerprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def _load_file(path: Path) -> list[x509.Certificate]:
    data = path.read_bytes()
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _is_self_issued(cert: x509.Certificate) -> bool:
    return cert.subject == cert.issuer


@dataclass(frozen=True)
class ChainResult:
    trusted: bool
    demo: bool  # the chain ends in (or passes through) a demo anchor
    chain: tuple[x509.Certificate, ...]  # leaf first, root last, when trusted
    reason: str | None  # Vietnamese, when not trusted

    @property
    def root_name(self) -> str | None:
        return common_name(self.chain[-1]) if self.chain else None


def _ca_basic_constraints(policy: object, cert: x509.Certificate, ext: x509.BasicConstraints | None) -> None:
    if ext is None or not ext.ca:
        raise ValueError("CA certificate lacks BasicConstraints cA=TRUE")


def _ca_key_usage(policy: object, cert: x509.Certificate, ext: x509.KeyUsage | None) -> None:
    if ext is not None and not ext.key_cert_sign:
        raise ValueError("CA certificate KeyUsage lacks keyCertSign")


@dataclass
class TrustStore:
    roots: list[x509.Certificate] = field(default_factory=list)
    intermediates: list[x509.Certificate] = field(default_factory=list)
    demo_fingerprints: set[bytes] = field(default_factory=set)
    sources: dict[bytes, str] = field(default_factory=dict)  # fingerprint -> file it came from

    @classmethod
    def from_dirs(cls, *dirs: str | os.PathLike[str]) -> "TrustStore":
        store = cls()
        for d in dirs:
            store.add_dir(d)
        return store

    def add_dir(self, directory: str | os.PathLike[str]) -> None:
        base = Path(directory)
        if not base.is_dir():
            return
        for path in sorted(base.iterdir()):
            if path.is_file() and path.suffix.lower() in _CERT_SUFFIXES:
                self.add_file(path)

    def add_file(self, path: str | os.PathLike[str], demo: bool | None = None) -> None:
        p = Path(path)
        try:
            certs = _load_file(p)
        except (OSError, ValueError) as e:
            log.warning("trust store: skipping %s (%s)", p, e)  # one bad file must not hide the others
            return
        flagged = p.name.lower().startswith(DEMO_PREFIX) if demo is None else demo
        for cert in certs:
            self.add_certificate(cert, demo=flagged, source=str(p))

    def add_certificate(self, cert: x509.Certificate, *, demo: bool = False, source: str = "") -> None:
        fp = _fingerprint(cert)
        if fp in self.sources:
            return
        self.sources[fp] = source
        if demo:
            self.demo_fingerprints.add(fp)
        (self.roots if _is_self_issued(cert) else self.intermediates).append(cert)

    def is_demo(self, cert: x509.Certificate) -> bool:
        return _fingerprint(cert) in self.demo_fingerprints

    def __len__(self) -> int:
        return len(self.roots) + len(self.intermediates)

    def verify_chain(
        self,
        leaf: x509.Certificate,
        untrusted: Iterable[x509.Certificate] = (),
        at: datetime | None = None,
    ) -> ChainResult:
        """Build and check a chain from `leaf` to one of our roots, every link valid at `at`.

        `untrusted` are intermediates the signature carried (KeyInfo); they help build the path
        but only our roots anchor it.
        """
        if not self.roots:
            return ChainResult(False, False, (), EMPTY_STORE_HINT)
        moment = utc(at)
        pool = [c for c in [*untrusted, *self.intermediates] if c != leaf]
        ca_policy = (
            ExtensionPolicy.permit_all()
            .require_present(x509.BasicConstraints, Criticality.AGNOSTIC, _ca_basic_constraints)
            .may_be_present(x509.KeyUsage, Criticality.AGNOSTIC, _ca_key_usage)
        )
        verifier = (
            PolicyBuilder()
            .store(Store(self.roots))
            .time(moment)
            .max_chain_depth(6)
            .extension_policies(ca_policy=ca_policy, ee_policy=ExtensionPolicy.permit_all())
            .build_client_verifier()
        )
        try:
            verified = verifier.verify(leaf, pool)
        except VerificationError as e:
            return ChainResult(False, False, (), self._explain(leaf, pool, moment, str(e)))
        chain = tuple(verified.chain)
        demo = any(self.is_demo(c) for c in chain[1:])
        return ChainResult(True, demo, chain, None)

    def _explain(self, leaf: x509.Certificate, pool: list[x509.Certificate], moment: datetime, detail: str) -> str:
        # cryptography's messages are English and terse; say in Vietnamese what most likely went wrong.
        by_subject = {c.subject: c for c in pool}
        roots = {c.subject: c for c in self.roots}
        path = [leaf]
        while path[-1].issuer not in roots and path[-1].issuer in by_subject and len(path) < 8:
            path.append(by_subject[path[-1].issuer])
        top = path[-1]
        if top.issuer not in roots:
            return f"chứng thư do «{_issuer_cn(top)}» cấp, không thuộc tổ chức chứng thực nào trong kho tin cậy"
        for cert in [*path, roots[top.issuer]]:
            if moment < cert.not_valid_before_utc or moment > cert.not_valid_after_utc:
                return (
                    f"chứng thư «{common_name(cert)}» không có hiệu lực tại thời điểm {fmt_time(moment)} "
                    f"(hiệu lực {fmt_time(cert.not_valid_before_utc)} – {fmt_time(cert.not_valid_after_utc)})"
                )
        return f"không xây dựng được chuỗi chứng thư tới chứng thư gốc tin cậy ({detail})"


def _issuer_cn(cert: x509.Certificate) -> str:
    attrs = cert.issuer.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.issuer.rfc4514_string()


def bundled_trust_dir() -> Path:
    """`resources/trust`: the CA certificates shipped with the program (see its README.md)."""
    return resources_dir() / "trust"


def default_trust_store(*extra_dirs: str | os.PathLike[str]) -> TrustStore:
    """The bundled CAs plus the school's own trust folders (settings) and any `--trust DIR`."""
    return TrustStore.from_dirs(bundled_trust_dir(), *extra_dirs)
