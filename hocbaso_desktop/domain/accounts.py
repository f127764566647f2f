"""Account rules without storage: the password policy, the back-off after wrong passwords, errors."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from .errors import HocbasoError

# Passwords come from these environment variables or a hidden prompt, never from argv. Here, not in
# services/accounts.py, because `hocbaso user --help` names them without importing the database layer.
PASSWORD_ENV = "HOCBASO_PASSWORD"
NEW_PASSWORD_ENV = "HOCBASO_NEW_PASSWORD"

MIN_PASSWORD = 8
MAX_PASSWORD = 128  # Argon2 takes any length; a cap keeps a pasted novel from costing memory

# Wrong passwords: the first FREE_ATTEMPTS cost nothing (typos happen on a shared PC); after that
# every further mistake locks the account for BASE_LOCK, doubling, up to MAX_LOCK. A lock is
# stored in the database, so starting the CLI again does not reset it.
FREE_ATTEMPTS = 4
BASE_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)


class AuthenticationFailed(HocbasoError):
    """Wrong code or password (the message never says which of the two)."""


class AccountLocked(AuthenticationFailed):
    def __init__(self, code: str, seconds: int, failures: int) -> None:
        super().__init__(
            f"Tài khoản {code} đang tạm khóa vì nhập sai mật khẩu {failures} lần. "
            f"Thử lại sau {duration_text(seconds)}.",
            code=code, seconds=seconds, failures=failures,
        )
        self.seconds = seconds


class AccountDisabled(AuthenticationFailed):
    def __init__(self, code: str) -> None:
        super().__init__(f"Tài khoản {code} đã bị vô hiệu hóa (cán bộ đã nghỉ hoặc chuyển công tác). "
                         "Liên hệ Ban quản trị nếu cần mở lại.", code=code)


class PasswordRequired(AuthenticationFailed):
    """An account with a password, and no way to ask for it (CLI without a terminal)."""

    exit_code = 2


class PasswordChangeRequired(HocbasoError):
    def __init__(self, code: str) -> None:
        super().__init__(f"Mật khẩu của {code} do Ban quản trị đặt lại: hãy đổi mật khẩu trước "
                         f"(hocbaso user set-password {code}).", code=code)


class PasswordPolicyError(HocbasoError):
    pass


def normalize(password: str) -> str:
    """NFC: the same Vietnamese password typed with Telex on one PC and VNI on another (or a
    composed vs. decomposed ế) must give the same bytes."""
    return unicodedata.normalize("NFC", password)


def check_policy(password: str, staff_code: str = "", old_password: str | None = None) -> str:
    """The normalised password, or PasswordPolicyError saying in Vietnamese what is wrong."""
    p = normalize(password)
    if len(p) < MIN_PASSWORD:
        raise PasswordPolicyError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự (hiện có {len(p)}).")
    if len(p) > MAX_PASSWORD:
        raise PasswordPolicyError(f"Mật khẩu dài quá {MAX_PASSWORD} ký tự.")
    if not p.strip() or p != p.strip():
        raise PasswordPolicyError("Mật khẩu không được bắt đầu hoặc kết thúc bằng dấu cách.")
    if any(unicodedata.category(ch).startswith("C") for ch in p):
        raise PasswordPolicyError("Mật khẩu có ký tự điều khiển không gõ được.")
    if len(set(p)) < 3:
        raise PasswordPolicyError("Mật khẩu quá đơn giản: cần ít nhất 3 ký tự khác nhau.")
    if staff_code and staff_code.strip().casefold() in p.casefold():
        raise PasswordPolicyError("Mật khẩu không được chứa mã cán bộ.")
    if old_password is not None and normalize(old_password) == p:
        raise PasswordPolicyError("Mật khẩu mới phải khác mật khẩu cũ.")
    return p


def lock_after(failures: int) -> timedelta | None:
    """How long the account is locked after `failures` consecutive wrong passwords (None: not)."""
    if failures <= FREE_ATTEMPTS:
        return None
    # int ** int is typed Any (a negative exponent gives a float); this one is never negative.
    doubling: int = 2 ** min(failures - FREE_ATTEMPTS - 1, 20)
    lock = BASE_LOCK * doubling
    return min(lock, MAX_LOCK)


def duration_text(seconds: int) -> str:
    """5 giây, 1 phút 30 giây, 15 phút."""
    seconds = max(1, int(seconds))
    m, s = divmod(seconds, 60)
    if not m:
        return f"{s} giây"
    return f"{m} phút {s} giây" if s else f"{m} phút"
