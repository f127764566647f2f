"""The PKCS#11 provider over python-pkcs11: list tokens and certificates, log in, sign.

Every call into the module runs on the token lane (gotcha 5). Tokens are found by label or serial,
never slot id (gotcha 1). A failed login leaves a session open in python-pkcs11 0.10.1 (gotcha 4):
we reinitialise the module when nothing else holds a session, or as soon as the last one closes.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, TypeVar

from .errors import (
    AmbiguousToken,
    ModuleNotFound,
    PinEntryCancelled,
    PinExpired,
    PinLocked,
    SigningError,
    TokenBusy,
    TokenError,
    TokenNotFound,
    TokenRemoved,
    WrongPin,
)
from .info import CertificateInfo, TokenInfo
from .lane import TokenLane, default_lane
from .pkcs11_codes import describe as describe_pkcs11_error
from .pkcs11_codes import message as pkcs11_error_message
from .prompt import PinPrompt
from .session import TokenSession

log = logging.getLogger(__name__)
T = TypeVar("T")

try:  # tolerate a missing C extension so the rest of the app still imports; using a token then fails clearly
    import pkcs11
    from pkcs11 import TokenFlag
    from pkcs11 import exceptions as p11e
except ImportError:  # pragma: no cover - python-pkcs11 is a declared dependency
    pkcs11 = None  # type: ignore[assignment]


# ---- error translation -----------------------------------------------------------------------------

_REMOVED_NAMES = (
    "DeviceRemoved",
    "TokenNotPresent",
    "SessionClosed",
    "SessionHandleInvalid",
    "SlotIDInvalid",
    "TokenNotRecognised",
    "NoSuchToken",
    "DeviceError",  # several USB tokens answer CKR_DEVICE_ERROR when pulled mid-operation
    "UserNotLoggedIn",  # the login vanished with a re-plugged token
)


def _flag(flags: Any, name: str) -> bool:
    if flags is None or pkcs11 is None:
        return False
    return bool(int(flags) & int(getattr(TokenFlag, name)))


def tries_hint(flags: Any) -> str | None:
    if _flag(flags, "USER_PIN_FINAL_TRY"):
        return "final"
    if _flag(flags, "USER_PIN_COUNT_LOW"):
        return "low"
    return None


def translate_error(exc: BaseException, label: str | None = None, flags: Any = None) -> SigningError:
    """Map a python-pkcs11 exception to a typed error with a Vietnamese message.

    `flags` are the token's flags read *after* the failure: only then do USER_PIN_COUNT_LOW /
    FINAL_TRY / LOCKED describe what the user has left.
    """
    if isinstance(exc, SigningError):
        return exc
    name = type(exc).__name__
    if name == "PinLocked" or (name == "PinIncorrect" and _flag(flags, "USER_PIN_LOCKED")):
        return PinLocked(label)
    if name == "PinIncorrect":
        return WrongPin(label, tries_hint(flags))
    if name in ("PinLenRange", "PinInvalid"):
        return WrongPin(label, tries_hint(flags), invalid_format=True)
    if name == "PinExpired":
        return PinExpired(label)
    if name == "FunctionCancelled":
        return PinEntryCancelled()
    if name in _REMOVED_NAMES:
        return TokenRemoved(label)
    code, _meaning = describe_pkcs11_error(exc)
    return TokenError(pkcs11_error_message(exc), label=label, pkcs11_error=code)


# ---- one loaded module per path, per process ------------------------------------------------------


@dataclass
class _LoadedModule:
    lib: Any
    held: int = 0  # sessions open through any provider on this module
    reinit_pending: bool = False
    # Tokens with a logged-in session: PKCS#11 login is per application and token, and closing a
    # logged-in session logs out every other session on it, so one login per token at a time.
    logged_in: set[str] = field(default_factory=set)


# A PKCS#11 module is process-global by nature (C_Initialize once per process), so its handle is too.
_MODULES: dict[str, _LoadedModule] = {}
_MODULES_LOCK = threading.Lock()
# One call at a time into a module, whichever lane makes it: two providers on one module (a second
# window's watcher, a CLI service and a test fixture…) each have a lane, and a re-initialisation on
# one lane during a C_Login on another made the login fail with CKR_CRYPTOKI_NOT_INITIALIZED (or
# crash the process). Re-entrant: a call may make nested calls on its own lane.
_CALL_LOCKS: dict[str, threading.RLock] = {}


def _call_lock(module_path: str) -> threading.RLock:
    with _MODULES_LOCK:
        lock = _CALL_LOCKS.get(module_path)
        if lock is None:
            lock = _CALL_LOCKS[module_path] = threading.RLock()
        return lock


def _default_loader(path: str) -> Any:
    if pkcs11 is None:
        raise TokenError("Thiếu thư viện python-pkcs11: không dùng được thiết bị ký số.")
    if not os.path.isfile(path):
        raise ModuleNotFound(path)
    try:
        return pkcs11.lib(path)
    except p11e.PKCS11Error as e:
        code, meaning = describe_pkcs11_error(e)
        detail = meaning if code == "—" else f"{meaning}, mã lỗi PKCS#11: {code}"
        raise TokenError(f"Không nạp được thư viện PKCS#11 «{path}» ({detail}).", module_path=path) from None


class Pkcs11Provider:
    """One PKCS#11 module (a settings value), every call on `lane`.

    `loader(path)` returns a python-pkcs11 `lib`-like object; tests inject fakes there to reach
    what SoftHSM cannot do (locked PIN, pulled token). Product code only ever uses the real one.
    """

    def __init__(
        self,
        module_path: str,
        *,
        lane: TokenLane | None = None,
        loader: Callable[[str], Any] | None = None,
        reinit_on_poll: bool | None = None,
    ) -> None:
        self.module_path = module_path
        self.lane = lane or default_lane()
        self._loader = loader
        # SoftHSM shows a new token only after C_Finalize/C_Initialize (gotcha 6); USB middleware
        # reports insertion through C_GetSlotList, and re-initialising it every second is costly.
        self.reinit_on_poll = ("softhsm" in module_path.lower()) if reinit_on_poll is None else reinit_on_poll
        self.login_count = 0  # successful logins: lets tests prove one login per batch
        # An injected module is private to this provider; a real one is shared by every provider of the path.
        self._lock = threading.RLock() if loader is not None else _call_lock(module_path)

    # -- lane-only internals (prefix _l_) --

    def _l_module(self) -> _LoadedModule:
        if self._loader is not None:  # injected module: private to this provider
            mod = getattr(self, "_own_module", None)
            if mod is None:
                mod = self._own_module = _LoadedModule(self._loader(self.module_path))
            return mod
        with _MODULES_LOCK:
            mod = _MODULES.get(self.module_path)
            if mod is None:
                mod = _MODULES[self.module_path] = _LoadedModule(_default_loader(self.module_path))
            return mod

    def _l_reinitialize(self, force: bool = False) -> bool:
        mod = self._l_module()
        if mod.held and not force:
            mod.reinit_pending = True
            return False
        mod.lib.reinitialize()
        mod.reinit_pending = False
        return True

    def _l_token_objects(self) -> list[tuple[Any, TokenInfo]]:
        mod = self._l_module()
        found: list[tuple[Any, TokenInfo]] = []
        for slot in mod.lib.get_slots(token_present=True):
            try:
                tok = slot.get_token()
            except Exception as e:  # a token vanishing between the two calls is not an error here
                if type(e).__name__ in _REMOVED_NAMES:
                    continue
                raise
            flags = tok.flags
            if not _flag(flags, "TOKEN_INITIALIZED"):
                continue  # SoftHSM always offers an uninitialised spare token (gotcha 1)
            serial = tok.serial.decode("ascii", "replace") if isinstance(tok.serial, bytes) else str(tok.serial)
            found.append(
                (
                    tok,
                    TokenInfo(
                        label=tok.label.strip(),
                        serial=serial.strip(),
                        manufacturer=str(tok.manufacturer_id).strip(),
                        model=str(tok.model).strip(),
                        module_path=self.module_path,
                        pin_count_low=_flag(flags, "USER_PIN_COUNT_LOW"),
                        pin_final_try=_flag(flags, "USER_PIN_FINAL_TRY"),
                        pin_locked=_flag(flags, "USER_PIN_LOCKED"),
                        protected_auth_path=_flag(flags, "PROTECTED_AUTHENTICATION_PATH"),
                    ),
                )
            )
        return found

    def _l_find(self, label: str | None, serial: str | None) -> tuple[Any, TokenInfo]:
        matches = [
            (tok, info)
            for tok, info in self._l_token_objects()
            if (label is None or info.label == label) and (serial is None or info.serial == serial)
        ]
        if not matches:
            raise TokenNotFound(label, serial)
        if len(matches) > 1:
            raise AmbiguousToken(len(matches))
        return matches[0]

    def _l_open(self, info: TokenInfo, pin: str | None, rw: bool) -> Any:
        tok, _ = self._l_find(info.label, info.serial)
        mod = self._l_module()
        if pin is not None and info.serial in mod.logged_in:
            raise TokenBusy(info.label)
        try:
            session = tok.open(rw=rw, user_pin=pin) if pin is not None else tok.open(rw=rw)
        except Exception as e:
            if pin is not None:
                # Gotcha 4: the failed C_Login left its session open; only a re-initialisation closes it.
                try:
                    self._l_reinitialize()
                except Exception:  # the module may be gone with the token; the login error matters more
                    log.debug("re-initialisation after failed login failed", exc_info=True)
            flags = None
            try:
                flags = self._l_find(info.label, info.serial)[0].flags
            except Exception:
                pass
            raise translate_error(e, info.label, flags) from None
        mod.held += 1
        if pin is not None:
            mod.logged_in.add(info.serial)
            self.login_count += 1
        return session

    def _l_release(self, session: Any, info: TokenInfo, logged_in: bool) -> None:
        mod = self._l_module()
        try:
            session.close()
        except Exception:  # pulled token: the session is gone already, nothing to undo
            log.debug("closing a token session failed", exc_info=True)
        finally:
            mod.held = max(0, mod.held - 1)
            if logged_in:
                mod.logged_in.discard(info.serial)
            if mod.held == 0 and mod.reinit_pending:
                try:
                    self._l_reinitialize()
                except Exception:
                    log.debug("deferred re-initialisation failed", exc_info=True)

    def _call(self, fn: Callable[..., T], *args: Any, label: str | None = None) -> T:
        """Run on the lane; anything python-pkcs11 raises comes back typed and in Vietnamese."""

        def guarded() -> T:
            with self._lock:
                try:
                    return fn(*args)
                except SigningError:
                    raise
                except Exception as e:
                    if pkcs11 is not None and isinstance(e, p11e.PKCS11Error):
                        raise translate_error(e, label) from None
                    raise

        return self.lane.call(guarded)

    # -- public API --

    def list_tokens(self) -> list[TokenInfo]:
        return [info for _, info in self._call(self._l_token_objects)]

    def find_token(self, label: str | None = None, serial: str | None = None) -> TokenInfo:
        return self._call(lambda: self._l_find(label, serial)[1], label=label)

    def busy(self) -> bool:
        """True while any session is open on this module (a batch is signing)."""
        return bool(self._call(lambda: self._l_module().held))

    def reload(self, force: bool = False) -> bool:
        """Re-initialise the module so new tokens appear; refused while a session is held."""
        return bool(self._call(self._l_reinitialize, force))

    def poll(self) -> list[TokenInfo]:
        """One watcher tick: re-initialise only when idle and worthwhile, then list tokens."""

        def tick() -> list[TokenInfo]:
            mod = self._l_module()
            if self.reinit_on_poll and mod.held == 0:
                self._l_reinitialize()
            return [info for _, info in self._l_token_objects()]

        return self._call(tick)

    def open_session(
        self,
        label: str | None = None,
        serial: str | None = None,
        *,
        prompt: PinPrompt | None = None,
        attempts: int = 1,
        rw: bool = False,
    ) -> TokenSession:
        """Open a session; with a prompt, log in. The PIN is asked on the caller's thread, so the
        lane (and the insertion watcher) keep running while the user types.

        `attempts` > 1 lets an interactive prompt retry after a wrong PIN; the same PIN is never
        sent twice, so a scripted prompt cannot burn the token's tries.
        """
        info = self.find_token(label, serial)
        if prompt is None:
            return TokenSession(self, self._call(self._l_open, info, None, rw, label=info.label), info, False)
        if info.pin_locked:
            raise PinLocked(info.label)
        if info.protected_auth_path:
            # PIN pad: the PIN is typed on the reader; python-pkcs11 signals that with PROTECTED_AUTH.
            session = self._call(self._l_open, info, pkcs11.PROTECTED_AUTH, rw, label=info.label)
            return TokenSession(self, session, info, True)
        message: str | None = None
        tried: set[str] = set()
        last_error: SigningError | None = None
        for _ in range(max(1, attempts)):
            pin = prompt.ask_pin(info, message)
            if pin is None:
                raise PinEntryCancelled()
            if pin in tried and last_error is not None:
                raise last_error
            tried.add(pin)
            try:
                session = self._call(self._l_open, info, pin, rw, label=info.label)
            except WrongPin as e:
                last_error, message = e, e.message
                continue
            finally:
                pin = None  # drop our reference as early as Python lets us
            return TokenSession(self, session, info, True)
        assert last_error is not None
        raise last_error

    def list_certificates(self, label: str | None = None, serial: str | None = None) -> list[CertificateInfo]:
        """Certificates on a token without logging in (certificates are public objects)."""
        with self.open_session(label, serial) as s:
            return s.list_certificates()


def list_tokens(module_path: str, *, lane: TokenLane | None = None) -> list[TokenInfo]:
    """Tokens present on `module_path` (initialised ones only), for `hocbaso token list`."""
    return Pkcs11Provider(module_path, lane=lane).list_tokens()


def usable_certificates(certs: Iterable[CertificateInfo]) -> list[CertificateInfo]:
    return [c for c in certs if c.has_private_key and not c.is_ca]
