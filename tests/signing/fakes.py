"""Fake PKCS#11 objects, in the tests only: SoftHSM never locks a PIN and cannot be unplugged
mid-session (gotcha 7), so those paths run against these stand-ins of python-pkcs11's surface."""

from __future__ import annotations

import threading
from typing import Any

import pkcs11
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import Attribute, ObjectClass, TokenFlag
from pkcs11 import exceptions as p11e

INITIALISED = int(TokenFlag.TOKEN_INITIALIZED | TokenFlag.LOGIN_REQUIRED | TokenFlag.USER_PIN_INITIALIZED)


class FakeObject(dict):
    def sign(self, data: bytes, mechanism: Any = None) -> bytes:
        return self["_sign"](data)


class FakeSession:
    def __init__(self, token: "FakeToken") -> None:
        self.token = token
        self.closed = False

    def get_objects(self, attrs: dict) -> list[FakeObject]:
        self.token.lib.record()
        return [o for o in self.token.objects if all(o.get(k) == v for k, v in attrs.items())]

    def close(self) -> None:
        self.token.lib.record()
        self.closed = True


class FakeToken:
    def __init__(self, lib: "FakeLib", label: str, pin: str, *, flags: int = INITIALISED) -> None:
        self.lib = lib
        self.label = label
        self.serial = b"FAKE0001"
        self.manufacturer_id = "Fake"
        self.model = "Fake token"
        self.flags = flags
        self.pin = pin
        self.open_error: Exception | None = None  # raised by open() whatever the PIN
        self.flags_after_failure: int | None = None
        self.objects: list[FakeObject] = []
        self.sessions: list[FakeSession] = []

    def add_identity(self, cert: Any, private_key: Any, cert_id: bytes, *, fail_after: int | None = None) -> None:
        calls = {"n": 0}

        def sign(digest_info: bytes) -> bytes:
            calls["n"] += 1
            if fail_after is not None and calls["n"] > fail_after:
                raise p11e.DeviceRemoved()
            digest = digest_info[-32:]  # SHA-256 DigestInfo: the hash is the last 32 bytes
            return private_key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))

        self.objects.append(FakeObject({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.ID: cert_id,
                                        Attribute.LABEL: "fake", Attribute.VALUE: cert.public_bytes(Encoding.DER)}))
        self.objects.append(FakeObject({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: cert_id,
                                        "_sign": sign}))

    def open(self, rw: bool = False, user_pin: str | None = None) -> FakeSession:
        self.lib.record()
        if self.open_error is not None:
            raise self.open_error
        if user_pin is not None and user_pin != self.pin:
            if self.flags_after_failure is not None:
                self.flags = self.flags_after_failure
            raise p11e.PinIncorrect()
        session = FakeSession(self)
        self.sessions.append(session)
        return session


class FakeSlot:
    def __init__(self, token: FakeToken) -> None:
        self.token = token

    def get_token(self) -> FakeToken:
        self.token.lib.record()
        return self.token


class FakeLib:
    """Records the thread of every call, so tests can prove all of them ran on the token lane."""

    def __init__(self) -> None:
        self.tokens: list[FakeToken] = []
        self.threads: set[str] = set()
        self.reinitialized = 0

    def record(self) -> None:
        self.threads.add(threading.current_thread().name)

    def get_slots(self, token_present: bool = False) -> list[FakeSlot]:
        self.record()
        return [FakeSlot(t) for t in self.tokens]

    def reinitialize(self) -> None:
        self.record()
        self.reinitialized += 1


assert pkcs11  # the fakes mimic python-pkcs11 0.10's surface, so the real package must be importable
