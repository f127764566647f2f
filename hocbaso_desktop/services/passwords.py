"""Argon2id hashing with explicit parameters (reliability.md: ~20-120 ms per check on these PCs).

The parameters are written here, not taken from argon2-cffi's defaults, so a library upgrade does
not silently change them; a hash made with older parameters is re-hashed at the next good login.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ..domain.accounts import normalize

# 64 MiB, 2 passes, 2 lanes: ~70 ms on a 2-core school PC — slow for a guesser, quick for a teacher.
TIME_COST = 2
MEMORY_COST_KIB = 64 * 1024
PARALLELISM = 2
HASH_LEN = 32
SALT_LEN = 16

_hasher = PasswordHasher(
    time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM,
    hash_len=HASH_LEN, salt_len=SALT_LEN, encoding="utf-8", type=Type.ID,
)


@cache
def _dummy() -> str:
    """Checked against when the staff code is unknown, so a wrong code costs as long as a wrong
    password and the timing does not tell which codes exist. Made on first use: every command-line
    start would otherwise pay one Argon2 hash (~0.1 s) whether it logs anyone in or not."""
    return _hasher.hash("không có tài khoản này")


def hash_password(password: str) -> str:
    return _hasher.hash(normalize(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    if not stored_hash:
        _burn(password)
        return False
    try:
        return _hasher.verify(stored_hash, normalize(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _burn(password: str) -> None:
    """Spend the time of one verification (unknown code): the answer is "no" either way."""
    try:
        _hasher.verify(_dummy(), normalize(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        pass


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
