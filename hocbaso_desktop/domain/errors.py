"""Typed errors that carry their data; the Vietnamese wording lives here, shared by CLI and GUI."""

from __future__ import annotations


class HocbasoError(Exception):
    """Base: `message` is the Vietnamese text shown to the user."""

    exit_code = 1

    def __init__(self, message: str, **data: object) -> None:
        super().__init__(message)
        self.message = message
        self.data = data

    def __str__(self) -> str:
        return self.message


class NotFound(HocbasoError):
    pass


class InvalidValue(HocbasoError):
    """A value refused by the rules: which field, which value, why."""

    def __init__(self, field: str, value: object, reason: str) -> None:
        super().__init__(f"{field}: giá trị «{value}» không hợp lệ — {reason}", field=field, value=value, reason=reason)
        self.field = field
        self.value = value
        self.reason = reason


class PermissionDenied(HocbasoError):
    def __init__(self, action: str, needed: str) -> None:
        super().__init__(f"Không có quyền {action}: cần vai trò {needed}", action=action, needed=needed)


class RecordLocked(HocbasoError):
    pass


class StoreError(HocbasoError):
    """The database cannot be used as it is (newer schema, damaged file, already open)."""

    exit_code = 2


class InputFileError(HocbasoError):
    """A file handed to us cannot be read at all (not xlsx, encrypted, empty, damaged, hostile)."""

    exit_code = 2
