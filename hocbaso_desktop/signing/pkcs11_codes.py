"""PKCS#11 return codes (CKR_…) in Vietnamese, for errors we have no more specific words for.

python-pkcs11 raises one exception class per return code it knows, and a bare `PKCS11Error` (with an
English message) for the rest; neither carries the code itself. A user (and the vendor's support
line) needs the code and a hint of what it means, never a Python class name.
"""

from __future__ import annotations

import re

# python-pkcs11 exception class → (return code, what it means to the user)
BY_CLASS: dict[str, tuple[str, str]] = {
    "AnotherUserAlreadyLoggedIn": ("CKR_USER_ANOTHER_ALREADY_LOGGED_IN", "một người dùng khác đang đăng nhập thiết bị"),
    "ArgumentsBad": ("CKR_ARGUMENTS_BAD", "chương trình gửi tham số không hợp lệ cho thiết bị"),
    "AttributeReadOnly": ("CKR_ATTRIBUTE_READ_ONLY", "thuộc tính chỉ đọc, không sửa được"),
    "AttributeSensitive": ("CKR_ATTRIBUTE_SENSITIVE", "thuộc tính được bảo vệ, không đọc ra được"),
    "AttributeTypeInvalid": ("CKR_ATTRIBUTE_TYPE_INVALID", "thiết bị không hỗ trợ loại thuộc tính này"),
    "AttributeValueInvalid": ("CKR_ATTRIBUTE_VALUE_INVALID", "giá trị thuộc tính không hợp lệ"),
    "DataInvalid": ("CKR_DATA_INVALID", "dữ liệu gửi vào thiết bị không hợp lệ"),
    "DataLenRange": ("CKR_DATA_LEN_RANGE", "dữ liệu gửi vào thiết bị dài hoặc ngắn quá mức cho phép"),
    "DeviceError": ("CKR_DEVICE_ERROR", "thiết bị báo lỗi phần cứng (thử rút ra, cắm lại)"),
    "DeviceMemory": ("CKR_DEVICE_MEMORY", "thiết bị hết bộ nhớ"),
    "DeviceRemoved": ("CKR_DEVICE_REMOVED", "thiết bị đã bị rút ra"),
    "DomainParamsInvalid": ("CKR_DOMAIN_PARAMS_INVALID", "tham số khoá không hợp lệ"),
    "EncryptedDataInvalid": ("CKR_ENCRYPTED_DATA_INVALID", "dữ liệu mã hoá không hợp lệ"),
    "EncryptedDataLenRange": ("CKR_ENCRYPTED_DATA_LEN_RANGE", "dữ liệu mã hoá có độ dài không hợp lệ"),
    "ExceededMaxIterations": ("CKR_EXCEEDED_MAX_ITERATIONS", "vượt quá số vòng lặp cho phép khi tạo khoá"),
    "FunctionCancelled": ("CKR_FUNCTION_CANCELED", "thao tác đã bị huỷ"),
    "FunctionFailed": ("CKR_FUNCTION_FAILED", "thiết bị không thực hiện được thao tác (thử lại)"),
    "FunctionNotSupported": ("CKR_FUNCTION_NOT_SUPPORTED", "thiết bị không hỗ trợ thao tác này"),
    "FunctionRejected": ("CKR_FUNCTION_REJECTED", "thiết bị từ chối thao tác"),
    "GeneralError": ("CKR_GENERAL_ERROR", "thiết bị gặp lỗi chung không rõ nguyên nhân (thử lại)"),
    "HostMemory": ("CKR_HOST_MEMORY", "máy tính không đủ bộ nhớ cho thư viện thiết bị"),
    "KeyHandleInvalid": ("CKR_KEY_HANDLE_INVALID", "không còn tìm thấy khoá trên thiết bị"),
    "KeyIndigestible": ("CKR_KEY_INDIGESTIBLE", "khoá không dùng được cho thao tác này"),
    "KeyNeeded": ("CKR_KEY_NEEDED", "thao tác cần một khoá chưa được cung cấp"),
    "KeyNotNeeded": ("CKR_KEY_NOT_NEEDED", "thao tác không cần khoá"),
    "KeyNotWrappable": ("CKR_KEY_NOT_WRAPPABLE", "khoá không được phép bọc xuất"),
    "KeySizeRange": ("CKR_KEY_SIZE_RANGE", "độ dài khoá không được thiết bị hỗ trợ"),
    "KeyTypeInconsistent": ("CKR_KEY_TYPE_INCONSISTENT", "loại khoá không hợp với thao tác"),
    "KeyUnextractable": ("CKR_KEY_UNEXTRACTABLE", "khoá không được phép lấy ra khỏi thiết bị"),
    "MechanismInvalid": ("CKR_MECHANISM_INVALID", "thiết bị không hỗ trợ thuật toán ký này"),
    "MechanismParamInvalid": ("CKR_MECHANISM_PARAM_INVALID", "tham số thuật toán ký không hợp lệ"),
    "NoEvent": ("CKR_NO_EVENT", "không có sự kiện nào từ khe cắm thiết bị"),
    "ObjectHandleInvalid": ("CKR_OBJECT_HANDLE_INVALID", "không còn tìm thấy đối tượng trên thiết bị"),
    "OperationActive": ("CKR_OPERATION_ACTIVE", "thiết bị đang bận một thao tác khác"),
    "OperationNotInitialized": ("CKR_OPERATION_NOT_INITIALIZED", "thao tác chưa được khởi động trên thiết bị"),
    "PinExpired": ("CKR_PIN_EXPIRED", "mã PIN đã hết hạn"),
    "PinIncorrect": ("CKR_PIN_INCORRECT", "mã PIN không đúng"),
    "PinInvalid": ("CKR_PIN_INVALID", "mã PIN có ký tự không hợp lệ"),
    "PinLenRange": ("CKR_PIN_LEN_RANGE", "mã PIN dài hoặc ngắn quá mức cho phép"),
    "PinLocked": ("CKR_PIN_LOCKED", "mã PIN đã bị khoá"),
    "PinTooWeak": ("CKR_PIN_TOO_WEAK", "mã PIN quá yếu"),
    "PublicKeyInvalid": ("CKR_PUBLIC_KEY_INVALID", "khoá công khai không hợp lệ"),
    "RandomNoRNG": ("CKR_RANDOM_NO_RNG", "thiết bị không có bộ sinh số ngẫu nhiên"),
    "RandomSeedNotSupported": ("CKR_RANDOM_SEED_NOT_SUPPORTED", "thiết bị không nhận hạt giống ngẫu nhiên"),
    "SessionClosed": ("CKR_SESSION_CLOSED", "phiên làm việc với thiết bị đã đóng"),
    "SessionCount": ("CKR_SESSION_COUNT", "thiết bị đã mở quá nhiều phiên làm việc"),
    "SessionExists": ("CKR_SESSION_EXISTS", "đang có phiên làm việc mở trên thiết bị"),
    "SessionHandleInvalid": ("CKR_SESSION_HANDLE_INVALID", "phiên làm việc với thiết bị không còn hợp lệ"),
    "SessionReadOnly": ("CKR_SESSION_READ_ONLY", "phiên làm việc chỉ cho phép đọc"),
    "SessionReadOnlyExists": ("CKR_SESSION_READ_ONLY_EXISTS", "đang có phiên chỉ đọc mở trên thiết bị"),
    "SessionReadWriteSOExists": ("CKR_SESSION_READ_WRITE_SO_EXISTS", "quản trị viên thiết bị đang đăng nhập"),
    "SignatureInvalid": ("CKR_SIGNATURE_INVALID", "chữ ký không hợp lệ"),
    "SignatureLenRange": ("CKR_SIGNATURE_LEN_RANGE", "chữ ký có độ dài không hợp lệ"),
    "SlotIDInvalid": ("CKR_SLOT_ID_INVALID", "khe cắm thiết bị không còn tồn tại"),
    "TemplateIncomplete": ("CKR_TEMPLATE_INCOMPLETE", "thiếu thuộc tính khi tạo đối tượng"),
    "TemplateInconsistent": ("CKR_TEMPLATE_INCONSISTENT", "các thuộc tính khi tạo đối tượng mâu thuẫn nhau"),
    "TokenNotPresent": ("CKR_TOKEN_NOT_PRESENT", "không có thiết bị trong khe cắm"),
    "TokenNotRecognised": ("CKR_TOKEN_NOT_RECOGNIZED", "không nhận ra thiết bị"),
    "TokenWriteProtected": ("CKR_TOKEN_WRITE_PROTECTED", "thiết bị đang chống ghi"),
    "UnwrappingKeyHandleInvalid": ("CKR_UNWRAPPING_KEY_HANDLE_INVALID", "khoá mở bọc không hợp lệ"),
    "UnwrappingKeySizeRange": ("CKR_UNWRAPPING_KEY_SIZE_RANGE", "độ dài khoá mở bọc không hợp lệ"),
    "UnwrappingKeyTypeInconsistent": ("CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT", "loại khoá mở bọc không phù hợp"),
    "UserAlreadyLoggedIn": ("CKR_USER_ALREADY_LOGGED_IN", "đã đăng nhập thiết bị rồi"),
    "UserNotLoggedIn": ("CKR_USER_NOT_LOGGED_IN", "chưa đăng nhập thiết bị (cần nhập mã PIN)"),
    "UserPinNotInitialized": ("CKR_USER_PIN_NOT_INITIALIZED", "thiết bị chưa được đặt mã PIN người dùng"),
    "UserTooManyTypes": ("CKR_USER_TOO_MANY_TYPES", "quá nhiều loại người dùng cùng đăng nhập"),
    "WrappedKeyInvalid": ("CKR_WRAPPED_KEY_INVALID", "khoá được bọc không hợp lệ"),
    "WrappedKeyLenRange": ("CKR_WRAPPED_KEY_LEN_RANGE", "độ dài khoá được bọc không hợp lệ"),
    "WrappingKeyHandleInvalid": ("CKR_WRAPPING_KEY_HANDLE_INVALID", "khoá bọc không hợp lệ"),
    "WrappingKeySizeRange": ("CKR_WRAPPING_KEY_SIZE_RANGE", "độ dài khoá bọc không hợp lệ"),
    "WrappingKeyTypeInconsistent": ("CKR_WRAPPING_KEY_TYPE_INCONSISTENT", "loại khoá bọc không phù hợp"),
}

