"""What a person reads when something fails: one mapping from an exception to Vietnamese, used by
the GUI (gui/operations.unexpected_message) and the CLI, so no one ever sees "PKCS11Error",
"PermissionError: [Errno 13]" or libxml2's English.

`known_error_text` answers for the failures a school meets (our own errors, the signing device, a
file or a drive, a broken XML); None means a bug — the caller logs its traceback and says so.
"""

from __future__ import annotations

import errno

from ..domain.errors import HocbasoError

_ERRNO: dict[int, str] = {
    errno.ENOENT: "không có tệp hoặc thư mục này (ổ USB đã rút ra, hoặc tệp đã bị chuyển đi?)",
    errno.EACCES: "không có quyền đọc/ghi (tệp đang mở trong chương trình khác, hoặc thư mục được bảo vệ)",
    errno.EPERM: "không được phép thao tác trên tệp này",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc (khóa ghi trên thẻ nhớ/USB?)",
    errno.EIO: "lỗi đọc/ghi ổ đĩa (ổ USB bị rút ra giữa chừng?)",
    errno.EEXIST: "tệp đã có",
    errno.ENOTDIR: "một phần của đường dẫn không phải thư mục",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENAMETOOLONG: "tên tệp hoặc đường dẫn quá dài",
    errno.EBUSY: "tệp đang được dùng",
    errno.EMFILE: "mở quá nhiều tệp cùng lúc",
}


def os_error_text(e: OSError) -> str:
    """«path»: the reason in Vietnamese (never the OS's English strerror)."""
    reason = _ERRNO.get(e.errno or -1, "lỗi hệ thống tệp" + (f" (mã {e.errno})" if e.errno else ""))
    name = e.filename if e.filename is not None else None
    return f"Không thao tác được với tệp «{name}»: {reason}." if name else f"Lỗi tệp: {reason}."


def _is_pkcs11(e: BaseException) -> bool:
    return type(e).__module__.split(".")[0] == "pkcs11"


def known_error_text(e: BaseException) -> str | None:
    """The Vietnamese sentence for a failure a school can meet, or None for a bug."""
    if isinstance(e, HocbasoError):
        return e.message
    if _is_pkcs11(e):
        from ..signing.token import translate_error

        return translate_error(e).message
    if isinstance(e, OSError):
        return os_error_text(e)
    try:
        from lxml import etree
    except ImportError:  # pragma: no cover - lxml is a dependency
        return None
    if isinstance(e, etree.XMLSyntaxError):
        from ..safe_xml import syntax_error_text

        return f"Tệp XML không hợp lệ — {syntax_error_text(e)}."
    return None
