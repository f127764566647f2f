"""What verification tells the user: per-signature facts and an overall verdict, in Vietnamese."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .certs import fmt_time

ROLES: dict[str, str] = {
    "gvcn": "Giáo viên chủ nhiệm",
    "gvbm": "Giáo viên bộ môn",
    "principal": "Hiệu trưởng (hoặc Phó hiệu trưởng được ủy quyền)",
    "seal": "Chữ ký số của nhà trường (con dấu)",
}


def role_label(role: str | None) -> str:
    if role is None:
        return "không ghi vai trò"
    return ROLES.get(role, f"vai trò lạ «{role}»")


@dataclass(frozen=True)
class SignatureReport:
    index: int  # 1-based, in signing order
    signer: str  # CN of the signing certificate ("" when unreadable)
    role: str | None
    signing_time: datetime | None  # from the signed XAdES properties (claimed by the signer, no TSA)
    checked_at: datetime | None  # the moment certificate validity and the chain were judged at
    cert_subject: str
    cert_issuer: str
    cert_serial_hex: str
    cert_not_before: datetime | None
    cert_not_after: datetime | None
    intact: bool  # signature value and every digest check out: the content is what was signed
    cert_valid: bool  # the certificate was valid at `checked_at` and allowed for signatures
    trusted: bool  # chains to a root of the trust store at `checked_at`
    demo: bool  # ... and that root is a demo anchor
    reasons: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return self.intact and self.cert_valid and self.trusted

    @property
    def role_label(self) -> str:
        return role_label(self.role)


@dataclass(frozen=True)
class VerificationReport:
    signatures: tuple[SignatureReport, ...]
    problems: tuple[str, ...] = ()  # document-level: shape, wrapping, unreadable file
    content_id: str | None = None
    signed_content: bytes | None = field(default=None, repr=False)  # canonical bytes signxml verified
    policy_problems: tuple[str, ...] = ()  # rules of the signature policy the record breaks (policy.py)
    policy_checked: bool = False  # a policy was applied (hocbaso verify, the verify dialog)

    @property
    def ok(self) -> bool:
        """True only when there is at least one signature, every one is valid and trusted, and the
        signature policy (when one was applied) holds."""
        return (not self.problems and not self.policy_problems and bool(self.signatures)
                and all(s.valid for s in self.signatures))

    @property
    def demo(self) -> bool:
        return any(s.demo for s in self.signatures)

    def withdrawal_lines(self) -> list[str]:
        """What a sealed withdrawal document (status 2, <thuhoi>) says, read from the signed content."""
        if not self.signed_content:
            return []
        from lxml import etree

        from .record_shape import NS

        content = etree.fromstring(self.signed_content)
        el = content.find(f".//{{{NS}}}thuhoi")
        if el is None or (content.findtext(f"{{{NS}}}trangthaithongtinhocba") or "").strip() != "2":
            return []

        def text(name: str) -> str:
            return (el.findtext(f"{{{NS}}}{name}") or "").strip()

        on = text("ngaythuhoi")
        shown = f"{on[8:10]}/{on[5:7]}/{on[0:4]}" if len(on) == 10 else on
        who = text("nguoiquyetdinhthuhoi")
        position = text("chucvunguoiquyetdinh")
        return [
            f"THU HỒI: học bạ năm học {content.findtext(f'{{{NS}}}namhoc') or '?'}, phiên bản "
            f"{content.findtext(f'{{{NS}}}phienbanthongtinhocba') or '?'}, thu hồi ngày {shown}"
            + (f" theo quyết định của {who}" + (f" ({position})" if position else "") if who else ""),
            f"    Lý do: {text('lydothuhoi')}",
            f"    Bản học bạ bị thu hồi: SHA-256 {text('mabamhocbathuhoi')}",
        ]

    def lines(self) -> list[str]:
        """The report as the CLI prints it and the GUI shows it."""
        out: list[str] = []
        for p in self.problems:
            out.append(f"✗ {p}")
        for s in self.signatures:
            mark = "✓" if s.valid else "✗"
            when = fmt_time(s.signing_time) if s.signing_time else "không rõ"
            out.append(f"{mark} Chữ ký {s.index}: {s.signer or 'không rõ người ký'} — {s.role_label}")
            out.append(f"    Thời điểm ký: {when} (giờ Việt Nam)")
            if s.cert_not_before and s.cert_not_after:
                out.append(
                    f"    Chứng thư số: {s.cert_issuer} cấp, số sê-ri {s.cert_serial_hex}, "
                    f"hiệu lực {fmt_time(s.cert_not_before)} – {fmt_time(s.cert_not_after)}"
                )
            if s.checked_at:
                state = "còn hiệu lực" if s.cert_valid else "KHÔNG hợp lệ"
                out.append(f"    Chứng thư tại thời điểm kiểm tra {fmt_time(s.checked_at)}: {state}")
            out.append("    Nội dung: " + ("nguyên vẹn" if s.intact else "KHÔNG khớp chữ ký"))
            chain = "tin cậy" if s.trusted else "KHÔNG tin cậy"
            if s.demo:
                chain += " — chứng thư thử nghiệm (demo), không có giá trị pháp lý"
            out.append(f"    Chuỗi chứng thư: {chain}")
            for r in s.reasons:
                out.append(f"    - {r}")
        for p in self.policy_problems:
            out.append(f"✗ Quy định chữ ký: {p}")
        withdrawal = self.withdrawal_lines() if self.ok else []
        if withdrawal:
            out.extend(withdrawal)
            out.append("KẾT LUẬN: văn bản thu hồi hợp lệ, ký bằng con dấu nhà trường: học bạ này ĐÃ BỊ THU HỒI, "
                       "không còn hiệu lực." + (" (chứng thư thử nghiệm — demo)" if self.demo else ""))
            return out
        if self.ok:
            full = " Đủ chữ ký theo quy định (GVCN → Hiệu trưởng → con dấu), đúng người ghi trong học bạ." if self.policy_checked else ""
            out.append("KẾT LUẬN: tất cả chữ ký số hợp lệ và tin cậy." + full
                       + (" (chứng thư thử nghiệm — demo)" if self.demo else ""))
        elif self.policy_problems:
            out.append(f"KẾT LUẬN: học bạ KHÔNG hợp lệ: {self.policy_problems[0]}.")
        else:
            out.append("KẾT LUẬN: học bạ KHÔNG hợp lệ.")
        return out