# The codes python-pkcs11 raises as a bare PKCS11Error, recognised by its English message.
_BY_MESSAGE: tuple[tuple[str, str, str], ...] = (
    ("not initialized", "CKR_CRYPTOKI_NOT_INITIALIZED", "thư viện thiết bị ký số chưa được khởi tạo (thử lại)"),
    ("already initialized", "CKR_CRYPTOKI_ALREADY_INITIALIZED", "thư viện thiết bị ký số đã được khởi tạo từ trước"),
    ("buffer was too small", "CKR_BUFFER_TOO_SMALL", "vùng nhớ nhận kết quả quá nhỏ"),
    ("parallel not supported", "CKR_SESSION_PARALLEL_NOT_SUPPORTED", "thiết bị không hỗ trợ phiên song song"),
    ("user type invalid", "CKR_USER_TYPE_INVALID", "loại người dùng không hợp lệ"),
)

# Codes python-pkcs11 does not map at all ("Unmapped error code 0x…"), from the PKCS#11 standard.
_BY_NUMBER: dict[int, tuple[str, str]] = {
    0x001: ("CKR_CANCEL", "thao tác đã bị huỷ"),
    0x009: ("CKR_NEED_TO_CREATE_THREADS", "thư viện thiết bị cần tự tạo luồng xử lý"),
    0x00A: ("CKR_CANT_LOCK", "thư viện thiết bị không khoá được để dùng đồng thời"),
    0x01B: ("CKR_ACTION_PROHIBITED", "thao tác bị cấm với đối tượng này"),
    0x051: ("CKR_FUNCTION_NOT_PARALLEL", "thiết bị không chạy song song được thao tác này"),
    0x140: ("CKR_CURVE_NOT_SUPPORTED", "thiết bị không hỗ trợ đường cong khoá này"),
    0x170: ("CKR_INFORMATION_SENSITIVE", "thông tin được bảo vệ, không đọc ra được"),
    0x180: ("CKR_STATE_UNSAVEABLE", "không lưu được trạng thái thao tác"),
    0x1A0: ("CKR_MUTEX_BAD", "lỗi khoá đồng bộ trong thư viện thiết bị"),
    0x1A1: ("CKR_MUTEX_NOT_LOCKED", "lỗi khoá đồng bộ trong thư viện thiết bị"),
    0x1B0: ("CKR_NEW_PIN_MODE", "thiết bị yêu cầu đặt mã PIN mới"),
    0x1B1: ("CKR_NEXT_OTP", "thiết bị yêu cầu mã dùng một lần tiếp theo"),
}
CKR_VENDOR_DEFINED = 0x80000000

