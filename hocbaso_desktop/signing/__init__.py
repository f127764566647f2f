"""Signing: PKCS#11 tokens, XAdES signatures over record XML, verification and the trust store.

Qt-free and database-free. Every PKCS#11 call runs on one token lane (`lane.py`). What services
and the CLI call:

- tokens:        `Pkcs11Provider(module_path)` → `.list_tokens()`, `.list_certificates(label)`,
                 `.open_session(label, prompt=...)`; `list_tokens(module_path)`; presets in `modules.py`
- PIN:           `ScriptedPinPrompt` (HOCBASO_PIN or a callable), `TerminalPinPrompt`
- batch signing: `sign_batch(provider, SignerChoice(...), jobs, role, prompt, cancel)` → Progress
- one record:    `sign_record(xml, key, chain, role, signing_time)`,
                 `verify_record(xml, trust_store, at)` → VerificationReport (`.ok`, `.lines()`)
- trust:         `default_trust_store(*dirs)`, `TrustStore.from_dirs(...)`
- checks:        `check_certificate_usable(cert, at)`, `owner_warning(cert, full_name)`
- demo:          `create_demo_token(...)`, `add_demo_identity(...)`
- hot-plug:      `TokenWatcher(provider, on_change)`

Each name loads its module when first asked for (PEP 562): python-pkcs11, cryptography, lxml and
signxml cost ~0.13 s, and the first window and `hocbaso classes` need none of them
(`from hocbaso_desktop.signing import X` works as before).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..domain.progress import CancelToken
    from .batch import Progress, SignerChoice, SignJob, SignOutcome, sign_batch
    from .certs import check_certificate_usable, name_matches, owner_warning
    from .demo_ca import DemoPerson, DemoTokenInfo, add_demo_identity, create_demo_token
    from .errors import (
        CertificateNotFound,
        CertificateUnusable,
        PinEntryCancelled,
        PinError,
        PinLocked,
        SigningError,
        TokenError,
        TokenRemoved,
        WrongPin,
    )
    from .info import CertificateInfo, TokenInfo
    from .lane import TokenLane, default_lane
    from .modules import PRESETS, find_softhsm_module
    from .prompt import PinPrompt, ScriptedPinPrompt, TerminalPinPrompt
    from .report import ROLES, SignatureReport, VerificationReport
    from .session import TokenSession
    from .token import Pkcs11Provider, list_tokens
    from .trust import TrustStore, default_trust_store
    from .watcher import TokenChange, TokenWatcher
    from .xml_signature import sign_record, verify_record

# name → the module (relative to this package) that defines it
_WHERE: dict[str, str] = {
    "CancelToken": "..domain.progress",
    **dict.fromkeys(("Progress", "SignerChoice", "SignJob", "SignOutcome", "sign_batch"), ".batch"),
    **dict.fromkeys(("check_certificate_usable", "name_matches", "owner_warning"), ".certs"),
    **dict.fromkeys(("DemoPerson", "DemoTokenInfo", "add_demo_identity", "create_demo_token"), ".demo_ca"),
    **dict.fromkeys(("CertificateNotFound", "CertificateUnusable", "PinEntryCancelled", "PinError", "PinLocked",
                     "SigningError", "TokenError", "TokenRemoved", "WrongPin"), ".errors"),
    **dict.fromkeys(("CertificateInfo", "TokenInfo"), ".info"),
    **dict.fromkeys(("TokenLane", "default_lane"), ".lane"),
    **dict.fromkeys(("PRESETS", "find_softhsm_module"), ".modules"),
    **dict.fromkeys(("PinPrompt", "ScriptedPinPrompt", "TerminalPinPrompt"), ".prompt"),
    **dict.fromkeys(("ROLES", "SignatureReport", "VerificationReport"), ".report"),
    "TokenSession": ".session",
    **dict.fromkeys(("Pkcs11Provider", "list_tokens"), ".token"),
    **dict.fromkeys(("TrustStore", "default_trust_store"), ".trust"),
    **dict.fromkeys(("TokenChange", "TokenWatcher"), ".watcher"),
    **dict.fromkeys(("sign_record", "verify_record"), ".xml_signature"),
}

__all__ = [
    "CancelToken", "Progress", "SignerChoice", "SignJob", "SignOutcome", "sign_batch",
    "check_certificate_usable", "name_matches", "owner_warning",
    "DemoPerson", "DemoTokenInfo", "add_demo_identity", "create_demo_token",
    "CertificateNotFound", "CertificateUnusable", "PinEntryCancelled", "PinError", "PinLocked", "SigningError",
    "TokenError", "TokenRemoved", "WrongPin",
    "CertificateInfo", "TokenInfo", "TokenLane", "default_lane", "PRESETS", "find_softhsm_module",
    "PinPrompt", "ScriptedPinPrompt", "TerminalPinPrompt",
    "ROLES", "SignatureReport", "VerificationReport",
    "Pkcs11Provider", "TokenSession", "list_tokens", "TrustStore", "default_trust_store",
    "TokenChange", "TokenWatcher", "sign_record", "verify_record",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:  # `from hocbaso_desktop.signing import softhsm` then imports the submodule
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(where, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
