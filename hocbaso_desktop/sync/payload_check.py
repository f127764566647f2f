"""What the reference receiver checks in a package's record before storing it: that the record is
signed as an issued record must be — every signature intact, valid and chaining to a trusted root,
and the signatures the issued-record policy requires (GVCN → principal → school seal, each by the
person or school the record names), exactly as `hocbaso verify` judges it (signing.verify_record
with signing.policy.issued_policy) — and that it is the record the envelope names (same mã tra cứu,
school year and school), not a foreign record wrapped in a borrowed envelope.

The envelope must also carry the newest head of the school's audit chain signed by the school's seal
(package.py `dauchuoinhatky`, signing/chain_head.py): the signature must verify and chain to a
trusted root, and the certificate must be an organisation certificate of the school the signed
record names. A package without one, or with one a teacher re-signed, is refused (422).

The envelope fields are checked against the *signed* content the verifier returns, never against a
re-parse of the whole payload (reliability.md: signature wrapping).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Callable

from lxml import etree

from ..domain.errors import InputFileError
from ..safe_xml import parse_xml
from ..signing import TrustStore, VerificationReport, default_trust_store, verify_record
from ..signing.policy import SignaturePolicy, issued_policy
from .package import Package

RECORD_NS = "urn:hocbaso:tieuhoc:1.0"
MAX_REASONS = 3
STATUS_WITHDRAWN = "2"
_VN = timezone(timedelta(hours=7))


@dataclass(frozen=True)
class Refusal:
    status: int  # 4xx
    message: str  # Vietnamese, for the sending school


# A verifier returns None to accept, or a Refusal saying why not.
Verifier = Callable[[Package], "Refusal | None"]


def _field(content: etree._Element, name: str) -> str:
    return (content.findtext(f"{{{RECORD_NS}}}{name}") or "").strip()


def _why(report: VerificationReport) -> str:
    out = list(report.problems) + list(report.policy_problems)
    for sig in report.signatures:
        if not sig.valid:
            out.append(f"chữ ký {sig.index} ({sig.signer or 'không rõ người ký'}, {sig.role_label}): "
                       + ("; ".join(sig.reasons) or "không hợp lệ"))
    return " | ".join(out[:MAX_REASONS]) or "không xác minh được"


class SignedRecordCheck:
    """Refuses unsigned, badly signed, untrusted and foreign payloads (422 / 403 with the reason)."""

    def __init__(self, trust: TrustStore | None = None, schools: frozenset[str] | set[str] = frozenset(),
                 policy: SignaturePolicy | None = None, require_head: bool = True) -> None:
        self.trust = trust if trust is not None else default_trust_store()
        self.policy = policy if policy is not None else issued_policy()
        self.schools = frozenset(s.strip() for s in schools if s.strip())  # empty: every school
        self.require_head = require_head

    def __call__(self, pkg: Package) -> Refusal | None:
        env = pkg.envelope
        if self.schools and env.school_code not in self.schools:
            return Refusal(403, f"máy nhận này không nhận gói tin của trường mã «{env.school_code or 'trống'}»")
        report = verify_record(pkg.payload, self.trust, policy=self.policy)
        if not report.ok:
            return Refusal(422, f"học bạ trong gói tin không có chữ ký số hợp lệ và tin cậy: {_why(report)}")
        try:
            content = parse_xml(report.signed_content or b"", "nội dung đã ký")
        except InputFileError as e:
            return Refusal(422, e.message)
        lookup = _field(content, "madinhdanhhocba").replace("-", "").lower()
        year, school = _field(content, "namhoc"), _field(content, "matruong")
        if (lookup, year) != (env.lookup_code.lower(), env.school_year):
            return Refusal(422, f"học bạ đã ký (mã tra cứu {lookup or 'trống'}, năm học {year or 'trống'}) không phải học bạ "
                                f"phong bì ghi ({env.lookup_code}, {env.school_year})")
        if school and env.school_code and school != env.school_code:
            return Refusal(422, f"học bạ đã ký thuộc trường mã «{school}», phong bì ghi trường «{env.school_code}»")
        if self.schools and school not in self.schools:
            return Refusal(403, f"máy nhận này không nhận học bạ của trường mã «{school or 'trống'}»")
        # A CANCEL carries the seal-signed withdrawal (status 2 in its signed content); an issued
        # record replayed in a CANCEL envelope, or a withdrawal sent as NEW/UPDATE, is refused.
        status = _field(content, "trangthaithongtinhocba")
        if (env.event == "CANCEL") != (status == STATUS_WITHDRAWN):
            return Refusal(422, f"sự kiện {env.event} không khớp trạng thái trong nội dung đã ký («{status or 'trống'}»): "
                                "báo hủy phải mang văn bản thu hồi đã ký (trạng thái 2), học bạ gửi mới/thay thế "
                                "phải có hiệu lực (trạng thái 1)")
        if env.event != "CANCEL" and env.issued_on:
            # ngaykyphathanh travels in the envelope (the content is frozen before the issue day
            # exists), but the seal's XAdES SigningTime is signed: the two must name the same day.
            seal_times = [s.signing_time for s in report.signatures if s.role == "seal" and s.signing_time]
            day = seal_times[-1].astimezone(_VN).date().isoformat() if seal_times else ""
            if day != env.issued_on:
                return Refusal(422, f"ngày ký phát hành trong phong bì ({env.issued_on}) khác ngày con dấu nhà trường "
                                    f"ký học bạ ({day or 'không rõ'})")
        if env.head is None:
            if self.require_head:
                return Refusal(422, "gói tin thiếu đầu chuỗi nhật ký ký bằng con dấu nhà trường (dauchuoinhatky)")
        else:
            why = env.head.problem(self.trust, _field(content, "tentruong"))
            if why is not None:
                return Refusal(422, f"đầu chuỗi nhật ký trong gói tin (mục #{env.head.seq}): {why}")
        return None


def withdrawal_target_problem(pkg: Package, held_payload: bytes) -> Refusal | None:
    """A CANCEL that passed the check above must withdraw the version the receiver holds: its signed
    <thuhoi> names that version's signed XML by SHA-256. (The content is read through record_parts,
    which refuses a second <thongtinhocba>: the one element there is the one the seal signed.)"""
    import hashlib

    from ..exchange.withdrawal_xml import withdrawal_in
    from ..signing.record_shape import record_parts

    try:
        content = record_parts(parse_xml(pkg.payload, "văn bản thu hồi")).content
    except Exception:  # noqa: BLE001 - cannot happen after the check; refuse rather than store
        return Refusal(422, "văn bản thu hồi không đọc được")
    w = withdrawal_in(content)
    held = hashlib.sha256(held_payload).hexdigest()
    if w is None or w.withdrawn_sha256 != held:
        return Refusal(422, "văn bản thu hồi không nhắm đến phiên bản học bạ máy nhận đang giữ "
                            f"(thu hồi {w.withdrawn_sha256[:12] if w else '?'}…, đang giữ {held[:12]}…)")
    return None
