"""Typed errors of the signing layer, worded in Vietnamese once, shared by the CLI and the GUI.

Each error carries its data (token label, serial, tries hint…) so a caller can react without
parsing the message. None of them ever carries a PIN.
"""

from __future__ import annotations

from ..domain.errors import HocbasoError


class SigningError(HocbasoError):
    """Base of everything the signing layer raises on purpose."""


class TokenError(SigningError):
    """The PKCS#11 module or the token failed in a way we have no better words for."""


class ModuleNotFound(TokenError):
    def __init__(self, module_path: str) -> None:
        super().__init__(
            f"Không tìm thấy thư viện PKCS#11 «{module_path}». Hãy cài phần mềm của nhà cung cấp chứng thư số "
            "hoặc chọn lại đường dẫn thư viện trong phần Cài đặt.",
            module_path=module_path,
        )


class TokenNotFound(TokenError):
    def __init__(self, label: str | None = None, serial: str | None = None) -> None:
        which = f" «{label}»" if label else ""
        which += f" (số sê-ri {serial})" if serial else ""
        super().__init__(
            f"Không tìm thấy thiết bị ký số{which}. Hãy cắm thiết bị ký số vào máy rồi thử lại.",
            label=label,
            serial=serial,
        )


class AmbiguousToken(TokenError):
    def __init__(self, count: int) -> None:
        super().__init__(
            f"Đang cắm {count} thiết bị ký số: hãy chọn thiết bị theo nhãn hoặc số sê-ri.", count=count
        )


class TokenRemoved(TokenError):
    """The token went away (pulled out, session lost): stop cleanly, what was signed stays signed."""

    def __init__(self, label: str | None = None) -> None:
        which = f" «{label}»" if label else ""
        super().__init__(
            f"Thiết bị ký số{which} đã bị rút ra hoặc mất kết nối. Các học bạ đã ký trước đó vẫn được giữ nguyên; "
            "hãy cắm lại thiết bị và ký tiếp.",
            label=label,
        )


class TokenBusy(TokenError):
    def __init__(self, label: str | None = None) -> None:
        super().__init__(
            f"Thiết bị ký số «{label}» đang được dùng cho một đợt ký khác: hãy chờ đợt ký đó xong.", label=label
        )


class PinError(TokenError):
    pass


class WrongPin(PinError):
    """`tries_hint` is "low", "final" or None, from the token's USER_PIN_COUNT_LOW / FINAL_TRY flags."""

    def __init__(self, label: str | None = None, tries_hint: str | None = None, *, invalid_format: bool = False) -> None:
        if invalid_format:
            text = "Mã PIN không hợp lệ (sai độ dài hoặc có ký tự không được phép)."
        else:
            text = "Mã PIN không đúng."
        if tries_hint == "final":
            text += " Chỉ còn MỘT lần thử: nếu nhập sai lần nữa, thiết bị ký số sẽ bị khoá."
        elif tries_hint == "low":
            text += " Thiết bị ký số báo chỉ còn ít lần thử, hãy kiểm tra kỹ trước khi nhập lại."
        super().__init__(text, label=label, tries_hint=tries_hint)
        self.tries_hint = tries_hint


class PinLocked(PinError):
    def __init__(self, label: str | None = None) -> None:
        super().__init__(
            "Mã PIN của thiết bị ký số đã bị khoá do nhập sai quá số lần cho phép. "
            "Hãy liên hệ nhà cung cấp chứng thư số để mở khoá; không thể ký cho đến khi mở khoá.",
            label=label,
        )


class PinExpired(PinError):
    def __init__(self, label: str | None = None) -> None:
        super().__init__(
            "Mã PIN của thiết bị ký số đã hết hạn: hãy đổi PIN bằng phần mềm của nhà cung cấp rồi ký lại.",
            label=label,
        )


class PinEntryCancelled(PinError):
    def __init__(self) -> None:
        super().__init__("Đã huỷ nhập mã PIN: chưa ký học bạ nào.")


class CertificateNotFound(SigningError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"Không tìm thấy chứng thư số để ký: {detail}", detail=detail)


class CertificateUnusable(SigningError):
    """The certificate cannot sign now: expired, not yet valid, or not allowed for signatures."""

    def __init__(self, subject: str, reasons: list[str]) -> None:
        super().__init__(
            f"Chứng thư số «{subject}» không dùng để ký được: " + "; ".join(reasons),
            subject=subject,
            reasons=tuple(reasons),
        )
        self.reasons = tuple(reasons)


class RecordStructureError(SigningError):
    """The record XML is not shaped as a record, or carries a signature-wrapping trick."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"Tệp học bạ không đúng cấu trúc: {reason}", reason=reason)
        self.reason = reason


class ContentChangedSinceSigned(SigningError):
    def __init__(self, index: int) -> None:
        super().__init__(
            f"Nội dung học bạ đã bị thay đổi sau chữ ký thứ {index}: không thể ký thêm lên bản này.", index=index
        )


class DemoTokenError(SigningError):
    pass
