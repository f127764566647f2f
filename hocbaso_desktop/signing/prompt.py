"""How the token layer asks for a PIN: an interface, with scripted implementations for CLI and tests.

The GUI implements the same protocol with a Qt dialog (the token thread emits a signal and waits on
an event). A PIN is never a command-line argument, never stored and never logged: these classes
hold it only for the duration of a call and their repr shows nothing.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Callable, Protocol

from .info import TokenInfo

PIN_ENV_VAR = "HOCBASO_PIN"


class PinPrompt(Protocol):
    def ask_pin(self, token: TokenInfo, message: str | None) -> str | None:
        """Return the PIN for `token`, or None when the user cancels.

        `message` explains why we ask again (e.g. the previous PIN was wrong, with the tries left).
        """
        ...


class ScriptedPinPrompt:
    """PIN from a callable, else from the HOCBASO_PIN environment variable; never interactive."""

    def __init__(self, source: Callable[[], str | None] | None = None, env_var: str = PIN_ENV_VAR) -> None:
        self._source = source
        self._env_var = env_var
        self.calls = 0  # how many times a PIN was asked: lets tests prove "one PIN per batch"

    def ask_pin(self, token: TokenInfo, message: str | None) -> str | None:
        self.calls += 1
        if self._source is not None:
            return self._source()
        return os.environ.get(self._env_var) or None

    def __repr__(self) -> str:  # never show the PIN, even in a traceback
        return f"<ScriptedPinPrompt env={self._env_var}>"


class TerminalPinPrompt:
    """CLI prompt: HOCBASO_PIN if set, otherwise ask on the terminal without echo."""

    def __init__(self, env_var: str = PIN_ENV_VAR) -> None:
        self._env_var = env_var

    def ask_pin(self, token: TokenInfo, message: str | None) -> str | None:
        env = os.environ.get(self._env_var)
        if env and message is None:
            return env
        if not sys.stdin.isatty():
            return None
        if message:
            print(message, file=sys.stderr)
        try:
            return getpass.getpass(f"Mã PIN của thiết bị ký số «{token.label}»: ") or None
        except (EOFError, KeyboardInterrupt):
            return None