_HEX = re.compile(r"0x([0-9a-fA-F]+)")


def describe(exc: BaseException) -> tuple[str, str]:
    """(return code, Vietnamese meaning) of a python-pkcs11 exception; never a Python class name."""
    known = BY_CLASS.get(type(exc).__name__)
    if known is not None:
        return known
    text = str(exc)
    lowered = text.lower()
    for needle, code, meaning in _BY_MESSAGE:
        if needle in lowered:
            return code, meaning
    m = _HEX.search(text)
    if m:
        number = int(m.group(1), 16)
        if number in _BY_NUMBER:
            return _BY_NUMBER[number]
        if number >= CKR_VENDOR_DEFINED:
            return f"0x{number:08X}", "lỗi riêng của nhà sản xuất thiết bị (hãy báo mã này cho nhà cung cấp)"
        return f"0x{number:08X}", "mã lỗi PKCS#11 chưa được biết"
    if "loading" in lowered:
        return "—", "không nạp được thư viện PKCS#11 của thiết bị"
    return "—", "thiết bị ký số báo lỗi không rõ mã"


def message(exc: BaseException) -> str:
    """The Vietnamese sentence shown for an error we have no more specific words for."""
    code, meaning = describe(exc)
    suffix = f" (mã lỗi PKCS#11: {code})" if code != "—" else ""
    return f"Lỗi thiết bị ký số: {meaning}{suffix}."
